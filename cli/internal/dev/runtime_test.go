package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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
	if moto != nil {
		moto.Stop()
	}
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
	return newRuntimeLogging(t, timeout, nil)
}

// newRuntimeLogging is newRuntime that also hands every worker line to
// onLine.
func newRuntimeLogging(t *testing.T, timeout time.Duration, onLine LogFunc) *Runtime {
	t.Helper()
	g, n := built(t)
	var mu sync.Mutex
	var lines []string
	rt, err := NewRuntime(func(fn, req, line string) {
		mu.Lock()
		lines = append(lines, fn+"|"+line)
		mu.Unlock()
		if onLine != nil {
			onLine(fn, req, line)
		}
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
			// The AWS SDK's Node-version warning is off in workers.
			if fn == "node" && out["sdkWarningDisabled"] != "true" {
				t.Errorf("node worker: AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = %v, want true", out["sdkWarningDisabled"])
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
		if c.fn == "go" && c.wantTrace != "" {
			// The user's frames first; the runtime's and aws-lambda-go's
			// (a dozen and more) counted on one line.
			tr := res.Err.Trace
			if !strings.Contains(tr[0], c.wantTrace) || !strings.Contains(tr[len(tr)-1], "frames of the Go runtime and aws-lambda-go not shown") {
				t.Errorf("go panic trace does not start with the handler's frame and end with the count:\n%s", strings.Join(tr, "\n"))
			}
			for _, l := range tr[:len(tr)-1] {
				if strings.Contains(l, "aws-lambda-go") || strings.Contains(l, "runtime/panic.go") {
					t.Errorf("runtime frame %q shown", l)
				}
			}
		}
		if contains(res.SettledLogs(), `{"errorMessage":`) {
			t.Errorf("%s %s: aws-lambda-go's raw JSON error line reached the logs: %q", c.fn, c.payload, res.SettledLogs())
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

// knock is one request to the runtime API from another local process. A
// request the runtime holds open (a /next waiting for work) was not refused:
// it reports status 0.
func knock(t *testing.T, method, url, host, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// workerToken is the secret path prefix a real handler found in its own
// AWS_LAMBDA_RUNTIME_API.
func workerToken(t *testing.T, rt *Runtime, out map[string]any) string {
	t.Helper()
	api, _ := out["api"].(string)
	tok, ok := strings.CutPrefix(api, rt.Addr()+"/")
	if !ok || len(tok) < 32 || strings.Contains(tok, "/") {
		t.Fatalf("worker's AWS_LAMBDA_RUNTIME_API is %q, want %s/<secret of at least 32 characters>", api, rt.Addr())
	}
	return tok
}

func TestRuntimeRefusesRequestsWithoutTheWorkersToken(t *testing.T) {
	started := make(chan string, 4)
	rt := newRuntimeLogging(t, 10*time.Second, func(fn, req, line string) {
		if line == "started" && req != "" {
			started <- req
		}
	})
	base := "http://" + rt.Addr()
	_, port, _ := net.SplitHostPort(rt.Addr())
	tokens := map[string]string{}
	for _, fn := range []string{"go", "node"} {
		tokens[fn] = workerToken(t, rt, decode(t, invoke(t, rt, fn, `{}`)))
	}
	if tokens["go"] == tokens["node"] {
		t.Fatalf("two workers share the token %s", tokens["go"])
	}
	for fn, other := range map[string]string{"go": "node", "node": "go"} {
		t.Run(fn, func(t *testing.T) {
			tok := tokens[fn]
			// Each worker is idle, waiting on /next: exactly when another
			// process would try to take the next invocation.
			forgers := []struct{ name, prefix, host string }{
				{"no token", "", ""},
				{"the first worker id", "/w1", ""},
				{"a guessed token", "/" + strings.Repeat("0", len(tok)), ""},
				{"the token with a foreign Host", "/" + tok, "rebind.example:" + port},
			}
			api := func(prefix string) string { return base + prefix + "/2018-06-01/runtime/" }
			refused := func(f string, method, url, host, body string) {
				t.Helper()
				if code, msg := knock(t, method, url, host, body); code != http.StatusForbidden {
					t.Errorf("%s: %s %s answered %d %q, want 403", f, method, strings.TrimPrefix(url, base), code, msg)
				}
			}
			for _, f := range forgers {
				refused(f.name, "GET", api(f.prefix)+"invocation/next", f.host, "")
				refused(f.name, "POST", api(f.prefix)+"init/error", f.host, `{"errorType":"Forged","errorMessage":"forged init error"}`)
			}

			type answer struct {
				res *Result
				err error
			}
			done := make(chan answer, 1)
			go func() {
				res, err := rt.Invoke(context.Background(), fn, []byte(`{"action":"sleep","ms":1500,"log":"started"}`))
				done <- answer{res, err}
			}()
			var id string
			select {
			case id = <-started:
			case <-time.After(10 * time.Second):
				t.Fatal("the handler never started")
			}
			// Even knowing the request id, nobody but the worker answers it.
			for _, f := range forgers {
				refused(f.name, "POST", api(f.prefix)+"invocation/"+id+"/response", f.host, `{"forged":true}`)
				refused(f.name, "POST", api(f.prefix)+"invocation/"+id+"/error", f.host, `{"errorType":"Forged","errorMessage":"forged"}`)
			}
			// Another worker's token names a process that is not serving it.
			if code, msg := knock(t, "POST", api("/"+tokens[other])+"invocation/"+id+"/response", "", `{"forged":true}`); code != http.StatusBadRequest {
				t.Errorf("response through the %s worker's token: %d %q, want 400", other, code, msg)
			}
			a := <-done
			if a.err != nil {
				t.Fatal(a.err)
			}
			out := decode(t, a.res)
			if out["forged"] != nil || out["pid"] == nil {
				t.Fatalf("the caller got %s, not the handler's answer", a.res.Payload)
			}
			// The forged init errors changed nothing: the worker still serves.
			if got := workerToken(t, rt, decode(t, invoke(t, rt, fn, `{}`))); got != tok {
				t.Errorf("a new worker (token changed) served the next request")
			}
		})
	}
}

// The attack the tokens stop, end to end: another local process waits on the
// runtime API for the next invocation, reads the event (with the caller's
// Authorization header) and answers it with a response of its own.
func TestGatewayCallerOnlySeesTheWorkersResponse(t *testing.T) {
	rt := newRuntime(t, 10*time.Second)
	srv := gatewayOn(t, rt, manifest.ApiDev{}, nil, map[string]string{"ANY /echo": ""})
	call := func() {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/echo", nil)
		req.Header.Set("Authorization", "Bearer caller-secret")
		status, ev := echoed(t, req)
		headers, _ := ev["headers"].(map[string]any)
		if status != 200 || ev["routeKey"] != "ANY /echo" || headers["authorization"] != "Bearer caller-secret" {
			t.Errorf("the caller got %d %v, not the handler's echo of its request", status, ev)
		}
	}
	call() // starts the worker

	var (
		mu     sync.Mutex
		stolen []string
		wg     sync.WaitGroup
	)
	stop := make(chan struct{})
	for _, prefix := range []string{"", "/w1", "/w2", "/w3"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			api := "http://" + rt.Addr() + prefix + "/2018-06-01/runtime/invocation/"
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				resp, err := http.Get(api + "next")
				if err != nil {
					continue
				}
				event, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusForbidden {
					continue
				}
				mu.Lock()
				stolen = append(stolen, fmt.Sprintf("%s: %d %s", prefix, resp.StatusCode, event))
				mu.Unlock()
				if id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id"); id != "" {
					forged := `{"statusCode":200,"body":"{\"forged\":true}"}`
					if r, err := http.Post(api+id+"/response", "application/json", strings.NewReader(forged)); err == nil {
						r.Body.Close()
					}
				}
			}
		}()
	}
	for range 6 {
		call()
	}
	close(stop)
	wg.Wait()
	if len(stolen) > 0 {
		t.Errorf("another process was answered by the runtime API:\n%s", strings.Join(stolen, "\n"))
	}
}
