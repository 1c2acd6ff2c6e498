package tests

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// checkCognito reads back the user pool with its trigger, the client, the
// identity pool with both roles and the Api using the pool as JWT
// authorizer that the stack's outputs name; prefix is "<stage>-<app>-".
// moto cannot attach the roles to the identity pool: the emulator-aware
// defaults leave the attachment out (the deploy says so; TestRDS checks
// that line).
func checkCognito(t *testing.T, prefix string, out map[string]string) {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig()
	idp, ids, roles := cognitoidentityprovider.NewFromConfig(cfg), cognitoidentity.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	poolID, clientID, identityPoolID := out["UserPoolId"], out["UserPoolClientId"], out["IdentityPoolId"]
	if poolID == "" || clientID == "" || identityPoolID == "" {
		t.Fatalf("outputs = %v", out)
	}

	pool, err := idp.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	up := pool.UserPool
	if aws.ToString(up.Name) != prefix+"Auth" {
		t.Errorf("pool name = %s", aws.ToString(up.Name))
	}
	if len(up.UsernameAttributes) != 1 || up.UsernameAttributes[0] != "email" || len(up.AutoVerifiedAttributes) != 1 {
		t.Errorf("sign-in: username %v, verified %v", up.UsernameAttributes, up.AutoVerifiedAttributes)
	}
	if pp := up.Policies.PasswordPolicy; aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireSymbols || !pp.RequireUppercase {
		t.Errorf("password policy = %+v", pp)
	}
	trigger, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Auth_trigger_preSignUp")})
	if err != nil {
		t.Fatal(err)
	}
	if up.LambdaConfig == nil || aws.ToString(up.LambdaConfig.PreSignUp) != aws.ToString(trigger.Configuration.FunctionArn) {
		t.Errorf("preSignUp trigger = %+v, want %s", up.LambdaConfig, aws.ToString(trigger.Configuration.FunctionArn))
	}
	client, err := idp.DescribeUserPoolClient(ctx, &cognitoidentityprovider.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatal(err)
	}
	if c := client.UserPoolClient; aws.ToString(c.ClientSecret) != "" || !slices.Contains(c.ExplicitAuthFlows, "ALLOW_USER_SRP_AUTH") {
		t.Errorf("client: secret %q, flows %v", aws.ToString(c.ClientSecret), c.ExplicitAuthFlows)
	}

	ip, err := ids.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(identityPoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if !ip.AllowUnauthenticatedIdentities || len(ip.CognitoIdentityProviders) != 1 || aws.ToString(ip.CognitoIdentityProviders[0].ClientId) != clientID {
		t.Errorf("identity pool = %+v", ip)
	}
	for _, kind := range []string{"authenticated", "unauthenticated"} {
		name := prefix + "Auth_" + kind
		role, err := roles.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatalf("role %s: %v", name, err)
		}
		trust, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
		for _, want := range []string{`"Federated":"cognito-identity.amazonaws.com"`, `"sts:AssumeRoleWithWebIdentity"`, `"cognito-identity.amazonaws.com:aud":"` + identityPoolID + `"`, `"cognito-identity.amazonaws.com:amr":"` + kind + `"`} {
			if !strings.Contains(strings.ReplaceAll(trust, " ", ""), want) {
				t.Errorf("%s trust policy lacks %s:\n%s", kind, want, trust)
			}
		}
	}
	pol, err := roles.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(prefix + "Auth_authenticated"), PolicyName: aws.String("sst-authenticated-users")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument)); !strings.Contains(doc, "arn:aws:s3:::authapp-uploads/private/*") {
		t.Errorf("authenticated users' policy:\n%s", doc)
	}

	// moto has no GetAuthorizers: find the authorizer through the route.
	gw := apigatewayv2.NewFromConfig(cfg)
	routes, err := gw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(out["ApiId"])})
	if err != nil {
		t.Fatal(err)
	}
	if len(routes.Items) != 1 || routes.Items[0].AuthorizationType != "JWT" || routes.Items[0].AuthorizerId == nil {
		t.Fatalf("routes = %+v", routes.Items)
	}
	az, err := gw.GetAuthorizer(ctx, &apigatewayv2.GetAuthorizerInput{ApiId: aws.String(out["ApiId"]), AuthorizerId: routes.Items[0].AuthorizerId})
	if err != nil {
		t.Fatal(err)
	}
	if az.JwtConfiguration == nil || aws.ToString(az.JwtConfiguration.Issuer) != "https://cognito-idp.us-east-1.amazonaws.com/"+poolID ||
		!slices.Equal(az.JwtConfiguration.Audience, []string{clientID}) {
		t.Errorf("authorizer = %+v", az)
	}
	me, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Api_GET_me")})
	if err != nil {
		t.Fatal(err)
	}
	if env := me.Configuration.Environment.Variables; env["SST_Cognito_userPoolId_Auth"] != poolID || env["SST_Cognito_userPoolClientId_Auth"] != clientID || env["SST_Cognito_identityPoolId_Auth"] != identityPoolID {
		t.Errorf("bound env = %v", env)
	}
}

// checkCognitoRemoved: after remove, neither the user pool nor the
// identity pool the outputs named is left.
func checkCognitoRemoved(t *testing.T, out map[string]string) {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig()
	idp, ids := cognitoidentityprovider.NewFromConfig(cfg), cognitoidentity.NewFromConfig(cfg)
	poolID, identityPoolID := out["UserPoolId"], out["IdentityPoolId"]
	pools, err := idp.ListUserPools(ctx, &cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools.UserPools {
		if aws.ToString(p.Id) == poolID {
			t.Errorf("user pool %s survived remove", poolID)
		}
	}
	if _, err := ids.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(identityPoolID)}); err == nil {
		t.Errorf("identity pool %s survived remove", identityPoolID)
	}
}
