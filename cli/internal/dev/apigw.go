package dev

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sst-tf/sst/internal/route"
	"github.com/sst-tf/sst/manifest"
)

// maxBody is API Gateway's request payload limit.
const maxBody = 10 << 20

// Invoker runs one event through a function: the local runtime, wrapped by
// the history that records it.
type Invoker interface {
	Invoke(ctx context.Context, fnID string, payload []byte, source string) (*Result, error)
}

// Gateway plays API Gateway for one Api (HTTP API: payload format 2.0,
// or 1.0 for the routes configured so) or ApiGatewayV1Api (REST API:
// payload format 1.0).
type Gateway struct {
	Api string
	// rest is set for a REST API: its events, authorizers and answers
	// are API Gateway v1's.
	rest   bool
	routes []gwRoute
	dev    manifest.ApiDev
	inv    Invoker
	jwt    *JWTVerifier
	// Warn reports something the local gateway does differently from AWS
	// or why it refused a request: the client only sees the status.
	Warn func(string)
	// Services is what aws routes call AWS with; Called hears of each
	// call.
	Services *Services
	Called   func(AWSCall)

	mu     sync.Mutex
	warned map[string]bool
}

type gwRoute struct {
	key route.Key
	// typ is "" for a function route, manifest.RouteURL or RouteAWS.
	typ string
	fn  string
	// url is a url route's endpoint; subtype and integration (its
	// Terraform address) an aws route's.
	url, subtype, integration string
	authorizer                string
	// format is "1.0" for a route whose events use payload format 1.0.
	format string
	segs   []string
}

// NewGateway builds the route table of one Api from the manifest.
func NewGateway(api manifest.Construct, routes []manifest.Route, inv Invoker, jwt *JWTVerifier) (*Gateway, error) {
	g := &Gateway{Api: api.ID, rest: api.Type == "ApiGatewayV1Api", inv: inv, jwt: jwt, warned: map[string]bool{}, Warn: func(string) {}}
	if raw := api.Data[manifest.DataApiDev]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &g.dev); err != nil {
			return nil, fmt.Errorf("api %s: manifest data: %w", api.ID, err)
		}
	}
	for _, r := range routes {
		if r.Api != api.ID {
			continue
		}
		k, err := route.Parse(r.Key)
		if err != nil {
			return nil, fmt.Errorf("api %s: %w", api.ID, err)
		}
		gr := gwRoute{key: k, typ: r.Type, fn: r.Function, url: r.URL, subtype: r.Subtype, integration: r.Integration, authorizer: r.Authorizer, format: r.PayloadFormatVersion}
		if !k.Default {
			gr.segs = splitPath(k.Path)
		}
		g.routes = append(g.routes, gr)
	}
	return g, nil
}

// Routes lists the route keys, sorted, for the startup banner.
func (g *Gateway) Routes() []string {
	var out []string
	for _, r := range g.routes {
		out = append(out, r.key.String())
	}
	sort.Strings(out)
	return out
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route API Gateway would pick: the most specific path
// (literal segments over {params} over a greedy {proxy+}), an exact method
// over ANY, and $default last.
func (g *Gateway) match(method, path string) (*gwRoute, map[string]string) {
	segs := splitPath(path)
	var best *gwRoute
	var bestParams map[string]string
	var bestScore []int
	for i := range g.routes {
		r := &g.routes[i]
		if r.key.Default {
			continue
		}
		if r.key.Method != "ANY" && r.key.Method != method {
			continue
		}
		params, score, ok := matchSegs(r.segs, segs)
		if !ok {
			continue
		}
		m := 0
		if r.key.Method != "ANY" {
			m = 1
		}
		score = append(score, m)
		if best == nil || less(bestScore, score) {
			best, bestParams, bestScore = r, params, score
		}
	}
	if best != nil {
		return best, bestParams
	}
	for i := range g.routes {
		if g.routes[i].key.Default {
			return &g.routes[i], nil
		}
	}
	return nil, nil
}

func less(a, b []int) bool {
	for i := range a {
		if i >= len(b) {
			return false
		}
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// matchSegs matches path segments against a route's, scoring each: 3 for
// a literal, 2 for a parameter, 1 for a greedy parameter.
func matchSegs(route, path []string) (map[string]string, []int, bool) {
	params := map[string]string{}
	var score []int
	for i, rs := range route {
		if strings.HasPrefix(rs, "{") && strings.HasSuffix(rs, "+}") {
			if i >= len(path) {
				return nil, nil, false
			}
			params[strings.TrimSuffix(strings.TrimPrefix(rs, "{"), "+}")] = strings.Join(path[i:], "/")
			return params, append(score, 1), true
		}
		if i >= len(path) {
			return nil, nil, false
		}
		if strings.HasPrefix(rs, "{") && strings.HasSuffix(rs, "}") {
			v, err := url.PathUnescape(path[i])
			if err != nil {
				v = path[i]
			}
			params[rs[1:len(rs)-1]] = v
			score = append(score, 2)
			continue
		}
		if rs != path[i] {
			return nil, nil, false
		}
		score = append(score, 3)
	}
	if len(route) != len(path) {
		return nil, nil, false
	}
	return params, score, true
}

// ServeHTTP turns a request into a 2.0 event, runs the route's function and
// turns its answer into the response, as API Gateway would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if g.preflight(w, req) {
		return
	}
	g.cors(w, req)
	r, params := g.match(req.Method, req.URL.Path)
	if r == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Bad Request"})
		return
	}
	if len(body) > maxBody {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "Request Entity Too Large"})
		return
	}
	// Every event starts as 2.0: an HTTP API's authorizers read it, and
	// the 1.0 event is made from it (same request id, time and body).
	ev := g.event(req, r, params, body)
	format1 := g.rest || r.format == "1.0"
	if g.rest {
		// A REST API's authorizers read the 1.0 event.
		ev = g.eventV1(req, r, ev)
	}
	if status, ok := g.authorize(req.Context(), req, r, ev); !ok {
		writeJSON(w, status, map[string]string{"message": http.StatusText(status)})
		return
	}
	switch r.typ {
	case manifest.RouteURL:
		g.proxy(w, req, r, params, body)
		return
	case manifest.RouteAWS:
		g.serveAWS(w, req, r, ev, params, body)
		return
	}
	if format1 && !g.rest {
		// An HTTP API's 1.0 route: the authorizer ran on the 2.0 event.
		ev = g.eventV1(req, r, ev)
	}
	payload, _ := json.Marshal(ev)
	res, err := g.inv.Invoke(req.Context(), r.fn, payload, "api "+g.Api+" "+r.key.String())
	var building *BuildingError
	if errors.As(err, &building) {
		// Not API Gateway's answer, but the truth: nothing failed yet.
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Service Unavailable: sst dev is still building this route's handler (" + building.Handler + "); retry in a few seconds"})
		return
	}
	var failed *BuildFailedError
	if errors.As(err, &failed) {
		// No handler to run until it builds: the body says why, so the
		// client need not find the terminal.
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Service Unavailable: " + failed.Error()})
		return
	}
	if err != nil || res.Err != nil {
		// What API Gateway answers when the integration fails; the details
		// are in the terminal, not in the client's response.
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	if format1 && !proxyResponse(res.Payload) {
		// Format 1.0 has no inferred responses: API Gateway fails the
		// request, a REST API with 502, an HTTP API with 500.
		status, msg := http.StatusInternalServerError, "Internal Server Error"
		if g.rest {
			status, msg = http.StatusBadGateway, "Internal server error"
		}
		g.warnOnce("format-response:"+r.key.String(), fmt.Sprintf("route %s gets payload format 1.0 events: its function must return a proxy response {statusCode, headers, body}; API Gateway answers anything else with %d", r.key, status))
		writeJSON(w, status, map[string]string{"message": msg})
		return
	}
	writeLambdaResponse(w, res.Payload)
}

// event is the HTTP API payload format 2.0 request event.
func (g *Gateway) event(req *http.Request, r *gwRoute, params map[string]string, body []byte) map[string]any {
	headers := map[string]string{}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			continue
		}
		headers[lk] = strings.Join(v, ",")
	}
	if req.Host != "" {
		headers["host"] = req.Host
	}
	var cookies []string
	for _, c := range req.Header.Values("Cookie") {
		for _, part := range strings.Split(c, ";") {
			if p := strings.TrimSpace(part); p != "" {
				cookies = append(cookies, p)
			}
		}
	}
	now := time.Now()
	ip, _, _ := net.SplitHostPort(req.RemoteAddr)
	reqID := newRequestID()
	ctx := map[string]any{
		"accountId":    "000000000000",
		"apiId":        g.Api,
		"domainName":   req.Host,
		"domainPrefix": strings.Split(hostOnly(req.Host), ".")[0],
		"http": map[string]any{
			"method":    req.Method,
			"path":      req.URL.Path,
			"protocol":  req.Proto,
			"sourceIp":  ip,
			"userAgent": req.UserAgent(),
		},
		"requestId": reqID,
		"routeKey":  r.key.String(),
		"stage":     g.stage(),
		"time":      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"timeEpoch": now.UnixMilli(),
	}
	ev := map[string]any{
		"version":         "2.0",
		"routeKey":        r.key.String(),
		"rawPath":         req.URL.EscapedPath(),
		"rawQueryString":  req.URL.RawQuery,
		"headers":         headers,
		"requestContext":  ctx,
		"isBase64Encoded": false,
	}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	if q := req.URL.Query(); len(q) > 0 {
		qs := map[string]string{}
		for k, v := range q {
			qs[k] = strings.Join(v, ",")
		}
		ev["queryStringParameters"] = qs
	}
	setParamsAndBody(ev, req, params, body)
	return ev
}

// setParamsAndBody puts the path parameters and the body (text, or base64
// with isBase64Encoded) into an event of either payload format.
func setParamsAndBody(ev map[string]any, req *http.Request, params map[string]string, body []byte) {
	if len(params) > 0 {
		ev["pathParameters"] = params
	}
	if len(body) > 0 {
		if isText(req.Header.Get("Content-Type"), body) {
			ev["body"] = string(body)
		} else {
			ev["body"] = base64.StdEncoding.EncodeToString(body)
			ev["isBase64Encoded"] = true
		}
	}
}

func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// isText decides, like API Gateway, whether a body travels as a string:
// text types and JSON do; anything else (images, octet streams) is base64.
func isText(contentType string, body []byte) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	switch {
	case ct == "", strings.HasPrefix(ct, "text/"), strings.HasSuffix(ct, "json"), strings.HasSuffix(ct, "xml"),
		ct == "application/x-www-form-urlencoded", ct == "application/javascript", ct == "application/graphql":
		return utf8.Valid(body)
	}
	return false
}

// writeLambdaResponse applies format 2.0's rules: an object with
// statusCode is a full response; anything else is a 200 JSON body.
func writeLambdaResponse(w http.ResponseWriter, payload json.RawMessage) {
	var resp struct {
		StatusCode      *int             `json:"statusCode"`
		Headers         map[string]any   `json:"headers"`
		MultiValue      map[string][]any `json:"multiValueHeaders"`
		Cookies         []string         `json:"cookies"`
		Body            *string          `json:"body"`
		IsBase64Encoded bool             `json:"isBase64Encoded"`
	}
	trimmed := strings.TrimSpace(string(payload))
	if strings.HasPrefix(trimmed, "{") && json.Unmarshal(payload, &resp) == nil && resp.StatusCode != nil {
		h := w.Header()
		for k, v := range resp.Headers {
			h.Set(k, fmt.Sprint(v))
		}
		for k, vs := range resp.MultiValue {
			for _, v := range vs {
				h.Add(k, fmt.Sprint(v))
			}
		}
		for _, c := range resp.Cookies {
			h.Add("Set-Cookie", c)
		}
		var body []byte
		if resp.Body != nil {
			body = []byte(*resp.Body)
			if resp.IsBase64Encoded {
				if b, err := base64.StdEncoding.DecodeString(*resp.Body); err == nil {
					body = b
				}
			}
		}
		if h.Get("Content-Type") == "" && len(body) > 0 {
			h.Set("Content-Type", "application/json")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(*resp.StatusCode)
		_, _ = w.Write(body)
		return
	}
	// A bare string is the body itself; other JSON values are the body as
	// JSON text.
	var s string
	body := []byte(trimmed)
	if json.Unmarshal(payload, &s) == nil {
		body = []byte(s)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// preflight answers CORS preflight requests itself, as API Gateway does
// when an Api has a CORS configuration.
func (g *Gateway) preflight(w http.ResponseWriter, req *http.Request) bool {
	c := g.dev.Cors
	if c == nil || req.Method != http.MethodOptions || req.Header.Get("Origin") == "" || req.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	origin := g.allowedOrigin(req.Header.Get("Origin"))
	if origin == "" {
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
	if hdrs := c.AllowHeaders; len(hdrs) == 1 && hdrs[0] == "*" {
		if want := req.Header.Get("Access-Control-Request-Headers"); want != "" {
			h.Set("Access-Control-Allow-Headers", want)
		}
	} else {
		h.Set("Access-Control-Allow-Headers", strings.Join(hdrs, ","))
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if c.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

func (g *Gateway) cors(w http.ResponseWriter, req *http.Request) {
	c := g.dev.Cors
	if c == nil || req.Header.Get("Origin") == "" {
		return
	}
	origin := g.allowedOrigin(req.Header.Get("Origin"))
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Add("Vary", "Origin")
}

func (g *Gateway) allowedOrigin(origin string) string {
	for _, o := range g.dev.Cors.AllowOrigins {
		if o == "*" {
			if g.dev.Cors.AllowCredentials {
				return origin
			}
			return "*"
		}
		if strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

func (g *Gateway) warnOnce(key, msg string) {
	g.mu.Lock()
	seen := g.warned[key]
	g.warned[key] = true
	g.mu.Unlock()
	if !seen {
		g.Warn(msg)
	}
}

// proxyClient is API Gateway's HTTP integration: 30 s at most, redirects
// passed back to the client.
var proxyClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// hopHeaders are not forwarded by a proxy (RFC 9110 7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// proxy forwards a url route's request as API Gateway's HTTP_PROXY does:
// the route's {params} filled into the endpoint, the query string
// appended, method, headers and body as they came, and the answer passed
// back unchanged.
func (g *Gateway) proxy(w http.ResponseWriter, req *http.Request, r *gwRoute, params map[string]string, body []byte) {
	target := r.url
	if strings.Contains(target, "${") {
		g.warnOnce("url:"+r.key.String(), fmt.Sprintf("route %s: its URL is known only after deploy (%s); deploy the stage, then restart sst dev", r.key, target))
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "Bad Gateway: route " + r.key.String() + " proxies to a URL known only after deploy"})
		return
	}
	for k, v := range params {
		target = strings.ReplaceAll(target, "{"+k+"}", v)
	}
	u, err := url.Parse(target)
	if err != nil {
		g.warnOnce("url:"+r.key.String(), fmt.Sprintf("route %s: URL %q: %v", r.key, target, err))
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	if q := req.URL.RawQuery; q != "" {
		u.RawQuery = strings.TrimPrefix(u.RawQuery+"&"+q, "&")
	}
	out, err := http.NewRequestWithContext(req.Context(), req.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	out.Header = req.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	resp, err := proxyClient.Do(out)
	if err != nil {
		// API Gateway's answer when the endpoint cannot be reached; why
		// goes to the terminal.
		g.Warn(fmt.Sprintf("route %s: %v", r.key, err))
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		// With CORS configured, API Gateway answers CORS itself and
		// ignores the endpoint's.
		if g.dev.Cors != nil && strings.HasPrefix(k, "Access-Control-") {
			continue
		}
		w.Header()[k] = v
	}
	for _, h := range hopHeaders {
		w.Header().Del(h)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
