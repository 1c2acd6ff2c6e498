package sst

import (
	"strings"
	"testing"
)

func TestAuthSynth(t *testing.T) {
	const arn = "arn:${data.aws_partition.sst_partition.partition}:ssm:us-east-1:${data.aws_caller_identity.sst_caller_identity.account_id}:parameter/sst/notes/test/Auth/Auth/"
	var auth *Auth
	out := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		// Defaults.Function does not apply to the authenticator (it is the
		// Auth's function), and must not make Attach fail.
		api := NewApi(s, "Api", ApiProps{
			Defaults: ApiDefaults{Function: FunctionProps{MemorySize: 512}},
			Routes:   map[string]ApiRoute{"GET /notes": {Handler: nodeHandler}},
		})
		auth = NewAuth(s, "Auth", AuthProps{Handler: goHandler})
		auth.Attach(api, AuthAttach{})
		// A route added after Attach is bound too.
		api.AddRoutes(map[string]ApiRoute{"GET /me": {Handler: nodeHandler}})
		NewFunction(s, "Verifier", FunctionProps{Handler: nodeHandler, Bind: []Bindable{auth}})
		NewFunction(s, "Plain", FunctionProps{Handler: nodeHandler})
		return nil
	})...)
	if auth.Prefix() != "/auth" || auth.PublicKeyPath() != "/sst/notes/test/Auth/Auth/publicKey" || auth.PrivateKeyPath() != "/sst/notes/test/Auth/Auth/privateKey" {
		t.Errorf("prefix %q, paths %q %q", auth.Prefix(), auth.PublicKeyPath(), auth.PrivateKeyPath())
	}
	// SST v2's routes, both on the one authenticator, without authorizer.
	for id, key := range map[string]string{"Api_GET_auth_route": "GET /auth", "Api_ANY_auth_proxy_route": "ANY /auth/{proxy+}"} {
		r := out.resource(t, "First", "aws_apigatewayv2_route", id)
		if r["route_key"] != key || r["authorization_type"] != "NONE" {
			t.Errorf("route %s = %v", id, r)
		}
		integ := out.resource(t, "First", "aws_apigatewayv2_integration", strings.TrimSuffix(id, "_route")+"_integration")
		if integ["integration_uri"] != "${aws_lambda_function.Auth_authenticator.invoke_arn}" {
			t.Errorf("integration of %s = %v", key, integ)
		}
	}
	fn := out.resource(t, "First", "aws_lambda_function", "Auth_authenticator")
	if fn["memory_size"] != float64(1024) {
		t.Errorf("the Api's Defaults.Function reached the authenticator: %v", fn["memory_size"])
	}
	// The authenticator: prefix, both keys from SSM, read access to the
	// Auth's three parameters and nothing else in SSM.
	env := out.env(t, "First", "Auth_authenticator")
	wantJSON(t, "authenticator env", map[string]any{"p": env["SST_Auth_prefix_Auth"], "pub": env["SST_Auth_publicKey_Auth"], "priv": env["SST_Auth_privateKey_Auth"]},
		map[string]any{"p": "/auth", "pub": "__FETCH_FROM_SSM__", "priv": "__FETCH_FROM_SSM__"})
	wantJSON(t, "authenticator ssm:GetParameters", out.policy(t, "First", "Auth_authenticator").grants("ssm:GetParameters"),
		[]string{arn + "prefix", arn + "privateKey", arn + "publicKey"})
	// Bound functions and every route of the api: the public key only.
	for _, id := range []string{"Verifier", "Api_GET_notes", "Api_GET_me"} {
		env := out.env(t, "First", id)
		if env["SST_Auth_publicKey_Auth"] != "__FETCH_FROM_SSM__" || env["SST_Auth_privateKey_Auth"] != nil {
			t.Errorf("%s env = %v", id, env)
		}
		wantJSON(t, id+" ssm:GetParameters", out.policy(t, "First", id).grants("ssm:GetParameters"), []string{arn + "publicKey"})
	}
	if _, ok := out.env(t, "First", "Plain")["SST_Auth_publicKey_Auth"]; ok {
		t.Error("an unbound function got the Auth's variable")
	}
	// The prefix parameter is Terraform's; the keys are not (the CLI makes
	// them, so the private key is in no JSON or state).
	// (Besides the binding-value parameters of the other constructs.)
	params := nonBindingParams(out, "First")
	if len(params) != 1 {
		t.Fatalf("want only the prefix parameter, got %v", params)
	}
	p := out.resource(t, "First", "aws_ssm_parameter", "Auth_prefix")
	wantJSON(t, "prefix parameter", map[string]any{"name": p["name"], "type": p["type"], "value": p["value"]},
		map[string]any{"name": "/sst/notes/test/Auth/Auth/prefix", "type": "String", "value": "/auth"})
	wantContains(t, jsonString(t, out.stacks["First"]), `"SST_Auth_privateKey_Auth":"__FETCH_FROM_SSM__"`)
	if strings.Contains(jsonString(t, out.stacks["First"]), "PRIVATE KEY") {
		t.Error("a private key is in the Terraform JSON")
	}
	ms := out.manifestStack(t, "First")
	var found bool
	for _, c := range ms.Constructs {
		if c.Type == "Auth" {
			found = true
			wantJSON(t, "manifest Auth", c.Data, map[string]string{
				"publicKeyPath": "/sst/notes/test/Auth/Auth/publicKey", "privateKeyPath": "/sst/notes/test/Auth/Auth/privateKey",
				"prefix": "/auth", "apis": "Api", "functionName": "test-notes-Auth_authenticator",
			})
		}
	}
	var routes []string
	for _, r := range ms.Routes {
		if r.Function == "Auth_authenticator" {
			routes = append(routes, r.Key+"="+r.Authorizer)
		}
	}
	if !found || jsonString(t, routes) != `["GET /auth=none","ANY /auth/{proxy+}=none"]` {
		t.Errorf("manifest: Auth found %v, authenticator routes %v", found, routes)
	}
	fns := 0
	for _, f := range ms.Functions {
		if f.ID == "Auth_authenticator" {
			fns++
		}
	}
	if fns != 1 {
		t.Errorf("the authenticator is listed %d times in the manifest, want once", fns)
	}
}

// nonBindingParams are a stack's SSM parameters other than the copies of
// binding values (named <id>_binding_<prop>).
func nonBindingParams(out *synthesized, stack string) []string {
	var names []string
	for name := range out.resources(stack, "aws_ssm_parameter") {
		if !strings.Contains(name, "_binding_") {
			names = append(names, name)
		}
	}
	return names
}

func TestAuthCustomPrefix(t *testing.T) {
	out := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		auth := NewAuth(s, "Login", AuthProps{Authenticator: FunctionProps{Handler: nodeHandler, Timeout: 20e9}})
		auth.Attach(NewApi(s, "Api", ApiProps{}), AuthAttach{Prefix: "/v1/login"})
		auth.Attach(NewApi(s, "Admin", ApiProps{}), AuthAttach{Prefix: "/v1/login"})
		return nil
	})...)
	for _, id := range []string{"Api_GET_v1_login_route", "Admin_ANY_v1_login_proxy_route"} {
		if r := out.resource(t, "First", "aws_apigatewayv2_route", id); !strings.Contains(r["route_key"].(string), "/v1/login") {
			t.Errorf("route %s = %v", id, r)
		}
	}
	if env := out.env(t, "First", "Login_authenticator"); env["SST_Auth_prefix_Login"] != "/v1/login" {
		t.Errorf("env = %v", env)
	}
	if n := len(nonBindingParams(out, "First")); n != 1 {
		t.Errorf("%d prefix parameters for one Auth on two Apis", n)
	}
}

// TestAuthBadInput: each mistake fails synthesis naming the stack, the
// auth and the prop, with what to do, and writes nothing.
func TestAuthBadInput(t *testing.T) {
	attach := func(routes map[string]ApiRoute, do func(s *Stack, auth *Auth, api *Api)) body {
		return func(s *Stack) any {
			api := NewApi(s, "Api", ApiProps{Routes: routes})
			auth := NewAuth(s, "Auth", AuthProps{Handler: goHandler})
			do(s, auth, api)
			return nil
		}
	}
	tests := []struct {
		name string
		b    body
		want []string
	}{
		{"no handler", func(s *Stack) any { return NewAuth(s, "Auth", AuthProps{}) },
			[]string{`stack First: auth "Auth"`, "Handler (or Authenticator.Handler) is required", "runtime/auth"}},
		{"two handlers", func(s *Stack) any {
			return NewAuth(s, "Auth", AuthProps{Handler: goHandler, Authenticator: FunctionProps{Handler: nodeHandler}})
		}, []string{`auth "Auth"`, "set Handler or Authenticator.Handler, not both"}},
		{"bad authenticator props", func(s *Stack) any {
			return NewAuth(s, "Auth", AuthProps{Authenticator: FunctionProps{Handler: goHandler, MemorySize: 64}})
		}, []string{"Auth_authenticator", "MemorySize 64"}},
		{"prefix without slash", attach(nil, func(_ *Stack, au *Auth, api *Api) { au.Attach(api, AuthAttach{Prefix: "auth"}) }),
			[]string{`auth "Auth": Attach: Prefix "auth"`, `starting with "/"`}},
		{"prefix with trailing slash", attach(nil, func(_ *Stack, au *Auth, api *Api) { au.Attach(api, AuthAttach{Prefix: "/auth/"}) }),
			[]string{`Prefix "/auth/"`, "trailing"}},
		{"prefix with a parameter", attach(nil, func(_ *Stack, au *Auth, api *Api) { au.Attach(api, AuthAttach{Prefix: "/auth/{tenant}"}) }),
			[]string{`Prefix "/auth/{tenant}"`, "literal path"}},
		{"nil api", attach(nil, func(_ *Stack, au *Auth, _ *Api) { au.Attach(nil, AuthAttach{}) }),
			[]string{`auth "Auth": Attach: the api is nil`, "sst.Use"}},
		{"attached twice", attach(nil, func(_ *Stack, au *Auth, api *Api) {
			au.Attach(api, AuthAttach{})
			au.Attach(api, AuthAttach{})
		}), []string{`Attach: already attached to api "Api"`}},
		{"two auths on one api", attach(nil, func(s *Stack, au *Auth, api *Api) {
			au.Attach(api, AuthAttach{})
			NewAuth(s, "Other", AuthProps{Handler: goHandler}).Attach(api, AuthAttach{Prefix: "/other"})
		}), []string{`auth "Other": Attach: api "Api" already has auth "Auth" attached`}},
		{"two prefixes", attach(nil, func(s *Stack, au *Auth, api *Api) {
			au.Attach(api, AuthAttach{})
			au.Attach(NewApi(s, "Admin", ApiProps{}), AuthAttach{Prefix: "/login"})
		}), []string{`Prefix "/login" differs from "/auth"`, "one prefix"}},
		{"route clash", attach(map[string]ApiRoute{"GET /auth": {Handler: nodeHandler}}, func(_ *Stack, au *Auth, api *Api) { au.Attach(api, AuthAttach{}) }),
			[]string{`api "Api": route "GET /auth" is defined twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.b)...)
			wantContains(t, msg, tt.want...)
		})
	}
}
