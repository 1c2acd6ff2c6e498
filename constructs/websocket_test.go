package sst

import (
	"strings"
	"testing"
	"time"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/apigatewayv2stage"
)

func TestWebSocketApiSynth(t *testing.T) {
	opts := testOptions(t)
	var ws *WebSocketApi
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		ws = NewWebSocketApi(s, "Chat", WebSocketApiProps{
			Authorizer: "iam",
			Defaults:   WebSocketApiDefaults{Function: FunctionProps{Timeout: 20 * time.Second}},
			Routes: map[string]WebSocketRoute{
				"$connect":    {Handler: nodeHandler},
				"$disconnect": {Handler: nodeHandler},
				"$default":    {Handler: nodeHandler},
				"sendMessage": {Function: FunctionProps{Handler: nodeHandler}},
			},
			AccessLog: &ApiAccessLog{Retention: Days(14)},
			Cdk: WebSocketApiCdkProps{Stage: func(c *apigatewayv2stage.Apigatewayv2StageConfig) {
				c.Description = strp("chat stage")
			}},
		})
		// A route that posts back to clients binds its own API.
		ws.Function("sendMessage").Bind(ws)
		NewWebSocketApi(s, "Plain", WebSocketApiProps{Routes: map[string]WebSocketRoute{"$default": {Handler: nodeHandler}}})
		return nil
	})...)
	api := s.resource(t, "First", "aws_apigatewayv2_api", "Chat")
	if api["protocol_type"] != "WEBSOCKET" || api["route_selection_expression"] != "$request.body.action" || api["name"] != "test-app-Chat" {
		t.Errorf("api = %v", api)
	}
	st := s.resource(t, "First", "aws_apigatewayv2_stage", "Chat_stage")
	if st["name"] != "test" || st["auto_deploy"] != true || st["description"] != "chat stage" {
		t.Errorf("stage = %v", st)
	}
	wantContains(t, jsonString(t, st), `"destination_arn":"${aws_cloudwatch_log_group.Chat_access_logs.arn}"`)
	if ps := s.resource(t, "First", "aws_apigatewayv2_stage", "Plain_stage"); ps["access_log_settings"] != nil {
		t.Errorf("access logs are opt-in: %v", ps)
	}
	routes := s.resources("First", "aws_apigatewayv2_route")
	want := map[string]string{"Chat_connect_route": "$connect", "Chat_disconnect_route": "$disconnect", "Chat_default_route": "$default", "Chat_sendMessage_route": "sendMessage"}
	for id, key := range want {
		r, ok := routes[id]
		if !ok || r["route_key"] != key || r["target"] != "integrations/${aws_apigatewayv2_integration."+id[:len(id)-len("_route")]+"_integration.id}" {
			t.Errorf("route %s = %v", id, r)
		}
	}
	if routes["Chat_connect_route"]["authorization_type"] != "AWS_IAM" || routes["Chat_default_route"]["authorization_type"] != nil {
		t.Errorf("only $connect is authorized: %v / %v", routes["Chat_connect_route"], routes["Chat_default_route"])
	}
	integ := s.resource(t, "First", "aws_apigatewayv2_integration", "Chat_sendMessage_integration")
	if integ["integration_type"] != "AWS_PROXY" || integ["integration_uri"] != "${aws_lambda_function.Chat_sendMessage.invoke_arn}" {
		t.Errorf("integration = %v", integ)
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Chat_connect_permission")
	if perm["principal"] != "apigateway.amazonaws.com" || perm["source_arn"] != "${aws_apigatewayv2_api.Chat.execution_arn}/*/*" {
		t.Errorf("permission = %v", perm)
	}
	fn := s.resource(t, "First", "aws_lambda_function", "Chat_sendMessage")
	wantContains(t, jsonString(t, fn), `"SST_WebSocketApi_url_Chat":"${aws_apigatewayv2_stage.Chat_stage.invoke_url}"`, `"timeout":20`)
	pol := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Chat_sendMessage_policy"))
	wantContains(t, pol, `\"Action\":[\"execute-api:ManageConnections\"],\"Resource\":[\"${aws_apigatewayv2_api.Chat.execution_arn}/*\"]`)
	var keys []string
	for _, st := range s.m.Stacks {
		for _, r := range st.Routes {
			if r.Api == "Chat" {
				keys = append(keys, r.Key+"="+r.Authorizer)
			}
		}
	}
	if jsonString(t, keys) != `["$connect=iam","$default=none","$disconnect=none","sendMessage=none"]` {
		t.Errorf("manifest routes = %v", keys)
	}
}

func TestWebSocketApiErrors(t *testing.T) {
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewWebSocketApi(s, "Bad", WebSocketApiProps{Authorizer: "jwt", RouteSelectionExpression: "$request.header.x", AccessLog: &ApiAccessLog{Retention: Days(2)}})
		w := NewWebSocketApi(s, "Chat", WebSocketApiProps{Routes: map[string]WebSocketRoute{
			"$connected": {Handler: nodeHandler},
			"send msg":   {Handler: nodeHandler},
			"":           {Handler: nodeHandler},
			"both":       {Handler: nodeHandler, Function: FunctionProps{Handler: nodeHandler}},
			"ok":         {Handler: nodeHandler},
		}})
		w.AddRoutes(map[string]WebSocketRoute{" ok": {Handler: nodeHandler}})
		return nil
	})...)
	wantContains(t, msg,
		`stack First: websocket api "Bad": Authorizer "jwt": use "none", "iam" or "lambda" (with LambdaAuthorizer)`,
		`websocket api "Bad": RouteSelectionExpression "$request.header.x": must select a field of the message body`,
		`websocket api "Bad": AccessLog.Retention 48h (2 days)`,
		`websocket api "Chat": route "$connected": the only $ routes are $connect, $disconnect and $default`,
		`route "send msg": custom route keys are the value of the message's action field`,
		`route "": a route key is empty`,
		`route "both": set Handler or Function.Handler, not both`,
		`route " ok": route "ok" is defined twice`,
	)
}

// TestWebSocketApiLambdaAuthorizerAndDomain: a Lambda REQUEST authorizer
// on $connect (its own function or an existing one), a custom domain
// that URL and the bindings follow, the httpsUrl binding SST v2's Node
// client reads, and route functions allowed to answer their clients
// without binding their API.
func TestWebSocketApiLambdaAuthorizerAndDomain(t *testing.T) {
	var chat, plain *WebSocketApi
	var reader *Function
	s := synthOK(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		chat = NewWebSocketApi(s, "Chat", WebSocketApiProps{
			LambdaAuthorizer: &WebSocketLambdaAuthorizer{Handler: nodeHandler, IdentitySource: []string{"route.request.querystring.token"}},
			CustomDomain:     &CustomDomain{DomainName: "ws.example.com"},
			Routes:           map[string]WebSocketRoute{"$connect": {Handler: nodeHandler}, "sendMessage": {Handler: nodeHandler}},
		})
		shared := NewFunction(s, "Auth", FunctionProps{Handler: nodeHandler})
		plain = NewWebSocketApi(s, "Plain", WebSocketApiProps{
			Authorizer:       "lambda",
			LambdaAuthorizer: &WebSocketLambdaAuthorizer{Fn: shared, Name: "tokens"},
			Routes:           map[string]WebSocketRoute{"$connect": {Handler: nodeHandler}},
		})
		reader = NewFunction(s, "Reader", FunctionProps{Handler: nodeHandler, Bind: []Bindable{chat, plain}})
		return nil
	})...)
	az := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Chat_authorizer_config")
	delete(az, "//")
	wantJSON(t, "authorizer", az, map[string]any{
		"api_id": "${aws_apigatewayv2_api.Chat.id}", "authorizer_type": "REQUEST",
		"authorizer_uri":   "${aws_lambda_function.Chat_authorizer.invoke_arn}",
		"identity_sources": []string{"route.request.querystring.token"}, "name": "Chat-authorizer",
	})
	conn := s.resource(t, "First", "aws_apigatewayv2_route", "Chat_connect_route")
	if conn["authorization_type"] != "CUSTOM" || conn["authorizer_id"] != "${aws_apigatewayv2_authorizer.Chat_authorizer_config.id}" {
		t.Errorf("$connect route = %v", conn)
	}
	if r := s.resource(t, "First", "aws_apigatewayv2_route", "Chat_sendMessage_route"); r["authorizer_id"] != nil {
		t.Errorf("a message route got the authorizer: %v", r)
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Chat_authorizer_permission")
	if perm["function_name"] != "${aws_lambda_function.Chat_authorizer.function_name}" || perm["source_arn"] != "${aws_apigatewayv2_api.Chat.execution_arn}/authorizers/*" {
		t.Errorf("authorizer permission = %v", perm)
	}
	paz := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Plain_authorizer_config")
	if paz["authorizer_uri"] != "${aws_lambda_function.Auth.invoke_arn}" || paz["name"] != "tokens" || jsonString(t, paz["identity_sources"]) != `["route.request.header.Authorization"]` {
		t.Errorf("existing-function authorizer = %v", paz)
	}
	if _, ok := s.resources("First", "aws_lambda_function")["Plain_authorizer"]; ok {
		t.Error("an authorizer given an existing function built another")
	}

	dn := s.resource(t, "First", "aws_apigatewayv2_domain_name", "Chat_domain")
	if dn["domain_name"] != "ws.example.com" {
		t.Errorf("domain = %v", dn)
	}
	m := s.resource(t, "First", "aws_apigatewayv2_api_mapping", "Chat_domain_mapping")
	if m["api_id"] != "${aws_apigatewayv2_api.Chat.id}" || m["stage"] != "${aws_apigatewayv2_stage.Chat_stage.id}" {
		t.Errorf("mapping = %v", m)
	}
	if chat.URL() != "wss://ws.example.com" || chat.CustomDomainURL() != "wss://ws.example.com" || chat.HTTPSURL() != "https://ws.example.com" || plain.CustomDomainURL() != "" {
		t.Errorf("URL %q, CustomDomainURL %q/%q, HTTPSURL %q", chat.URL(), chat.CustomDomainURL(), plain.CustomDomainURL(), chat.HTTPSURL())
	}
	env := s.env(t, "First", "Reader")
	for k, want := range map[string]string{
		"SST_WebSocketApi_url_Chat":       "wss://ws.example.com",
		"SST_WebSocketApi_httpsUrl_Chat":  "https://ws.example.com",
		"SST_WebSocketApi_url_Plain":      "${aws_apigatewayv2_stage.Plain_stage.invoke_url}",
		"SST_WebSocketApi_httpsUrl_Plain": "https://${aws_apigatewayv2_api.Plain.id}.execute-api.us-east-1.amazonaws.com/test",
	} {
		if env[k] != want {
			t.Errorf("%s = %v, want %s", k, env[k], want)
		}
	}
	for _, fid := range []string{"Chat_sendMessage", "Chat_connect", "Plain_connect"} {
		api := fid[:strings.Index(fid, "_")]
		wantJSON(t, fid+" ManageConnections", s.policy(t, "First", fid).grants("execute-api:ManageConnections"), []string{"${aws_apigatewayv2_api." + api + ".execution_arn}/*"})
	}
	if got := s.policy(t, "First", "Chat_authorizer").grants("execute-api:ManageConnections"); len(got) != 0 {
		t.Errorf("the authorizer may manage connections: %v", got)
	}
	var keys []string
	for _, r := range s.manifestStack(t, "First").Routes {
		keys = append(keys, r.Api+" "+r.Key+"="+r.Authorizer)
	}
	wantContains(t, strings.Join(keys, ","), "Chat $connect=lambda", "Chat sendMessage=none", "Plain $connect=lambda")
	s.manifestFunction(t, "First", "Chat_authorizer")
	_ = reader
}

func TestWebSocketApiAuthorizerErrors(t *testing.T) {
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewWebSocketApi(s, "NoFn", WebSocketApiProps{Authorizer: "lambda"})
		NewWebSocketApi(s, "Both", WebSocketApiProps{LambdaAuthorizer: &WebSocketLambdaAuthorizer{Handler: nodeHandler, Function: FunctionProps{Handler: nodeHandler}}})
		NewWebSocketApi(s, "Iam", WebSocketApiProps{Authorizer: "iam", LambdaAuthorizer: &WebSocketLambdaAuthorizer{Handler: nodeHandler}})
		NewWebSocketApi(s, "Src", WebSocketApiProps{LambdaAuthorizer: &WebSocketLambdaAuthorizer{Handler: nodeHandler, IdentitySource: []string{"$request.header.Authorization"}}})
		NewWebSocketApi(s, "Dom", WebSocketApiProps{CustomDomain: &CustomDomain{DomainName: "localhost"}})
		return nil
	})...)
	wantContains(t, msg,
		`websocket api "NoFn": Authorizer "lambda" needs LambdaAuthorizer`,
		`websocket api "Both": LambdaAuthorizer: set exactly one of Handler, Function (with its Handler) or Fn`,
		`websocket api "Iam": Authorizer "iam" with a LambdaAuthorizer`,
		`websocket api "Src": LambdaAuthorizer.IdentitySource[0] "$request.header.Authorization": use route.request.header.<name>`,
		`"Dom": CustomDomain: DomainName "localhost" must be a fully qualified domain name`,
	)
}
