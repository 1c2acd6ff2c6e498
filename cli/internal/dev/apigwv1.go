package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

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
