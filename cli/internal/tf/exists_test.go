package tf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestAlreadyExists uses the summaries terraform 1.11 with AWS provider
// 5.100 printed on moto_server 5 for creates of resources that existed:
// each is recognized, with the name from the message and the one the
// stack's configuration gives; another error among them means none is.
func TestAlreadyExists(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"resource":{
		"aws_dynamodb_table":{"T":{"name":"dev-app-T"}},
		"aws_s3_bucket":{"B":{"bucket":"dev-app-b"}},
		"aws_iam_role":{"R":{"name":"dev-app-R"}},
		"aws_cloudwatch_log_group":{"L":{"name":"/aws/lambda/dev-app-F"}},
		"aws_ssm_parameter":{"P":{"name":"/sst/app/dev/Table/T/tableName"}},
		"aws_sqs_queue":{"Q":{"name":"${var.q}"}}}}`
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	diag := func(addr, summary string) Diagnostic {
		return Diagnostic{Severity: "error", Address: addr, Summary: summary}
	}
	diags := []Diagnostic{
		diag("aws_dynamodb_table.T", "creating AWS DynamoDB Table (dev-app-T): operation error DynamoDB: CreateTable, https response error StatusCode: 400, RequestID: x, ResourceInUseException: Table already exists: dev-app-T"),
		diag("aws_cloudwatch_log_group.L", "creating CloudWatch Logs Log Group (/aws/lambda/dev-app-F): operation error CloudWatch Logs: CreateLogGroup, https response error StatusCode: 400, RequestID: x, ResourceAlreadyExistsException: The specified log group already exists"),
		diag("aws_iam_role.R", "creating IAM Role (dev-app-R): operation error IAM: CreateRole, https response error StatusCode: 409, RequestID: x, EntityAlreadyExists: Role with name dev-app-R already exists."),
		diag("aws_s3_bucket.B", "creating S3 Bucket (dev-app-b): BucketAlreadyExists"),
		diag("aws_sqs_queue.Q", "creating SQS Queue (dev-app-Q): operation error SQS: CreateQueue, https response error StatusCode: 400, RequestID: x, QueueAlreadyExists: The specified queue already exists."),
		diag("aws_ssm_parameter.P", "creating SSM Parameter (/sst/app/dev/Table/T/tableName): operation error SSM: PutParameter, https response error StatusCode: 400, RequestID: x, ParameterAlreadyExists: The parameter already exists. To overwrite this request value, set the overwrite option in the request to true."),
		{Severity: "warning", Summary: "Argument is deprecated"},
	}
	err := fmt.Errorf("stack Work: %w", &Error{Op: "apply", Dir: dir, Diagnostics: diags})
	got := AlreadyExists(err)
	want := []Exists{
		{"aws_dynamodb_table.T", "aws_dynamodb_table", "dev-app-T", "dev-app-T"},
		{"aws_cloudwatch_log_group.L", "aws_cloudwatch_log_group", "/aws/lambda/dev-app-F", "/aws/lambda/dev-app-F"},
		{"aws_iam_role.R", "aws_iam_role", "dev-app-R", "dev-app-R"},
		{"aws_s3_bucket.B", "aws_s3_bucket", "dev-app-b", "dev-app-b"},
		// An expression is not a name to check the error against.
		{"aws_sqs_queue.Q", "aws_sqs_queue", "dev-app-Q", ""},
		{"aws_ssm_parameter.P", "aws_ssm_parameter", "/sst/app/dev/Table/T/tableName", "/sst/app/dev/Table/T/tableName"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("AlreadyExists =\n%v\nwant\n%v", got, want)
	}

	other := append(diags[:1:1], diag("aws_lambda_function.F", "creating Lambda Function (dev-app-F): InvalidParameterValueException: bad role"))
	if got := AlreadyExists(&Error{Op: "apply", Dir: dir, Diagnostics: other}); got != nil {
		t.Errorf("a failure for another reason too: AlreadyExists = %v, want none", got)
	}
	if got := AlreadyExists(errors.New("apply failed")); got != nil {
		t.Errorf("not a terraform error: AlreadyExists = %v", got)
	}
}
