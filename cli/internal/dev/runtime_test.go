package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// The handlers in testdata are built once for the whole package: a real Go
// build and a real esbuild bundle, run as real processes.
var (
	buildOnce sync.Once
	goBuilt   *Built
	nodeBuilt *Built
	buildErr  error
	workDir   string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sst-dev-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func built(t *testing.T) (*Built, *Built) {
	t.Helper()
	buildOnce.Do(func() {
		project, err := filepath.Abs("testdata")
		if err != nil {
			buildErr = err
			return
		}
		b := NewBuilder(project, workDir)
		ctx := context.Background()
		goBuilt, buildErr = b.Build(ctx, manifest.Function{ID: "go", Handler: "gohandler"}, false)
		if buildErr != nil {
			return
		}
		nodeBuilt, buildErr = b.Build(ctx, manifest.Function{ID: "node", Handler: "node/handler.handler"}, false)
	})
	if buildErr != nil {
		t.Fatalf("build test handlers: %v", buildErr)
	}
	return goBuilt, nodeBuilt
}

// newRuntime starts a runtime with the Go handler as "go" and the Node one
// as "node", each with the given timeout.
func newRuntime(t *testing.T, timeout time.Duration) *Runtime {
	t.Helper()
	g, n := built(t)
	var mu sync.Mutex
	var lines []string
	rt, err := NewRuntime(func(fn, req, line string) {
		mu.Lock()
		lines = append(lines, fn+"|"+line)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rt.Close()
		if t.Failed() {
			mu.Lock()
			t.Logf("worker output:\n%s", strings.Join(lines, "\n"))
			mu.Unlock()
		}
	})
	env := map[string]string{"SST_Table_tableName_Notes": "dev-app-Notes"}
	rt.Set(&Function{ID: "go", Name: "dev-app-go", Command: g.Command, Dir: g.Dir, Env: env, Timeout: timeout, Memory: 128, Handler: g.Handler})
	rt.Set(&Function{ID: "node", Name: "dev-app-node", Command: n.Command, Dir: n.Dir, Env: env, Timeout: timeout, Memory: 128, Handler: n.Handler})
	return rt
}

func invoke(t *testing.T, rt *Runtime, fn, payload string) *Result {
	t.Helper()
	res, err := rt.Invoke(context.Background(), fn, []byte(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", fn, err)
	}
	return res
}

func decode(t *testing.T, res *Result) map[string]any {
	t.Helper()
	if res.Err != nil {
		t.Fatalf("unexpected function error: %v %v", res.Err, res.Err.Trace)
	}
	var out map[string]any
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("response %s: %v", res.Payload, err)
	}
	return out
}

func TestRuntimeRunsHandlersWithTheirEnvironmentAndLogs(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	for _, fn := range []string{"go", "node"} {
		t.Run(fn, func(t *testing.T) {
			res := invoke(t, rt, fn, `{"log":"hello from `+fn+`"}`)
			out := decode(t, res)
			if out["table"] != "dev-app-Notes" {
				t.Errorf("handler saw table %v, want the bound name", out["table"])
			}
			logs := res.SettledLogs()
			if !contains(logs, "hello from "+fn) {
				t.Errorf("logs %q lack the handler's line", logs)
			}
			// A second request reuses the warm process.
			again := decode(t, invoke(t, rt, fn, `{}`))
			if again["pid"] != out["pid"] {
				t.Errorf("second request ran in pid %v, first in %v: a warm worker should be reused", again["pid"], out["pid"])
			}
		})
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func TestRuntimeReportsPanicsAndThrowsWithTracesAndKeepsServing(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	cases := []struct {
		fn, payload, wantMsg, wantTrace string
	}{
		{"go", `{"action":"panic"}`, "handler panicked on purpose", "main.go"},
		{"go", `{"action":"error"}`, "handler failed on purpose", ""},
		{"go", `{"action":"exit"}`, "process exited while handling the request (exit status 3)", ""},
		{"node", `{"action":"throw"}`, "handler threw on purpose", "handler.ts"},
	}
	for _, c := range cases {
		res := invoke(t, rt, c.fn, c.payload)
		if res.Err == nil {
			t.Fatalf("%s %s: no error, payload %s", c.fn, c.payload, res.Payload)
		}
		if !strings.Contains(res.Err.Message, c.wantMsg) {
			t.Errorf("%s %s: error %q, want %q", c.fn, c.payload, res.Err.Message, c.wantMsg)
		}
		if c.wantTrace != "" && !contains(res.Err.Trace, c.wantTrace) {
			t.Errorf("%s %s: trace %q does not point at %s", c.fn, c.payload, res.Err.Trace, c.wantTrace)
		}
		// The function still answers: a crashed worker is replaced.
		decode(t, invoke(t, rt, c.fn, `{}`))
	}
}

func TestRuntimeServesConcurrentRequestsInSeparateWorkers(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	for _, fn := range []string{"go", "node"} {
		var wg sync.WaitGroup
		pids := make([]any, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res, err := rt.Invoke(context.Background(), fn, []byte(`{"action":"sleep","ms":800}`))
				if err == nil && res.Err != nil {
					err = res.Err
				}
				if err != nil {
					errs[i] = err
					return
				}
				var out map[string]any
				errs[i] = json.Unmarshal(res.Payload, &out)
				pids[i] = out["pid"]
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("%s request %d: %v", fn, i, err)
			}
		}
		if pids[0] == pids[1] {
			t.Errorf("%s: both concurrent requests ran in pid %v; each needs a worker of its own", fn, pids[0])
		}
	}
}

func TestRuntimeTimesOutAndRecovers(t *testing.T) {
	rt := newRuntime(t, time.Second)
	res := invoke(t, rt, "node", `{"action":"sleep","ms":5000}`)
	if res.Err == nil || res.Err.Type != "Sandbox.Timedout" {
		t.Fatalf("want a timeout error, got %+v (payload %s)", res.Err, res.Payload)
	}
	decode(t, invoke(t, rt, "node", `{}`))
}

func TestRuntimeSetSwapsCodeForTheNextRequest(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	_, n := built(t)
	if v := decode(t, invoke(t, rt, "node", `{}`))["version"]; v != float64(1) {
		t.Fatalf("version %v before the swap", v)
	}
	cmd := append([]string(nil), n.Command...)
	cmd[len(cmd)-1] = "other"
	rt.Set(&Function{ID: "node", Name: "dev-app-node", Command: cmd, Dir: n.Dir, Timeout: 10 * time.Second, Memory: 128})
	if v := decode(t, invoke(t, rt, "node", `{}`))["version"]; v != float64(2) {
		t.Fatalf("version %v after the swap, want the new code's 2", v)
	}
}

func TestRuntimeReportsInitErrors(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	_, n := built(t)
	cmd := append([]string(nil), n.Command...)
	cmd[len(cmd)-1] = "missing"
	rt.Set(&Function{ID: "broken", Name: "dev-app-broken", Command: cmd, Dir: n.Dir, Timeout: 10 * time.Second, Memory: 128})
	res := invoke(t, rt, "broken", `{}`)
	if res.Err == nil || !strings.Contains(res.Err.Message, `no exported function "missing"`) {
		t.Fatalf("want the init error naming the export, got %+v", res.Err)
	}
	if _, err := rt.Invoke(context.Background(), "nope", nil); err == nil || !strings.Contains(err.Error(), `no function "nope"`) {
		t.Errorf("unknown function: %v", err)
	}
	if _, err := rt.Invoke(context.Background(), "node", []byte("{not json")); err == nil {
		t.Error("a payload that is not JSON was accepted")
	}
}

func TestHistoryRecordsAndReplays(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	h, err := NewHistory(rt, filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var seen []Record
	var mu sync.Mutex
	h.OnRecord = func(r Record) { mu.Lock(); seen = append(seen, r); mu.Unlock() }
	feed, cancel := h.Subscribe()
	res, err := h.Invoke(context.Background(), "go", []byte(`{"log":"recorded line"}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.Replay(context.Background(), res.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Err != nil || string(again.Payload) != string(res.Payload) {
		t.Errorf("replay answered %s / %v, want %s", again.Payload, again.Err, res.Payload)
	}
	big, err := h.Invoke(context.Background(), "go", []byte(`{"pad":"`+strings.Repeat("x", 300<<10)+`"}`), "test")
	if err != nil || big.Err != nil {
		t.Fatalf("large request: %v %v", err, big.Err)
	}
	if _, err := h.Replay(context.Background(), big.RequestID); err == nil || !strings.Contains(err.Error(), "too large to keep") {
		t.Errorf("replay of a request too large to keep: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	recs := h.Records()
	if len(recs) != 3 || !recs[2].Truncated || len(recs[2].Request) > 100 {
		t.Fatalf("large request kept as %d bytes (truncated %v)", len(recs[len(recs)-1].Request), recs[len(recs)-1].Truncated)
	}
	recs = recs[:2]
	if len(recs) != 2 || recs[0].Function != "go" || recs[1].Source != "replay "+res.RequestID {
		t.Fatalf("records %+v", recs)
	}
	if !contains(recs[0].Logs, "recorded line") {
		t.Errorf("record logs %q", recs[0].Logs)
	}
	b, err := os.ReadFile(h.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Errorf("history file has %d lines, want 3", n)
	}
	if len(seen) != 3 {
		t.Errorf("OnRecord called %d times", len(seen))
	}
	// The subscriber got all three, with their settled logs; after cancel
	// it gets nothing more.
	for i := 0; i < 3; i++ {
		r := <-feed
		if i == 0 && !contains(r.Logs, "recorded line") {
			t.Errorf("subscribed record %s has logs %q", r.ID, r.Logs)
		}
	}
	cancel()
	if _, err := h.Invoke(context.Background(), "go", []byte(`{}`), "test"); err != nil {
		t.Fatal(err)
	}
	h.pending.Wait()
	select {
	case r := <-feed:
		t.Errorf("cancelled subscription got %s", r.ID)
	default:
	}
	if _, err := h.Replay(context.Background(), "no-such-id"); err == nil {
		t.Error("replaying an unknown id succeeded")
	}
}
