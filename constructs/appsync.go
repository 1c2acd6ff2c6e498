package sst

import (
	"cmp"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appsyncapikey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appsyncdatasource"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appsyncdomainname"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appsyncdomainnameapiassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appsyncgraphqlapi"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appsyncresolver"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/manifest"
)

// AppSyncApiProps configure a GraphQL API on AWS AppSync, SST v2's
// AppSyncApi.
type AppSyncApiProps struct {
	// Schema lists the GraphQL schema files, relative to the project root,
	// joined in order (SST v2's schema: a file or a list of files).
	Schema []string
	// DataSources by name ([_A-Za-z][_0-9A-Za-z]*), referenced from
	// resolvers.
	DataSources map[string]AppSyncApiDataSource
	// Resolvers map "Type field" ("Query listNotes", "Mutation
	// createNote") to what resolves the field.
	Resolvers map[string]AppSyncApiResolver
	// Defaults apply to every function the API creates.
	Defaults AppSyncApiDefaults
	// Auth is the default authorization mode; its zero value is an API
	// key, AppSync's and SST v2's default.
	Auth AppSyncApiAuth
	// AdditionalAuth are further modes a request may use instead.
	AdditionalAuth []AppSyncApiAuth
	// CustomDomain serves the API at https://<domain>/graphql (AppSync's
	// own CloudFront: the certificate is issued in us-east-1).
	CustomDomain *CustomDomain
}

// AppSyncApiDefaults apply to every function of an AppSyncApi.
type AppSyncApiDefaults struct {
	// Function props every data source's and resolver's function starts
	// from.
	Function FunctionProps
}

// AppSyncApiDataSource is where resolvers get data: a Lambda function,
// a DynamoDB table, an RDS cluster (through its Data API), an HTTP
// endpoint, or none (local resolvers).
type AppSyncApiDataSource struct {
	// Type is "function", "dynamodb", "rds", "http" or "none"; it may be
	// left out when Handler/Function/Fn, Table, RDS or Endpoint says it.
	Type string
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler string
	// Function props of a function data source, over Defaults.Function.
	Function FunctionProps
	// Fn is a function created elsewhere.
	Fn *Function
	// Table of a "dynamodb" data source.
	Table *Table
	// RDS cluster of an "rds" data source, and the database queried
	// (default the cluster's DefaultDatabaseName).
	RDS          *RDS
	DatabaseName string
	// Endpoint of an "http" data source: scheme and host (and port), no
	// path, e.g. "https://api.example.com".
	Endpoint    string
	Description string
}

// AppSyncApiResolver resolves one field: with a function of its own (a
// direct Lambda resolver, SST v2's "Query listNotes": "src/list.main"),
// or through a named data source with VTL mapping templates or an
// APPSYNC_JS Code file.
type AppSyncApiResolver struct {
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler string
	// Function props, over Defaults.Function.
	Function FunctionProps
	// Fn is a function created elsewhere.
	Fn *Function
	// DataSource is a name from DataSources.
	DataSource string
	// RequestMapping and ResponseMapping are VTL templates; a function
	// resolver without them is a direct Lambda resolver.
	RequestMapping, ResponseMapping AppSyncMappingTemplate
	// Code is a file (relative to the project root) holding an
	// APPSYNC_JS resolver's request and response functions.
	Code string
}

// AppSyncMappingTemplate is a VTL mapping template, inline or in a file
// relative to the project root.
type AppSyncMappingTemplate struct {
	Inline string
	File   string
}

// AppSyncApiAuth is one authorization mode.
type AppSyncApiAuth struct {
	// Type is "api_key" (default), "user_pool", "iam", "oidc" or
	// "lambda".
	Type string
	// ApiKeyExpires is when the API key ("api_key") expires; zero: 365
	// days (AppSync's longest) after the key is created, kept on later
	// deploys. Set a date to renew it.
	ApiKeyExpires time.Time
	// UserPool of "user_pool".
	UserPool AppSyncUserPool
	// OIDC provider of "oidc".
	OIDC AppSyncOIDC
	// Handler, Function or Fn is the authorizer function of "lambda".
	Handler  string
	Function FunctionProps
	Fn       *Function
	// ResultsCacheTTL is how long AppSync caches a Lambda authorizer's
	// answer, in whole seconds up to 1h (0: AppSync's default, 5 min).
	ResultsCacheTTL time.Duration
	// IdentityValidationExpression is a regular expression a token must
	// match before the authorizer runs.
	IdentityValidationExpression string
}

// AppSyncUserPool is a Cognito user pool whose tokens are accepted.
type AppSyncUserPool struct {
	// ID is the pool's id, e.g. auth.UserPoolID().
	ID string
	// DefaultAction for a token from the pool: "ALLOW" (default) or
	// "DENY" (then only fields with @aws_cognito_user_pools(cognito_groups)
	// admit it). Only the default mode has one.
	DefaultAction string
	// AppIDClientRegex limits the app clients accepted.
	AppIDClientRegex string
	// Region of the pool, default the stack's.
	Region string
}

// AppSyncOIDC is an OpenID Connect issuer whose tokens are accepted.
type AppSyncOIDC struct {
	Issuer   string
	ClientID string
	// AuthTTL and IatTTL bound a token's age since authentication and
	// since issue (0: no limit).
	AuthTTL, IatTTL time.Duration
}

// AppSyncApi is a GraphQL API.
type AppSyncApi struct {
	stack   *Stack
	aid     string
	props   AppSyncApiProps
	fields  map[string][]string
	sources map[string]*appSyncSource
	// fns are the functions the API created: data sources', resolvers',
	// the authorizer's.
	fns []*Function
	// modes are the authorization modes, SST v2's names.
	modes      []string
	authorizer *Function
	keyExpires time.Time
	domain     *domain
	Cdk        struct {
		GraphqlApi appsyncgraphqlapi.AppsyncGraphqlApi
		ApiKey     appsyncapikey.AppsyncApiKey
		// ApiKeyParameter holds the key for bound functions (SecureString).
		ApiKeyParameter ssmparameter.SsmParameter
		DataSources     map[string]appsyncdatasource.AppsyncDatasource
		Resolvers       map[string]appsyncresolver.AppsyncResolver
	}
}

type appSyncSource struct {
	typ string
	res appsyncdatasource.AppsyncDatasource
}

// appSyncAuthTypes maps SST v2's mode names to AppSync's.
var appSyncAuthTypes = map[string]string{"api_key": "API_KEY", "user_pool": "AMAZON_COGNITO_USER_POOLS", "iam": "AWS_IAM", "oidc": "OPENID_CONNECT", "lambda": "AWS_LAMBDA"}

// NewAppSyncApi declares a GraphQL API.
func NewAppSyncApi(s *Stack, id string, props AppSyncApiProps) *AppSyncApi {
	api := &AppSyncApi{stack: s, aid: id, props: props, sources: map[string]*appSyncSource{}}
	api.Cdk.DataSources = map[string]appsyncdatasource.AppsyncDatasource{}
	api.Cdk.Resolvers = map[string]appsyncresolver.AppsyncResolver{}
	if !s.app.claimID(s, id, "AppSyncApi") {
		return api
	}
	a := s.app
	where := fmt.Sprintf("stack %s: AppSyncApi %q", s.name, id)
	errs := len(a.errs)
	schema := api.readSchema(where)
	if len(a.errs) > errs {
		return api
	}
	s.add(api)
	cfg := &appsyncgraphqlapi.AppsyncGraphqlApiConfig{
		Name:        jsii.String(a.names.ApiGateway(a.owner(id), id)),
		Schema:      jsii.String(schema),
		XrayEnabled: jsii.Bool(true),
	}
	if !api.authModes(where, cfg) {
		return api
	}
	api.Cdk.GraphqlApi = appsyncgraphqlapi.NewAppsyncGraphqlApi(s.tf, jsii.String(id), cfg)
	api.authorizerPermission()
	if slices.Contains(api.modes, "api_key") {
		api.createApiKey()
	}
	for _, n := range sortedKeys(props.DataSources) {
		api.addDataSource(where, n, props.DataSources[n])
	}
	api.AddResolvers(props.Resolvers)
	if props.CustomDomain != nil {
		api.domain = newAppSyncDomain(s, where, id, api, props.CustomDomain)
	}
	return api
}

// readSchema joins the schema files and records the types' fields, for
// checking resolver keys.
func (api *AppSyncApi) readSchema(where string) string {
	a := api.stack.app
	if len(api.props.Schema) == 0 {
		a.errorf("%s: Schema is required: the GraphQL schema file(s), e.g. []string{\"graphql/schema.graphql\"}", where)
		return ""
	}
	var parts []string
	for _, f := range api.props.Schema {
		b, ok := api.readProjectFile(where, "Schema", f)
		if !ok {
			continue
		}
		if strings.TrimSpace(string(b)) == "" {
			a.errorf("%s: Schema %q is empty", where, f)
			continue
		}
		parts = append(parts, string(b))
	}
	joined := strings.Join(parts, "\n")
	api.fields = schemaFields(joined)
	return joined
}

// readProjectFile reads a file the synth depends on, relative to the
// project root, and records it so that editing it makes the next deploy
// synthesize again.
func (api *AppSyncApi) readProjectFile(where, prop, file string) ([]byte, bool) {
	a := api.stack.app
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(a.opts.ProjectDir, path)
	}
	if !inputs.Within(a.opts.ProjectDir, path) {
		a.errorf("%s: %s %q is outside the project %s: keep it in the project so every checkout finds it", where, prop, file, a.opts.ProjectDir)
		return nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		a.errorf("%s: %s %q: %v (paths are relative to the project root %s)", where, prop, file, err, a.opts.ProjectDir)
		return nil, false
	}
	if rec, err := inputs.HashFile(path); err == nil {
		a.read.Add(inputs.Set{Files: []inputs.File{rec}})
	} else {
		a.read.Add(inputs.Set{Unknown: fmt.Sprintf("%s could not be recorded: %v", path, err)})
	}
	return b, true
}

// authModes sets the default and additional authorization modes on cfg;
// false when one is wrong (said).
func (api *AppSyncApi) authModes(where string, cfg *appsyncgraphqlapi.AppsyncGraphqlApiConfig) bool {
	a := api.stack.app
	errs := len(a.errs)
	all := append([]AppSyncApiAuth{api.props.Auth}, api.props.AdditionalAuth...)
	var extra []*appsyncgraphqlapi.AppsyncGraphqlApiAdditionalAuthenticationProvider
	for i, m := range all {
		prop := "Auth"
		if i > 0 {
			prop = fmt.Sprintf("AdditionalAuth[%d]", i-1)
		}
		typ := m.Type
		if typ == "" {
			typ = "api_key"
		}
		awsType, ok := appSyncAuthTypes[typ]
		if !ok {
			a.errorf("%s: %s.Type %q: use \"api_key\", \"user_pool\", \"iam\", \"oidc\" or \"lambda\"", where, prop, m.Type)
			continue
		}
		if slices.Contains(api.modes, typ) && typ != "user_pool" && typ != "oidc" {
			a.errorf("%s: %s: %q is already a mode of this API; AppSync takes each of api_key, iam and lambda once", where, prop, typ)
			continue
		}
		api.modes = append(api.modes, typ)
		p := &appsyncgraphqlapi.AppsyncGraphqlApiAdditionalAuthenticationProvider{AuthenticationType: jsii.String(awsType)}
		switch typ {
		case "api_key":
			if !m.ApiKeyExpires.IsZero() && !m.ApiKeyExpires.After(time.Now()) {
				a.errorf("%s: %s.ApiKeyExpires %s is in the past: give a date up to 365 days ahead", where, prop, m.ApiKeyExpires.Format(time.RFC3339))
			}
		case "user_pool":
			up := m.UserPool
			if up.ID == "" {
				a.errorf("%s: %s.UserPool.ID is required, e.g. auth.UserPoolID()", where, prop)
				continue
			}
			action := strings.ToUpper(up.DefaultAction)
			switch {
			case action != "" && action != "ALLOW" && action != "DENY":
				a.errorf("%s: %s.UserPool.DefaultAction %q: use \"ALLOW\" or \"DENY\"", where, prop, up.DefaultAction)
				continue
			case action != "" && i > 0:
				a.errorf("%s: %s.UserPool.DefaultAction: only the default mode (Auth) has one; an additional user pool admits only fields marked @aws_cognito_user_pools", where, prop)
				continue
			case action == "" && i == 0:
				action = "ALLOW"
			}
			region := cmp.Or(up.Region, api.stack.Region())
			if i == 0 {
				cfg.UserPoolConfig = &appsyncgraphqlapi.AppsyncGraphqlApiUserPoolConfig{UserPoolId: jsii.String(up.ID), DefaultAction: jsii.String(action), AwsRegion: jsii.String(region), AppIdClientRegex: optString(up.AppIDClientRegex)}
			}
			p.UserPoolConfig = &appsyncgraphqlapi.AppsyncGraphqlApiAdditionalAuthenticationProviderUserPoolConfig{UserPoolId: jsii.String(up.ID), AwsRegion: jsii.String(region), AppIdClientRegex: optString(up.AppIDClientRegex)}
		case "oidc":
			o := m.OIDC
			if u, err := url.Parse(o.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
				a.errorf("%s: %s.OIDC.Issuer %q: give the issuer's https URL, e.g. \"https://accounts.google.com\"", where, prop, o.Issuer)
				continue
			}
			authTTL, iatTTL := o.AuthTTL.Milliseconds(), o.IatTTL.Milliseconds()
			if o.AuthTTL < 0 || o.IatTTL < 0 {
				a.errorf("%s: %s.OIDC: AuthTTL and IatTTL cannot be negative", where, prop)
				continue
			}
			if i == 0 {
				cfg.OpenidConnectConfig = &appsyncgraphqlapi.AppsyncGraphqlApiOpenidConnectConfig{Issuer: jsii.String(o.Issuer), ClientId: optString(o.ClientID), AuthTtl: optMillis(authTTL), IatTtl: optMillis(iatTTL)}
			}
			p.OpenidConnectConfig = &appsyncgraphqlapi.AppsyncGraphqlApiAdditionalAuthenticationProviderOpenidConnectConfig{Issuer: jsii.String(o.Issuer), ClientId: optString(o.ClientID), AuthTtl: optMillis(authTTL), IatTtl: optMillis(iatTTL)}
		case "lambda":
			if err := checkDuration(prop+".ResultsCacheTTL", m.ResultsCacheTTL, 0, time.Hour, time.Second); err != nil {
				a.errorf("%s: %v", where, err)
				continue
			}
			if m.Handler != "" && m.Function.Handler != "" {
				a.errorf("%s: %s: set Handler or Function.Handler, not both", where, prop)
				continue
			}
			if m.Handler == "" && m.Function.Handler == "" && m.Fn == nil {
				a.errorf("%s: %s: a lambda mode needs its authorizer: Handler, Function or Fn", where, prop)
				continue
			}
			fn := routeTarget(api.stack, api.aid, api.aid+"_authorizer", where+": "+prop, m.Handler, m.Function, m.Fn, FunctionProps{})
			if fn == nil {
				continue
			}
			if m.Fn == nil {
				api.fns = append(api.fns, fn)
			}
			api.authorizer = fn
			ttl := optNumber(seconds(m.ResultsCacheTTL))
			expr := optString(m.IdentityValidationExpression)
			if i == 0 {
				cfg.LambdaAuthorizerConfig = &appsyncgraphqlapi.AppsyncGraphqlApiLambdaAuthorizerConfig{AuthorizerUri: fn.Cdk.Function.Arn(), AuthorizerResultTtlInSeconds: ttl, IdentityValidationExpression: expr}
			}
			p.LambdaAuthorizerConfig = &appsyncgraphqlapi.AppsyncGraphqlApiAdditionalAuthenticationProviderLambdaAuthorizerConfig{AuthorizerUri: fn.Cdk.Function.Arn(), AuthorizerResultTtlInSeconds: ttl, IdentityValidationExpression: expr}
		}
		if i == 0 {
			cfg.AuthenticationType = jsii.String(awsType)
			if typ == "api_key" {
				api.keyExpires = m.ApiKeyExpires
			}
		} else {
			if typ == "api_key" {
				api.keyExpires = m.ApiKeyExpires
			}
			extra = append(extra, p)
		}
	}
	if len(extra) > 0 {
		cfg.AdditionalAuthenticationProvider = extra
	}
	return len(a.errs) == errs
}

// authorizerPermission lets AppSync call the Lambda authorizer.
func (api *AppSyncApi) authorizerPermission() {
	if api.authorizer == nil {
		return
	}
	lambdapermission.NewLambdaPermission(api.stack.tf, jsii.String(api.aid+"_authorizer_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: api.authorizer.Cdk.Function.FunctionName(),
		Principal:    jsii.String("appsync.amazonaws.com"),
		SourceArn:    api.Cdk.GraphqlApi.Arn(),
	})
}

// createApiKey creates the API key and keeps it in SSM (SecureString) for
// bound functions, as the apiKey binding's secret.
func (api *AppSyncApi) createApiKey() {
	s, a, id := api.stack, api.stack.app, api.aid
	cfg := &appsyncapikey.AppsyncApiKeyConfig{ApiId: api.Cdk.GraphqlApi.Id()}
	if api.keyExpires.IsZero() {
		// A date computed at synth would change every deploy: the first
		// plan's time fixes it and later plans leave it.
		cfg.Expires = jsii.String(`${timeadd(plantimestamp(), "8760h")}`)
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{IgnoreChanges: jsii.Strings("expires")}
	} else {
		// AppSync rounds expiry down to the hour; so does the key here,
		// or every plan would show a change.
		cfg.Expires = jsii.String(api.keyExpires.UTC().Truncate(time.Hour).Format(time.RFC3339))
	}
	api.Cdk.ApiKey = appsyncapikey.NewAppsyncApiKey(s.tf, jsii.String(id+"_api_key"), cfg)
	path := a.names.Claim(naming.KindSSMParameter, binding.SSMPath(binding.SSMPrefix(a.cfg.Name, a.opts.Stage), "AppSyncApi", id, "apiKey"), a.owner(id))
	api.Cdk.ApiKeyParameter = ssmparameter.NewSsmParameter(s.tf, jsii.String(id+"_api_key_parameter"), &ssmparameter.SsmParameterConfig{
		Name:      jsii.String(path),
		Type:      jsii.String("SecureString"),
		Value:     api.Cdk.ApiKey.Key(),
		Overwrite: jsii.Bool(true),
	})
}

// validDataSourceName reports whether AppSync accepts n as a data source
// name.
func validDataSourceName(n string) bool {
	for i, r := range n {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return n != "" && len(n) <= 65536
}

// dataSourceType is a data source's type, said or implied.
func dataSourceType(ds AppSyncApiDataSource) string {
	switch {
	case ds.Type != "":
		return ds.Type
	case ds.Handler != "" || ds.Function.Handler != "" || ds.Fn != nil:
		return "function"
	case ds.Table != nil:
		return "dynamodb"
	case ds.RDS != nil:
		return "rds"
	case ds.Endpoint != "":
		return "http"
	}
	return ""
}

func (api *AppSyncApi) addDataSource(where, name string, ds AppSyncApiDataSource) {
	s, a := api.stack, api.stack.app
	where = fmt.Sprintf("%s: data source %q", where, name)
	if !validDataSourceName(name) {
		a.errorf("%s: names are letters, digits and \"_\", starting with a letter or \"_\"; try %q", where, binding.EnvID(name))
		return
	}
	typ := dataSourceType(ds)
	if given := dataSourceType(AppSyncApiDataSource{Handler: ds.Handler, Function: ds.Function, Fn: ds.Fn, Table: ds.Table, RDS: ds.RDS, Endpoint: ds.Endpoint}); given != "" && given != typ {
		a.errorf("%s: Type %q, but the props of a %s data source are set: keep only those of %q", where, typ, given, typ)
		return
	}
	rid := api.aid + "_ds_" + name
	cfg := &appsyncdatasource.AppsyncDatasourceConfig{ApiId: api.Cdk.GraphqlApi.Id(), Name: jsii.String(name), Description: optString(ds.Description)}
	var grants []Statement
	switch typ {
	case "function":
		if ds.Handler != "" && ds.Function.Handler != "" {
			a.errorf("%s: set Handler or Function.Handler, not both", where)
			return
		}
		fn := routeTarget(s, api.aid, api.aid+"_"+name, where, ds.Handler, ds.Function, ds.Fn, api.props.Defaults.Function)
		if fn == nil {
			return
		}
		if ds.Fn == nil {
			api.fns = append(api.fns, fn)
		}
		cfg.Type = jsii.String("AWS_LAMBDA")
		cfg.LambdaConfig = &appsyncdatasource.AppsyncDatasourceLambdaConfig{FunctionArn: fn.Cdk.Function.Arn()}
		grants = fn.Statements()
	case "dynamodb":
		if ds.Table == nil {
			a.errorf("%s: Table is required for a dynamodb data source, e.g. Table: notes", where)
			return
		}
		if ds.Table.TableName() == "" {
			return // the table's own error is said
		}
		cfg.Type = jsii.String("AMAZON_DYNAMODB")
		cfg.DynamodbConfig = &appsyncdatasource.AppsyncDatasourceDynamodbConfig{TableName: jsii.String(ds.Table.TableName()), Region: jsii.String(s.Region())}
		grants = ds.Table.Binding().Permissions
	case "rds":
		if ds.RDS == nil {
			a.errorf("%s: RDS is required for an rds data source, e.g. RDS: db", where)
			return
		}
		if ds.RDS.ClusterArn() == "" {
			return // the cluster's own error is said
		}
		cfg.Type = jsii.String("RELATIONAL_DATABASE")
		cfg.RelationalDatabaseConfig = &appsyncdatasource.AppsyncDatasourceRelationalDatabaseConfig{
			SourceType: jsii.String("RDS_HTTP_ENDPOINT"),
			HttpEndpointConfig: &appsyncdatasource.AppsyncDatasourceRelationalDatabaseConfigHttpEndpointConfig{
				DbClusterIdentifier: jsii.String(ds.RDS.ClusterArn()),
				AwsSecretStoreArn:   jsii.String(ds.RDS.SecretArn()),
				DatabaseName:        jsii.String(cmp.Or(ds.DatabaseName, ds.RDS.DefaultDatabaseName())),
				Region:              jsii.String(s.Region()),
			},
		}
		grants = ds.RDS.Statements()
	case "http":
		if problem := checkHTTPEndpoint(ds.Endpoint); problem != "" {
			a.errorf("%s: Endpoint %q: %s", where, ds.Endpoint, problem)
			return
		}
		cfg.Type = jsii.String("HTTP")
		cfg.HttpConfig = &appsyncdatasource.AppsyncDatasourceHttpConfig{Endpoint: jsii.String(ds.Endpoint)}
	case "none":
		cfg.Type = jsii.String("NONE")
	default:
		a.errorf("%s: Type %q: use \"function\", \"dynamodb\", \"rds\", \"http\" or \"none\" (or set Handler, Table, RDS or Endpoint)", where, ds.Type)
		return
	}
	if len(grants) > 0 {
		// AppSync reaches the source through a role of its own, allowed
		// exactly that source.
		role := iamrole.NewIamRole(s.tf, jsii.String(rid+"_role"), &iamrole.IamRoleConfig{
			Name:             jsii.String(a.names.IAMRole(a.owner(api.aid), rid)),
			AssumeRolePolicy: jsii.String(assumeRolePolicy("appsync.amazonaws.com")),
		})
		pol := iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(rid+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String("sst-appsync-data-source"),
			Role:   role.Name(),
			Policy: jsii.String(policyDocument(grants)),
		})
		cfg.ServiceRoleArn = role.Arn()
		cfg.DependsOn = &[]cdktf.ITerraformDependable{pol}
	}
	res := appsyncdatasource.NewAppsyncDatasource(s.tf, jsii.String(rid), cfg)
	api.sources[name] = &appSyncSource{typ: typ, res: res}
	api.Cdk.DataSources[name] = res
}

// checkHTTPEndpoint is what AppSync would refuse about an HTTP data
// source's endpoint, "" when nothing (a token is taken as it is).
func checkHTTPEndpoint(e string) string {
	if strings.Contains(e, "${") {
		return ""
	}
	u, err := url.Parse(e)
	switch {
	case e == "":
		return "is required for an http data source, e.g. \"https://api.example.com\""
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return "give the scheme and host, e.g. \"https://api.example.com\""
	case u.Path != "" && u.Path != "/" || u.RawQuery != "":
		return "AppSync takes the endpoint's scheme and host only: put the path (" + u.Path + ") in the resolver's request mapping"
	}
	return ""
}

// AddResolvers adds resolvers after creation (SST's api.addResolvers).
func (api *AppSyncApi) AddResolvers(resolvers map[string]AppSyncApiResolver) {
	if api.Cdk.GraphqlApi == nil {
		return
	}
	for _, k := range sortedKeys(resolvers) {
		api.addResolver(k, resolvers[k])
	}
}

func (api *AppSyncApi) addResolver(key string, r AppSyncApiResolver) {
	s, a := api.stack, api.stack.app
	where := fmt.Sprintf("stack %s: AppSyncApi %q: resolver %q", s.name, api.aid, key)
	typ, field, ok := api.resolverField(where, key)
	if !ok {
		return
	}
	rid := api.aid + "_resolver_" + typ + "_" + field
	if _, dup := api.Cdk.Resolvers[typ+" "+field]; dup {
		a.errorf("%s: %s.%s already has a resolver", where, typ, field)
		return
	}
	withFn := r.Handler != "" || r.Function.Handler != "" || r.Fn != nil || !reflect.ValueOf(r.Function).IsZero()
	switch {
	case withFn && r.DataSource != "":
		a.errorf("%s: set a function (Handler, Function or Fn) or DataSource, not both", where)
		return
	case !withFn && r.DataSource == "":
		a.errorf("%s: give it a function (Handler, Function or Fn) or a DataSource (one of: %s)", where, strings.Join(sortedKeys(api.sources), ", "))
		return
	case r.Handler != "" && r.Function.Handler != "":
		a.errorf("%s: set Handler or Function.Handler, not both", where)
		return
	}
	cfg := &appsyncresolver.AppsyncResolverConfig{ApiId: api.Cdk.GraphqlApi.Id(), Type: jsii.String(typ), Field: jsii.String(field), Kind: jsii.String("UNIT")}
	srcType := "function"
	if withFn {
		// SST v2's "Query listNotes": handler: a function data source of
		// the resolver's own.
		name := typ + "_" + field
		if _, taken := api.sources[name]; taken {
			a.errorf("%s: its function's data source would be named %q, which DataSources already uses; rename that data source", where, name)
			return
		}
		api.addDataSource(fmt.Sprintf("stack %s: AppSyncApi %q: resolver %q", s.name, api.aid, key), name, AppSyncApiDataSource{Handler: r.Handler, Function: r.Function, Fn: r.Fn})
		if api.sources[name] == nil {
			return
		}
		cfg.DataSource = api.sources[name].res.Name()
	} else {
		src := api.sources[r.DataSource]
		if src == nil {
			if _, declared := api.props.DataSources[r.DataSource]; declared {
				return // its own error is said
			}
			a.errorf("%s: DataSource %q is not in DataSources (%s)", where, r.DataSource, strings.Join(sortedKeys(api.props.DataSources), ", "))
			return
		}
		srcType = src.typ
		cfg.DataSource = src.res.Name()
	}
	req, okReq := api.mapping(where, "RequestMapping", r.RequestMapping)
	resp, okResp := api.mapping(where, "ResponseMapping", r.ResponseMapping)
	if !okReq || !okResp {
		return
	}
	switch {
	case r.Code != "" && (req != "" || resp != ""):
		a.errorf("%s: set Code (APPSYNC_JS) or RequestMapping/ResponseMapping (VTL), not both", where)
		return
	case r.Code != "":
		b, ok := api.readProjectFile(where, "Code", r.Code)
		if !ok {
			return
		}
		cfg.Code = jsii.String(string(b))
		cfg.Runtime = &appsyncresolver.AppsyncResolverRuntime{Name: jsii.String("APPSYNC_JS"), RuntimeVersion: jsii.String("1.0.0")}
	case req != "" || resp != "":
		if req == "" || resp == "" {
			a.errorf("%s: give both RequestMapping and ResponseMapping (AppSync needs the pair)", where)
			return
		}
		cfg.RequestTemplate, cfg.ResponseTemplate = jsii.String(req), jsii.String(resp)
	case srcType != "function":
		a.errorf("%s: data source %q is %s: give RequestMapping and ResponseMapping (VTL) or Code (APPSYNC_JS); only a function resolves without them", where, r.DataSource, srcType)
		return
	}
	api.Cdk.Resolvers[typ+" "+field] = appsyncresolver.NewAppsyncResolver(s.tf, jsii.String(rid), cfg)
}

// resolverField splits "Type field" and checks the schema has it.
func (api *AppSyncApi) resolverField(where, key string) (string, string, bool) {
	a := api.stack.app
	parts := strings.Fields(key)
	if len(parts) != 2 || !validDataSourceName(parts[0]) || !validDataSourceName(parts[1]) {
		a.errorf("%s: keys are \"Type field\", e.g. \"Query listNotes\"", where)
		return "", "", false
	}
	typ, field := parts[0], parts[1]
	fields, ok := api.fields[typ]
	if !ok {
		a.errorf("%s: the schema has no type %s (types: %s)", where, typ, strings.Join(sortedKeys(api.fields), ", "))
		return "", "", false
	}
	if !slices.Contains(fields, field) {
		a.errorf("%s: type %s of the schema has no field %s (fields: %s)", where, typ, field, strings.Join(fields, ", "))
		return "", "", false
	}
	return typ, field, true
}

// mapping is a template's text, read from its file when it has one.
func (api *AppSyncApi) mapping(where, prop string, m AppSyncMappingTemplate) (string, bool) {
	switch {
	case m.Inline != "" && m.File != "":
		api.stack.app.errorf("%s: %s: set Inline or File, not both", where, prop)
		return "", false
	case m.File != "":
		b, ok := api.readProjectFile(where, prop+".File", m.File)
		return string(b), ok
	}
	return m.Inline, true
}

// newAppSyncDomain serves the API on cd: AppSync's domain (its own
// CloudFront, so a us-east-1 certificate) and an alias record.
func newAppSyncDomain(s *Stack, where, id string, api *AppSyncApi, cd *CustomDomain) *domain {
	d := siteDomain(s, where, id, cd)
	if d == nil {
		return nil
	}
	dn := appsyncdomainname.NewAppsyncDomainName(s.tf, jsii.String(id+"_domain"), &appsyncdomainname.AppsyncDomainNameConfig{
		DomainName:     jsii.String(d.name),
		CertificateArn: jsii.String(d.cert),
	})
	appsyncdomainnameapiassociation.NewAppsyncDomainNameApiAssociation(s.tf, jsii.String(id+"_domain_association"), &appsyncdomainnameapiassociation.AppsyncDomainNameApiAssociationConfig{
		ApiId:      api.Cdk.GraphqlApi.Id(),
		DomainName: dn.DomainName(),
	})
	route53record.NewRoute53Record(s.tf, jsii.String(id+"_domain_record"), &route53record.Route53RecordConfig{
		ZoneId: d.zone.ZoneId(),
		Name:   jsii.String(d.name),
		Type:   jsii.String("A"),
		Alias: &route53record.Route53RecordAlias{
			Name:                 dn.AppsyncDomainName(),
			ZoneId:               dn.HostedZoneId(),
			EvaluateTargetHealth: jsii.Bool(false),
		},
	})
	return d
}

// URL is the GraphQL endpoint: https://<domain>/graphql with a custom
// domain, else AppSync's (a token until deploy).
func (api *AppSyncApi) URL() string {
	if api.domain != nil {
		return "https://" + api.domain.name + "/graphql"
	}
	if api.Cdk.GraphqlApi == nil {
		return ""
	}
	return *api.Cdk.GraphqlApi.Uris().Lookup(jsii.String("GRAPHQL"))
}

// ApiID is AppSync's id for the API (a token until deploy).
func (api *AppSyncApi) ApiID() string {
	if api.Cdk.GraphqlApi == nil {
		return ""
	}
	return *api.Cdk.GraphqlApi.Id()
}

// Arn is the API's ARN (a token until deploy).
func (api *AppSyncApi) Arn() string {
	if api.Cdk.GraphqlApi == nil {
		return ""
	}
	return *api.Cdk.GraphqlApi.Arn()
}

// ID is the construct id.
func (api *AppSyncApi) ID() string { return api.aid }

// DataSource returns a data source by name (a resolver's own function
// data source is "<Type>_<field>"), or nil.
func (api *AppSyncApi) DataSource(name string) appsyncdatasource.AppsyncDatasource {
	return api.Cdk.DataSources[name]
}

// Statements grants calling every field with IAM-signed requests (an API
// with an "iam" mode), as a Permission.
func (api *AppSyncApi) Statements() []Statement {
	return []Statement{Allow([]string{"appsync:GraphQL"}, api.Arn()+"/types/*")}
}

// Binding gives functions SST_AppSyncApi_url_<id> and _apiId_<id>, and,
// with an API key, SST_AppSyncApi_apiKey_<id> as a secret: the
// placeholder in the environment, the key in SSM (ssm:GetParameters on
// that parameter only). An API with an "iam" mode grants calling it.
func (api *AppSyncApi) Binding() Binding {
	b := Binding{Type: "AppSyncApi", ID: api.aid, Variables: map[string]string{"url": api.URL(), "apiId": api.ApiID()}}
	if api.Cdk.ApiKeyParameter != nil {
		b.Variables["apiKey"] = SecretPlaceholder
		b.Permissions = append(b.Permissions, Allow([]string{"ssm:GetParameters"}, *api.Cdk.ApiKeyParameter.Arn()))
	}
	if slices.Contains(api.modes, "iam") {
		b.Permissions = append(b.Permissions, api.Statements()...)
	}
	return b
}

func (api *AppSyncApi) id() string { return api.aid }

func (api *AppSyncApi) functions() []*Function { return api.fns }

func (api *AppSyncApi) describe() manifest.Construct {
	c := manifest.Construct{ID: api.aid, Type: "AppSyncApi", Path: api.aid, Data: map[string]string{}}
	if api.Cdk.GraphqlApi != nil {
		c.Data[manifest.ApiURL] = api.stack.resolveString(api.URL())
	}
	c.Binds = functionBinds(api.fns)
	return c
}

func optString(v string) *string {
	if v == "" {
		return nil
	}
	return jsii.String(v)
}

func optNumber(v float64) *float64 {
	if v == 0 {
		return nil
	}
	return jsii.Number(v)
}

func optMillis(ms int64) *float64 { return optNumber(float64(ms)) }

// schemaFields lists each object type's fields in a GraphQL schema
// (type and extend type definitions; arguments, directives, strings and
// comments skipped): enough to tell a resolver key naming a field that
// does not exist, before AppSync refuses it in the middle of a deploy.
func schemaFields(src string) map[string][]string {
	toks := graphqlTokens(src)
	out := map[string][]string{}
	for i := 0; i < len(toks); i++ {
		if toks[i] != "type" || i+1 >= len(toks) || (i > 0 && toks[i-1] == "@") {
			continue
		}
		name := toks[i+1]
		j := i + 2
		for j < len(toks) && toks[j] != "{" && toks[j] != "type" {
			j++
		}
		if j >= len(toks) || toks[j] != "{" {
			continue
		}
		fields := out[name]
		depth, parens := 1, 0
		for j++; j < len(toks) && depth > 0; j++ {
			switch t := toks[j]; t {
			case "{":
				depth++
			case "}":
				depth--
			case "(":
				parens++
			case ")":
				parens--
			default:
				if depth == 1 && parens == 0 && toks[j-1] != "@" && j+1 < len(toks) && (toks[j+1] == ":" || toks[j+1] == "(") && isGraphQLName(t) {
					fields = append(fields, t)
				}
			}
		}
		out[name] = fields
		i = j - 1
	}
	return out
}

// graphqlTokens splits GraphQL source into names and punctuators,
// dropping white space, commas, comments and strings.
func graphqlTokens(src string) []string {
	var toks []string
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], `"""`):
			end := strings.Index(src[i+3:], `"""`)
			if end < 0 {
				return toks
			}
			i += end + 6
		case c == '"':
			i++
			for i < len(src) && src[i] != '"' && src[i] != '\n' {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		case strings.ContainsRune("{}():@[]!=|&$", rune(c)):
			toks = append(toks, string(c))
			i++
		default:
			i++
		}
	}
	return toks
}

func isGraphQLName(t string) bool { return t != "" && validDataSourceName(t) }
