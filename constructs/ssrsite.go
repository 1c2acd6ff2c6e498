package sst

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontcachepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontdistribution"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontfunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtableitem"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdaeventsourcemapping"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

// SsrSiteProps configure a server-rendered site. NextjsSiteProps,
// RemixSiteProps, AstroSiteProps, SolidStartSiteProps and
// SvelteKitSiteProps are this type: every framework maps its adapter's
// output (a server handler and static assets) onto the same base.
type SsrSiteProps struct {
	// Path is the site's directory, relative to the project. Default "."
	// (the project itself).
	Path string
	// BuildCommand runs in Path with Environment set. Default: the
	// framework's (Next.js: `npx --yes @opennextjs/aws build`; the others:
	// `npm run build`).
	BuildCommand string
	// Environment for the build and the server function: strings, numbers,
	// booleans or tokens (api.URL()). The build sees a token as the
	// placeholder "{{ NAME }}", replaced in uploaded assets at deploy; the
	// server function gets the real value.
	Environment map[string]any
	// Bind gives the server function these constructs' values and access.
	Bind []Bindable
	// Permissions are granted to the server function, as for
	// FunctionProps.Permissions.
	Permissions []Permission
	// MemorySize of the server function in MB. Default 1024.
	MemorySize int
	// Timeout of the server function, in whole seconds up to 60s (as long
	// as CloudFront waits for it). Default 10s.
	Timeout time.Duration
	// CustomDomain serves the site on a domain of a Route53 hosted zone.
	CustomDomain *CustomDomain
	// Warm keeps this many server instances warm: a warmer function
	// invoked every 5 minutes (Next.js only; OpenNext ships it).
	Warm int
	// Assets set the Cache-Control of the uploaded client files (SST v2's
	// assets).
	Assets SsrSiteAssets
	// WaitForInvalidation makes `sst deploy` wait until CloudFront has
	// finished invalidating, as for StaticSite. Default false (SST v2's
	// invalidation.wait).
	WaitForInvalidation bool
	// Regional tunes the server function behind CloudFront (SST v2's
	// regional).
	Regional SsrSiteRegional
	// Cdk is the escape hatch into raw configuration.
	Cdk SsrSiteCdkProps
}

// SsrSiteRegional tunes the site's single-region server function. SST
// v2's regional.prefetchSecrets has no counterpart: it would copy secret
// values into the function's configuration, so into Terraform state.
type SsrSiteRegional struct {
	// EnableServerURLIAMAuth makes the server function URL require AWS_IAM
	// auth, so only this site's CloudFront can call it (not anyone who
	// learns the URL). A Lambda@Edge function in us-east-1 signs every
	// request CloudFront sends to the server, bodies included (up to 1 MB:
	// a larger POST gets 413). The viewer's Authorization header is
	// replaced by the signature: the server does not see it. Default
	// false: a public function URL, as in SST v2.
	EnableServerURLIAMAuth bool
}

// SsrSiteAssets set the headers of an SSR site's uploaded files. Versioned
// files are those with a content hash in their name or under the
// framework's immutable directory (Next's _next/static, SvelteKit's
// _app/immutable, Astro's _astro); the rest (favicon.ico, robots.txt,
// prerendered pages) are non-versioned.
type SsrSiteAssets struct {
	// VersionedFilesTTL is how long browsers and CloudFront keep a
	// versioned file: "public,max-age=<s>,immutable". Default one year.
	VersionedFilesTTL time.Duration
	// VersionedFilesCacheHeader replaces that header whole; not with
	// VersionedFilesTTL.
	VersionedFilesCacheHeader string
	// NonVersionedFilesTTL is how long CloudFront keeps a non-versioned
	// file (browsers revalidate every time):
	// "public,max-age=0,s-maxage=<s>,stale-while-revalidate=<s/10>", SST
	// v2's shape (its default was one day). Default: no CDN caching
	// ("public,max-age=0,must-revalidate", HTML
	// "public,max-age=0,no-cache,must-revalidate"), so a file is never
	// served stale even when an invalidation is missed.
	NonVersionedFilesTTL time.Duration
	// NonVersionedFilesCacheHeader replaces that header whole; not with
	// NonVersionedFilesTTL.
	NonVersionedFilesCacheHeader string
	// FileOptions set headers of the files a glob matches, over the above,
	// as StaticSite's FileOptions; globs are over the paths the site serves
	// the files at ("_next/static/**", "*.ico").
	FileOptions []SiteFileOption
}

// check reports what is wrong with the assets' options.
func (as SsrSiteAssets) check(errorf func(string, ...any)) {
	for _, c := range []struct {
		name, header, headerName string
		ttl                      time.Duration
	}{
		{"VersionedFilesTTL", as.VersionedFilesCacheHeader, "VersionedFilesCacheHeader", as.VersionedFilesTTL},
		{"NonVersionedFilesTTL", as.NonVersionedFilesCacheHeader, "NonVersionedFilesCacheHeader", as.NonVersionedFilesTTL},
	} {
		switch {
		case c.ttl < 0 || c.ttl%time.Second != 0:
			errorf("Assets.%s %s: must be a positive whole number of seconds, e.g. 24*time.Hour", c.name, c.ttl)
		case c.ttl != 0 && c.header != "":
			errorf("Assets.%s and Assets.%s both set: the header replaces the TTL's, drop one", c.name, c.headerName)
		case strings.ContainsAny(c.header, "\r\n"):
			errorf("Assets.%s %q: a header value is one line", c.headerName, c.header)
		}
	}
	for i, o := range as.FileOptions {
		if problem := o.check(); problem != "" {
			errorf("Assets.FileOptions[%d] %s", i, problem)
		}
	}
}

// apply sets the headers the options give, over the defaults collectAssets
// chose (cacheImmutable marks a versioned file). originPath is the bucket
// folder the site is served from: FileOptions match the served path.
func (as SsrSiteAssets) apply(assets map[string]*siteAsset, originPath string) {
	versioned := as.VersionedFilesCacheHeader
	if as.VersionedFilesTTL > 0 {
		versioned = fmt.Sprintf("public,max-age=%d,immutable", int64(as.VersionedFilesTTL/time.Second))
	}
	other := as.NonVersionedFilesCacheHeader
	if as.NonVersionedFilesTTL > 0 {
		s := int64(as.NonVersionedFilesTTL / time.Second)
		other = fmt.Sprintf("public,max-age=0,s-maxage=%d,stale-while-revalidate=%d", s, s/10)
	}
	for _, a := range assets {
		switch {
		case a.CacheControl == cacheImmutable && versioned != "":
			a.CacheControl = versioned
		case a.CacheControl != cacheImmutable && other != "":
			a.CacheControl = other
		}
	}
	applyFileOptions(assets, as.FileOptions, originPath)
}

// SsrSiteCdkProps override what the site creates.
type SsrSiteCdkProps struct {
	// ServerCachePolicyID uses an existing CloudFront cache policy for the
	// server behaviours instead of creating one (SST v2's
	// cdk.serverCachePolicy).
	ServerCachePolicyID string
	// ViewerRequestFunctionARN uses an existing CloudFront Function on the
	// server behaviours instead of creating the one that copies Host into
	// x-forwarded-host; it must do the same.
	ViewerRequestFunctionARN string
	// Distribution edits the raw distribution config before it is created.
	Distribution func(*cloudfrontdistribution.CloudfrontDistributionConfig)
}

// NextjsSiteProps configure a NextjsSite.
type NextjsSiteProps SsrSiteProps

// RemixSiteProps configure a RemixSite.
type RemixSiteProps SsrSiteProps

// AstroSiteProps configure an AstroSite.
type AstroSiteProps SsrSiteProps

// SolidStartSiteProps configure a SolidStartSite.
type SolidStartSiteProps SsrSiteProps

// SvelteKitSiteProps configure a SvelteKitSite.
type SvelteKitSiteProps SsrSiteProps

// SsrSite is the base every server-rendered site shares: a server
// function behind a function URL, an assets bucket, and a CloudFront
// distribution routing between them.
type SsrSite struct {
	stack   *Stack
	sid     string
	typ     string
	dir     string
	url     string
	env     siteEnv
	outputs siteOutputs
	upload  manifest.SiteUpload
	idxPath string

	Cdk struct {
		Bucket            *siteBucket
		Distribution      cloudfrontdistribution.CloudfrontDistribution
		Server            *Function
		Image             *Function
		Revalidation      *Function
		Warmer            *Function
		RevalidationQueue sqsqueue.SqsQueue
		RevalidationTable dynamodbtable.DynamodbTable
		CachePolicy       cloudfrontcachepolicy.CloudfrontCachePolicy
		ViewerRequest     cloudfrontfunction.CloudfrontFunction
		// URLSigner is the Lambda@Edge function signing requests to the
		// server (Regional.EnableServerURLIAMAuth).
		URLSigner lambdafunction.LambdaFunction
	}
}

// NextjsSite is a Next.js app built with OpenNext.
type NextjsSite struct{ *SsrSite }

// RemixSite is a Remix app.
type RemixSite struct{ *SsrSite }

// AstroSite is an Astro app built with the astro-sst adapter.
type AstroSite struct{ *SsrSite }

// SolidStartSite is a SolidStart app built with solid-start-sst.
type SolidStartSite struct{ *SsrSite }

// SvelteKitSite is a SvelteKit app built with svelte-kit-sst.
type SvelteKitSite struct{ *SsrSite }

// NewNextjsSite declares a Next.js site: OpenNext's server, image
// optimization, revalidation (FIFO queue + consumer, DynamoDB tag cache
// seeded from the build) and warmer functions, and its assets.
func NewNextjsSite(s *Stack, id string, props NextjsSiteProps) *NextjsSite {
	return &NextjsSite{newSsrSite(s, id, "NextjsSite", SsrSiteProps(props), planNext, "npx --yes @opennextjs/aws build")}
}

// NewRemixSite declares a Remix site. The server build
// (build/server/index.mjs) must export a Lambda `handler` (e.g. through
// @remix-run/architect); build/client holds the assets.
func NewRemixSite(s *Stack, id string, props RemixSiteProps) *RemixSite {
	return &RemixSite{newSsrSite(s, id, "RemixSite", SsrSiteProps(props), planRemix, "npm run build")}
}

// NewAstroSite declares an Astro site built with the astro-sst adapter
// (dist/server/entry.mjs and dist/client).
func NewAstroSite(s *Stack, id string, props AstroSiteProps) *AstroSite {
	return &AstroSite{newSsrSite(s, id, "AstroSite", SsrSiteProps(props), planAstro, "npm run build")}
}

// NewSolidStartSite declares a SolidStart site built with solid-start-sst
// (dist/server/index.mjs and dist/client).
func NewSolidStartSite(s *Stack, id string, props SolidStartSiteProps) *SolidStartSite {
	return &SolidStartSite{newSsrSite(s, id, "SolidStartSite", SsrSiteProps(props), planSolidStart, "npm run build")}
}

// NewSvelteKitSite declares a SvelteKit site built with svelte-kit-sst
// (.svelte-kit/svelte-kit-sst/{server,client,prerendered}).
func NewSvelteKitSite(s *Stack, id string, props SvelteKitSiteProps) *SvelteKitSite {
	return &SvelteKitSite{newSsrSite(s, id, "SvelteKitSite", SsrSiteProps(props), planSvelteKit, "npm run build")}
}

// ssrFunction is one prebuilt Lambda bundle of an adapter's output.
type ssrFunction struct {
	dir, handler string
	streaming    bool
	// bundle: the adapter leaves the entry importing packages from the
	// app's node_modules (OpenNext's bundles are complete already).
	bundle bool
}

// ssrPlan is an adapter's output mapped onto the base.
type ssrPlan struct {
	server       ssrFunction
	image        *ssrFunction // Next.js image optimization
	revalidation *ssrFunction // Next.js ISR consumer
	warmer       *ssrFunction
	cacheSeed    string // Next.js tag cache items (dynamodb-cache.json)
	// originPath is the key prefix of the served assets in the bucket.
	originPath string
	// assets are uploaded; a prefix outside originPath is not served.
	assets []assetDir
	// cachePrefix holds the Next.js incremental cache (not served).
	cachePrefix string
	// s3Patterns and imagePatterns route to the bucket and the image
	// function; serverPatterns to the server ahead of the s3 ones.
	s3Patterns, imagePatterns, serverPatterns []string
}

// openNextOutput is the part of .open-next/open-next.output.json we use.
type openNextOutput struct {
	Origins map[string]struct {
		Type       string `json:"type"`
		OriginPath string `json:"originPath"`
		Copy       []struct {
			From            string `json:"from"`
			To              string `json:"to"`
			Cached          bool   `json:"cached"`
			VersionedSubDir string `json:"versionedSubDir"`
		} `json:"copy"`
		Handler   string `json:"handler"`
		Bundle    string `json:"bundle"`
		Streaming bool   `json:"streaming"`
	} `json:"origins"`
	Behaviors []struct {
		Pattern string `json:"pattern"`
		Origin  string `json:"origin"`
	} `json:"behaviors"`
	AdditionalProps struct {
		Warmer                 *struct{ Handler, Bundle string } `json:"warmer"`
		InitializationFunction *struct{ Handler, Bundle string } `json:"initializationFunction"`
		RevalidationFunction   *struct{ Handler, Bundle string } `json:"revalidationFunction"`
	} `json:"additionalProps"`
}

func planNext(dir string) (*ssrPlan, error) {
	const file = ".open-next/open-next.output.json"
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("%s is missing after the build: the build command must run OpenNext (`npx @opennextjs/aws build`)", file)
	}
	var o openNextOutput
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	srv, ok := o.Origins["default"]
	if !ok || srv.Bundle == "" {
		return nil, fmt.Errorf("%s has no default server origin", file)
	}
	p := &ssrPlan{server: ssrFunction{dir: srv.Bundle, handler: srv.Handler, streaming: srv.Streaming}}
	if img, ok := o.Origins["imageOptimizer"]; ok && img.Bundle != "" {
		p.image = &ssrFunction{dir: img.Bundle, handler: img.Handler}
	}
	if s3o, ok := o.Origins["s3"]; ok {
		p.originPath = strings.Trim(s3o.OriginPath, "/")
		for _, c := range s3o.Copy {
			to := strings.Trim(c.To, "/")
			if !c.Cached {
				p.cachePrefix = to
			}
			p.assets = append(p.assets, assetDir{dir: c.From, prefix: to, immutableSub: c.VersionedSubDir, served: to == p.originPath})
		}
	}
	for _, bh := range o.Behaviors {
		switch o.Origins[bh.Origin].Type {
		case "s3":
			p.s3Patterns = append(p.s3Patterns, bh.Pattern)
		case "function":
			if bh.Origin == "imageOptimizer" {
				p.imagePatterns = append(p.imagePatterns, bh.Pattern)
			} else if bh.Pattern != "*" {
				p.serverPatterns = append(p.serverPatterns, bh.Pattern)
			}
		}
	}
	// Next's API routes always run on the server, whatever the bucket holds.
	p.serverPatterns = append(p.serverPatterns, "api/*")
	ap := o.AdditionalProps
	if f := ap.RevalidationFunction; f != nil {
		p.revalidation = &ssrFunction{dir: f.Bundle, handler: f.Handler}
	}
	if f := ap.Warmer; f != nil {
		p.warmer = &ssrFunction{dir: f.Bundle, handler: f.Handler}
	}
	if f := ap.InitializationFunction; f != nil {
		p.cacheSeed = path.Join(f.Bundle, "dynamodb-cache.json")
	}
	return p, nil
}

func planRemix(dir string) (*ssrPlan, error) {
	return conventionalPlan(dir, "build/server", "index.handler", "build/client", "assets")
}

func planAstro(dir string) (*ssrPlan, error) {
	return conventionalPlan(dir, "dist/server", "entry.handler", "dist/client", "_astro")
}

func planSolidStart(dir string) (*ssrPlan, error) {
	return conventionalPlan(dir, "dist/server", "index.handler", "dist/client", "assets")
}

func planSvelteKit(dir string) (*ssrPlan, error) {
	const out = ".svelte-kit/svelte-kit-sst"
	p, err := conventionalPlan(dir, out+"/server", "lambda-handler/index.handler", out+"/client", "_app/immutable")
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(filepath.Join(dir, out, "prerendered")); err == nil && fi.IsDir() {
		p.assets = append(p.assets, assetDir{dir: out + "/prerendered", served: true})
	}
	return p, nil
}

// conventionalPlan maps an adapter that writes a server bundle and a
// client directory: hashed files live under immutable.
func conventionalPlan(dir, server, handler, client, immutable string) (*ssrPlan, error) {
	file, _, _ := strings.Cut(path.Base(handler), ".")
	entry := path.Join(server, path.Dir(handler), file)
	found := false
	for _, ext := range []string{".mjs", ".js", ".cjs"} {
		if _, err := os.Stat(filepath.Join(dir, entry+ext)); err == nil {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("the server handler %s.mjs (or .js) is missing after the build: check the build runs the framework's SST adapter", entry)
	}
	if fi, err := os.Stat(filepath.Join(dir, client)); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("the client assets directory %s is missing after the build", client)
	}
	return &ssrPlan{
		server: ssrFunction{dir: server, handler: handler, bundle: true},
		assets: []assetDir{{dir: client, immutableSub: immutable, served: true}},
	}, nil
}

// removalPlan is a one-file server and no assets, for `sst remove` of a
// site whose build output is gone.
func removalPlan(artifacts string) (*ssrPlan, error) {
	dir := filepath.Join(artifacts, "sites", "removal-stub")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.mjs"), []byte("export const handler = async () => ({ statusCode: 410 });\n"), 0o644); err != nil {
		return nil, err
	}
	return &ssrPlan{server: ssrFunction{dir: dir, handler: "index.handler"}}, nil
}

// forwardedHostCode copies the viewer's Host into x-forwarded-host: the
// origin request policy cannot forward Host itself to a function URL,
// which answers only to its own.
const forwardedHostCode = `function handler(event) {
  var request = event.request;
  request.headers["x-forwarded-host"] = request.headers.host;
  return request;
}
`

// newSsrSite reads as the steps of deploying a server-rendered site: check
// the props, build the app and read what its adapter wrote, pack the
// functions, then create the bucket, Next.js's revalidation pieces, the
// functions, and the distribution in front of them all. Nothing is added
// to the app until the build output has been read and packed.
func newSsrSite(s *Stack, id, typ string, props SsrSiteProps, plan func(string) (*ssrPlan, error), defaultBuild string) *SsrSite {
	site := &SsrSite{stack: s, sid: id, typ: typ}
	if !s.app.claimID(s, id, typ) {
		return site
	}
	b := &ssrBuild{site: site, props: props, where: fmt.Sprintf("stack %s: %s %q", s.name, typ, id)}
	if !b.checkProps() {
		return site
	}
	if err := b.buildApp(defaultBuild, plan); err != nil {
		return b.fail(err)
	}
	if err := b.readAssets(); err != nil {
		return b.fail(err)
	}
	if err := b.packFunctions(); err != nil {
		return b.fail(err)
	}

	b.createBucket()
	b.grantIncrementalCache()
	b.createRevalidationQueue()
	if err := b.createTagCache(); err != nil {
		return b.fail(err)
	}
	b.createServerFunction()
	b.createImageFunction()
	b.createRevalidationFunction()
	b.createWarmer()
	if site.Cdk.Server.Cdk.Function == nil {
		return site // the function reported why
	}
	if err := b.createURLSigner(); err != nil {
		return b.fail(err)
	}
	b.createDistribution()
	b.planUpload()
	s.add(site)
	return site
}

// ssrBuild carries one site from its props to its resources: each step of
// newSsrSite reads what the earlier ones left here.
type ssrBuild struct {
	site  *SsrSite
	props SsrSiteProps
	where string

	domain *domain
	plan   *ssrPlan
	// dirs are the plan's asset directories with absolute paths.
	dirs   []assetDir
	assets map[string]*siteAsset
	zips   struct{ server, image, revalidation, warmer *build.Result }
	bucket *siteBucket
	// serverEnv and serverPerms grow as the steps give the server function
	// access to what they create.
	serverEnv   map[string]string
	serverPerms []Permission
}

// ssrRuntime is what every adapter's server output runs on.
const ssrRuntime = string(RuntimeNodejs20)

func (b *ssrBuild) fail(err error) *SsrSite {
	b.site.stack.app.errorf("%s: %v", b.where, err)
	return b.site
}

// checkProps reports every problem with the props at once; the site is
// not built when there is any.
func (b *ssrBuild) checkProps() bool {
	site, props := b.site, b.props
	s, a := site.stack, site.stack.app
	errs := len(a.errs)
	dir, ok := sitePath(s, b.where, props.Path)
	site.env = newSiteEnv(s, b.where, props.Environment)
	b.domain = siteDomain(s, b.where, site.sid, props.CustomDomain)
	if props.Warm < 0 {
		a.errorf("%s: Warm %d: must not be negative", b.where, props.Warm)
	}
	if props.Timeout > maxOriginTimeout {
		a.errorf("%s: Timeout %s: CloudFront waits at most %s for the server", b.where, formatDuration(props.Timeout), formatDuration(maxOriginTimeout))
	}
	for i, bound := range props.Bind {
		if problem := checkBindable(s, bound); problem != "" {
			a.errorf("%s: Bind[%d] %s", b.where, i, problem)
		}
	}
	props.Assets.check(func(f string, args ...any) { a.errorf("%s: "+f, append([]any{b.where}, args...)...) })
	site.dir = dir
	return ok && len(a.errs) == errs
}

// buildApp runs the build (not for `sst remove`) and maps what the
// adapter wrote onto the site's plan.
func (b *ssrBuild) buildApp(defaultBuild string, plan func(string) (*ssrPlan, error)) error {
	site, a := b.site, b.site.stack.app
	removing := a.opts.Mode == manifest.ModeRemove
	if !removing {
		if err := site.stack.buildSite(site.sid, site.dir, cmp.Or(b.props.BuildCommand, defaultBuild), site.env.build); err != nil {
			return err
		}
	}
	p, err := plan(site.dir)
	if err != nil && removing {
		// Removal destroys what the state holds: without a build output, a
		// stand-in server keeps the configuration valid.
		p, err = removalPlan(a.opts.ArtifactDir)
	}
	if err != nil {
		return err
	}
	if b.props.Warm > 0 && p.warmer == nil {
		return fmt.Errorf("the %s adapter ships no warmer function: leave Warm at 0", site.typ)
	}
	b.plan = p
	return nil
}

// abs resolves a path of the build output against the site's directory.
func (b *ssrBuild) abs(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(b.site.dir, filepath.FromSlash(rel))
}

// readAssets describes every file the deploy uploads, marking those that
// hold placeholders of deploy-time values.
func (b *ssrBuild) readAssets() error {
	var placeholders []string
	for k := range b.site.env.tokens {
		placeholders = append(placeholders, placeholder(k))
	}
	b.dirs = make([]assetDir, len(b.plan.assets))
	for i, ad := range b.plan.assets {
		ad.dir = b.abs(ad.dir)
		b.dirs[i] = ad
	}
	assets, err := collectAssets(b.site.stack, b.dirs, placeholders)
	if err != nil {
		return fmt.Errorf("reading the build output: %w", err)
	}
	b.props.Assets.apply(assets, b.plan.originPath)
	b.assets = assets
	return nil
}

// packFunctions zips each function of the plan (bundling the server entry
// where the adapter leaves it importing node_modules); the first failure
// stops it.
func (b *ssrBuild) packFunctions() error {
	p := b.plan
	var warmer *ssrFunction
	if b.props.Warm > 0 {
		warmer = p.warmer
	}
	for _, f := range []struct {
		name string
		fn   *ssrFunction
		zip  **build.Result
	}{
		{"server", &p.server, &b.zips.server},
		{"image", p.image, &b.zips.image},
		{"revalidation", p.revalidation, &b.zips.revalidation},
		{"warmer", warmer, &b.zips.warmer},
	} {
		if f.fn == nil {
			continue
		}
		res, err := b.pack(b.site.sid+"_"+f.name, *f.fn)
		if err != nil {
			return fmt.Errorf("packing the server output: %w", err)
		}
		*f.zip = res
	}
	return nil
}

func (b *ssrBuild) pack(name string, f ssrFunction) (*build.Result, error) {
	artifacts := b.site.stack.app.opts.ArtifactDir
	if f.bundle {
		return build.BundleServer(context.Background(), b.abs(f.dir), f.handler, artifacts, name, ssrRuntime)
	}
	return build.ZipDir(b.abs(f.dir), artifacts, name, f.handler, ssrRuntime)
}

// createBucket creates the assets bucket; the server function starts
// with the site's environment and the permissions the props grant.
func (b *ssrBuild) createBucket() {
	site := b.site
	b.bucket = newSiteBucket(site.stack, site.sid)
	b.bucket.claimNames(site.stack.app, site.sid)
	site.Cdk.Bucket = b.bucket
	b.serverEnv = map[string]string{}
	for _, m := range []map[string]string{site.env.literal, site.env.tokens} {
		for k, v := range m {
			b.serverEnv[k] = v
		}
	}
	b.serverPerms = append([]Permission{}, b.props.Permissions...)
}

// grantIncrementalCache lets the server keep Next.js's incremental cache
// in the bucket, under a prefix CloudFront does not serve.
func (b *ssrBuild) grantIncrementalCache() {
	prefix := b.plan.cachePrefix
	if prefix == "" {
		return
	}
	bucketArn := *b.bucket.bucket.Arn()
	b.serverEnv["CACHE_BUCKET_NAME"] = *b.bucket.bucket.Bucket()
	b.serverEnv["CACHE_BUCKET_KEY_PREFIX"] = prefix
	b.serverEnv["CACHE_BUCKET_REGION"] = b.site.stack.Region()
	b.serverPerms = append(b.serverPerms,
		Allow([]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, bucketArn+"/"+prefix+"/*"),
		Allow([]string{"s3:ListBucket"}, bucketArn))
}

// createRevalidationQueue is the FIFO queue through which the Next.js
// server asks for pages to be regenerated.
func (b *ssrBuild) createRevalidationQueue() {
	if b.plan.revalidation == nil {
		return
	}
	s, id := b.site.stack, b.site.sid
	q := sqsqueue.NewSqsQueue(s.tf, jsii.String(id+"_revalidation_queue"), &sqsqueue.SqsQueueConfig{
		Name:                      jsii.String(s.app.names.SQS(s.app.owner(id), id+"-revalidation", true)),
		FifoQueue:                 jsii.Bool(true),
		ContentBasedDeduplication: jsii.Bool(true),
		ReceiveWaitTimeSeconds:    jsii.Number(20),
		// Encrypted at rest like every queue the app creates.
		SqsManagedSseEnabled: jsii.Bool(true),
	})
	b.site.Cdk.RevalidationQueue = q
	b.serverEnv["REVALIDATION_QUEUE_URL"] = *q.Url()
	b.serverEnv["REVALIDATION_QUEUE_REGION"] = s.Region()
	b.serverPerms = append(b.serverPerms, Allow([]string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}, *q.Arn()))
}

// createTagCache is Next.js's tag cache: a DynamoDB table seeded with the
// tags the build found.
func (b *ssrBuild) createTagCache() error {
	if b.plan.cacheSeed == "" {
		return nil
	}
	s, id := b.site.stack, b.site.sid
	t := dynamodbtable.NewDynamodbTable(s.tf, jsii.String(id+"_revalidation_table"), &dynamodbtable.DynamodbTableConfig{
		Name:        jsii.String(s.app.names.DynamoDB(s.app.owner(id), id+"-revalidation")),
		BillingMode: jsii.String("PAY_PER_REQUEST"),
		HashKey:     jsii.String("tag"),
		RangeKey:    jsii.String("path"),
		Attribute: []*dynamodbtable.DynamodbTableAttribute{
			{Name: jsii.String("tag"), Type: jsii.String("S")},
			{Name: jsii.String("path"), Type: jsii.String("S")},
			{Name: jsii.String("revalidatedAt"), Type: jsii.String("N")},
		},
		GlobalSecondaryIndex: []*dynamodbtable.DynamodbTableGlobalSecondaryIndex{{
			Name: jsii.String("revalidate"), HashKey: jsii.String("path"), RangeKey: jsii.String("revalidatedAt"), ProjectionType: jsii.String("ALL"),
		}},
	})
	b.site.Cdk.RevalidationTable = t
	b.serverEnv["CACHE_DYNAMO_TABLE"] = *t.Name()
	b.serverPerms = append(b.serverPerms, Allow([]string{"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, *t.Arn(), *t.Arn()+"/index/*"))
	return seedTagCache(s, id, b.abs(b.plan.cacheSeed), t)
}

// function adds one of the site's prebuilt functions, "<id>_<name>",
// described as "<Type> <id> <role>".
func (b *ssrBuild) function(name, role string, zip *build.Result, props FunctionProps) *Function {
	site := b.site
	props.Description = site.typ + " " + site.sid + " " + role
	return newFunctionFrom(site.stack, site.sid, site.sid+"_"+name, props, zip)
}

// createServerFunction is the function rendering every page, behind a
// function URL CloudFront calls.
func (b *ssrBuild) createServerFunction() {
	site, props := b.site, b.props
	url := &FunctionURL{}
	if props.Regional.EnableServerURLIAMAuth {
		url.Authorizer = "iam"
	}
	server := b.function("server", "server", b.zips.server, FunctionProps{
		MemorySize:  props.MemorySize,
		Timeout:     props.Timeout,
		Environment: b.serverEnv,
		Bind:        props.Bind,
		Permissions: b.serverPerms,
		URL:         url,
	})
	if server.Cdk.URL != nil && b.plan.server.streaming {
		server.Cdk.URL.SetInvokeMode(jsii.String("RESPONSE_STREAM"))
	}
	site.Cdk.Server = server
}

// createImageFunction is Next.js's image optimizer, reading originals
// from the bucket.
func (b *ssrBuild) createImageFunction() {
	if b.zips.image == nil {
		return
	}
	site := b.site
	site.Cdk.Image = b.function("image", "image optimization", b.zips.image, FunctionProps{
		MemorySize:  1536,
		Timeout:     imageTimeout,
		Environment: map[string]string{"BUCKET_NAME": *b.bucket.bucket.Bucket(), "BUCKET_KEY_PREFIX": b.plan.originPath},
		Permissions: []Permission{Allow([]string{"s3:GetObject"}, *b.bucket.bucket.Arn()+"/*")},
		URL:         &FunctionURL{},
	})
}

// createRevalidationFunction consumes the revalidation queue.
func (b *ssrBuild) createRevalidationFunction() {
	q := b.site.Cdk.RevalidationQueue
	if b.zips.revalidation == nil || q == nil {
		return
	}
	s, id := b.site.stack, b.site.sid
	fn := b.function("revalidation", "revalidation", b.zips.revalidation, FunctionProps{
		Timeout:     30 * time.Second,
		Permissions: []Permission{Allow([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"}, *q.Arn())},
	})
	b.site.Cdk.Revalidation = fn
	if fn.Cdk.Function == nil {
		return
	}
	m := lambdaeventsourcemapping.NewLambdaEventSourceMapping(s.tf, jsii.String(id+"_revalidation_mapping"), &lambdaeventsourcemapping.LambdaEventSourceMappingConfig{
		EventSourceArn: q.Arn(),
		FunctionName:   fn.Cdk.Function.Arn(),
		BatchSize:      jsii.Number(5),
	})
	m.AddOverride(jsii.String("depends_on"), []string{"aws_iam_role_policy." + id + "_revalidation_policy"})
}

// createWarmer invokes the server every 5 minutes to keep Warm instances
// running.
func (b *ssrBuild) createWarmer() {
	server := b.site.Cdk.Server
	if b.zips.warmer == nil || server.Cdk.Function == nil {
		return
	}
	s, id := b.site.stack, b.site.sid
	w := b.function("warmer", "warmer", b.zips.warmer, FunctionProps{
		Timeout:     maxFunctionTimeout,
		MemorySize:  128,
		Environment: map[string]string{"FUNCTION_NAME": server.FunctionName(), "CONCURRENCY": fmt.Sprint(b.props.Warm)},
		Permissions: []Permission{server},
	})
	b.site.Cdk.Warmer = w
	if w.Cdk.Function == nil {
		return
	}
	rule := cloudwatcheventrule.NewCloudwatchEventRule(s.tf, jsii.String(id+"_warmer_schedule"), &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name:               jsii.String(s.app.names.Physical(naming.KindEventRule, s.app.owner(id), id+"-warmer", 64)),
		ScheduleExpression: jsii.String("rate(5 minutes)"),
	})
	cloudwatcheventtarget.NewCloudwatchEventTarget(s.tf, jsii.String(id+"_warmer_target"), &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule: rule.Name(),
		Arn:  w.Cdk.Function.Arn(),
	})
	lambdapermission.NewLambdaPermission(s.tf, jsii.String(id+"_warmer_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: w.Cdk.Function.FunctionName(),
		Principal:    jsii.String("events.amazonaws.com"),
		SourceArn:    rule.Arn(),
	})
}

// createDistribution puts CloudFront in front of the server, the image
// optimizer and the bucket: the server is the default, the adapter's
// patterns pick the others.
func (b *ssrBuild) createDistribution() {
	site, s := b.site, b.site.stack
	origins := []*cloudfrontdistribution.CloudfrontDistributionOrigin{
		b.bucket.s3Origin(b.plan.originPath),
		functionOrigin("server", site.Cdk.Server, b.props.Timeout),
	}
	if site.Cdk.Image != nil {
		origins = append(origins, functionOrigin("image", site.Cdk.Image, imageTimeout))
	}
	cachePolicy, viewerFn := b.serverCaching()
	cfg := &cloudfrontdistribution.CloudfrontDistributionConfig{
		Enabled:              jsii.Bool(true),
		IsIpv6Enabled:        jsii.Bool(true),
		Comment:              jsii.String(fmt.Sprintf("%s %s %s", s.app.cfg.Name, s.Stage(), site.sid)),
		HttpVersion:          jsii.String("http2and3"),
		Origin:               origins,
		DefaultCacheBehavior: asDefaultBehavior(toFunction("*", "server", cachePolicy, viewerFn), viewerFn),
		OrderedCacheBehavior: b.orderedBehaviors(cachePolicy, viewerFn),
		Restrictions: &cloudfrontdistribution.CloudfrontDistributionRestrictions{
			GeoRestriction: &cloudfrontdistribution.CloudfrontDistributionRestrictionsGeoRestriction{RestrictionType: jsii.String("none")},
		},
		ViewerCertificate: viewerCertificate(b.domain),
		WaitForDeployment: jsii.Bool(false),
	}
	b.signServerRequests(cfg)
	site.Cdk.Distribution, site.url, site.outputs = distribute(s, site.sid, cfg, b.props.Cdk.Distribution, b.bucket, site.env, b.domain)
	checkOriginIDs(s.app, b.where, cfg.Origin)
}

// toFunction routes pattern to a function origin: every method, the
// server cache policy, the viewer's headers but Host, which the
// viewer-request function copies into x-forwarded-host.
func toFunction(pattern, origin, cachePolicy, viewerFn string) *cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior {
	return &cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior{
		PathPattern:           jsii.String(pattern),
		TargetOriginId:        jsii.String(origin),
		ViewerProtocolPolicy:  jsii.String("redirect-to-https"),
		AllowedMethods:        jsii.Strings("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"),
		CachedMethods:         jsii.Strings("GET", "HEAD"),
		Compress:              jsii.Bool(true),
		CachePolicyId:         jsii.String(cachePolicy),
		OriginRequestPolicyId: jsii.String(allViewerExceptHostPolicy),
		FunctionAssociation: []*cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehaviorFunctionAssociation{{
			EventType: jsii.String("viewer-request"), FunctionArn: jsii.String(viewerFn),
		}},
	}
}

// asDefaultBehavior is b as the distribution's default behaviour (a type
// of its own in the provider, without a path pattern).
func asDefaultBehavior(b *cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior, viewerFn string) *cloudfrontdistribution.CloudfrontDistributionDefaultCacheBehavior {
	return &cloudfrontdistribution.CloudfrontDistributionDefaultCacheBehavior{
		TargetOriginId: b.TargetOriginId, ViewerProtocolPolicy: b.ViewerProtocolPolicy, AllowedMethods: b.AllowedMethods, CachedMethods: b.CachedMethods,
		Compress: b.Compress, CachePolicyId: b.CachePolicyId, OriginRequestPolicyId: b.OriginRequestPolicyId,
		FunctionAssociation: []*cloudfrontdistribution.CloudfrontDistributionDefaultCacheBehaviorFunctionAssociation{{
			EventType: jsii.String("viewer-request"), FunctionArn: jsii.String(viewerFn),
		}},
	}
}

// serverCaching is the cache policy and the viewer-request function of
// every behaviour to a function: created, unless Cdk names existing ones.
// The function copies Host into x-forwarded-host, as the origin request
// policy passes every viewer header but Host.
func (b *ssrBuild) serverCaching() (cachePolicy, viewerFn string) {
	site, s := b.site, b.site.stack
	cachePolicy = b.props.Cdk.ServerCachePolicyID
	if cachePolicy == "" {
		site.Cdk.CachePolicy = serverCachePolicy(s, site.sid)
		cachePolicy = *site.Cdk.CachePolicy.Id()
	}
	viewerFn = b.props.Cdk.ViewerRequestFunctionARN
	if viewerFn == "" {
		site.Cdk.ViewerRequest = cloudfrontfunction.NewCloudfrontFunction(s.tf, jsii.String(site.sid+"_viewer_request"), &cloudfrontfunction.CloudfrontFunctionConfig{
			Name:    jsii.String(s.app.names.Physical(naming.KindCloudFrontFunction, s.app.owner(site.sid), site.sid+"-host", 64)),
			Runtime: jsii.String("cloudfront-js-2.0"),
			Code:    jsii.String(forwardedHostCode),
			Publish: jsii.Bool(true),
			Comment: jsii.String("x-forwarded-host for " + site.sid),
		})
		viewerFn = *site.Cdk.ViewerRequest.Arn()
	}
	return cachePolicy, viewerFn
}

// orderedBehaviors route the image patterns to the optimizer, the
// server's own patterns (API routes) to it ahead of the bucket's, and the
// bucket's patterns (built assets, public files) to the bucket.
func (b *ssrBuild) orderedBehaviors(cachePolicy, viewerFn string) []*cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior {
	var out []*cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior
	if b.site.Cdk.Image != nil {
		for _, pat := range b.plan.imagePatterns {
			out = append(out, toFunction(pat, "image", cachePolicy, viewerFn))
		}
	}
	for _, pat := range b.plan.serverPatterns {
		out = append(out, toFunction(pat, "server", cachePolicy, viewerFn))
	}
	for _, pat := range s3Patterns(b.plan, b.dirs) {
		out = append(out, &cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior{
			PathPattern:          jsii.String(pat),
			TargetOriginId:       jsii.String("s3"),
			ViewerProtocolPolicy: jsii.String("redirect-to-https"),
			AllowedMethods:       jsii.Strings("GET", "HEAD", "OPTIONS"),
			CachedMethods:        jsii.Strings("GET", "HEAD"),
			Compress:             jsii.Bool(true),
			CachePolicyId:        jsii.String(cachingOptimizedPolicy),
		})
	}
	return out
}

// planUpload records what the deploy uploads after the apply; Next.js's
// cache prefix is written by the server at run time, never pruned.
func (b *ssrBuild) planUpload() {
	var keep []string
	if b.plan.cachePrefix != "" {
		keep = []string{b.plan.cachePrefix + "/"}
	}
	b.site.upload = siteUpload(b.assets, b.site.outputs, b.plan.originPath, keep, b.zips.server.Hash)
	b.site.upload.WaitForInvalidation = b.props.WaitForInvalidation
}

// s3Patterns are the adapter's bucket patterns plus one per top-level
// entry of the served assets (public files such as favicon.ico), which
// would otherwise reach the server.
func s3Patterns(p *ssrPlan, dirs []assetDir) []string {
	seen := map[string]bool{}
	var out []string
	add := func(pat string) {
		if !seen[pat] {
			seen[pat] = true
			out = append(out, pat)
		}
	}
	for _, pat := range p.s3Patterns {
		add(pat)
	}
	var extra []string
	for _, d := range dirs {
		if !d.served {
			continue
		}
		entries, _ := os.ReadDir(d.dir)
		for _, e := range entries {
			if e.IsDir() {
				extra = append(extra, e.Name()+"/*")
			} else {
				extra = append(extra, e.Name())
			}
		}
	}
	sort.Strings(extra)
	for _, pat := range extra {
		add(pat)
	}
	return out
}

// CloudFront's bounds on how long it waits for an origin to answer; the
// lower one is also its default.
const (
	minOriginTimeout = 30 * time.Second
	maxOriginTimeout = 60 * time.Second
	// imageTimeout is the Next.js image optimizer's.
	imageTimeout = 25 * time.Second
)

// functionOrigin is a function URL as a CloudFront origin.
func functionOrigin(id string, fn *Function, timeout time.Duration) *cloudfrontdistribution.CloudfrontDistributionOrigin {
	timeout = min(max(timeout, minOriginTimeout), maxOriginTimeout)
	host := cdktf.Fn_Element(cdktf.Fn_Split(jsii.String("/"), fn.Cdk.URL.FunctionUrl()), jsii.Number(2))
	return &cloudfrontdistribution.CloudfrontDistributionOrigin{
		OriginId:   jsii.String(id),
		DomainName: cdktf.Token_AsString(host, nil),
		CustomOriginConfig: &cloudfrontdistribution.CloudfrontDistributionOriginCustomOriginConfig{
			HttpPort:               jsii.Number(80),
			HttpsPort:              jsii.Number(443),
			OriginProtocolPolicy:   jsii.String("https-only"),
			OriginSslProtocols:     jsii.Strings("TLSv1.2"),
			OriginReadTimeout:      jsii.Number(seconds(timeout)),
			OriginKeepaliveTimeout: jsii.Number(5),
		},
	}
}

// serverCachePolicy caches server responses only as long as they say,
// keyed on what Next.js (and the others) vary on.
func serverCachePolicy(s *Stack, id string) cloudfrontcachepolicy.CloudfrontCachePolicy {
	return cloudfrontcachepolicy.NewCloudfrontCachePolicy(s.tf, jsii.String(id+"_server_cache"), &cloudfrontcachepolicy.CloudfrontCachePolicyConfig{
		Name:       jsii.String(s.app.names.Physical(naming.KindCloudFrontCachePolicy, s.app.owner(id), id+"-server", 128)),
		Comment:    jsii.String("server responses of " + id),
		MinTtl:     jsii.Number(0),
		DefaultTtl: jsii.Number(0),
		MaxTtl:     jsii.Number(31536000),
		ParametersInCacheKeyAndForwardedToOrigin: &cloudfrontcachepolicy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOrigin{
			EnableAcceptEncodingBrotli: jsii.Bool(true),
			EnableAcceptEncodingGzip:   jsii.Bool(true),
			CookiesConfig:              &cloudfrontcachepolicy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfig{CookieBehavior: jsii.String("none")},
			QueryStringsConfig:         &cloudfrontcachepolicy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfig{QueryStringBehavior: jsii.String("all")},
			HeadersConfig: &cloudfrontcachepolicy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfig{
				HeaderBehavior: jsii.String("whitelist"),
				Headers: &cloudfrontcachepolicy.CloudfrontCachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeaders{
					Items: jsii.Strings("accept", "rsc", "next-router-prefetch", "next-router-state-tree", "next-url", "x-prerender-revalidate"),
				},
			},
		},
	})
}

// seedTagCache writes the build's tag cache entries into the table, one
// item each (what OpenNext's initialization function would do at deploy,
// without invoking a Lambda during the apply).
func seedTagCache(s *Stack, id, file string, t dynamodbtable.DynamodbTable) error {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var items []map[string]any
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(items) == 0 {
		return nil
	}
	set := map[string]any{}
	for _, it := range items {
		js, _ := json.Marshal(it)
		sum := sha256.Sum256(js)
		set[hex.EncodeToString(sum[:8])] = map[string]string{"item": string(js)}
	}
	iter := cdktf.TerraformIterator_FromMap(set)
	dynamodbtableitem.NewDynamodbTableItem(s.tf, jsii.String(id+"_revalidation_seed"), &dynamodbtableitem.DynamodbTableItemConfig{
		ForEach:   iter,
		TableName: t.Name(),
		HashKey:   t.HashKey(),
		RangeKey:  t.RangeKey(),
		Item:      iter.GetString(jsii.String("item")),
	})
	return nil
}

// URL is the site's URL: its custom domain, else the CloudFront domain.
func (site *SsrSite) URL() string { return site.url }

// ID is the construct id.
func (site *SsrSite) ID() string { return site.sid }

// Binding gives functions the site's URL (SST_<Type>_url_<id>).
func (site *SsrSite) Binding() Binding {
	return Binding{Type: site.typ, ID: site.sid, Variables: map[string]string{"url": site.url}}
}

func (site *SsrSite) id() string { return site.sid }

func (site *SsrSite) functions() []*Function {
	var out []*Function
	for _, fn := range []*Function{site.Cdk.Server, site.Cdk.Image, site.Cdk.Revalidation, site.Cdk.Warmer} {
		if fn != nil && fn.Cdk.Function != nil {
			out = append(out, fn)
		}
	}
	return out
}

func (site *SsrSite) finalize() {
	p, err := writeSiteUpload(site.stack, site.sid, site.upload)
	if err != nil {
		site.stack.app.errorf("stack %s: %s %q: %v", site.stack.name, site.typ, site.sid, err)
	}
	site.idxPath = p
}

func (site *SsrSite) describe() manifest.Construct {
	return siteManifest(site.stack, site.sid, site.typ, site.dir, site.env, site.outputs, site.idxPath)
}
