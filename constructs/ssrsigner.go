package sst

import (
	_ "embed"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontdistribution"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/internal/build"
)

// urlSigner signs CloudFront's requests to an IAM-auth server function URL.
//
// Why Lambda@Edge and not CloudFront's origin access control for Lambda
// function URLs, which signs without any function of ours: with OAC,
// Lambda does not accept unsigned payloads, so every POST or PUT must
// carry its body's SHA-256 in x-amz-content-sha256, computed by the
// browser. A plain HTML form post cannot, nor do Next.js server actions
// or any framework's fetch: the sites' own forms would fail. The edge
// function sees the body (include_body) and hashes it, as SST v2 did.
//
//go:embed support/url-signer.mjs
var urlSigner []byte

// Lambda@Edge limits the signer lives within: an origin-request function
// runs at most 30 s, on x86_64, with no environment variables.
const (
	urlSignerTimeout = 5
	urlSignerMemory  = 128
	// urlSignerDeleteTimeout is how long `sst remove` retries deleting
	// the signer while CloudFront still holds replicas of it (it deletes
	// them some time after the distribution is gone; then remove again).
	urlSignerDeleteTimeout = "30m"
)

// edgeAssumeRolePolicy lets Lambda and its edge replicas run the signer.
const edgeAssumeRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`

// createURLSigner adds the signer when Regional.EnableServerURLIAMAuth is
// set: a published function in us-east-1 (where CloudFront takes
// Lambda@Edge functions from) whose role may invoke the server's URL and
// nothing else, and write its logs, which Lambda@Edge writes in the
// region that ran it, to /aws/lambda/us-east-1.<name>.
func (b *ssrBuild) createURLSigner() error {
	if !b.props.Regional.EnableServerURLIAMAuth {
		return nil
	}
	site, s := b.site, b.site.stack
	a := s.app
	id := site.sid + "_url_signer"
	zip, err := build.Static(a.opts.ArtifactDir, id, ssrRuntime, "index.handler", map[string][]byte{"index.mjs": urlSigner})
	if err != nil {
		return err
	}
	name := a.names.Lambda(a.owner(site.sid), id)
	role := iamrole.NewIamRole(s.tf, jsii.String(id+"_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(site.sid), id)),
		AssumeRolePolicy: jsii.String(edgeAssumeRolePolicy),
	})
	policy := iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(id+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("sst-url-signer"),
		Role: role.Name(),
		Policy: jsii.String(policyDocument([]Statement{
			Allow([]string{"lambda:InvokeFunctionUrl"}, *site.Cdk.Server.Cdk.Function.Arn()),
			Allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1."+name+":*"),
		})),
	})
	site.Cdk.URLSigner = lambdafunction.NewLambdaFunction(s.tf, jsii.String(id), &lambdafunction.LambdaFunctionConfig{
		Provider:       usEast1Provider(s, site.sid),
		FunctionName:   jsii.String(name),
		Description:    jsii.String(site.typ + " " + site.sid + " server URL signer"),
		Role:           role.Arn(),
		Runtime:        jsii.String(zip.Runtime),
		Handler:        jsii.String(zip.Handler),
		Filename:       jsii.String(s.artifact(zip.ZipPath)),
		SourceCodeHash: jsii.String(zip.Hash),
		Architectures:  jsii.Strings("x86_64"),
		MemorySize:     jsii.Number(urlSignerMemory),
		Timeout:        jsii.Number(urlSignerTimeout),
		// CloudFront runs a numbered version, never $LATEST.
		Publish:   jsii.Bool(true),
		Timeouts:  &lambdafunction.LambdaFunctionTimeouts{Delete: jsii.String(urlSignerDeleteTimeout)},
		DependsOn: &[]cdktf.ITerraformDependable{policy},
	})
	return nil
}

// signServerRequests runs the signer on every request of the behaviours
// to the server, with the body (the image optimizer's URL stays public:
// it only reads the bucket's originals).
func (b *ssrBuild) signServerRequests(cfg *cloudfrontdistribution.CloudfrontDistributionConfig) {
	fn := b.site.Cdk.URLSigner
	if fn == nil {
		return
	}
	if *cfg.DefaultCacheBehavior.TargetOriginId == "server" {
		cfg.DefaultCacheBehavior.LambdaFunctionAssociation = []*cloudfrontdistribution.CloudfrontDistributionDefaultCacheBehaviorLambdaFunctionAssociation{{
			EventType: jsii.String("origin-request"), LambdaArn: fn.QualifiedArn(), IncludeBody: jsii.Bool(true),
		}}
	}
	ordered, _ := cfg.OrderedCacheBehavior.([]*cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehavior)
	for _, bh := range ordered {
		if *bh.TargetOriginId == "server" {
			bh.LambdaFunctionAssociation = []*cloudfrontdistribution.CloudfrontDistributionOrderedCacheBehaviorLambdaFunctionAssociation{{
				EventType: jsii.String("origin-request"), LambdaArn: fn.QualifiedArn(), IncludeBody: jsii.Bool(true),
			}}
		}
	}
}
