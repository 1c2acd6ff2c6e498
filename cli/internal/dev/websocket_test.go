package dev

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sst-tf/sst/manifest"
)

func TestWebSocketGateway(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	_, n := built(t)
	h, err := NewHistory(rt, filepath.Join(t.TempDir(), "h.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	cmd := append([]string(nil), n.Command...)
	cmd[len(cmd)-1] = "ws"
	var gw *WebSocketGateway
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gw.ServeHTTP(w, r) }))
	defer srv.Close()
	rt.Set(&Function{ID: "ws", Name: "ws", Command: cmd, Dir: n.Dir, Timeout: 10 * time.Second, Memory: 128,
		Env: map[string]string{"WS_ENDPOINT": srv.URL + "/dev"}})
	var routes []manifest.Route
	for _, k := range []string{"$connect", "$disconnect", "sendmessage", "$default"} {
		routes = append(routes, manifest.Route{Api: "Chat", Key: k, Function: "ws"})
	}
	gw, err = NewWebSocketGateway(manifest.Construct{ID: "Chat", Type: "WebSocketApi", Data: map[string]string{"routeSelection": "$request.body.action"}}, routes, h)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	var mu sync.Mutex
	gw.Warn = func(m string) { mu.Lock(); warnings = append(warnings, m); mu.Unlock() }

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	if _, resp, err := websocket.Dial(ctx, url+"?deny=1", nil); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("$connect answering 403 should refuse the connection: %v %v", err, resp)
	}
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for msg, want := range map[string]string{
		`{"action":"sendmessage","text":"hi"}`: `sendmessage:{"action":"sendmessage","text":"hi"}`,
		`{"action":"unknown"}`:                 `$default:{"action":"unknown"}`,
		`not json`:                             `$default:not json`,
	} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("sent %s, got back %s, want %s", msg, got, want)
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
	// $disconnect ran: the handler logged it.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var found bool
		for _, r := range h.Records() {
			found = found || strings.Contains(r.Source, "$disconnect")
		}
		if found {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var sources []string
	for _, r := range h.Records() {
		sources = append(sources, r.Source)
	}
	if !strings.Contains(strings.Join(sources, "\n"), "websocket Chat $disconnect") {
		t.Errorf("$disconnect never ran; invocations: %v", sources)
	}
	resp, err := http.Post(srv.URL+"/dev/@connections/nope=", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || resp.Header.Get("x-amzn-ErrorType") != "GoneException" {
		t.Errorf("posting to an unknown connection: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestWebSocketRouteSelection(t *testing.T) {
	gw, err := NewWebSocketGateway(manifest.Construct{ID: "W", Data: map[string]string{"routeSelection": "$request.body.meta.kind"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`{"meta":{"kind":"join"}}`: "join",
		`{"meta":{}}`:              "$default",
		`{"meta":"x"}`:             "$default",
		`[1,2]`:                    "$default",
	} {
		if got := gw.selectRoute([]byte(body)); got != want {
			t.Errorf("%s → %s, want %s", body, got, want)
		}
	}
	if _, err := NewWebSocketGateway(manifest.Construct{ID: "W", Data: map[string]string{"routeSelection": "$request.header.x"}}, nil, nil); err == nil {
		t.Error("a header route selection was accepted")
	}
}
