package sst

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestApiGatewayV1ApiSynth(t *testing.T) {
	opts := testOptions(t)
	var api *ApiGatewayV1Api
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		api = NewApiGatewayV1Api(s, "Rest", ApiGatewayV1ApiProps{
			Authorizers: map[string]ApiGatewayV1ApiAuthorizer{
				"pool":  {Type: "user_pools", UserPoolIDs: []string{"us-east-1_abc"}},
				"token": {Type: "lambda_token", Function: FunctionProps{Handler: nodeHandler}, ResultsCacheTTL: 5 * time.Minute},
				"req":   {Type: "lambda_request", Function: FunctionProps{Handler: nodeHandler}, IdentitySource: []string{"method.request.header.X-Key", "method.request.querystring.k"}},
			},
			Defaults: ApiGatewayV1ApiDefaults{Function: FunctionProps{Timeout: 20 * time.Second}},
			Routes: map[string]ApiGatewayV1ApiRoute{
				"GET /notes":         {Handler: nodeHandler, Authorizer: "pool", AuthorizationScopes: []string{"notes/read"}},
				"GET /notes/{id}":    {Handler: nodeHandler, Authorizer: "token"},
				"DELETE /notes/{id}": {Handler: nodeHandler, Authorizer: "req"},
				"POST /notes":        {Handler: nodeHandler, Authorizer: "iam"},
				"ANY /{proxy+}":      {Handler: nodeHandler},
			},
			AccessLog: &ApiAccessLog{Retention: Days(7)},
		})
		api.AddRoutes(map[string]ApiGatewayV1ApiRoute{"GET /": {Handler: nodeHandler}})
		NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api}})
		// A route bound to its own API: no cycle through the stage.
		api.Function("ANY /{proxy+}").Bind(api)
		return nil
	})...)

	rest := s.resource(t, "First", "aws_api_gateway_rest_api", "Rest")
	if rest["name"] != "test-app-Rest" {
		t.Errorf("rest api = %v", rest)
	}
	// The resource tree: /notes, /notes/{id} under it, /{proxy+} at the root.
	res := s.resources("First", "aws_api_gateway_resource")
	if len(res) != 3 {
		t.Errorf("resources = %v", keys(res))
	}
	for id, r := range res {
		switch r["path_part"] {
		case "notes", "{proxy+}":
			if r["parent_id"] != "${aws_api_gateway_rest_api.Rest.root_resource_id}" {
				t.Errorf("%s parent = %v", id, r["parent_id"])
			}
		case "{id}":
			if !strings.Contains(r["parent_id"].(string), "aws_api_gateway_resource.Rest_resource_notes.id") {
				t.Errorf("%s parent = %v", id, r["parent_id"])
			}
		default:
			t.Errorf("unexpected resource %s = %v", id, r)
		}
	}
	methods := s.resources("First", "aws_api_gateway_method")
	check := func(id, method, auth string) map[string]any {
		t.Helper()
		m, ok := methods[id]
		if !ok {
			t.Fatalf("no method %s; have %v", id, keys(methods))
		}
		if m["http_method"] != method || m["authorization"] != auth {
			t.Errorf("method %s = %v", id, m)
		}
		return m
	}
	pool := check("Rest_GET_notes_method", "GET", "COGNITO_USER_POOLS")
	if pool["authorizer_id"] != "${aws_api_gateway_authorizer.Rest_authorizer_pool.id}" || jsonString(t, pool["authorization_scopes"]) != `["notes/read"]` {
		t.Errorf("pool method = %v", pool)
	}
	check("Rest_GET_notes_id_method", "GET", "CUSTOM")
	check("Rest_DELETE_notes_id_method", "DELETE", "CUSTOM")
	check("Rest_POST_notes_method", "POST", "AWS_IAM")
	check("Rest_ANY_proxy_method", "ANY", "NONE")
	root := check("Rest_GET_method", "GET", "NONE")
	if root["resource_id"] != "${aws_api_gateway_rest_api.Rest.root_resource_id}" {
		t.Errorf("GET / resource = %v", root["resource_id"])
	}
	// CORS by default: one OPTIONS mock per path with routes.
	for _, id := range []string{"Rest_options_notes_method", "Rest_options_notes_id_method", "Rest_options_proxy_method", "Rest_options_method"} {
		check(id, "OPTIONS", "NONE")
	}
	ir := jsonString(t, s.resource(t, "First", "aws_api_gateway_integration_response", "Rest_options_notes_integration_response"))
	wantContains(t, ir, `"method.response.header.Access-Control-Allow-Origin":"'*'"`, `"status_code":"${aws_api_gateway_method_response.Rest_options_notes_response.status_code}"`)
	if gr := s.resource(t, "First", "aws_api_gateway_gateway_response", "Rest_response_default_4xx"); gr["response_type"] != "DEFAULT_4XX" {
		t.Errorf("gateway response = %v", gr)
	}

	integ := s.resource(t, "First", "aws_api_gateway_integration", "Rest_GET_notes_id_integration")
	if integ["type"] != "AWS_PROXY" || integ["integration_http_method"] != "POST" || integ["uri"] != "${aws_lambda_function.Rest_GET_notes_id.invoke_arn}" {
		t.Errorf("integration = %v", integ)
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Rest_GET_notes_id_permission")
	if perm["source_arn"] != "${aws_api_gateway_rest_api.Rest.execution_arn}/*/*" {
		t.Errorf("permission = %v", perm)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Rest_GET_notes_id")), `"timeout":20`)

	az := s.resources("First", "aws_api_gateway_authorizer")
	if p := az["Rest_authorizer_pool"]; p["type"] != "COGNITO_USER_POOLS" || !strings.Contains(jsonString(t, p["provider_arns"]), ":userpool/us-east-1_abc") {
		t.Errorf("pool authorizer = %v", p)
	}
	if tk := az["Rest_authorizer_token"]; tk["type"] != "TOKEN" || tk["identity_source"] != "method.request.header.Authorization" || tk["authorizer_result_ttl_in_seconds"] != 300.0 ||
		tk["authorizer_uri"] != "${aws_lambda_function.Rest_authorizer_token_function.invoke_arn}" {
		t.Errorf("token authorizer = %v", tk)
	}
	if rq := az["Rest_authorizer_req"]; rq["type"] != "REQUEST" || rq["identity_source"] != "method.request.header.X-Key,method.request.querystring.k" {
		t.Errorf("request authorizer = %v", rq)
	}
	ap := s.resource(t, "First", "aws_lambda_permission", "Rest_authorizer_token_permission")
	if ap["source_arn"] != "${aws_api_gateway_rest_api.Rest.execution_arn}/authorizers/${aws_api_gateway_authorizer.Rest_authorizer_token.id}" {
		t.Errorf("authorizer permission = %v", ap)
	}

	// The deployment is keyed to the routes and waits for every method,
	// including the one AddRoutes added.
	dep := s.resource(t, "First", "aws_api_gateway_deployment", "Rest_deployment")
	d := jsonString(t, dep)
	wantContains(t, d, `"create_before_destroy":true`, `"redeployment":`, `"aws_api_gateway_method.Rest_GET_method"`, `"aws_api_gateway_integration_response.Rest_options_notes_integration_response"`)
	stage := s.resource(t, "First", "aws_api_gateway_stage", "Rest_stage")
	if stage["stage_name"] != "test" || stage["xray_tracing_enabled"] != true {
		t.Errorf("stage = %v", stage)
	}
	wantContains(t, jsonString(t, stage), `"destination_arn":"${aws_cloudwatch_log_group.Rest_access_logs.arn}"`)
	if lg := s.resource(t, "First", "aws_cloudwatch_log_group", "Rest_access_logs"); lg["retention_in_days"] != 7.0 {
		t.Errorf("access log group = %v", lg)
	}

	// Binding: SST v2's variable name and a URL ending in "/".
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Caller")), `"SST_ApiGatewayV1Api_url_Rest":"https://${aws_api_gateway_rest_api.Rest.id}.execute-api.us-east-1.amazonaws.com/test/"`)

	// The manifest: 1.0 routes, the stage and the authorizers for sst dev.
	st := s.m.Stacks[0]
	var routes []string
	for _, r := range st.Routes {
		if r.Api == "Rest" {
			routes = append(routes, r.Key+"="+r.Authorizer+"@"+r.PayloadFormatVersion)
		}
	}
	if got := strings.Join(routes, " "); got != "ANY /{proxy+}=none@1.0 DELETE /notes/{id}=req@1.0 GET /notes=pool@1.0 GET /notes/{id}=token@1.0 POST /notes=iam@1.0 GET /=none@1.0" {
		t.Errorf("manifest routes = %s", got)
	}
	for _, c := range st.Constructs {
		if c.ID != "Rest" {
			continue
		}
		if c.Type != "ApiGatewayV1Api" || c.Data["url"] != "https://${aws_api_gateway_rest_api.Rest.id}.execute-api.us-east-1.amazonaws.com/test/" {
			t.Errorf("construct = %+v", c)
		}
		var dev struct {
			Stage       string
			Cors        map[string]any
			Authorizers map[string]struct {
				Type     string
				Issuers  []string
				Function string
			}
		}
		if err := json.Unmarshal([]byte(c.Data["dev"]), &dev); err != nil {
			t.Fatal(err)
		}
		if dev.Stage != "test" || dev.Cors == nil || dev.Authorizers["pool"].Issuers[0] != "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc" ||
			dev.Authorizers["token"].Type != "lambda_token" || dev.Authorizers["token"].Function != "Rest_authorizer_token_function" {
			t.Errorf("dev data = %s", c.Data["dev"])
		}
	}
	if api.Function("GET /notes/{id}") == nil || api.Function("GET /nope") != nil {
		t.Error("Function(routeKey)")
	}
}

func TestApiGatewayV1ApiOptions(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		NewApiGatewayV1Api(s, "Plain", ApiGatewayV1ApiProps{
			Cors:      &Cors{Disabled: true},
			AccessLog: &ApiAccessLog{Disabled: true},
			StageName: "v1",
			Routes:    map[string]ApiGatewayV1ApiRoute{"OPTIONS /x": {Handler: nodeHandler}},
		})
		d := NewApiGatewayV1Api(s, "Domain", ApiGatewayV1ApiProps{
			CustomDomain: &CustomDomain{DomainName: "api.example.com", CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x"},
			Routes:       map[string]ApiGatewayV1ApiRoute{"GET /": {Handler: nodeHandler}},
		})
		NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler, Bind: []Bindable{d}})
		return nil
	})...)
	if n := len(s.resources("First", "aws_api_gateway_gateway_response")); n != 2 {
		t.Errorf("gateway responses = %d, want Domain's two (Plain has CORS off)", n)
	}
	if _, ok := s.resources("First", "aws_api_gateway_method")["Plain_options_x_method"]; ok {
		t.Error("CORS disabled still made a preflight method")
	}
	st := s.resource(t, "First", "aws_api_gateway_stage", "Plain_stage")
	if st["stage_name"] != "v1" || st["access_log_settings"] != nil {
		t.Errorf("stage = %v", st)
	}
	dn := s.resource(t, "First", "aws_api_gateway_domain_name", "Domain_domain")
	if dn["domain_name"] != "api.example.com" || dn["regional_certificate_arn"] != "arn:aws:acm:us-east-1:123456789012:certificate/x" {
		t.Errorf("domain = %v", dn)
	}
	bp := s.resource(t, "First", "aws_api_gateway_base_path_mapping", "Domain_domain_mapping")
	if bp["stage_name"] != "${aws_api_gateway_stage.Domain_stage.stage_name}" {
		t.Errorf("mapping = %v", bp)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Caller")), `"SST_ApiGatewayV1Api_url_Domain":"https://api.example.com/"`)
}

func TestApiGatewayV1ApiBadInput(t *testing.T) {
	api := func(props ApiGatewayV1ApiProps) body {
		return func(s *Stack) any { return NewApiGatewayV1Api(s, "Rest", props) }
	}
	r := func(k string) map[string]ApiGatewayV1ApiRoute {
		return map[string]ApiGatewayV1ApiRoute{k: {Handler: nodeHandler}}
	}
	tests := []struct {
		name  string
		props ApiGatewayV1ApiProps
		want  []string
	}{
		{"$default", ApiGatewayV1ApiProps{Routes: r("$default")}, []string{`ApiGatewayV1Api "Rest"`, `route "$default"`, `"ANY /{proxy+}"`}},
		{"bad route key", ApiGatewayV1ApiProps{Routes: r("get /x")}, []string{`ApiGatewayV1Api "Rest"`, `"GET"`}},
		{"sibling parameters", ApiGatewayV1ApiProps{Routes: map[string]ApiGatewayV1ApiRoute{"GET /notes/{id}": {Handler: nodeHandler}, "PUT /notes/{noteId}": {Handler: nodeHandler}}},
			[]string{`route "PUT /notes/{noteId}"`, "{noteId}", "{id}", "same name"}},
		{"OPTIONS with CORS", ApiGatewayV1ApiProps{Routes: r("OPTIONS /x")}, []string{`route "OPTIONS /x"`, "Disabled: true"}},
		{"unknown authorizer type", ApiGatewayV1ApiProps{Authorizers: map[string]ApiGatewayV1ApiAuthorizer{"a": {Type: "jwt"}}, Routes: r("GET /")},
			[]string{`authorizer "a"`, `Type "jwt"`, `"user_pools", "lambda_token" or "lambda_request"`}},
		{"user pool without ids", ApiGatewayV1ApiProps{Authorizers: map[string]ApiGatewayV1ApiAuthorizer{"a": {Type: "user_pools"}}},
			[]string{`authorizer "a"`, "UserPoolIDs"}},
		{"token with two sources", ApiGatewayV1ApiProps{Authorizers: map[string]ApiGatewayV1ApiAuthorizer{"a": {Type: "lambda_token", Function: FunctionProps{Handler: nodeHandler},
			IdentitySource: []string{"method.request.header.A", "method.request.header.B"}}}}, []string{`authorizer "a"`, "exactly one header"}},
		{"HTTP API identity source", ApiGatewayV1ApiProps{Authorizers: map[string]ApiGatewayV1ApiAuthorizer{"a": {Type: "lambda_request", Function: FunctionProps{Handler: nodeHandler},
			IdentitySource: []string{"$request.header.Authorization"}}}}, []string{`IdentitySource "$request.header.Authorization"`, "method.request.header.Authorization"}},
		{"undefined authorizer", ApiGatewayV1ApiProps{Routes: map[string]ApiGatewayV1ApiRoute{"GET /": {Handler: nodeHandler, Authorizer: "nope"}}},
			[]string{`route "GET /"`, `Authorizer "nope" is not defined`}},
		{"undefined default authorizer", ApiGatewayV1ApiProps{Defaults: ApiGatewayV1ApiDefaults{Authorizer: "nope"}, Routes: r("GET /")},
			[]string{`Defaults.Authorizer "nope" is not defined`}},
		{"bad stage name", ApiGatewayV1ApiProps{StageName: "v 1", Routes: r("GET /")}, []string{`StageName "v 1"`}},
		{"cache TTL", ApiGatewayV1ApiProps{Authorizers: map[string]ApiGatewayV1ApiAuthorizer{"a": {Type: "lambda_token", Function: FunctionProps{Handler: nodeHandler}, ResultsCacheTTL: 2 * time.Hour}}},
			[]string{`authorizer "a"`, "ResultsCacheTTL 2h"}},
		{"route function error", ApiGatewayV1ApiProps{Routes: map[string]ApiGatewayV1ApiRoute{"GET /": {Function: FunctionProps{Handler: nodeHandler, MemorySize: 64}}}},
			[]string{`function "Rest_GET"`, "MemorySize 64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, api(tt.props))...)
			wantContains(t, msg, tt.want...)
		})
	}
}
