package sst

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayauthorizer"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaybasepathmapping"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaydeployment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaydomainname"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaygatewayresponse"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayintegration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayintegrationresponse"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaymethod"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaymethodresponse"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayresource"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayrestapi"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewaystage"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/route"
	"github.com/sst-tf/sst/manifest"
)

// ApiGatewayV1ApiProps configure a REST API (API Gateway v1), SST v2's
// ApiGatewayV1Api: routes run Lambda functions through the Lambda proxy
// integration, whose events are payload format 1.0.
type ApiGatewayV1ApiProps struct {
	// Routes map route keys ("GET /notes/{id}", "ANY /{proxy+}") to
	// handlers. REST APIs have no "$default" route: "ANY /{proxy+}" (with
	// "ANY /" for the root) catches everything.
	Routes map[string]ApiGatewayV1ApiRoute
	// Defaults apply to every route.
	Defaults ApiGatewayV1ApiDefaults
	// Authorizers by name, referenced from routes and defaults.
	Authorizers map[string]ApiGatewayV1ApiAuthorizer
	// Cors: nil enables SST v2's default (any origin, method and header:
	// an OPTIONS method answering preflights on every route's path, and
	// the same headers on API Gateway's own 4XX/5XX answers); set Disabled
	// to turn CORS off. Lambda proxy responses carry their own CORS
	// headers on REST APIs.
	Cors *Cors
	// AccessLog: access logging to CloudWatch, on by default.
	AccessLog *ApiAccessLog
	// CustomDomain serves the API on your domain (regional endpoint, ACM +
	// Route53).
	CustomDomain *CustomDomain
	// StageName of the deployment; default the app's stage, as SST v2.
	StageName string
}

// ApiGatewayV1ApiDefaults apply to every route of an ApiGatewayV1Api.
type ApiGatewayV1ApiDefaults struct {
	// Function props every route's function starts from.
	Function FunctionProps
	// Authorizer: a name from Authorizers, "iam", or "none" (default).
	Authorizer string
	// AuthorizationScopes for user_pools authorizers (access tokens).
	AuthorizationScopes []string
}

// ApiGatewayV1ApiRoute is one route's target: a handler shorthand, full
// function props or an existing function.
type ApiGatewayV1ApiRoute struct {
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler string
	// Function props, layered over Defaults.Function.
	Function FunctionProps
	// Fn serves the route with a function created elsewhere.
	Fn *Function
	// Authorizer overrides the default: a name, "iam" or "none".
	Authorizer          string
	AuthorizationScopes []string
}

// ApiGatewayV1ApiAuthorizer is a Cognito user pool or Lambda authorizer.
type ApiGatewayV1ApiAuthorizer struct {
	// Type, as SST v2 spelled it: "user_pools", "lambda_token" or
	// "lambda_request".
	Type string
	// UserPoolIDs (Type "user_pools") whose tokens are accepted, e.g.
	// []string{auth.UserPoolID()}.
	UserPoolIDs []string
	// Function props of a Lambda authorizer.
	Function FunctionProps
	// Fn is an existing function to use as the Lambda authorizer.
	Fn *Function
	// IdentitySource: default "method.request.header.Authorization" (a
	// token authorizer takes exactly one header).
	IdentitySource []string
	// ResultsCacheTTL is how long API Gateway caches a Lambda authorizer's
	// answer, in whole seconds up to 1h (0 = no cache).
	ResultsCacheTTL time.Duration
}

// ApiGatewayV1Api is a REST API whose routes run Lambda functions.
type ApiGatewayV1Api struct {
	stack     *Stack
	aid       string
	props     ApiGatewayV1ApiProps
	stageName string
	routes    []apiRoute
	authz     map[string]*v1Authorizer
	badAuthz  map[string]bool
	// resources by path ("/notes/{id}"); "/" is the API's root.
	resources map[string]*string
	corsDone  map[string]bool
	// deps are what the deployment snapshots: it must be created after
	// every method and integration.
	deps   []string
	domain *domain
	Cdk    struct {
		RestApi    apigatewayrestapi.ApiGatewayRestApi
		Deployment apigatewaydeployment.ApiGatewayDeployment
		Stage      apigatewaystage.ApiGatewayStage
	}
}

type v1Authorizer struct {
	typ    string
	res    apigatewayauthorizer.ApiGatewayAuthorizer
	fn     *Function
	shared bool
	dev    manifest.ApiAuthorizer
}

// v1AuthorizerTypes maps SST v2's authorizer types to API Gateway's.
var v1AuthorizerTypes = map[string]string{"user_pools": "COGNITO_USER_POOLS", "lambda_token": "TOKEN", "lambda_request": "REQUEST"}

// NewApiGatewayV1Api declares a REST API.
func NewApiGatewayV1Api(s *Stack, id string, props ApiGatewayV1ApiProps) *ApiGatewayV1Api {
	api := &ApiGatewayV1Api{stack: s, aid: id, props: props, authz: map[string]*v1Authorizer{}, badAuthz: map[string]bool{}, resources: map[string]*string{}, corsDone: map[string]bool{}}
	if !s.app.claimID(s, id, "ApiGatewayV1Api") {
		return api
	}
	a := s.app
	where := fmt.Sprintf("stack %s: ApiGatewayV1Api %q", s.name, id)
	errs := len(a.errs)
	api.stageName = cmp.Or(props.StageName, s.Stage())
	if !v1StageName(api.stageName) {
		a.errorf("%s: StageName %q: use letters, digits, \"-\" and \"_\" (at most 128)", where, api.stageName)
	}
	if props.Cors != nil && !props.Cors.Disabled {
		if err := props.Cors.check("Cors"); err != nil {
			a.errorf("%s: %v", where, err)
		}
	}
	if len(a.errs) > errs {
		return api
	}
	s.add(api)
	name := a.names.ApiGateway(a.owner(id), id)
	api.Cdk.RestApi = apigatewayrestapi.NewApiGatewayRestApi(s.tf, jsii.String(id), &apigatewayrestapi.ApiGatewayRestApiConfig{
		Name: jsii.String(name),
	})
	api.resources["/"] = api.Cdk.RestApi.RootResourceId()
	for _, n := range sortedKeys(props.Authorizers) {
		api.addAuthorizer(n, props.Authorizers[n])
	}
	if d := props.Defaults.Authorizer; d != "" && d != "none" && d != "iam" && api.authz[d] == nil && !api.badAuthz[d] {
		a.errorf("%s: Defaults.Authorizer %q is not defined in Authorizers (%s)", where, d, authChoices(sortedKeys(props.Authorizers)))
	}
	api.AddRoutes(props.Routes)
	if c := api.cors(); c != nil {
		// What SST v2 added with cors: API Gateway's own errors (a
		// refused authorizer, a throttled request) reach the browser too.
		for _, t := range []string{"DEFAULT_4XX", "DEFAULT_5XX"} {
			apigatewaygatewayresponse.NewApiGatewayGatewayResponse(s.tf, jsii.String(id+"_response_"+strings.ToLower(t)), &apigatewaygatewayresponse.ApiGatewayGatewayResponseConfig{
				RestApiId:    api.Cdk.RestApi.Id(),
				ResponseType: jsii.String(t),
				ResponseParameters: &map[string]*string{
					"gatewayresponse.header.Access-Control-Allow-Origin":  jsii.String("'" + strings.Join(c.AllowOrigins, ",") + "'"),
					"gatewayresponse.header.Access-Control-Allow-Headers": jsii.String("'" + strings.Join(c.AllowHeaders, ",") + "'"),
				},
			})
		}
	}
	api.createStage(name)
	if props.CustomDomain != nil {
		api.domain = newV1Domain(s, id, api, *props.CustomDomain)
	}
	return api
}

// v1StageName reports whether API Gateway accepts n as a REST stage name.
func v1StageName(n string) bool {
	if n == "" || len(n) > 128 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// cors is the API's CORS configuration with defaults, nil when disabled.
func (api *ApiGatewayV1Api) cors() *Cors { return enabledCors(api.props.Cors) }

// createStage deploys the API: a deployment (finalize keys it to what it
// serves) and the stage serving it with tracing and access logs.
func (api *ApiGatewayV1Api) createStage(name string) {
	s, a, id := api.stack, api.stack.app, api.aid
	api.Cdk.Deployment = apigatewaydeployment.NewApiGatewayDeployment(s.tf, jsii.String(id+"_deployment"), &apigatewaydeployment.ApiGatewayDeploymentConfig{
		RestApiId: api.Cdk.RestApi.Id(),
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	})
	cfg := &apigatewaystage.ApiGatewayStageConfig{
		RestApiId:          api.Cdk.RestApi.Id(),
		DeploymentId:       api.Cdk.Deployment.Id(),
		StageName:          jsii.String(api.stageName),
		XrayTracingEnabled: jsii.Bool(true),
	}
	if al := api.props.AccessLog; al == nil || !al.Disabled {
		format, retention := defaultV1AccessLogFormat, time.Duration(0)
		if al != nil {
			format, retention = cmp.Or(al.Format, format), al.Retention
		}
		days, err := checkRetention("AccessLog.Retention", retention)
		if err != nil {
			a.errorf("stack %s: ApiGatewayV1Api %q: %v", s.name, id, err)
		}
		lg := cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_access_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Name:            jsii.String(a.names.Claim(naming.KindLogGroup, "/aws/vendedlogs/apis/"+name, a.owner(id))),
			RetentionInDays: jsii.Number(float64(days)),
		})
		cfg.AccessLogSettings = &apigatewaystage.ApiGatewayStageAccessLogSettings{DestinationArn: lg.Arn(), Format: jsii.String(format)}
	}
	api.Cdk.Stage = apigatewaystage.NewApiGatewayStage(s.tf, jsii.String(id+"_stage"), cfg)
}

const defaultV1AccessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}`

func (api *ApiGatewayV1Api) addAuthorizer(name string, az ApiGatewayV1ApiAuthorizer) {
	s, a := api.stack, api.stack.app
	where := fmt.Sprintf("stack %s: ApiGatewayV1Api %q: authorizer %q", s.name, api.aid, name)
	api.badAuthz[name] = true // until it is defined
	if name == "none" || name == "iam" {
		a.errorf("%s: %q is reserved; pick another name", where, name)
		return
	}
	typ, ok := v1AuthorizerTypes[az.Type]
	if !ok {
		a.errorf("%s: Type %q: use \"user_pools\", \"lambda_token\" or \"lambda_request\" (IAM needs no authorizer: set a route's Authorizer to \"iam\")", where, az.Type)
		return
	}
	sources := az.IdentitySource
	if len(sources) == 0 {
		sources = []string{"method.request.header.Authorization"}
	}
	for _, src := range sources {
		if !strings.HasPrefix(src, "method.request.") {
			a.errorf("%s: IdentitySource %q: REST API sources look like \"method.request.header.Authorization\" or \"method.request.querystring.token\"", where, src)
			return
		}
	}
	if typ == "TOKEN" && len(sources) != 1 {
		a.errorf("%s: a lambda_token authorizer reads exactly one header: IdentitySource has %d entries (use lambda_request for several)", where, len(sources))
		return
	}
	if err := checkDuration("ResultsCacheTTL", az.ResultsCacheTTL, 0, time.Hour, time.Second); err != nil {
		a.errorf("%s: %v", where, err)
		return
	}
	rid := api.aid + "_authorizer_" + binding.EnvID(name)
	cfg := &apigatewayauthorizer.ApiGatewayAuthorizerConfig{
		RestApiId:                    api.Cdk.RestApi.Id(),
		Name:                         jsii.String(name),
		Type:                         jsii.String(typ),
		IdentitySource:               jsii.String(strings.Join(sources, ",")),
		AuthorizerResultTtlInSeconds: jsii.Number(seconds(az.ResultsCacheTTL)),
	}
	v := &v1Authorizer{typ: az.Type, dev: manifest.ApiAuthorizer{Type: az.Type, IdentitySource: sources}}
	if typ == "COGNITO_USER_POOLS" {
		if len(az.UserPoolIDs) == 0 {
			a.errorf("%s: user_pools authorizers need UserPoolIDs, e.g. []string{auth.UserPoolID()}", where)
			return
		}
		var arns, issuers []string
		for _, pid := range az.UserPoolIDs {
			arns = append(arns, "arn:"+stackPartition(s)+":cognito-idp:"+s.Region()+":"+stackAccountID(s)+":userpool/"+pid)
			issuers = append(issuers, s.resolveString("https://cognito-idp."+s.Region()+".amazonaws.com/"+pid))
		}
		cfg.ProviderArns = jsii.Strings(arns...)
		v.dev.Issuers = issuers
	} else {
		fn, shared := routeTarget(s, api.aid, rid+"_function", where, "", az.Function, az.Fn, FunctionProps{}), az.Fn != nil
		if fn == nil {
			return
		}
		cfg.AuthorizerUri = fn.Cdk.Function.InvokeArn()
		v.fn, v.shared, v.dev.Function = fn, shared, fn.fid
	}
	v.res = apigatewayauthorizer.NewApiGatewayAuthorizer(s.tf, jsii.String(rid), cfg)
	if v.fn != nil {
		allowAPIGateway(s, rid+"_permission", v.fn, *api.Cdk.RestApi.ExecutionArn()+"/authorizers/"+*v.res.Id())
	}
	api.authz[name] = v
	delete(api.badAuthz, name)
}

// AddRoutes adds routes after creation (SST's api.addRoutes).
func (api *ApiGatewayV1Api) AddRoutes(routes map[string]ApiGatewayV1ApiRoute) {
	if api.Cdk.RestApi == nil {
		return
	}
	for _, k := range sortedKeys(routes) {
		api.addRoute(k, routes[k])
	}
}

// finalize keys the deployment to the routes, authorizers and CORS it
// serves: a REST API serves a snapshot, so any change must create a new
// deployment, after every method and integration exists.
func (api *ApiGatewayV1Api) finalize() {
	if api.Cdk.Deployment == nil {
		return
	}
	var keys []string
	for _, r := range api.routes {
		keys = append(keys, r.key.String()+"="+r.auth)
	}
	for _, n := range sortedKeys(api.authz) {
		keys = append(keys, "authorizer:"+n+"="+api.authz[n].typ)
	}
	slices.Sort(keys)
	if c := api.cors(); c != nil {
		b, _ := json.Marshal(c)
		keys = append(keys, "cors:"+string(b))
	}
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	api.Cdk.Deployment.SetTriggers(&map[string]*string{"redeployment": jsii.String(hex.EncodeToString(sum[:8]))})
	api.Cdk.Deployment.AddOverride(jsii.String("depends_on"), api.deps)
}

func (api *ApiGatewayV1Api) addRoute(rawKey string, r ApiGatewayV1ApiRoute) {
	s, a := api.stack, api.stack.app
	where := fmt.Sprintf("stack %s: ApiGatewayV1Api %q", s.name, api.aid)
	key, err := route.Parse(rawKey)
	if err != nil {
		a.errorf("%s: %v", where, err)
		return
	}
	if key.Default {
		a.errorf("%s: route %q: REST APIs have no $default route: use \"ANY /{proxy+}\" (and \"ANY /\" for the root path)", where, rawKey)
		return
	}
	for _, existing := range api.routes {
		if existing.key.String() == key.String() {
			a.errorf("%s: route %q is defined twice", where, key.String())
			return
		}
	}
	if problem := api.siblingConflict(key.Path); problem != "" {
		a.errorf("%s: route %q: %s", where, rawKey, problem)
		return
	}
	if key.Method == "OPTIONS" && api.cors() != nil {
		a.errorf("%s: route %q: with CORS on, OPTIONS answers preflight requests on every route's path; set Cors: &sst.Cors{Disabled: true} to route OPTIONS yourself", where, rawKey)
		return
	}
	if r.Handler != "" && r.Function.Handler != "" {
		a.errorf("%s: route %q: set Handler or Function.Handler, not both", where, rawKey)
		return
	}
	fid := api.aid + "_" + route.Slug(key)
	fn := routeTarget(s, api.aid, fid, fmt.Sprintf("%s: route %q", where, rawKey), r.Handler, r.Function, r.Fn, api.props.Defaults.Function)
	if fn == nil {
		return
	}
	auth, scopes := routeAuthorization(r.Authorizer, api.props.Defaults.Authorizer, r.AuthorizationScopes, api.props.Defaults.AuthorizationScopes)
	resID := api.resource(key.Path)
	mcfg := &apigatewaymethod.ApiGatewayMethodConfig{
		RestApiId:  api.Cdk.RestApi.Id(),
		ResourceId: resID,
		HttpMethod: jsii.String(key.Method),
	}
	switch auth {
	case "none":
		mcfg.Authorization = jsii.String("NONE")
	case "iam":
		mcfg.Authorization = jsii.String("AWS_IAM")
	default:
		az := api.authz[auth]
		if az == nil {
			undefinedAuthorizer(a, fmt.Sprintf("%s: route %q", where, rawKey), r.Authorizer, auth, api.badAuthz, sortedKeys(api.props.Authorizers))
			return
		}
		mcfg.AuthorizerId = az.res.Id()
		if az.typ == "user_pools" {
			mcfg.Authorization = jsii.String("COGNITO_USER_POOLS")
			if len(scopes) > 0 {
				mcfg.AuthorizationScopes = jsii.Strings(scopes...)
			}
		} else {
			mcfg.Authorization = jsii.String("CUSTOM")
		}
	}
	m := apigatewaymethod.NewApiGatewayMethod(s.tf, jsii.String(fid+"_method"), mcfg)
	integ := apigatewayintegration.NewApiGatewayIntegration(s.tf, jsii.String(fid+"_integration"), &apigatewayintegration.ApiGatewayIntegrationConfig{
		RestApiId:             api.Cdk.RestApi.Id(),
		ResourceId:            resID,
		HttpMethod:            m.HttpMethod(),
		Type:                  jsii.String("AWS_PROXY"),
		IntegrationHttpMethod: jsii.String("POST"),
		Uri:                   fn.Cdk.Function.InvokeArn(),
	})
	allowAPIGateway(s, fid+"_permission", fn, *api.Cdk.RestApi.ExecutionArn()+"/*/*")
	api.depend(m, integ)
	api.preflight(key.Path, resID)
	api.routes = append(api.routes, apiRoute{key: key, kind: "function", fn: fn, auth: auth, format: "1.0", shared: r.Fn != nil})
}

// depend makes the deployment wait for rs.
func (api *ApiGatewayV1Api) depend(rs ...cdktf.TerraformResource) {
	for _, r := range rs {
		api.deps = append(api.deps, *r.TerraformResourceType()+"."+*api.stack.tf.GetLogicalId(r))
	}
}

// siblingConflict is what API Gateway would refuse about path: two
// parameters of different names at one level ("/notes/{id}" beside
// "/notes/{noteId}"), "" when nothing.
func (api *ApiGatewayV1Api) siblingConflict(path string) string {
	segs := splitV1Path(path)
	for p := range api.resources {
		other := splitV1Path(p)
		for i := 0; i < len(segs) && i < len(other); i++ {
			a, b := segs[i], other[i]
			if a == b {
				continue
			}
			if strings.HasPrefix(a, "{") && strings.HasPrefix(b, "{") {
				return fmt.Sprintf("segment %s and %s of another route sit at the same level of /%s: REST APIs take one parameter name per level; use the same name in both", a, b, strings.Join(segs[:i], "/"))
			}
			break
		}
	}
	return ""
}

func splitV1Path(p string) []string {
	if p == "/" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// resource is the id of path's resource, creating it and its parents.
func (api *ApiGatewayV1Api) resource(path string) *string {
	if id, ok := api.resources[path]; ok {
		return id
	}
	segs := splitV1Path(path)
	parent := api.resource("/" + strings.Join(segs[:len(segs)-1], "/"))
	slug := strings.TrimPrefix(route.Slug(route.Key{Method: "ANY", Path: path}), "ANY")
	res := apigatewayresource.NewApiGatewayResource(api.stack.tf, jsii.String(api.aid+"_resource"+slug), &apigatewayresource.ApiGatewayResourceConfig{
		RestApiId: api.Cdk.RestApi.Id(),
		ParentId:  parent,
		PathPart:  jsii.String(segs[len(segs)-1]),
	})
	api.resources[path] = res.Id()
	return res.Id()
}

// preflight answers OPTIONS on path's resource with the CORS headers, as
// SST v2's defaultCorsPreflightOptions did (a MOCK integration).
func (api *ApiGatewayV1Api) preflight(path string, resID *string) {
	c := api.cors()
	if c == nil || api.corsDone[path] {
		return
	}
	api.corsDone[path] = true
	s := api.stack
	rid := api.aid + "_options" + strings.TrimPrefix(route.Slug(route.Key{Method: "ANY", Path: path}), "ANY")
	m := apigatewaymethod.NewApiGatewayMethod(s.tf, jsii.String(rid+"_method"), &apigatewaymethod.ApiGatewayMethodConfig{
		RestApiId: api.Cdk.RestApi.Id(), ResourceId: resID, HttpMethod: jsii.String("OPTIONS"), Authorization: jsii.String("NONE"),
	})
	integ := apigatewayintegration.NewApiGatewayIntegration(s.tf, jsii.String(rid+"_integration"), &apigatewayintegration.ApiGatewayIntegrationConfig{
		RestApiId: api.Cdk.RestApi.Id(), ResourceId: resID, HttpMethod: m.HttpMethod(), Type: jsii.String("MOCK"),
		RequestTemplates: &map[string]*string{"application/json": jsii.String(`{"statusCode": 204}`)},
	})
	headers := map[string]string{
		"Access-Control-Allow-Origin":  strings.Join(c.AllowOrigins, ","),
		"Access-Control-Allow-Methods": strings.Join(v1Methods(c.AllowMethods), ","),
		"Access-Control-Allow-Headers": strings.Join(c.AllowHeaders, ","),
	}
	if c.AllowCredentials {
		headers["Access-Control-Allow-Credentials"] = "true"
	}
	if c.MaxAge > 0 {
		headers["Access-Control-Max-Age"] = fmt.Sprint(int(seconds(c.MaxAge)))
	}
	declared, values := map[string]any{}, map[string]*string{}
	for h, v := range headers {
		declared["method.response.header."+h] = jsii.Bool(true)
		values["method.response.header."+h] = jsii.String("'" + v + "'")
	}
	mr := apigatewaymethodresponse.NewApiGatewayMethodResponse(s.tf, jsii.String(rid+"_response"), &apigatewaymethodresponse.ApiGatewayMethodResponseConfig{
		RestApiId: api.Cdk.RestApi.Id(), ResourceId: resID, HttpMethod: m.HttpMethod(), StatusCode: jsii.String("204"),
		ResponseParameters: &declared,
	})
	ir := apigatewayintegrationresponse.NewApiGatewayIntegrationResponse(s.tf, jsii.String(rid+"_integration_response"), &apigatewayintegrationresponse.ApiGatewayIntegrationResponseConfig{
		RestApiId: api.Cdk.RestApi.Id(), ResourceId: resID, HttpMethod: m.HttpMethod(), StatusCode: mr.StatusCode(),
		ResponseParameters: &values,
		DependsOn:          &[]cdktf.ITerraformDependable{integ},
	})
	api.depend(m, integ, mr, ir)
}

// v1Methods spells "*" as the methods a REST preflight must list.
func v1Methods(ms []string) []string {
	if len(ms) == 1 && ms[0] == "*" {
		return []string{"OPTIONS", "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"}
	}
	return ms
}

// newV1Domain serves api on cd through a regional custom domain.
func newV1Domain(s *Stack, id string, api *ApiGatewayV1Api, cd CustomDomain) *domain {
	d := newDomain(s, id, cd)
	if d == nil {
		return nil
	}
	dn := apigatewaydomainname.NewApiGatewayDomainName(s.tf, jsii.String(id+"_domain"), &apigatewaydomainname.ApiGatewayDomainNameConfig{
		DomainName:             jsii.String(d.name),
		RegionalCertificateArn: jsii.String(d.cert),
		SecurityPolicy:         jsii.String("TLS_1_2"),
		EndpointConfiguration:  &apigatewaydomainname.ApiGatewayDomainNameEndpointConfiguration{Types: jsii.Strings("REGIONAL")},
	})
	apigatewaybasepathmapping.NewApiGatewayBasePathMapping(s.tf, jsii.String(id+"_domain_mapping"), &apigatewaybasepathmapping.ApiGatewayBasePathMappingConfig{
		ApiId:      api.Cdk.RestApi.Id(),
		DomainName: dn.DomainName(),
		StageName:  api.Cdk.Stage.StageName(),
	})
	route53record.NewRoute53Record(s.tf, jsii.String(id+"_domain_record"), &route53record.Route53RecordConfig{
		ZoneId: d.zone.ZoneId(),
		Name:   jsii.String(d.name),
		Type:   jsii.String("A"),
		Alias: &route53record.Route53RecordAlias{
			Name:                 dn.RegionalDomainName(),
			ZoneId:               dn.RegionalZoneId(),
			EvaluateTargetHealth: jsii.Bool(false),
		},
	})
	return d
}

// URL is the API's base URL with a trailing "/" as SST v2's: its custom
// domain when set, else https://<api id>.execute-api.<region>.<suffix>/<stage>/
// (a token until deploy). It is built from the API's id, not read from the
// stage, so a route's function can be bound to its own API: the stage
// waits for the deployment, which waits for the functions.
func (api *ApiGatewayV1Api) URL() string {
	if api.domain != nil {
		return "https://" + api.domain.name + "/"
	}
	if api.Cdk.RestApi == nil {
		return ""
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(api.stack.Region(), "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://" + *api.Cdk.RestApi.Id() + ".execute-api." + api.stack.Region() + "." + suffix + "/" + api.stageName + "/"
}

// RestApiID is the REST API's id (a token until deploy).
func (api *ApiGatewayV1Api) RestApiID() string {
	if api.Cdk.RestApi == nil {
		return ""
	}
	return *api.Cdk.RestApi.Id()
}

// ID is the construct id.
func (api *ApiGatewayV1Api) ID() string { return api.aid }

// Arn is the REST API's ARN (a token until deploy).
func (api *ApiGatewayV1Api) Arn() string {
	if api.Cdk.RestApi == nil {
		return ""
	}
	return *api.Cdk.RestApi.Arn()
}

// ExecutionArn is the prefix of the ARNs execute-api:Invoke names
// (<ExecutionArn>/<stage>/<method>/<path>).
func (api *ApiGatewayV1Api) ExecutionArn() string {
	if api.Cdk.RestApi == nil {
		return ""
	}
	return *api.Cdk.RestApi.ExecutionArn()
}

// Statements grants calling every method of the API with IAM-signed
// requests (routes whose Authorizer is "iam"), as a Permission.
func (api *ApiGatewayV1Api) Statements() []Statement {
	return []Statement{Allow([]string{"execute-api:Invoke"}, api.ExecutionArn()+"/*")}
}

// Function returns the function serving a route key, or nil.
func (api *ApiGatewayV1Api) Function(routeKey string) *Function {
	return functionOf(api.routes, routeKey)
}

// Binding gives functions the API's URL (SST_ApiGatewayV1Api_url_<id>),
// as SST v2's did.
func (api *ApiGatewayV1Api) Binding() Binding {
	return Binding{Type: "ApiGatewayV1Api", ID: api.aid, Variables: map[string]string{"url": api.URL()}}
}

func (api *ApiGatewayV1Api) id() string { return api.aid }

func (api *ApiGatewayV1Api) functions() []*Function { return ownFunctions(api.authz, api.routes) }

// own is the authorizer's function when the API created it.
func (az *v1Authorizer) own() *Function {
	if az.shared {
		return nil
	}
	return az.fn
}

func (api *ApiGatewayV1Api) routesManifest() []manifest.Route {
	var out []manifest.Route
	for _, r := range api.routes {
		out = append(out, manifest.Route{Api: api.aid, Key: r.key.String(), Function: r.fn.fid, Authorizer: r.auth, PayloadFormatVersion: "1.0"})
	}
	return out
}

func (api *ApiGatewayV1Api) describe() manifest.Construct {
	c := manifest.Construct{ID: api.aid, Type: "ApiGatewayV1Api", Path: api.aid, Data: map[string]string{}}
	if api.Cdk.Stage != nil {
		c.Data[manifest.ApiURL] = api.stack.resolveString(api.URL())
	}
	dev := manifest.ApiDev{Authorizers: map[string]manifest.ApiAuthorizer{}, Stage: api.stageName, Cors: api.cors().devManifest()}
	for name, az := range api.authz {
		dev.Authorizers[name] = az.dev
	}
	if b, err := json.Marshal(dev); err == nil {
		c.Data[manifest.DataApiDev] = string(b)
	}
	c.Binds = functionBinds(api.functions())
	return c
}
