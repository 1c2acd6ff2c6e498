// Package dev is `sst dev`'s local runtime: an implementation of the Lambda
// Runtime API that runs each function's real handler as a local process, a
// local API Gateway in front of it, a source watcher and the invocation
// history the console reads.
package dev

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sst-tf/sst/cli/internal/loopback"
)

// maxWorkers bounds the processes one function may run at once, as
// Lambda's reserved concurrency would; further requests wait for one.
const maxWorkers = 8

// Function is one function as the local runtime runs it.
type Function struct {
	// ID is the manifest's function id; Name the deployed function name.
	ID, Name string
	// Command starts one worker: the host-built Go bootstrap, or node with
	// the bootstrap loop that loads the bundled handler.
	Command []string
	// Dir is the worker's working directory (LAMBDA_TASK_ROOT).
	Dir string
	// Env is the function's environment as deployed, plus the runtime's.
	Env     map[string]string
	Timeout time.Duration
	Memory  int
	// Handler is the Lambda handler value, reported as _HANDLER.
	Handler string
}

// FunctionError is an error a handler returned, threw or panicked with.
type FunctionError struct {
	Type    string   `json:"errorType"`
	Message string   `json:"errorMessage"`
	Trace   []string `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	// Payload is the handler's JSON response; nil when Err is set.
	Payload  json.RawMessage
	Err      *FunctionError
	Duration time.Duration
	// Logs are the lines the worker printed while it ran the invocation.
	Logs []string

	inv *invocation
}

// settle is how long lines a runtime buffers and flushes just after
// answering may trail the answer.
const settle = 20 * time.Millisecond

// SettledLogs waits for trailing output and returns every line the
// invocation printed.
func (r *Result) SettledLogs() []string {
	if r.inv == nil {
		return r.Logs
	}
	time.Sleep(settle)
	if w := r.inv.worker(); w != nil {
		w.waitDrained()
	}
	r.inv.mu.Lock()
	defer r.inv.mu.Unlock()
	return append([]string(nil), r.inv.logs...)
}

// LogFunc receives every line a worker prints, with the function and the
// request it was serving ("" between requests, e.g. during init).
type LogFunc func(fn, requestID, line string)

// Runtime serves the Lambda Runtime API on loopback for every worker.
//
// Any local process can reach a loopback port, and whoever asks for the
// next invocation gets the event with the caller's headers and may answer
// it. So each worker is addressed by a secret path prefix that only its own
// process receives, in AWS_LAMBDA_RUNTIME_API (host:port/<token>, which
// aws-lambda-go and the Node bootstrap both join with
// "/2018-06-01/runtime/…"); a request without a live worker's token, or
// with a Host that is not the runtime's loopback address, is refused.
type Runtime struct {
	ln  net.Listener
	srv *http.Server
	log LogFunc

	mu    sync.Mutex
	pools map[string]*pool
	// workers is keyed by the SHA-256 of each worker's token, so how long
	// a lookup takes says nothing about a token.
	workers map[workerKey]*worker
	closed  bool
}

type workerKey [sha256.Size]byte

func keyOf(token string) workerKey { return sha256.Sum256([]byte(token)) }

// NewRuntime starts the Runtime API server on 127.0.0.1 (a free port).
func NewRuntime(log LogFunc) (*Runtime, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("local Lambda runtime: %w", err)
	}
	if log == nil {
		log = func(string, string, string) {}
	}
	r := &Runtime{ln: ln, log: log, pools: map[string]*pool{}, workers: map[workerKey]*worker{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// Addr is the runtime API's host:port.
func (r *Runtime) Addr() string { return r.ln.Addr().String() }

// Set registers fn, or replaces its code and settings: idle workers of the
// old build stop at once, busy ones after their current request, so the
// next request runs the new code.
func (r *Runtime) Set(fn *Function) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.pools[fn.ID]
	if !ok {
		p = &pool{rt: r, pending: make(chan *invocation)}
		r.pools[fn.ID] = p
	}
	p.mu.Lock()
	p.fn = fn
	p.gen++
	old := p.workers
	p.workers = nil
	p.mu.Unlock()
	for _, w := range old {
		w.retire()
	}
}

// Functions lists the registered function ids.
func (r *Runtime) Functions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.pools))
	for id := range r.pools {
		ids = append(ids, id)
	}
	return ids
}

// Invoke runs one event through fn's handler and waits for its result, up
// to the function's timeout.
func (r *Runtime) Invoke(ctx context.Context, fnID string, payload []byte) (*Result, error) {
	r.mu.Lock()
	p, ok := r.pools[fnID]
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return nil, errors.New("local runtime stopped")
	}
	if !ok {
		return nil, fmt.Errorf("no function %q in the local runtime", fnID)
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		return nil, fmt.Errorf("function %s: payload is not valid JSON", fnID)
	}
	p.mu.Lock()
	fn := p.fn
	p.mu.Unlock()
	timeout := fn.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	inv := &invocation{
		id:      newRequestID(),
		fn:      fn,
		payload: payload,
		timeout: timeout,
		done:    make(chan struct{}),
	}
	// As in Lambda, starting a process (init) has a limit of its own; the
	// function's timeout runs from when a worker takes the request.
	timer := time.NewTimer(initTimeout)
	defer timer.Stop()

	// Hand the request to an idle worker, starting one when none waits.
	for taken := false; !taken; {
		select {
		case p.pending <- inv:
			taken = true
			continue
		default:
		}
		if p.returning() {
			// A worker that has just answered is on its way back for the
			// next request: a moment's wait beats a cold start.
			select {
			case p.pending <- inv:
				taken = true
				continue
			case <-time.After(returnGrace):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		w, err := p.spawn()
		if err != nil {
			return nil, err
		}
		var exited <-chan struct{}
		if w != nil {
			exited = w.exited
		}
		select {
		case p.pending <- inv:
			taken = true
		case <-exited:
			// It died before asking for work: a crash at start-up is the
			// request's answer, or every request would hang until timeout.
			if e := w.startupError(); e != nil {
				return &Result{RequestID: inv.id, Err: e, Logs: w.tail()}, nil
			}
		case <-timer.C:
			return &Result{RequestID: inv.id, Err: &FunctionError{Type: "Runtime.InitTimeout", Message: fmt.Sprintf("no worker took the request within %s", initTimeout)}}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	timer.Reset(timeout)
	select {
	case <-inv.done:
	case <-timer.C:
		inv.finish(nil, timeoutError(timeout))
		if w := inv.worker(); w != nil {
			// A handler past its deadline is stopped, as Lambda does; the
			// next request starts a fresh process.
			w.kill()
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return inv.result(), nil
}

// initTimeout bounds how long a request waits for a worker to take it:
// Lambda's limit on init.
const initTimeout = 10 * time.Second

func timeoutError(d time.Duration) *FunctionError {
	return &FunctionError{Type: "Sandbox.Timedout", Message: fmt.Sprintf("task timed out after %s", d)}
}

// Close stops every worker and the server.
func (r *Runtime) Close() error {
	r.mu.Lock()
	r.closed = true
	var ws []*worker
	for _, w := range r.workers {
		ws = append(ws, w)
	}
	r.mu.Unlock()
	for _, w := range ws {
		w.kill()
	}
	for _, w := range ws {
		<-w.exited
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return r.srv.Shutdown(ctx)
}

type pool struct {
	rt      *Runtime
	pending chan *invocation

	mu      sync.Mutex
	fn      *Function
	gen     int
	workers []*worker
}

// returnGrace is how long a request waits for a worker that has answered
// and not yet asked for more before another process is started for it.
const returnGrace = 250 * time.Millisecond

// returning: some live worker has answered its request and is between that
// and asking for the next.
func (p *pool) returning() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		w.mu.Lock()
		between := w.cur == nil && w.last != nil && !w.gone && !w.retired
		w.mu.Unlock()
		if between {
			return true
		}
	}
	return false
}

// spawn starts a worker unless the pool is at its limit (then nil: the
// caller waits for a busy one).
func (p *pool) spawn() (*worker, error) {
	p.mu.Lock()
	live := 0
	for _, w := range p.workers {
		if !w.dead() {
			live++
		}
	}
	if live >= maxWorkers {
		p.mu.Unlock()
		return nil, nil
	}
	fn, gen := p.fn, p.gen
	p.mu.Unlock()

	r := p.rt
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", fn.ID, err)
	}
	id := keyOf(token)
	w := &worker{pool: p, fn: fn, gen: gen, exited: make(chan struct{}), stop: make(chan struct{})}
	cmd := exec.Command(fn.Command[0], fn.Command[1:]...)
	cmd.Dir = fn.Dir
	cmd.Env = workerEnv(fn, r.Addr()+"/"+token)
	// Its own process group: Ctrl-C in the terminal reaches sst, which
	// stops workers itself instead of racing the signal.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	w.outputs = []*output{newOutput(stdout), newOutput(stderr)}
	r.mu.Lock()
	r.workers[id] = w
	r.mu.Unlock()
	if err := cmd.Start(); err != nil {
		r.mu.Lock()
		delete(r.workers, id)
		r.mu.Unlock()
		return nil, fmt.Errorf("function %s: start %s: %w", fn.ID, fn.Command[0], err)
	}
	w.cmd = cmd
	p.mu.Lock()
	if p.gen == gen {
		p.workers = append(p.workers, w)
	} else {
		defer w.retire()
	}
	p.mu.Unlock()

	var lines sync.WaitGroup
	lines.Add(2)
	go w.scan(w.outputs[0], &lines)
	go w.scan(w.outputs[1], &lines)
	go func() {
		lines.Wait()
		err := cmd.Wait()
		w.mu.Lock()
		w.exitErr = err
		w.gone = true
		inv := w.cur
		w.mu.Unlock()
		if inv != nil {
			inv.finish(nil, &FunctionError{Type: "Runtime.ExitError", Message: fmt.Sprintf("process exited while handling the request (%v)", exitDescription(err))})
		}
		r.mu.Lock()
		delete(r.workers, id)
		r.mu.Unlock()
		close(w.exited)
	}()
	return w, nil
}

func exitDescription(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// workerEnv is a worker's environment: the deployed function's, the Lambda
// runtime's reserved variables, and enough of sst's own (PATH, HOME) for a
// handler's tools to work.
func workerEnv(fn *Function, api string) []string {
	env := map[string]string{}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "NODE_OPTIONS", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	// The AWS SDK for JavaScript warns about the Node version on every cold
	// start, and sst dev cold-starts a worker per edit: the warning is for
	// the deployed runtime, which the function's own settings decide. A
	// function that sets the variable itself keeps its value.
	env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true"
	for k, v := range fn.Env {
		env[k] = v
	}
	env["AWS_LAMBDA_RUNTIME_API"] = api
	env["AWS_LAMBDA_FUNCTION_NAME"] = fn.Name
	env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(fn.Memory)
	env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + fn.Name
	env["LAMBDA_TASK_ROOT"] = fn.Dir
	env["_HANDLER"] = fn.Handler
	env["SST_DEV"] = "true"
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

type worker struct {
	pool   *pool
	fn     *Function
	gen    int
	cmd    *exec.Cmd
	exited chan struct{}
	stop   chan struct{}
	// outputs are its stdout and stderr pipes.
	outputs []*output

	mu       sync.Mutex
	cur      *invocation // the request being handled
	last     *invocation // the latest request: late log lines still belong to it
	initErr  *FunctionError
	exitErr  error
	gone     bool
	retired  bool
	lastLogs []string
}

func (w *worker) dead() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gone || w.retired
}

// retire stops the worker once it is idle: now if it is, else after the
// request it is handling.
func (w *worker) retire() {
	w.mu.Lock()
	if w.retired {
		w.mu.Unlock()
		return
	}
	w.retired = true
	busy := w.cur != nil
	w.mu.Unlock()
	close(w.stop)
	if !busy {
		w.kill()
	}
}

func (w *worker) kill() {
	if w.cmd != nil && w.cmd.Process != nil {
		// The whole group: a handler's own children go too.
		_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
	}
}

func (w *worker) startupError() *FunctionError {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.initErr != nil {
		return w.initErr
	}
	msg := "process exited before asking for a request (" + exitDescription(w.exitErr) + ")"
	return &FunctionError{Type: "Runtime.ExitError", Message: msg, Trace: append([]string(nil), w.lastLogs...)}
}

func (w *worker) tail() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lastLogs...)
}

func (w *worker) scan(rd io.Reader, wg *sync.WaitGroup) {
	defer wg.Done()
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if lambdaGoErrorLine.MatchString(line) {
			continue
		}
		w.mu.Lock()
		inv := w.cur
		if inv == nil {
			inv = w.last
		}
		w.lastLogs = append(w.lastLogs, line)
		if len(w.lastLogs) > 20 {
			w.lastLogs = w.lastLogs[len(w.lastLogs)-20:]
		}
		w.mu.Unlock()
		reqID := ""
		if inv != nil {
			inv.addLog(line)
			reqID = inv.id
		}
		w.pool.rt.log(w.fn.ID, reqID, line)
	}
}

type invocation struct {
	id       string
	fn       *Function
	payload  []byte
	timeout  time.Duration
	deadline time.Time // set when a worker takes it
	done     chan struct{}

	mu      sync.Mutex
	started time.Time
	w       *worker
	res     *Result
	logs    []string
}

func (inv *invocation) addLog(line string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.logs = append(inv.logs, line)
}

func (inv *invocation) worker() *worker {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.w
}

// finish records the outcome once; later calls (a timeout racing a
// response) are ignored.
func (inv *invocation) finish(payload json.RawMessage, ferr *FunctionError) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.res != nil {
		return
	}
	d := time.Duration(0)
	if !inv.started.IsZero() {
		d = time.Since(inv.started)
	}
	inv.res = &Result{RequestID: inv.id, Payload: payload, Err: ferr, Duration: d, Logs: append([]string(nil), inv.logs...)}
	close(inv.done)
}

func (inv *invocation) result() *Result {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	r := *inv.res
	r.inv = inv
	return &r
}

// newToken is a worker's secret: 192 random bits, hex so it is a plain
// URL path segment.
func newToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("worker token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// serve implements the Runtime API under a per-worker prefix:
// /<token>/2018-06-01/runtime/{invocation/next, invocation/<id>/response,
// invocation/<id>/error, init/error}. The token tells which process is
// asking and that it is one sst started (see Runtime).
func (r *Runtime) serve(rw http.ResponseWriter, req *http.Request) {
	if !loopback.HostAllowed(req, r.ln) {
		http.Error(rw, "local Lambda runtime: unexpected Host header", http.StatusForbidden)
		return
	}
	token, rest, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
	r.mu.Lock()
	w := r.workers[keyOf(token)]
	r.mu.Unlock()
	if w == nil {
		// The same answer for a wrong token as for none: nothing to probe.
		http.Error(rw, "local Lambda runtime: not a worker of this sst dev", http.StatusForbidden)
		return
	}
	rest, ok := strings.CutPrefix(rest, "2018-06-01/runtime/")
	if !ok {
		http.NotFound(rw, req)
		return
	}
	switch {
	case rest == "invocation/next" && req.Method == http.MethodGet:
		w.next(rw, req)
	case rest == "init/error" && req.Method == http.MethodPost:
		e := readError(req.Body)
		w.mu.Lock()
		w.initErr = e
		w.mu.Unlock()
		rw.WriteHeader(http.StatusAccepted)
	case strings.HasPrefix(rest, "invocation/") && req.Method == http.MethodPost:
		id, kind, _ := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
		w.mu.Lock()
		inv := w.cur
		if inv != nil && inv.id == id {
			w.cur = nil
		}
		w.mu.Unlock()
		if inv == nil || inv.id != id {
			http.Error(rw, "unknown request id", http.StatusBadRequest)
			return
		}
		switch kind {
		case "response":
			body, err := io.ReadAll(io.LimitReader(req.Body, 6*1024*1024+1))
			if err != nil {
				inv.finish(nil, &FunctionError{Type: "Runtime.ResponseError", Message: err.Error()})
			} else if len(body) > 6*1024*1024 {
				// Lambda's synchronous response limit.
				inv.finish(nil, &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "response is larger than 6 MB"})
			} else {
				if len(body) == 0 {
					body = []byte("null")
				}
				inv.finish(body, nil)
			}
		case "error":
			inv.finish(nil, readError(req.Body))
		default:
			http.NotFound(rw, req)
			return
		}
		rw.WriteHeader(http.StatusAccepted)
		w.mu.Lock()
		retired := w.retired
		w.mu.Unlock()
		if retired {
			w.kill()
		}
	default:
		http.NotFound(rw, req)
	}
}

// next blocks until the pool has a request for this worker.
func (w *worker) next(rw http.ResponseWriter, req *http.Request) {
	p := w.pool
	p.mu.Lock()
	stale := w.gen != p.gen
	p.mu.Unlock()
	if stale {
		w.kill()
		http.Error(rw, "worker retired", http.StatusGone)
		return
	}
	select {
	case inv := <-p.pending:
		// What the worker printed before asking is in its pipes by now;
		// scan it first, so that it is logged under the request it
		// belongs to and not under this one.
		w.waitDrained()
		inv.mu.Lock()
		inv.started = time.Now()
		inv.deadline = inv.started.Add(inv.timeout)
		inv.w = w
		inv.mu.Unlock()
		w.mu.Lock()
		w.cur, w.last = inv, inv
		w.mu.Unlock()
		h := rw.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:local:000000000000:function:"+inv.fn.Name)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+inv.id[:8])
		rw.WriteHeader(http.StatusOK)
		_, _ = rw.Write(inv.payload)
	case <-w.stop:
		w.kill()
		http.Error(rw, "worker retired", http.StatusGone)
	case <-req.Context().Done():
	}
}

// lambdaGoErrorLine is the line aws-lambda-go logs for every failed
// invocation: the error payload it also posts to the runtime API, whose
// message and trace sst dev prints itself, readably.
var lambdaGoErrorLine = regexp.MustCompile(`^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} )?\{"errorMessage":".*"errorType":`)

// runtimeFrame reports whether a Go stack frame (path as aws-lambda-go
// trims it) is the Go runtime's, reflection's or aws-lambda-go's own: a
// panic's trace starts with several and ends with a dozen, around the
// user's few.
func runtimeFrame(path string) bool {
	return strings.HasPrefix(path, "runtime/") || strings.HasPrefix(path, "reflect/") || strings.Contains(path, "github.com/aws/aws-lambda-go")
}

// readError decodes an error body from either runtime: aws-lambda-go sends
// stack frames as objects, Node as strings. Go traces keep the user's
// frames, with one line counting the runtime's.
func readError(body io.Reader) *FunctionError {
	var raw struct {
		Type    string            `json:"errorType"`
		Message string            `json:"errorMessage"`
		Trace   []json.RawMessage `json:"stackTrace"`
	}
	b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
	if err := json.Unmarshal(b, &raw); err != nil {
		return &FunctionError{Type: "Runtime.UnknownError", Message: strings.TrimSpace(string(b))}
	}
	e := &FunctionError{Type: raw.Type, Message: raw.Message}
	var hidden []string
	for _, f := range raw.Trace {
		var s string
		if json.Unmarshal(f, &s) == nil {
			e.Trace = append(e.Trace, s)
			continue
		}
		var frame struct {
			Path  string `json:"path"`
			Line  int    `json:"line"`
			Label string `json:"label"`
		}
		if json.Unmarshal(f, &frame) == nil {
			line := fmt.Sprintf("%s (%s:%d)", frame.Label, frame.Path, frame.Line)
			if runtimeFrame(frame.Path) {
				hidden = append(hidden, line)
				continue
			}
			e.Trace = append(e.Trace, line)
		}
	}
	switch {
	case len(e.Trace) == 0:
		// Nothing of the user's: the runtime's frames are all there is.
		e.Trace = hidden
	case len(hidden) > 0:
		e.Trace = append(e.Trace, fmt.Sprintf("(%d frames of the Go runtime and aws-lambda-go not shown)", len(hidden)))
	}
	return e
}
