package dev

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/sst-tf/sst/manifest"
)

// WebSocketGateway plays API Gateway for one WebSocketApi: it accepts
// connections (running $connect, which may refuse them), routes each
// message by the route selection expression to its function ($default
// when none matches), runs $disconnect when a client leaves, and serves the
// connection management API (POST/GET/DELETE /@connections/{id}) that
// handlers use to talk back.
type WebSocketGateway struct {
	Api       string
	routes    map[string]string // route key → function id
	selection []string          // "$request.body.action" → [action]
	inv       Invoker
	// Warn reports what the client cannot see (a refused connection).
	Warn func(string)

	mu    sync.Mutex
	conns map[string]*wsConn
}

type wsConn struct {
	id        string
	c         *websocket.Conn
	connected time.Time
	lastSeen  time.Time
	ip, agent string
}

// NewWebSocketGateway builds the gateway of one WebSocketApi.
func NewWebSocketGateway(api manifest.Construct, routes []manifest.Route, inv Invoker) (*WebSocketGateway, error) {
	g := &WebSocketGateway{Api: api.ID, routes: map[string]string{}, inv: inv, conns: map[string]*wsConn{}, Warn: func(string) {}}
	sel := api.Data[manifest.WebSocketApiRouteSelection]
	if sel == "" {
		sel = "$request.body.action"
	}
	field, ok := strings.CutPrefix(sel, "$request.body.")
	if !ok || field == "" {
		return nil, fmt.Errorf("websocket api %s: route selection %q: only $request.body.<field> is supported", api.ID, sel)
	}
	g.selection = strings.Split(field, ".")
	for _, r := range routes {
		if r.Api == api.ID {
			g.routes[r.Key] = r.Function
		}
	}
	return g, nil
}

// Routes lists the route keys, sorted, for the startup banner.
func (g *WebSocketGateway) Routes() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.routes))
	for k := range g.routes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (g *WebSocketGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The management API is at <url>/@connections/{id}, and the URL may
	// carry the stage's path.
	if i := strings.Index(r.URL.Path, "/@connections/"); i >= 0 {
		g.manage(w, r, r.URL.Path[i+len("/@connections/"):])
		return
	}
	g.connect(w, r)
}

func (g *WebSocketGateway) event(routeKey, eventType, connID string, extra map[string]any) map[string]any {
	now := time.Now()
	rc := map[string]any{
		"routeKey":         routeKey,
		"eventType":        eventType,
		"connectionId":     connID,
		"apiId":            g.Api,
		"stage":            "$default",
		"requestId":        newRequestID(),
		"requestTime":      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch": now.UnixMilli(),
	}
	g.mu.Lock()
	if c := g.conns[connID]; c != nil {
		rc["connectedAt"] = c.connected.UnixMilli()
		rc["identity"] = map[string]any{"sourceIp": c.ip, "userAgent": c.agent}
	}
	g.mu.Unlock()
	ev := map[string]any{"requestContext": rc, "isBase64Encoded": false}
	for k, v := range extra {
		ev[k] = v
	}
	return ev
}

// run invokes a route's function; ok is false when it failed or answered
// with a non-2xx statusCode (which refuses a $connect).
func (g *WebSocketGateway) run(ctx context.Context, routeKey string, ev map[string]any) bool {
	g.mu.Lock()
	fn, ok := g.routes[routeKey]
	g.mu.Unlock()
	if !ok {
		return true
	}
	payload, _ := json.Marshal(ev)
	res, err := g.inv.Invoke(ctx, fn, payload, "websocket "+g.Api+" "+routeKey)
	if err != nil || res.Err != nil {
		return false
	}
	var resp struct {
		StatusCode *int `json:"statusCode"`
	}
	if json.Unmarshal(res.Payload, &resp) == nil && resp.StatusCode != nil && (*resp.StatusCode < 200 || *resp.StatusCode > 299) {
		return false
	}
	return true
}

func (g *WebSocketGateway) connect(w http.ResponseWriter, r *http.Request) {
	id := connectionID()
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	extra := map[string]any{"headers": headers}
	if q := r.URL.Query(); len(q) > 0 {
		qs := map[string]string{}
		for k, v := range q {
			qs[k] = strings.Join(v, ",")
		}
		extra["queryStringParameters"] = qs
	}
	c := &wsConn{id: id, connected: time.Now(), lastSeen: time.Now(), ip: ip, agent: r.UserAgent()}
	g.mu.Lock()
	g.conns[id] = c
	g.mu.Unlock()
	// $connect decides before the upgrade: a refusal is an HTTP 403, as
	// API Gateway answers.
	if !g.run(r.Context(), "$connect", g.event("$connect", "CONNECT", id, extra)) {
		g.drop(id)
		g.Warn(fmt.Sprintf("connection refused by $connect (%s)", ip))
		http.Error(w, `{"message":"Forbidden"}`, http.StatusForbidden)
		return
	}
	// API Gateway does not check Origin; neither does its stand-in.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		g.drop(id)
		return
	}
	conn.SetReadLimit(128 << 10) // API Gateway's frame limit is 32 KB, a message's 128 KB
	g.mu.Lock()
	c.c = conn
	g.mu.Unlock()
	ctx := context.WithoutCancel(r.Context())
	var handlers sync.WaitGroup
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			break
		}
		g.mu.Lock()
		c.lastSeen = time.Now()
		g.mu.Unlock()
		handlers.Add(1)
		// Messages run concurrently, as API Gateway invokes them.
		go func() {
			defer handlers.Done()
			g.message(ctx, conn, id, typ, data)
		}()
	}
	handlers.Wait()
	g.run(ctx, "$disconnect", g.event("$disconnect", "DISCONNECT", id, nil))
	g.drop(id)
}

func (g *WebSocketGateway) drop(id string) {
	g.mu.Lock()
	delete(g.conns, id)
	g.mu.Unlock()
}

func (g *WebSocketGateway) message(ctx context.Context, conn *websocket.Conn, id string, typ websocket.MessageType, data []byte) {
	key := g.selectRoute(data)
	g.mu.Lock()
	_, ok := g.routes[key]
	_, def := g.routes["$default"]
	g.mu.Unlock()
	if !ok {
		if !def {
			msg, _ := json.Marshal(map[string]string{"message": "Forbidden", "connectionId": id, "requestId": newRequestID()})
			_ = conn.Write(ctx, websocket.MessageText, msg)
			return
		}
		key = "$default"
	}
	extra := map[string]any{"body": string(data)}
	if typ == websocket.MessageBinary {
		extra["body"] = base64.StdEncoding.EncodeToString(data)
		extra["isBase64Encoded"] = true
	}
	ev := g.event(key, "MESSAGE", id, extra)
	ev["requestContext"].(map[string]any)["messageId"] = newRequestID()
	g.run(ctx, key, ev)
}

// Update takes the routes of a newer build of the app; open connections
// stay open and their next messages use the new routes.
func (g *WebSocketGateway) Update(from *WebSocketGateway) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.routes, g.selection = from.routes, from.selection
}

// selectRoute evaluates the route selection expression on a JSON message.
func (g *WebSocketGateway) selectRoute(data []byte) string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return "$default"
	}
	g.mu.Lock()
	sel := g.selection
	g.mu.Unlock()
	for _, f := range sel {
		m, ok := v.(map[string]any)
		if !ok {
			return "$default"
		}
		v = m[f]
	}
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return "$default"
}

// manage serves the connection management API for one connection id.
func (g *WebSocketGateway) manage(w http.ResponseWriter, r *http.Request, id string) {
	g.mu.Lock()
	c := g.conns[id]
	var conn *websocket.Conn
	if c != nil {
		conn = c.c
	}
	g.mu.Unlock()
	if c == nil || conn == nil {
		w.Header().Set("x-amzn-ErrorType", "GoneException")
		writeJSON(w, http.StatusGone, map[string]string{"message": "connection " + id + " is gone"})
		return
	}
	switch r.Method {
	case http.MethodPost:
		data, err := io.ReadAll(io.LimitReader(r.Body, 128<<10+1))
		if err != nil || len(data) > 128<<10 {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "message larger than 128 KB"})
			return
		}
		if err := conn.Write(r.Context(), websocket.MessageText, data); err != nil {
			w.Header().Set("x-amzn-ErrorType", "GoneException")
			writeJSON(w, http.StatusGone, map[string]string{"message": err.Error()})
			return
		}
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		g.mu.Lock()
		info := map[string]any{
			"connectedAt":  c.connected.UTC().Format(time.RFC3339),
			"lastActiveAt": c.lastSeen.UTC().Format(time.RFC3339),
			"identity":     map[string]string{"sourceIp": c.ip, "userAgent": c.agent},
		}
		g.mu.Unlock()
		writeJSON(w, http.StatusOK, info)
	case http.MethodDelete:
		_ = conn.Close(websocket.StatusNormalClosure, "closed by the server")
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use POST, GET or DELETE"})
	}
}

// Close ends every connection (sst dev is stopping).
func (g *WebSocketGateway) Close() {
	g.mu.Lock()
	var conns []*websocket.Conn
	for _, c := range g.conns {
		if c.c != nil {
			conns = append(conns, c.c)
		}
	}
	g.mu.Unlock()
	for _, c := range conns {
		_ = c.Close(websocket.StatusGoingAway, "sst dev stopped")
	}
}

// connectionID looks like API Gateway's: 12 url-safe base64 characters
// ending in '='.
func connectionID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	// URL-safe: the id travels in the management API's path.
	return base64.RawURLEncoding.EncodeToString(b[:])[:11] + "="
}
