package tests

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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

// TestTemplateStandard deploys the standard template unmodified — Api,
// Table, EventBus with a subscriber, handlers importing packages/core, and
// the Vite React app built by npm and served as a StaticSite wired to the
// Api — checks what the emulator holds, and removes it again. (minimal is
// deployed by TestLifecycle.)
func TestTemplateStandard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	root := t.TempDir()
	dir := filepath.Join(root, "std")
	mustSST(t, root, "init", "std", "--template", "standard")
	const stage = "tpl"
	mustSST(t, dir, "deploy", "--stage", stage)
	outs := readOutputs(t, dir, stage)
	apiURL := outs["API"]["ApiUrl"]
	if !strings.HasPrefix(apiURL, "http") {
		t.Errorf("ApiUrl = %q", apiURL)
	}
	dist := checkStandardSite(t, cfg, outs["Web"], apiURL)

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

	mustSST(t, dir, "remove", "--stage", stage, "--yes")
	left := append(inventory(t, "tpl-std-"), eventsInventory(t, cfg, "tpl-std-")...)
	left = append(left, siteInventory(t, cfg, "tpl-std-", dist)...)
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// checkStandardSite checks the standard template's Web stack: the Vite
// build's files in the site bucket with the headers a browser and
// CloudFront need, its bundle carrying the deployed Api URL, and the
// distribution in front of them. It returns the distribution's id.
func checkStandardSite(t *testing.T, cfg aws.Config, web map[string]string, apiURL string) string {
	t.Helper()
	dist := web["Web_distribution_id"]
	if dist == "" || web["Web_env_VITE_API_URL"] != apiURL || web["SiteUrl"] != web["Web_url"] || !strings.HasPrefix(web["Web_url"], "https://") {
		t.Fatalf("Web outputs = %v (ApiUrl %s)", web, apiURL)
	}
	const bucket = "tpl-std-web-assets"
	objs := siteObjects(t, s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), bucket)
	var script string
	for k, o := range objs {
		switch {
		case k == "index.html":
			if o.contentType != "text/html; charset=utf-8" || o.cacheControl != "public,max-age=0,no-cache,must-revalidate" {
				t.Errorf("index.html: Content-Type %q, Cache-Control %q", o.contentType, o.cacheControl)
			}
		case viteScript.MatchString(k):
			script = k
			if o.contentType != "text/javascript; charset=utf-8" || o.cacheControl != "public,max-age=31536000,immutable" {
				t.Errorf("%s: Content-Type %q, Cache-Control %q", k, o.contentType, o.cacheControl)
			}
		default:
			t.Errorf("unexpected object %s", k)
		}
	}
	if script == "" || len(objs) != 2 {
		t.Fatalf("objects = %v, want index.html and one script", keys(objs))
	}
	// The app's title comes from the template, the script from the build.
	if idx := objs["index.html"].body; !strings.Contains(idx, "<title>std</title>") || !strings.Contains(idx, "/"+script) {
		t.Errorf("index.html does not load %s:\n%s", script, idx)
	}
	// The build saw a placeholder for the Api URL; the deploy filled in
	// the real one.
	if b := objs[script].body; !strings.Contains(b, apiURL) || strings.Contains(b, "{{ VITE_API_URL }}") || !strings.Contains(b, "Write a note") {
		t.Errorf("%s does not carry the deployed Api URL %s", script, apiURL)
	}
	d, err := cloudfront.NewFromConfig(cfg).GetDistribution(context.Background(), &cloudfront.GetDistributionInput{Id: aws.String(dist)})
	if err != nil {
		t.Fatal(err)
	}
	dc := d.Distribution.DistributionConfig
	if aws.ToString(dc.DefaultRootObject) != "index.html" || len(dc.Origins.Items) != 1 || aws.ToString(dc.Origins.Items[0].DomainName) != bucket+".s3.us-east-1.amazonaws.com" {
		t.Errorf("distribution = root %q origins %+v", aws.ToString(dc.DefaultRootObject), dc.Origins.Items)
	}
	return dist
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
