package dev

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Payload format 1.0, in one place: what a REST API's (ApiGatewayV1Api)
// Lambda proxy integration sends and what an HTTP API sends a route
// configured with PayloadFormatVersion "1.0"; and the answer it takes.

// eventV1 is the payload format 1.0 event for a request, made from its
// 2.0 event (same request id, time, source, path parameters and body):
// REST-shaped, with single- (the last value) and multi-value headers and
// query strings. A REST API passes header names as the client sent them,
// an HTTP API lower-cased. An HTTP API's authorizer has run on the 2.0
// event by now: its output moves directly under requestContext.authorizer
// (a JWT's {claims, scopes}, a Lambda's context), where 1.0 handlers and
// SST v2's clients read it; a REST API's authorizers fill that in later
// (authorizeV1).
func (g *Gateway) eventV1(req *http.Request, r *gwRoute, v2 map[string]any) map[string]any {
	name := strings.ToLower
	if g.rest {
		name = func(k string) string { return k }
	}
	headers, multiHeaders := map[string]string{}, map[string][]string{}
	for k, vs := range req.Header {
		headers[name(k)], multiHeaders[name(k)] = vs[len(vs)-1], vs
	}
	if req.Host != "" {
		headers[name("Host")], multiHeaders[name("Host")] = req.Host, []string{req.Host}
	}
	resource := r.key.Path
	if r.key.Default {
		// A REST API serves its default route as the greedy resource.
		resource = "$default"
		if g.rest {
			resource = "/{proxy+}"
		}
	}
	path := req.URL.Path
	if g.stage() != "$default" {
		// A named stage is the first segment of the invoked path.
		path = "/" + g.stage() + path
	}
	rc2, _ := v2["requestContext"].(map[string]any)
	http2, _ := rc2["http"].(map[string]any)
	ctx := map[string]any{
		"accountId":         rc2["accountId"],
		"apiId":             rc2["apiId"],
		"domainName":        rc2["domainName"],
		"domainPrefix":      rc2["domainPrefix"],
		"extendedRequestId": rc2["requestId"],
		"httpMethod":        req.Method,
		"identity":          map[string]any{"sourceIp": http2["sourceIp"], "userAgent": http2["userAgent"]},
		"path":              path,
		"protocol":          req.Proto,
		"requestId":         rc2["requestId"],
		"requestTime":       rc2["time"],
		"requestTimeEpoch":  rc2["timeEpoch"],
		"resourceId":        r.key.String(),
		"resourcePath":      resource,
		"stage":             rc2["stage"],
	}
	if az, ok := rc2["authorizer"].(map[string]any); ok {
		switch {
		case az["jwt"] != nil:
			ctx["authorizer"] = az["jwt"]
		case az["lambda"] != nil:
			ctx["authorizer"] = az["lambda"]
		}
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
		"pathParameters":                  v2["pathParameters"],
		"stageVariables":                  nil,
		"requestContext":                  ctx,
		"body":                            v2["body"],
		"isBase64Encoded":                 v2["isBase64Encoded"],
	}
	if q := req.URL.Query(); len(q) > 0 {
		qs, multi := map[string]string{}, map[string][]string{}
		for k, vs := range q {
			qs[k], multi[k] = vs[len(vs)-1], vs
		}
		ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = qs, multi
	}
	return ev
}

// proxyResponse reports whether a format 1.0 answer is a proxy response
// (an object with statusCode), the only answer format 1.0 takes: unlike
// 2.0 nothing is inferred from a bare value.
func proxyResponse(payload json.RawMessage) bool {
	var resp struct {
		StatusCode *int `json:"statusCode"`
	}
	return json.Unmarshal(payload, &resp) == nil && resp.StatusCode != nil
}
