package dev

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/stageenv"
	"github.com/sst-tf/sst/manifest"
)

// Options is one `sst dev` session: where the project and stage are, and
// what the CLI does for the server (deploy, AWS access, state) — the
// server itself never synthesizes or runs terraform.
type Options struct {
	ProjectDir string
	Stage      string
	// Dir is the stage's dev directory, .sst/dev/<stage>.
	Dir string
	// OutputsPath is the stage's outputs file.
	OutputsPath string
	// Endpoint is the AWS emulator's, if any.
	Endpoint string
	// Port is the first Api's port (0: a free one); with PortExplicit a
	// port in use is an error, else the next free one is taken.
	Port         int
	PortExplicit bool
	// RunSites runs each site's `npm run dev` with its environment.
	RunSites bool
	// Environ is the environment site processes start from.
	Environ []string
	Out     io.Writer
	Style   progress.Style

	// Deploy synthesizes and deploys the stage (what changed) and returns
	// its manifest and the changes it applied: the first deploy and every
	// redeploy.
	Deploy func(ctx context.Context) (*manifest.Manifest, []Applied, error)
	// AWSConfig is the SDK configuration for the stage.
	AWSConfig func(ctx context.Context, m *manifest.Manifest) (aws.Config, error)
	// StackState is a stack's deployed Terraform state (terraform state
	// pull).
	StackState func(ctx context.Context, m *manifest.Manifest, st *manifest.Stack) ([]byte, error)
	// Reloaded, when set, hears of every redeploy the server has loaded.
	Reloaded func(m *manifest.Manifest)
	// Clock is what cron schedules fire by; nil is the wall clock.
	Clock Clock
}

// Server is one `sst dev` session: the stage's functions running on this
// machine behind local gateways, rebuilt and redeployed as files change.
type Server struct {
	o     Options
	out   io.Writer // serialized: workers, builds and gateways print at once
	style progress.Style

	rt      *Runtime
	hist    *History
	builder *Builder
	jwt     *JWTVerifier

	mu       sync.Mutex
	m        *manifest.Manifest
	fns      map[string]manifest.Function // by id
	env      map[string]map[string]string // deployed environment by function id
	baseEnv  map[string]string            // AWS credentials, region, endpoint
	built    map[string]*Built            // by build key
	buildErr map[string]error             // by build key, when no good build exists
	// pending holds a channel per build key being built with no good
	// build to serve meanwhile, closed when the build ends; requests
	// for its functions wait on it (see Invoke).
	pending  map[string]chan struct{}
	inputs   map[string][]string // source file or Go package dir → build keys
	appDirs  map[string]bool     // directories of the app's own Go packages
	gws      map[string]*gatewaySlot
	state    State
	nextPort int
	sites    []*exec.Cmd
	// pollers are the running event sources by label, with what they
	// run by (restarted when a redeploy changes it).
	pollers map[string]*poller
	// lambda serves the Lambda Invoke API for local handlers (see
	// LambdaAPI); lambdaURL is its address, in their AWS_ENDPOINT_URL_LAMBDA.
	lambda    gatewaySlot
	lambdaURL string
	account   string // for event fields, read once
	// relayShown: the relay's line is printed once, not per stack.
	relayShown bool
	closers    []func()
}

type poller struct {
	conf   any // QueueSource, CronSource or StreamSource.key()
	cancel context.CancelFunc
	done   chan struct{}
}

// Start deploys the stage, builds every function, opens the gateways,
// records the session for sst env and sst bind, and starts the sites.
// Close undoes it, also after a failed Start.
func Start(ctx context.Context, o Options) (*Server, error) {
	d := &Server{
		o: o, out: &progress.LockedWriter{W: o.Out}, style: o.Style,
		built:    map[string]*Built{},
		buildErr: map[string]error{},
		pending:  map[string]chan struct{}{},
		inputs:   map[string][]string{},
		gws:      map[string]*gatewaySlot{},
		pollers:  map[string]*poller{},
		nextPort: o.Port,
	}
	if d.o.Clock == nil {
		d.o.Clock = ScaledClock{Start: time.Now()}
	}
	m, applied, err := o.Deploy(ctx)
	if err != nil {
		return d, err
	}
	// A Script removed while sst dev was not running has no handler
	// here: its delete phase ran as the deployed dispatcher had it.
	runs, err := ScriptRuns(m, applied, false)
	if err != nil {
		return d, err
	}
	if d.rt, err = NewRuntime(d.logLine); err != nil {
		return d, err
	}
	d.closers = append(d.closers, func() { d.rt.Close() })
	if d.hist, err = NewHistory(d.rt, filepath.Join(o.Dir, "invocations.jsonl")); err != nil {
		return d, err
	}
	d.closers = append(d.closers, func() { d.hist.Close() })
	// Pollers stop before the history and the runtime they invoke through.
	d.closers = append(d.closers, d.stopPollers)
	d.hist.OnRecord = d.printRecord
	d.builder = NewBuilder(o.ProjectDir, o.Dir)
	d.jwt = NewJWTVerifier(o.Endpoint)

	d.closers = append(d.closers, d.stopGateways)
	if err := d.serveLambdaAPI(); err != nil {
		return d, err
	}
	if err := d.load(ctx, m, true); err != nil {
		return d, err
	}
	d.runScripts(ctx, runs)
	d.state.PID = os.Getpid()
	d.state.Runtime = d.rt.Addr()
	d.state.History = d.hist.Path()
	if err := d.state.Write(o.Dir); err != nil {
		return d, fmt.Errorf("write %s: %w", filepath.Join(o.Dir, StateFile), err)
	}
	d.closers = append(d.closers, func() { os.Remove(filepath.Join(o.Dir, StateFile)) })
	d.startSites(ctx)
	d.closers = append(d.closers, d.stopSites)
	return d, nil
}

// Run rebuilds and redeploys as files change, until ctx is done.
func (d *Server) Run(ctx context.Context) {
	w := NewWatcher(d.o.ProjectDir)
	w.Run(ctx, func(files []string) { d.changed(ctx, files) })
}

// Close stops what Start started, last first.
func (d *Server) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
	d.closers = nil
}

// Manifest is the manifest the server runs.
func (d *Server) Manifest() *manifest.Manifest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m
}

// History is the record of invocations, for the console.
func (d *Server) History() *History { return d.hist }

// Printf writes a line among the server's own.
func (d *Server) Printf(format string, a ...any) { fmt.Fprintf(d.out, format, a...) }

// gatewaySlot is one Api's listener; the handler behind it is swapped when
// the app is redeployed, so the URL stays the same.
type gatewaySlot struct {
	url string
	srv *http.Server
	h   atomic.Value      // http.Handler
	ws  *WebSocketGateway // kept across redeploys: it holds the open connections
}

func (g *gatewaySlot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.h.Load().(http.Handler).ServeHTTP(w, r)
}

// load takes a (new) manifest: resolves each function's deployed
// environment, builds what changed, and (re)starts the Apis' gateways.
func (d *Server) load(ctx context.Context, m *manifest.Manifest, first bool) error {
	cfg, err := d.o.AWSConfig(ctx, m)
	if err != nil {
		return err
	}
	base, err := workerAWSEnv(ctx, cfg, d.o.Endpoint)
	if err != nil {
		return err
	}
	base["AWS_ENDPOINT_URL_LAMBDA"] = d.lambdaURL
	upstream, err := url.Parse(cmp.Or(d.o.Endpoint, "https://lambda."+cfg.Region+".amazonaws.com"))
	if err != nil {
		return fmt.Errorf("the Lambda endpoint: %w", err)
	}
	d.lambda.h.Store(http.Handler(&LambdaAPI{Inv: d, Resolve: d.functionByName, Upstream: upstream, Config: cfg}))
	fns := map[string]manifest.Function{}
	for _, st := range m.Stacks {
		for _, fn := range st.Functions {
			fns[fn.ID] = fn
		}
	}
	env := stageenv.Deployed(ctx, cfg, fns, func(msg string) { fmt.Fprintf(d.out, "%s %s\n", d.style.Yellow("warning:"), msg) })
	refs, err := d.stateRefs(ctx, m)
	if err != nil {
		return err
	}

	d.mu.Lock()
	old := d.fns
	oldEnv := d.env
	d.m, d.fns, d.env, d.baseEnv = m, fns, env, base
	d.mu.Unlock()

	// Build every function whose handler, build settings or environment is
	// new; unchanged ones keep their workers.
	var keys []string
	seen := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(fns)) {
		fn := fns[id]
		prev, had := old[id]
		if had && Key(prev) == Key(fn) && maps.Equal(oldEnv[id], env[id]) && !first {
			continue
		}
		if k := Key(fn); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	// Gateways first: their local URLs replace the deployed ones in the
	// environment of the functions built next. Requests they take before
	// a handler's first build wait for it.
	d.markPending(keys)
	if err := d.startGateways(m, refs, cfg); err != nil {
		return err
	}
	start := time.Now()
	if first {
		fmt.Fprintf(d.out, "Building %d function(s) for this machine… (requests wait for their handler)\n", len(fns))
	}
	d.buildKeys(ctx, keys, !first)
	if first {
		fmt.Fprintf(d.out, "Built %d function(s) for this machine in %s\n", len(fns), progress.FormatDuration(time.Since(start)))
	}
	d.appDirs = appPackageDirs(ctx, d.o.ProjectDir)
	return d.startPollers(ctx, cfg, m)
}

// startPollers delivers each event source's events to its local function:
// each consumed queue gets a poller, each enabled cron a scheduler; a
// redeploy restarts those whose settings changed and stops removed ones.
func (d *Server) startPollers(ctx context.Context, cfg aws.Config, m *manifest.Manifest) error {
	queues, err := QueueSources(m)
	if err != nil {
		return err
	}
	crons, err := CronSources(m)
	if err != nil {
		return err
	}
	streams, err := StreamSources(m)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	// start runs fn for label unless it already runs with conf.
	start := func(label string, conf any, fn func(ctx context.Context, log func(string))) bool {
		want[label] = true
		if p := d.pollers[label]; p != nil {
			if p.conf == conf {
				return false
			}
			p.stop()
		}
		ctx, cancel := context.WithCancel(context.Background())
		p := &poller{conf: conf, cancel: cancel, done: make(chan struct{})}
		d.pollers[label] = p
		log := func(msg string) { fmt.Fprintf(d.out, "%s %s\n", d.style.Yellow(label+":"), msg) }
		go func() { defer close(p.done); fn(ctx, log) }()
		return true
	}
	api := sqs.NewFromConfig(cfg)
	for _, src := range queues {
		if start(src.Label(), src, func(ctx context.Context, log func(string)) {
			(&QueuePoller{Src: src, API: api, Inv: d, Region: cfg.Region, Log: log}).Run(ctx)
		}) {
			if src.Via != "" {
				what := map[string]string{viaTopic: "subscription", viaBus: "rule's target", viaBucket: "notification"}[src.Via]
				fmt.Fprintf(d.out, "%s %s runs here %s\n", d.style.Bold(src.Label()+":"), src.Function, d.style.Dim("(its "+what+" delivers to the dev-only queue "+src.Name+" while sst dev runs)"))
			} else {
				fmt.Fprintf(d.out, "%s polled here → %s %s\n", d.style.Bold("Queue "+src.Queue+":"), src.Function, d.style.Dim(fmt.Sprintf("(batch %d, window %s; its deployed mapping is disabled while sst dev runs)", src.BatchSize, src.Window)))
			}
		}
	}
	kin := kinesis.NewFromConfig(cfg)
	for _, src := range streams {
		if start(src.Label(), src.key(), func(ctx context.Context, log func(string)) {
			(&StreamPoller{Src: src, API: kin, Inv: d, Region: cfg.Region, Log: log}).Run(ctx)
		}) {
			c := src.Consumer
			fmt.Fprintf(d.out, "%s read here → %s %s\n", d.style.Bold("Stream "+src.Stream+" "+c.Name+":"), c.Function,
				d.style.Dim(fmt.Sprintf("(from %s, batch %d; its deployed mapping is disabled while sst dev runs)", c.StartingPosition, c.BatchSize)))
		}
	}
	if relays := RelaySources(m); len(relays) > 0 {
		db := dynamodb.NewFromConfig(cfg)
		for _, src := range relays {
			if start(src.Label(), src, func(ctx context.Context, log func(string)) {
				(&RelayPoller{Src: src, API: api, DB: db, Inv: d, Log: log}).Run(ctx)
			}) && !d.relayShown {
				d.relayShown = true
				fmt.Fprintf(d.out, "%s %s\n", d.style.Bold("Deployed functions:"), d.style.Dim("their code is a stub relaying each direct invocation (lambda:Invoke, the AWS console) to this machine while sst dev runs"))
			}
		}
	}
	if len(crons) > 0 && d.account == "" {
		d.account = accountID(ctx, cfg)
	}
	for _, src := range crons {
		if start(src.Label(), src, func(ctx context.Context, log func(string)) {
			(&CronRunner{Src: src, Inv: d, Region: cfg.Region, Account: d.account, Clock: d.o.Clock, Log: log}).Run(ctx)
		}) {
			fmt.Fprintf(d.out, "%s fired here → %s %s\n", d.style.Bold("Cron "+src.Cron+":"), src.Function, d.style.Dim(src.Schedule+" (UTC; its deployed rule is disabled while sst dev runs)"))
		}
	}
	for label, p := range d.pollers {
		if !want[label] {
			p.stop()
			delete(d.pollers, label)
		}
	}
	return nil
}

// serveLambdaAPI opens the local Lambda API (its handler is set by each
// load, with that deploy's configuration).
func (d *Server) serveLambdaAPI() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("local Lambda API: %w", err)
	}
	d.lambdaURL = "http://" + ln.Addr().String()
	d.lambda.srv = &http.Server{Handler: &d.lambda, ReadHeaderTimeout: 10 * time.Second}
	go d.lambda.srv.Serve(ln)
	d.closers = append(d.closers, func() { d.lambda.srv.Close() })
	return nil
}

// functionByName is the id of the app's function with that physical name.
func (d *Server) functionByName(name string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, fn := range d.fns {
		if fn.Name == name {
			return id, true
		}
	}
	return "", false
}

// accountID is the account the credentials belong to, for the events'
// account fields and ARNs ("" when STS cannot tell).
func accountID(ctx context.Context, cfg aws.Config) string {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return ""
	}
	return aws.ToString(out.Account)
}

func (p *poller) stop() {
	p.cancel()
	<-p.done
}

func (d *Server) stopPollers() {
	for _, p := range d.pollers {
		p.stop()
	}
}

// Paused lists the event sources whose deployed wiring `sst dev`
// disabled (queue mappings, cron rules): they stay paused after it stops,
// until the next `sst deploy`.
func (d *Server) Paused() []string {
	var out []string
	for label, p := range d.pollers {
		if _, relay := p.conf.(RelaySource); !relay {
			out = append(out, label)
		}
	}
	slices.Sort(out)
	return out
}

// Relayed reports whether the deployed functions are relay stubs, which
// fail every direct invocation once sst dev stops, until `sst deploy`.
func (d *Server) Relayed() bool {
	for _, p := range d.pollers {
		if _, relay := p.conf.(RelaySource); relay {
			return true
		}
	}
	return false
}

// buildKeys builds each key's handler (in parallel, bounded by the
// builder) and points its functions at the result. A failed build keeps
// the last good one running.
func (d *Server) buildKeys(ctx context.Context, keys []string, fresh bool) {
	d.markPending(keys)
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			d.buildKey(ctx, k, fresh)
			d.mu.Lock()
			ch := d.pending[k]
			delete(d.pending, k)
			d.mu.Unlock()
			if ch != nil {
				close(ch)
			}
		}(k)
	}
	wg.Wait()
}

// markPending makes requests for the keys' functions that have never
// built wait for their build (Invoke) rather than fail.
func (d *Server) markPending(keys []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if _, ok := d.built[k]; !ok && d.pending[k] == nil {
			d.pending[k] = make(chan struct{})
		}
	}
}

func (d *Server) buildKey(ctx context.Context, key string, fresh bool) bool {
	d.mu.Lock()
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(d.fns)) {
		if Key(d.fns[id]) == key {
			ids = append(ids, id)
		}
	}
	d.mu.Unlock()
	if len(ids) == 0 {
		return false
	}
	d.mu.Lock()
	first := d.fns[ids[0]]
	d.mu.Unlock()
	st := d.style
	start := time.Now()
	b, err := d.builder.Build(ctx, first, fresh)
	if err != nil && ctx.Err() != nil {
		return false // stopping: a killed compiler is not news
	}
	if err != nil {
		d.mu.Lock()
		_, haveGood := d.built[key]
		if !haveGood {
			d.buildErr[key] = err
		}
		d.mu.Unlock()
		keep := "no earlier build to fall back to: its requests get a 503 with this error until it builds"
		if haveGood {
			keep = "still serving the last good build"
		}
		fmt.Fprintf(d.out, "%s %s (%s)\n%s\n", st.Red("✗ Build failed:"), first.Handler, keep, indent(err.Error(), "    "))
		return false
	}
	d.mu.Lock()
	d.built[key] = b
	delete(d.buildErr, key)
	for _, in := range b.Inputs {
		d.inputs[in] = appendOnce(d.inputs[in], key)
		if strings.HasSuffix(in, ".go") {
			dir := filepath.Dir(in)
			d.inputs[dir] = appendOnce(d.inputs[dir], key)
		}
	}
	fnsOf := make([]*Function, 0, len(ids))
	for _, id := range ids {
		fn := d.fns[id]
		env := map[string]string{}
		maps.Copy(env, d.env[id])
		// A bound Api's or WebSocketApi's URL is its local gateway's.
		d.state.Localize(env)
		maps.Copy(env, d.baseEnv)
		fnsOf = append(fnsOf, &Function{
			ID: id, Name: fn.Name, Command: b.Command, Dir: b.Dir, Env: env,
			Timeout: time.Duration(fn.Timeout) * time.Second, Memory: fn.Memory, Handler: fn.Handler,
		})
	}
	d.mu.Unlock()
	for _, fn := range fnsOf {
		d.rt.Set(fn)
	}
	verb := st.Green("✓ Built")
	if fresh {
		verb = st.Green("↻ Rebuilt")
	}
	fmt.Fprintf(d.out, "%s %s (%s) in %s\n", verb, first.Handler, strings.Join(ids, ", "), progress.FormatDuration(time.Since(start)))
	return true
}

func appendOnce(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

// BuildWait is how long a request waits for its handler's first build
// before it is answered 503: API Gateway's own integration limit.
var BuildWait = 30 * time.Second

// BuildingError is Invoke's answer for a handler still building after
// BuildWait; the gateways turn it into a 503 that says so.
type BuildingError struct {
	Function, Handler string
	Waited            time.Duration
}

func (e *BuildingError) Error() string {
	return fmt.Sprintf("function %s (%s) is still building after %s: retry once the terminal shows it built", e.Function, e.Handler, progress.FormatDuration(e.Waited))
}

// Invoke is what the gateways call. A request for a handler that is still
// building for the first time waits for it (saying so in the terminal),
// up to BuildWait; a function whose handler never built answers with the
// build error instead of a hang or a bare 500.
func (d *Server) Invoke(ctx context.Context, fnID string, payload []byte, source string) (*Result, error) {
	d.mu.Lock()
	fn, ok := d.fns[fnID]
	var wait chan struct{}
	if ok {
		wait = d.pending[Key(fn)]
	}
	d.mu.Unlock()
	if wait != nil {
		fmt.Fprintf(d.out, "%s %s waits: %s is building…\n", d.style.Dim("⧗"), source, fn.Handler)
		start := time.Now()
		timer := time.NewTimer(BuildWait)
		defer timer.Stop()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, &BuildingError{Function: fnID, Handler: fn.Handler, Waited: time.Since(start)}
		}
	}
	d.mu.Lock()
	var berr error
	if ok {
		berr = d.buildErr[Key(fn)]
	}
	d.mu.Unlock()
	if berr != nil {
		fmt.Fprintf(d.out, "%s %s %s: 503, its handler %s did not build (error above)\n", d.style.Red("✗"), d.style.Bold(fnID), source, fn.Handler)
		return nil, &BuildFailedError{Function: fnID, Handler: fn.Handler, Err: berr}
	}
	return d.hist.Invoke(ctx, fnID, payload, source)
}

// BuildFailed reports whether fnID's handler has no good build (it failed
// and nothing built before): event pollers hold their events meanwhile.
func (d *Server) BuildFailed(fnID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	fn, ok := d.fns[fnID]
	return ok && d.buildErr[Key(fn)] != nil
}

// BuildFailedError is Invoke's answer for a function whose handler has no
// good build; the gateways turn it into a 503 naming the error.
type BuildFailedError struct {
	Function, Handler string
	Err               error
}

func (e *BuildFailedError) Error() string {
	return fmt.Sprintf("function %s (%s) did not build: %s", e.Function, e.Handler, shortError(e.Err))
}

// shortError is the start of a build error, for a response body: the
// whole compiler output is in the terminal.
func shortError(err error) string {
	var lines []string
	for l := range strings.SplitSeq(err.Error(), "\n") {
		// "# pkg" is go build's header before the package's errors.
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "# ") {
			lines = append(lines, l)
		}
	}
	more := len(lines) > 4
	s := strings.Join(lines[:min(len(lines), 4)], "; ")
	if len(s) > 400 {
		s, more = s[:400], true
	}
	if more {
		s += " … (the full error is in the sst dev terminal)"
	}
	return s
}

// startGateways gives every Api and WebSocketApi a local server (new ones
// a new port) and swaps in the current routes for existing ones.
func (d *Server) startGateways(m *manifest.Manifest, refs deployed, cfg aws.Config) error {
	st := d.style
	for _, stack := range m.Stacks {
		for _, c := range stack.Constructs {
			if c.Type != "Api" && c.Type != "ApiGatewayV1Api" && c.Type != "WebSocketApi" {
				continue
			}
			c.Data = maps.Clone(c.Data)
			if raw := c.Data[manifest.DataApiDev]; raw != "" {
				c.Data[manifest.DataApiDev] = refs.resolve(raw)
			}
			warn := func(msg string) { fmt.Fprintf(d.out, "%s %s\n", st.Yellow("api "+c.ID+":"), msg) }
			slot, existed := d.gws[c.ID]
			if !existed {
				var err error
				if slot, err = d.listen(); err != nil {
					return fmt.Errorf("api %s: %w", c.ID, err)
				}
				d.gws[c.ID] = slot
			}
			var routes []string
			local := slot.url
			if c.Type == "ApiGatewayV1Api" {
				// Its URL ends in the stage's "/": the local one in "/".
				local += "/"
			}
			if c.Type != "WebSocketApi" {
				gw, err := NewGateway(c, stack.Routes, d, d.jwt)
				if err != nil {
					return err
				}
				gw.Warn = warn
				gw.Services = &Services{Config: cfg, Params: refs.params}
				gw.Called = d.printCall
				slot.h.Store(http.Handler(gw))
				routes = gw.Routes()
			} else {
				ws, err := NewWebSocketGateway(c, stack.Routes, d)
				if err != nil {
					return err
				}
				ws.Warn = warn
				if slot.ws != nil {
					slot.ws.Update(ws)
				} else {
					slot.ws = ws
					slot.h.Store(http.Handler(ws))
				}
				routes = ws.Routes()
				local = "ws" + strings.TrimPrefix(slot.url, "http")
			}
			deployedURL := refs.resolve(c.Data[manifest.ApiURL])
			if strings.Contains(deployedURL, "${") {
				deployedURL = ""
			}
			d.state.setGateway(c, local, slot.url, deployedURL)
			if !existed {
				fmt.Fprintf(d.out, "%s %s  %s\n", st.Bold(c.Type+" "+c.ID+":"), local, st.Dim(strings.Join(routes, ", ")))
			}
		}
	}
	return nil
}

// listen takes the next port for a gateway: an explicit --port must be
// free, a default one moves on to the next free port.
func (d *Server) listen() (*gatewaySlot, error) {
	for tries := 0; ; tries++ {
		port := d.nextPort
		if port != 0 {
			d.nextPort++
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			if d.o.PortExplicit || tries > 100 {
				return nil, fmt.Errorf("port %d is in use: stop what holds it or pass another --port", port)
			}
			continue
		}
		if !d.o.PortExplicit && port != d.o.Port && tries > 0 {
			fmt.Fprintf(d.out, "%s port %d was in use; using %d\n", d.style.Yellow("note:"), port-1, port)
		}
		slot := &gatewaySlot{url: "http://" + ln.Addr().String()}
		slot.srv = &http.Server{Handler: slot, ReadHeaderTimeout: 10 * time.Second}
		go slot.srv.Serve(ln)
		return slot, nil
	}
}

func (d *Server) stopGateways() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, g := range d.gws {
		if g.ws != nil {
			g.ws.Close()
		}
		_ = g.srv.Shutdown(ctx)
	}
}

// deployed is what the deployed state of the stacks holding Apis tells
// their gateways: values known only after deploy (the Api's URL, a JWT
// issuer built from a user pool id) and each aws route's integration
// parameters as Terraform resolved them.
type deployed struct {
	// attrs read the attributes of each state's managed resources.
	attrs []func(typ, name, attr string) any
}

// stateRefs reads the deployed state of stacks holding Apis.
func (d *Server) stateRefs(ctx context.Context, m *manifest.Manifest) (deployed, error) {
	var dep deployed
	for i := range m.Stacks {
		st := &m.Stacks[i]
		if !slices.ContainsFunc(st.Constructs, func(c manifest.Construct) bool {
			return c.Type == "Api" || c.Type == "ApiGatewayV1Api" || c.Type == "WebSocketApi"
		}) {
			continue
		}
		state, err := d.o.StackState(ctx, m, st)
		if err != nil {
			return deployed{}, err
		}
		dep.add(state)
	}
	return dep, nil
}

// add reads one pulled Terraform state.
func (dep *deployed) add(state []byte) { dep.attrs = append(dep.attrs, stateAttrs(state)) }

// resolve replaces the references in v that the state knows (v is JSON
// or a plain value; what replaces a reference is JSON-escaped).
func (dep deployed) resolve(v string) string {
	out, _ := ResolveRefs(v, func(typ, name, attr string) (string, bool) {
		x, ok := dep.lookup(typ, name, attr)
		return jsonEscape(x), ok
	})
	return out
}

// lookup is a string attribute of a managed resource in the first state
// that holds it.
func (dep deployed) lookup(typ, name, attr string) (string, bool) {
	for _, attrOf := range dep.attrs {
		if x, ok := attrOf(typ, name, attr).(string); ok {
			return x, true
		}
	}
	return "", false
}

// params is the deployed request_parameters of the integration at addr
// ("aws_apigatewayv2_integration.<name>").
func (dep deployed) params(addr string) (map[string]string, bool) {
	typ, name, ok := strings.Cut(addr, ".")
	if !ok {
		return nil, false
	}
	for _, attrOf := range dep.attrs {
		if p, ok := stringMap(attrOf(typ, name, "request_parameters")); ok {
			return p, true
		}
	}
	return nil, false
}

// jsonEscape makes a value safe inside the JSON string it replaces a
// reference in (the Api's dev data is JSON).
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// changed reacts to saved files: handler sources rebuild their functions;
// the app's own packages re-synthesize and deploy.
func (d *Server) changed(ctx context.Context, files []string) {
	d.mu.Lock()
	keys := map[string]bool{}
	stack := false
	for _, f := range files {
		for _, k := range d.inputs[f] {
			keys[k] = true
		}
		for _, k := range d.inputs[filepath.Dir(f)] {
			if strings.HasSuffix(f, ".go") {
				keys[k] = true
			}
		}
		base := filepath.Base(f)
		if (strings.HasSuffix(f, ".go") && d.appDirs[filepath.Dir(f)]) || base == "cdktf.json" || (base == "go.mod" && filepath.Dir(f) == d.o.ProjectDir) {
			stack = true
		}
	}
	d.mu.Unlock()
	if len(keys) > 0 {
		d.buildKeys(ctx, slices.Sorted(maps.Keys(keys)), true)
	}
	if !stack || ctx.Err() != nil {
		return
	}
	fmt.Fprintf(d.out, "%s the app changed: synthesizing and deploying what changed…\n", d.style.Bold("↻"))
	m, applied, err := d.o.Deploy(ctx)
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(d.out, "%s %v\n  still running the last deployed version\n", d.style.Red("✗ Deploy failed:"), err)
		}
		return
	}
	// Delete phases run on the handlers of the manifest before the
	// deploy (a removed Script's are gone from the new one), the others
	// once the new one is loaded.
	deletes, err := ScriptRuns(d.Manifest(), applied, true)
	if err == nil {
		d.runScripts(ctx, deletes)
		err = d.load(ctx, m, false)
	}
	if err == nil {
		err = d.state.Write(d.o.Dir)
	}
	if err != nil {
		fmt.Fprintf(d.out, "%s %v\n", d.style.Red("✗"), err)
		return
	}
	if d.o.Reloaded != nil {
		d.o.Reloaded(m)
	}
	runs, err := ScriptRuns(m, applied, false)
	if err != nil {
		fmt.Fprintf(d.out, "%s %v\n", d.style.Red("✗"), err)
		return
	}
	d.runScripts(ctx, runs)
}

// logLine prints what a worker writes, tagged with its function.
func (d *Server) logLine(fn, requestID, line string) {
	fmt.Fprintf(d.out, "%s %s\n", d.style.Dim(fn+" |"), line)
}

// printRecord prints one line per invocation, and an error's trace.
func (d *Server) printRecord(r Record) {
	st := d.style
	dur := fmt.Sprintf("%.0fms", r.Duration)
	if r.Error == nil {
		fmt.Fprintf(d.out, "%s %s %s %s %s\n", st.Dim(r.Time.Local().Format("15:04:05")), st.Green("✓"), st.Bold(r.Function), r.Source, st.Dim(dur))
		return
	}
	fmt.Fprintf(d.out, "%s %s %s %s %s %s\n", st.Dim(r.Time.Local().Format("15:04:05")), st.Red("✗"), st.Bold(r.Function), r.Source, st.Dim(dur), st.Red(r.Error.Error()))
	for _, l := range r.Error.Trace {
		fmt.Fprintf(d.out, "      %s\n", l)
	}
}

// printCall prints one line per aws route call, like printRecord's.
func (d *Server) printCall(c AWSCall) {
	st := d.style
	dur := st.Dim(fmt.Sprintf("%dms", c.Duration.Milliseconds()))
	if c.Err == "" {
		fmt.Fprintf(d.out, "%s %s %s %s %d %s\n", st.Dim(c.Time.Local().Format("15:04:05")), st.Green("✓"), st.Bold(c.Subtype), c.Source, c.Status, dur)
		return
	}
	fmt.Fprintf(d.out, "%s %s %s %s %d %s %s\n", st.Dim(c.Time.Local().Format("15:04:05")), st.Red("✗"), st.Bold(c.Subtype), c.Source, c.Status, dur, st.Red(c.Err))
}

// startSites runs each site's dev command when asked to, else says how.
func (d *Server) startSites(ctx context.Context) {
	sites := Sites(d.m)
	if len(sites) == 0 {
		return
	}
	outs, err := deploy.ReadOutputs(d.o.OutputsPath)
	if err != nil {
		fmt.Fprintf(d.out, "%s %v\n", d.style.Yellow("warning:"), err)
		return
	}
	for _, c := range sites {
		dir := filepath.Join(d.o.ProjectDir, filepath.FromSlash(c.Data[manifest.SitePath]))
		if !d.o.RunSites {
			fmt.Fprintf(d.out, "%s run its dev server with: (cd %s && sst env -- npm run dev)\n", d.style.Bold("Site "+c.ID+":"), c.Data[manifest.SitePath])
			continue
		}
		env, err := SiteEnv(c, outs)
		if err != nil {
			fmt.Fprintf(d.out, "%s %v\n", d.style.Yellow("warning:"), err)
			continue
		}
		d.state.Localize(env)
		cmd := exec.CommandContext(ctx, "npm", "run", "dev")
		cmd.Dir = dir
		cmd.Env = stageenv.Merge(d.o.Environ, env)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		pw := &progress.PrefixWriter{W: d.out, Prefix: d.style.Dim(c.ID+" |") + " "}
		cmd.Stdout, cmd.Stderr = pw, pw
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(d.out, "%s site %s: npm run dev: %v\n", d.style.Yellow("warning:"), c.ID, err)
			continue
		}
		fmt.Fprintf(d.out, "%s npm run dev in %s\n", d.style.Bold("Site "+c.ID+":"), c.Data[manifest.SitePath])
		d.sites = append(d.sites, cmd)
	}
}

func (d *Server) stopSites() {
	for _, c := range d.sites {
		if c.Process != nil {
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = c.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			}
		}
	}
}

// workerAWSEnv is what local handlers need to reach the stage's AWS: the
// CLI's credentials and region, and the emulator endpoint if there is one.
func workerAWSEnv(ctx context.Context, cfg aws.Config, endpoint string) (map[string]string, error) {
	env := map[string]string{"AWS_REGION": cfg.Region, "AWS_DEFAULT_REGION": cfg.Region}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials for local functions: %w", err)
	}
	env["AWS_ACCESS_KEY_ID"] = creds.AccessKeyID
	env["AWS_SECRET_ACCESS_KEY"] = creds.SecretAccessKey
	if creds.SessionToken != "" {
		env["AWS_SESSION_TOKEN"] = creds.SessionToken
	}
	if endpoint != "" {
		env["AWS_ENDPOINT_URL"] = endpoint
		env[manifest.EnvEndpoint] = endpoint
	}
	return env, nil
}

// appPackageDirs lists the directories of the app's own Go packages (the
// module's packages `go run .` compiles): editing one changes the stacks.
func appPackageDirs(ctx context.Context, projectDir string) map[string]bool {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", ".")
	cmd.Dir = projectDir
	out, err := cmd.Output()
	dirs := map[string]bool{projectDir: true}
	if err != nil {
		return dirs
	}
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			dirs[l] = true
		}
	}
	return dirs
}
