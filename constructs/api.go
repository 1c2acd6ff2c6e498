package sst

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2api"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2authorizer"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2integration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2stage"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
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

// ApiRoute is one route's target: a handler shorthand, full function props
// or an existing function.
type ApiRoute struct {
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
	Cdk      struct {
		Api   apigatewayv2api.Apigatewayv2Api
		Stage apigatewayv2stage.Apigatewayv2Stage
	}
}

type apiRoute struct {
	key  route.Key
	fn   *Function
	auth string
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
		fn, shared := az.Fn, az.Fn != nil
		if shared {
			if problem := checkSharedFunction(s, fn, az.Function.Handler != ""); problem != "" {
				a.errorf("%s: Fn %s", where, problem)
				return
			}
		} else {
			// The authorizer resource takes rid; its function needs an id
			// of its own (construct ids are unique per stack whatever the
			// type).
			fn = newFunction(s, api.aid, rid+"_function", az.Function)
			if fn.Cdk.Function == nil {
				return
			}
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
		lambdapermission.NewLambdaPermission(s.tf, jsii.String(rid+"_permission"), &lambdapermission.LambdaPermissionConfig{
			Action:       jsii.String("lambda:InvokeFunction"),
			FunctionName: fn.Cdk.Function.FunctionName(),
			Principal:    jsii.String("apigateway.amazonaws.com"),
			SourceArn:    jsii.String(*api.Cdk.Api.ExecutionArn() + "/authorizers/" + *res.Id()),
		})
		api.authz[name] = &apiAuthorizer{typ: "lambda", res: res, fn: fn, shared: shared, dev: manifest.ApiAuthorizer{
			Type: "lambda", Function: fn.fid, IdentitySource: sources, SimpleResponses: az.SimpleResponses, PayloadFormatVersion: format,
		}}
	default:
		a.errorf("%s: Type %q: use \"user_pool\", \"jwt\" or \"lambda\" (IAM needs no authorizer: set a route's Authorizer to \"iam\")", where, az.Type)
		return
	}
	delete(api.badAuthz, name)
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
	if r.Handler != "" && r.Function.Handler != "" {
		a.errorf("stack %s: api %q: route %q: set Handler or Function.Handler, not both", s.name, api.aid, rawKey)
		return
	}
	format := cmp.Or(r.PayloadFormatVersion, api.props.Defaults.PayloadFormatVersion, "2.0")
	if !validPayloadFormat(format) {
		if r.PayloadFormatVersion != "" {
			a.errorf("stack %s: api %q: route %q: PayloadFormatVersion %q: use \"2.0\" (the default) or \"1.0\"", s.name, api.aid, rawKey, format)
		}
		return
	}
	fid := api.aid + "_" + route.Slug(key)
	fn := r.Fn
	if r.Fn != nil {
		if problem := checkSharedFunction(s, fn, r.Handler != "" || r.Function.Handler != ""); problem != "" {
			a.errorf("stack %s: api %q: route %q: Fn %s", s.name, api.aid, rawKey, problem)
			return
		}
		if !reflect.ValueOf(api.props.Defaults.Function).IsZero() {
			a.errorf("stack %s: api %q: route %q: Fn is a function created elsewhere, which Defaults.Function cannot apply to: give the route Function props instead, or move Defaults.Function's props onto each route", s.name, api.aid, rawKey)
			return
		}
	} else {
		props := r.Function
		if r.Handler != "" {
			props.Handler = r.Handler
		}
		fn = newFunction(s, api.aid, fid, props, api.props.Defaults.Function)
		if fn.Cdk.Function == nil {
			return
		}
	}
	auth := cmp.Or(r.Authorizer, api.props.Defaults.Authorizer, "none")
	scopes := r.AuthorizationScopes
	if len(scopes) == 0 {
		scopes = api.props.Defaults.AuthorizationScopes
	}
	integ := apigatewayv2integration.NewApigatewayv2Integration(s.tf, jsii.String(fid+"_integration"), &apigatewayv2integration.Apigatewayv2IntegrationConfig{
		ApiId:                api.Cdk.Api.Id(),
		IntegrationType:      jsii.String("AWS_PROXY"),
		IntegrationUri:       fn.Cdk.Function.InvokeArn(),
		IntegrationMethod:    jsii.String("POST"),
		PayloadFormatVersion: jsii.String(format),
	})
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
			if r.Authorizer == "" || api.badAuthz[auth] {
				return // a bad Defaults.Authorizer or authorizer, reported once
			}
			a.errorf("stack %s: api %q: route %q: Authorizer %q is not defined in Authorizers (%s)", s.name, api.aid, rawKey, auth, authChoices(sortedKeys(api.props.Authorizers)))
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
	lambdapermission.NewLambdaPermission(s.tf, jsii.String(fid+"_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("apigateway.amazonaws.com"),
		SourceArn:    jsii.String(*api.Cdk.Api.ExecutionArn() + "/*/*"),
	})
	api.routes = append(api.routes, apiRoute{key: key, fn: fn, auth: auth, format: format, shared: r.Fn != nil})
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
func (api *Api) Function(routeKey string) *Function {
	k, err := route.Parse(routeKey)
	if err != nil {
		return nil
	}
	for _, r := range api.routes {
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

func (api *Api) functions() []*Function {
	var fns []*Function
	for _, name := range sortedKeys(api.authz) {
		if az := api.authz[name]; az.fn != nil && !az.shared {
			fns = append(fns, az.fn)
		}
	}
	for _, r := range api.routes {
		if !r.shared {
			fns = append(fns, r.fn)
		}
	}
	return fns
}

func (api *Api) routesManifest() []manifest.Route {
	var out []manifest.Route
	for _, r := range api.routes {
		mr := manifest.Route{Api: api.aid, Key: r.key.String(), Function: r.fn.fid, Authorizer: r.auth}
		if r.format != "2.0" {
			mr.PayloadFormatVersion = r.format
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
	dev := manifest.ApiDev{Authorizers: map[string]manifest.ApiAuthorizer{}}
	if cors := api.props.Cors; cors == nil || !cors.Disabled {
		var c Cors
		if cors != nil {
			c = *cors
		}
		c = c.withDefaults()
		dev.Cors = &manifest.ApiCors{
			AllowOrigins: c.AllowOrigins, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders,
			ExposeHeaders: c.ExposeHeaders, AllowCredentials: c.AllowCredentials, MaxAge: int(c.MaxAge / time.Second),
		}
	}
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
