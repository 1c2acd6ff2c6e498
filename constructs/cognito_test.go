package sst

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cognitouserpool"

	"github.com/sst-tf/sst/internal/testenv"
)

func TestCognitoDefaults(t *testing.T) {
	var auth *Cognito
	out := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		auth = NewCognito(s, "Auth", CognitoProps{})
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{auth}})
		return auth
	})...)

	pool := out.resource(t, "First", "aws_cognito_user_pool", "Auth")
	wantJSON(t, "user pool", map[string]any{
		"name": pool["name"], "password_policy": pool["password_policy"], "username_configuration": pool["username_configuration"],
		"admin_create_user_config": pool["admin_create_user_config"],
	}, map[string]any{
		"name":                     "test-notes-Auth",
		"password_policy":          map[string]any{"minimum_length": 8, "require_lowercase": true, "require_numbers": true, "require_symbols": true, "require_uppercase": true, "temporary_password_validity_days": 7},
		"username_configuration":   map[string]any{"case_sensitive": false},
		"admin_create_user_config": map[string]any{"allow_admin_create_user_only": false},
	})
	for _, k := range []string{"alias_attributes", "username_attributes", "auto_verified_attributes", "lambda_config"} {
		if _, ok := pool[k]; ok {
			t.Errorf("default pool sets %s = %v", k, pool[k])
		}
	}
	client := out.resource(t, "First", "aws_cognito_user_pool_client", "Auth_client")
	wantJSON(t, "client", map[string]any{"user_pool_id": client["user_pool_id"], "generate_secret": client["generate_secret"], "explicit_auth_flows": client["explicit_auth_flows"]},
		map[string]any{"user_pool_id": "${aws_cognito_user_pool.Auth.id}", "generate_secret": false, "explicit_auth_flows": []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})

	ip := out.resource(t, "First", "aws_cognito_identity_pool", "Auth_identity_pool")
	wantJSON(t, "identity pool", map[string]any{"identity_pool_name": ip["identity_pool_name"], "allow_unauthenticated_identities": ip["allow_unauthenticated_identities"], "cognito_identity_providers": ip["cognito_identity_providers"]},
		map[string]any{"identity_pool_name": "test_notes_Auth", "allow_unauthenticated_identities": true, "cognito_identity_providers": []any{map[string]any{
			"client_id": "${aws_cognito_user_pool_client.Auth_client.id}", "provider_name": "${aws_cognito_user_pool.Auth.endpoint}", "server_side_token_check": false,
		}}})

	for _, kind := range []string{"authenticated", "unauthenticated"} {
		role := out.resource(t, "First", "aws_iam_role", "Auth_"+kind+"_role")
		var trust map[string]any
		if err := json.Unmarshal([]byte(role["assume_role_policy"].(string)), &trust); err != nil {
			t.Fatal(err)
		}
		wantJSON(t, kind+" trust policy", trust["Statement"], []any{map[string]any{
			"Action": "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{
				"ForAnyValue:StringLike": map[string]any{"cognito-identity.amazonaws.com:amr": kind},
				"StringEquals":           map[string]any{"cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.Auth_identity_pool.id}"},
			},
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": "cognito-identity.amazonaws.com"},
		}})
	}
	att := out.resource(t, "First", "aws_cognito_identity_pool_roles_attachment", "Auth_roles")
	wantJSON(t, "roles attachment", map[string]any{"identity_pool_id": att["identity_pool_id"], "roles": att["roles"]}, map[string]any{"identity_pool_id": "${aws_cognito_identity_pool.Auth_identity_pool.id}", "roles": map[string]any{
		"authenticated": "${aws_iam_role.Auth_authenticated_role.arn}", "unauthenticated": "${aws_iam_role.Auth_unauthenticated_role.arn}",
	}})
	// The roles start with nothing granted (no inline policy at all).
	for id := range out.resources("First", "aws_iam_role_policy") {
		if strings.HasPrefix(id, "Auth_") {
			t.Errorf("unexpected role policy %s", id)
		}
	}

	env := out.env(t, "First", "Fn")
	wantJSON(t, "bound env", map[string]any{"a": env["SST_Cognito_userPoolId_Auth"], "b": env["SST_Cognito_userPoolClientId_Auth"], "c": env["SST_Cognito_identityPoolId_Auth"]},
		map[string]any{"a": "${aws_cognito_user_pool.Auth.id}", "b": "${aws_cognito_user_pool_client.Auth_client.id}", "c": "${aws_cognito_identity_pool.Auth_identity_pool.id}"})
	for _, st := range out.policy(t, "First", "Fn").Statement {
		for _, a := range st.Action {
			if strings.HasPrefix(a, "cognito") {
				t.Errorf("binding granted %s", a)
			}
		}
	}
	ms := out.manifestStack(t, "First")
	for _, c := range ms.Constructs {
		if c.ID == "Auth" && (c.Type != "Cognito" || c.Data["userPoolId"] != "${aws_cognito_user_pool.Auth.id}" || c.Data["identityPoolId"] == "") {
			t.Errorf("manifest = %+v", c)
		}
	}
}

func TestCognitoLoginTriggersPermissionsAndApi(t *testing.T) {
	out := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		table := notesTable(s)
		auth := NewCognito(s, "Auth", CognitoProps{
			Login:    []string{"email"},
			Defaults: CognitoDefaults{Function: FunctionProps{MemorySize: 256}},
			Triggers: map[string]FunctionProps{
				"preSignUp":          {Handler: nodeHandler},
				"preTokenGeneration": {Handler: nodeHandler, Timeout: 5 * time.Second},
			},
			IdentityPool: CognitoIdentityPool{
				DisableUnauthenticated:    true,
				SupportedLoginProviders:   map[string]string{"accounts.google.com": "google-client"},
				OpenIDConnectProviderArns: []string{"arn:aws:iam::123456789012:oidc-provider/example.auth0.com"},
			},
			RemovalPolicy: RemovalRetain,
			Cdk: CognitoCdkProps{UserPool: func(c *cognitouserpool.CognitoUserPoolConfig) {
				c.DeletionProtection = jsii.String("ACTIVE")
			}},
		})
		auth.AttachPermissionsForAuthUsers(table)
		auth.AttachPermissionsForUnauthUsers(Allow([]string{"s3:GetObject"}, "arn:aws:s3:::public/*"))
		auth.BindForTriggers(table)
		if auth.Trigger("preSignUp") == nil || auth.Trigger("nope") != nil {
			t.Error("Trigger lookup")
		}
		NewCognito(s, "Aliases", CognitoProps{Login: []string{"username", "email", "phone", "preferredUsername"}, IdentityPool: CognitoIdentityPool{Disabled: true}})
		NewCognito(s, "Phone", CognitoProps{Login: []string{"phone"}, IdentityPool: CognitoIdentityPool{Disabled: true}})
		NewApi(s, "Api", ApiProps{
			Authorizers: map[string]ApiAuthorizer{"cognito": auth.JWTAuthorizer()},
			Defaults:    ApiDefaults{Authorizer: "cognito"},
			Routes:      map[string]ApiRoute{"GET /me": {Handler: nodeHandler}},
		})
		return auth
	})...)

	pool := out.resource(t, "First", "aws_cognito_user_pool", "Auth")
	wantJSON(t, "email login", map[string]any{"u": pool["username_attributes"], "v": pool["auto_verified_attributes"], "d": pool["deletion_protection"], "l": pool["lambda_config"]},
		map[string]any{"u": []string{"email"}, "v": []string{"email"}, "d": "ACTIVE", "l": map[string]any{
			"pre_sign_up":          "${aws_lambda_function.Auth_trigger_preSignUp.arn}",
			"pre_token_generation": "${aws_lambda_function.Auth_trigger_preTokenGeneration.arn}",
		}})
	aliases := out.resource(t, "First", "aws_cognito_user_pool", "Aliases")
	wantJSON(t, "alias login", map[string]any{"a": aliases["alias_attributes"], "v": aliases["auto_verified_attributes"]},
		map[string]any{"a": []string{"email", "phone_number", "preferred_username"}, "v": []string{"email", "phone_number"}})
	if _, ok := aliases["username_attributes"]; ok {
		t.Error("username login must not set username_attributes")
	}
	phone := out.resource(t, "First", "aws_cognito_user_pool", "Phone")
	wantJSON(t, "phone login", phone["username_attributes"], []string{"phone_number"})
	if len(out.resources("First", "aws_cognito_identity_pool")) != 1 {
		t.Errorf("disabled identity pools were created: %v", keys(out.resources("First", "aws_cognito_identity_pool")))
	}

	fn := out.resource(t, "First", "aws_lambda_function", "Auth_trigger_preTokenGeneration")
	if fn["memory_size"] != 256.0 || fn["timeout"] != 5.0 {
		t.Errorf("trigger defaults: memory %v timeout %v", fn["memory_size"], fn["timeout"])
	}
	if out.env(t, "First", "Auth_trigger_preSignUp")["SST_Table_tableName_Notes"] == nil {
		t.Error("BindForTriggers did not bind the table")
	}
	perm := out.resource(t, "First", "aws_lambda_permission", "Auth_trigger_preSignUp_permission")
	wantJSON(t, "trigger permission", map[string]any{"p": perm["principal"], "s": perm["source_arn"], "f": perm["function_name"]},
		map[string]any{"p": "cognito-idp.amazonaws.com", "s": "${aws_cognito_user_pool.Auth.arn}", "f": "${aws_lambda_function.Auth_trigger_preSignUp.function_name}"})

	ip := out.resource(t, "First", "aws_cognito_identity_pool", "Auth_identity_pool")
	wantJSON(t, "federation", map[string]any{"u": ip["allow_unauthenticated_identities"], "s": ip["supported_login_providers"], "o": ip["openid_connect_provider_arns"]},
		map[string]any{"u": false, "s": map[string]any{"accounts.google.com": "google-client"}, "o": []string{"arn:aws:iam::123456789012:oidc-provider/example.auth0.com"}})

	authPol := out.resource(t, "First", "aws_iam_role_policy", "Auth_authenticated_policy")
	if authPol["role"] != "${aws_iam_role.Auth_authenticated_role.name}" || !strings.Contains(authPol["policy"].(string), "${aws_dynamodb_table.Notes.arn}") || strings.Contains(authPol["policy"].(string), `"*"`) {
		t.Errorf("authenticated policy = %v", authPol)
	}
	unauthPol := out.resource(t, "First", "aws_iam_role_policy", "Auth_unauthenticated_policy")
	if !strings.Contains(unauthPol["policy"].(string), "arn:aws:s3:::public/*") || unauthPol["role"] != "${aws_iam_role.Auth_unauthenticated_role.name}" {
		t.Errorf("unauthenticated policy = %v", unauthPol)
	}

	az := out.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_cognito")
	wantJSON(t, "jwt authorizer", az["jwt_configuration"], map[string]any{
		"audience": []string{"${aws_cognito_user_pool_client.Auth_client.id}"},
		"issuer":   "https://cognito-idp.us-east-1.amazonaws.com/${aws_cognito_user_pool.Auth.id}",
	})
	route := out.resource(t, "First", "aws_apigatewayv2_route", "Api_GET_me_route")
	if route["authorization_type"] != "JWT" {
		t.Errorf("route authorization = %v", route["authorization_type"])
	}
	ms := out.manifestStack(t, "First")
	if !slices.Contains(ms.Retained, "aws_cognito_user_pool.Auth") {
		t.Errorf("retained = %v", ms.Retained)
	}
	var triggers []string
	for _, f := range ms.Functions {
		if f.Construct == "Auth" {
			triggers = append(triggers, f.ID)
		}
	}
	wantJSON(t, "manifest trigger functions", triggers, []string{"Auth_trigger_preSignUp", "Auth_trigger_preTokenGeneration"})
}

func TestCognitoGovCloudTrust(t *testing.T) {
	doc := identityTrustPolicy("us-gov-west-1", "pool", "authenticated")
	if !strings.Contains(doc, `"Federated":"cognito-identity-us-gov.amazonaws.com"`) || !strings.Contains(doc, `"cognito-identity-us-gov.amazonaws.com:aud":"pool"`) {
		t.Errorf("gov trust policy = %s", doc)
	}
}

func TestCognitoBadInput(t *testing.T) {
	tests := []struct {
		name string
		body body
		want []string
	}{
		{"unknown login", func(s *Stack) any { return NewCognito(s, "Auth", CognitoProps{Login: []string{"facebook"}}) },
			[]string{`stack First: cognito "Auth"`, `Login "facebook"`, `"email", "phone", "username" or "preferredUsername"`}},
		{"preferredUsername alone", func(s *Stack) any {
			return NewCognito(s, "Auth", CognitoProps{Login: []string{"email", "preferredUsername"}})
		}, []string{`cognito "Auth"`, `add "username" to Login`}},
		{"unknown trigger", func(s *Stack) any {
			return NewCognito(s, "Auth", CognitoProps{Triggers: map[string]FunctionProps{"beforeSignUp": {Handler: nodeHandler}}})
		}, []string{`Triggers["beforeSignUp"] is not a Cognito trigger`, "preSignUp"}},
		{"kms trigger", func(s *Stack) any {
			return NewCognito(s, "Auth", CognitoProps{Triggers: map[string]FunctionProps{"customSmsSender": {Handler: nodeHandler}}})
		}, []string{`Triggers["customSmsSender"] needs a KMS key`, "Cdk.UserPool"}},
		{"trigger without handler", func(s *Stack) any {
			return NewCognito(s, "Auth", CognitoProps{Triggers: map[string]FunctionProps{"preSignUp": {}}})
		}, []string{`function "Auth_trigger_preSignUp"`, "Handler is required"}},
		{"disabled with settings", func(s *Stack) any {
			return NewCognito(s, "Auth", CognitoProps{IdentityPool: CognitoIdentityPool{Disabled: true, DisableUnauthenticated: true}})
		}, []string{`cognito "Auth"`, "IdentityPool.Disabled"}},
		{"empty login provider", func(s *Stack) any {
			return NewCognito(s, "Auth", CognitoProps{IdentityPool: CognitoIdentityPool{SupportedLoginProviders: map[string]string{"accounts.google.com": ""}}})
		}, []string{`SupportedLoginProviders["accounts.google.com"]`}},
		{"permissions without identity pool", func(s *Stack) any {
			c := NewCognito(s, "Auth", CognitoProps{IdentityPool: CognitoIdentityPool{Disabled: true}})
			c.AttachPermissionsForAuthUsers(Allow([]string{"s3:GetObject"}, "arn:aws:s3:::b/*"))
			return c
		}, []string{`cognito "Auth": AttachPermissionsForAuthUsers`, "identity pool is disabled"}},
		{"empty statement", func(s *Stack) any {
			c := NewCognito(s, "Auth", CognitoProps{})
			c.AttachPermissionsForUnauthUsers(Statement{Actions: []string{"s3:GetObject"}})
			return c
		}, []string{"AttachPermissionsForUnauthUsers", "needs Actions and Resources"}},
		{"construct not built yet", func(s *Stack) any {
			var api *Api
			c := NewCognito(s, "Auth", CognitoProps{})
			c.AttachPermissionsForAuthUsers(notesTable(s), api)
			return c
		}, []string{`cognito "Auth": AttachPermissionsForAuthUsers[1] is a nil *sst.Api`, "sst.Use[*sst.Api]"}},
		{"bad removal policy", func(s *Stack) any { return NewCognito(s, "Auth", CognitoProps{RemovalPolicy: "keep"}) },
			[]string{`cognito "Auth"`, `RemovalPolicy "keep"`}},
		{"role id clash", func(s *Stack) any {
			NewFunction(s, "Auth_authenticated", FunctionProps{Handler: nodeHandler})
			return NewCognito(s, "Auth", CognitoProps{})
		}, []string{`cognito "Auth"`, `"Auth_authenticated" is taken`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tc.body)...)
			wantContains(t, msg, tc.want...)
		})
	}
}

// TestCognitoSecretTerraformValidate runs terraform validate with the real
// provider on stacks using every Cognito, Secret and Parameter prop. It
// fails, rather than skips, when terraform or the provider is missing.
func TestCognitoSecretTerraformValidate(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform is not on PATH: %v", err)
	}
	env := testenv.TerraformEnv(t)
	opts := testOptions(t)
	_, err := Synth(Config{Name: "notes"}, opts, stacks(t,
		func(s *Stack) any {
			table := notesTable(s)
			auth := NewCognito(s, "Auth", CognitoProps{
				Login:        []string{"email", "username", "preferredUsername"},
				Triggers:     map[string]FunctionProps{"preSignUp": {Handler: nodeHandler}, "customMessage": {Handler: nodeHandler}},
				IdentityPool: CognitoIdentityPool{SupportedLoginProviders: map[string]string{"graph.facebook.com": "123"}},
				Cdk: CognitoCdkProps{UserPool: func(c *cognitouserpool.CognitoUserPoolConfig) {
					c.MfaConfiguration = jsii.String("OFF")
				}},
			})
			auth.AttachPermissionsForAuthUsers(table)
			auth.AttachPermissionsForUnauthUsers(Allow([]string{"s3:GetObject"}, "arn:aws:s3:::public/*"))
			NewCognito(s, "Plain", CognitoProps{Login: []string{"phone"}, IdentityPool: CognitoIdentityPool{Disabled: true}, RemovalPolicy: RemovalRetain})
			key := NewSecret(s, "STRIPE_KEY")
			version := NewParameter(s, "ApiVersion", ParameterProps{Value: "v1", Description: "d"})
			NewApi(s, "Api", ApiProps{
				Authorizers: map[string]ApiAuthorizer{"cognito": auth.JWTAuthorizer()},
				Defaults:    ApiDefaults{Authorizer: "cognito", Function: FunctionProps{Bind: []Bindable{auth, key, version}}},
				Routes:      map[string]ApiRoute{"GET /": {Handler: nodeHandler}},
			})
			return []Bindable{key, auth}
		},
		func(s *Stack) any {
			NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: Use[[]Bindable](s, First)})
			return nil
		})...)
	if err != nil {
		t.Fatal(err)
	}
	validateStacks(t, env, filepath.Join(opts.OutDir, "stacks", "First"), filepath.Join(opts.OutDir, "stacks", "Second"))
}
