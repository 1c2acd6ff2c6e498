// Package synth runs a project's app command (cdktf.json "app") to produce
// Terraform JSON and the manifest for one stage.
//
// The app writes into a fresh directory next to the stage's output
// directory, which replaces the old one only when the app succeeded: a
// broken build must not leave half-written stacks that a later deploy, or
// plain `terraform apply`, would pick up.
package synth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// Options configures one synthesis.
type Options struct {
	// ProjectDir is the absolute project root; the app runs there.
	ProjectDir string
	// App is the shell command from cdktf.json.
	App string
	// OutDir is the stage output directory, e.g. <project>/.sst/out/dev.
	OutDir   string
	Stage    string
	Region   string
	Profile  string
	Endpoint string
	// Env is the base environment (os.Environ() in production).
	Env []string
	// Log, when set, receives the app's output live (--verbose).
	Log io.Writer
}

// Result is a successful synthesis.
type Result struct {
	OutDir   string
	Manifest *manifest.Manifest
	Duration time.Duration
	// Output is what the app printed (stdout and stderr interleaved); apps
	// print warnings worth showing even on success.
	Output string
	// Reused says the app did not run: the stage's last synthesis was
	// still current (Reusable).
	Reused bool
}

// Error is a failed app run. Its message carries the tail of the app's
// stderr, which is where construct validation errors and Go compiler errors
// appear.
type Error struct {
	App    string
	Err    error
	Stderr string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("synth failed: %q: %v", e.App, e.Err)
	if s := Tail(trimGoRunStatus(e.Stderr), 40); s != "" {
		msg += "\n" + s
	}
	return msg
}

// trimGoRunStatus drops the "exit status N" line `go run` appends after a
// failed program: the exit status is already in the first line.
func trimGoRunStatus(s string) string {
	t := strings.TrimRight(s, "\n")
	if i := strings.LastIndex(t, "\n"); i >= 0 && strings.HasPrefix(t[i+1:], "exit status ") {
		return t[:i]
	}
	if strings.HasPrefix(t, "exit status ") {
		return ""
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs the app and returns the manifest it wrote.
func Run(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	parent := filepath.Dir(o.OutDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	// Same parent, same depth: relative paths the app writes (local backend
	// state, artifacts) resolve identically before and after the rename.
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(o.OutDir)+".synth-")
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()

	env := Env(o.Env, o, tmp)
	builds := prebuild(o, env)
	defer builds.Close()
	read := appInputs(ctx, o, env)

	var combined, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-c", o.App)
	cmd.Dir = o.ProjectDir
	cmd.Env = env
	killGroupOnCancel(cmd)
	// A descendant that left the group may still hold the pipes open.
	cmd.WaitDelay = 2 * time.Second
	// exec copies stdout and stderr in separate goroutines; the writers
	// they share must be serialized.
	var mu sync.Mutex
	shared := lockedWriter{mu: &mu, w: &combined}
	var outW, errW io.Writer = shared, lockedWriter{mu: &mu, w: io.MultiWriter(&combined, &stderr)}
	if o.Log != nil {
		outW = lockedWriter{mu: &mu, w: io.MultiWriter(&combined, o.Log)}
		errW = lockedWriter{mu: &mu, w: io.MultiWriter(&combined, &stderr, o.Log)}
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		se := stderr.String()
		if strings.TrimSpace(se) == "" {
			// Some apps log errors to stdout; better than nothing.
			se = combined.String()
		}
		return nil, &Error{App: o.App, Err: err, Stderr: se}
	}

	m, err := manifest.Read(tmp)
	if err != nil {
		return nil, fmt.Errorf("app %q exited successfully but wrote no usable manifest into $%s: %w", o.App, manifest.EnvOutDir, err)
	}
	if m.Stage != "" && m.Stage != o.Stage {
		return nil, fmt.Errorf("app synthesized stage %q, expected %q: does the app read $%s?", m.Stage, o.Stage, manifest.EnvStage)
	}
	for _, s := range m.Stacks {
		if _, err := os.Stat(filepath.Join(tmp, filepath.FromSlash(s.Dir), "cdk.tf.json")); err != nil {
			return nil, fmt.Errorf("manifest lists stack %s but %s/cdk.tf.json is missing", s.Name, s.Dir)
		}
	}
	if err := record(tmp, m, read, env); err != nil {
		return nil, fmt.Errorf("record what the synthesis read: %w", err)
	}
	carryTerraformDirs(o.OutDir, tmp, m)
	if err := swap(o.OutDir, tmp); err != nil {
		return nil, err
	}
	keep = true
	return &Result{OutDir: o.OutDir, Manifest: m, Duration: time.Since(start), Output: combined.String()}, nil
}

// appLDFlags is the GOFLAGS entry the app's `go run` gets (see Env).
const appLDFlags = "-ldflags=-w"

// Env builds the app's environment: base plus the SST_* contract.
func Env(base []string, o Options, outDir string) []string {
	env := append([]string(nil), base...)
	// A variable may appear more than once (a caller appending an
	// override); like exec, the last one counts.
	set := func(k, v string) {
		kept := env[:0]
		for _, kv := range env {
			if !strings.HasPrefix(kv, k+"=") {
				kept = append(kept, kv)
			}
		}
		env = append(kept, k+"="+v)
	}
	get := func(k string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], k+"="); ok {
				return v
			}
		}
		return ""
	}
	set(manifest.EnvStage, o.Stage)
	// Region and profile pass through from the environment unless given:
	// the app owns the default.
	if o.Region != "" {
		set(manifest.EnvRegion, o.Region)
	}
	if o.Profile != "" {
		set(manifest.EnvProfile, o.Profile)
	}
	if o.Endpoint != "" {
		set(manifest.EnvEndpoint, o.Endpoint)
	}
	set(manifest.EnvOutDir, outDir)
	set(manifest.EnvProjectDir, o.ProjectDir)
	// The app is built to run once: without DWARF its link (≈85 MB with
	// the CDKTF bindings) takes ≈0.9 CPU s less of the ≈2.8 a changed app
	// costs. An -ldflags of the user's, in GOFLAGS or the app command,
	// wins (a command-line flag overrides GOFLAGS').
	if cur := get("GOFLAGS"); !strings.Contains(cur, "-ldflags") {
		set("GOFLAGS", strings.TrimSpace(cur+" "+appLDFlags))
	}
	// jsii's Node child prints an end-of-life banner on every run unless
	// told this Node major is fine. Keep a user's list and add ours.
	const silence = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
	if cur := get(silence); cur == "" {
		set(silence, "20")
	} else if !containsItem(cur, "20") {
		set(silence, cur+",20")
	}
	return env
}

func containsItem(list, item string) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == item {
			return true
		}
	}
	return false
}

// carryTerraformDirs moves each stack's .terraform directory and lock file
// from the previous synthesis into the new one, so init does not re-resolve
// providers and the selected workspace survives. Best effort: a missing or
// unmovable directory only costs a slower init.
func carryTerraformDirs(oldOut, newOut string, m *manifest.Manifest) {
	for _, s := range m.Stacks {
		for _, name := range []string{".terraform", ".terraform.lock.hcl"} {
			from := filepath.Join(oldOut, filepath.FromSlash(s.Dir), name)
			to := filepath.Join(newOut, filepath.FromSlash(s.Dir), name)
			if _, err := os.Lstat(from); err != nil {
				continue
			}
			if _, err := os.Lstat(to); err == nil {
				continue // the app wrote its own; trust it
			}
			_ = os.Rename(from, to)
		}
	}
}

// swap replaces dst with src. Two renames are not one atomic step, but a
// crash in between leaves the old output in the .old directory, and the
// next synthesis overwrites both.
func swap(dst, src string) error {
	old := dst + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replace %s: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		_ = os.Rename(old, dst)
		return fmt.Errorf("replace %s: %w", dst, err)
	}
	return os.RemoveAll(old)
}

// Tail returns the last n non-empty-trailing lines of s, with a note of how
// many were cut, so a failing `go run` prints its error, not a wall.
func Tail(s string, n int) string {
	s = strings.TrimRight(s, " \t\r\n")
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	cut := len(lines) - n
	return fmt.Sprintf("… (%d earlier lines omitted; rerun with --verbose)\n%s", cut, strings.Join(lines[cut:], "\n"))
}

// lockedWriter writes under a mutex shared by the writers of one process.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
