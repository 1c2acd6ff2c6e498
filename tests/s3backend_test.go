package tests

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestS3Backend deploys a two-stack app whose state lives in S3 with a
// DynamoDB lock table: each stack's state lands at env:/<stage>/<key>, the
// cross-stack value is read from the producer's S3 state, a remove of a
// stage the bucket has no state for fails and writes nothing, and remove
// empties both states.
//
// OpenTofu runs it all (SST_ENGINE=tofu): the suite's deploy and remove of
// an app on the emulator with it, on the S3 backend with its DynamoDB lock,
// the provider from the mirror, progress and errors read as from
// terraform. Terraform's S3 backend is covered by the reliability tests.
// Without tofu (a developer who has not run `make tofu`; CI fails instead)
// terraform runs it.
func TestS3Backend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ddb := dynamodb.NewFromConfig(cfg)
	const bucket, lockTable = "sst-e2e-state", "sst-e2e-locks"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(lockTable),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "s3backend"))
	env := map[string]string{"STATE_BUCKET": bucket, "LOCK_TABLE": lockTable}
	tofu := testenv.TofuPath() != "" || os.Getenv("CI") == "true"
	if tofu {
		maps.Copy(env, tofuEnv(t))
	} else {
		t.Log("tofu not found (`make tofu` builds it): terraform runs this test")
	}
	d := mustSSTEnv(t, dir, env, "deploy", "--stage", "s3e2e")
	// Live progress, from the engine's JSON stream.
	for _, w := range []string{"Data | aws_dynamodb_table.Items created", "Compute | aws_lambda_function.Reader created"} {
		if !strings.Contains(d.stdout+d.stderr, w) {
			t.Errorf("deploy output lacks %q:\n%s", w, d)
		}
	}

	for _, stack := range []string{"Data", "Compute"} {
		state := s3Object(t, cfg, bucket, "env:/s3e2e/s3state/"+stack+"/terraform.tfstate")
		if tofu && !writtenByTofu(t, state) {
			t.Errorf("the state of %s was not written by OpenTofu", stack)
		}
	}
	// Terraform records each state's checksum in the lock table.
	items, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(lockTable)})
	if err != nil {
		t.Fatal(err)
	}
	if items.Count < 2 {
		t.Errorf("lock table has %d items, want digests of both states", items.Count)
	}
	// The cross-stack value: the function's policy names the table's ARN.
	pol, err := iam.NewFromConfig(cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("s3e2e-s3state-Reader"), PolicyName: aws.String("sst-function")})
	if err != nil {
		t.Fatal(err)
	}
	if doc := aws.ToString(pol.PolicyDocument); !strings.Contains(doc, "table%2Fs3e2e-s3state-Items") && !strings.Contains(doc, "table/s3e2e-s3state-Items") {
		t.Errorf("policy does not name the table: %s", doc)
	}
	// A mistyped stage finds no workspace in the bucket, says so, and
	// writes nothing there.
	r := sstEnv(t, dir, env, "remove", "--stage", "s3e2e-typo", "--yes")
	if r.code == 0 || !strings.Contains(r.stderr, `stage "s3e2e-typo" of app "s3state" has no state here: no workspace s3e2e-typo in S3 bucket `+bucket) ||
		!strings.Contains(r.stderr, "stages with state there: s3e2e") {
		t.Errorf("remove of a stage without state:\n%s", r)
	}
	typo, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("env:/s3e2e-typo/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(typo.Contents) > 0 {
		t.Errorf("remove of a stage without state wrote %s", aws.ToString(typo.Contents[0].Key))
	}
	rm := mustSSTEnv(t, dir, env, "remove", "--stage", "s3e2e", "--yes")
	if !strings.Contains(rm.stdout+rm.stderr, "Data | aws_dynamodb_table.Items deleted") {
		t.Errorf("remove output lacks the table's deletion:\n%s", rm)
	}
	if left := inventory(t, "s3e2e-s3state-"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
