package sst

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

func TestApiRoutes(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		api := NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{
			"GET /notes":          {Handler: nodeHandler},
			"GET /notes/{id}":     {Handler: nodeHandler},
			"ANY /files/{path+}":  {Function: FunctionProps{Handler: nodeHandler, MemorySize: 512}},
			"$default":            {Handler: nodeHandler},
			"POST   /notes":       {Handler: nodeHandler},
			"DELETE /notes/{id}":  {Handler: nodeHandler},
			"PUT /notes/{noteId}": {Handler: nodeHandler},
		}})
		api.AddRoutes(map[string]ApiRoute{"PATCH /notes/{id}": {Handler: nodeHandler}})
		if api.Function("GET /notes/{id}") == nil || api.Function("GET /nope") != nil {
			t.Error("Api.Function lookup is wrong")
		}
		s.AddOutputs(map[string]any{"Url": api.URL()})
		return api
	})...)

	a := s.resource(t, "First", "aws_apigatewayv2_api", "Api")
	if a["name"] != "test-notes-Api" || a["protocol_type"] != "HTTP" {
		t.Errorf("api = %v", jsonString(t, a))
	}
	st := s.resource(t, "First", "aws_apigatewayv2_stage", "Api_stage")
	if st["name"] != "$default" || st["auto_deploy"] != true || st["api_id"] != "${aws_apigatewayv2_api.Api.id}" {
		t.Errorf("stage = %v", jsonString(t, st))
	}

	routes := s.resources("First", "aws_apigatewayv2_route")
	gotKeys := map[string]string{}
	for id, r := range routes {
		gotKeys[r["route_key"].(string)] = id
	}
	wantKeys := map[string]string{
		"GET /notes":          "Api_GET_notes_route",
		"GET /notes/{id}":     "Api_GET_notes_id_route",
		"ANY /files/{path+}":  "Api_ANY_files_path__", // hashed slug: prefix checked below
		"$default":            "Api_default_route",
		"POST /notes":         "Api_POST_notes_route",
		"DELETE /notes/{id}":  "Api_DELETE_notes_id_route",
		"PUT /notes/{noteId}": "Api_PUT_notes_noteId_route",
		"PATCH /notes/{id}":   "Api_PATCH_notes_id_route",
	}
	if len(gotKeys) != len(wantKeys) {
		t.Errorf("route keys = %v", keys(gotKeys))
	}
	for k, id := range wantKeys {
		if got, ok := gotKeys[k]; !ok || !strings.HasPrefix(got, id) {
			t.Errorf("route %q has resource %q, want %q", k, got, id)
		}
	}

	for key, rid := range gotKeys {
		fid := strings.TrimSuffix(rid, "_route")
		r := routes[rid]
		if r["authorization_type"] != "NONE" {
			t.Errorf("%s authorization_type = %v", key, r["authorization_type"])
		}
		if r["target"] != "integrations/${aws_apigatewayv2_integration."+fid+"_integration.id}" {
			t.Errorf("%s target = %v", key, r["target"])
		}
		in := s.resource(t, "First", "aws_apigatewayv2_integration", fid+"_integration")
		wantJSON(t, key+" integration", in, map[string]any{
			"//":                     in["//"],
			"api_id":                 "${aws_apigatewayv2_api.Api.id}",
			"integration_method":     "POST",
			"integration_type":       "AWS_PROXY",
			"integration_uri":        "${aws_lambda_function." + fid + ".invoke_arn}",
			"payload_format_version": "2.0",
		})
		p := s.resource(t, "First", "aws_lambda_permission", fid+"_permission")
		if p["action"] != "lambda:InvokeFunction" || p["principal"] != "apigateway.amazonaws.com" ||
			p["function_name"] != "${aws_lambda_function."+fid+".function_name}" ||
			p["source_arn"] != "${aws_apigatewayv2_api.Api.execution_arn}/*/*" {
			t.Errorf("%s permission = %v", key, jsonString(t, p))
		}
	}
	if got := s.resource(t, "First", "aws_lambda_function", "Api_GET_notes_id")["function_name"]; got != "test-notes-Api_GET_notes_id" {
		t.Errorf("route function name = %v", got)
	}
	if got := s.resource(t, "First", "aws_lambda_function", strings.TrimSuffix(gotKeys["ANY /files/{path+}"], "_route"))["memory_size"]; got != 512.0 {
		t.Errorf("route Function props: memory_size = %v, want 512", got)
	}
	if got := at(s.stack(t, "First"), "output", "Url", "value"); got != "${aws_apigatewayv2_api.Api.api_endpoint}" {
		t.Errorf("Url = %v", got)
	}

	mr := s.manifestStack(t, "First").Routes
	if len(mr) != len(wantKeys) {
		t.Errorf("manifest routes = %v", mr)
	}
	for _, r := range mr {
		if r.Api != "Api" || r.Authorizer != "none" || gotKeys[r.Key] != r.Function+"_route" {
			t.Errorf("manifest route %+v", r)
		}
	}
}

func TestApiCors(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		route := map[string]ApiRoute{"GET /": {Handler: nodeHandler}}
		NewApi(s, "Std", ApiProps{Routes: route})
		NewApi(s, "Custom", ApiProps{Routes: route, Cors: &Cors{
			AllowOrigins:     []string{"https://app.example.com"},
			AllowMethods:     []string{"GET", "POST"},
			AllowHeaders:     []string{"authorization"},
			ExposeHeaders:    []string{"x-request-id"},
			AllowCredentials: true,
			MaxAge:           time.Hour,
		}})
		NewApi(s, "NoCors", ApiProps{Routes: route, Cors: &Cors{Disabled: true}})
		return nil
	})...)
	wantJSON(t, "default cors", s.resource(t, "First", "aws_apigatewayv2_api", "Std")["cors_configuration"], map[string]any{
		"allow_credentials": false,
		"allow_headers":     []string{"*"},
		"allow_methods":     []string{"*"},
		"allow_origins":     []string{"*"},
	})
	wantJSON(t, "custom cors", s.resource(t, "First", "aws_apigatewayv2_api", "Custom")["cors_configuration"], map[string]any{
		"allow_credentials": true,
		"allow_headers":     []string{"authorization"},
		"allow_methods":     []string{"GET", "POST"},
		"allow_origins":     []string{"https://app.example.com"},
		"expose_headers":    []string{"x-request-id"},
		"max_age":           3600,
	})
	if c, ok := s.resource(t, "First", "aws_apigatewayv2_api", "NoCors")["cors_configuration"]; ok {
		t.Errorf("disabled cors synthesized %v", c)
	}
}

func TestApiAccessLog(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		route := map[string]ApiRoute{"GET /": {Handler: nodeHandler}}
		NewApi(s, "Std", ApiProps{Routes: route})
		NewApi(s, "Custom", ApiProps{Routes: route, AccessLog: &ApiAccessLog{Format: `$context.requestId`, Retention: Days(30)}})
		NewApi(s, "NoLog", ApiProps{Routes: route, AccessLog: &ApiAccessLog{Disabled: true}})
		return nil
	})...)
	lg := s.resource(t, "First", "aws_cloudwatch_log_group", "Std_access_logs")
	if lg["name"] != "/aws/vendedlogs/apis/test-notes-Std" || lg["retention_in_days"] != 0.0 {
		t.Errorf("access log group = %v", jsonString(t, lg))
	}
	als := asMap(s.resource(t, "First", "aws_apigatewayv2_stage", "Std_stage")["access_log_settings"])
	if als["destination_arn"] != "${aws_cloudwatch_log_group.Std_access_logs.arn}" || !strings.Contains(als["format"].(string), "$context.requestId") {
		t.Errorf("access_log_settings = %v", jsonString(t, als))
	}
	if got := s.resource(t, "First", "aws_cloudwatch_log_group", "Custom_access_logs")["retention_in_days"]; got != 30.0 {
		t.Errorf("custom retention = %v", got)
	}
	if got := at(s.resource(t, "First", "aws_apigatewayv2_stage", "Custom_stage"), "access_log_settings", "format"); got != "$context.requestId" {
		t.Errorf("custom format = %v", got)
	}
	if _, ok := s.resources("First", "aws_cloudwatch_log_group")["NoLog_access_logs"]; ok {
		t.Error("disabled access log still has a log group")
	}
	if als, ok := s.resource(t, "First", "aws_apigatewayv2_stage", "NoLog_stage")["access_log_settings"]; ok {
		t.Errorf("disabled access log still configured: %v", als)
	}
}

// defaultCorsDev is an Api's sst dev data with SST's permissive CORS.
const defaultCorsDev = `{"cors":{"allowOrigins":["*"],"allowMethods":["*"],"allowHeaders":["*"]}}`

func TestApiAuthorizers(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewApi(s, "Api", ApiProps{
			Authorizers: map[string]ApiAuthorizer{
				"auth0": {Type: "jwt", JWT: JWTConfig{Issuer: "https://example.auth0.com/", Audience: []string{"notes"}}},
				"token": {
					Type:            "lambda",
					Function:        FunctionProps{Handler: nodeHandler, MemorySize: 256},
					IdentitySource:  []string{"$request.header.X-Token"},
					ResultsCacheTTL: 5 * time.Minute,
				},
			},
			Defaults: ApiDefaults{Authorizer: "auth0", AuthorizationScopes: []string{"read"}},
			Routes: map[string]ApiRoute{
				"GET /default":  {Handler: nodeHandler},
				"GET /scoped":   {Handler: nodeHandler, AuthorizationScopes: []string{"write", "admin"}},
				"GET /lambda":   {Handler: nodeHandler, Authorizer: "token"},
				"GET /iam":      {Handler: nodeHandler, Authorizer: "iam"},
				"GET /public":   {Handler: nodeHandler, Authorizer: "none"},
				"POST /default": {Handler: nodeHandler},
			},
		})
		return nil
	})...)

	jwt := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_auth0")
	wantJSON(t, "jwt authorizer", jwt, map[string]any{
		"//":               jwt["//"],
		"api_id":           "${aws_apigatewayv2_api.Api.id}",
		"authorizer_type":  "JWT",
		"identity_sources": []string{"$request.header.Authorization"},
		"jwt_configuration": map[string]any{
			"audience": []string{"notes"},
			"issuer":   "https://example.auth0.com/",
		},
		"name": "auth0",
	})

	lam := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_token")
	// SST v2's default: IAM policy answers, payload format 1.0.
	if lam["authorizer_type"] != "REQUEST" || lam["authorizer_payload_format_version"] != "1.0" || lam["enable_simple_responses"] != false ||
		lam["authorizer_result_ttl_in_seconds"] != 300.0 || lam["name"] != "token" {
		t.Errorf("lambda authorizer = %v", jsonString(t, lam))
	}
	wantJSON(t, "lambda identity_sources", lam["identity_sources"], []string{"$request.header.X-Token"})
	authFn := "Api_authorizer_token_function"
	if lam["authorizer_uri"] != "${aws_lambda_function."+authFn+".invoke_arn}" {
		t.Errorf("authorizer_uri = %v", lam["authorizer_uri"])
	}
	if got := s.resource(t, "First", "aws_lambda_function", authFn)["memory_size"]; got != 256.0 {
		t.Errorf("authorizer function memory = %v", got)
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Api_authorizer_token_permission")
	if perm["function_name"] != "${aws_lambda_function."+authFn+".function_name}" || perm["principal"] != "apigateway.amazonaws.com" ||
		perm["source_arn"] != "${aws_apigatewayv2_api.Api.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.Api_authorizer_token.id}" {
		t.Errorf("authorizer permission = %v", jsonString(t, perm))
	}

	type want struct {
		typ, authorizer string
		scopes          []string
	}
	for rid, w := range map[string]want{
		"Api_GET_default_route":  {"JWT", "Api_authorizer_auth0", []string{"read"}},
		"Api_POST_default_route": {"JWT", "Api_authorizer_auth0", []string{"read"}},
		"Api_GET_scoped_route":   {"JWT", "Api_authorizer_auth0", []string{"write", "admin"}},
		"Api_GET_lambda_route":   {"CUSTOM", "Api_authorizer_token", nil},
		"Api_GET_iam_route":      {"AWS_IAM", "", nil},
		"Api_GET_public_route":   {"NONE", "", nil},
	} {
		r := s.resource(t, "First", "aws_apigatewayv2_route", rid)
		if r["authorization_type"] != w.typ {
			t.Errorf("%s authorization_type = %v, want %s", rid, r["authorization_type"], w.typ)
		}
		wantAuth := any(nil)
		if w.authorizer != "" {
			wantAuth = "${aws_apigatewayv2_authorizer." + w.authorizer + ".id}"
		}
		if r["authorizer_id"] != wantAuth {
			t.Errorf("%s authorizer_id = %v, want %v", rid, r["authorizer_id"], wantAuth)
		}
		if w.scopes == nil {
			if sc, ok := r["authorization_scopes"]; ok {
				t.Errorf("%s has authorization_scopes %v", rid, sc)
			}
		} else {
			wantJSON(t, rid+" scopes", r["authorization_scopes"], w.scopes)
		}
	}

	auths := map[string]string{}
	for _, r := range s.manifestStack(t, "First").Routes {
		auths[r.Key] = r.Authorizer
	}
	wantJSON(t, "manifest authorizers", auths, map[string]string{
		"GET /default": "auth0", "POST /default": "auth0", "GET /scoped": "auth0",
		"GET /lambda": "token", "GET /iam": "iam", "GET /public": "none",
	})
	// What sst dev needs to play API Gateway for this Api.
	var dev manifest.ApiDev
	if err := json.Unmarshal([]byte(s.manifestStack(t, "First").Constructs[0].Data[manifest.DataApiDev]), &dev); err != nil {
		t.Fatalf("manifest dev data: %v", err)
	}
	wantJSON(t, "manifest dev data", dev, manifest.ApiDev{
		Cors: &manifest.ApiCors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}},
		Authorizers: map[string]manifest.ApiAuthorizer{
			"auth0": {Type: "jwt", Issuer: "https://example.auth0.com/", Audience: []string{"notes"}, IdentitySource: []string{"$request.header.Authorization"}},
			"token": {Type: "lambda", Function: authFn, IdentitySource: []string{"$request.header.X-Token"}, PayloadFormatVersion: "1.0"},
		},
	})
	var fnIDs []string
	for _, f := range s.manifestStack(t, "First").Functions {
		fnIDs = append(fnIDs, f.ID)
		if f.Build == nil || f.Build.Runtime != "nodejs20.x" {
			t.Errorf("manifest function %s build settings = %+v", f.ID, f.Build)
		}
	}
	if len(fnIDs) != 7 || fnIDs[0] != authFn {
		t.Errorf("manifest functions = %v, want the authorizer and six routes", fnIDs)
	}
}

func TestApiDefaultFunctionProps(t *testing.T) {
	opts := testOptions(t)
	cfg := Config{Name: "notes", Defaults: Defaults{Function: FunctionProps{
		Timeout:     20 * time.Second,
		Environment: map[string]string{"APP": "app", "LAYER": "app"},
	}}}
	s := synthOK(t, cfg, opts, stacks(t, func(s *Stack) any {
		tb := notesTable(s)
		api := NewApi(s, "Api", ApiProps{
			Defaults: ApiDefaults{Function: FunctionProps{
				MemorySize:  2048,
				Environment: map[string]string{"API": "api", "LAYER": "api"},
				Bind:        []Bindable{tb},
			}},
			Routes: map[string]ApiRoute{
				"GET /a": {Handler: nodeHandler},
				"GET /b": {Function: FunctionProps{Handler: nodeHandler, MemorySize: 128, Environment: map[string]string{"LAYER": "route"}}},
			},
		})
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api}})
		return api
	})...)
	for id, w := range map[string]struct {
		mem   float64
		layer string
	}{"Api_GET_a": {2048, "api"}, "Api_GET_b": {128, "route"}} {
		f := s.resource(t, "First", "aws_lambda_function", id)
		if f["memory_size"] != w.mem || f["timeout"] != 20.0 {
			t.Errorf("%s memory/timeout = %v/%v, want %v/20", id, f["memory_size"], f["timeout"], w.mem)
		}
		env := s.env(t, "First", id)
		if env["APP"] != "app" || env["API"] != "api" || env["LAYER"] != w.layer || env["SST_Table_tableName_Notes"] != "test-notes-Notes" {
			t.Errorf("%s env = %v", id, env)
		}
		if len(s.policy(t, "First", id).grants("dynamodb:Query")) != 2 {
			t.Errorf("%s: Defaults.Function.Bind did not grant table access", id)
		}
	}
	// Binding an Api gives its URL.
	if got := s.env(t, "First", "Fn")["SST_Api_url_Api"]; got != "${aws_apigatewayv2_api.Api.api_endpoint}" {
		t.Errorf("SST_Api_url_Api = %v", got)
	}
	if got := s.manifestFunction(t, "First", "Fn").Environment["SST_Api_url_Api"]; got != "${aws_apigatewayv2_api.Api.api_endpoint}" {
		t.Errorf("manifest SST_Api_url_Api = %q", got)
	}
	wantJSON(t, "Api construct binds", s.manifestStack(t, "First").Constructs[1], manifest.Construct{
		ID: "Api", Type: "Api", Path: "Api", Data: map[string]string{"url": "${aws_apigatewayv2_api.Api.api_endpoint}", "dev": defaultCorsDev}, Binds: []string{"Notes"},
	})
}

func TestApiCustomDomain(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		route := map[string]ApiRoute{"GET /": {Handler: nodeHandler}}
		api := NewApi(s, "Api", ApiProps{Routes: route, CustomDomain: &CustomDomain{DomainName: "API.example.com."}})
		own := NewApi(s, "Own", ApiProps{Routes: route, CustomDomain: &CustomDomain{
			DomainName:     "own.apps.example.com",
			HostedZone:     "example.com",
			CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
		}})
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api}})
		s.AddOutputs(map[string]any{"Url": api.URL(), "OwnUrl": own.URL()})
		return nil
	})...)
	zone := asMap(at(s.stack(t, "First"), "data", "aws_route53_zone", "Api_zone"))
	if zone["name"] != "example.com" || zone["private_zone"] != false {
		t.Errorf("zone = %v", jsonString(t, zone))
	}
	if got := at(s.stack(t, "First"), "data", "aws_route53_zone", "Own_zone", "name"); got != "example.com" {
		t.Errorf("explicit HostedZone = %v", got)
	}

	cert := s.resource(t, "First", "aws_acm_certificate", "Api_certificate")
	if cert["domain_name"] != "api.example.com" || cert["validation_method"] != "DNS" {
		t.Errorf("certificate = %v", jsonString(t, cert))
	}
	rec := s.resource(t, "First", "aws_route53_record", "Api_certificate_validation_record")
	if rec["zone_id"] != "${data.aws_route53_zone.Api_zone.zone_id}" || !strings.Contains(jsonString(t, rec["name"]), "aws_acm_certificate.Api_certificate.domain_validation_options") {
		t.Errorf("validation record = %v", jsonString(t, rec))
	}
	val := s.resource(t, "First", "aws_acm_certificate_validation", "Api_certificate_validation")
	if val["certificate_arn"] != "${aws_acm_certificate.Api_certificate.arn}" {
		t.Errorf("validation = %v", jsonString(t, val))
	}
	wantJSON(t, "validation fqdns", val["validation_record_fqdns"], []string{"${aws_route53_record.Api_certificate_validation_record.fqdn}"})

	dn := s.resource(t, "First", "aws_apigatewayv2_domain_name", "Api_domain")
	if dn["domain_name"] != "api.example.com" || at(dn, "domain_name_configuration", "certificate_arn") != "${aws_acm_certificate_validation.Api_certificate_validation.certificate_arn}" ||
		at(dn, "domain_name_configuration", "endpoint_type") != "REGIONAL" || at(dn, "domain_name_configuration", "security_policy") != "TLS_1_2" {
		t.Errorf("domain name = %v", jsonString(t, dn))
	}
	m := s.resource(t, "First", "aws_apigatewayv2_api_mapping", "Api_domain_mapping")
	if m["api_id"] != "${aws_apigatewayv2_api.Api.id}" || m["domain_name"] != "${aws_apigatewayv2_domain_name.Api_domain.id}" || m["stage"] != "${aws_apigatewayv2_stage.Api_stage.id}" {
		t.Errorf("mapping = %v", jsonString(t, m))
	}
	a := s.resource(t, "First", "aws_route53_record", "Api_domain_record")
	if a["type"] != "A" || a["name"] != "api.example.com" || a["zone_id"] != "${data.aws_route53_zone.Api_zone.zone_id}" ||
		at(a, "alias", "name") != "${aws_apigatewayv2_domain_name.Api_domain.domain_name_configuration[0].target_domain_name}" ||
		at(a, "alias", "zone_id") != "${aws_apigatewayv2_domain_name.Api_domain.domain_name_configuration[0].hosted_zone_id}" {
		t.Errorf("alias record = %v", jsonString(t, a))
	}

	// A given certificate is used as is: nothing issued or validated.
	for _, typ := range []string{"aws_acm_certificate", "aws_acm_certificate_validation"} {
		if _, ok := s.resources("First", typ)["Own_certificate"+strings.TrimPrefix(typ, "aws_acm_certificate")]; ok {
			t.Errorf("Own issued a %s although CertificateArn is given", typ)
		}
	}
	if n := len(s.resources("First", "aws_acm_certificate")); n != 1 {
		t.Errorf("%d certificates, want 1", n)
	}
	if got := at(s.resource(t, "First", "aws_apigatewayv2_domain_name", "Own_domain"), "domain_name_configuration", "certificate_arn"); got != "arn:aws:acm:us-east-1:123456789012:certificate/abc" {
		t.Errorf("Own certificate_arn = %v", got)
	}

	out := asMap(s.stack(t, "First")["output"])
	if at(out, "Url", "value") != "https://api.example.com" || at(out, "OwnUrl", "value") != "https://own.apps.example.com" {
		t.Errorf("outputs = %v", jsonString(t, out))
	}
	if got := s.env(t, "First", "Fn")["SST_Api_url_Api"]; got != "https://api.example.com" {
		t.Errorf("SST_Api_url_Api = %v, want the custom domain", got)
	}
	if got := s.manifestStack(t, "First").Constructs[0].Data["url"]; got != "https://api.example.com" {
		t.Errorf("manifest url = %q", got)
	}
	if !reflect.DeepEqual(s.manifestStack(t, "First").Constructs[0].ID, "Api") {
		t.Error("constructs out of order")
	}
}

// TestApiSSTv2Props covers what ported SST v2 apps set on an Api: a
// user_pool authorizer, throttling, payload format 1.0, simple-response
// Lambda authorizers, and existing functions as a route and an authorizer
// (not listed twice in the manifest, not rebuilt).
func TestApiSSTv2Props(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		shared := NewFunction(s, "Shared", FunctionProps{Handler: nodeHandler})
		gate := NewFunction(s, "Gate", FunctionProps{Handler: nodeHandler})
		pool := NewCognito(s, "Auth", CognitoProps{})
		NewApi(s, "Api", ApiProps{
			Authorizers: map[string]ApiAuthorizer{
				"pool":   {Type: "user_pool", UserPool: ApiUserPool{ID: pool.UserPoolID(), ClientIDs: []string{pool.UserPoolClientID()}}},
				"eu":     {Type: "user_pool", UserPool: ApiUserPool{ID: "eu-west-1_abc", ClientIDs: []string{"c1"}, Region: "eu-west-1"}},
				"gate":   {Type: "lambda", Fn: gate},
				"simple": {Type: "lambda", Function: FunctionProps{Handler: nodeHandler}, SimpleResponses: true},
			},
			Defaults: ApiDefaults{Throttle: ApiThrottle{Burst: 100, Rate: 12.5}, PayloadFormatVersion: "1.0"},
			Routes: map[string]ApiRoute{
				"GET /pool":   {Handler: nodeHandler, Authorizer: "pool"},
				"GET /shared": {Fn: shared, Authorizer: "gate"},
				"GET /v2":     {Handler: nodeHandler, PayloadFormatVersion: "2.0", Authorizer: "simple"},
			},
		})
		return nil
	})...)

	pool := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_pool")
	if pool["authorizer_type"] != "JWT" {
		t.Errorf("user_pool authorizer type = %v, want JWT", pool["authorizer_type"])
	}
	wantJSON(t, "user pool issuer/audience", pool["jwt_configuration"], map[string]any{
		"audience": []string{"${aws_cognito_user_pool_client.Auth_client.id}"},
		"issuer":   "https://cognito-idp.us-east-1.amazonaws.com/${aws_cognito_user_pool.Auth.id}",
	})
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_eu")), `"issuer":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"`)

	stage := s.resource(t, "First", "aws_apigatewayv2_stage", "Api_stage")
	wantJSON(t, "throttle", stage["default_route_settings"], map[string]any{"throttling_burst_limit": 100, "throttling_rate_limit": 12.5})

	for rid, want := range map[string]string{"Api_GET_pool_integration": "1.0", "Api_GET_shared_integration": "1.0", "Api_GET_v2_integration": "2.0"} {
		if got := s.resource(t, "First", "aws_apigatewayv2_integration", rid)["payload_format_version"]; got != want {
			t.Errorf("%s payload format = %v, want %s", rid, got, want)
		}
	}
	integ := s.resource(t, "First", "aws_apigatewayv2_integration", "Api_GET_shared_integration")
	if integ["integration_uri"] != "${aws_lambda_function.Shared.invoke_arn}" {
		t.Errorf("shared route integrates %v, want the Shared function", integ["integration_uri"])
	}
	if perm := s.resource(t, "First", "aws_lambda_permission", "Api_GET_shared_permission"); perm["function_name"] != "${aws_lambda_function.Shared.function_name}" {
		t.Errorf("shared route permission = %v", jsonString(t, perm))
	}
	gate := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_gate")
	if gate["authorizer_uri"] != "${aws_lambda_function.Gate.invoke_arn}" || gate["authorizer_payload_format_version"] != "1.0" || gate["enable_simple_responses"] != false {
		t.Errorf("existing-function authorizer = %v", jsonString(t, gate))
	}
	simple := s.resource(t, "First", "aws_apigatewayv2_authorizer", "Api_authorizer_simple")
	if simple["authorizer_payload_format_version"] != "2.0" || simple["enable_simple_responses"] != true {
		t.Errorf("simple authorizer = %v", jsonString(t, simple))
	}
	if _, ok := s.resources("First", "aws_lambda_function")["Api_GET_shared"]; ok {
		t.Error("a route given an existing function made one of its own")
	}

	count := map[string]int{}
	for _, f := range s.manifestStack(t, "First").Functions {
		count[f.ID]++
	}
	if count["Shared"] != 1 || count["Gate"] != 1 || count["Api_authorizer_simple_function"] != 1 {
		t.Errorf("manifest functions = %v: each once", count)
	}
	formats := map[string]string{}
	for _, r := range s.manifestStack(t, "First").Routes {
		formats[r.Key] = r.Function + "@" + r.PayloadFormatVersion
	}
	wantJSON(t, "manifest routes", formats, map[string]string{"GET /pool": "Api_GET_pool@1.0", "GET /shared": "Shared@1.0", "GET /v2": "Api_GET_v2@"})
}

// TestApiUrlAndAwsRoutes covers SST v2's route types "url" (an HTTP proxy)
// and "aws" (a service integration with its own role), and granting or
// binding every route's function, or one route's.
func TestApiUrlAndAwsRoutes(t *testing.T) {
	s := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		table := notesTable(s)
		bus := NewEventBus(s, "Bus", EventBusProps{})
		queue := NewQueue(s, "Jobs", QueueProps{})
		bucket := NewBucket(s, "Uploads", BucketProps{})
		shared := NewFunction(s, "Shared", FunctionProps{Handler: nodeHandler})
		api := NewApi(s, "Api", ApiProps{
			Defaults: ApiDefaults{PayloadFormatVersion: "2.0"},
			Routes: map[string]ApiRoute{
				"GET /notes":         {Handler: nodeHandler},
				"GET /shared":        {Fn: shared},
				"GET /docs/{proxy+}": {URL: "https://example.com/docs/{proxy}"},
				"$default":           {Type: "url", URL: "http://legacy.example.com"},
				"POST /events":       {AWS: &ApiAwsRoute{Subtype: "EventBridge-PutEvents", Resources: []string{bus.Arn()}, Parameters: map[string]string{"EventBusName": bus.EventBusName(), "Source": "api", "DetailType": "$request.body.type", "Detail": "$request.body.detail"}}},
				"POST /jobs":         {Type: "aws", Authorizer: "iam", AWS: &ApiAwsRoute{Subtype: "SQS-SendMessage", Resources: []string{queue.Arn()}, Parameters: map[string]string{"QueueUrl": queue.URL(), "MessageBody": "$request.body"}}},
			},
		})
		api.Bind(table)
		api.AttachPermissions(bucket)
		api.BindToRoute("GET /notes", queue)
		api.AttachPermissionsToRoute("GET /notes", bus)
		if api.Function("GET /docs/{proxy+}") != nil {
			t.Error("a url route has a function")
		}
		return nil
	})...)

	docs := s.resource(t, "First", "aws_apigatewayv2_integration", "Api_GET_docs_proxy_integration")
	wantJSON(t, "url integration", map[string]any{"t": docs["integration_type"], "u": docs["integration_uri"], "m": docs["integration_method"], "p": docs["payload_format_version"]},
		map[string]any{"t": "HTTP_PROXY", "u": "https://example.com/docs/{proxy}", "m": "GET", "p": "1.0"})
	if m := s.resource(t, "First", "aws_apigatewayv2_integration", "Api_default_integration")["integration_method"]; m != "ANY" {
		t.Errorf("$default url route method = %v, want ANY", m)
	}
	for _, rid := range []string{"Api_GET_docs_proxy", "Api_default", "Api_POST_events", "Api_POST_jobs"} {
		if _, ok := s.resources("First", "aws_lambda_function")[rid]; ok {
			t.Errorf("%s: a url/aws route made a function", rid)
		}
		if _, ok := s.resources("First", "aws_lambda_permission")[rid+"_permission"]; ok {
			t.Errorf("%s: a url/aws route made a Lambda permission", rid)
		}
	}

	jobs := s.resource(t, "First", "aws_apigatewayv2_integration", "Api_POST_jobs_integration")
	wantJSON(t, "aws integration", map[string]any{"t": jobs["integration_type"], "s": jobs["integration_subtype"], "c": jobs["credentials_arn"], "r": jobs["request_parameters"], "p": jobs["payload_format_version"]},
		map[string]any{"t": "AWS_PROXY", "s": "SQS-SendMessage", "c": "${aws_iam_role.Api_POST_jobs_role.arn}", "p": "1.0",
			"r": map[string]string{"MessageBody": "$request.body", "QueueUrl": "${aws_sqs_queue.Jobs.url}"}})
	if _, ok := jobs["integration_method"]; ok {
		t.Errorf("aws integration has a method: %v", jobs["integration_method"])
	}
	if r := s.resource(t, "First", "aws_apigatewayv2_route", "Api_POST_jobs_route"); r["authorization_type"] != "AWS_IAM" {
		t.Errorf("aws route authorization = %v", r["authorization_type"])
	}
	trust := jsonString(t, s.resource(t, "First", "aws_iam_role", "Api_POST_jobs_role")["assume_role_policy"])
	if !strings.Contains(trust, "apigateway.amazonaws.com") || strings.Contains(trust, "lambda.amazonaws.com") {
		t.Errorf("aws route role trust = %s", trust)
	}
	for rid, want := range map[string]string{
		"Api_POST_jobs_policy":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage"],"Resource":["${aws_sqs_queue.Jobs.arn}"]}]}`,
		"Api_POST_events_policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["events:PutEvents"],"Resource":["${aws_cloudwatch_event_bus.Bus.arn}"]}]}`,
	} {
		if got := s.resource(t, "First", "aws_iam_role_policy", rid)["policy"]; got != want {
			t.Errorf("%s = %v\nwant %s", rid, got, want)
		}
	}

	// Bind and AttachPermissions reach every route's function, the shared
	// one too; the *ToRoute forms only theirs.
	for _, fn := range []string{"Api_GET_notes", "Shared"} {
		if s.env(t, "First", fn)["SST_Table_tableName_Notes"] == nil {
			t.Errorf("%s: api.Bind did not bind the table", fn)
		}
		if got := s.policy(t, "First", fn).grants("s3:PutObject"); !reflect.DeepEqual(got, []string{"${aws_s3_bucket.Uploads.arn}/*"}) {
			t.Errorf("%s: api.AttachPermissions: s3:PutObject on %v", fn, got)
		}
	}
	if s.env(t, "First", "Api_GET_notes")["SST_Queue_queueUrl_Jobs"] == nil || s.env(t, "First", "Shared")["SST_Queue_queueUrl_Jobs"] != nil {
		t.Error("BindToRoute bound the wrong functions")
	}
	if s.policy(t, "First", "Api_GET_notes").grants("events:PutEvents") == nil || s.policy(t, "First", "Shared").grants("events:PutEvents") != nil {
		t.Error("AttachPermissionsToRoute granted the wrong functions")
	}

	got := map[string]manifest.Route{}
	for _, r := range s.manifestStack(t, "First").Routes {
		got[r.Key] = r
	}
	wantJSON(t, "manifest url/aws routes", []manifest.Route{got["GET /docs/{proxy+}"], got["$default"], got["POST /jobs"]}, []manifest.Route{
		{Api: "Api", Key: "GET /docs/{proxy+}", Type: manifest.RouteURL, URL: "https://example.com/docs/{proxy}", Authorizer: "none"},
		{Api: "Api", Key: "$default", Type: manifest.RouteURL, URL: "http://legacy.example.com", Authorizer: "none"},
		{Api: "Api", Key: "POST /jobs", Type: manifest.RouteAWS, Subtype: "SQS-SendMessage", Integration: "aws_apigatewayv2_integration.Api_POST_jobs_integration", Authorizer: "iam"},
	})
}

func TestApiRouteTypesBadInput(t *testing.T) {
	sqs := func(params map[string]string, resources ...string) *ApiAwsRoute {
		return &ApiAwsRoute{Subtype: "SQS-SendMessage", Parameters: params, Resources: resources}
	}
	ok := map[string]string{"QueueUrl": "https://q", "MessageBody": "$request.body"}
	for _, tt := range []struct {
		name  string
		route ApiRoute
		after func(*Api)
		want  []string
	}{
		{"unknown type", ApiRoute{Type: "lambda", Handler: nodeHandler}, nil, []string{`route "POST /x": Type "lambda"`, `"function"`, `"url"`, `"aws"`}},
		{"url and a handler", ApiRoute{URL: "https://example.com", Handler: nodeHandler}, nil, []string{`route "POST /x": a route of Type "url" cannot also set Handler/Function/Fn`}},
		{"url type without URL", ApiRoute{Type: "url"}, nil, []string{`Type "url" needs URL`}},
		{"relative url", ApiRoute{URL: "example.com/x"}, nil, []string{`URL "example.com/x"`, "absolute http:// or https://"}},
		{"aws type without AWS", ApiRoute{Type: "aws"}, nil, []string{`Type "aws" needs AWS`}},
		{"aws and url", ApiRoute{Type: "aws", AWS: sqs(ok, "*"), URL: "https://example.com"}, nil, []string{`a route of Type "aws" cannot also set URL`}},
		{"unknown subtype", ApiRoute{AWS: &ApiAwsRoute{Subtype: "SQS-Send", Resources: []string{"*"}}}, nil, []string{`AWS.Subtype "SQS-Send"`, "SQS-SendMessage"}},
		{"missing parameter", ApiRoute{AWS: sqs(map[string]string{"QueueUrl": "https://q"}, "*")}, nil, []string{`AWS.Parameters: SQS-SendMessage needs "MessageBody"`}},
		{"unknown parameter", ApiRoute{AWS: sqs(map[string]string{"QueueUrl": "https://q", "MessageBody": "b", "Body": "x"}, "*")}, nil, []string{`takes no "Body"`, "MessageGroupId"}},
		{"no resources", ApiRoute{AWS: sqs(ok)}, nil, []string{"AWS.Resources", "sqs:SendMessage", `"*"`}},
		{"payload 2.0 on a url route", ApiRoute{URL: "https://example.com", PayloadFormatVersion: "2.0"}, nil, []string{`PayloadFormatVersion "2.0"`, "url routes payload format 1.0 only"}},
		{"grant to a missing route", ApiRoute{Handler: nodeHandler}, func(a *Api) { a.AttachPermissionsToRoute("GET /nope", Service("s3")...) },
			[]string{`api "Api": AttachPermissionsToRoute("GET /nope"): the api has no such route (it has "POST /x")`}},
		{"bind to a url route", ApiRoute{URL: "https://example.com"}, func(a *Api) { a.BindToRoute("POST /x", a) },
			[]string{`BindToRoute("POST /x"): the route (Type "url") has no function`}},
		{"nil permission for every route", ApiRoute{Handler: nodeHandler}, func(a *Api) { a.AttachPermissions(nil) }, []string{`api "Api": AttachPermissions[0] is nil`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
				api := NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"POST /x": tt.route}})
				if tt.after != nil {
					tt.after(api)
				}
				return api
			})...)
			wantContains(t, msg, tt.want...)
		})
	}
}
