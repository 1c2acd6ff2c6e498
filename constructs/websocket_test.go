package sst

import (
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
		`stack First: websocket api "Bad": Authorizer "jwt": use "none" or "iam"`,
		`websocket api "Bad": RouteSelectionExpression "$request.header.x": must select a field of the message body`,
		`websocket api "Bad": AccessLog.Retention 48h (2 days)`,
		`websocket api "Chat": route "$connected": the only $ routes are $connect, $disconnect and $default`,
		`route "send msg": custom route keys are the value of the message's action field`,
		`route "": a route key is empty`,
		`route "both": set Handler or Function.Handler, not both`,
		`route " ok": route "ok" is defined twice`,
	)
}
