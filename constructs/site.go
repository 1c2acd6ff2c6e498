package sst

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontdistribution"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontoriginaccesscontrol"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/manifest"
)

// AWS managed CloudFront policies, referenced by id: they exist in every
// account, so a site creates no policy resource it does not need.
const (
	cachingOptimizedPolicy = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	cachingDisabledPolicy  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	// AllViewerExceptHostHeader: a Lambda function URL answers only to its
	// own Host, so the viewer's goes in x-forwarded-host instead.
	allViewerExceptHostPolicy = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

// Cache-Control values written on every uploaded object.
const (
	cacheImmutable = "public,max-age=31536000,immutable"
	cacheHTML      = "public,max-age=0,no-cache,must-revalidate"
	cacheOther     = "public,max-age=0,must-revalidate"
)

// siteEnv is a site's Environment split by when each value is known.
type siteEnv struct {
	// build is what the build command sees: literals as they are, deploy-time
	// values as "{{ NAME }}" placeholders replaced in the uploaded files.
	build map[string]string
	// tokens are the deploy-time values by name.
	tokens map[string]string
	// literal are the values known at synth.
	literal map[string]string
}

// placeholder is what a build sees for a value known only after deploy
// (SST v2's format); the upload replaces it in every file that has it.
func placeholder(name string) string { return "{{ " + name + " }}" }

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// newSiteEnv checks env values: strings (literals or tokens such as
// api.URL()), numbers and booleans.
func newSiteEnv(s *Stack, where string, env map[string]any) siteEnv {
	e := siteEnv{build: map[string]string{}, tokens: map[string]string{}, literal: map[string]string{}}
	for _, k := range sortedKeys(env) {
		if !envNameRE.MatchString(k) {
			s.app.errorf("%s: Environment %q: names are letters, digits and _, not starting with a digit", where, k)
			continue
		}
		var v string
		switch x := env[k].(type) {
		case string:
			v = x
		case *string:
			if x == nil {
				s.app.errorf("%s: Environment %q is a nil *string", where, k)
				continue
			}
			v = *x
		case int, int64, float64, bool:
			v = fmt.Sprint(x)
		default:
			s.app.errorf("%s: Environment %q: %T is not a string, number or boolean (pass e.g. api.URL())", where, k, x)
			continue
		}
		if *cdktf.Token_IsUnresolved(jsii.String(v)) {
			e.tokens[k] = v
			e.build[k] = placeholder(k)
		} else {
			e.literal[k] = v
			e.build[k] = v
		}
	}
	return e
}

// sitePath resolves and checks a site's directory; empty is the project
// itself, as in SST v2.
func sitePath(s *Stack, where, p string) (string, bool) {
	if p == "" {
		p = "."
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(s.app.opts.ProjectDir, p)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		s.app.errorf("%s: Path %q: no such directory under the project (%s)", where, p, abs)
		return "", false
	}
	return abs, true
}

// runSiteBuild runs a site's build command in its directory with the
// environment injected. A failure carries the command's output, so the
// user sees why without re-running it.
func runSiteBuild(dir, command string, env map[string]string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = buildEnviron(env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		text := strings.TrimSpace(out.String())
		const max = 4000
		if len(text) > max {
			text = "…" + text[len(text)-max:]
		}
		return fmt.Errorf("build command %q in %s failed (%v); fix the build and deploy again. Its output:\n%s", command, dir, err, text)
	}
	return nil
}

// siteAsset is one file to upload.
type siteAsset struct {
	Key          string
	Source       string
	ContentType  string
	CacheControl string
	ETag         string
	// replace is set for files holding placeholders: their content is only
	// known at deploy, so their key is invalidated on every apply.
	replace bool
	// search are the placeholders replaced in the file.
	search []string
}

// scopedSearch is a string replaced only in the files Files matches (a
// StaticSite's ReplaceValues).
type scopedSearch struct{ files, search string }

// hashedName matches file names carrying a content hash the bundler put
// there ("index-YL5Xk4J6.js", "main.3f2a9c1b.css"): a token of 8+ word
// characters with at least one digit, right before the extension.
var hashedName = regexp.MustCompile(`[-.]([A-Za-z0-9_]{8,})\.[A-Za-z0-9]+$`)

func isHashed(key string) bool {
	m := hashedName.FindStringSubmatch(path.Base(key))
	return m != nil && strings.ContainsAny(m[1], "0123456789")
}

// contentTypes are the web's common types, fixed here so uploads do not
// depend on the machine's mime.types.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8", ".cjs": "text/javascript; charset=utf-8",
	".json": "application/json", ".map": "application/json", ".webmanifest": "application/manifest+json",
	".txt": "text/plain; charset=utf-8", ".xml": "application/xml", ".csv": "text/csv; charset=utf-8",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".wasm": "application/wasm", ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".zip": "application/zip", ".rsc": "text/x-component",
}

func contentType(key string) string {
	ext := strings.ToLower(path.Ext(key))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// cacheControl: hashed files never change under their name; HTML must be
// revalidated so a deploy shows at once; the rest revalidates cheaply.
func cacheControl(key string, immutable bool) string {
	switch {
	case immutable || isHashed(key):
		return cacheImmutable
	case strings.HasSuffix(key, ".html") || strings.HasSuffix(key, ".htm"):
		return cacheHTML
	}
	return cacheOther
}

// assetDir is one directory uploaded under a key prefix.
type assetDir struct {
	dir, prefix string
	// immutableSub is a subdirectory whose files are all content-hashed
	// (e.g. Next's _next, SvelteKit's _app/immutable).
	immutableSub string
	// served: CloudFront serves these files (not, e.g., Next's cache).
	served bool
}

// collectAssets walks dirs and describes every file to upload. Sources
// are relative to the stack directory so the JSON works from any checkout.
func collectAssets(s *Stack, dirs []assetDir, placeholders []string, scoped ...scopedSearch) (map[string]*siteAsset, error) {
	out := map[string]*siteAsset{}
	for _, d := range dirs {
		err := filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			rel, _ := filepath.Rel(d.dir, p)
			key := path.Join(d.prefix, filepath.ToSlash(rel))
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := md5.Sum(b)
			a := &siteAsset{
				Key:          key,
				Source:       s.rel(p),
				ContentType:  contentType(key),
				CacheControl: cacheControl(key, d.immutableSub != "" && strings.HasPrefix(filepath.ToSlash(rel), d.immutableSub+"/")),
				ETag:         hex.EncodeToString(sum[:]),
			}
			for _, ph := range placeholders {
				if bytes.Contains(b, []byte(ph)) {
					a.search = append(a.search, ph)
				}
			}
			for _, sc := range scoped {
				if globMatch(sc.files, key) && bytes.Contains(b, []byte(sc.search)) {
					a.search = append(a.search, sc.search)
				}
			}
			a.replace = len(a.search) > 0
			out[key] = a
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// siteBucket is a site's private asset bucket, readable only by its
// CloudFront distribution (origin access control).
type siteBucket struct {
	bucket s3bucket.S3Bucket
	oac    cloudfrontoriginaccesscontrol.CloudfrontOriginAccessControl
	policy s3bucketpolicy.S3BucketPolicy
	pab    s3bucketpublicaccessblock.S3BucketPublicAccessBlock
}

func newSiteBucket(s *Stack, id string) *siteBucket {
	a := s.app
	b := &siteBucket{}
	b.bucket = s3bucket.NewS3Bucket(s.tf, jsii.String(id+"_assets"), &s3bucket.S3BucketConfig{
		Bucket: jsii.String(naming.Bucket(s.Stage(), a.cfg.Name, id+"-assets")),
		// Assets are rebuilt from source on every deploy: nothing to keep.
		ForceDestroy: jsii.Bool(true),
	})
	b.pab = s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(s.tf, jsii.String(id+"_assets_public_access"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                b.bucket.Id(),
		BlockPublicAcls:       jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(s.tf, jsii.String(id+"_assets_encryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: b.bucket.Id(),
		Rule: []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{SseAlgorithm: jsii.String("AES256")},
		}},
	})
	b.oac = cloudfrontoriginaccesscontrol.NewCloudfrontOriginAccessControl(s.tf, jsii.String(id+"_oac"), &cloudfrontoriginaccesscontrol.CloudfrontOriginAccessControlConfig{
		Name:                          jsii.String(naming.Physical(s.Stage(), a.cfg.Name, id, 64)),
		OriginAccessControlOriginType: jsii.String("s3"),
		SigningBehavior:               jsii.String("always"),
		SigningProtocol:               jsii.String("sigv4"),
	})
	return b
}

// allowDistribution lets exactly this distribution read objects.
//
// Unlike sst.Bucket there is no deny of non-TLS requests: the bucket holds
// only what the site serves publicly anyway, its one reader (CloudFront
// with OAC) and its one writer (the deploy) use TLS against AWS, and the
// deny would refuse the deploy's own uploads on emulators without TLS.
func (b *siteBucket) allowDistribution(s *Stack, id string, dist cloudfrontdistribution.CloudfrontDistribution) {
	arn := *b.bucket.Arn()
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "CloudFrontRead",
			"Effect":    "Allow",
			"Principal": map[string]string{"Service": "cloudfront.amazonaws.com"},
			"Action":    "s3:GetObject",
			"Resource":  arn + "/*",
			"Condition": map[string]any{"StringEquals": map[string]string{"AWS:SourceArn": *dist.Arn()}},
		}},
	}
	out, _ := json.Marshal(doc)
	b.policy = s3bucketpolicy.NewS3BucketPolicy(s.tf, jsii.String(id+"_assets_policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket:    b.bucket.Id(),
		Policy:    jsii.String(string(out)),
		DependsOn: &[]cdktf.ITerraformDependable{b.pab},
	})
}

// s3Origin is the bucket as a CloudFront origin, signed with the OAC.
func (b *siteBucket) s3Origin(originPath string) *cloudfrontdistribution.CloudfrontDistributionOrigin {
	o := &cloudfrontdistribution.CloudfrontDistributionOrigin{
		OriginId:              jsii.String("s3"),
		DomainName:            b.bucket.BucketRegionalDomainName(),
		OriginAccessControlId: b.oac.Id(),
	}
	if originPath != "" {
		o.OriginPath = jsii.String("/" + strings.Trim(originPath, "/"))
	}
	return o
}

// siteUpload is the plan the CLI carries out after the apply: every file
// with its headers, where CloudFront serves them from, and which outputs
// fill in the placeholders.
func siteUpload(assets map[string]*siteAsset, o siteOutputs, originPath string, keep []string, server string) manifest.SiteUpload {
	u := manifest.SiteUpload{Bucket: o.bucket, Distribution: o.distribution, OriginPath: originPath, Keep: keep, Server: server}
	for _, k := range sortedKeys(assets) {
		a := assets[k]
		u.Files = append(u.Files, manifest.SiteFile{Key: a.Key, Source: a.Source, MD5: a.ETag, ContentType: a.ContentType, CacheControl: a.CacheControl, Replace: a.replace, Search: a.search})
	}
	for name, out := range o.env {
		if u.Replace == nil {
			u.Replace = map[string]string{}
		}
		u.Replace[placeholder(name)] = out
	}
	return u
}

// writeSiteUpload stores the upload plan as an artifact: a changed file
// changes the plan, so the stack's deploy hash changes and the deploy
// uploads it.
func writeSiteUpload(s *Stack, id string, u manifest.SiteUpload) (string, error) {
	b, err := json.MarshalIndent(u, "", " ")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(s.app.opts.ArtifactDir, "sites")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sum := md5.Sum(b)
	p := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.json", s.Stage(), id, hex.EncodeToString(sum[:])[:12]))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", err
	}
	return s.artifact(p), nil
}

// siteDomain validates a site's custom domain: an ACM certificate in
// us-east-1 (CloudFront's region; issued and DNS-validated unless
// CertificateArn is given) and A/AAAA alias records. Unlike an Api's, a
// site's HostedZone must be named: guessing it wrong fails only late in
// the deploy.
func siteDomain(s *Stack, where, id string, cd *CustomDomain) *domain {
	if cd == nil {
		return nil
	}
	if cd.DomainName == "" {
		s.app.errorf("%s: CustomDomain.DomainName is required, e.g. \"www.example.com\"", where)
		return nil
	}
	if cd.HostedZone == "" {
		s.app.errorf("%s: CustomDomain.HostedZone is required: the Route53 hosted zone holding %q (e.g. %q), where the certificate is validated and the alias record is written", where, cd.DomainName, parentDomain(cd.DomainName))
		return nil
	}
	var p cdktf.TerraformProvider
	if cd.CertificateArn == "" {
		// CloudFront takes certificates from us-east-1 only.
		p = usEast1Provider(s, id)
	}
	return newDomainIn(s, id, *cd, p)
}

// usEast1Provider is the provider for what CloudFront takes from us-east-1
// only (certificates, Lambda@Edge functions) of site id: nil, the
// stack's own, when the stack is there; else one alias per site, shared
// by everything of the site that needs it.
func usEast1Provider(s *Stack, id string) cdktf.TerraformProvider {
	if s.Region() == "us-east-1" {
		return nil
	}
	name := id + "_us_east_1"
	if c := s.tf.Node().TryFindChild(jsii.String(name)); c != nil {
		return c.(cdktf.TerraformProvider)
	}
	return s.newProvider(name, "us-east-1", name)
}

func parentDomain(name string) string {
	if i := strings.Index(name, "."); i >= 0 && strings.Contains(name[i+1:], ".") {
		return name[i+1:]
	}
	return name
}

// aliasRecords point the domain at the distribution (IPv4 and IPv6).
// distribute creates a site's distribution from cfg (after the Cdk hook,
// if any) and what every site hangs off it: the bucket's read grant for
// the distribution, the domain's alias records and the site's outputs
// (the files are uploaded by the CLI after the apply: siteUpload). It
// returns the distribution, the site's URL and its outputs.
func distribute(s *Stack, id string, cfg *cloudfrontdistribution.CloudfrontDistributionConfig, hook func(*cloudfrontdistribution.CloudfrontDistributionConfig),
	b *siteBucket, env siteEnv, d *domain) (cloudfrontdistribution.CloudfrontDistribution, string, siteOutputs) {
	if d != nil {
		cfg.Aliases = jsii.Strings(d.name)
	}
	if hook != nil {
		hook(cfg)
	}
	dist := cloudfrontdistribution.NewCloudfrontDistribution(s.tf, jsii.String(id+"_distribution"), cfg)
	b.allowDistribution(s, id, dist)
	var url string
	if d != nil {
		aliasRecords(s, id, d, dist)
		url = "https://" + d.name
	} else {
		url = "https://" + *dist.DomainName()
	}
	return dist, url, addSiteOutputs(s, id, url, dist, b, env)
}

func aliasRecords(s *Stack, id string, d *domain, dist cloudfrontdistribution.CloudfrontDistribution) {
	for _, typ := range []string{"A", "AAAA"} {
		route53record.NewRoute53Record(s.tf, jsii.String(id+"_domain_record_"+strings.ToLower(typ)), &route53record.Route53RecordConfig{
			ZoneId: d.zone.ZoneId(),
			Name:   jsii.String(d.name),
			Type:   jsii.String(typ),
			Alias: &route53record.Route53RecordAlias{
				Name:                 dist.DomainName(),
				ZoneId:               dist.HostedZoneId(),
				EvaluateTargetHealth: jsii.Bool(false),
			},
		})
	}
}

// viewerCertificate: the domain's certificate, else CloudFront's own.
func viewerCertificate(d *domain) *cloudfrontdistribution.CloudfrontDistributionViewerCertificate {
	if d == nil {
		return &cloudfrontdistribution.CloudfrontDistributionViewerCertificate{CloudfrontDefaultCertificate: jsii.Bool(true)}
	}
	return &cloudfrontdistribution.CloudfrontDistributionViewerCertificate{
		AcmCertificateArn:      jsii.String(d.cert),
		SslSupportMethod:       jsii.String("sni-only"),
		MinimumProtocolVersion: jsii.String("TLSv1.2_2021"),
	}
}

// siteOutputs are the stack outputs every site adds so `sst env`, `sst
// dev` and the CLI's invalidation find its values after a deploy.
type siteOutputs struct {
	url, distribution, bucket string
	env                       map[string]string // name → output name
}

func addSiteOutputs(s *Stack, id, url string, dist cloudfrontdistribution.CloudfrontDistribution, b *siteBucket, env siteEnv) siteOutputs {
	o := siteOutputs{url: id + "_url", distribution: id + "_distribution_id", bucket: id + "_bucket", env: map[string]string{}}
	s.AddOutput(o.url, url, OutputOptions{Description: id + " URL", internal: true})
	s.AddOutput(o.distribution, *dist.Id(), OutputOptions{Description: id + " CloudFront distribution", internal: true})
	s.AddOutput(o.bucket, *b.bucket.Bucket(), OutputOptions{Description: id + " assets bucket", internal: true})
	for _, k := range sortedKeys(env.tokens) {
		name := id + "_env_" + k
		s.AddOutput(name, env.tokens[k], OutputOptions{Description: id + " environment " + k, internal: true})
		o.env[k] = name
	}
	return o
}

// siteManifest is the manifest entry of a site (the `sst env` contract).
func siteManifest(s *Stack, id, typ, sitePath string, env siteEnv, o siteOutputs, assetIndex string) manifest.Construct {
	ref := func(out string) string { return manifest.OutputRefPrefix + s.name + "/" + out }
	rel, err := filepath.Rel(s.app.opts.ProjectDir, sitePath)
	if err != nil {
		rel = sitePath
	}
	data := map[string]string{
		manifest.SitePath:         filepath.ToSlash(rel),
		manifest.SiteURL:          ref(o.url),
		manifest.SiteDistribution: ref(o.distribution),
	}
	if assetIndex != "" {
		data[manifest.SiteAssets] = assetIndex
	}
	for k, v := range env.literal {
		data[manifest.SiteEnvPrefix+k] = v
	}
	for k, out := range o.env {
		data[manifest.SiteEnvPrefix+k] = ref(out)
	}
	return manifest.Construct{ID: id, Type: typ, Path: id, Data: data}
}
