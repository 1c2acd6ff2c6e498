package dev

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// gateway serves an Api whose every route runs the real Node test handler
// (under a function id per route) through the real runtime.
// The routes named in v1 use payload format 1.0.
func gateway(t *testing.T, dev manifest.ApiDev, jwt *JWTVerifier, routes map[string]string, v1 ...string) *httptest.Server {
	t.Helper()
	return gatewayOn(t, newRuntime(t, 10*time.Second), dev, jwt, routes, v1...)
}

// gatewayOn is gateway on a runtime the test holds.
func gatewayOn(t *testing.T, rt *Runtime, dev manifest.ApiDev, jwt *JWTVerifier, routes map[string]string, v1 ...string) *httptest.Server {
	t.Helper()
	return gatewayOf(t, rt, "Api", dev, jwt, routes, v1...)
}

// gatewayOf is gatewayOn for a construct type: "Api" or "ApiGatewayV1Api".
func gatewayOf(t *testing.T, rt *Runtime, typ string, dev manifest.ApiDev, jwt *JWTVerifier, routes map[string]string, v1 ...string) *httptest.Server {
	t.Helper()
	_, n := built(t)
	h, err := NewHistory(rt, filepath.Join(t.TempDir(), "h.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	var mr []manifest.Route
	for key, auth := range routes {
		id := "fn_" + strings.NewReplacer(" ", "_", "/", "_", "{", "", "}", "", "+", "", "$", "").Replace(key)
		rt.Set(&Function{ID: id, Name: id, Command: n.Command, Dir: n.Dir, Timeout: 10 * time.Second, Memory: 128})
		mr = append(mr, manifest.Route{Api: "Api", Key: key, Function: id, Authorizer: auth})
		if slices.Contains(v1, key) {
			mr[len(mr)-1].PayloadFormatVersion = "1.0"
		}
	}
	authCmd := append([]string(nil), n.Command...)
	authCmd[len(authCmd)-1] = "authorizer"
	rt.Set(&Function{ID: "authz", Name: "authz", Command: authCmd, Dir: n.Dir, Timeout: 10 * time.Second, Memory: 128})
	raw, _ := json.Marshal(dev)
	c := manifest.Construct{ID: "Api", Type: typ, Data: map[string]string{manifest.DataApiDev: string(raw)}}
	gw, err := NewGateway(c, mr, h, jwt)
	if err != nil {
		t.Fatal(err)
	}
	gw.Warn = func(msg string) { t.Log("gateway:", msg) }
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return srv
}

// echoed sends a request whose handler answers with the event it got.
func echoed(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	q := req.URL.Query()
	q.Set("action", "gw")
	req.URL.RawQuery = q.Encode() + "&multi=1&multi=2"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var ev map[string]any
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%s %s: %s: %v", req.Method, req.URL, b, err)
		}
	}
	return resp.StatusCode, ev
}

func TestGatewayRoutesLikeAPIGateway(t *testing.T) {
	srv := gateway(t, manifest.ApiDev{}, nil, map[string]string{
		"GET /items":         "",
		"POST /items":        "",
		"GET /items/{id}":    "",
		"GET /items/special": "",
		"ANY /files/{path+}": "",
		"$default":           "",
	})
	cases := []struct {
		method, path, wantRoute string
		wantParams              map[string]any
	}{
		{"GET", "/items", "GET /items", nil},
		{"POST", "/items", "POST /items", nil},
		{"GET", "/items/42", "GET /items/{id}", map[string]any{"id": "42"}},
		{"GET", "/items/special", "GET /items/special", nil}, // a literal beats a parameter
		{"GET", "/items/a%20b", "GET /items/{id}", map[string]any{"id": "a b"}},
		{"DELETE", "/files/a/b/c.txt", "ANY /files/{path+}", map[string]any{"path": "a/b/c.txt"}},
		{"PUT", "/items", "$default", nil},
		{"GET", "/nowhere/else", "$default", nil},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		status, ev := echoed(t, req)
		if status != 200 {
			t.Fatalf("%s %s: status %d", c.method, c.path, status)
		}
		if ev["routeKey"] != c.wantRoute {
			t.Errorf("%s %s: routed to %v, want %s", c.method, c.path, ev["routeKey"], c.wantRoute)
		}
		got, _ := ev["pathParameters"].(map[string]any)
		if fmt.Sprint(got) != fmt.Sprint(c.wantParams) && !(len(got) == 0 && c.wantParams == nil) {
			t.Errorf("%s %s: pathParameters %v, want %v", c.method, c.path, got, c.wantParams)
		}
	}
}

func TestGatewayEventAndResponseFormat(t *testing.T) {
	srv := gateway(t, manifest.ApiDev{}, nil, map[string]string{"ANY /echo": ""})

	req, _ := http.NewRequest("POST", srv.URL+"/echo?a=1", strings.NewReader(`{"x":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Custom", "yes")
	req.Header.Add("Cookie", "c1=v1; c2=v2")
	_, ev := echoed(t, req)
	if ev["version"] != "2.0" || ev["rawPath"] != "/echo" || ev["body"] != `{"x":1}` || ev["isBase64Encoded"] != false {
		t.Errorf("event basics: %v", ev)
	}
	qs := ev["queryStringParameters"].(map[string]any)
	if qs["a"] != "1" || qs["multi"] != "1,2" {
		t.Errorf("queryStringParameters %v: repeated keys join with commas", qs)
	}
	if !strings.Contains(ev["rawQueryString"].(string), "multi=1&multi=2") {
		t.Errorf("rawQueryString %v", ev["rawQueryString"])
	}
	hdr := ev["headers"].(map[string]any)
	if hdr["x-custom"] != "yes" || hdr["cookie"] != nil {
		t.Errorf("headers %v: lower-cased, cookies moved out", hdr)
	}
	if fmt.Sprint(ev["cookies"]) != "[c1=v1 c2=v2]" {
		t.Errorf("cookies %v", ev["cookies"])
	}
	rc := ev["requestContext"].(map[string]any)
	if rc["routeKey"] != "ANY /echo" || rc["stage"] != "$default" || rc["http"].(map[string]any)["method"] != "POST" {
		t.Errorf("requestContext %v", rc)
	}

	bin := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	req, _ = http.NewRequest("POST", srv.URL+"/echo", bytes.NewReader(bin))
	req.Header.Set("Content-Type", "image/png")
	_, ev = echoed(t, req)
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString(bin) {
		t.Errorf("binary body: isBase64Encoded %v body %v", ev["isBase64Encoded"], ev["body"])
	}

	// Responses: what the handler returns, as API Gateway maps it.
	respond := func(value string) *http.Response {
		t.Helper()
		body := `{"action":"return","value":` + value + `}`
		resp, err := http.Post(srv.URL+"/echo", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	read := func(r *http.Response) string {
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return string(b)
	}
	r := respond(`{"statusCode":201,"headers":{"x-a":"b"},"cookies":["s=1; Path=/"],"body":"made"}`)
	if r.StatusCode != 201 || r.Header.Get("X-A") != "b" || r.Header.Get("Set-Cookie") != "s=1; Path=/" || read(r) != "made" {
		t.Errorf("full response mapped wrong: %d %v", r.StatusCode, r.Header)
	}
	r = respond(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true,"headers":{"content-type":"text/plain"}}`)
	if got := read(r); got != "hi" {
		t.Errorf("base64 response body %q, want decoded", got)
	}
	r = respond(`{"a":1}`)
	if got := read(r); r.StatusCode != 200 || got != `{"a":1}` || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("object without statusCode: %d %q %s", r.StatusCode, got, r.Header.Get("Content-Type"))
	}
	r = respond(`"plain text"`)
	if got := read(r); got != "plain text" {
		t.Errorf("string response %q", got)
	}

	resp, err := http.Post(srv.URL+"/echo", "application/json", strings.NewReader(`{"action":"throw"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := read(resp); resp.StatusCode != 500 || got != `{"message":"Internal Server Error"}` {
		t.Errorf("a throwing handler gave %d %s", resp.StatusCode, got)
	}
	resp, err = http.Get(srv.URL + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	if got := read(resp); resp.StatusCode != 404 || got != `{"message":"Not Found"}` {
		t.Errorf("no route gave %d %s", resp.StatusCode, got)
	}
}

func TestGatewayCORS(t *testing.T) {
	dev := manifest.ApiDev{Cors: &manifest.ApiCors{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"*"}, MaxAge: 600}}
	srv := gateway(t, dev, nil, map[string]string{"GET /items": ""})
	req, _ := http.NewRequest("OPTIONS", srv.URL+"/items", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,authorization")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || h.Get("Access-Control-Allow-Methods") != "GET,POST" ||
		h.Get("Access-Control-Allow-Headers") != "content-type,authorization" || h.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/items", nil)
	req.Header.Set("Origin", "https://evil.example.com")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("an origin not allowed got Access-Control-Allow-Origin %q", got)
	}
	req.Header.Set("Origin", "https://app.example.com")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin %q", got)
	}
}

// testIssuer serves a JWKS for a fresh RSA key and signs tokens with it
// (or, forged, with another key).
func testIssuer(t *testing.T) (issuer string, sign func(forged bool, claims map[string]any) string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		e := big.NewInt(int64(key.E)).Bytes()
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(e),
		}}})
	}))
	t.Cleanup(jwks.Close)
	return jwks.URL, func(forged bool, claims map[string]any) string {
		k := key
		if forged {
			k = other
		}
		h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
		c, _ := json.Marshal(claims)
		in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
		sum := sha256.Sum256([]byte(in))
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return in + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
}

func TestGatewayAuthorizers(t *testing.T) {
	issuer, sign := testIssuer(t)
	dev := manifest.ApiDev{Authorizers: map[string]manifest.ApiAuthorizer{
		"jwt":  {Type: "jwt", Issuer: issuer, Audience: []string{"client-1"}},
		"gate": {Type: "lambda", Function: "authz", SimpleResponses: true},
		// SST v2's default: an IAM policy on the 1.0 event's methodArn.
		"policy": {Type: "lambda", Function: "authz", PayloadFormatVersion: "1.0"},
	}}
	srv := gateway(t, dev, NewJWTVerifier(""), map[string]string{"GET /private": "jwt", "GET /gated": "gate", "GET /signed": "iam", "GET /policy": "policy", "GET /v1/private": "jwt"}, "GET /v1/private")

	key, other := false, true // sign with the issuer's key, or forge
	exp := time.Now().Add(time.Hour).Unix()
	good := map[string]any{"iss": issuer, "aud": "client-1", "sub": "user-7", "exp": exp, "scope": "notes.read notes.write"}
	call := func(path, auth string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return echoed(t, req)
	}

	status, ev := call("/private", "Bearer "+sign(key, good))
	if status != 200 {
		t.Fatalf("valid token refused: %d", status)
	}
	// A payload format 1.0 route gets the claims directly under
	// requestContext.authorizer.
	if status, ev1 := call("/v1/private", "Bearer "+sign(key, good)); status != 200 || ev1["version"] != "1.0" ||
		fmt.Sprint(ev1["requestContext"].(map[string]any)["authorizer"].(map[string]any)["claims"].(map[string]any)["sub"]) != "user-7" {
		t.Errorf("1.0 route behind the JWT authorizer: %d %v", status, ev1["requestContext"])
	}
	if status, _ := call("/v1/private", ""); status != 401 {
		t.Errorf("1.0 route without a token: %d, want 401", status)
	}
	jwt := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["jwt"].(map[string]any)
	if jwt["claims"].(map[string]any)["sub"] != "user-7" || fmt.Sprint(jwt["scopes"]) != "[notes.read notes.write]" {
		t.Errorf("authorizer context %v", jwt)
	}
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for a, b := range good {
			c[a] = b
		}
		c[k] = v
		return c
	}
	refused := map[string]string{
		"no token":  "",
		"not a JWT": "Bearer abc",
		"expired":   "Bearer " + sign(key, with("exp", time.Now().Add(-time.Minute).Unix())),
		// API Gateway allows no clock skew.
		"expired seconds ago": "Bearer " + sign(key, with("exp", time.Now().Add(-5*time.Second).Unix())),
		"valid in seconds":    "Bearer " + sign(key, with("nbf", time.Now().Add(10*time.Second).Unix())),
		"wrong aud":           "Bearer " + sign(key, with("aud", "someone-else")),
		"wrong issuer":        "Bearer " + sign(key, with("iss", "https://elsewhere.example.com")),
		"forged (sig)":        "Bearer " + sign(other, good),
		"not yet valid":       "Bearer " + sign(key, with("nbf", time.Now().Add(time.Hour).Unix())),
	}
	for name, auth := range refused {
		if status, _ := call("/private", auth); status != 401 {
			t.Errorf("%s: status %d, want 401", name, status)
		}
	}

	if status, ev := call("/gated", "let-me-in"); status != 200 {
		t.Errorf("lambda authorizer refused an allowed request: %d", status)
	} else if lam := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any); lam["user"] != "u1" {
		t.Errorf("lambda authorizer context %v", lam)
	}
	if status, _ := call("/gated", "wrong"); status != 403 {
		t.Errorf("lambda authorizer said no: status %d, want 403", status)
	}
	if status, _ := call("/gated", ""); status != 401 {
		t.Errorf("lambda authorizer without identity: status %d, want 401", status)
	}
	if status, _ := call("/policy", "let-me-in"); status != 200 {
		t.Errorf("IAM-policy authorizer refused an allowed request: %d", status)
	}
	if status, _ := call("/policy", "wrong"); status != 403 {
		t.Errorf("IAM-policy authorizer denied: status %d, want 403", status)
	}
	if status, _ := call("/signed", ""); status != 200 {
		t.Errorf("iam route: status %d (accepted locally, with a warning)", status)
	}
}

func TestJWKSURLForEmulatedCognito(t *testing.T) {
	v := NewJWTVerifier("http://127.0.0.1:5000")
	got := v.jwksURL("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc")
	if got != "http://127.0.0.1:5000/us-east-1_abc/.well-known/jwks.json" {
		t.Errorf("emulated Cognito key set at %s", got)
	}
	if got := NewJWTVerifier("").jwksURL("https://auth.example.com"); got != "https://auth.example.com/.well-known/jwks.json" {
		t.Errorf("key set at %s", got)
	}
}

// TestGatewayURLAndAwsRoutes: a url route proxies to its endpoint as API
// Gateway's HTTP_PROXY does; an aws route whose integration is not
// deployed is refused with the reason (awsroute_test.go plays deployed
// ones).
func TestGatewayURLAndAwsRoutes(t *testing.T) {
	type seen struct{ method, uri, body, header string }
	got := make(chan seen, 4)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.RequestURI(), string(b), r.Header.Get("X-Trace")}
		w.Header().Set("X-Upstream", "yes")
		w.Header().Set("Access-Control-Allow-Origin", "https://upstream.example")
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, "from upstream")
	}))
	defer upstream.Close()

	c := manifest.Construct{ID: "Api", Type: "Api", Data: map[string]string{manifest.DataApiDev: `{"cors":{"allowOrigins":["*"],"allowMethods":["*"],"allowHeaders":["*"]}}`}}
	var warned []string
	gw, err := NewGateway(c, []manifest.Route{
		{Api: "Api", Key: "ANY /docs/{proxy+}", Type: manifest.RouteURL, URL: upstream.URL + "/v1/{proxy}?fixed=1"},
		{Api: "Api", Key: "GET /moved", Type: manifest.RouteURL, URL: upstream.URL + "/moved"},
		{Api: "Api", Key: "GET /later", Type: manifest.RouteURL, URL: "${aws_apigatewayv2_api.Other.api_endpoint}"},
		{Api: "Api", Key: "POST /jobs", Type: manifest.RouteAWS, Subtype: "SQS-SendMessage", Integration: "aws_apigatewayv2_integration.Api_POST_jobs_integration"},
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gw.Warn = func(m string) { warned = append(warned, m) }
	srv := httptest.NewServer(gw)
	defer srv.Close()

	req, _ := http.NewRequest("PUT", srv.URL+"/docs/a/b.txt?x=1", strings.NewReader("payload"))
	req.Header.Set("X-Trace", "t-1")
	req.Header.Set("Origin", "https://app.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || string(b) != "from upstream" || resp.Header.Get("X-Upstream") != "yes" {
		t.Errorf("proxied answer = %d %q %v", resp.StatusCode, b, resp.Header)
	}
	if o := resp.Header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q: the Api's CORS must win over the endpoint's", o)
	}
	if s := <-got; s != (seen{"PUT", "/v1/a/b.txt?fixed=1&x=1", "payload", "t-1"}) {
		t.Errorf("upstream saw %+v", s)
	}

	// A redirect goes back to the client, as API Gateway passes it on.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(srv.URL + "/moved")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-got
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/elsewhere" {
		t.Errorf("redirect = %d to %q, want the endpoint's 302 to /elsewhere", resp.StatusCode, resp.Header.Get("Location"))
	}

	for path, want := range map[string]int{"/later": http.StatusBadGateway} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err = http.Post(srv.URL+"/jobs", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), "POST /jobs has no deployed integration") {
		t.Errorf("aws route = %d %s, want 502 saying it has no deployed integration", resp.StatusCode, b)
	}
	if all := strings.Join(warned, "\n"); !strings.Contains(all, "known only after deploy") || !strings.Contains(all, "aws_apigatewayv2_integration.Api_POST_jobs_integration) is not in the stack's Terraform state") {
		t.Errorf("warnings = %q", warned)
	}
}

// TestGatewayPayloadFormat1: a route configured for payload format 1.0
// gets API Gateway's 1.0 event (single- and multi-value headers and query
// strings, resource and path, REST-style requestContext), and a response
// without statusCode fails as API Gateway fails it; 2.0 routes beside it
// are unchanged.
func TestGatewayPayloadFormat1(t *testing.T) {
	srv := gateway(t, manifest.ApiDev{}, nil, map[string]string{"POST /items/{id}": "", "GET /v2": ""}, "POST /items/{id}")
	req, _ := http.NewRequest("POST", srv.URL+"/items/42?a=1", strings.NewReader(`{"x":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("X-Many", "one")
	req.Header.Add("X-Many", "two")
	status, ev := echoed(t, req)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	want := map[string]any{"version": "1.0", "resource": "/items/{id}", "path": "/items/42", "httpMethod": "POST", "body": `{"x":1}`, "isBase64Encoded": false}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("%s = %v, want %v", k, ev[k], v)
		}
	}
	if fmt.Sprint(ev["pathParameters"]) != "map[id:42]" {
		t.Errorf("pathParameters %v", ev["pathParameters"])
	}
	if qs := ev["queryStringParameters"].(map[string]any); qs["a"] != "1" || qs["multi"] != "2" {
		t.Errorf("queryStringParameters %v: one value each, the last", qs)
	}
	if mq := ev["multiValueQueryStringParameters"].(map[string]any); fmt.Sprint(mq["multi"]) != "[1 2]" {
		t.Errorf("multiValueQueryStringParameters %v", mq)
	}
	if h, mh := ev["headers"].(map[string]any), ev["multiValueHeaders"].(map[string]any); h["x-many"] != "two" || h["host"] == nil || fmt.Sprint(mh["x-many"]) != "[one two]" {
		t.Errorf("headers %v / %v", h["x-many"], mh["x-many"])
	}
	rc := ev["requestContext"].(map[string]any)
	if rc["httpMethod"] != "POST" || rc["resourcePath"] != "/items/{id}" || rc["resourceId"] != "POST /items/{id}" || rc["path"] != "/items/42" || rc["requestId"] == nil {
		t.Errorf("requestContext %v", rc)
	}
	if _, ok := rc["http"]; ok {
		t.Errorf("1.0 requestContext has 2.0's http: %v", rc)
	}

	resp, err := http.Post(srv.URL+"/items/1", "application/json", strings.NewReader(`{"action":"return","value":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("1.0 route answering without statusCode: %d, want 500", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/v2", nil)
	if _, ev2 := echoed(t, req); ev2["version"] != "2.0" {
		t.Errorf("the 2.0 route got version %v", ev2["version"])
	}
}
