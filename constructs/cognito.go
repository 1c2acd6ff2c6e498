package sst

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cognitoidentitypool"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cognitoidentitypoolrolesattachment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cognitouserpool"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cognitouserpoolclient"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/manifest"
)

// CognitoProps configure a Cognito user pool, its client and (by default)
// an identity pool, as SST v2's Cognito construct does.
type CognitoProps struct {
	// Login lists how users sign in: "email", "phone", "username",
	// "preferredUsername". Default: username only. Without "username",
	// email / phone *are* the username; with it they are aliases.
	// "preferredUsername" needs "username".
	Login []string
	// Triggers run functions on user pool events, by SST v2's names:
	// createAuthChallenge, customMessage, defineAuthChallenge,
	// postAuthentication, postConfirmation, preAuthentication, preSignUp,
	// preTokenGeneration, userMigration, verifyAuthChallengeResponse.
	Triggers map[string]FunctionProps
	// Defaults apply to every trigger function.
	Defaults CognitoDefaults
	// IdentityPool: created by default (SST v2's identityPoolFederation).
	IdentityPool CognitoIdentityPool
	// RemovalPolicy of the user pool (it holds your users): RemovalDestroy
	// or RemovalRetain; default the app's.
	RemovalPolicy RemovalPolicy
	// Cdk adjusts the raw Terraform resource configs before they are
	// created, for what these props do not cover.
	Cdk CognitoCdkProps
}

// CognitoDefaults apply to every trigger of a Cognito.
type CognitoDefaults struct {
	Function FunctionProps
}

// CognitoIdentityPool configures the identity pool that trades user pool
// (or social) tokens for temporary AWS credentials.
type CognitoIdentityPool struct {
	// Disabled: create no identity pool (and no IAM roles).
	Disabled bool
	// DisableUnauthenticated refuses guest identities (SST v2 allows them).
	DisableUnauthenticated bool
	// SupportedLoginProviders maps social providers to app ids, e.g.
	// {"accounts.google.com": "<client id>", "graph.facebook.com": "<app id>",
	// "www.amazon.com": "<app id>", "appleid.apple.com": "<services id>"}.
	SupportedLoginProviders map[string]string
	// OpenIDConnectProviderArns of IAM OIDC providers (e.g. Auth0) to trust.
	OpenIDConnectProviderArns []string
}

// CognitoCdkProps are escape hatches: functions that edit the raw provider
// configuration our props produced, just before each resource is created.
type CognitoCdkProps struct {
	UserPool       func(*cognitouserpool.CognitoUserPoolConfig)
	UserPoolClient func(*cognitouserpoolclient.CognitoUserPoolClientConfig)
	IdentityPool   func(*cognitoidentitypool.CognitoIdentityPoolConfig)
}

// Cognito is a user pool, a client, an identity pool with authenticated
// and unauthenticated IAM roles, and trigger functions.
type Cognito struct {
	stack    *Stack
	cid      string
	triggers map[string]*Function
	auth     []Statement
	unauth   []Statement
	Cdk      struct {
		UserPool        cognitouserpool.CognitoUserPool
		UserPoolClient  cognitouserpoolclient.CognitoUserPoolClient
		IdentityPool    cognitoidentitypool.CognitoIdentityPool
		RolesAttachment cognitoidentitypoolrolesattachment.CognitoIdentityPoolRolesAttachment
		AuthRole        iamrole.IamRole
		UnauthRole      iamrole.IamRole
		// AuthPolicy and UnauthPolicy exist once permissions are attached.
		AuthPolicy   iamrolepolicy.IamRolePolicy
		UnauthPolicy iamrolepolicy.IamRolePolicy
	}
}

var cognitoLogins = map[string]bool{"email": true, "phone": true, "username": true, "preferredUsername": true}

// cognitoTriggers maps SST v2's trigger names onto the provider's
// lambda_config fields.
var cognitoTriggers = map[string]func(*cognitouserpool.CognitoUserPoolLambdaConfig, *string){
	"createAuthChallenge":         func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.CreateAuthChallenge = a },
	"customMessage":               func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.CustomMessage = a },
	"defineAuthChallenge":         func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.DefineAuthChallenge = a },
	"postAuthentication":          func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.PostAuthentication = a },
	"postConfirmation":            func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.PostConfirmation = a },
	"preAuthentication":           func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.PreAuthentication = a },
	"preSignUp":                   func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.PreSignUp = a },
	"preTokenGeneration":          func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.PreTokenGeneration = a },
	"userMigration":               func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.UserMigration = a },
	"verifyAuthChallengeResponse": func(c *cognitouserpool.CognitoUserPoolLambdaConfig, a *string) { c.VerifyAuthChallengeResponse = a },
}

// NewCognito declares a Cognito user pool with a client and, unless
// disabled, an identity pool (SST v2's Cognito): it checks the props,
// then creates the trigger functions, the pool, the client and the
// identity pool with its two roles.
func NewCognito(s *Stack, id string, props CognitoProps) *Cognito {
	c := &Cognito{stack: s, cid: id, triggers: map[string]*Function{}}
	if !s.app.claimID(s, id, "Cognito") {
		return c
	}
	a := s.app
	where := fmt.Sprintf("stack %s: cognito %q", s.name, id)
	errs := len(a.errs)
	login := checkLogin(a, where, props.Login)
	checkTriggers(a, where, props.Triggers)
	checkIdentityPool(a, where, props.IdentityPool)
	removal := a.removalPolicy(where, props.RemovalPolicy)
	c.claimPartIDs(where, props.IdentityPool.Disabled)
	if len(a.errs) > errs {
		return c
	}
	s.add(c)

	// Trigger functions first: the pool's lambda_config names them.
	c.createTriggers(props.Triggers, props.Defaults.Function)
	c.createUserPool(login, removal, props.Cdk.UserPool)
	c.allowTriggers()
	c.createClient(props.Cdk.UserPoolClient)
	if !props.IdentityPool.Disabled {
		c.createIdentityPool(props.IdentityPool, props.Cdk.IdentityPool)
	}
	return c
}

// checkLogin returns the sign-in methods as a set.
func checkLogin(a *App, where string, methods []string) map[string]bool {
	login := map[string]bool{}
	for _, l := range methods {
		if !cognitoLogins[l] {
			a.errorf("%s: Login %q: use \"email\", \"phone\", \"username\" or \"preferredUsername\"", where, l)
		}
		login[l] = true
	}
	if login["preferredUsername"] && !login["username"] {
		a.errorf("%s: Login \"preferredUsername\" is an alias of the username: add \"username\" to Login", where)
	}
	return login
}

func checkTriggers(a *App, where string, triggers map[string]FunctionProps) {
	for _, name := range sortedKeys(triggers) {
		if _, ok := cognitoTriggers[name]; ok {
			continue
		}
		switch name {
		case "customEmailSender", "customSmsSender":
			a.errorf("%s: Triggers[%q] needs a KMS key; configure it through Cdk.UserPool (LambdaConfig.KmsKeyId and %s)", where, name, strings.ToUpper(name[:1])+name[1:])
		default:
			a.errorf("%s: Triggers[%q] is not a Cognito trigger; use one of %s", where, name, strings.Join(sortedKeys(cognitoTriggers), ", "))
		}
	}
}

func checkIdentityPool(a *App, where string, ip CognitoIdentityPool) {
	if ip.Disabled && (ip.DisableUnauthenticated || len(ip.SupportedLoginProviders) > 0 || len(ip.OpenIDConnectProviderArns) > 0) {
		a.errorf("%s: IdentityPool.Disabled is set together with other IdentityPool settings; remove one", where)
	}
	for _, k := range sortedKeys(ip.SupportedLoginProviders) {
		if k == "" || ip.SupportedLoginProviders[k] == "" {
			a.errorf("%s: IdentityPool.SupportedLoginProviders[%q]: provider and app id must both be set", where, k)
		}
	}
}

// claimPartIDs takes the ids the parts' Terraform ids (and role names)
// derive from: a function of the same id would collide with them.
func (c *Cognito) claimPartIDs(where string, noIdentityPool bool) {
	a, id := c.stack.app, c.cid
	suffixes := []string{"_client"}
	if !noIdentityPool {
		suffixes = append(suffixes, "_identity_pool", "_roles", "_authenticated", "_unauthenticated")
	}
	for _, suffix := range suffixes {
		if other, ok := a.ids[id+suffix]; ok {
			a.errorf("%s: the id %q is taken in stack %s, and this Cognito needs it for a part of its own: rename one", where, id+suffix, other)
		} else {
			a.ids[id+suffix] = c.stack.name
		}
	}
}

func (c *Cognito) createTriggers(triggers map[string]FunctionProps, defaults FunctionProps) {
	for _, name := range sortedKeys(triggers) {
		fn := newFunction(c.stack, c.cid, c.cid+"_trigger_"+name, triggers[name], defaults)
		if fn.Cdk.Function != nil {
			c.triggers[name] = fn
		}
	}
}

// createUserPool is the pool: case-insensitive usernames, self sign-up, a
// strong password policy, and the sign-in methods as username or alias
// attributes (auto-verified, and used for account recovery).
func (c *Cognito) createUserPool(login map[string]bool, removal RemovalPolicy, hook func(*cognitouserpool.CognitoUserPoolConfig)) {
	s := c.stack
	cfg := &cognitouserpool.CognitoUserPoolConfig{
		Name:                  jsii.String(naming.Cognito(s.Stage(), s.app.cfg.Name, c.cid)),
		UsernameConfiguration: &cognitouserpool.CognitoUserPoolUsernameConfiguration{CaseSensitive: jsii.Bool(false)},
		AdminCreateUserConfig: &cognitouserpool.CognitoUserPoolAdminCreateUserConfig{AllowAdminCreateUserOnly: jsii.Bool(false)},
		PasswordPolicy: &cognitouserpool.CognitoUserPoolPasswordPolicy{
			MinimumLength:                 jsii.Number(8),
			RequireLowercase:              jsii.Bool(true),
			RequireUppercase:              jsii.Bool(true),
			RequireNumbers:                jsii.Bool(true),
			RequireSymbols:                jsii.Bool(true),
			TemporaryPasswordValidityDays: jsii.Number(7),
		},
	}
	signInAttributes(cfg, login)
	if len(c.triggers) > 0 {
		lambda := &cognitouserpool.CognitoUserPoolLambdaConfig{}
		for _, name := range sortedKeys(c.triggers) {
			cognitoTriggers[name](lambda, c.triggers[name].Cdk.Function.Arn())
		}
		cfg.LambdaConfig = lambda
	}
	if hook != nil {
		hook(cfg)
	}
	s.app.claim(naming.KindUserPool, cfg.Name, c.cid)
	c.Cdk.UserPool = cognitouserpool.NewCognitoUserPool(s.tf, jsii.String(c.cid), cfg)
	if removal == RemovalRetain {
		s.retain(c.Cdk.UserPool)
	}
}

// signInAttributes: without "username", email and phone are the username;
// with it they (and preferred_username) are aliases.
func signInAttributes(cfg *cognitouserpool.CognitoUserPoolConfig, login map[string]bool) {
	var attrs, verified []string
	var recovery []*cognitouserpool.CognitoUserPoolAccountRecoverySettingRecoveryMechanism
	for _, m := range []struct{ login, attr string }{{"email", "email"}, {"phone", "phone_number"}} {
		if !login[m.login] {
			continue
		}
		attrs, verified = append(attrs, m.attr), append(verified, m.attr)
		recovery = append(recovery, &cognitouserpool.CognitoUserPoolAccountRecoverySettingRecoveryMechanism{
			Name: jsii.String("verified_" + m.attr), Priority: jsii.Number(float64(len(recovery) + 1)),
		})
	}
	if login["username"] {
		if login["preferredUsername"] {
			attrs = append(attrs, "preferred_username")
		}
		if len(attrs) > 0 {
			cfg.AliasAttributes = jsii.Strings(attrs...)
		}
	} else if len(attrs) > 0 {
		cfg.UsernameAttributes = jsii.Strings(attrs...)
	}
	if len(verified) > 0 {
		cfg.AutoVerifiedAttributes = jsii.Strings(verified...)
		cfg.AccountRecoverySetting = &cognitouserpool.CognitoUserPoolAccountRecoverySetting{RecoveryMechanism: recovery}
	}
}

// allowTriggers lets this pool, and only it, invoke the triggers.
func (c *Cognito) allowTriggers() {
	s := c.stack
	for _, name := range sortedKeys(c.triggers) {
		fn := c.triggers[name]
		lambdapermission.NewLambdaPermission(s.tf, jsii.String(fn.fid+"_permission"), &lambdapermission.LambdaPermissionConfig{
			Action:       jsii.String("lambda:InvokeFunction"),
			FunctionName: fn.Cdk.Function.FunctionName(),
			Principal:    jsii.String("cognito-idp.amazonaws.com"),
			SourceArn:    c.Cdk.UserPool.Arn(),
		})
	}
}

// createClient is a public client (no secret) for SRP and password sign-in.
func (c *Cognito) createClient(hook func(*cognitouserpoolclient.CognitoUserPoolClientConfig)) {
	s := c.stack
	cfg := &cognitouserpoolclient.CognitoUserPoolClientConfig{
		Name:                       jsii.String(naming.Cognito(s.Stage(), s.app.cfg.Name, c.cid)),
		UserPoolId:                 c.Cdk.UserPool.Id(),
		GenerateSecret:             jsii.Bool(false),
		ExplicitAuthFlows:          jsii.Strings("ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
		PreventUserExistenceErrors: jsii.String("ENABLED"),
		SupportedIdentityProviders: jsii.Strings("COGNITO"),
	}
	if hook != nil {
		hook(cfg)
	}
	s.app.claim(naming.KindUserPoolClient, cfg.Name, c.cid)
	c.Cdk.UserPoolClient = cognitouserpoolclient.NewCognitoUserPoolClient(s.tf, jsii.String(c.cid+"_client"), cfg)
}

func (c *Cognito) createIdentityPool(ip CognitoIdentityPool, hook func(*cognitoidentitypool.CognitoIdentityPoolConfig)) {
	s, a, id := c.stack, c.stack.app, c.cid
	cfg := &cognitoidentitypool.CognitoIdentityPoolConfig{
		IdentityPoolName:               jsii.String(naming.CognitoIdentityPool(s.Stage(), a.cfg.Name, id)),
		AllowUnauthenticatedIdentities: jsii.Bool(!ip.DisableUnauthenticated),
		CognitoIdentityProviders: []*cognitoidentitypool.CognitoIdentityPoolCognitoIdentityProviders{{
			ClientId:             c.Cdk.UserPoolClient.Id(),
			ProviderName:         c.Cdk.UserPool.Endpoint(),
			ServerSideTokenCheck: jsii.Bool(false),
		}},
	}
	if len(ip.SupportedLoginProviders) > 0 {
		m := map[string]*string{}
		for k, v := range ip.SupportedLoginProviders {
			m[k] = jsii.String(v)
		}
		cfg.SupportedLoginProviders = &m
	}
	if len(ip.OpenIDConnectProviderArns) > 0 {
		cfg.OpenidConnectProviderArns = jsii.Strings(ip.OpenIDConnectProviderArns...)
	}
	if hook != nil {
		hook(cfg)
	}
	a.claim(naming.KindIdentityPool, cfg.IdentityPoolName, id)
	pool := cognitoidentitypool.NewCognitoIdentityPool(s.tf, jsii.String(id+"_identity_pool"), cfg)
	c.Cdk.IdentityPool = pool
	role := func(kind string) iamrole.IamRole {
		return iamrole.NewIamRole(s.tf, jsii.String(id+"_"+kind+"_role"), &iamrole.IamRoleConfig{
			Name:             jsii.String(a.names.IAMRole(a.owner(id), id+"_"+kind)),
			AssumeRolePolicy: jsii.String(identityTrustPolicy(s.Region(), *pool.Id(), kind)),
		})
	}
	c.Cdk.AuthRole, c.Cdk.UnauthRole = role("authenticated"), role("unauthenticated")
	c.Cdk.RolesAttachment = cognitoidentitypoolrolesattachment.NewCognitoIdentityPoolRolesAttachment(s.tf, jsii.String(id+"_roles"), &cognitoidentitypoolrolesattachment.CognitoIdentityPoolRolesAttachmentConfig{
		IdentityPoolId: pool.Id(),
		Roles: &map[string]*string{
			"authenticated":   c.Cdk.AuthRole.Arn(),
			"unauthenticated": c.Cdk.UnauthRole.Arn(),
		},
	})
	if a.emulated() {
		// moto has no SetIdentityPoolRoles; the provider would retry its
		// 500s for minutes. The roles and the pool are still created.
		c.Cdk.RolesAttachment.SetCount(jsii.Number(0))
		a.emulatorWarn("Cognito %q (aws_cognito_identity_pool_roles_attachment.%s_roles): not created: the emulator does not implement SetIdentityPoolRoles; the identity pool has no roles attached", id, id)
	}
}

// identityTrustPolicy lets only Cognito Identity assume the role, and only
// for identities of this pool in the given state (amr "authenticated" or
// "unauthenticated").
func identityTrustPolicy(region, poolID, amr string) string {
	principal := "cognito-identity.amazonaws.com"
	if strings.HasPrefix(region, "us-gov-") {
		principal = "cognito-identity-us-gov.amazonaws.com"
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": principal},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{
				"StringEquals":           map[string]any{principal + ":aud": poolID},
				"ForAnyValue:StringLike": map[string]any{principal + ":amr": amr},
			},
		}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// AttachPermissionsForAuthUsers grants signed-in users' temporary
// credentials these permissions: constructs (e.g. a bucket's object access,
// an Api's execute-api:Invoke), statements or Service's shorthand.
// Unlike SST v2, the roles start with no permissions at all (SST v2 grants
// cognito-identity:* and cognito-sync:* on "*").
func (c *Cognito) AttachPermissionsForAuthUsers(p ...Permission) {
	c.attach(&c.auth, "AttachPermissionsForAuthUsers", p)
}

// AttachPermissionsForUnauthUsers grants guest identities these permissions.
func (c *Cognito) AttachPermissionsForUnauthUsers(p ...Permission) {
	c.attach(&c.unauth, "AttachPermissionsForUnauthUsers", p)
}

func (c *Cognito) attach(dst *[]Statement, method string, p []Permission) {
	s := c.stack
	if c.Cdk.UserPool == nil {
		return // already reported
	}
	where := fmt.Sprintf("stack %s: cognito %q: %s", s.name, c.cid, method)
	if c.Cdk.IdentityPool == nil {
		s.app.errorf("%s: the identity pool is disabled, so there are no user roles to grant to; remove IdentityPool.Disabled", where)
		return
	}
	if checkPermissions(s, where, p) {
		*dst = append(*dst, statementsOf(p)...)
	}
}

// AttachPermissionsForTriggers grants every trigger function permissions.
func (c *Cognito) AttachPermissionsForTriggers(p ...Permission) {
	for _, fn := range c.triggers {
		fn.AttachPermissions(p...)
	}
}

// BindForTriggers binds constructs to every trigger function.
func (c *Cognito) BindForTriggers(b ...Bindable) {
	for _, fn := range c.triggers {
		fn.Bind(b...)
	}
}

// Trigger returns the function of a trigger ("preSignUp", …), or nil.
func (c *Cognito) Trigger(name string) *Function { return c.triggers[name] }

// ID is the construct id.
func (c *Cognito) ID() string { return c.cid }

// UserPoolID is the user pool's id (a token until deploy).
func (c *Cognito) UserPoolID() string {
	if c.Cdk.UserPool == nil {
		return ""
	}
	return *c.Cdk.UserPool.Id()
}

// UserPoolArn is the user pool's ARN.
func (c *Cognito) UserPoolArn() string {
	if c.Cdk.UserPool == nil {
		return ""
	}
	return *c.Cdk.UserPool.Arn()
}

// UserPoolClientID is the client's id.
func (c *Cognito) UserPoolClientID() string {
	if c.Cdk.UserPoolClient == nil {
		return ""
	}
	return *c.Cdk.UserPoolClient.Id()
}

// IdentityPoolID is the identity pool's id, "" when it is disabled.
func (c *Cognito) IdentityPoolID() string {
	if c.Cdk.IdentityPool == nil {
		return ""
	}
	return *c.Cdk.IdentityPool.Id()
}

// Issuer is the URL of the user pool as a JWT issuer.
func (c *Cognito) Issuer() string {
	return "https://cognito-idp." + c.stack.Region() + ".amazonaws.com/" + c.UserPoolID()
}

// JWTAuthorizer is an Api authorizer accepting this user pool's tokens for
// its client:
//
//	sst.NewApi(s, "Api", sst.ApiProps{
//		Authorizers: map[string]sst.ApiAuthorizer{"jwt": auth.JWTAuthorizer()},
//		Defaults:    sst.ApiDefaults{Authorizer: "jwt"},
//	})
func (c *Cognito) JWTAuthorizer() ApiAuthorizer {
	return ApiAuthorizer{Type: "jwt", JWT: JWTConfig{Issuer: c.Issuer(), Audience: []string{c.UserPoolClientID()}}}
}

// Binding gives functions SST_Cognito_userPoolId_<id>,
// SST_Cognito_userPoolClientId_<id> and (with an identity pool)
// SST_Cognito_identityPoolId_<id>. Ids are not credentials, so no IAM is
// granted; grant admin actions explicitly with Permissions if needed.
func (c *Cognito) Binding() Binding {
	vars := map[string]string{"userPoolId": c.UserPoolID(), "userPoolClientId": c.UserPoolClientID()}
	if c.Cdk.IdentityPool != nil {
		vars["identityPoolId"] = c.IdentityPoolID()
	}
	return Binding{Type: "Cognito", ID: c.cid, Variables: vars}
}

func (c *Cognito) id() string { return c.cid }

func (c *Cognito) functions() []*Function {
	var fns []*Function
	for _, name := range sortedKeys(c.triggers) {
		fns = append(fns, c.triggers[name])
	}
	return fns
}

func (c *Cognito) finalize() {
	if c.Cdk.IdentityPool == nil {
		return
	}
	// A role policy with no statements is invalid: create one only when
	// something was granted.
	s := c.stack
	if len(c.auth) > 0 {
		c.Cdk.AuthPolicy = iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(c.cid+"_authenticated_policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name: jsii.String("sst-authenticated-users"), Role: c.Cdk.AuthRole.Name(), Policy: jsii.String(policyDocument(c.auth)),
		})
	}
	if len(c.unauth) > 0 {
		c.Cdk.UnauthPolicy = iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(c.cid+"_unauthenticated_policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name: jsii.String("sst-unauthenticated-users"), Role: c.Cdk.UnauthRole.Name(), Policy: jsii.String(policyDocument(c.unauth)),
		})
	}
}

func (c *Cognito) describe() manifest.Construct {
	data := map[string]string{}
	var binds []Bindable
	if c.Cdk.UserPool != nil {
		data[manifest.CognitoUserPoolID] = c.stack.resolveString(c.UserPoolID())
		data[manifest.CognitoUserPoolClientID] = c.stack.resolveString(c.UserPoolClientID())
		if c.Cdk.IdentityPool != nil {
			data[manifest.CognitoIdentityPoolID] = c.stack.resolveString(c.IdentityPoolID())
		}
		for _, fn := range c.functions() {
			binds = append(binds, fn.props.Bind...)
		}
	}
	return manifest.Construct{ID: c.cid, Type: "Cognito", Path: c.cid, Data: data, Binds: bindIDs(binds)}
}
