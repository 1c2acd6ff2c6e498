package dev

import (
	"context"
	"encoding/json"
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

// terminal is what the server prints, read while it prints.
type terminal struct {
	lw progress.LockedWriter
	b  strings.Builder
}

func newTerminal() *terminal {
	t := &terminal{}
	t.lw.W = &t.b
	return t
}

func (l *terminal) String() (s string) {
	l.lw.Do(func() { s = l.b.String() })
	return s
}

// waitFor polls the terminal until it shows want.
func (l *terminal) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(l.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q:\n%s", want, l.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type answer struct {
	status int
	body   string
}

func get(url string) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			ch <- answer{0, err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		ch <- answer{resp.StatusCode, string(b)}
	}()
	return ch
}

// Requests that reach the local Api before their handler is built wait for
// the (real, held back) Go build and get the handler's answer; a handler
// that fails to compile answers 503 naming the function and the compiler's
// error; a build that outlasts the wait answers 503 instead of hanging.
func TestRequestsWaitForTheirHandlersBuild(t *testing.T) {
	project, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, 10*time.Second)
	out := newTerminal()
	d := newServer(Options{ProjectDir: project, Out: &out.lw})
	d.rt = rt
	if d.hist, err = NewHistory(rt, filepath.Join(t.TempDir(), "h.jsonl")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.hist.Close() })
	d.builder = NewBuilder(project, t.TempDir())

	// Each build waits for the test to release it.
	release := map[string]chan struct{}{"Hello": make(chan struct{}), "Broken": make(chan struct{}), "Slow": make(chan struct{})}
	d.build = func(ctx context.Context, fn manifest.Function, fresh bool) (*Built, error) {
		<-release[fn.ID]
		return d.builder.Build(ctx, fn, fresh)
	}
	d.fns = map[string]manifest.Function{
		"Hello":  {ID: "Hello", Name: "app-Hello", Handler: "gohandler", Timeout: 10},
		"Broken": {ID: "Broken", Name: "app-Broken", Handler: "broken", Timeout: 10},
		"Slow":   {ID: "Slow", Name: "app-Slow", Handler: "gohandler", Timeout: 10, Build: &manifest.FunctionBuild{Tags: []string{"slow"}}},
	}
	var keys []string
	var routes []manifest.Route
	for id, fn := range d.fns {
		keys = append(keys, Key(fn))
		routes = append(routes, manifest.Route{Api: "Api", Key: "GET /" + strings.ToLower(id), Function: id})
	}
	raw, _ := json.Marshal(manifest.ApiDev{})
	gw, err := NewGateway(manifest.Construct{ID: "Api", Type: "Api", Data: map[string]string{manifest.DataApiDev: string(raw)}}, routes, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)

	d.markPending(keys)
	built := make(chan struct{})
	go func() {
		d.buildKeys(context.Background(), keys, false)
		close(built)
	}()
	t.Cleanup(func() {
		for _, ch := range release {
			select {
			case <-ch:
			default:
				close(ch)
			}
		}
		<-built
	})

	hello := get(srv.URL + "/hello")
	broken := get(srv.URL + "/broken")
	out.waitFor(t, "building gohandler (Hello): api Api GET /hello waits for it")
	out.waitFor(t, "building broken (Broken): api Api GET /broken waits for it")
	select {
	case a := <-hello:
		t.Fatalf("the request was answered before its handler was built: %d %s", a.status, a.body)
	case <-time.After(200 * time.Millisecond):
	}

	close(release["Hello"])
	a := <-hello
	var got map[string]any
	if a.status != 200 || json.Unmarshal([]byte(a.body), &got) != nil || got["pid"] == nil {
		t.Errorf("GET /hello after its build: %d %s, want 200 with the handler's answer", a.status, a.body)
	}
	out.waitFor(t, "✓ built gohandler in ")
	out.waitFor(t, "answering the 1 request(s) that waited")

	close(release["Broken"])
	a = <-broken
	var body struct{ Message string }
	_ = json.Unmarshal([]byte(a.body), &body)
	if a.status != http.StatusServiceUnavailable || !strings.Contains(body.Message, "function Broken") ||
		!strings.Contains(body.Message, "did not build") || !strings.Contains(body.Message, "notDefinedAnywhere") {
		t.Errorf("GET /broken: %d %s, want 503 naming Broken and the compiler's error", a.status, a.body)
	}
	out.waitFor(t, "✗ Build failed: broken")
	// Later requests get the same answer at once.
	if a := <-get(srv.URL + "/broken"); a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "notDefinedAnywhere") {
		t.Errorf("GET /broken again: %d %s, want the same 503", a.status, a.body)
	}

	d.buildWait = 300 * time.Millisecond
	a = <-get(srv.URL + "/slow")
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "function Slow") || !strings.Contains(a.body, "still building") {
		t.Errorf("GET /slow while its build is held: %d %s, want 503 saying it is still building", a.status, a.body)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("terminal:\n%s", out.String())
	}
}
