package dev

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// TestRestGateway plays a REST API (ApiGatewayV1Api) through the real Node
// handler: payload format 1.0 events, its authorizers, and API Gateway's
// 502 for an answer that is not a proxy response.
func TestRestGateway(t *testing.T) {
	issuer, sign := testIssuer(t)
	dev := manifest.ApiDev{Stage: "prod", Authorizers: map[string]manifest.ApiAuthorizer{
		"pool":  {Type: "user_pools", Issuers: []string{"https://cognito-idp.us-east-1.amazonaws.com/other", issuer}, IdentitySource: []string{"method.request.header.Authorization"}},
		"token": {Type: "lambda_token", Function: "authz", IdentitySource: []string{"method.request.header.Authorization"}},
		"req":   {Type: "lambda_request", Function: "authz", IdentitySource: []string{"method.request.header.Authorization", "method.request.querystring.k"}},
	}}
	srv := gatewayOf(t, newRuntime(t, 10*time.Second), "ApiGatewayV1Api", dev, NewJWTVerifier(""), map[string]string{
		"GET /notes/{id}": "none", "ANY /{proxy+}": "none", "GET /pool": "pool", "GET /token": "token", "GET /req": "req",
	})
	call := func(path, auth string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Add("X-Multi", "a")
		req.Header.Add("X-Multi", "b")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return echoed(t, req)
	}

	status, ev := call("/notes/42", "")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	rc := ev["requestContext"].(map[string]any)
	if ev["version"] != "1.0" || ev["resource"] != "/notes/{id}" || ev["path"] != "/notes/42" || ev["httpMethod"] != "GET" ||
		fmt.Sprint(ev["pathParameters"]) != "map[id:42]" || rc["stage"] != "prod" || rc["path"] != "/prod/notes/42" || rc["resourcePath"] != "/notes/{id}" {
		t.Errorf("event = %v", ev)
	}
	if rc["requestId"] == nil || rc["requestId"] != rc["extendedRequestId"] || rc["resourceId"] != "GET /notes/{id}" {
		t.Errorf("requestContext ids = %v", rc)
	}
	if h := ev["headers"].(map[string]any); h["X-Multi"] != "b" || h["Host"] == nil {
		t.Errorf("headers keep their case, last value wins: %v", h)
	}
	if fmt.Sprint(ev["multiValueHeaders"].(map[string]any)["X-Multi"]) != "[a b]" || fmt.Sprint(ev["multiValueQueryStringParameters"].(map[string]any)["multi"]) != "[1 2]" {
		t.Errorf("multi-value maps = %v / %v", ev["multiValueHeaders"], ev["multiValueQueryStringParameters"])
	}
	if _, ev := call("/a/b", ""); ev["resource"] != "/{proxy+}" || fmt.Sprint(ev["pathParameters"]) != "map[proxy:a/b]" {
		t.Errorf("greedy route: %v", ev)
	}

	// A handler answering without statusCode: a REST API's 502.
	req, _ := http.NewRequest("POST", srv.URL+"/x", strings.NewReader(`{"action":"return","value":{"hello":1}}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Errorf("non-proxy answer: status %d, want 502", resp.StatusCode)
	}

	good := map[string]any{"iss": issuer, "aud": "any-client", "sub": "user-7", "exp": time.Now().Add(time.Hour).Unix()}
	status, ev = call("/pool", sign(false, good))
	if status != 200 {
		t.Fatalf("user pool token refused: %d", status)
	}
	if claims := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["claims"].(map[string]any); claims["sub"] != "user-7" {
		t.Errorf("claims = %v", claims)
	}
	for name, auth := range map[string]string{"none": "", "forged": sign(true, good), "other issuer": sign(false, map[string]any{"iss": "https://x.example.com", "exp": good["exp"]})} {
		if status, _ := call("/pool", auth); status != 401 {
			t.Errorf("user pool, %s: status %d, want 401", name, status)
		}
	}

	status, ev = call("/token", "let-me-in")
	if status != 200 {
		t.Fatalf("token authorizer refused: %d", status)
	}
	if a := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any); a["user"] != "u1" || a["principalId"] != "u1" {
		t.Errorf("token authorizer context = %v", a)
	}
	if status, _ := call("/token", "wrong"); status != 403 {
		t.Errorf("token authorizer denied: status %d, want 403", status)
	}
	if status, _ := call("/req?k=1", "let-me-in"); status != 200 {
		t.Errorf("request authorizer refused: %d", status)
	}
	if status, _ := call("/req", "let-me-in"); status != 401 {
		t.Errorf("request authorizer without its query source: status %d, want 401", status)
	}
}
