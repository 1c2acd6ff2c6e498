package dev

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/internal/jwt"
	"github.com/sst-tf/sst/manifest"
)

// authorize runs a route's authorizer the way API Gateway does and adds
// its result to the event's request context. It returns the status to
// answer with when the request is refused.
func (g *Gateway) authorize(ctx context.Context, req *http.Request, r *gwRoute, ev map[string]any) (int, bool) {
	switch r.authorizer {
	case "", "none":
		return 0, true
	case "iam":
		g.warnOnce("iam", "routes with IAM authorization accept unsigned requests locally (SigV4 is checked by API Gateway only)")
		return 0, true
	}
	az, ok := g.dev.Authorizers[r.authorizer]
	if !ok {
		g.Warn(fmt.Sprintf("route %s: authorizer %q is not in the manifest; re-run sst dev", r.key, r.authorizer))
		return http.StatusInternalServerError, false
	}
	if g.rest {
		return g.authorizeV1(ctx, req, r, az, ev)
	}
	identity, ok := identitySources(req, az.IdentitySource)
	if !ok {
		return http.StatusUnauthorized, false
	}
	rc := ev["requestContext"].(map[string]any)
	switch az.Type {
	case "jwt":
		claims, scopes, err := g.jwt.verify(ctx, identity[0], az)
		if err != nil {
			g.Warn(fmt.Sprintf("%s %s: JWT refused by authorizer %q: %v", req.Method, req.URL.Path, r.authorizer, err))
			return http.StatusUnauthorized, false
		}
		rc["authorizer"] = map[string]any{"jwt": map[string]any{"claims": claims, "scopes": scopes}}
		return 0, true
	case "lambda":
		aev := map[string]any{}
		for k, v := range ev {
			aev[k] = v
		}
		aev["type"] = "REQUEST"
		aev["identitySource"] = identity
		aev["routeArn"] = "arn:aws:execute-api:local:000000000000:" + g.Api + "/$default/" + strings.Replace(r.key.String(), " ", "", 1)
		if az.PayloadFormatVersion == "1.0" {
			// A 1.0 authorizer's policy names the method ARN.
			aev["methodArn"] = aev["routeArn"]
			g.warnOnce("format-authorizer:"+r.authorizer, fmt.Sprintf("authorizer %q: API Gateway sends it payload format 1.0 events; sst dev sends a 2.0 event with methodArn added", r.authorizer))
		}
		payload, _ := json.Marshal(aev)
		res, err := g.inv.Invoke(ctx, az.Function, payload, "authorizer "+g.Api+" "+r.authorizer)
		if err != nil || res.Err != nil {
			return http.StatusInternalServerError, false
		}
		allowed, authCtx := lambdaDecision(res.Payload, az.SimpleResponses)
		if !allowed {
			return http.StatusForbidden, false
		}
		rc["authorizer"] = map[string]any{"lambda": authCtx}
		return 0, true
	}
	return http.StatusInternalServerError, false
}

// identitySources reads each "$request.header.X" / "$request.querystring.X"
// source (REST APIs: "method.request.header.X" /
// "method.request.querystring.X"); API Gateway answers 401 when any is
// missing.
func identitySources(req *http.Request, sources []string) ([]string, bool) {
	if len(sources) == 0 {
		sources = []string{"$request.header.Authorization"}
	}
	var out []string
	for _, s := range sources {
		var v string
		switch {
		case strings.HasPrefix(s, "$request.header."):
			v = req.Header.Get(strings.TrimPrefix(s, "$request.header."))
		case strings.HasPrefix(s, "$request.querystring."):
			v = req.URL.Query().Get(strings.TrimPrefix(s, "$request.querystring."))
		case strings.HasPrefix(s, "method.request.header."):
			v = req.Header.Get(strings.TrimPrefix(s, "method.request.header."))
		case strings.HasPrefix(s, "method.request.querystring."):
			v = req.URL.Query().Get(strings.TrimPrefix(s, "method.request.querystring."))
		}
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// lambdaDecision reads a Lambda authorizer's answer: {"isAuthorized": …}
// with simple responses, else an IAM policy whose statements must allow.
func lambdaDecision(payload []byte, simple bool) (bool, map[string]any) {
	var resp struct {
		IsAuthorized   bool           `json:"isAuthorized"`
		Context        map[string]any `json:"context"`
		PolicyDocument struct {
			Statement []struct {
				Effect string `json:"Effect"`
			} `json:"Statement"`
		} `json:"policyDocument"`
	}
	if json.Unmarshal(payload, &resp) != nil {
		return false, nil
	}
	if simple {
		return resp.IsAuthorized, resp.Context
	}
	allow := false
	for _, st := range resp.PolicyDocument.Statement {
		if strings.EqualFold(st.Effect, "Deny") {
			return false, nil
		}
		allow = allow || strings.EqualFold(st.Effect, "Allow")
	}
	return allow, resp.Context
}

// JWTVerifier checks bearer tokens as an HTTP API's JWT authorizer does:
// an RS256 signature from the issuer's key set, the issuer, an audience
// (or Cognito access tokens' client_id), and the time window.
type JWTVerifier struct {
	// endpoint, when set, is the emulator that serves Cognito's key sets.
	endpoint string
	client   *http.Client
	now      func() time.Time

	mu   sync.Mutex
	keys map[string]map[string]*rsa.PublicKey // issuer → kid → key
}

// NewJWTVerifier fetches key sets from issuers, or from an emulator
// endpoint for Cognito issuers when one is set.
func NewJWTVerifier(endpoint string) *JWTVerifier {
	return &JWTVerifier{endpoint: endpoint, client: &http.Client{Timeout: 5 * time.Second}, now: time.Now, keys: map[string]map[string]*rsa.PublicKey{}}
}

func (v *JWTVerifier) verify(ctx context.Context, token string, az manifest.ApiAuthorizer) (map[string]string, []string, error) {
	token = strings.TrimSpace(token)
	if t, ok := strings.CutPrefix(token, "Bearer "); ok {
		token = strings.TrimSpace(t)
	}
	var claims map[string]any
	header, err := jwt.Unverified(token, &claims)
	if err != nil {
		return nil, nil, err
	}
	if header.Alg != "RS256" {
		return nil, nil, fmt.Errorf("algorithm %q: API Gateway accepts RS256 tokens", header.Alg)
	}
	// A REST API's Cognito authorizer takes tokens of any of its pools,
	// whatever their audience.
	pools := az.Type == "user_pools"
	issuers := az.Issuers
	if !pools {
		issuers = []string{az.Issuer}
	}
	iss, _ := claims["iss"].(string)
	issuer := ""
	for _, want := range issuers {
		want = strings.TrimSuffix(want, "/")
		if strings.Contains(want, "${") {
			return nil, nil, fmt.Errorf("issuer %s is not known until deploy and could not be resolved", want)
		}
		if strings.TrimSuffix(iss, "/") == want {
			issuer = want
		}
	}
	if issuer == "" {
		return nil, nil, fmt.Errorf("issuer %q, want %q", iss, strings.Join(issuers, `" or "`))
	}
	if !pools && !audienceOK(claims, az.Audience) {
		return nil, nil, fmt.Errorf("audience not in %v", az.Audience)
	}
	// API Gateway refuses a token without an expiry, and allows no clock
	// skew: the window is checked here, exactly, before jwt.Verify (whose
	// minute of leeway then never decides).
	now := v.now()
	if exp, ok := claims["exp"].(float64); !ok || now.After(time.Unix(int64(exp), 0)) {
		return nil, nil, errors.New("token expired or has no exp")
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Before(time.Unix(int64(nbf), 0)) {
		return nil, nil, errors.New("token not valid yet (nbf)")
	}
	key, err := v.key(ctx, issuer, header.Kid)
	if err != nil {
		return nil, nil, err
	}
	if err := jwt.Verify(token, key, []string{"RS256"}, now, nil); err != nil {
		return nil, nil, err
	}
	out := map[string]string{}
	for k, c := range claims {
		switch x := c.(type) {
		case string:
			out[k] = x
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	var scopes []string
	if s, ok := claims["scope"].(string); ok {
		scopes = strings.Fields(s)
	}
	return out, scopes, nil
}

func audienceOK(claims map[string]any, want []string) bool {
	var got []string
	switch a := claims["aud"].(type) {
	case string:
		got = append(got, a)
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				got = append(got, s)
			}
		}
	}
	if c, ok := claims["client_id"].(string); ok {
		got = append(got, c)
	}
	for _, g := range got {
		for _, w := range want {
			if g == w {
				return true
			}
		}
	}
	return false
}

// key returns the issuer's signing key kid, fetching the key set on first
// use and again when a kid is unknown (keys rotate).
func (v *JWTVerifier) key(ctx context.Context, issuer, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	k := v.keys[issuer][kid]
	v.mu.Unlock()
	if k != nil {
		return k, nil
	}
	set, err := v.fetch(ctx, issuer)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	v.keys[issuer] = set
	v.mu.Unlock()
	if k := set[kid]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("no key %q in the issuer's key set", kid)
}

func (v *JWTVerifier) jwksURL(issuer string) string {
	u, err := url.Parse(issuer)
	if v.endpoint != "" && err == nil && strings.HasPrefix(u.Host, "cognito-idp.") && strings.HasSuffix(u.Host, ".amazonaws.com") {
		// The emulator serves each user pool's keys under its own host.
		return strings.TrimSuffix(v.endpoint, "/") + u.Path + "/.well-known/jwks.json"
	}
	return issuer + "/.well-known/jwks.json"
}

func (v *JWTVerifier) fetch(ctx context.Context, issuer string) (map[string]*rsa.PublicKey, error) {
	u := v.jwksURL(issuer)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch key set %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch key set %s: %s", u, resp.Status)
	}
	var set struct {
		Keys []jwt.JWK `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return nil, fmt.Errorf("key set %s: %w", u, err)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		// A key of another type or a malformed one cannot sign a token
		// API Gateway accepts; the others of the set still can.
		if key, err := k.RSA(); err == nil {
			out[k.Kid] = key
		}
	}
	return out, nil
}
