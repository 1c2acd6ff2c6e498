package dev

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/manifest"
)

// TestRequestsWaitForTheFirstBuild sends a request through the local API
// Gateway to a Go handler before its first build: the request waits (the
// terminal says so) and gets the handler's answer once it is built. A
// handler still building after BuildWait is answered 503, saying so.
func TestRequestsWaitForTheFirstBuild(t *testing.T) {
	rt := newRuntime(t, 10*time.Second) // also warms Go's build cache
	project, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHistory(rt, filepath.Join(t.TempDir(), "h.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	var buf bytes.Buffer
	term := &progress.LockedWriter{W: &buf}
	terminal := func() (out string) {
		term.Do(func() { out = buf.String() })
		return out
	}
	d := &Server{
		out: term, rt: rt, hist: h, builder: NewBuilder(project, t.TempDir()),
		fns: map[string]manifest.Function{
			"late":   {ID: "late", Name: "dev-app-late", Handler: "gohandler", Timeout: 10},
			"never":  {ID: "never", Name: "dev-app-never", Handler: "node/handler.handler", Timeout: 10},
			"broken": {ID: "broken", Name: "dev-app-broken", Handler: "broken", Timeout: 10},
		},
		env: map[string]map[string]string{}, built: map[string]*Built{}, buildErr: map[string]error{},
		pending: map[string]chan struct{}{}, inputs: map[string][]string{},
	}
	gw, err := NewGateway(manifest.Construct{ID: "Api", Type: "Api"}, []manifest.Route{
		{Api: "Api", Key: "GET /late", Function: "late"},
		{Api: "Api", Key: "GET /never", Function: "never"},
		{Api: "Api", Key: "GET /broken", Function: "broken"},
	}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	late, never, broken := Key(d.fns["late"]), Key(d.fns["never"]), Key(d.fns["broken"])
	d.markPending([]string{late, never, broken}) // as load does before the gateways open

	type answer struct {
		status int
		body   string
		err    error
	}
	get := func(path string) <-chan answer {
		ch := make(chan answer, 1)
		go func() {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				ch <- answer{err: err}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			ch <- answer{status: resp.StatusCode, body: string(b)}
		}()
		return ch
	}
	waitFor := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !strings.Contains(terminal(), want); {
			if time.Now().After(deadline) {
				t.Fatalf("the terminal never said %q:\n%s", want, terminal())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	res := get("/late")
	waitFor("api Api GET /late waits: gohandler is building…")
	select {
	case a := <-res:
		t.Fatalf("answered before its handler was built: %d %s %v", a.status, a.body, a.err)
	default:
	}
	d.buildKeys(context.Background(), []string{late}, false)
	a := <-res
	if a.err != nil || a.status != http.StatusOK || !strings.Contains(a.body, `"pid"`) {
		t.Errorf("after the build: %d %s %v; want the handler's 200", a.status, a.body, a.err)
	}
	if !strings.Contains(terminal(), "✓ Built gohandler (late) in ") {
		t.Errorf("the terminal does not show the build:\n%s", terminal())
	}

	// A handler that does not compile (testdata/broken): the waiting
	// request, and every later one, gets a 503 naming the function and the
	// compiler's error; the terminal shows the whole error.
	res = get("/broken")
	waitFor("api Api GET /broken waits: broken is building…")
	d.buildKeys(context.Background(), []string{broken}, false)
	for _, a := range []answer{<-res, <-get("/broken")} {
		if a.err != nil || a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "function broken (broken) did not build") || !strings.Contains(a.body, "undefined: notDefinedAnywhere") {
			t.Errorf("a handler that failed to build: %d %s %v; want a 503 naming it and the error", a.status, a.body, a.err)
		}
	}
	waitFor("✗ Build failed: broken")
	waitFor("undefined: notDefinedAnywhere")

	defer func(w time.Duration) { BuildWait = w }(BuildWait)
	BuildWait = 100 * time.Millisecond
	a = <-get("/never")
	if a.err != nil || a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "sst dev is still building this route's handler (node/handler.handler)") {
		t.Errorf("a handler still building: %d %s %v; want a 503 that says so", a.status, a.body, a.err)
	}
}
