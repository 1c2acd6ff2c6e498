package tests

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// TestLifecycle walks a new project through its life: init, deploy, a
// no-op redeploy, adding a route, a second stage beside the first, and
// removal — checking the emulator's real state at every step.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	lam, apis, ddb, roles := lambda.NewFromConfig(cfg), apigatewayv2.NewFromConfig(cfg), dynamodb.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	params := ssm.NewFromConfig(cfg)
	// Where SST v2 wrote each binding value, for scripts and other apps.
	const tableParam = "/sst/life/e2e/Table/Notes/tableName"

	root := t.TempDir()
	dir := filepath.Join(root, "life")
	mustSST(t, root, "init", "life", "--template", "minimal")
	for _, f := range []string{"cdktf.json", "main.go", "go.mod", "go.sum", "functions/notes/main.go"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("sst init did not write %s: %v", f, err)
		}
	}

	const stage = "e2e"
	fnName := stage + "-life-Api_GET_notes"
	tableName := stage + "-life-Notes"

	out := mustSST(t, dir, "deploy", "--stage", stage)
	outputs := readOutputs(t, dir, stage)
	if url := outputs["API"]["ApiUrl"]; !strings.HasPrefix(url, "http") {
		t.Errorf("ApiUrl output = %q, want a URL; deploy said:\n%s", url, out.stdout)
	}

	// What was created, read back from the emulator.
	fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)})
	if err != nil {
		t.Fatalf("function %s: %v", fnName, err)
	}
	c := fn.Configuration
	if got := string(c.Runtime); got != "provided.al2023" {
		t.Errorf("runtime = %s", got)
	}
	if len(c.Architectures) != 1 || string(c.Architectures[0]) != "arm64" {
		t.Errorf("architectures = %v", c.Architectures)
	}
	env := c.Environment.Variables
	if env["SST_Table_tableName_Notes"] != tableName || env["SST_APP"] != "life" || env["SST_STAGE"] != stage || env["SST_SSM_PREFIX"] != "/sst/life/e2e/" {
		t.Errorf("bound environment = %v", env)
	}
	if aws.ToInt32(c.MemorySize) != 1024 || aws.ToInt32(c.Timeout) != 10 {
		t.Errorf("memory/timeout = %d/%d", aws.ToInt32(c.MemorySize), aws.ToInt32(c.Timeout))
	}
	table, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)})
	if err != nil {
		t.Fatalf("table: %v", err)
	}
	if k := table.Table.KeySchema; len(k) != 1 || aws.ToString(k[0].AttributeName) != "noteId" {
		t.Errorf("key schema = %+v", k)
	}
	if p, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(tableParam)}); err != nil {
		t.Errorf("binding parameter %s: %v", tableParam, err)
	} else if got := aws.ToString(p.Parameter.Value); got != tableName {
		t.Errorf("binding parameter %s = %q, want %q", tableParam, got, tableName)
	}
	// The cross-stack value: the API stack's policy names the table's ARN,
	// which it read from the Storage stack's state.
	pol, err := roles.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(fnName), PolicyName: aws.String("sst-function")})
	if err != nil {
		t.Fatalf("role policy: %v", err)
	}
	// IAM returns policy documents URL-encoded.
	doc, err := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc, aws.ToString(table.Table.TableArn)) || strings.Contains(doc, `"Resource":"*"`) || strings.Contains(doc, `"Resource":["*"]`) {
		t.Errorf("policy is not scoped to the table %s:\n%s", aws.ToString(table.Table.TableArn), doc)
	}
	routes := apiRoutes(t, apis, "e2e-life-Api")
	if want := []string{"GET /notes", "POST /notes"}; strings.Join(routes, ",") != strings.Join(want, ",") {
		t.Errorf("routes = %v, want %v", routes, want)
	}
	before := aws.ToString(c.LastModified)

	t.Run("second deploy is a no-op", func(t *testing.T) {
		r := mustSST(t, dir, "deploy", "--stage", stage)
		if n := strings.Count(r.stdout, "unchanged, skipped"); n != 2 {
			t.Errorf("want both stacks skipped, got:\n%s", r.stdout)
		}
		// Nothing the synthesis read changed: the app does not run.
		if !strings.Contains(r.stderr, "Reusing the last synthesis of stage e2e") || strings.Contains(r.stderr, "Synthesizing") {
			t.Errorf("a no-op deploy ran the app:\n%s", r.stderr)
		}
		// Nor does diff, which runs no terraform either, and says so.
		d := mustSST(t, dir, "diff", "--stage", stage)
		if !strings.Contains(d.stderr, "Reusing the last synthesis") || strings.Contains(d.stderr, "Synthesizing") ||
			!strings.Contains(d.stdout, "Stack API: no changes: unchanged since the last deploy, not planned") ||
			!strings.Contains(d.stdout, "2 of 2 stack(s) unchanged since the last deploy, not planned") {
			t.Errorf("a no-op diff should neither run the app nor plan:\n%s", d)
		}
		// Forced, terraform itself must find nothing to change.
		r = mustSST(t, dir, "deploy", "--stage", stage, "--force")
		if !strings.Contains(r.stderr, "Synthesizing (go run .): --force") {
			t.Errorf("--force did not run the app:\n%s", r.stderr)
		}
		fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(fn.Configuration.LastModified); got != before {
			t.Errorf("a forced redeploy of unchanged code updated the function (LastModified %s -> %s):\n%s", before, got, r.stdout)
		}
	})

	t.Run("adding a route applies only that change", func(t *testing.T) {
		editFile(t, filepath.Join(dir, "main.go"), `"POST /notes": {Handler: "functions/notes"},`,
			`"POST /notes": {Handler: "functions/notes"},
			"GET /notes/{id}": {Handler: "functions/notes"},`)
		d := mustSST(t, dir, "diff", "--stage", stage)
		if !strings.Contains(d.stdout, "aws_apigatewayv2_route.Api_GET_notes_id_route") || strings.Contains(d.stdout, "aws_lambda_function.Api_GET_notes ") {
			t.Errorf("diff should list only the new route's resources:\n%s", d.stdout)
		}
		if !strings.Contains(d.stderr, "Synthesizing (go run .): main.go changed") {
			t.Errorf("diff after editing main.go should say it reran the app for it:\n%s", d.stderr)
		}
		r := mustSST(t, dir, "deploy", "--stage", stage)
		// The diff's synthesis already saw the edit.
		if !strings.Contains(r.stderr, "Reusing the last synthesis") {
			t.Errorf("deploy after diff should reuse the diff's synthesis:\n%s", r.stderr)
		}
		if !strings.Contains(r.stdout, "Stack Storage: unchanged, skipped") {
			t.Errorf("Storage should be skipped:\n%s", r.stdout)
		}
		got := apiRoutes(t, apis, "e2e-life-Api")
		if want := "GET /notes,GET /notes/{id},POST /notes"; strings.Join(got, ",") != want {
			t.Errorf("routes = %v, want %s", got, want)
		}
		fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(fn.Configuration.LastModified); got != before {
			t.Errorf("adding a route touched an existing function")
		}
		if _, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(stage + "-life-Api_GET_notes_id")}); err != nil {
			t.Errorf("new route's function: %v", err)
		}
	})

	t.Run("an edited handler is rebuilt and deployed without running the app", func(t *testing.T) {
		editFile(t, filepath.Join(dir, "functions", "notes", "main.go"), `"content"`, `"content" `)
		// diff rebuilds the bundle and plans the one stack holding it.
		d := mustSST(t, dir, "diff", "--stage", stage)
		if strings.Contains(d.stderr, "Synthesizing") || !strings.Contains(d.stderr, "Reusing the last synthesis") ||
			!strings.Contains(d.stderr, "rebuilt: API/Api_GET_notes") || !strings.Contains(d.stderr, "changed: API/Api_GET_notes") {
			t.Errorf("diff after a handler edit should rebuild its bundles without running the app:\n%s", d.stderr)
		}
		if !strings.Contains(d.stdout, "~ aws_lambda_function.Api_GET_notes\n") || !strings.Contains(d.stdout, "source_code_hash: ") || !strings.Contains(d.stdout, "Stack Storage: no changes: unchanged since the last deploy, not planned") {
			t.Errorf("diff should show the function's update and leave Storage unplanned:\n%s", d.stdout)
		}
		// The bundle is current already; its stack's deploy hash is not.
		r := mustSST(t, dir, "deploy", "--stage", stage)
		if strings.Contains(r.stderr, "Synthesizing") || !strings.Contains(r.stderr, "Reusing the last synthesis") {
			t.Errorf("deploy after a handler edit should not run the app:\n%s", r.stderr)
		}
		if !strings.Contains(r.stdout, "Stack Storage: unchanged, skipped") || strings.Contains(r.stdout, "Stack API: unchanged") {
			t.Errorf("only API should deploy:\n%s", r.stdout)
		}
		fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(fn.Configuration.CodeSha256) == aws.ToString(c.CodeSha256) {
			t.Errorf("the edited handler was not deployed (code sha %s unchanged)", aws.ToString(c.CodeSha256))
		}
		// Nothing left to do: the next deploy skips both stacks.
		r = mustSST(t, dir, "deploy", "--stage", stage)
		if n := strings.Count(r.stdout, "unchanged, skipped"); n != 2 || strings.Contains(r.stderr, "rebuilt") {
			t.Errorf("want both stacks skipped and nothing rebuilt, got:\n%s\n%s", r.stderr, r.stdout)
		}
	})

	t.Run("a second stage deploys side by side", func(t *testing.T) {
		mustSST(t, dir, "deploy", "--stage", "e2e-two")
		for _, name := range []string{fnName, "e2e-two-life-Api_GET_notes"} {
			if _, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err != nil {
				t.Errorf("function %s: %v", name, err)
			}
		}
		f2, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("e2e-two-life-Api_GET_notes")})
		if err == nil && f2.Configuration.Environment.Variables["SST_Table_tableName_Notes"] != "e2e-two-life-Notes" {
			t.Errorf("stage e2e-two is bound to %s", f2.Configuration.Environment.Variables["SST_Table_tableName_Notes"])
		}
		mustSST(t, dir, "remove", "--stage", "e2e-two", "--yes")
		if _, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fnName)}); err != nil {
			t.Errorf("removing e2e-two touched e2e: %v", err)
		}
	})

	t.Run("remove leaves nothing behind", func(t *testing.T) {
		mustSST(t, dir, "remove", "--stage", stage, "--yes")
		left := inventory(t, "e2e-life-", "e2e-two-life-")
		if len(left) > 0 {
			t.Errorf("left behind after remove: %v", left)
		}
		if _, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(tableParam)}); err == nil {
			t.Errorf("binding parameter %s survived the stage's removal", tableParam)
		}
		if _, err := os.Stat(filepath.Join(dir, ".sst", "outputs", stage+".json")); err == nil {
			t.Errorf("outputs file of a removed stage is still there")
		}
	})
}

// readOutputs reads .sst/outputs/<stage>.json as stack -> output -> value.
func readOutputs(t *testing.T, dir, stage string) map[string]map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".sst", "outputs", stage+".json"))
	if err != nil {
		t.Fatalf("outputs: %v", err)
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("outputs: %v\n%s", err, b)
	}
	out := map[string]map[string]string{}
	for stack, kv := range raw {
		out[stack] = map[string]string{}
		for k, v := range kv {
			if s, ok := v.(string); ok {
				out[stack][k] = s
			}
		}
	}
	return out
}

func apiRoutes(t *testing.T, c *apigatewayv2.Client, name string) []string {
	t.Helper()
	ctx := context.Background()
	list, err := c.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Items {
		if aws.ToString(a.Name) != name {
			continue
		}
		rs, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: a.ApiId})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range rs.Items {
			keys = append(keys, aws.ToString(r.RouteKey))
		}
		sort.Strings(keys)
		return keys
	}
	t.Fatalf("no API named %s", name)
	return nil
}

// inventory lists emulator resources whose names start with any prefix:
// functions, tables, APIs, roles and log groups.
func inventory(t *testing.T, prefixes ...string) []string {
	t.Helper()
	return inventoryAt(t, awsConfig(), prefixes...)
}

// inventoryAt is inventory on the emulator cfg points at.
func inventoryAt(t *testing.T, cfg aws.Config, prefixes ...string) []string {
	t.Helper()
	ctx := context.Background()
	match := func(name string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) || strings.HasPrefix(name, "/aws/lambda/"+p) {
				return true
			}
		}
		return false
	}
	var left []string
	fns, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns.Functions {
		if match(aws.ToString(f.FunctionName)) {
			left = append(left, "function "+aws.ToString(f.FunctionName))
		}
	}
	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range tables.TableNames {
		if match(n) {
			left = append(left, "table "+n)
		}
	}
	apis, err := apigatewayv2.NewFromConfig(cfg).GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apis.Items {
		if match(aws.ToString(a.Name)) {
			left = append(left, "api "+aws.ToString(a.Name))
		}
	}
	roles, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles.Roles {
		if match(aws.ToString(r.RoleName)) {
			left = append(left, "role "+aws.ToString(r.RoleName))
		}
	}
	return left
}
