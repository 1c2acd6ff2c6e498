package sst

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2api"
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
	// Authorizer guards $connect: "none" (default) or "iam".
	Authorizer string
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
	Cdk    struct {
		Api    apigatewayv2api.Apigatewayv2Api
		Stage  apigatewayv2stage.Apigatewayv2Stage
		Routes map[string]apigatewayv2route.Apigatewayv2Route
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
	switch props.Authorizer {
	case "", "none", "iam":
	default:
		a.errorf("%s: Authorizer %q: use \"none\" or \"iam\"", where, props.Authorizer)
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
	w.AddRoutes(props.Routes)
	return w
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
		auth := "NONE"
		if w.props.Authorizer == "iam" {
			auth = "AWS_IAM"
		}
		rcfg.AuthorizationType = jsii.String(auth)
	}
	w.Cdk.Routes[key] = apigatewayv2route.NewApigatewayv2Route(s.tf, jsii.String(fid+"_route"), rcfg)
	lambdapermission.NewLambdaPermission(s.tf, jsii.String(fid+"_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("apigateway.amazonaws.com"),
		SourceArn:    jsii.String(*w.Cdk.Api.ExecutionArn() + "/*/*"),
	})
	w.routes[key] = fn
	w.order = append(w.order, key)
}

// webSocketSlug turns a route key into an id part: "$connect" → "connect".
func webSocketSlug(key string) string {
	return binding.EnvID(strings.TrimPrefix(key, "$"))
}

// URL is the wss:// URL of the stage (a token until deploy).
func (w *WebSocketApi) URL() string {
	if w.Cdk.Stage == nil {
		return ""
	}
	return *w.Cdk.Stage.InvokeUrl()
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
func (w *WebSocketApi) connectionsArn() string { return w.ExecutionArn() + "/*" }

// Binding gives functions the URL (SST_WebSocketApi_url_<id>) and lets
// them post to, read and close this API's connections.
func (w *WebSocketApi) Binding() Binding {
	return Binding{
		Type:        "WebSocketApi",
		ID:          w.wid,
		Variables:   map[string]string{"url": w.URL()},
		Permissions: []Statement{Allow([]string{"execute-api:ManageConnections"}, w.connectionsArn())},
	}
}

func (w *WebSocketApi) id() string { return w.wid }

func (w *WebSocketApi) functions() []*Function {
	var fns []*Function
	for _, k := range w.order {
		fns = append(fns, w.routes[k])
	}
	return fns
}

func (w *WebSocketApi) routesManifest() []manifest.Route {
	var out []manifest.Route
	for _, k := range w.order {
		auth := "none"
		if k == "$connect" && w.props.Authorizer == "iam" {
			auth = "iam"
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
