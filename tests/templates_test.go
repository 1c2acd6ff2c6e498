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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestTemplateStandard deploys the standard template unmodified — Api,
// Table, EventBus with a subscriber, handlers importing packages/core —
// checks what the emulator holds, and removes it again. (minimal is
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
	if url := readOutputs(t, dir, stage)["API"]["ApiUrl"]; !strings.HasPrefix(url, "http") {
		t.Errorf("ApiUrl = %q", url)
	}

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
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
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
