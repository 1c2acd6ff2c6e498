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
