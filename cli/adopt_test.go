package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// TestAdoptableRefusesOtherNames: only names the stage generates are
// adopted. A name the configuration gives that belongs to another stage
// (set by a Cdk hook), or that differs from the one AWS reports, refuses
// the whole adoption, naming the resource and why; nothing calls AWS.
func TestAdoptableRefusesOtherNames(t *testing.T) {
	r := &stackRunner{s: &session{stage: "dev"}, m: &manifest.Manifest{App: "my_app"}}
	own := []tf.Exists{
		{Address: "aws_dynamodb_table.T", Type: "aws_dynamodb_table", Name: "dev-my_app-T", Configured: "dev-my_app-T"},
		{Address: "aws_s3_bucket.B", Type: "aws_s3_bucket", Name: "dev-my-app-b", Configured: "dev-my-app-b"},
		{Address: "aws_cloudwatch_log_group.L", Type: "aws_cloudwatch_log_group", Configured: "/aws/lambda/dev-my_app-F"},
		{Address: "aws_ssm_parameter.P", Type: "aws_ssm_parameter", Name: "/sst/my_app/dev/Table/T/tableName", Configured: "/sst/my_app/dev/Table/T/tableName"},
	}
	imports, err := r.adoptable(context.Background(), own, &tf.Error{Op: "apply"})
	if err != nil || len(imports) != 4 || imports[2] != (tf.Import{To: "aws_cloudwatch_log_group.L", ID: "/aws/lambda/dev-my_app-F"}) ||
		imports[3] != (tf.Import{To: "aws_ssm_parameter.P", ID: "/sst/my_app/dev/Table/T/tableName"}) {
		t.Fatalf("own names: imports %v, err %v", imports, err)
	}

	for _, tc := range []struct {
		e    tf.Exists
		want string
	}{
		{tf.Exists{Address: "aws_dynamodb_table.T", Type: "aws_dynamodb_table", Name: "prod-my_app-T", Configured: "prod-my_app-T"},
			`aws_dynamodb_table.T (prod-my_app-T): not a name stage dev generates (those begin with "dev-my_app-"); it may belong to another stage or app`},
		{tf.Exists{Address: "aws_dynamodb_table.T", Type: "aws_dynamodb_table", Name: "dev-my_app-T", Configured: "dev-my_app-U"},
			`aws_dynamodb_table.T: the configuration does not give it the name AWS reports ("dev-my_app-T")`},
		{tf.Exists{Address: "aws_ssm_parameter.P", Type: "aws_ssm_parameter", Name: "/sst/my_app/prod/Table/T/tableName", Configured: "/sst/my_app/prod/Table/T/tableName"},
			`aws_ssm_parameter.P (/sst/my_app/prod/Table/T/tableName): not a name stage dev generates (those begin with "/sst/my_app/dev/")`},
		{tf.Exists{Address: "aws_sqs_queue.Q", Type: "aws_sqs_queue", Name: "dev-my_app-Q"},
			`aws_sqs_queue.Q: the configuration does not give it the name AWS reports`},
	} {
		applyErr := &tf.Error{Op: "apply", Diagnostics: []tf.Diagnostic{{Severity: "error", Address: tc.e.Address, Summary: "already exists"}}}
		imports, err := r.adoptable(context.Background(), append(own[:1:1], tc.e), applyErr)
		if err == nil || imports != nil {
			t.Errorf("%v: adopted %v", tc.e, imports)
			continue
		}
		if !strings.Contains(err.Error(), "already in AWS, and not adopted: "+tc.want) {
			t.Errorf("%v: error\n%s\nlacks %q", tc.e, err, tc.want)
		}
	}
}
