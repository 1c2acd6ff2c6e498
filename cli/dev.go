package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/console"
	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/manifest"
)

// defaultDevPort is where the first local API Gateway listens unless
// --port says otherwise.
const defaultDevPort = 3000

type devOptions struct {
	port         int
	portExplicit bool
	runSites     bool
	consolePort  int
}

func newDevCmd(f *Factory, g *Globals) *cobra.Command {
	o := &devOptions{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Deploy the stage, then run its functions locally with live reload",
		Long: `Deploys the stage (like sst deploy), then runs every function's handler on
this machine, with the environment and bindings it has when deployed, so
handlers read and write the stage's real tables, buckets and queues.

Each Api gets a local HTTP server that plays API Gateway (payload format
2.0: routes, path parameters, query strings, cookies, base64 bodies, CORS,
JWT and Lambda authorizers). Edited handlers are rebuilt and the next request
runs the new code; edited stacks are synthesized and deployed again (only
the stacks that changed). Every invocation is logged with its output and
kept in .sst/dev/<stage>/invocations.jsonl and shown live in the console
whose URL it prints (invoke, replay, logs, data). Ctrl-C stops everything.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.portExplicit = cmd.Flags().Changed("port")
			if o.port < 0 || o.port > 65535 {
				return fmt.Errorf("--port %d: use a TCP port between 1 and 65535 (0 picks a free one)", o.port)
			}
			return runCmd(f, g, cmd, o, runDev)
		},
	}
	cmd.Flags().IntVar(&o.port, "port", defaultDevPort, "port of the first Api's local server; later Apis take the next ones (a default port in use is skipped, an explicit one is an error)")
	cmd.Flags().IntVar(&o.consolePort, "console-port", 0, "port of the local console (default: a free one)")
	cmd.Flags().BoolVar(&o.runSites, "run-sites", false, "also run each site's `npm run dev` with its environment (local Api URLs)")
	return cmd
}

// devServer is one `sst dev` session.
type devServer struct {
	s   *session
	o   *devOptions
	out *lockedWriter
	dir string // .sst/dev/<stage>

	rt      *dev.Runtime
	hist    *dev.History
	builder *dev.Builder
	jwt     *dev.JWTVerifier

	mu       sync.Mutex
	m        *manifest.Manifest
	fns      map[string]manifest.Function // by id
	env      map[string]map[string]string // deployed environment by function id
	baseEnv  map[string]string            // AWS credentials, region, endpoint
	built    map[string]*dev.Built        // by build key
	buildErr map[string]error             // by build key, when no good build exists
	inputs   map[string][]string          // source file or Go package dir → build keys
	appDirs  map[string]bool              // directories of the app's own Go packages
	gws      map[string]*gatewaySlot
	state    dev.State
	nextPort int
	sites    []*exec.Cmd
	console  *console.Server
}

// gatewaySlot is one Api's listener; the handler behind it is swapped when
// the app is redeployed, so the URL stays the same.
type gatewaySlot struct {
	url string
	srv *http.Server
	h   atomic.Value          // http.Handler
	ws  *dev.WebSocketGateway // kept across redeploys: it holds the open connections
}

func (g *gatewaySlot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.h.Load().(http.Handler).ServeHTTP(w, r)
}

func runDev(ctx context.Context, s *session, o *devOptions) error {
	out := &lockedWriter{w: s.f.IO.Out}
	d := &devServer{
		s: s, o: o, out: out,
		dir:      filepath.Join(s.project.Path(manifest.SSTDir), "dev", s.stage),
		built:    map[string]*dev.Built{},
		buildErr: map[string]error{},
		inputs:   map[string][]string{},
		gws:      map[string]*gatewaySlot{},
		nextPort: o.port,
	}
	// For the whole session: its redeploys re-synthesize, and a deploy
	// from another terminal would change what its workers run against.
	if err := s.lockStage(); err != nil {
		return err
	}
	// Ports first: a taken explicit port should fail before a deploy.
	if o.portExplicit && o.port != 0 {
		if err := checkPort(o.port); err != nil {
			return err
		}
	}
	if err := checkConsolePort("--console-port", o.consolePort); err != nil {
		return err
	}
	if err := runDeploy(ctx, s, &deployOptions{parallel: defaultParallel}); err != nil {
		return err
	}
	m, err := manifest.Read(s.outDir())
	if err != nil {
		return err
	}

	rt, err := dev.NewRuntime(d.logLine)
	if err != nil {
		return err
	}
	d.rt = rt
	defer rt.Close()
	d.hist, err = dev.NewHistory(rt, filepath.Join(d.dir, "invocations.jsonl"))
	if err != nil {
		return err
	}
	defer d.hist.Close()
	d.hist.OnRecord = d.printRecord
	d.builder = dev.NewBuilder(s.project.Dir, d.dir)
	d.jwt = dev.NewJWTVerifier(s.endpoint)

	if err := d.load(ctx, m, true); err != nil {
		return err
	}
	defer d.stopGateways()
	d.state.PID = os.Getpid()
	d.state.Runtime = rt.Addr()
	d.state.History = d.hist.Path()
	if err := d.state.Write(d.dir); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(d.dir, dev.StateFile), err)
	}
	defer os.Remove(filepath.Join(d.dir, dev.StateFile))
	d.startSites(ctx)
	defer d.stopSites()
	if d.console, err = d.startConsole(ctx); err != nil {
		return err
	}
	defer d.console.Close()

	st := s.style
	fmt.Fprintf(out, "\n%s sst dev is running stage %s. Edit a handler or a stack and save; Ctrl-C stops.\n", st.Green("✓"), st.Bold(s.stage))
	w := dev.NewWatcher(s.project.Dir)
	w.Run(ctx, func(files []string) { d.changed(ctx, files) })
	fmt.Fprintf(out, "\nStopping…\n")
	return nil
}

func checkPort(port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("--port %d: the port is in use (another sst dev?): stop what holds it or pass another --port", port)
	}
	return ln.Close()
}

// load takes a (new) manifest: resolves each function's deployed
// environment, builds what changed, and (re)starts the Apis' gateways.
func (d *devServer) load(ctx context.Context, m *manifest.Manifest, first bool) error {
	s := d.s
	cfg, err := s.awsConfig(ctx, m)
	if err != nil {
		return err
	}
	base, err := workerAWSEnv(ctx, cfg, s.endpoint)
	if err != nil {
		return err
	}
	fns := map[string]manifest.Function{}
	for _, st := range m.Stacks {
		for _, fn := range st.Functions {
			fns[fn.ID] = fn
		}
	}
	env := deployedEnv(ctx, cfg, fns, func(msg string) { fmt.Fprintf(d.out, "%s %s\n", s.style.Yellow("warning:"), msg) })
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
	for _, id := range sortedMapKeys(fns) {
		fn := fns[id]
		prev, had := old[id]
		if had && dev.Key(prev) == dev.Key(fn) && maps.Equal(oldEnv[id], env[id]) && !first {
			continue
		}
		if k := dev.Key(fn); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	// Gateways first: their local URLs replace the deployed ones in the
	// environment of the functions built next.
	if err := d.startGateways(m, refs); err != nil {
		return err
	}
	start := time.Now()
	d.buildKeys(ctx, keys, !first)
	if first {
		fmt.Fprintf(d.out, "Built %d function(s) for this machine in %s\n", len(fns), progress.FormatDuration(time.Since(start)))
	}
	d.appDirs = appPackageDirs(ctx, s.project.Dir)
	return nil
}

// buildKeys builds each key's handler (in parallel, bounded by the
// builder) and points its functions at the result. A failed build keeps
// the last good one running.
func (d *devServer) buildKeys(ctx context.Context, keys []string, fresh bool) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			d.buildKey(ctx, k, fresh)
		}(k)
	}
	wg.Wait()
}

func (d *devServer) buildKey(ctx context.Context, key string, fresh bool) bool {
	d.mu.Lock()
	var ids []string
	for _, id := range sortedMapKeys(d.fns) {
		if dev.Key(d.fns[id]) == key {
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
	st := d.s.style
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
		keep := "no earlier build to fall back to: its requests fail until it builds"
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
	fnsOf := make([]*dev.Function, 0, len(ids))
	for _, id := range ids {
		fn := d.fns[id]
		env := map[string]string{}
		maps.Copy(env, d.env[id])
		// A bound Api's or WebSocketApi's URL is its local gateway's.
		d.state.Localize(env)
		maps.Copy(env, d.baseEnv)
		fnsOf = append(fnsOf, &dev.Function{
			ID: id, Name: fn.Name, Command: b.Command, Dir: b.Dir, Env: env,
			Timeout: time.Duration(fn.Timeout) * time.Second, Memory: fn.Memory, Handler: fn.Handler,
		})
	}
	d.mu.Unlock()
	for _, fn := range fnsOf {
		d.rt.Set(fn)
	}
	if fresh {
		fmt.Fprintf(d.out, "%s %s (%s) in %s\n", st.Green("↻ Rebuilt"), first.Handler, strings.Join(ids, ", "), progress.FormatDuration(time.Since(start)))
	}
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

// Invoke is what the gateways call: a function whose handler never built
// answers with the build error instead of a hang or a bare 500.
func (d *devServer) Invoke(ctx context.Context, fnID string, payload []byte, source string) (*dev.Result, error) {
	d.mu.Lock()
	fn, ok := d.fns[fnID]
	var berr error
	if ok {
		berr = d.buildErr[dev.Key(fn)]
	}
	d.mu.Unlock()
	if berr != nil {
		return &dev.Result{Err: &dev.FunctionError{Type: "Build.Failed", Message: berr.Error()}}, nil
	}
	return d.hist.Invoke(ctx, fnID, payload, source)
}

// startGateways gives every Api and WebSocketApi a local server (new ones
// a new port) and swaps in the current routes for existing ones.
func (d *devServer) startGateways(m *manifest.Manifest, refs func(string) string) error {
	st := d.s.style
	for _, stack := range m.Stacks {
		for _, c := range stack.Constructs {
			if c.Type != "Api" && c.Type != "WebSocketApi" {
				continue
			}
			c.Data = maps.Clone(c.Data)
			if raw := c.Data[manifest.DataApiDev]; raw != "" {
				c.Data[manifest.DataApiDev] = refs(raw)
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
			if c.Type == "Api" {
				gw, err := dev.NewGateway(c, stack.Routes, d, d.jwt)
				if err != nil {
					return err
				}
				gw.Warn = warn
				slot.h.Store(http.Handler(gw))
				routes = gw.Routes()
			} else {
				ws, err := dev.NewWebSocketGateway(c, stack.Routes, d)
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
			deployed := refs(c.Data[manifest.ApiURL])
			if strings.Contains(deployed, "${") {
				deployed = ""
			}
			if d.state.Apis == nil {
				d.state.Apis = map[string]dev.ApiURLs{}
			}
			d.state.Apis[c.ID] = dev.ApiURLs{Local: local, Deployed: deployed}
			if !existed {
				fmt.Fprintf(d.out, "%s %s  %s\n", st.Bold(c.Type+" "+c.ID+":"), local, st.Dim(strings.Join(routes, ", ")))
			}
		}
	}
	return nil
}

// listen takes the next port for a gateway: an explicit --port must be
// free, a default one moves on to the next free port.
func (d *devServer) listen() (*gatewaySlot, error) {
	for tries := 0; ; tries++ {
		port := d.nextPort
		if port != 0 {
			d.nextPort++
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			if d.o.portExplicit || tries > 100 {
				return nil, fmt.Errorf("port %d is in use: stop what holds it or pass another --port", port)
			}
			continue
		}
		if !d.o.portExplicit && port != d.o.port && tries > 0 {
			fmt.Fprintf(d.out, "%s port %d was in use; using %d\n", d.s.style.Yellow("note:"), port-1, port)
		}
		slot := &gatewaySlot{url: "http://" + ln.Addr().String()}
		slot.srv = &http.Server{Handler: slot, ReadHeaderTimeout: 10 * time.Second}
		go slot.srv.Serve(ln)
		return slot, nil
	}
}

func (d *devServer) stopGateways() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, g := range d.gws {
		if g.ws != nil {
			g.ws.Close()
		}
		_ = g.srv.Shutdown(ctx)
	}
}

// stateRefs reads the deployed state of stacks holding Apis, to resolve
// values known only after deploy (the Api's URL, a JWT issuer built from
// a user pool id). It returns a function that resolves what it can.
func (d *devServer) stateRefs(ctx context.Context, m *manifest.Manifest) (func(string) string, error) {
	s := d.s
	var lookups []func(typ, name, attr string) (string, bool)
	raw := &lockedWriter{w: io.Discard}
	for i := range m.Stacks {
		st := &m.Stacks[i]
		if !slices.ContainsFunc(st.Constructs, func(c manifest.Construct) bool { return c.Type == "Api" || c.Type == "WebSocketApi" }) {
			continue
		}
		t, err := s.stack(m, st, raw, nil).open(ctx)
		if err != nil {
			return nil, err
		}
		state, err := t.StatePull(ctx)
		if err != nil {
			return nil, err
		}
		lookups = append(lookups, dev.StateLookup(state))
	}
	return func(v string) string {
		out, _ := dev.ResolveRefs(v, func(typ, name, attr string) (string, bool) {
			for _, l := range lookups {
				if x, ok := l(typ, name, attr); ok {
					return jsonEscape(x), true
				}
			}
			return "", false
		})
		return out
	}, nil
}

// jsonEscape makes a value safe inside the JSON string it replaces a
// reference in (the Api's dev data is JSON).
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// changed reacts to saved files: handler sources rebuild their functions;
// the app's own packages re-synthesize and deploy.
func (d *devServer) changed(ctx context.Context, files []string) {
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
		if (strings.HasSuffix(f, ".go") && d.appDirs[filepath.Dir(f)]) || base == "cdktf.json" || (base == "go.mod" && filepath.Dir(f) == d.s.project.Dir) {
			stack = true
		}
	}
	d.mu.Unlock()
	if len(keys) > 0 {
		d.buildKeys(ctx, sortedMapKeys(keys), true)
	}
	if !stack || ctx.Err() != nil {
		return
	}
	fmt.Fprintf(d.out, "%s the app changed: synthesizing and deploying what changed…\n", d.s.style.Bold("↻"))
	if err := runDeploy(ctx, d.s, &deployOptions{parallel: defaultParallel}); err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(d.out, "%s %v\n  still running the last deployed version\n", d.s.style.Red("✗ Deploy failed:"), err)
		}
		return
	}
	m, err := manifest.Read(d.s.outDir())
	if err == nil {
		err = d.load(ctx, m, false)
	}
	if err == nil {
		err = d.state.Write(d.dir)
	}
	if err != nil {
		fmt.Fprintf(d.out, "%s %v\n", d.s.style.Red("✗"), err)
		return
	}
	d.refreshConsole(m)
}

// logLine prints what a worker writes, tagged with its function.
func (d *devServer) logLine(fn, requestID, line string) {
	fmt.Fprintf(d.out, "%s %s\n", d.s.style.Dim(fn+" |"), line)
}

// printRecord prints one line per invocation, and an error's trace.
func (d *devServer) printRecord(r dev.Record) {
	st := d.s.style
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

// startSites runs each site's dev command when asked to, else says how.
func (d *devServer) startSites(ctx context.Context) {
	sites := dev.Sites(d.m)
	if len(sites) == 0 {
		return
	}
	outs, err := deploy.ReadOutputs(d.s.outputsPath())
	if err != nil {
		fmt.Fprintf(d.out, "%s %v\n", d.s.style.Yellow("warning:"), err)
		return
	}
	for _, c := range sites {
		dir := filepath.Join(d.s.project.Dir, filepath.FromSlash(c.Data[manifest.SitePath]))
		if !d.o.runSites {
			fmt.Fprintf(d.out, "%s run its dev server with: (cd %s && sst env -- npm run dev)\n", d.s.style.Bold("Site "+c.ID+":"), c.Data[manifest.SitePath])
			continue
		}
		env, err := dev.SiteEnv(c, outs)
		if err != nil {
			fmt.Fprintf(d.out, "%s %v\n", d.s.style.Yellow("warning:"), err)
			continue
		}
		d.state.Localize(env)
		cmd := exec.CommandContext(ctx, "npm", "run", "dev")
		cmd.Dir = dir
		cmd.Env = mergeEnv(d.s.f.Environ(), env)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		pw := &prefixWriter{w: d.out, prefix: d.s.style.Dim(c.ID+" |") + " "}
		cmd.Stdout, cmd.Stderr = pw, pw
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(d.out, "%s site %s: npm run dev: %v\n", d.s.style.Yellow("warning:"), c.ID, err)
			continue
		}
		fmt.Fprintf(d.out, "%s npm run dev in %s\n", d.s.style.Bold("Site "+c.ID+":"), c.Data[manifest.SitePath])
		d.sites = append(d.sites, cmd)
	}
}

func (d *devServer) stopSites() {
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

// mergeEnv overlays vars on a KEY=VALUE environment.
func mergeEnv(base []string, vars map[string]string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := vars[k]; !over {
			out = append(out, kv)
		}
	}
	for _, k := range sortedMapKeys(vars) {
		out = append(out, k+"="+vars[k])
	}
	return out
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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

// deployedEnv reads each function's environment from Lambda: the values as
// deployed, with every reference resolved. Functions it cannot read fall
// back to the manifest's literal values, with one warning for all.
func deployedEnv(ctx context.Context, cfg aws.Config, fns map[string]manifest.Function, warn func(string)) map[string]map[string]string {
	client := lambda.NewFromConfig(cfg)
	out := map[string]map[string]string{}
	var mu sync.Mutex
	var failed, missing []string
	var firstErr error
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for id, fn := range fns {
		wg.Add(1)
		go func(id string, fn manifest.Function) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			env := map[string]string{}
			res, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn.Name)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res.Environment != nil:
				env = res.Environment.Variables
			case err != nil:
				failed = append(failed, id)
				if firstErr == nil {
					firstErr = err
				}
				for k, v := range fn.Environment {
					if strings.Contains(v, "${") {
						missing = append(missing, id+"."+k)
						continue
					}
					env[k] = v
				}
			}
			out[id] = env
		}(id, fn)
	}
	wg.Wait()
	if len(failed) > 0 && ctx.Err() == nil {
		sort.Strings(failed)
		sort.Strings(missing)
		msg := fmt.Sprintf("could not read the deployed environment of %s (%v); using the synthesized values", strings.Join(failed, ", "), firstErr)
		if len(missing) > 0 {
			msg += ", without " + strings.Join(missing, ", ")
		}
		warn(msg)
	}
	return out
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
