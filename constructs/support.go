package sst

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/build"
)

// supportFunction is a Lambda function running this module's own Node code
// (a Script's dispatcher, a Job's invoker): the embedded files are packed
// as they are, no build, and its role may write its logs and do stmts.
type supportFunction struct {
	Function lambdafunction.LambdaFunction
	Role     iamrole.IamRole
	Policy   iamrolepolicy.IamRolePolicy
	LogGroup cloudwatchloggroup.CloudwatchLogGroup
}

// newSupportFunction declares the function id of construct owner, named
// name, with the handler index.handler of files["index.mjs"].
func newSupportFunction(s *Stack, owner, id, name string, files map[string][]byte, env map[string]*string, stmts []Statement, timeout int) (*supportFunction, error) {
	a := s.app
	sf := &supportFunction{}
	res, err := build.Static(a.opts.ArtifactDir, id, "nodejs20.x", "index.handler", files)
	if err != nil {
		return nil, err
	}
	sf.Role = iamrole.NewIamRole(s.tf, jsii.String(id+"_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(owner), id)),
		AssumeRolePolicy: jsii.String(assumeRolePolicy("lambda.amazonaws.com")),
	})
	sf.LogGroup = cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name: jsii.String(naming.LogGroup(name)),
	})
	all := append([]Statement{Allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, *sf.LogGroup.Arn()+":*")}, stmts...)
	sf.Policy = iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(id+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("sst-function"),
		Role:   sf.Role.Name(),
		Policy: jsii.String(policyDocument(all)),
	})
	sf.Function = lambdafunction.NewLambdaFunction(s.tf, jsii.String(id), &lambdafunction.LambdaFunctionConfig{
		FunctionName:   jsii.String(name),
		Role:           sf.Role.Arn(),
		Runtime:        jsii.String(res.Runtime),
		Handler:        jsii.String(res.Handler),
		Filename:       jsii.String(s.artifact(res.ZipPath)),
		SourceCodeHash: jsii.String(res.Hash),
		Architectures:  jsii.Strings("arm64"),
		MemorySize:     jsii.Number(128),
		Timeout:        jsii.Number(float64(timeout)),
		Environment:    &lambdafunction.LambdaFunctionEnvironment{Variables: &env},
		DependsOn:      &[]cdktf.ITerraformDependable{sf.LogGroup, sf.Policy},
	})
	return sf, nil
}
