package tests

import (
	"context"
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
