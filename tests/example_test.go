package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestExampleRestAPI deploys examples/rest-api — the app `make demo`
// deploys — and removes it again.
func TestExampleRestAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	dir := copyProject(t, filepath.Join(repo, "examples", "rest-api"))
	mustSST(t, dir, "deploy", "--stage", "ex")
	out := readOutputs(t, dir, "ex")
	if out["API"]["TableName"] != "ex-rest-api-Notes" || !strings.HasPrefix(out["API"]["ApiUrl"], "http") {
		t.Errorf("outputs = %v", out)
	}
	health, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ex-rest-api-Api_GET_health")})
	if err != nil {
		t.Fatal(err)
	}
	if c := health.Configuration; string(c.Runtime) != "nodejs20.x" || aws.ToString(c.Handler) != "index.handler" || aws.ToInt32(c.MemorySize) != 256 {
		t.Errorf("node function: runtime %s handler %s memory %d", c.Runtime, aws.ToString(c.Handler), aws.ToInt32(c.MemorySize))
	}
	tbl, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ex-rest-api-Notes")})
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Table.KeySchema) != 2 {
		t.Errorf("key schema = %+v", tbl.Table.KeySchema)
	}
	r := mustSST(t, dir, "outputs", "--stage", "ex")
	if !strings.Contains(r.stdout, "ApiUrl") {
		t.Errorf("sst outputs:\n%s", r.stdout)
	}
	mustSST(t, dir, "remove", "--stage", "ex", "--yes")
	if left := inventory(t, "ex-rest-api-"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestRetainedStoresSurviveRemove: a table with removal policy "retain"
// stays in AWS after `sst remove`, and leaves the state cleanly.
func TestRetainedStoresSurviveRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ddb := dynamodb.NewFromConfig(awsConfig())
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "retain"))
	mustSST(t, dir, "deploy", "--stage", "keep")
	r := mustSST(t, dir, "remove", "--stage", "keep", "--yes")
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("keep-retain-Kept")}); err != nil {
		t.Errorf("retained table is gone: %v\n%s", err, r.stdout)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("keep-retain-Scratch")}); err == nil {
		t.Errorf("the destroy-policy table survived remove")
	}
	state, err := os.ReadFile(filepath.Join(dir, ".sst", "state", "Data", "keep", "terraform.tfstate"))
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	if strings.Contains(string(state), "aws_dynamodb_table") {
		t.Errorf("state still tracks a table after remove:\n%s", state)
	}
	// The emulator is shared by the suite: clean up what was kept.
	ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("keep-retain-Kept")})
}
