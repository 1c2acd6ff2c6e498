package tests

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// npmInstall installs fixtures' dependencies from the registry through
// npm's shared cache (quick once the cache is warm): exactly the locked
// versions when a fixture has a package-lock.json. Several directories
// install at once (npm's cache is safe for concurrent use), and every
// failure is reported.
func npmInstall(t *testing.T, dirs ...string) {
	t.Helper()
	errs := make([]error, len(dirs))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Go(func() { errs[i] = npmInstallDir(dir) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// siteObjects reads every object of a bucket with its headers.
type siteObject struct{ contentType, cacheControl, body string }

func siteObjects(t *testing.T, s3c *s3.Client, bucket string) map[string]siteObject {
	t.Helper()
	ctx := context.Background()
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]siteObject{}
	for _, o := range list.Contents {
		got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		out[aws.ToString(o.Key)] = siteObject{aws.ToString(got.ContentType), aws.ToString(got.CacheControl), string(b)}
	}
	return out
}

func invalidationPaths(t *testing.T, cf *cloudfront.Client, dist string) [][]string {
	t.Helper()
	ctx := context.Background()
	list, err := cf.ListInvalidations(ctx, &cloudfront.ListInvalidationsInput{DistributionId: aws.String(dist)})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, inv := range list.InvalidationList.Items {
		got, err := cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(dist), Id: inv.Id})
		if err != nil {
			t.Fatal(err)
		}
		p := slices.Clone(got.Invalidation.InvalidationBatch.Paths.Items)
		slices.Sort(p)
		out = append(out, p)
	}
	return out
}

var viteScript = regexp.MustCompile(`^assets/index-[A-Za-z0-9_-]+\.js$`)

// TestStaticSiteVite builds a real Vite + React app with npm, whose build
// needs the URL of an Api deployed by another stack, deploys it to moto,
// and reads the objects back; then changes one source file and checks
// that only the changed paths are invalidated and the old bundle is gone.
func TestStaticSiteVite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	cf := cloudfront.NewFromConfig(cfg)

	const stage = "vite"
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "sites", "static"))
	npmInstall(t, filepath.Join(dir, "web"))
	start := time.Now()
	phase := func(what string) { t.Logf("%s: %s", what, time.Since(start).Round(time.Second)); start = time.Now() }
	r := mustSST(t, dir, "deploy", "--stage", stage)
	phase("first deploy")
	// WaitForInvalidation: the deploy said when CloudFront was done.
	if !regexp.MustCompile(`StaticSite Site: invalidation \S+ completed in `).MatchString(r.stdout) {
		t.Errorf("the deploy did not wait for the invalidation:\n%s", r)
	}
	outs := readOutputs(t, dir, stage)
	apiURL, web := outs["API"]["ApiUrl"], outs["Web"]
	dist := web["Site_distribution_id"]
	if apiURL == "" || dist == "" || web["Site_env_VITE_API_URL"] != apiURL || web["SiteUrl"] != web["Site_url"] || !strings.HasPrefix(web["Site_url"], "https://") {
		t.Fatalf("outputs = %v", outs)
	}

	const bucket = "vite-sites-site-assets"
	objs := siteObjects(t, s3c, bucket)
	var script string
	for k := range objs {
		if viteScript.MatchString(k) {
			script = k
		}
	}
	if script == "" || len(objs) != 4 {
		t.Fatalf("objects = %v, want index.html, favicon.svg, one script and one stylesheet", keys(objs))
	}
	// Content types and cache headers as a browser and CloudFront need them.
	for k, o := range objs {
		var wantType, wantCache string
		switch {
		case k == "index.html":
			wantType, wantCache = "text/html; charset=utf-8", "public,max-age=0,no-cache,must-revalidate"
		case k == "favicon.svg":
			wantType, wantCache = "image/svg+xml", "public,max-age=0,must-revalidate"
		case k == script:
			wantType, wantCache = "text/javascript; charset=utf-8", "public,max-age=31536000,immutable"
		case strings.HasPrefix(k, "assets/index-") && strings.HasSuffix(k, ".css"):
			wantType, wantCache = "text/css; charset=utf-8", "public,max-age=31536000,immutable"
		default:
			t.Errorf("unexpected object %s", k)
			continue
		}
		if o.contentType != wantType || o.cacheControl != wantCache {
			t.Errorf("%s: Content-Type %q, Cache-Control %q; want %q, %q", k, o.contentType, o.cacheControl, wantType, wantCache)
		}
	}
	// The bundle holds the deployed Api's URL, filled in by the deploy
	// where the build saw a placeholder, and the literal stage.
	if b := objs[script].body; !strings.Contains(b, apiURL) || strings.Contains(b, "{{ VITE_API_URL }}") || !strings.Contains(b, `"vite"`) {
		t.Errorf("%s does not carry the deployed values (api %s)", script, apiURL)
	}
	if !strings.Contains(objs["index.html"].body, "/"+script) {
		t.Errorf("index.html does not load %s", script)
	}

	d, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(dist)})
	if err != nil {
		t.Fatal(err)
	}
	dc := d.Distribution.DistributionConfig
	if aws.ToString(dc.DefaultRootObject) != "index.html" || len(dc.Origins.Items) != 1 ||
		aws.ToString(dc.Origins.Items[0].DomainName) != bucket+".s3.us-east-1.amazonaws.com" ||
		aws.ToString(dc.DefaultCacheBehavior.CachePolicyId) != "658327ea-f89d-4fab-a63d-7e88639e58f6" {
		t.Errorf("distribution = root %q origins %+v cache policy %q", aws.ToString(dc.DefaultRootObject), dc.Origins.Items, aws.ToString(dc.DefaultCacheBehavior.CachePolicyId))
	}
	if n := aws.ToInt32(dc.CustomErrorResponses.Quantity); n != 2 || aws.ToString(dc.CustomErrorResponses.Items[0].ResponsePagePath) != "/index.html" {
		t.Errorf("SPA error responses = %+v", dc.CustomErrorResponses)
	}
	// First deploy: every uploaded file's path.
	var css string
	for k := range objs {
		if strings.HasSuffix(k, ".css") {
			css = k
		}
	}
	first := []string{"/", "/" + css, "/" + script, "/favicon.svg", "/index.html"}
	slices.Sort(first)
	if got := invalidationPaths(t, cf, dist); len(got) != 1 || !slices.Equal(got[0], first) {
		t.Errorf("invalidations after the first deploy = %v, want %v", got, first)
	}

	// `sst env` runs a frontend's dev command with the deployed values.
	r = mustSST(t, dir, "env", "--stage", stage, "--", "node", "-e", "console.log('api=' + process.env.VITE_API_URL + ' stage=' + process.env.VITE_STAGE)")
	if want := "api=" + apiURL + " stage=vite"; !strings.Contains(r.stdout, want) {
		t.Errorf("sst env printed %q, want %q", r.stdout, want)
	}

	// A changed page: a new bundle, the old one deleted, and only the
	// changed paths invalidated (the stylesheet and icon are untouched).
	editFile(t, filepath.Join(dir, "web", "src", "main.jsx"), "Hello from sst", "Hello again from sst")
	// `sst diff` shows the upload the deploy will do: the new bundle and
	// index.html in, the old bundle out.
	if r := mustSST(t, dir, "diff", "--stage", stage); !strings.Contains(r.stdout, "StaticSite Site: 2 file(s) to upload, 1 to delete, 2 unchanged") || !strings.Contains(r.stdout, "- "+script) {
		t.Errorf("sst diff after an edit:\n%s", r)
	}
	mustSST(t, dir, "deploy", "--stage", stage)
	phase("deploy of a change")
	after := siteObjects(t, s3c, bucket)
	var next string
	for k := range after {
		if viteScript.MatchString(k) {
			next = k
		}
	}
	if next == "" || next == script || len(after) != 4 {
		t.Fatalf("objects after the change = %v (old script %s)", keys(after), script)
	}
	if !strings.Contains(after[next].body, "Hello again from sst") || !strings.Contains(after[next].body, apiURL) {
		t.Errorf("%s does not hold the change and the Api URL", next)
	}
	invs := invalidationPaths(t, cf, dist)
	want := []string{"/", "/" + next, "/" + script, "/index.html"}
	slices.Sort(want)
	if len(invs) != 2 || !slices.ContainsFunc(invs, func(p []string) bool { return slices.Equal(p, want) }) {
		t.Errorf("invalidations = %v, want a second one of exactly %v", invs, want)
	}

	// Unchanged: skipped, nothing invalidated.
	r = mustSST(t, dir, "deploy", "--stage", stage)
	phase("no-op deploy")
	if !strings.Contains(r.stdout, "Stack Web: unchanged, skipped") {
		t.Errorf("no-op redeploy:\n%s", r)
	}
	if got := invalidationPaths(t, cf, dist); len(got) != 2 {
		t.Errorf("a no-op deploy invalidated: %v", got)
	}

	mustSST(t, dir, "remove", "--stage", stage, "--yes")
	phase("remove")
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
		t.Errorf("bucket %s is still there after remove", bucket)
	}
	if _, err := os.Stat(filepath.Join(dir, "web", "dist", "index.html")); err != nil {
		t.Errorf("the build output is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".sst", "sites", stage, "Site.json")); !os.IsNotExist(err) {
		t.Errorf("the upload record outlived the stage: %v", err)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkNextjs reads back what TestSsrAdapterSites deployed for its Next.js
// app, built with OpenNext: the four functions, the revalidation queue,
// mapping and seeded tag table, the warmer schedule, the assets with their
// headers, and the distribution's behaviours. prefix is "<stage>-<app>-";
// out is the stack's outputs.
func checkNextjs(t *testing.T, dir, stage, prefix string, out map[string]string) {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	cf, lam, ddb, sqsc, ev := cloudfront.NewFromConfig(cfg), lambda.NewFromConfig(cfg), dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg)
	dist := out["Next_distribution_id"]
	if dist == "" || out["SiteUrl"] != out["Next_url"] {
		t.Fatalf("outputs = %v", out)
	}

	fn := func(id string) *lambda.GetFunctionOutput {
		t.Helper()
		got, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + id)})
		if err != nil {
			t.Fatalf("function %s: %v", id, err)
		}
		return got
	}
	server := fn("Next_server")
	env := server.Configuration.Environment.Variables
	for k, want := range map[string]string{
		"CACHE_BUCKET_NAME": prefix + "next-assets", "CACHE_BUCKET_KEY_PREFIX": "_cache", "CACHE_DYNAMO_TABLE": prefix + "Next-revalidation",
		"SITE_STAGE": stage, "VISITS_TABLE": prefix + "Visits", "SST_Table_tableName_Visits": prefix + "Visits",
	} {
		if env[k] != want {
			t.Errorf("server env %s = %q, want %q", k, env[k], want)
		}
	}
	if !strings.HasSuffix(env["REVALIDATION_QUEUE_URL"], "/"+prefix+"Next-revalidation.fifo") {
		t.Errorf("REVALIDATION_QUEUE_URL = %q", env["REVALIDATION_QUEUE_URL"])
	}
	if aws.ToString(server.Configuration.Handler) != "index.handler" || string(server.Configuration.Runtime) != "nodejs20.x" {
		t.Errorf("server = %s %s", aws.ToString(server.Configuration.Handler), server.Configuration.Runtime)
	}
	if server.Configuration.CodeSize < 1<<20 {
		t.Errorf("server bundle is %d bytes: not OpenNext's server", server.Configuration.CodeSize)
	}
	if u, err := lam.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(prefix + "Next_server")}); err != nil || u.AuthType != "NONE" {
		t.Errorf("server URL = %+v, %v", u, err)
	}
	if img := fn("Next_image"); img.Configuration.Environment.Variables["BUCKET_KEY_PREFIX"] != "_assets" {
		t.Errorf("image env = %v", img.Configuration.Environment.Variables)
	}
	if w := fn("Next_warmer"); w.Configuration.Environment.Variables["FUNCTION_NAME"] != prefix+"Next_server" || w.Configuration.Environment.Variables["CONCURRENCY"] != "2" {
		t.Errorf("warmer env = %v", w.Configuration.Environment.Variables)
	}
	fn("Next_revalidation")
	// (moto filters mappings by function ARN only, so list them all.)
	esm, err := lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, m := range esm.EventSourceMappings {
		if strings.HasSuffix(aws.ToString(m.FunctionArn), ":"+prefix+"Next_revalidation") {
			sources = append(sources, aws.ToString(m.EventSourceArn))
		}
	}
	if len(sources) != 1 || !strings.HasSuffix(sources[0], ":"+prefix+"Next-revalidation.fifo") {
		t.Errorf("revalidation mappings read from %v", sources)
	}
	qa, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(env["REVALIDATION_QUEUE_URL"]), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || qa.Attributes["FifoQueue"] != "true" {
		t.Errorf("revalidation queue = %v, %v", qa, err)
	}
	// The tag table holds what the build's dynamodb-cache.json lists.
	var seed []map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "next", ".open-next", "dynamodb-provider", "dynamodb-cache.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	scan, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(prefix + "Next-revalidation")})
	if err != nil || int(scan.Count) != len(seed) || len(seed) == 0 {
		t.Errorf("tag table has %v items, the build lists %d (%v)", scan, len(seed), err)
	}
	rule, err := ev.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(prefix + "Next-warmer")})
	if err != nil || aws.ToString(rule.ScheduleExpression) != "rate(5 minutes)" {
		t.Errorf("warmer rule = %+v, %v", rule, err)
	}

	objs := siteObjects(t, s3c, prefix+"next-assets")
	var static, cache int
	for k, o := range objs {
		switch {
		case strings.HasPrefix(k, "_assets/_next/static/"):
			static++
			if o.cacheControl != "public,max-age=31536000,immutable" {
				t.Errorf("%s: Cache-Control %q", k, o.cacheControl)
			}
			if strings.HasSuffix(k, ".js") && o.contentType != "text/javascript; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", k, o.contentType)
			}
		case strings.HasPrefix(k, "_cache/"):
			cache++
		}
	}
	if static == 0 || cache == 0 || objs["_assets/BUILD_ID"].cacheControl != "public,max-age=0,must-revalidate" || objs["_assets/favicon.svg"].contentType != "image/svg+xml" {
		t.Errorf("objects: %d static, %d cache; keys %v", static, cache, keys(objs))
	}

	d, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(dist)})
	if err != nil {
		t.Fatal(err)
	}
	dc := d.Distribution.DistributionConfig
	got := map[string]string{"*": aws.ToString(dc.DefaultCacheBehavior.TargetOriginId)}
	for _, cb := range dc.CacheBehaviors.Items {
		got[aws.ToString(cb.PathPattern)] = aws.ToString(cb.TargetOriginId)
	}
	want := map[string]string{"*": "server", "_next/image*": "image", "_next/data/*": "server", "api/*": "server", "BUILD_ID": "s3", "_next/*": "s3", "favicon.svg": "s3"}
	if !maps.Equal(got, want) {
		t.Errorf("behaviours = %v, want %v", got, want)
	}
	origins := map[string]string{}
	for _, o := range dc.Origins.Items {
		origins[aws.ToString(o.Id)] = aws.ToString(o.DomainName)
	}
	srvURL, _ := lam.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(prefix + "Next_server")})
	if host := strings.Split(aws.ToString(srvURL.FunctionUrl), "/")[2]; origins["server"] != host || origins["s3"] != prefix+"next-assets.s3.us-east-1.amazonaws.com" {
		t.Errorf("origins = %v (server URL host %s)", origins, host)
	}
}
