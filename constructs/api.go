package sst

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2api"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2authorizer"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2integration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2stage"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/route"
	"github.com/sst-tf/sst/manifest"
)

// ApiProps configure an HTTP API (API Gateway v2).
type ApiProps struct {
	// Routes map route keys ("GET /notes/{id}", "$default") to handlers.
	Routes map[string]ApiRoute
	// Defaults apply to every route.
	Defaults ApiDefaults
	// Cors: nil enables SST's permissive default (any origin, method and
	// header); set Disabled to turn CORS off.
	Cors *Cors
	// AccessLog: access logging to CloudWatch, on by default.
	AccessLog *ApiAccessLog
	// Authorizers by name, referenced from routes and defaults.
	Authorizers map[string]ApiAuthorizer
	// CustomDomain serves the API on your domain (ACM + Route53).
	CustomDomain *CustomDomain
}

// ApiDefaults apply to every route of an Api.
type ApiDefaults struct {
	// Function props every route's function starts from.
	Function FunctionProps
	// Authorizer: a name from Authorizers, "iam", or "none" (default).
	Authorizer string
	// AuthorizationScopes for JWT authorizers.
	AuthorizationScopes []string
	// PayloadFormatVersion of every route's Lambda event: "2.0" (default)
	// or "1.0" (API Gateway REST-style events).
	PayloadFormatVersion string
	// Throttle limits the requests of every route.
	Throttle ApiThrottle
}

// ApiThrottle is API Gateway's token bucket for a stage's routes; a zero
// field leaves that limit to the account's default.
type ApiThrottle struct {
	// Burst is how many requests may arrive at once.
	Burst int
	// Rate is the steady requests per second.
	Rate float64
}

// ApiRoute is one route's target: a function (a handler shorthand, full
// function props or an existing function), an HTTP endpoint the route
// proxies to (URL), or an AWS service action API Gateway calls itself (AWS).
type ApiRoute struct {
	// Type is "function", "url" or "aws"; empty means whichever of
	// URL, AWS or the function fields is set (SST v2 required it).
	Type string
	// URL (Type "url") is the HTTP(S) endpoint requests are proxied to,
	// method, headers, query string and body as they came; {name} path
	// parameters of the route key may appear in it, e.g.
	// "https://example.com/notes/{id}".
	URL string
	// AWS (Type "aws") calls a service action directly, e.g. putting the
	// request body on a queue, with a role only API Gateway can assume.
	AWS *ApiAwsRoute
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler string
	// Function props, layered over Defaults.Function.
	Function FunctionProps
	// Fn serves the route with a function created elsewhere (SST v2's
	// `function: fn`). Defaults.Function does not apply to it, so an Api
	// with Defaults.Function refuses one.
	Fn *Function
	// Authorizer overrides the default: a name, "iam" or "none".
	Authorizer          string
	AuthorizationScopes []string
	// PayloadFormatVersion overrides Defaults.PayloadFormatVersion.
	PayloadFormatVersion string
	// internal marks routes a construct adds (an Auth's): their shared
	// function is not the app's to layer Defaults.Function on.
	internal bool
}

// ApiAwsRoute is an AWS service integration (SST v2's route type "aws",
// there given as CDK's integration props).
type ApiAwsRoute struct {
	// Subtype is API Gateway's integration subtype: "EventBridge-PutEvents",
	// "SQS-SendMessage", "SQS-ReceiveMessage", "SQS-DeleteMessage",
	// "SQS-PurgeQueue", "Kinesis-PutRecord", "StepFunctions-StartExecution",
	// "StepFunctions-StartSyncExecution", "StepFunctions-StopExecution" or
	// "AppConfig-GetConfiguration".
	Subtype string
	// Parameters map the action's parameters to constants or request
	// values, e.g. {"QueueUrl": queue.URL(), "MessageBody": "$request.body.message"}.
	Parameters map[string]string
	// Resources are the ARNs the route's role may call the action on, e.g.
	// queue.Arn(). Required: "*" grants any, as SST v2 did.
	Resources []string
}

// ApiAuthorizer is a user pool, JWT or Lambda authorizer.
type ApiAuthorizer struct {
	// Type "user_pool" (a Cognito user pool), "jwt" or "lambda".
	Type string
	// UserPool (Type "user_pool") whose tokens are accepted.
	UserPool ApiUserPool
	// JWT configuration (Type "jwt").
	JWT JWTConfig
	// Function props of a Lambda authorizer (Type "lambda").
	Function FunctionProps
	// Fn is an existing function to use as the Lambda authorizer instead
	// of one made from Function.
	Fn *Function
	// IdentitySource, default ["$request.header.Authorization"].
	IdentitySource []string
	// ResultsCacheTTL is how long API Gateway caches a Lambda authorizer's
	// answer, in whole seconds up to 1h (0 = no cache).
	ResultsCacheTTL time.Duration
	// SimpleResponses: the Lambda authorizer answers {"isAuthorized": bool}
	// and gets payload format 2.0 events. Default, as in SST v2: it answers
	// with an IAM policy and gets payload format 1.0 events.
	SimpleResponses bool
}

// ApiUserPool names a Cognito user pool and the app clients whose tokens
// an authorizer accepts, e.g. {ID: auth.UserPoolID(), ClientIDs:
// []string{auth.UserPoolClientID()}}.
type ApiUserPool struct {
	ID        string
	ClientIDs []string
	// Region of the pool; default the stack's.
	Region string
}

// JWTConfig names the issuer and audiences tokens must carry.
type JWTConfig struct {
	Issuer   string
	Audience []string
}

// ApiAccessLog configures access logging.
type ApiAccessLog struct {
	Disabled bool
	// Format of each line; default a JSON line with the usual request fields.
	Format string
	// Retention is how long CloudWatch keeps the log, one of its periods
	// in days, e.g. sst.Days(30); default never expire.
	Retention time.Duration
}

// Cors configures cross-origin requests.
type Cors struct {
	Disabled         bool
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight answer, in whole
	// seconds up to 24h.
	MaxAge time.Duration
}

// check reports settings the services reject; prop names where c is set.
func (c Cors) check(prop string) error {
	return checkDuration(prop+".MaxAge", c.MaxAge, 0, 24*time.Hour, time.Second)
}

func (c Cors) withDefaults() Cors {
	if len(c.AllowOrigins) == 0 {
		c.AllowOrigins = []string{"*"}
	}
	if len(c.AllowMethods) == 0 {
		c.AllowMethods = []string{"*"}
	}
	if len(c.AllowHeaders) == 0 {
		c.AllowHeaders = []string{"*"}
	}
	return c
}

// enabledCors is c with defaults, nil when CORS is disabled (nil c is
// the default configuration).
func enabledCors(c *Cors) *Cors {
	if c != nil && c.Disabled {
		return nil
	}
	var out Cors
	if c != nil {
		out = *c
	}
	out = out.withDefaults()
	return &out
}

// devManifest is c as `sst dev`'s gateway reads it; nil stays nil.
func (c *Cors) devManifest() *manifest.ApiCors {
	if c == nil {
		return nil
	}
	return &manifest.ApiCors{
		AllowOrigins: c.AllowOrigins, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders,
		ExposeHeaders: c.ExposeHeaders, AllowCredentials: c.AllowCredentials, MaxAge: int(c.MaxAge / time.Second),
	}
}

// CustomDomain maps a domain onto an Api or site.
type CustomDomain struct {
	// DomainName, e.g. "api.example.com".
	DomainName string
	// HostedZone is the Route53 zone name holding DomainName, e.g.
	// "example.com". Default: DomainName without its first label.
	HostedZone string
	// CertificateArn of an existing ACM certificate; default one is issued
	// and validated through DNS in HostedZone.
	CertificateArn string
}

const defaultAccessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationError":"$context.integrationErrorMessage"}`

// Api is an HTTP API whose routes run Lambda functions.
type Api struct {
	stack  *Stack
	aid    string
	props  ApiProps
	routes []apiRoute
	authz  map[string]*apiAuthorizer
	// badAuthz are authorizers whose definition failed (and said why):
	// routes naming them are that error's consequence, not new ones.
	badAuthz map[string]bool
	domain   *domain
	// auth is the Auth attached to the api: every route is bound to it.
	auth *Auth
	Cdk  struct {
		Api   apigatewayv2api.Apigatewayv2Api
		Stage apigatewayv2stage.Apigatewayv2Stage
	}
}

type apiRoute struct {
	key route.Key
	// kind is "function", "url" or "aws"; fn is set for "function" only.
	kind string
	fn   *Function
	// url is a url route's endpoint, subtype an aws route's.
	url, subtype string
	// integration is an aws route's integration's Terraform address.
	integration string
	auth        string
	// format is the route's payload format version.
	format string
	// shared is a function created elsewhere (ApiRoute.Fn): its own
	// construct completes and lists it.
	shared bool
}

type apiAuthorizer struct {
	typ    string
	res    apigatewayv2authorizer.Apigatewayv2Authorizer
	fn     *Function
	shared bool
	dev    manifest.ApiAuthorizer
}

// NewApi declares an HTTP API.
func NewApi(s *Stack, id string, props ApiProps) *Api {
	api := &Api{stack: s, aid: id, props: props, authz: map[string]*apiAuthorizer{}, badAuthz: map[string]bool{}}
	if !s.app.claimID(s, id, "Api") {
		return api
	}
	s.add(api)
	a := s.app
	name := a.names.ApiGateway(a.owner(id), id)
	cfg := &apigatewayv2api.Apigatewayv2ApiConfig{
		Name:         jsii.String(name),
		ProtocolType: jsii.String("HTTP"),
	}
	cors := Cors{}
	if props.Cors != nil {
		cors = *props.Cors
	}
	if err := cors.check("Cors"); err != nil && !cors.Disabled {
		a.errorf("stack %s: api %q: %v", s.name, id, err)
	}
	if !cors.Disabled {
		c := cors.withDefaults()
		cfg.CorsConfiguration = &apigatewayv2api.Apigatewayv2ApiCorsConfiguration{
			AllowOrigins:     jsii.Strings(c.AllowOrigins...),
			AllowMethods:     jsii.Strings(c.AllowMethods...),
			AllowHeaders:     jsii.Strings(c.AllowHeaders...),
			AllowCredentials: jsii.Bool(c.AllowCredentials),
		}
		if len(c.ExposeHeaders) > 0 {
			cfg.CorsConfiguration.ExposeHeaders = jsii.Strings(c.ExposeHeaders...)
		}
		if c.MaxAge > 0 {
			cfg.CorsConfiguration.MaxAge = jsii.Number(seconds(c.MaxAge))
		}
	}
	api.Cdk.Api = apigatewayv2api.NewApigatewayv2Api(s.tf, jsii.String(id), cfg)

	stageCfg := &apigatewayv2stage.Apigatewayv2StageConfig{
		ApiId:      api.Cdk.Api.Id(),
		Name:       jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
	}
	if t := props.Defaults.Throttle; t != (ApiThrottle{}) {
		if t.Burst < 0 || t.Rate < 0 {
			a.errorf("stack %s: api %q: Defaults.Throttle {Burst: %d, Rate: %g}: limits must be positive (0 leaves one to the account's default)", s.name, id, t.Burst, t.Rate)
		}
		rs := &apigatewayv2stage.Apigatewayv2StageDefaultRouteSettings{}
		if t.Burst > 0 {
			rs.ThrottlingBurstLimit = jsii.Number(float64(t.Burst))
		}
		if t.Rate > 0 {
			rs.ThrottlingRateLimit = jsii.Number(t.Rate)
		}
		stageCfg.DefaultRouteSettings = rs
	}
	if v := props.Defaults.PayloadFormatVersion; v != "" && !validPayloadFormat(v) {
		a.errorf("stack %s: api %q: Defaults.PayloadFormatVersion %q: use \"2.0\" (the default) or \"1.0\"", s.name, id, v)
	}
	if al := props.AccessLog; al == nil || !al.Disabled {
		format, retention := defaultAccessLogFormat, time.Duration(0)
		if al != nil {
			if al.Format != "" {
				format = al.Format
			}
			retention = al.Retention
		}
		days, err := checkRetention("AccessLog.Retention", retention)
		if err != nil {
			a.errorf("stack %s: api %q: %v", s.name, id, err)
		}
		lg := cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_access_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Name:            jsii.String(a.names.Claim(naming.KindLogGroup, "/aws/vendedlogs/apis/"+name, a.owner(id))),
			RetentionInDays: jsii.Number(float64(days)),
		})
		stageCfg.AccessLogSettings = &apigatewayv2stage.Apigatewayv2StageAccessLogSettings{
			DestinationArn: lg.Arn(),
			Format:         jsii.String(format),
		}
	}
	api.Cdk.Stage = apigatewayv2stage.NewApigatewayv2Stage(s.tf, jsii.String(id+"_stage"), stageCfg)

	for _, name := range sortedKeys(props.Authorizers) {
		api.addAuthorizer(name, props.Authorizers[name])
	}
	if d := props.Defaults.Authorizer; d != "" && d != "none" && d != "iam" && api.authz[d] == nil && !api.badAuthz[d] {
		a.errorf("stack %s: api %q: Defaults.Authorizer %q is not defined in Authorizers (%s)", s.name, id, d, authChoices(sortedKeys(props.Authorizers)))
	}
	api.AddRoutes(props.Routes)
	if props.CustomDomain != nil {
		api.domain = newApiDomain(s, id, api.Cdk.Api.Id(), api.Cdk.Stage.Id(), *props.CustomDomain)
	}
	return api
}

// routeAuthorization is the authorizer a route uses (its own, else the
// default, else "none") and its scopes (likewise).
func routeAuthorization(auth, defaultAuth string, scopes, defaultScopes []string) (string, []string) {
	if len(scopes) == 0 {
		scopes = defaultScopes
	}
	return cmp.Or(auth, defaultAuth, "none"), scopes
}

// undefinedAuthorizer reports a route's Authorizer (given) that names no
// authorizer — unless the name came from Defaults.Authorizer or names an
// authorizer whose definition failed: those were reported once already.
func undefinedAuthorizer(a *App, where, given, name string, bad map[string]bool, defined []string) {
	if given == "" || bad[name] {
		return
	}
	a.errorf("%s: Authorizer %q is not defined in Authorizers (%s)", where, name, authChoices(defined))
}

// authChoices lists what an Authorizer may name: the defined authorizers,
// "iam" and "none".
func authChoices(defined []string) string {
	q := make([]string, 0, len(defined)+2)
	for _, s := range append(append([]string{}, defined...), "iam") {
		q = append(q, fmt.Sprintf("%q", s))
	}
	return "use one of " + strings.Join(q, ", ") + ` or "none"`
}

// validPayloadFormat reports whether v is a payload format version HTTP
// APIs offer Lambda integrations.
func validPayloadFormat(v string) bool { return v == "1.0" || v == "2.0" }

func (api *Api) addAuthorizer(name string, az ApiAuthorizer) {
	s, a := api.stack, api.stack.app
	where := fmt.Sprintf("stack %s: api %q: authorizer %q", s.name, api.aid, name)
	api.badAuthz[name] = true // until it is defined
	if name == "none" || name == "iam" {
		a.errorf("%s: %q is reserved; pick another name", where, name)
		return
	}
	sources := az.IdentitySource
	if len(sources) == 0 {
		sources = []string{"$request.header.Authorization"}
	}
	rid := api.aid + "_authorizer_" + binding.EnvID(name)
	switch az.Type {
	case "user_pool":
		// What SST v2's user pool authorizer was: a JWT authorizer whose
		// issuer is the pool and whose audiences are its clients.
		up := az.UserPool
		if up.ID == "" || len(up.ClientIDs) == 0 {
			a.errorf("%s: user_pool authorizers need UserPool.ID and UserPool.ClientIDs, e.g. sst.ApiUserPool{ID: auth.UserPoolID(), ClientIDs: []string{auth.UserPoolClientID()}}", where)
			return
		}
		az.JWT = JWTConfig{Issuer: "https://cognito-idp." + cmp.Or(up.Region, s.Region()) + ".amazonaws.com/" + up.ID, Audience: up.ClientIDs}
		fallthrough
	case "jwt":
		if az.JWT.Issuer == "" || len(az.JWT.Audience) == 0 {
			a.errorf("%s: JWT authorizers need JWT.Issuer and JWT.Audience", where)
			return
		}
		res := apigatewayv2authorizer.NewApigatewayv2Authorizer(s.tf, jsii.String(rid), &apigatewayv2authorizer.Apigatewayv2AuthorizerConfig{
			ApiId:           api.Cdk.Api.Id(),
			AuthorizerType:  jsii.String("JWT"),
			Name:            jsii.String(name),
			IdentitySources: jsii.Strings(sources...),
			JwtConfiguration: &apigatewayv2authorizer.Apigatewayv2AuthorizerJwtConfiguration{
				Issuer:   jsii.String(az.JWT.Issuer),
				Audience: jsii.Strings(az.JWT.Audience...),
			},
		})
		api.authz[name] = &apiAuthorizer{typ: "jwt", res: res, dev: manifest.ApiAuthorizer{
			Type: "jwt", Issuer: s.resolveString(az.JWT.Issuer), Audience: resolveStrings(s, az.JWT.Audience), IdentitySource: sources,
		}}
	case "lambda":
		if err := checkDuration("ResultsCacheTTL", az.ResultsCacheTTL, 0, time.Hour, time.Second); err != nil {
			a.errorf("%s: %v", where, err)
			return
		}
		// The authorizer resource takes rid; its function needs an id of
		// its own (construct ids are unique per stack whatever the type).
		fn, shared := routeTarget(s, api.aid, rid+"_function", where, "", az.Function, az.Fn, FunctionProps{}), az.Fn != nil
		if fn == nil {
			return
		}
		// SST v2's default response type is an IAM policy, which CDK pairs
		// with payload format 1.0; simple responses need 2.0.
		format := "1.0"
		if az.SimpleResponses {
			format = "2.0"
		}
		res := apigatewayv2authorizer.NewApigatewayv2Authorizer(s.tf, jsii.String(rid), &apigatewayv2authorizer.Apigatewayv2AuthorizerConfig{
			ApiId:                          api.Cdk.Api.Id(),
			AuthorizerType:                 jsii.String("REQUEST"),
			Name:                           jsii.String(name),
			IdentitySources:                jsii.Strings(sources...),
			AuthorizerUri:                  fn.Cdk.Function.InvokeArn(),
			AuthorizerPayloadFormatVersion: jsii.String(format),
			EnableSimpleResponses:          jsii.Bool(az.SimpleResponses),
			AuthorizerResultTtlInSeconds:   jsii.Number(seconds(az.ResultsCacheTTL)),
		})
		allowAPIGateway(s, rid+"_permission", fn, *api.Cdk.Api.ExecutionArn()+"/authorizers/"+*res.Id())
		api.authz[name] = &apiAuthorizer{typ: "lambda", res: res, fn: fn, shared: shared, dev: manifest.ApiAuthorizer{
			Type: "lambda", Function: fn.fid, IdentitySource: sources, SimpleResponses: az.SimpleResponses, PayloadFormatVersion: format,
		}}
	default:
		a.errorf("%s: Type %q: use \"user_pool\", \"jwt\" or \"lambda\" (IAM needs no authorizer: set a route's Authorizer to \"iam\")", where, az.Type)
		return
	}
	delete(api.badAuthz, name)
}

// routeTarget is the function serving a route of API owner: shared (a
// function created elsewhere, Fn) or a new one with id fid from handler or
// props layered over defaults. It is nil after an error, reported with
// where.
func routeTarget(s *Stack, owner, fid, where, handler string, props FunctionProps, shared *Function, defaults FunctionProps) *Function {
	a := s.app
	if shared != nil {
		if problem := checkSharedFunction(s, shared, handler != "" || props.Handler != ""); problem != "" {
			a.errorf("%s: Fn %s", where, problem)
			return nil
		}
		if !reflect.ValueOf(defaults).IsZero() {
			a.errorf("%s: Fn is a function created elsewhere, which Defaults.Function cannot apply to: give the route Function props instead, or move Defaults.Function's props onto each route", where)
			return nil
		}
		return shared
	}
	if handler != "" {
		props.Handler = handler
	}
	fn := newFunction(s, owner, fid, props, defaults)
	if fn.Cdk.Function == nil {
		return nil
	}
	return fn
}

// allowAPIGateway lets API Gateway invoke fn from sourceArn (an API's
// routes or one authorizer), as permission id.
func allowAPIGateway(s *Stack, id string, fn *Function, sourceArn string) {
	lambdapermission.NewLambdaPermission(s.tf, jsii.String(id), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("apigateway.amazonaws.com"),
		SourceArn:    jsii.String(sourceArn),
	})
}

// checkSharedFunction is what is wrong with an existing function given to
// an Api, "" when nothing is; withProps is set when function props were
// given too.
func checkSharedFunction(s *Stack, fn *Function, withProps bool) string {
	if fn.Cdk.Function == nil {
		return "is a function that failed to build (see its error)"
	}
	if withProps {
		return "and Function props are both set: use one (the function's own props apply to it)"
	}
	return ""
}

// AddRoutes adds routes after creation (SST's api.addRoutes).
func (api *Api) AddRoutes(routes map[string]ApiRoute) {
	if api.Cdk.Api == nil {
		return
	}
	for _, k := range sortedKeys(routes) {
		api.addRoute(k, routes[k])
	}
}

func (api *Api) addRoute(rawKey string, r ApiRoute) {
	s, a := api.stack, api.stack.app
	key, err := route.Parse(rawKey)
	if err != nil {
		a.errorf("stack %s: api %q: %v", s.name, api.aid, err)
		return
	}
	for _, existing := range api.routes {
		if existing.key.String() == key.String() {
			a.errorf("stack %s: api %q: route %q is defined twice", s.name, api.aid, key.String())
			return
		}
	}
	where := fmt.Sprintf("stack %s: api %q: route %q", s.name, api.aid, rawKey)
	kind, ok := api.routeKind(where, r)
	if !ok {
		return
	}
	fid := api.aid + "_" + route.Slug(key)
	ar := apiRoute{key: key, kind: kind, shared: r.Fn != nil}
	var integ apigatewayv2integration.Apigatewayv2Integration
	switch kind {
	case "url":
		ar.url = r.URL
		// API Gateway proxies to a URL with the route's method; ANY and
		// $default pass the request's on.
		method := "ANY"
		if !key.Default {
			method = key.Method
		}
		integ = apigatewayv2integration.NewApigatewayv2Integration(s.tf, jsii.String(fid+"_integration"), &apigatewayv2integration.Apigatewayv2IntegrationConfig{
			ApiId:                api.Cdk.Api.Id(),
			IntegrationType:      jsii.String("HTTP_PROXY"),
			IntegrationUri:       jsii.String(r.URL),
			IntegrationMethod:    jsii.String(method),
			PayloadFormatVersion: jsii.String("1.0"),
		})
	case "aws":
		ar.subtype = r.AWS.Subtype
		integ = api.awsIntegration(fid, *r.AWS)
		ar.integration = *integ.TerraformResourceType() + "." + *s.tf.GetLogicalId(integ)
	default:
		format := cmp.Or(r.PayloadFormatVersion, api.props.Defaults.PayloadFormatVersion, "2.0")
		if !validPayloadFormat(format) {
			if r.PayloadFormatVersion != "" {
				a.errorf("%s: PayloadFormatVersion %q: use \"2.0\" (the default) or \"1.0\"", where, format)
			}
			return
		}
		ar.format = format
		defaults := api.props.Defaults.Function
		if r.internal {
			// A construct's own function (an Auth's authenticator) is
			// not the app's route to layer defaults on.
			defaults = FunctionProps{}
		}
		fn := routeTarget(s, api.aid, fid, where, r.Handler, r.Function, r.Fn, defaults)
		if fn == nil {
			return
		}
		ar.fn = fn
		if api.auth != nil && fn != api.auth.fn {
			fn.Bind(api.auth)
		}
		integ = apigatewayv2integration.NewApigatewayv2Integration(s.tf, jsii.String(fid+"_integration"), &apigatewayv2integration.Apigatewayv2IntegrationConfig{
			ApiId:                api.Cdk.Api.Id(),
			IntegrationType:      jsii.String("AWS_PROXY"),
			IntegrationUri:       fn.Cdk.Function.InvokeArn(),
			IntegrationMethod:    jsii.String("POST"),
			PayloadFormatVersion: jsii.String(format),
		})
	}
	auth, scopes := routeAuthorization(r.Authorizer, api.props.Defaults.Authorizer, r.AuthorizationScopes, api.props.Defaults.AuthorizationScopes)
	rcfg := &apigatewayv2route.Apigatewayv2RouteConfig{
		ApiId:    api.Cdk.Api.Id(),
		RouteKey: jsii.String(key.String()),
		Target:   jsii.String("integrations/" + *integ.Id()),
	}
	switch auth {
	case "none":
		rcfg.AuthorizationType = jsii.String("NONE")
	case "iam":
		rcfg.AuthorizationType = jsii.String("AWS_IAM")
	default:
		az := api.authz[auth]
		if az == nil {
			undefinedAuthorizer(a, where, r.Authorizer, auth, api.badAuthz, sortedKeys(api.props.Authorizers))
			return
		}
		rcfg.AuthorizerId = az.res.Id()
		if az.typ == "jwt" {
			rcfg.AuthorizationType = jsii.String("JWT")
			if len(scopes) > 0 {
				rcfg.AuthorizationScopes = jsii.Strings(scopes...)
			}
		} else {
			rcfg.AuthorizationType = jsii.String("CUSTOM")
		}
	}
	apigatewayv2route.NewApigatewayv2Route(s.tf, jsii.String(fid+"_route"), rcfg)
	if ar.fn != nil {
		allowAPIGateway(s, fid+"_permission", ar.fn, *api.Cdk.Api.ExecutionArn()+"/*/*")
	}
	ar.auth = auth
	api.routes = append(api.routes, ar)
}

// routeKind is which target a route has — "function", "url" or "aws" —
// and whether its fields agree with that.
func (api *Api) routeKind(where string, r ApiRoute) (string, bool) {
	a := api.stack.app
	hasFn := r.Handler != "" || r.Fn != nil || !reflect.ValueOf(r.Function).IsZero()
	kind := r.Type
	if kind == "" {
		switch {
		case r.URL != "":
			kind = "url"
		case r.AWS != nil:
			kind = "aws"
		default:
			kind = "function"
		}
	}
	var set []string
	for _, f := range []struct {
		name string
		on   bool
		kind string
	}{{"URL", r.URL != "", "url"}, {"AWS", r.AWS != nil, "aws"}, {"Handler/Function/Fn", hasFn, "function"}} {
		if f.on && f.kind != kind {
			set = append(set, f.name)
		}
	}
	switch kind {
	case "function", "url", "aws":
	default:
		a.errorf("%s: Type %q: use \"function\" (Handler, Function or Fn), \"url\" (URL) or \"aws\" (AWS)", where, r.Type)
		return "", false
	}
	if len(set) > 0 {
		a.errorf("%s: a route of Type %q cannot also set %s: a route has one target", where, kind, strings.Join(set, ", "))
		return "", false
	}
	switch kind {
	case "function":
		if r.Handler != "" && r.Function.Handler != "" {
			a.errorf("%s: set Handler or Function.Handler, not both", where)
			return "", false
		}
	case "url":
		if r.URL == "" {
			a.errorf("%s: Type \"url\" needs URL, the endpoint to proxy to (e.g. \"https://example.com/notes/{id}\")", where)
			return "", false
		}
		if !strings.Contains(r.URL, "${") && !strings.HasPrefix(r.URL, "https://") && !strings.HasPrefix(r.URL, "http://") {
			a.errorf("%s: URL %q: API Gateway proxies to absolute http:// or https:// URLs", where, r.URL)
			return "", false
		}
	case "aws":
		if r.AWS == nil {
			a.errorf("%s: Type \"aws\" needs AWS: &sst.ApiAwsRoute{Subtype, Parameters, Resources}", where)
			return "", false
		}
		if problem := r.AWS.check(); problem != "" {
			a.errorf("%s: AWS.%s", where, problem)
			return "", false
		}
	}
	if kind != "function" && r.PayloadFormatVersion != "" && r.PayloadFormatVersion != "1.0" {
		a.errorf("%s: PayloadFormatVersion %q: API Gateway sends %s routes payload format 1.0 only; leave it empty", where, r.PayloadFormatVersion, kind)
		return "", false
	}
	return kind, true
}

// check is what is wrong with an AWS route, "" when nothing is.
func (r ApiAwsRoute) check() string {
	st, ok := route.Subtypes[r.Subtype]
	if !ok {
		return fmt.Sprintf("Subtype %q: use one of %s", r.Subtype, strings.Join(sortedKeys(route.Subtypes), ", "))
	}
	for _, p := range st.RequiredParams() {
		if r.Parameters[p] == "" {
			return fmt.Sprintf("Parameters: %s needs %q (required: %s)", r.Subtype, p, strings.Join(st.RequiredParams(), ", "))
		}
	}
	for _, p := range sortedKeys(r.Parameters) {
		if !slices.Contains(st.Params, p) {
			return fmt.Sprintf("Parameters: %s takes no %q (it takes %s)", r.Subtype, p, strings.Join(st.Params, ", "))
		}
	}
	if len(r.Resources) == 0 || slices.Contains(r.Resources, "") {
		return fmt.Sprintf("Resources: name the ARNs the route may call %s on (e.g. queue.Arn()), or \"*\" for any, as SST v2 allowed", st.Action)
	}
	return ""
}

// awsIntegration is an AWS service integration with its own role, which
// only API Gateway can assume and which may call exactly the subtype's
// action on the route's resources.
func (api *Api) awsIntegration(fid string, r ApiAwsRoute) apigatewayv2integration.Apigatewayv2Integration {
	s, a := api.stack, api.stack.app
	role := iamrole.NewIamRole(s.tf, jsii.String(fid+"_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(api.aid), fid)),
		AssumeRolePolicy: jsii.String(assumeRolePolicy("apigateway.amazonaws.com")),
	})
	iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(fid+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("sst-api-route"),
		Role:   role.Name(),
		Policy: jsii.String(policyDocument([]Statement{Allow([]string{route.Subtypes[r.Subtype].Action}, r.Resources...)})),
	})
	params := map[string]*string{}
	for k, v := range r.Parameters {
		params[k] = jsii.String(v)
	}
	return apigatewayv2integration.NewApigatewayv2Integration(s.tf, jsii.String(fid+"_integration"), &apigatewayv2integration.Apigatewayv2IntegrationConfig{
		ApiId:                api.Cdk.Api.Id(),
		IntegrationType:      jsii.String("AWS_PROXY"),
		IntegrationSubtype:   jsii.String(r.Subtype),
		CredentialsArn:       role.Arn(),
		RequestParameters:    &params,
		PayloadFormatVersion: jsii.String("1.0"),
	})
}

// URL is the API's base URL: its custom domain when set, else the
// execute-api endpoint (a token until deploy).
func (api *Api) URL() string {
	if api.domain != nil {
		return "https://" + api.domain.name
	}
	if api.Cdk.Api == nil {
		return ""
	}
	return *api.Cdk.Api.ApiEndpoint()
}

// ID is the construct id.
func (api *Api) ID() string { return api.aid }

// ApiID is API Gateway's id for the API (a token until deploy); "" when the
// API failed validation, as for the other attributes.
func (api *Api) ApiID() string {
	if api.Cdk.Api == nil {
		return ""
	}
	return *api.Cdk.Api.Id()
}

// Arn is the API's ARN, for API Gateway's own management actions.
func (api *Api) Arn() string {
	if api.Cdk.Api == nil {
		return ""
	}
	return *api.Cdk.Api.Arn()
}

// ExecutionArn is the prefix of the ARNs execute-api:Invoke names
// (<ExecutionArn>/<stage>/<method>/<path>).
func (api *Api) ExecutionArn() string {
	if api.Cdk.Api == nil {
		return ""
	}
	return *api.Cdk.Api.ExecutionArn()
}

// Function returns the function serving a route key, or nil.
func (api *Api) Function(routeKey string) *Function { return functionOf(api.routes, routeKey) }

// functionOf is the function serving routeKey among routes, or nil.
func functionOf(routes []apiRoute, routeKey string) *Function {
	k, err := route.Parse(routeKey)
	if err != nil {
		return nil
	}
	for _, r := range routes {
		if r.key.String() == k.String() {
			return r.fn
		}
	}
	return nil
}

// Binding gives functions the API's URL (SST_Api_url_<id>).
func (api *Api) Binding() Binding {
	return Binding{Type: "Api", ID: api.aid, Variables: map[string]string{"url": api.URL()}}
}

func (api *Api) id() string { return api.aid }

func (api *Api) functions() []*Function { return ownFunctions(api.authz, api.routes) }

// ownFunctions lists the functions an API created: its Lambda
// authorizers' by name, then its routes'; not those created elsewhere
// (Fn), whose own constructs list them.
func ownFunctions[A interface{ own() *Function }](authz map[string]A, routes []apiRoute) []*Function {
	var fns []*Function
	for _, name := range sortedKeys(authz) {
		if fn := authz[name].own(); fn != nil {
			fns = append(fns, fn)
		}
	}
	for _, r := range routes {
		if r.fn != nil && !r.shared {
			fns = append(fns, r.fn)
		}
	}
	return fns
}

// own is the authorizer's function when the Api created it.
func (az *apiAuthorizer) own() *Function {
	if az.shared {
		return nil
	}
	return az.fn
}

// routeFunctions are the functions serving routes, each once, including
// ones created elsewhere (ApiRoute.Fn); not the authorizers'.
func (api *Api) routeFunctions() []*Function {
	var fns []*Function
	for _, r := range api.routes {
		if r.fn != nil && !slices.Contains(fns, r.fn) {
			fns = append(fns, r.fn)
		}
	}
	return fns
}

// Bind binds constructs to every route's function (SST v2's api.bind):
// routes added later are not bound.
func (api *Api) Bind(b ...Bindable) {
	for _, fn := range api.routeFunctions() {
		fn.Bind(b...)
	}
}

// AttachPermissions grants every route's function permissions (SST v2's
// api.attachPermissions): routes added later get none.
func (api *Api) AttachPermissions(p ...Permission) {
	s := api.stack
	if !checkPermissions(s, fmt.Sprintf("stack %s: api %q: AttachPermissions", s.name, api.aid), p) {
		return
	}
	for _, fn := range api.routeFunctions() {
		fn.props.Permissions = append(fn.props.Permissions, p...)
	}
}

// BindToRoute binds constructs to one route's function.
func (api *Api) BindToRoute(routeKey string, b ...Bindable) {
	if fn := api.routeFunction("BindToRoute", routeKey); fn != nil {
		fn.Bind(b...)
	}
}

// AttachPermissionsToRoute grants one route's function permissions.
func (api *Api) AttachPermissionsToRoute(routeKey string, p ...Permission) {
	if fn := api.routeFunction("AttachPermissionsToRoute", routeKey); fn != nil {
		fn.AttachPermissions(p...)
	}
}

// routeFunction is the function of a route named by a method of the Api,
// nil (having said why) when there is none.
func (api *Api) routeFunction(method, routeKey string) *Function {
	s := api.stack
	if api.Cdk.Api == nil {
		return nil // already reported
	}
	where := fmt.Sprintf("stack %s: api %q: %s(%q)", s.name, api.aid, method, routeKey)
	k, err := route.Parse(routeKey)
	if err != nil {
		s.app.errorf("%s: %v", where, err)
		return nil
	}
	var keys []string
	for _, r := range api.routes {
		if r.key.String() != k.String() {
			keys = append(keys, fmt.Sprintf("%q", r.key.String()))
			continue
		}
		if r.fn == nil {
			s.app.errorf("%s: the route (Type %q) has no function to bind or grant to", where, r.kind)
			return nil
		}
		return r.fn
	}
	s.app.errorf("%s: the api has no such route (it has %s)", where, cmp.Or(strings.Join(keys, ", "), "none"))
	return nil
}

func (api *Api) routesManifest() []manifest.Route {
	var out []manifest.Route
	for _, r := range api.routes {
		mr := manifest.Route{Api: api.aid, Key: r.key.String(), Authorizer: r.auth}
		switch {
		case r.fn != nil:
			mr.Function = r.fn.fid
			if r.format != "2.0" {
				mr.PayloadFormatVersion = r.format
			}
		case r.kind == "url":
			mr.Type, mr.URL = manifest.RouteURL, api.stack.resolveString(r.url)
		default:
			mr.Type, mr.Subtype, mr.Integration = manifest.RouteAWS, r.subtype, r.integration
		}
		out = append(out, mr)
	}
	return out
}

func (api *Api) describe() manifest.Construct {
	c := manifest.Construct{ID: api.aid, Type: "Api", Path: api.aid, Data: map[string]string{}}
	if api.Cdk.Api != nil {
		c.Data[manifest.ApiURL] = api.stack.resolveString(api.URL())
	}
	dev := manifest.ApiDev{Authorizers: map[string]manifest.ApiAuthorizer{}, Cors: enabledCors(api.props.Cors).devManifest()}
	for name, az := range api.authz {
		dev.Authorizers[name] = az.dev
	}
	if b, err := json.Marshal(dev); err == nil {
		c.Data[manifest.DataApiDev] = string(b)
	}
	c.Binds = functionBinds(api.functions())
	return c
}

func resolveStrings(s *Stack, v []string) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = s.resolveString(x)
	}
	return out
}
