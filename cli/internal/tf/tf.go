// Package tf drives the terraform binary for one stack directory.
//
// It wraps terraform-exec with the few operations the CLI needs, turns
// terraform's machine-readable UI stream (-json) into Events for live
// progress, and turns failures into *Error or *LockError built from
// terraform's own diagnostics rather than raw stderr.
//
// # Cancellation
//
// Every operation takes a context. When it is cancelled, terraform receives
// SIGINT (never SIGKILL first): terraform then stops starting new resource
// operations, asks providers to stop, waits for in-flight calls, writes state
// and releases the lock — interrupting it harder is how state gets lost.
// terraform-exec already does this through exec.Cmd.Cancel (os.Interrupt)
// and exec.Cmd.WaitDelay; commands this package runs itself copy that setup.
// Only if terraform is still running after Options.GracePeriod is it killed.
//
// On Linux terraform runs in its own process group (terraform-exec sets
// Setpgid and Pdeathsig=SIGKILL), so a Ctrl+C in the terminal reaches only
// the CLI, not terraform. The CLI must therefore turn SIGINT/SIGTERM into a
// cancelled context (signal.NotifyContext) and wait for the operation to
// return; if the CLI itself dies, the kernel kills terraform.
//
// A Terraform runs one command at a time; concurrent calls are serialized.
// Use one Terraform per stack directory to run stacks in parallel.
package tf

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/sst-tf/sst/internal/tfconfig"
)

// DefaultGracePeriod is how long terraform may take to shut down after its
// context is cancelled. It is long because a provider may be waiting on a
// cloud API call that cannot be abandoned without orphaning the resource.
const DefaultGracePeriod = 2 * time.Minute

// Options configures a Terraform.
type Options struct {
	Dir    string            // the stack's working dir (holds cdk.tf.json)
	Binary string            // terraform or tofu executable; "" looks up "terraform" on PATH
	Env    map[string]string // extra env for terraform (AWS_*, TF_CLI_CONFIG_FILE…), merged over os.Environ(); "" unsets
	Log    io.Writer         // when non-nil, terraform's raw stdout/stderr is copied here (--verbose)

	// GracePeriod bounds how long terraform may keep running after the
	// context is cancelled before it is killed; 0 means DefaultGracePeriod.
	GracePeriod time.Duration
}

// Terraform runs terraform commands in one directory.
type Terraform struct {
	dir       string
	bin       string
	name      string // the command as users type it: terraform or tofu
	env       map[string]string
	log       io.Writer
	grace     time.Duration
	tf        *tfexec.Terraform
	mu        sync.Mutex
	workspace string
}

// New checks that the directory and the terraform binary exist; it runs
// nothing.
func New(opts Options) (*Terraform, error) {
	if opts.Dir == "" {
		return nil, errors.New("tf: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("tf: stack directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("tf: stack directory %s is not a directory", dir)
	}

	bin := opts.Binary
	if bin == "" {
		bin = "terraform"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		if opts.Binary == "" {
			return nil, errors.New("terraform was not found on PATH: install Terraform 1.5 or newer (https://developer.hashicorp.com/terraform/install) and try again")
		}
		return nil, fmt.Errorf("terraform binary %q: %w", opts.Binary, err)
	}

	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for k, v := range opts.Env {
		if v == "" {
			// Unsetting lets callers drop inherited variables such as
			// AWS_PROFILE, which would otherwise beat the credentials given.
			delete(env, k)
			continue
		}
		env[k] = v
	}
	// terraform-exec refuses variables it manages itself (TF_IN_AUTOMATION,
	// TF_LOG*, TF_WORKSPACE, TF_CLI_ARGS*…). Dropping them is what we want
	// anyway: TF_WORKSPACE or TF_CLI_ARGS from a user's shell would silently
	// change which stage a deploy touches or which flags it runs with.
	env = tfexec.CleanEnv(env)
	env["CHECKPOINT_DISABLE"] = valueOr(env["CHECKPOINT_DISABLE"], "1")

	x, err := tfexec.NewTerraform(dir, path)
	if err != nil {
		return nil, err
	}
	if err := x.SetEnv(env); err != nil {
		return nil, err
	}
	grace := opts.GracePeriod
	if grace <= 0 {
		grace = DefaultGracePeriod
	}
	// SetWaitDelay only fails on Windows, where terraform cannot be
	// interrupted gracefully at all and cancellation kills it.
	_ = x.SetWaitDelay(grace)

	var log io.Writer
	if opts.Log != nil {
		log = &lockedWriter{w: opts.Log}
	}
	name := strings.TrimSuffix(filepath.Base(path), ".exe")
	return &Terraform{dir: dir, bin: path, name: name, env: env, log: log, grace: grace, tf: x}, nil
}

// Dir is the absolute working directory.
func (t *Terraform) Dir() string { return t.dir }

// Init initializes the working directory: -input=false, -upgrade=false, and
// -reconfigure so that a changed backend block never waits for an answer to
// a state-migration prompt.
func (t *Terraform) Init(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, w, stderr := t.stream(nil)
	err := t.tf.InitJSON(ctx, w, tfexec.Upgrade(false), tfexec.Reconfigure(true))
	return t.check(ctx, "init", err, p, stderr)
}

// initStamp names the file, inside terraform's data directory, recording
// what the last successful Init initialized the directory for.
const initStamp = "sst-init.sha256"

// EnsureInit is Init unless the directory is already initialized for the
// same configuration: the same terraform binary and CLI configuration (the
// provider mirror and cache), the same terraform and module blocks of
// cdk.tf.json (backend, required providers, module sources) and the same
// dependency lock file. Every command touching a stack starts with it, and
// an init of an initialized directory still costs a terraform start and a
// checksum of the provider package (≈1.5 CPU s for the AWS provider). The
// stamp lives in the data directory, so deleting .terraform forgets it.
func (t *Terraform) EnsureInit(ctx context.Context) error {
	want, ok := t.initKey()
	if ok {
		if got, err := os.ReadFile(t.stampPath()); err == nil && string(got) == want {
			return nil
		}
	}
	// A failed or interrupted init must not leave an old stamp behind.
	os.Remove(t.stampPath())
	if err := t.Init(ctx); err != nil {
		return err
	}
	// Init writes the lock file on first use: the key is taken again.
	if want, ok := t.initKey(); ok {
		// The stamp only saves time; failing to write it changes nothing.
		_ = os.WriteFile(t.stampPath(), []byte(want), 0o644)
	}
	return nil
}

func (t *Terraform) dataDir() string {
	data := valueOr(t.env["TF_DATA_DIR"], ".terraform")
	if !filepath.IsAbs(data) {
		data = filepath.Join(t.dir, data)
	}
	return data
}

func (t *Terraform) stampPath() string { return filepath.Join(t.dataDir(), initStamp) }

// initKey is the hash of everything `terraform init` acts on; ok is false
// when any of it cannot be read, and then Init always runs.
func (t *Terraform) initKey() (key string, ok bool) {
	h := sha256.New()
	part := func(name string, b []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	bin, err := os.Stat(t.bin)
	if err != nil {
		return "", false
	}
	part("binary", []byte(fmt.Sprintf("%s %d %d", t.bin, bin.Size(), bin.ModTime().UnixNano())))
	part("plugin cache", []byte(t.env["TF_PLUGIN_CACHE_DIR"]))
	if rc := t.env["TF_CLI_CONFIG_FILE"]; rc != "" {
		b, err := os.ReadFile(rc)
		if err != nil {
			return "", false
		}
		part("cli config "+rc, b)
	}
	raw, err := os.ReadFile(filepath.Join(t.dir, "cdk.tf.json"))
	if err != nil {
		return "", false
	}
	var cfg map[string]json.RawMessage
	if json.Unmarshal(raw, &cfg) != nil {
		return "", false
	}
	part("terraform", cfg["terraform"])
	part("module", cfg["module"])
	lock, err := os.ReadFile(filepath.Join(t.dir, ".terraform.lock.hcl"))
	if err != nil {
		return "", false
	}
	part("lock", lock)
	// Init also records the backend and the providers in the data
	// directory; without them it is not initialized, whatever the stamp.
	for _, p := range []string{"terraform.tfstate", "providers"} {
		if _, err := os.Stat(filepath.Join(t.dataDir(), p)); err != nil {
			return "", false
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// Workspace selects the named workspace, creating it when missing. Each SST
// stage is one workspace, so each stage has its own state.
func (t *Terraform) Workspace(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("tf: empty workspace name")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.selected(name) {
		t.workspace = name
		return nil
	}
	// select -or-create (terraform 1.4+) does in one process what
	// terraform-exec needs two for (list, then select or new); every
	// terraform start counts when a deploy touches many stacks.
	_, stderr, err := t.run(ctx, "workspace", "select", "-or-create=true", "-no-color", name)
	if err != nil {
		return t.fail(ctx, "workspace", err, nil, stderr)
	}
	t.workspace = name
	return nil
}

// Workspaces lists the backend's workspaces, sorted, "default" included.
// It creates nothing, unlike Workspace: a command that only reads or
// destroys state looks first, so a mistyped stage leaves no empty
// workspace behind.
func (t *Terraform) Workspaces(ctx context.Context) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out, stderr, err := t.run(ctx, "workspace", "list", "-no-color")
	if err != nil {
		return nil, t.fail(ctx, "workspace", err, nil, stderr)
	}
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if n := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "*")); n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// selected reports whether name is already the current workspace of a
// directory on the local backend, so that `workspace select` (a terraform
// start and a provider checksum, ≈0.9 CPU s) can be skipped. The local
// backend treats a selected workspace without state as empty and creates
// its directory on the first write, so skipping there changes nothing;
// other backends may need the workspace created, and always get the select.
func (t *Terraform) selected(name string) bool {
	env, err := os.ReadFile(filepath.Join(t.dataDir(), "environment"))
	if err != nil || strings.TrimSpace(string(env)) != name {
		return false
	}
	b, err := os.ReadFile(filepath.Join(t.dataDir(), "terraform.tfstate"))
	if err != nil {
		return false
	}
	var st struct {
		Backend struct {
			Type string `json:"type"`
		} `json:"backend"`
	}
	return json.Unmarshal(b, &st) == nil && st.Backend.Type == "local"
}

// Apply runs terraform apply -auto-approve and reports progress to on (which
// may be nil) as it happens, from a single goroutine, before Apply returns.
// The Summary is returned even on error, so the caller can show what was
// done before the failure.
func (t *Terraform) Apply(ctx context.Context, on func(Event)) (*Summary, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := time.Now()
	p, w, stderr := t.stream(on)
	err := t.tf.ApplyJSON(ctx, w, tfexec.LockTimeout("0s"))
	return p.finish(start), t.check(ctx, "apply", err, p, stderr)
}

// Plan runs terraform plan; Summary.Changes lists the planned changes. It
// does not save the plan: Apply plans again.
func (t *Terraform) Plan(ctx context.Context, on func(Event)) (*Summary, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := time.Now()
	p, w, stderr := t.stream(on)
	_, err := t.tf.PlanJSON(ctx, w, tfexec.LockTimeout("0s"))
	return p.finish(start), t.check(ctx, "plan", err, p, stderr)
}

// PlanDetail is Plan that also returns each planned resource change with
// its attributes (old → new, sensitive values masked), read back from the
// saved plan with `terraform show -json`. The plan file, which may hold
// secrets, is deleted before PlanDetail returns.
func (t *Terraform) PlanDetail(ctx context.Context, on func(Event)) (*Summary, []ResourceDiff, error) {
	tmp, err := os.MkdirTemp("", "sst-plan-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	sum, show, err := t.SavePlan(ctx, filepath.Join(tmp, "plan"), on)
	if err != nil {
		return sum, nil, err
	}
	diffs, err := ParsePlan(show)
	return sum, diffs, err
}

// SavePlan is Plan that keeps the plan in file (terraform plan -out), for
// ApplyPlan to apply exactly, and also returns it as `terraform show -json`
// renders it (ParsePlan reads that). Both hold sensitive values in clear.
func (t *Terraform) SavePlan(ctx context.Context, file string, on func(Event)) (*Summary, []byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := time.Now()
	p, w, stderr := t.stream(on)
	_, err := t.tf.PlanJSON(ctx, w, tfexec.LockTimeout("0s"), tfexec.Out(file))
	sum := p.finish(start)
	if err := t.check(ctx, "plan", err, p, stderr); err != nil {
		return sum, nil, err
	}
	out, errs, err := t.runLogged(ctx, false, "show", "-json", "-no-color", file)
	if err != nil {
		return sum, nil, t.fail(ctx, "show", err, nil, errs)
	}
	return sum, []byte(out), nil
}

// ApplyPlan applies a plan SavePlan saved, and nothing else: terraform
// itself refuses it ("Saved plan is stale", Error.Hint says what to do)
// when the state changed after the plan was made.
func (t *Terraform) ApplyPlan(ctx context.Context, file string, on func(Event)) (*Summary, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	start := time.Now()
	p, w, stderr := t.stream(on)
	err = t.tf.ApplyJSON(ctx, w, tfexec.LockTimeout("0s"), tfexec.DirOrPlan(abs))
	return p.finish(start), t.check(ctx, "apply", err, p, stderr)
}

// Destroy runs terraform destroy -auto-approve.
func (t *Terraform) Destroy(ctx context.Context, on func(Event)) (*Summary, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := time.Now()
	p, w, stderr := t.stream(on)
	err := t.tf.DestroyJSON(ctx, w, tfexec.LockTimeout("0s"))
	return p.finish(start), t.check(ctx, "destroy", err, p, stderr)
}

// Output is one root module output. Sensitive values are included: callers
// decide whether to print them.
type Output struct {
	Value     json.RawMessage
	Sensitive bool
}

// Outputs reads the current workspace's root outputs from state.
func (t *Terraform) Outputs(ctx context.Context) (map[string]Output, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	stderr := t.plain()
	raw, err := t.tf.Output(ctx)
	if err != nil {
		return nil, t.check(ctx, "output", err, nil, stderr)
	}
	out := make(map[string]Output, len(raw))
	for k, v := range raw {
		out[k] = Output{Value: v.Value, Sensitive: v.Sensitive}
	}
	return out, nil
}

// StateList returns the addresses of all resources in the current
// workspace's state, sorted; an empty or missing state gives none.
func (t *Terraform) StateList(ctx context.Context) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out, stderr, err := t.run(ctx, "state", "list")
	if err != nil {
		// A workspace that never applied has no state at all; that is an
		// empty list, not a failure.
		if strings.Contains(stderr, "No state file was found") {
			return nil, nil
		}
		return nil, t.fail(ctx, "state list", err, nil, stderr)
	}
	var addrs []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			addrs = append(addrs, s)
		}
	}
	sort.Strings(addrs)
	return addrs, nil
}

// StatePull returns the current workspace's state as terraform stores it
// (JSON, format v4): what `sst dev` reads values known only after deploy
// from. A workspace that never applied gives nil.
func (t *Terraform) StatePull(ctx context.Context) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out, stderr, err := t.run(ctx, "state", "pull")
	if err != nil {
		return nil, t.fail(ctx, "state pull", err, nil, stderr)
	}
	if strings.TrimSpace(out) == "" {
		return nil, nil
	}
	return []byte(out), nil
}

// StateRm forgets resources without destroying them. All addresses are
// removed in one terraform run, so either all are removed or none.
func (t *Terraform) StateRm(ctx context.Context, addrs ...string) error {
	if len(addrs) == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	args := append([]string{"state", "rm", "-no-color", "-lock-timeout=0s"}, addrs...)
	_, stderr, err := t.run(ctx, args...)
	if err != nil {
		return t.fail(ctx, "state rm", err, nil, stderr)
	}
	return nil
}

// ForceUnlock releases a state lock left behind by a terraform run that
// died. The ID comes from LockError.ID.
func (t *Terraform) ForceUnlock(ctx context.Context, lockID string) error {
	if lockID == "" {
		return errors.New("tf: force-unlock needs a lock ID")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	stderr := t.plain()
	if err := t.tf.ForceUnlock(ctx, lockID); err != nil {
		return t.check(ctx, "force-unlock", err, nil, stderr)
	}
	return nil
}

// WriteCLIConfig writes a terraform CLI configuration (for TF_CLI_CONFIG_FILE)
// that installs registry.terraform.io providers from the filesystem mirror at
// mirrorDir (the parent of its registry.terraform.io directory) and caches
// them in pluginCacheDir, so that each stack's .terraform links to the
// provider instead of holding a copy. Either argument may be empty to leave
// that part at terraform's default.
func WriteCLIConfig(path, mirrorDir, pluginCacheDir string) error {
	return tfconfig.Write(path, mirrorDir, pluginCacheDir)
}

// stream prepares a -json command: the returned writer, for terraform-exec's
// *JSON methods, feeds stdout to a parser (and Log); stderr is kept for
// errors terraform prints outside the stream.
func (t *Terraform) stream(on func(Event)) (*parser, io.Writer, *bytes.Buffer) {
	p := newParser(on)
	stderr := t.plain()
	return p, t.logged(p), stderr
}

// plain prepares the writers for a human-output command. The writers are
// reset for every command because terraform-exec keeps them between calls.
func (t *Terraform) plain() *bytes.Buffer {
	var stderr bytes.Buffer
	t.tf.SetStdout(t.logged(nil))
	t.tf.SetStderr(t.logged(&stderr))
	return &stderr
}

func (t *Terraform) logged(w io.Writer) io.Writer {
	switch {
	case w == nil && t.log == nil:
		return nil
	case w == nil:
		return t.log
	case t.log == nil:
		return w
	}
	return io.MultiWriter(w, t.log)
}

// run executes a terraform command that terraform-exec has no typed method
// for (state list, workspace select -or-create; state rm of several
// addresses at once), with the graceful-cancellation setup terraform-exec
// uses.
func (t *Terraform) run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	return t.runLogged(ctx, true, args...)
}

// runLogged is run, with stdout copied to Log only when logStdout is set:
// `show -json` of a plan holds sensitive values in clear.
func (t *Terraform) runLogged(ctx context.Context, logStdout bool, args ...string) (stdout, stderr string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Dir = t.dir
	cmd.Env = make([]string, 0, len(t.env)+1)
	for k, v := range t.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "TF_IN_AUTOMATION=1")
	cmd.Cancel = func() error { return interrupt(cmd.Process) }
	cmd.WaitDelay = t.grace
	setProcAttr(cmd)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	if logStdout {
		cmd.Stdout = t.logged(&out)
	}
	cmd.Stderr = t.logged(&errb)
	err = cmd.Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.String(), errb.String(), err
}

// check converts an error from terraform-exec into *Error or *LockError.
func (t *Terraform) check(ctx context.Context, op string, err error, p *parser, stderr *bytes.Buffer) error {
	if err == nil {
		return nil
	}
	var s string
	if stderr != nil {
		s = stderr.String()
	}
	return t.fail(ctx, op, err, p, s)
}

func (t *Terraform) fail(ctx context.Context, op string, err error, p *parser, stderr string) error {
	if ctx.Err() != nil {
		// terraform-exec's error matches both context.Canceled and
		// context.DeadlineExceeded whichever happened; report the real one.
		err = ctx.Err()
	}
	var diags []Diagnostic
	if p != nil {
		diags = p.diagnostics()
	}
	if !hasError(diags) {
		diags = append(diags, parseHuman(stderr)...)
	}
	hint := registryHint(diags)
	if hint == "" {
		hint = emulatorHint(diags)
	}
	if hint == "" {
		hint = staleHint(diags)
	}
	if hint == "" {
		hint = importHint(diags)
	}
	e := &Error{Op: op, Dir: t.dir, Diagnostics: diags, Err: err, Hint: hint}
	if le := lockError(diags); le != nil {
		le.Workspace = t.currentWorkspace()
		le.Command = t.name
		le.Err = e
		return le
	}
	return e
}

// currentWorkspace is the workspace this Terraform selected or, failing
// that, the one terraform recorded in its data directory.
func (t *Terraform) currentWorkspace() string {
	if t.workspace != "" {
		return t.workspace
	}
	b, err := os.ReadFile(filepath.Join(t.dataDir(), "environment"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// lockedWriter serializes writes: terraform's stdout and stderr are copied
// from separate goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func valueOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
