package sst

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontdistribution"

	"github.com/sst-tf/sst/manifest"
)

// StaticSiteProps configure a static website: built by any tool, served
// from a private S3 bucket through CloudFront.
type StaticSiteProps struct {
	// Path is the site's directory, relative to the project. Default "."
	// (the project itself: then BuildCommand or BuildOutput is required,
	// or the whole project would be uploaded).
	Path string
	// BuildCommand runs in Path with Environment set, e.g. "npm run build".
	// Empty: the files in BuildOutput are uploaded as they are.
	BuildCommand string
	// BuildOutput is the directory the build writes, relative to Path.
	// Default "." (Path itself) without a BuildCommand, "dist" with one.
	BuildOutput string
	// Environment for the build: strings (e.g. "VITE_STAGE": "prod"),
	// numbers, booleans, or tokens known only after deploy (api.URL()).
	// The build sees a token as the placeholder "{{ NAME }}", replaced in
	// the uploaded files once the value exists.
	Environment map[string]any
	// IndexPage is served for "/". Default "index.html".
	IndexPage string
	// ErrorPage is served, with status 404, for paths with no file.
	// Ignored when SPA is set.
	ErrorPage string
	// SPA serves IndexPage with status 200 for paths with no file, so a
	// client-side router handles them.
	SPA bool
	// CustomDomain serves the site on a domain of a Route53 hosted zone.
	CustomDomain *CustomDomain
	// ReplaceValues replace Search with Replace in the built files Files
	// matches, after the deploy (Replace may be a token such as
	// api.URL()), as SST v2's replaceValues did; Environment's
	// placeholders are replaced without them.
	ReplaceValues []SiteReplaceValue
	// FileOptions set Cache-Control and Content-Type of the files a glob
	// matches, over the defaults (hashed names immutable, HTML revalidated
	// on every request); a later option wins where two match.
	FileOptions []SiteFileOption
	// WaitForInvalidation makes `sst deploy` wait until CloudFront has
	// finished invalidating the changed paths (minutes on AWS), so the
	// deploy returns only once viewers get the new files. Default false,
	// as in SST v2: the invalidation is sent and the deploy goes on.
	WaitForInvalidation bool
	// Cdk edits the raw distribution config before it is created.
	Cdk StaticSiteCdkProps
}

// SiteReplaceValue is one StaticSite.ReplaceValues entry.
type SiteReplaceValue struct {
	// Files is a glob over the keys, as in SiteFileOption.
	Files string
	// Search is the text replaced, e.g. "{{ API_URL }}".
	Search string
	// Replace is the value: a literal or a token.
	Replace string
}

// SiteFileOption sets headers of the uploaded files Files matches.
type SiteFileOption struct {
	// Files is a glob over the keys (paths inside BuildOutput, "/"
	// separated): "*.html", "assets/**", "**/*.json". A pattern without
	// "/" matches the base name at any depth.
	Files string
	// Ignore is a glob of keys left out of Files, e.g. "index.html".
	Ignore string
	// CacheControl and ContentType replace the defaults when set.
	CacheControl string
	ContentType  string
}

// StaticSiteCdkProps is the escape hatch into raw resource configuration.
type StaticSiteCdkProps struct {
	Distribution func(*cloudfrontdistribution.CloudfrontDistributionConfig)
}

// StaticSite is a static website on S3 + CloudFront.
type StaticSite struct {
	stack   *Stack
	sid     string
	dir     string
	url     string
	env     siteEnv
	outputs siteOutputs
	// replaceOutputs are the stack outputs holding ReplaceValues' values,
	// by their Search.
	replaceOutputs map[string]string
	wait           bool
	index          string // the upload plan artifact, relative to the stack dir
	assets         map[string]*siteAsset

	Cdk struct {
		Bucket       *siteBucket
		Distribution cloudfrontdistribution.CloudfrontDistribution
	}
}

// NewStaticSite declares a static site: it checks the props, builds the
// site, reads its files, then creates the bucket and the distribution.
// The build runs while the app synthesizes, so a failing build stops the
// deploy before anything changes.
func NewStaticSite(s *Stack, id string, props StaticSiteProps) *StaticSite {
	site := &StaticSite{stack: s, sid: id}
	if !s.app.claimID(s, id, "StaticSite") {
		return site
	}
	a := s.app
	where := fmt.Sprintf("stack %s: StaticSite %q", s.name, id)
	errs := len(a.errs)
	dir, ok := sitePath(s, where, props.Path)
	site.env = newSiteEnv(s, where, props.Environment)
	d := siteDomain(s, where, id, props.CustomDomain)
	index := cmp.Or(props.IndexPage, "index.html")
	if strings.HasPrefix(index, "/") || strings.HasPrefix(props.ErrorPage, "/") {
		a.errorf("%s: IndexPage and ErrorPage are paths inside BuildOutput without a leading /, e.g. \"404.html\"", where)
	}
	if ok && props.Path == "" && props.BuildCommand == "" && props.BuildOutput == "" {
		a.errorf("%s: Path defaults to the project itself (\".\"), and without BuildCommand or BuildOutput the whole project would be uploaded: set Path to the site's directory or BuildOutput to the files to serve", where)
	}
	for i, o := range props.FileOptions {
		if problem := o.check(); problem != "" {
			a.errorf("%s: FileOptions[%d] %s", where, i, problem)
		}
	}
	checkReplaceValues(a, where, props.ReplaceValues, site.env)
	if !ok || len(a.errs) > errs {
		return site
	}
	site.dir = dir
	outDir, err := site.build(props)
	if err == nil {
		err = site.readFiles(outDir, index, props)
	}
	if err != nil {
		a.errorf("%s: %v", where, err)
		return site
	}

	b := newSiteBucket(s, id)
	b.claimNames(a, id)
	site.Cdk.Bucket = b
	cfg := site.distribution(b, d, index, props)
	dist, url, outputs := distribute(s, id, cfg, props.Cdk.Distribution, b, site.env, d)
	checkOriginIDs(a, where, cfg.Origin)
	site.Cdk.Distribution, site.url, site.outputs = dist, url, outputs
	site.replaceOutputs = map[string]string{}
	site.wait = props.WaitForInvalidation
	for i, rv := range props.ReplaceValues {
		// Literal or not, the value reaches the upload the way
		// Environment's tokens do: as an output read after the apply.
		name := fmt.Sprintf("%s_replace_%d", id, i)
		s.AddOutput(name, rv.Replace, OutputOptions{Description: id + " replace " + rv.Search, internal: true})
		site.replaceOutputs[rv.Search] = name
	}
	s.add(site)
	return site
}

// build runs the build command (not for `sst remove`) and returns the
// directory to upload: "" when removing a site whose output is gone.
func (site *StaticSite) build(props StaticSiteProps) (string, error) {
	out := props.BuildOutput
	if out == "" {
		out = "."
		if props.BuildCommand != "" {
			out = "dist"
		}
	}
	outDir := filepath.Join(site.dir, out)
	removing := site.stack.app.opts.Mode == manifest.ModeRemove
	if props.BuildCommand != "" && !removing {
		// BuildOutput may lie outside the project ("../dist"): its files
		// are part of what the build is judged unchanged by.
		if err := site.stack.buildSite(site.sid, site.dir, props.BuildCommand, site.env.build, outDir); err != nil {
			return "", err
		}
	}
	if fi, err := os.Stat(outDir); removing && (err != nil || !fi.IsDir()) {
		// Removal destroys what the state holds; the files do not matter.
		return "", nil
	} else if err != nil || !fi.IsDir() {
		return "", fmt.Errorf("BuildOutput %q: %s is not a directory after the build: set BuildOutput to where %q writes its files", out, outDir, cmp.Or(props.BuildCommand, "(no build command)"))
	}
	return outDir, nil
}

// readFiles describes the files to upload and checks the index and
// error pages are among them.
func (site *StaticSite) readFiles(outDir, index string, props StaticSiteProps) error {
	removing := site.stack.app.opts.Mode == manifest.ModeRemove
	var placeholders []string
	for k := range site.env.tokens {
		placeholders = append(placeholders, placeholder(k))
	}
	assets := map[string]*siteAsset{}
	if outDir != "" {
		var err error
		var scoped []scopedSearch
		for _, rv := range props.ReplaceValues {
			scoped = append(scoped, scopedSearch{files: rv.Files, search: rv.Search})
		}
		if assets, err = collectAssets(site.stack, []assetDir{{dir: outDir}}, placeholders, scoped...); err != nil {
			return fmt.Errorf("reading BuildOutput: %w", err)
		}
	}
	applyFileOptions(assets, props.FileOptions, "")
	if _, ok := assets[index]; !ok && !removing {
		return fmt.Errorf("IndexPage %q is not in the build output %s", index, outDir)
	}
	if props.ErrorPage != "" && !props.SPA && !removing {
		if _, ok := assets[props.ErrorPage]; !ok {
			return fmt.Errorf("ErrorPage %q is not in the build output %s", props.ErrorPage, outDir)
		}
	}
	site.assets = assets
	return nil
}

// distribution serves the bucket, with the index page for "/" and, for
// paths with no file, the index (SPA) or the error page.
func (site *StaticSite) distribution(b *siteBucket, d *domain, index string, props StaticSiteProps) *cloudfrontdistribution.CloudfrontDistributionConfig {
	s := site.stack
	cfg := &cloudfrontdistribution.CloudfrontDistributionConfig{
		Enabled:           jsii.Bool(true),
		IsIpv6Enabled:     jsii.Bool(true),
		Comment:           jsii.String(fmt.Sprintf("%s %s %s", s.app.cfg.Name, s.Stage(), site.sid)),
		DefaultRootObject: jsii.String(index),
		HttpVersion:       jsii.String("http2and3"),
		Origin:            []*cloudfrontdistribution.CloudfrontDistributionOrigin{b.s3Origin("")},
		DefaultCacheBehavior: &cloudfrontdistribution.CloudfrontDistributionDefaultCacheBehavior{
			TargetOriginId:       jsii.String("s3"),
			ViewerProtocolPolicy: jsii.String("redirect-to-https"),
			AllowedMethods:       jsii.Strings("GET", "HEAD", "OPTIONS"),
			CachedMethods:        jsii.Strings("GET", "HEAD"),
			Compress:             jsii.Bool(true),
			CachePolicyId:        jsii.String(cachingOptimizedPolicy),
		},
		Restrictions: &cloudfrontdistribution.CloudfrontDistributionRestrictions{
			GeoRestriction: &cloudfrontdistribution.CloudfrontDistributionRestrictionsGeoRestriction{RestrictionType: jsii.String("none")},
		},
		ViewerCertificate: viewerCertificate(d),
		WaitForDeployment: jsii.Bool(false),
	}
	// A private bucket answers 403 for a missing key (CloudFront may not
	// list it), so both 403 and 404 mean "no such file".
	if props.SPA {
		cfg.CustomErrorResponse = errorResponses("/"+index, 200)
	} else if props.ErrorPage != "" {
		cfg.CustomErrorResponse = errorResponses("/"+props.ErrorPage, 404)
	}
	return cfg
}

func errorResponses(page string, code int) []*cloudfrontdistribution.CloudfrontDistributionCustomErrorResponse {
	var out []*cloudfrontdistribution.CloudfrontDistributionCustomErrorResponse
	for _, status := range []float64{403, 404} {
		out = append(out, &cloudfrontdistribution.CloudfrontDistributionCustomErrorResponse{
			ErrorCode:          jsii.Number(status),
			ResponseCode:       jsii.Number(float64(code)),
			ResponsePagePath:   jsii.String(page),
			ErrorCachingMinTtl: jsii.Number(0),
		})
	}
	return out
}

// URL is the site's URL: its custom domain, else the CloudFront domain
// (a token until deploy).
func (site *StaticSite) URL() string { return site.url }

// ID is the construct id.
func (site *StaticSite) ID() string { return site.sid }

// Binding gives functions the site's URL (SST_StaticSite_url_<id>).
func (site *StaticSite) Binding() Binding {
	return Binding{Type: "StaticSite", ID: site.sid, Variables: map[string]string{"url": site.url}}
}

func (site *StaticSite) id() string { return site.sid }

// finalize records the upload plan before the manifest is written.
func (site *StaticSite) finalize() {
	u := siteUpload(site.assets, site.outputs, "", nil, "")
	u.WaitForInvalidation = site.wait
	for search, out := range site.replaceOutputs {
		if u.Replace == nil {
			u.Replace = map[string]string{}
		}
		u.Replace[search] = out
	}
	p, err := writeSiteUpload(site.stack, site.sid, u)
	if err != nil {
		site.stack.app.errorf("stack %s: StaticSite %q: %v", site.stack.name, site.sid, err)
	}
	site.index = p
}

func (site *StaticSite) describe() manifest.Construct {
	return siteManifest(site.stack, site.sid, "StaticSite", site.dir, site.env, site.outputs, site.index)
}

// check says what is wrong with the option, "" when nothing is.
func (o SiteFileOption) check() string {
	if o.Files == "" {
		return "Files is empty: a glob of the keys it applies to, e.g. \"*.html\""
	}
	for _, g := range []string{o.Files, o.Ignore} {
		if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
			return fmt.Sprintf("glob %q: %v", g, err)
		}
	}
	if o.CacheControl == "" && o.ContentType == "" {
		return fmt.Sprintf("Files %q: set CacheControl or ContentType (or drop the option)", o.Files)
	}
	return ""
}

// applyFileOptions sets the headers the options give, in order. The globs
// match the keys with the folder strip (the distribution's origin path,
// "" for none) taken off: the paths the site serves the files at.
func applyFileOptions(assets map[string]*siteAsset, opts []SiteFileOption, strip string) {
	if strip = strings.Trim(strip, "/"); strip != "" {
		strip += "/"
	}
	for _, o := range opts {
		for k, a := range assets {
			key, ok := strings.CutPrefix(k, strip)
			if !ok {
				continue
			}
			if !globMatch(o.Files, key) || (o.Ignore != "" && globMatch(o.Ignore, key)) {
				continue
			}
			if o.CacheControl != "" {
				a.CacheControl = o.CacheControl
			}
			if o.ContentType != "" {
				a.ContentType = o.ContentType
			}
		}
	}
}

// globMatch matches a slash-separated key against a glob where "**"
// spans directories; a pattern without "/" matches the base name.
func globMatch(pattern, key string) bool {
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(key))
		return ok
	}
	return matchSegments(strings.Split(pattern, "/"), strings.Split(key, "/"))
}

func matchSegments(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(parts); i++ {
				if matchSegments(pat[1:], parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], parts[0]); !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}

// checkReplaceValues: every entry needs a glob, a Search no other entry
// (nor Environment's placeholders) uses, and a value.
func checkReplaceValues(a *App, where string, rvs []SiteReplaceValue, env siteEnv) {
	seen := map[string]bool{}
	for k := range env.tokens {
		seen[placeholder(k)] = true
	}
	for i, rv := range rvs {
		w := fmt.Sprintf("%s: ReplaceValues[%d]", where, i)
		switch {
		case rv.Files == "":
			a.errorf("%s: Files is empty: a glob of the files to replace in, e.g. \"**/*.js\"", w)
		case rv.Search == "":
			a.errorf("%s: Search is empty", w)
		case seen[rv.Search]:
			a.errorf("%s: Search %q is already replaced (by another entry or an Environment token): each text gets one value", w, rv.Search)
		case rv.Replace == "":
			a.errorf("%s: Replace is empty for Search %q (a deployed empty value cannot be told from a missing one)", w, rv.Search)
		}
		if rv.Files != "" {
			if _, err := path.Match(strings.ReplaceAll(rv.Files, "**", "*"), ""); err != nil {
				a.errorf("%s: Files glob %q: %v", w, rv.Files, err)
			}
		}
		seen[rv.Search] = true
	}
}
