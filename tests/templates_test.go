package tests

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestTemplateStandard deploys the standard template — Api, Table,
// EventBus with a subscriber, handlers importing packages/core, and the
// Vite React app built by npm and served as a StaticSite, built with the
// URL of the Api in another stack — and checks what the emulator holds;
// then follows one edit of the page through `sst diff`, a redeploy and a
// no-op deploy, and removes it all. The site's checks need a few things
// the template's app has no use for (addSiteFixtures); the rest is
// deployed as `sst init` writes it. (minimal is deployed by TestLifecycle.)
func TestTemplateStandard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	cf := cloudfront.NewFromConfig(cfg)
	root := t.TempDir()
	dir := filepath.Join(root, "std")
	mustSST(t, root, "init", "std", "--template", "standard")
	addSiteFixtures(t, dir)
	const stage = "tpl"
	start := time.Now()
	phase := func(what string) { t.Logf("%s: %s", what, time.Since(start).Round(time.Second)); start = time.Now() }

	// First deploy: the three stacks, the backend and the site read back.
	r := mustSST(t, dir, "deploy", "--stage", stage)
	phase("first deploy")
	outs := readOutputs(t, dir, stage)
	apiURL := outs["API"]["ApiUrl"]
	if !strings.HasPrefix(apiURL, "http") {
		t.Fatalf("ApiUrl = %q", apiURL)
	}
	checkStandardBackend(t, cfg)
	site := checkStandardSite(t, cfg, r.stdout, outs["Web"], apiURL)

	// `sst env` runs a frontend's dev command with the deployed values:
	// the Api URL from the outputs and the stage, a literal.
	r = mustSST(t, dir, "env", "--stage", stage, "--", "node", "-e", "console.log('api=' + process.env.VITE_API_URL + ' stage=' + process.env.VITE_STAGE)")
	if want := "api=" + apiURL + " stage=" + stage; !strings.Contains(r.stdout, want) {
		t.Errorf("sst env printed %q, want %q", r.stdout, want)
	}

	// A changed page: a new bundle, the old one deleted, and only the
	// changed paths invalidated (the stylesheet and icon are untouched).
	editFile(t, filepath.Join(dir, "packages", "web", "src", "App.jsx"), "Write a note", "Write another note")
	// `sst diff` shows the upload the deploy will do: the new bundle and
	// index.html in, the old bundle out.
	if r := mustSST(t, dir, "diff", "--stage", stage); !strings.Contains(r.stdout, "StaticSite Web: 2 file(s) to upload, 1 to delete, 2 unchanged") || !strings.Contains(r.stdout, "- "+site.script) {
		t.Errorf("sst diff after an edit:\n%s", r)
	}
	mustSST(t, dir, "deploy", "--stage", stage)
	phase("deploy of a change")
	after := siteObjects(t, s3c, standardBucket)
	var next string
	for k := range after {
		if viteScript.MatchString(k) {
			next = k
		}
	}
	if next == "" || next == site.script || len(after) != 4 {
		t.Fatalf("objects after the change = %v (old script %s)", keys(after), site.script)
	}
	if !strings.Contains(after[next].body, "Write another note") || !strings.Contains(after[next].body, apiURL) {
		t.Errorf("%s does not hold the change and the Api URL", next)
	}
	invs := invalidationPaths(t, cf, site.dist)
	want := []string{"/", "/" + next, "/" + site.script, "/index.html"}
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
	if got := invalidationPaths(t, cf, site.dist); len(got) != 2 {
		t.Errorf("a no-op deploy invalidated: %v", got)
	}

	// Remove: nothing left in the account; the build output stays, the
	// upload record goes with the stage.
	mustSST(t, dir, "remove", "--stage", stage, "--yes")
	phase("remove")
	left := append(inventory(t, "tpl-std-"), eventsInventory(t, cfg, "tpl-std-")...)
	left = append(left, siteInventory(t, cfg, "tpl-std-", site.dist)...)
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(standardBucket)}); err == nil {
		t.Errorf("bucket %s is still there after remove", standardBucket)
	}
	if _, err := os.Stat(filepath.Join(dir, "packages", "web", "dist", "index.html")); err != nil {
		t.Errorf("the build output is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".sst", "sites", stage, "Web.json")); !os.IsNotExist(err) {
		t.Errorf("the upload record outlived the stage: %v", err)
	}
}

// addSiteFixtures adds to the scaffolded standard app what the site's
// checks need and the template's app has no use for: a second environment
// variable whose value is a literal known at synth (the stage, shown on
// the page so that Vite inlines it), SPA error responses, a deploy that
// waits for CloudFront's invalidation (the emulator completes it at once),
// and a stylesheet and an icon (the Vite fixture's), so that the upload
// holds each kind of file a Vite build writes.
func addSiteFixtures(t *testing.T, dir string) {
	t.Helper()
	web := filepath.Join(dir, "packages", "web")
	editFile(t, filepath.Join(dir, "stacks", "web.go"), `map[string]any{"VITE_API_URL": api.URL()},`,
		`map[string]any{"VITE_API_URL": api.URL(), "VITE_STAGE": s.Stage()},
		SPA:                 true,
		WaitForInvalidation: true,`)
	editFile(t, filepath.Join(web, "src", "App.jsx"), "<h1>Notes</h1>", `<h1>Notes</h1>
      <p id="stage">Stage: {import.meta.env.VITE_STAGE}</p>`)
	editFile(t, filepath.Join(web, "src", "main.jsx"), `import App from "./App.jsx";`, `import App from "./App.jsx";
import "./style.css";`)
	fixture := filepath.Join(repo, "tests", "testdata", "sites", "vite")
	for _, f := range []string{"src/style.css", "public/favicon.svg"} {
		b, err := os.ReadFile(filepath.Join(fixture, f))
		if err == nil {
			err = os.MkdirAll(filepath.Dir(filepath.Join(web, f)), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(web, f), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkStandardBackend checks the standard template's Api and EventBus:
// the create function's bound environment, the routes, the subscriber's
// rule and target, and the scoped permission to publish.
func checkStandardBackend(t *testing.T, cfg aws.Config) {
	t.Helper()
	ctx := context.Background()
	lam := lambda.NewFromConfig(cfg)
	create, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("tpl-std-Api_POST_notes")})
	if err != nil {
		t.Fatal(err)
	}
	env := create.Configuration.Environment.Variables
	if env["SST_Table_tableName_Notes"] != "tpl-std-Notes" || env["SST_EventBus_eventBusName_Bus"] != "tpl-std-Bus" {
		t.Errorf("create's bound environment = %v", env)
	}
	if got := apiRoutes(t, apigatewayv2.NewFromConfig(cfg), "tpl-std-Api"); strings.Join(got, ",") != "GET /notes,POST /notes" {
		t.Errorf("routes = %v", got)
	}
	// The subscriber: a rule on the app's bus matching note.created, whose
	// target is the subscriber function.
	eb := eventbridge.NewFromConfig(cfg)
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("tpl-std-Bus")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.Rules) != 1 || !strings.Contains(aws.ToString(rules.Rules[0].EventPattern), `"note.created"`) {
		t.Fatalf("rules on the bus = %+v", rules.Rules)
	}
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rules.Rules[0].Name, EventBusName: aws.String("tpl-std-Bus")})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets.Targets) != 1 || !strings.HasSuffix(aws.ToString(targets.Targets[0].Arn), ":function:tpl-std-Bus_note_created_1_function") {
		t.Errorf("targets = %+v", targets.Targets)
	}
	// Publishing is allowed on this bus only.
	if doc := rolePolicy(t, "tpl-std-Api_POST_notes"); !strings.Contains(doc, "events:PutEvents") || !strings.Contains(doc, ":event-bus/tpl-std-Bus") {
		t.Errorf("create's policy does not grant PutEvents on the bus:\n%s", doc)
	}
}

// standardBucket holds the standard template's site at stage tpl.
const standardBucket = "tpl-std-web-assets"

// standardSite is what the later phases need from the first deploy's site.
type standardSite struct{ dist, script string }

// checkStandardSite checks the standard template's Web stack after its
// first deploy (whose output is deployOut): the deploy waited for the
// invalidation; the Vite build's files are in the site bucket with the
// headers a browser and CloudFront need, the bundle carrying the deployed
// Api URL and the stage; the distribution in front of them; and one
// invalidation of every uploaded path.
func checkStandardSite(t *testing.T, cfg aws.Config, deployOut string, web map[string]string, apiURL string) standardSite {
	t.Helper()
	// WaitForInvalidation: the deploy said when CloudFront was done.
	if !regexp.MustCompile(`StaticSite Web: invalidation \S+ completed in `).MatchString(deployOut) {
		t.Errorf("the deploy did not wait for the invalidation:\n%s", deployOut)
	}
	dist := web["Web_distribution_id"]
	if dist == "" || web["Web_env_VITE_API_URL"] != apiURL || web["SiteUrl"] != web["Web_url"] || !strings.HasPrefix(web["Web_url"], "https://") {
		t.Fatalf("Web outputs = %v (ApiUrl %s)", web, apiURL)
	}
	objs := siteObjects(t, s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), standardBucket)
	var script, css string
	for k := range objs {
		switch {
		case viteScript.MatchString(k):
			script = k
		case strings.HasPrefix(k, "assets/index-") && strings.HasSuffix(k, ".css"):
			css = k
		}
	}
	if script == "" || css == "" || len(objs) != 4 {
		t.Fatalf("objects = %v, want index.html, favicon.svg, one script and one stylesheet", keys(objs))
	}
	// Content types and cache headers as a browser and CloudFront need them.
	for k, o := range objs {
		var wantType, wantCache string
		switch k {
		case "index.html":
			wantType, wantCache = "text/html; charset=utf-8", "public,max-age=0,no-cache,must-revalidate"
		case "favicon.svg":
			wantType, wantCache = "image/svg+xml", "public,max-age=0,must-revalidate"
		case script:
			wantType, wantCache = "text/javascript; charset=utf-8", "public,max-age=31536000,immutable"
		case css:
			wantType, wantCache = "text/css; charset=utf-8", "public,max-age=31536000,immutable"
		default:
			t.Errorf("unexpected object %s", k)
			continue
		}
		if o.contentType != wantType || o.cacheControl != wantCache {
			t.Errorf("%s: Content-Type %q, Cache-Control %q; want %q, %q", k, o.contentType, o.cacheControl, wantType, wantCache)
		}
	}
	// The app's title comes from the template, the script from the build.
	if idx := objs["index.html"].body; !strings.Contains(idx, "<title>std</title>") || !strings.Contains(idx, "/"+script) {
		t.Errorf("index.html does not load %s:\n%s", script, idx)
	}
	// The build saw a placeholder for the Api URL, which the deploy
	// filled in, and the stage as it is.
	if b := objs[script].body; !strings.Contains(b, apiURL) || strings.Contains(b, "{{ VITE_API_URL }}") || !strings.Contains(b, `"tpl"`) || !strings.Contains(b, "Write a note") {
		t.Errorf("%s does not carry the deployed values (api %s)", script, apiURL)
	}

	cf := cloudfront.NewFromConfig(cfg)
	d, err := cf.GetDistribution(context.Background(), &cloudfront.GetDistributionInput{Id: aws.String(dist)})
	if err != nil {
		t.Fatal(err)
	}
	dc := d.Distribution.DistributionConfig
	if aws.ToString(dc.DefaultRootObject) != "index.html" || len(dc.Origins.Items) != 1 ||
		aws.ToString(dc.Origins.Items[0].DomainName) != standardBucket+".s3.us-east-1.amazonaws.com" ||
		aws.ToString(dc.DefaultCacheBehavior.CachePolicyId) != "658327ea-f89d-4fab-a63d-7e88639e58f6" {
		t.Errorf("distribution = root %q origins %+v cache policy %q", aws.ToString(dc.DefaultRootObject), dc.Origins.Items, aws.ToString(dc.DefaultCacheBehavior.CachePolicyId))
	}
	if n := aws.ToInt32(dc.CustomErrorResponses.Quantity); n != 2 || aws.ToString(dc.CustomErrorResponses.Items[0].ResponsePagePath) != "/index.html" {
		t.Errorf("SPA error responses = %+v", dc.CustomErrorResponses)
	}
	// First deploy: every uploaded file's path.
	first := []string{"/", "/" + css, "/" + script, "/favicon.svg", "/index.html"}
	slices.Sort(first)
	if got := invalidationPaths(t, cf, dist); len(got) != 1 || !slices.Equal(got[0], first) {
		t.Errorf("invalidations after the first deploy = %v, want %v", got, first)
	}
	return standardSite{dist: dist, script: script}
}

// siteInventory lists what a removed site could leave: buckets (and
// queues, topics) whose names start with prefix, and the distribution dist.
func siteInventory(t *testing.T, cfg aws.Config, prefix, dist string) []string {
	t.Helper()
	left := messagingInventoryAt(t, cfg, prefix)
	if _, err := cloudfront.NewFromConfig(cfg).GetDistribution(context.Background(), &cloudfront.GetDistributionInput{Id: aws.String(dist)}); err == nil {
		left = append(left, "distribution "+dist)
	}
	return left
}

// TestTemplatePythonHandlers runs the python template's handlers the way
// Lambda imports them (the zip root, functions/, on the path; module
// notes.handler) against a DynamoDB table on the emulator: moto cannot
// run Lambda code itself.
func TestTemplatePythonHandlers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	mustSST(t, root, "init", "py", "--template", "python", "--no-install")
	const table = "pyrun-py-Notes"
	ddb := dynamodb.NewFromConfig(awsConfig())
	_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("noteId"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("noteId"), KeyType: ddbtypes.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ddb.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})

	call := func(fn, event string, bound bool) map[string]any {
		t.Helper()
		script := "import json, sys\nfrom notes import handler\nprint(json.dumps(handler." + fn + "(json.loads(sys.argv[1]), None)))\n"
		cmd := exec.Command("python3", "-c", script, event)
		cmd.Dir = filepath.Join(root, "py", "functions")
		env := map[string]string{"AWS_ENDPOINT_URL": moto.URL(), "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "PYTHONDONTWRITEBYTECODE": "1"}
		if bound {
			env["SST_Table_tableName_Notes"] = table
		}
		cmd.Env = testenv.Environ(env)
		out, err := cmd.CombinedOutput()
		if err != nil {
			if !bound {
				return map[string]any{"error": string(out)}
			}
			t.Fatalf("python3 %s: %v\n%s (the template's handlers need python3 with boto3, which moto brings)", fn, err, out)
		}
		var res map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s returned %s", fn, out)
		}
		return res
	}
	created := call("create_note", `{"body": "{\"content\": \"hello\"}"}`, true)
	if created["statusCode"] != float64(201) || !strings.Contains(created["body"].(string), `"content": "hello"`) {
		t.Errorf("create_note = %v", created)
	}
	if bad := call("create_note", `{"body": "{}"}`, true); bad["statusCode"] != float64(400) {
		t.Errorf("create_note without content = %v", bad)
	}
	listed := call("list_notes", `{}`, true)
	if listed["statusCode"] != float64(200) || !strings.Contains(listed["body"].(string), `"content": "hello"`) {
		t.Errorf("list_notes = %v", listed)
	}
	if unbound := call("list_notes", `{}`, false); !strings.Contains(unbound["error"].(string), "the Notes table is not bound to this function: add it to Bind") {
		t.Errorf("unbound list_notes = %v", unbound)
	}
}
