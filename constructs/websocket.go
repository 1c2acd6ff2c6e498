package sst

import (
	"cmp"
	"fmt"
	"strings"

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
	"github.com/sst-tf/sst/manifest"
)

// WebSocketApiProps configure a WebSocket API (API Gateway v2).
type WebSocketApiProps struct {
	// Routes map route keys to handlers: "$connect", "$disconnect",
	// "$default", or a custom key matched against the message's "action"
	// field (RouteSelectionExpression).
	Routes map[string]WebSocketRoute
	// Defaults apply to every route.
	Defaults WebSocketApiDefaults
	// Authorizer guards $connect: "none" (default), "iam", or "lambda"
	// (LambdaAuthorizer; setting that alone means "lambda").
	Authorizer string
	// LambdaAuthorizer is a Lambda REQUEST authorizer run on $connect.
	LambdaAuthorizer *WebSocketLambdaAuthorizer
	// CustomDomain serves the API on your domain (ACM + Route53); URL
	// becomes wss://<domain>.
	CustomDomain *CustomDomain
	// RouteSelectionExpression picks the route of a message. Default
	// "$request.body.action".
	RouteSelectionExpression string
	// AccessLog is off by default: API Gateway needs an account-wide
	// CloudWatch role for WebSocket access logs, which a stage of one app
	// should not own. Set it once that role is configured.
	AccessLog *ApiAccessLog
	// Cdk passes raw configuration through.
	Cdk WebSocketApiCdkProps
}

// WebSocketApiDefaults apply to every route.
type WebSocketApiDefaults struct {
	// Function props every route's function starts from.
	Function FunctionProps
}

// WebSocketApiCdkProps is the escape hatch into the raw resource configuration.
type WebSocketApiCdkProps struct {
	// Api edits the aws_apigatewayv2_api config before it is created.
	Api func(*apigatewayv2api.Apigatewayv2ApiConfig)
	// Stage edits the aws_apigatewayv2_stage config (throttling, …).
	Stage func(*apigatewayv2stage.Apigatewayv2StageConfig)
}

// WebSocketLambdaAuthorizer authorizes $connect with a Lambda function,
// which answers with an IAM policy (the only response API Gateway takes
// from WebSocket authorizers). Set one of Handler, Function or Fn.
type WebSocketLambdaAuthorizer struct {
	// Name of the authorizer in API Gateway. Default "<id>-authorizer".
	Name     string
	Handler  string
	Function FunctionProps
	// Fn is an existing function (not rebuilt, not granted anything).
	Fn *Function
	// IdentitySource lists where the credentials are; a request missing
	// any is refused (401) without running the function. Default
	// ["route.request.header.Authorization"]. Also
	// "route.request.querystring.<name>", "stageVariables.<name>",
	// "context.<name>".
	IdentitySource []string
}

// WebSocketRoute is one route's handler.
type WebSocketRoute struct {
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler  string
	Function FunctionProps
}

// WebSocketApi is an API Gateway WebSocket API whose routes run functions.
type WebSocketApi struct {
	stack  *Stack
	wid    string
	props  WebSocketApiProps
	routes map[string]*Function
	order  []string
	// auth is "none", "iam" or "lambda": what guards $connect.
	auth string
	// authFn runs the Lambda authorizer; owned unless the props gave Fn.
	authFn  *Function
	domain  *domain
	connArn string
	Cdk     struct {
		Api        apigatewayv2api.Apigatewayv2Api
		Stage      apigatewayv2stage.Apigatewayv2Stage
		Routes     map[string]apigatewayv2route.Apigatewayv2Route
		Authorizer apigatewayv2authorizer.Apigatewayv2Authorizer
	}
}

// NewWebSocketApi declares a WebSocket API with a stage named after the
// app's stage, deployed automatically on every change.
func NewWebSocketApi(s *Stack, id string, props WebSocketApiProps) *WebSocketApi {
	w := &WebSocketApi{stack: s, wid: id, props: props, routes: map[string]*Function{}}
	w.Cdk.Routes = map[string]apigatewayv2route.Apigatewayv2Route{}
	if !s.app.claimID(s, id, "WebSocketApi") {
		return w
	}
	a := s.app
	where := fmt.Sprintf("stack %s: websocket api %q", s.name, id)
	errs := len(a.errs)
	w.auth = cmp.Or(props.Authorizer, "none")
	if props.LambdaAuthorizer != nil && props.Authorizer == "" {
		w.auth = "lambda"
	}
	switch w.auth {
	case "none", "iam":
		if props.LambdaAuthorizer != nil {
			a.errorf("%s: Authorizer %q with a LambdaAuthorizer: set Authorizer to \"lambda\" (or leave it empty) to use the function, or drop LambdaAuthorizer", where, w.auth)
		}
	case "lambda":
		checkWebSocketLambdaAuthorizer(a, where, props.LambdaAuthorizer)
	default:
		a.errorf("%s: Authorizer %q: use \"none\", \"iam\" or \"lambda\" (with LambdaAuthorizer)", where, props.Authorizer)
	}
	rse := cmp.Or(props.RouteSelectionExpression, "$request.body.action")
	if !strings.HasPrefix(rse, "$request.body.") && !strings.HasPrefix(rse, "${request.body.") {
		a.errorf("%s: RouteSelectionExpression %q: must select a field of the message body, e.g. \"$request.body.action\"", where, rse)
	}
	if al := props.AccessLog; al != nil && !al.Disabled {
		if _, err := checkRetention("AccessLog.Retention", al.Retention); err != nil {
			a.errorf("%s: %v", where, err)
		}
	}
	if len(a.errs) > errs {
		return w
	}
	name := naming.ApiGateway(s.Stage(), a.cfg.Name, id)
	cfg := &apigatewayv2api.Apigatewayv2ApiConfig{
		Name:                     jsii.String(name),
		ProtocolType:             jsii.String("WEBSOCKET"),
		RouteSelectionExpression: jsii.String(rse),
	}
	if props.Cdk.Api != nil {
		props.Cdk.Api(cfg)
	}
	a.claim(naming.KindApiGateway, cfg.Name, id)
	w.Cdk.Api = apigatewayv2api.NewApigatewayv2Api(s.tf, jsii.String(id), cfg)
	scfg := &apigatewayv2stage.Apigatewayv2StageConfig{
		ApiId:      w.Cdk.Api.Id(),
		Name:       jsii.String(s.Stage()),
		AutoDeploy: jsii.Bool(true),
	}
	if al := props.AccessLog; al != nil && !al.Disabled {
		lg := cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_access_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Name:            jsii.String(a.names.Claim(naming.KindLogGroup, "/aws/vendedlogs/apis/"+name, a.owner(id))),
			RetentionInDays: jsii.Number(float64(al.Retention / Day)),
		})
		scfg.AccessLogSettings = &apigatewayv2stage.Apigatewayv2StageAccessLogSettings{
			DestinationArn: lg.Arn(),
			Format:         jsii.String(cmp.Or(al.Format, webSocketAccessLogFormat)),
		}
	}
	if props.Cdk.Stage != nil {
		props.Cdk.Stage(scfg)
	}
	w.Cdk.Stage = apigatewayv2stage.NewApigatewayv2Stage(s.tf, jsii.String(id+"_stage"), scfg)
	s.add(w)
	if w.auth == "lambda" {
		w.createAuthorizer(*props.LambdaAuthorizer)
	}
	w.AddRoutes(props.Routes)
	if props.CustomDomain != nil {
		w.domain = newApiDomain(s, id, w.Cdk.Api.Id(), w.Cdk.Stage.Id(), *props.CustomDomain)
	}
	return w
}

// webSocketIdentitySources are the prefixes a WebSocket authorizer's
// identity source may start with.
var webSocketIdentitySources = []string{"route.request.header.", "route.request.querystring.", "stageVariables.", "context."}

func checkWebSocketLambdaAuthorizer(a *App, where string, la *WebSocketLambdaAuthorizer) {
	if la == nil {
		a.errorf("%s: Authorizer \"lambda\" needs LambdaAuthorizer: &sst.WebSocketLambdaAuthorizer{Handler: ...}", where)
		return
	}
	set := 0
	for _, given := range []bool{la.Handler != "", la.Function.Handler != "", la.Fn != nil} {
		if given {
			set++
		}
	}
	if set != 1 {
		a.errorf("%s: LambdaAuthorizer: set exactly one of Handler, Function (with its Handler) or Fn", where)
	}
	for i, src := range la.IdentitySource {
		ok := false
		for _, p := range webSocketIdentitySources {
			if strings.HasPrefix(src, p) && len(src) > len(p) {
				ok = true
			}
		}
		if !ok {
			a.errorf("%s: LambdaAuthorizer.IdentitySource[%d] %q: use route.request.header.<name>, route.request.querystring.<name>, stageVariables.<name> or context.<name>", where, i, src)
		}
	}
}

// createAuthorizer declares the Lambda REQUEST authorizer $connect uses
// and lets API Gateway invoke its function.
func (w *WebSocketApi) createAuthorizer(la WebSocketLambdaAuthorizer) {
	s := w.stack
	fn := la.Fn
	if fn == nil {
		props := la.Function
		if la.Handler != "" {
			props.Handler = la.Handler
		}
		fn = newFunction(s, w.wid, w.wid+"_authorizer", props)
		w.authFn = fn
	}
	if fn.Cdk.Function == nil {
		return
	}
	sources := la.IdentitySource
	if len(sources) == 0 {
		sources = []string{"route.request.header.Authorization"}
	}
	w.Cdk.Authorizer = apigatewayv2authorizer.NewApigatewayv2Authorizer(s.tf, jsii.String(w.wid+"_authorizer_config"), &apigatewayv2authorizer.Apigatewayv2AuthorizerConfig{
		ApiId:           w.Cdk.Api.Id(),
		Name:            jsii.String(cmp.Or(la.Name, w.wid+"-authorizer")),
		AuthorizerType:  jsii.String("REQUEST"),
		AuthorizerUri:   fn.Cdk.Function.InvokeArn(),
		IdentitySources: jsii.Strings(sources...),
	})
	lambdapermission.NewLambdaPermission(s.tf, jsii.String(w.wid+"_authorizer_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("apigateway.amazonaws.com"),
		SourceArn:    jsii.String(*w.Cdk.Api.ExecutionArn() + "/authorizers/*"),
	})
}

const webSocketAccessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","eventType":"$context.eventType","routeKey":"$context.routeKey","status":"$context.status","connectionId":"$context.connectionId"}`

// AddRoutes adds routes after creation (SST's addRoutes).
func (w *WebSocketApi) AddRoutes(routes map[string]WebSocketRoute) {
	if w.Cdk.Api == nil {
		return
	}
	for _, k := range sortedKeys(routes) {
		w.addRoute(k, routes[k])
	}
}

func (w *WebSocketApi) addRoute(rawKey string, r WebSocketRoute) {
	s, a := w.stack, w.stack.app
	key := strings.TrimSpace(rawKey)
	where := fmt.Sprintf("stack %s: websocket api %q: route %q", s.name, w.wid, rawKey)
	switch {
	case key == "":
		a.errorf("%s: a route key is empty", where)
		return
	case strings.HasPrefix(key, "$") && key != "$connect" && key != "$disconnect" && key != "$default":
		a.errorf("%s: the only $ routes are $connect, $disconnect and $default; custom route keys have no $", where)
		return
	case len(key) > 128 || strings.ContainsAny(key, " \t\n/"):
		a.errorf("%s: custom route keys are the value of the message's action field: no spaces or slashes, at most 128 characters", where)
		return
	case w.routes[key] != nil:
		a.errorf("%s: route %q is defined twice", where, key)
		return
	case r.Handler != "" && r.Function.Handler != "":
		a.errorf("%s: set Handler or Function.Handler, not both", where)
		return
	}
	props := r.Function
	if r.Handler != "" {
		props.Handler = r.Handler
	}
	fid := w.wid + "_" + webSocketSlug(key)
	fn := newFunction(s, w.wid, fid, props, w.props.Defaults.Function)
	if fn.Cdk.Function == nil {
		return
	}
	integ := apigatewayv2integration.NewApigatewayv2Integration(s.tf, jsii.String(fid+"_integration"), &apigatewayv2integration.Apigatewayv2IntegrationConfig{
		ApiId:             w.Cdk.Api.Id(),
		IntegrationType:   jsii.String("AWS_PROXY"),
		IntegrationUri:    fn.Cdk.Function.InvokeArn(),
		IntegrationMethod: jsii.String("POST"),
	})
	rcfg := &apigatewayv2route.Apigatewayv2RouteConfig{
		ApiId:    w.Cdk.Api.Id(),
		RouteKey: jsii.String(key),
		Target:   jsii.String("integrations/" + *integ.Id()),
	}
	// Only $connect is authorized; once connected, messages ride on it.
	if key == "$connect" {
		switch w.auth {
		case "iam":
			rcfg.AuthorizationType = jsii.String("AWS_IAM")
		case "lambda":
			rcfg.AuthorizationType = jsii.String("CUSTOM")
			if w.Cdk.Authorizer != nil {
				rcfg.AuthorizerId = w.Cdk.Authorizer.Id()
			}
		default:
			rcfg.AuthorizationType = jsii.String("NONE")
		}
	}
	w.Cdk.Routes[key] = apigatewayv2route.NewApigatewayv2Route(s.tf, jsii.String(fid+"_route"), rcfg)
	lambdapermission.NewLambdaPermission(s.tf, jsii.String(fid+"_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("apigateway.amazonaws.com"),
		SourceArn:    jsii.String(*w.Cdk.Api.ExecutionArn() + "/*/*"),
	})
	// As in SST v2, every route may answer its clients.
	fn.AttachPermissions(Allow([]string{"execute-api:ManageConnections"}, w.connectionsArn()))
	w.routes[key] = fn
	w.order = append(w.order, key)
}

// webSocketSlug turns a route key into an id part: "$connect" → "connect".
func webSocketSlug(key string) string {
	return binding.EnvID(strings.TrimPrefix(key, "$"))
}

// URL is the API's wss:// URL: its custom domain when set, else the
// stage's (a token until deploy).
func (w *WebSocketApi) URL() string {
	if w.domain != nil {
		return w.CustomDomainURL()
	}
	if w.Cdk.Stage == nil {
		return ""
	}
	return *w.Cdk.Stage.InvokeUrl()
}

// CustomDomainURL is wss://<CustomDomain.DomainName>, "" without one.
func (w *WebSocketApi) CustomDomainURL() string {
	if w.domain == nil {
		return ""
	}
	return "wss://" + w.domain.name
}

// HTTPSURL is where the API Gateway Management API (post to, read and
// close connections) is called: https://<custom domain>, else
// https://<api id>.execute-api.<region>.amazonaws.com/<stage>, written
// with a plain reference to the API's id (not a Terraform function) so
// that `sst dev` can resolve it and point it at its local gateway.
func (w *WebSocketApi) HTTPSURL() string {
	if w.domain != nil {
		return "https://" + w.domain.name
	}
	if w.Cdk.Api == nil {
		return ""
	}
	return "https://" + w.ApiID() + ".execute-api." + w.stack.Region() + ".amazonaws.com/" + w.stack.Stage()
}

// ID is the construct id.
func (w *WebSocketApi) ID() string { return w.wid }

// ApiID is API Gateway's id for the API (a token until deploy); "" when the
// API failed validation, as for the other attributes.
func (w *WebSocketApi) ApiID() string {
	if w.Cdk.Api == nil {
		return ""
	}
	return *w.Cdk.Api.Id()
}

// Arn is the API's ARN, for API Gateway's own management actions.
func (w *WebSocketApi) Arn() string {
	if w.Cdk.Api == nil {
		return ""
	}
	return *w.Cdk.Api.Arn()
}

// ExecutionArn is the prefix of the ARNs execute-api:Invoke and
// execute-api:ManageConnections name.
func (w *WebSocketApi) ExecutionArn() string {
	if w.Cdk.Api == nil {
		return ""
	}
	return *w.Cdk.Api.ExecutionArn()
}

// Function is the function serving a route key, or nil.
func (w *WebSocketApi) Function(routeKey string) *Function {
	return w.routes[strings.TrimSpace(routeKey)]
}

// connectionsArn covers the API's @connections endpoints on every stage.
// One string for every grant: each attribute read is a new token, and
// equal strings are what keeps a policy from listing the ARN twice.
func (w *WebSocketApi) connectionsArn() string {
	if w.connArn == "" {
		w.connArn = w.ExecutionArn() + "/*"
	}
	return w.connArn
}

// Binding gives functions the URL (SST_WebSocketApi_url_<id>) and the
// management endpoint (SST_WebSocketApi_httpsUrl_<id>), and lets them
// post to, read and close this API's connections.
func (w *WebSocketApi) Binding() Binding {
	return Binding{
		Type:        "WebSocketApi",
		ID:          w.wid,
		Variables:   map[string]string{"url": w.URL(), "httpsUrl": w.HTTPSURL()},
		Permissions: []Statement{Allow([]string{"execute-api:ManageConnections"}, w.connectionsArn())},
	}
}

func (w *WebSocketApi) id() string { return w.wid }

func (w *WebSocketApi) functions() []*Function {
	var fns []*Function
	for _, k := range w.order {
		fns = append(fns, w.routes[k])
	}
	if w.authFn != nil && w.authFn.Cdk.Function != nil {
		fns = append(fns, w.authFn)
	}
	return fns
}

func (w *WebSocketApi) routesManifest() []manifest.Route {
	var out []manifest.Route
	for _, k := range w.order {
		auth := "none"
		if k == "$connect" {
			auth = w.auth
		}
		out = append(out, manifest.Route{Api: w.wid, Key: k, Function: w.routes[k].fid, Authorizer: auth})
	}
	return out
}

func (w *WebSocketApi) describe() manifest.Construct {
	c := manifest.Construct{ID: w.wid, Type: "WebSocketApi", Path: w.wid, Data: map[string]string{}}
	if w.Cdk.Stage != nil {
		c.Data[manifest.WebSocketApiURL] = w.stack.resolveString(w.URL())
	}
	c.Data[manifest.WebSocketApiRouteSelection] = cmp.Or(w.props.RouteSelectionExpression, "$request.body.action")
	c.Binds = functionBinds(w.functions())
	return c
}
