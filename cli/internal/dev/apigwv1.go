package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// stage is the stage name in events: a REST API's own, "$default" for
// HTTP APIs.
func (g *Gateway) stage() string {
	if g.dev.Stage != "" {
		return g.dev.Stage
	}
	return "$default"
}

// eventV1 is the payload format 1.0 request event: what a REST API's
// Lambda proxy integration (and an HTTP API route on format 1.0) sends.
// Headers keep their case and repeated values are in the multi-value maps.
func (g *Gateway) eventV1(req *http.Request, r *gwRoute, params map[string]string, body []byte) map[string]any {
	headers, multiHeaders := map[string]string{}, map[string][]string{}
	for k, v := range req.Header {
		headers[k] = v[len(v)-1]
		multiHeaders[k] = v
	}
	if req.Host != "" {
		headers["Host"], multiHeaders["Host"] = req.Host, []string{req.Host}
	}
	now := time.Now()
	ip, _, _ := net.SplitHostPort(req.RemoteAddr)
	resource := r.key.Path
	if r.key.Default {
		resource = "/{proxy+}"
	}
	ctx := map[string]any{
		"accountId":        "000000000000",
		"apiId":            g.Api,
		"resourceId":       "local",
		"resourcePath":     resource,
		"httpMethod":       req.Method,
		"path":             "/" + g.stage() + req.URL.Path,
		"protocol":         req.Proto,
		"stage":            g.stage(),
		"domainName":       req.Host,
		"domainPrefix":     strings.Split(hostOnly(req.Host), ".")[0],
		"requestId":        newRequestID(),
		"requestTime":      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch": now.UnixMilli(),
		"identity":         map[string]any{"sourceIp": ip, "userAgent": req.UserAgent()},
	}
	ev := map[string]any{
		"version":                         "1.0",
		"resource":                        resource,
		"path":                            req.URL.Path,
		"httpMethod":                      req.Method,
		"headers":                         headers,
		"multiValueHeaders":               multiHeaders,
		"queryStringParameters":           nil,
		"multiValueQueryStringParameters": nil,
		"pathParameters":                  nil,
		"stageVariables":                  nil,
		"requestContext":                  ctx,
		"body":                            nil,
		"isBase64Encoded":                 false,
	}
	if q := req.URL.Query(); len(q) > 0 {
		qs, mqs := map[string]string{}, map[string][]string{}
		for k, v := range q {
			qs[k], mqs[k] = v[len(v)-1], v
		}
		ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = qs, mqs
	}
	setParamsAndBody(ev, req, params, body)
	return ev
}

// methodArn is the ARN a REST API's Lambda authorizer gets and its IAM
// policy names.
func (g *Gateway) methodArn(method, path string) string {
	return "arn:aws:execute-api:local:000000000000:" + g.Api + "/" + g.stage() + "/" + method + path
}

// authorizeV1 runs a REST API authorizer ("user_pools", "lambda_token",
// "lambda_request") as API Gateway does and puts its result in the
// event's requestContext.authorizer.
func (g *Gateway) authorizeV1(ctx context.Context, req *http.Request, r *gwRoute, az manifest.ApiAuthorizer, ev map[string]any) (int, bool) {
	identity, ok := identitySources(req, az.IdentitySource)
	if !ok {
		return http.StatusUnauthorized, false
	}
	rc := ev["requestContext"].(map[string]any)
	if az.Type == "user_pools" {
		claims, _, err := g.jwt.verify(ctx, identity[0], az)
		if err != nil {
			g.Warn(fmt.Sprintf("%s %s: token refused by authorizer %q: %v", req.Method, req.URL.Path, r.authorizer, err))
			return http.StatusUnauthorized, false
		}
		rc["authorizer"] = map[string]any{"claims": claims}
		return 0, true
	}
	arn := g.methodArn(req.Method, req.URL.Path)
	var aev map[string]any
	if az.Type == "lambda_token" {
		aev = map[string]any{"type": "TOKEN", "authorizationToken": identity[0], "methodArn": arn}
	} else {
		aev = map[string]any{"type": "REQUEST", "methodArn": arn}
		for _, k := range []string{"resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext"} {
			aev[k] = ev[k]
		}
	}
	payload, _ := json.Marshal(aev)
	res, err := g.inv.Invoke(ctx, az.Function, payload, "authorizer "+g.Api+" "+r.authorizer)
	if err != nil || res.Err != nil {
		return http.StatusInternalServerError, false
	}
	allowed, authCtx := lambdaDecision(res.Payload, false)
	if !allowed {
		return http.StatusForbidden, false
	}
	out := map[string]any{}
	for k, v := range authCtx {
		out[k] = v
	}
	var p struct {
		PrincipalID string `json:"principalId"`
	}
	if json.Unmarshal(res.Payload, &p) == nil && p.PrincipalID != "" {
		out["principalId"] = p.PrincipalID
	}
	rc["authorizer"] = out
	return 0, true
}

// proxyResponse reports whether a format 1.0 answer is a proxy response
// (an object with statusCode): API Gateway answers 502 to anything else.
func proxyResponse(payload json.RawMessage) bool {
	var resp struct {
		StatusCode *int `json:"statusCode"`
	}
	return json.Unmarshal(payload, &resp) == nil && resp.StatusCode != nil
}
