package tf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/internal/tfconfig"
)

// env is what every terraform in these tests runs with: the CLI config for
// the provider mirror and credentials for the one moto of this binary.
var (
	env  map[string]string
	moto *testenv.Moto
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := testenv.CheckTools(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "sst-tf-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	env, err = testenv.WriteTerraformEnv(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	moto, err = testenv.StartMoto()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer moto.Stop()
	for k, v := range testenv.AWSEnv(moto) {
		env[k] = v
	}
	return m.Run()
}

// provider is an aws provider block aimed at moto, as CDKTF would emit it.
func provider() map[string]any {
	return map[string]any{
		"terraform": map[string]any{
			"required_providers": map[string]any{
				"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.84"},
			},
		},
		"provider": map[string]any{
			"aws": []any{map[string]any{
				"region":                      "us-east-1",
				"access_key":                  "test",
				"secret_key":                  "test",
				"skip_credentials_validation": true,
				"skip_requesting_account_id":  true,
				"skip_metadata_api_check":     true,
				"s3_use_path_style":           true,
				"endpoints":                   []any{map[string]any{"ssm": moto.URL(), "s3": moto.URL(), "sts": moto.URL()}},
			}},
		},
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func newTF(t *testing.T, dir string) *Terraform {
	t.Helper()
	x, err := New(Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// ctx bounds one terraform command: a guard against a hang, not a speed
// check. At a load average of 25–30 on 2 cores (helpers sharing the
// machine), an apply of one SSM parameter took 150 s and a destroy 187 s,
// past the 3 minutes this was.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return c
}

// TestLifecycle walks one stack directory through what the CLI does, reusing
// one initialized directory because every provider start costs seconds.
func TestLifecycle(t *testing.T) {
	dir := t.TempDir()
	stack := provider()
	stack["resource"] = map[string]any{
		"aws_ssm_parameter": map[string]any{
			"p": map[string]any{"name": "/sst-tf-test/${terraform.workspace}/p", "type": "String", "value": "hello"},
		},
	}
	stack["output"] = map[string]any{
		"name": map[string]any{"value": "${aws_ssm_parameter.p.name}"},
		"arn":  map[string]any{"value": "${aws_ssm_parameter.p.arn}", "sensitive": true},
	}
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), stack)

	var log bytes.Buffer
	x, err := New(Options{Dir: dir, Env: env, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	const addr = "aws_ssm_parameter.p"

	mustStep(t, "init", func(t *testing.T) {
		if err := x.Init(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), "Terraform has been successfully initialized") {
			t.Errorf("Log did not receive terraform's output:\n%s", log.String())
		}
		assertProviderLinked(t, dir)
	})

	mustStep(t, "apply in workspace a", func(t *testing.T) {
		if err := x.Workspace(ctx(t), "a"); err != nil {
			t.Fatal(err)
		}
		var events []Event
		sum, err := x.Apply(ctx(t), func(e Event) { events = append(events, e) })
		if err != nil {
			t.Fatal(err)
		}
		if sum.Add != 1 || sum.Change != 0 || sum.Remove != 0 {
			t.Errorf("summary = %+v, want 1 added", sum)
		}
		if len(sum.Changes) != 1 || sum.Changes[0] != (Change{Address: addr, Action: "create"}) {
			t.Errorf("changes = %+v", sum.Changes)
		}
		if sum.Duration <= 0 {
			t.Errorf("duration = %v", sum.Duration)
		}
		for _, want := range []Event{
			{Kind: "planned", Address: addr, Action: "create"},
			{Kind: "start", Address: addr, Action: "create"},
			{Kind: "complete", Address: addr, Action: "create"},
			{Kind: "summary"},
			{Kind: "output", Address: "name"},
		} {
			if !hasEvent(events, want) {
				t.Errorf("no %+v event in %+v", want, events)
			}
		}
		for _, e := range events {
			if e.Kind == "output" && e.Address == "arn" && e.Message != "" {
				t.Errorf("sensitive output leaked into an event: %+v", e)
			}
		}
	})

	mustStep(t, "outputs", func(t *testing.T) {
		out, err := x.Outputs(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out["name"].Value); got != `"/sst-tf-test/a/p"` || out["name"].Sensitive {
			t.Errorf("name output = %s (sensitive %v)", got, out["name"].Sensitive)
		}
		if !out["arn"].Sensitive || !strings.Contains(string(out["arn"].Value), "arn:aws:ssm:us-east-1:123456789012:parameter/sst-tf-test/a/p") {
			t.Errorf("arn output = %+v", out["arn"])
		}
	})

	mustStep(t, "workspaces keep separate state", func(t *testing.T) {
		if err := x.Workspace(ctx(t), "b"); err != nil {
			t.Fatal(err)
		}
		if got, err := x.StateList(ctx(t)); err != nil || len(got) != 0 {
			t.Fatalf("state of new workspace b = %v, %v; want empty", got, err)
		}
		if err := x.Workspace(ctx(t), "a"); err != nil {
			t.Fatal(err)
		}
		if got, err := x.StateList(ctx(t)); err != nil || strings.Join(got, ",") != addr {
			t.Fatalf("state of a = %v, %v; want [%s]", got, err, addr)
		}
		// Selecting the current workspace again is a no-op, not an error.
		if err := x.Workspace(ctx(t), "a"); err != nil {
			t.Fatal(err)
		}
		err := x.Workspace(ctx(t), "Not A Name!")
		var te *Error
		if !errors.As(err, &te) || te.Op != "workspace" || strings.Contains(err.Error(), "\n") {
			t.Errorf("invalid workspace name: %v (%T)", err, err)
		}
		t.Logf("invalid workspace name: %v", err)
	})

	mustStep(t, "held lock is a LockError", func(t *testing.T) {
		release := holdLocalLock(t, filepath.Join(dir, "terraform.tfstate.d", "a", "terraform.tfstate"), "alice@ci")
		defer release()
		start := time.Now()
		_, err := x.Apply(ctx(t), nil)
		var le *LockError
		if !errors.As(err, &le) {
			t.Fatalf("err = %v (%T), want *LockError", err, err)
		}
		if le.ID != testLockID || le.Who != "alice@ci" || le.Operation != "OperationTypeApply" || le.Workspace != "a" {
			t.Errorf("lock error = %+v", le)
		}
		msg := err.Error()
		for _, want := range []string{"alice@ci", testLockID, "--stage a", "terraform force-unlock " + testLockID} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		var te *Error
		if !errors.As(err, &te) || te.Op != "apply" {
			t.Errorf("LockError should wrap the *Error, got %#v", le.Err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("locked apply took %v; it should fail before planning", d)
		}
	})

	mustStep(t, "invalid argument is an Error naming the resource", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.tf.json")
		writeJSON(t, bad, map[string]any{"resource": map[string]any{"aws_ssm_parameter": map[string]any{
			"bad": map[string]any{"name": "/sst-tf-test/bad", "type": "Bogus", "value": "v"},
		}}})
		defer os.Remove(bad)
		var diags []Event
		_, err := x.Apply(ctx(t), func(e Event) {
			if e.Kind == "diagnostic" {
				diags = append(diags, e)
			}
		})
		var te *Error
		if !errors.As(err, &te) {
			t.Fatalf("err = %v (%T), want *Error", err, err)
		}
		var le *LockError
		if errors.As(err, &le) {
			t.Fatalf("a config error is not a lock error: %v", err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "apply failed: aws_ssm_parameter.bad: ") || !strings.Contains(msg, "Bogus") || strings.Contains(msg, "\n") {
			t.Errorf("message = %q", msg)
		}
		if len(te.Diagnostics) == 0 || te.Diagnostics[0].File != "bad.tf.json" || te.Diagnostics[0].Line == 0 {
			t.Errorf("diagnostics = %+v", te.Diagnostics)
		}
		if len(diags) == 0 || diags[0].Severity != "error" || diags[0].Address != "aws_ssm_parameter.bad" {
			t.Errorf("diagnostic events = %+v", diags)
		}
	})

	// From here OpenTofu runs the directory terraform initialized, as when
	// a team switches a stage's engine (sst --engine tofu): it creates the
	// parameter in workspace b (the provider from the mirror under its own
	// registry host), is interrupted, and destroys it; terraform then
	// takes the directory back. No apply or destroy is added for it.
	// Without tofu (a developer who has not run `make tofu`; CI fails
	// instead) terraform runs these steps too.
	bin := testenv.TofuPath()
	if bin == "" && os.Getenv("CI") == "true" {
		testenv.Tofu(t)
	}
	tofu, err := New(Options{Dir: dir, Env: env, Log: &log, Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if err := tofu.EnsureInit(ctx(t)); err != nil {
		t.Fatalf("tofu init of terraform's directory: %v", err)
	}

	mustStep(t, "cancel stops tofu gracefully", func(t *testing.T) {
		x := tofu
		// terraform_data is built in and its local-exec provisioner blocks
		// for a minute: a deterministic in-flight operation to interrupt.
		slow := filepath.Join(dir, "slow.tf.json")
		writeJSON(t, slow, map[string]any{"resource": map[string]any{"terraform_data": map[string]any{
			"slow": map[string]any{
				"input":       "x",
				"depends_on":  []string{addr},
				"provisioner": []any{map[string]any{"local-exec": map[string]any{"command": "sleep 60"}}},
			},
		}}})
		defer os.Remove(slow)
		if err := x.Workspace(ctx(t), "b"); err != nil {
			t.Fatal(err)
		}
		c, cancel := context.WithCancel(ctx(t))
		defer cancel()
		var cancelled time.Time
		_, err := x.Apply(c, func(e Event) {
			if e.Kind == "start" && e.Address == "terraform_data.slow" && cancelled.IsZero() {
				cancelled = time.Now()
				cancel()
			}
		})
		if cancelled.IsZero() {
			t.Fatalf("apply never started terraform_data.slow: %v", err)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		var te *Error
		if !errors.As(err, &te) || err.Error() != "apply interrupted: context canceled" {
			t.Errorf("err = %q (%T)", err, err)
		}
		// Without a graceful stop terraform would sit out the 60 s sleep.
		stopped := time.Since(cancelled)
		t.Logf("terraform stopped %v after cancel", stopped)
		if stopped > 50*time.Second {
			t.Errorf("terraform took %v to stop", stopped)
		}
		// The state must be readable and unlocked: StateRm takes the lock
		// and rewrites the state.
		got, err := x.StateList(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if !contains(got, addr) {
			t.Errorf("state after cancel = %v; the parameter created before the cancel must be recorded", got)
		}
		if contains(got, "terraform_data.slow") {
			if err := x.StateRm(ctx(t), "terraform_data.slow"); err != nil {
				t.Fatalf("state rm after cancel: %v", err)
			}
		}
	})

	mustStep(t, "destroy by tofu", func(t *testing.T) {
		x := tofu
		var events []Event
		sum, err := x.Destroy(ctx(t), func(e Event) { events = append(events, e) })
		if err != nil {
			t.Fatal(err)
		}
		if sum.Remove != 1 || sum.Add != 0 {
			t.Errorf("destroy summary = %+v", sum)
		}
		if !hasEvent(events, Event{Kind: "complete", Address: addr, Action: "delete"}) {
			t.Errorf("no delete completion in %+v", events)
		}
		if got, err := x.StateList(ctx(t)); err != nil || len(got) != 0 {
			t.Errorf("state after destroy = %v, %v", got, err)
		}
	})

	mustStep(t, "held lock is a LockError under tofu", func(t *testing.T) {
		// OpenTofu reports a held lock with terraform's words, which the
		// parser reads; the hint names its own force-unlock.
		release := holdLocalLock(t, filepath.Join(dir, "terraform.tfstate.d", "b", "terraform.tfstate"), "bob@ci")
		defer release()
		_, err := tofu.Apply(ctx(t), nil)
		var le *LockError
		if !errors.As(err, &le) {
			t.Fatalf("err = %v (%T), want *LockError", err, err)
		}
		if le.ID != testLockID || le.Who != "bob@ci" || le.Workspace != "b" {
			t.Errorf("lock error = %+v", le)
		}
		if want := tofu.name + " force-unlock " + testLockID; !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	})

	mustStep(t, "state rm forgets without destroying", func(t *testing.T) {
		// OpenTofu's init added its provider to the lock file: terraform
		// initializes again, keeping both.
		if err := x.EnsureInit(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if err := x.Workspace(ctx(t), "a"); err != nil {
			t.Fatal(err)
		}
		if err := x.StateRm(ctx(t), addr); err != nil {
			t.Fatal(err)
		}
		if got, err := x.StateList(ctx(t)); err != nil || len(got) != 0 {
			t.Errorf("state after rm = %v, %v", got, err)
		}
		err := x.StateRm(ctx(t), "aws_ssm_parameter.nope")
		var te *Error
		if !errors.As(err, &te) || te.Op != "state rm" || strings.Contains(err.Error(), "\n") {
			t.Errorf("state rm of a missing address: %v (%T)", err, err)
		}
	})
}

// TestForceUnlock leaves a real stale lock behind — a terraform killed with
// SIGKILL while holding an S3 lockfile on moto — and releases it.
func TestForceUnlock(t *testing.T) {
	bucket := "sst-tf-test-state"
	req, _ := http.NewRequest(http.MethodPut, moto.URL()+"/"+bucket, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	dir := t.TempDir()
	// No aws provider: terraform_data keeps each run to about a second.
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"s3": map[string]any{
			"bucket": bucket, "key": "stack/terraform.tfstate", "region": "us-east-1",
			"use_lockfile": true, "use_path_style": true,
			"skip_credentials_validation": true, "skip_requesting_account_id": true, "skip_metadata_api_check": true,
			"endpoints": map[string]any{"s3": moto.URL()},
		}}},
		"resource": map[string]any{"terraform_data": map[string]any{
			"slow": map[string]any{"input": "x", "provisioner": []any{map[string]any{"local-exec": map[string]any{"command": "sleep 60"}}}},
		}},
	})
	x := newTF(t, dir)
	if err := x.Init(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := x.Workspace(ctx(t), "dev"); err != nil {
		t.Fatal(err)
	}

	killMidApply(t, dir)

	_, err = x.Plan(ctx(t), nil)
	var le *LockError
	if !errors.As(err, &le) {
		t.Fatalf("plan on a stale lock: %v (%T), want *LockError", err, err)
	}
	if le.ID == "" || le.Workspace != "dev" || !strings.Contains(err.Error(), "--stage dev") {
		t.Fatalf("lock error = %+v: %v", le, err)
	}

	if err := x.ForceUnlock(ctx(t), "not-the-lock-id"); err == nil {
		t.Error("force-unlock with a wrong ID succeeded")
	} else if _, ok := err.(*Error); !ok {
		t.Errorf("force-unlock error is %T, want *Error", err)
	}
	if err := x.ForceUnlock(ctx(t), le.ID); err != nil {
		t.Fatal(err)
	}
	sum, err := x.Plan(ctx(t), nil)
	if err != nil {
		t.Fatalf("plan after force-unlock: %v", err)
	}
	if sum.Add != 1 {
		t.Errorf("plan = %+v", sum)
	}
}

// killMidApply starts terraform apply in dir, waits until it is running the
// slow provisioner (so it holds the state lock), and kills it outright.
func killMidApply(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("terraform", "apply", "-auto-approve", "-input=false", "-json")
	cmd.Dir = dir
	cmd.Env = testenv.Environ(env)
	setKillableGroup(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	started := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"type":"apply_start"`) {
			started = true
			break
		}
	}
	killGroup(cmd)
	cmd.Wait()
	if !started {
		t.Fatal("terraform apply ended before it started applying")
	}
}

func TestWriteCLIConfig(t *testing.T) {
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	if err := WriteCLIConfig(rc, "/m", filepath.Join(dir, "cache")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(rc)
	for _, want := range []string{
		"filesystem_mirror {\n    path    = \"/m\"\n    include = [\"registry.terraform.io/*/*\"]",
		"direct {\n    exclude = [\"registry.terraform.io/*/*\"]",
		"plugin_cache_dir = \"" + filepath.Join(dir, "cache") + "\"",
		"plugin_cache_may_break_dependency_lock_file = true",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("config lacks %q:\n%s", want, b)
		}
	}
}

// TestWriteCLIConfigInit runs a real init with a config written by
// WriteCLIConfig and a fresh cache: the provider must come from the mirror
// and be linked, not copied.
func TestWriteCLIConfigInit(t *testing.T) {
	mirror, err := testenv.ProviderMirror()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	rc := filepath.Join(tmp, "terraformrc")
	if err := WriteCLIConfig(rc, mirror, filepath.Join(tmp, "cache")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "stack")
	os.Mkdir(dir, 0o755)
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{"terraform": map[string]any{
		"required_providers": map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.84"}},
	}})
	x, err := New(Options{Dir: dir, Env: map[string]string{"TF_CLI_CONFIG_FILE": rc}})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Init(ctx(t)); err != nil {
		t.Fatal(err)
	}
	assertProviderLinked(t, dir)
	if _, err := os.Stat(filepath.Join(dir, ".terraform.lock.hcl")); err != nil {
		t.Error(err)
	}
	if tfconfig.Render(mirror, filepath.Join(tmp, "cache")) == "" {
		t.Error("empty config")
	}
}

// TestEnginesShareMirror: with the CLI's configuration (tfconfig.WriteAliased)
// and a fresh cache, OpenTofu installs hashicorp/aws, which it reads as
// registry.opentofu.org/hashicorp/aws, from the same mirror as terraform,
// linked; one directory then switches engines both ways, as a stage does
// when a team moves to OpenTofu, and each init keeps what the other needs.
func TestEnginesShareMirror(t *testing.T) {
	tofu := testenv.Tofu(t)
	mirror, err := testenv.ProviderMirror()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	rc := filepath.Join(tmp, "terraformrc")
	if err := tfconfig.WriteAliased(rc, mirror, filepath.Join(tmp, "alias"), filepath.Join(tmp, "cache")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "stack")
	os.Mkdir(dir, 0o755)
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{"terraform": map[string]any{
		"required_providers": map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.84"}},
	}})
	lock := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
		return string(b)
	}
	for _, step := range []struct{ bin, host string }{{tofu, "registry.opentofu.org"}, {"", "registry.terraform.io"}, {tofu, "registry.opentofu.org"}} {
		x, err := New(Options{Dir: dir, Binary: step.bin, Env: map[string]string{"TF_CLI_CONFIG_FILE": rc}})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.EnsureInit(ctx(t)); err != nil {
			t.Fatalf("%s init: %v", x.name, err)
		}
		m, _ := filepath.Glob(filepath.Join(dir, ".terraform", "providers", step.host, "hashicorp", "aws", "*", "*"))
		if len(m) == 0 {
			t.Fatalf("%s: aws provider not installed under %s", x.name, step.host)
		}
		if fi, err := os.Lstat(m[0]); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s: %s is not a link into the plugin cache", x.name, m[0])
		}
		if !strings.Contains(lock(), `provider "`+step.host+`/hashicorp/aws"`) {
			t.Errorf("%s: the lock file has no %s/hashicorp/aws:\n%s", x.name, step.host, lock())
		}
	}
}

func TestInitError(t *testing.T) {
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{"terraform": map[string]any{
		"required_providers": map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": "99.0.0"}},
	}})
	err := newTF(t, dir).Init(ctx(t))
	var te *Error
	if !errors.As(err, &te) || te.Op != "init" {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "init failed: ") || !strings.Contains(msg, "hashicorp/aws") || strings.Contains(msg, "\n") {
		t.Errorf("message = %q", msg)
	}
}

// TestInitRegistryUnreachable: without a mirror and without a reachable
// registry (here a proxy that refuses every connection), init says what to set.
func TestInitRegistryUnreachable(t *testing.T) {
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{"terraform": map[string]any{
		"required_providers": map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.84"}},
	}})
	rc := filepath.Join(t.TempDir(), "empty.tfrc") // terraform's default installation: the registry
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := New(Options{Dir: dir, Env: map[string]string{"TF_CLI_CONFIG_FILE": rc, "HTTPS_PROXY": "http://127.0.0.1:1", "NO_PROXY": ""}})
	if err != nil {
		t.Fatal(err)
	}
	err = x.Init(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "could not connect to registry.terraform.io") ||
		!strings.Contains(err.Error(), "\n  the Terraform registry is unreachable from here: set SST_PROVIDER_MIRROR to a filesystem mirror") {
		t.Errorf("init without registry or mirror: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without Dir succeeded")
	}
	if _, err := New(Options{Dir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("New with a missing Dir succeeded")
	}
	if _, err := New(Options{Dir: t.TempDir(), Binary: "/nonexistent/terraform"}); err == nil {
		t.Error("New with a missing Binary succeeded")
	}
	t.Setenv("PATH", t.TempDir())
	_, err := New(Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "terraform was not found on PATH") {
		t.Errorf("New without terraform on PATH: %v", err)
	}
}

func assertProviderLinked(t *testing.T, dir string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", "*", "*"))
	if len(m) == 0 {
		t.Fatal("aws provider not installed")
	}
	if fi, err := os.Lstat(m[0]); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is not a symlink into the plugin cache (mode %v, %v)", m[0], fi.Mode(), err)
	}
}

// mustStep runs a subtest and stops the parent on failure, because each step
// builds on the state the previous ones left.
func mustStep(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasEvent(events []Event, want Event) bool {
	for _, e := range events {
		if e.Kind == want.Kind && (want.Address == "" || e.Address == want.Address) && (want.Action == "" || e.Action == want.Action) {
			return true
		}
	}
	return false
}

// TestEnsureInit: an initialized directory is not initialized again until
// something init acts on changes (the terraform block, the lock file) or
// the data directory is gone.
func TestEnsureInit(t *testing.T) {
	dir := t.TempDir()
	cfg := map[string]any{"terraform": map[string]any{
		"required_providers": map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": "~> 5.84"}},
		"backend":            map[string]any{"local": map[string]any{"path": "state/terraform.tfstate"}},
	}}
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), cfg)
	var log bytes.Buffer
	x, err := New(Options{Dir: dir, Env: env, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	inits := 0
	ensure := func(why string, want int) {
		t.Helper()
		if err := x.EnsureInit(ctx(t)); err != nil {
			t.Fatalf("%s: %v", why, err)
		}
		inits += want
		if got := strings.Count(log.String(), "Terraform has been successfully initialized"); got != inits {
			t.Fatalf("%s: %d inits in all, want %d", why, got, inits)
		}
	}
	ensure("first use", 1)
	assertProviderLinked(t, dir)
	ensure("unchanged", 0)

	// Outputs and resources are not init's business.
	cfg["output"] = map[string]any{"x": map[string]any{"value": "y"}}
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), cfg)
	ensure("an output added", 0)

	cfg["terraform"].(map[string]any)["backend"] = map[string]any{"local": map[string]any{"path": "other/terraform.tfstate"}}
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), cfg)
	ensure("the backend changed", 1)
	ensure("unchanged again", 0)

	lock := filepath.Join(dir, ".terraform.lock.hcl")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	ensure("the lock file deleted", 1)
	if _, err := os.Stat(lock); err != nil {
		t.Errorf("init did not write the lock file again: %v", err)
	}

	if err := os.RemoveAll(filepath.Join(dir, ".terraform")); err != nil {
		t.Fatal(err)
	}
	ensure("the data directory deleted", 1)
	assertProviderLinked(t, dir)

	// A failing init leaves no stamp: the next call tries again.
	cfg["terraform"].(map[string]any)["required_providers"] = map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": "99.0.0"}}
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), cfg)
	if err := x.EnsureInit(ctx(t)); err == nil {
		t.Fatal("init of an unsatisfiable provider version succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, ".terraform", initStamp)); !os.IsNotExist(err) {
		t.Errorf("a failed init left its stamp: %v", err)
	}
}

// TestWorkspaceAlreadySelected: on the local backend, selecting the
// workspace terraform already has selected runs no terraform, and the next
// command still works in that workspace; switching still runs select.
// Workspaces are terraform's and the backend's, not a provider's: the
// stack holds terraform_data, so its apply starts no AWS provider (four
// instances, ≈ 12 CPU s, with one).
func TestWorkspaceAlreadySelected(t *testing.T) {
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"local": map[string]any{"path": "state/terraform.tfstate", "workspace_dir": "state"}}},
		"resource":  map[string]any{"terraform_data": map[string]any{"x": map[string]any{"input": "${terraform.workspace}"}}},
		"output":    map[string]any{"ws": map[string]any{"value": "${terraform_data.x.output}"}},
	})
	var log bytes.Buffer
	x, err := New(Options{Dir: dir, Env: env, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.EnsureInit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	selects := 0
	sel := func(name string, want int) {
		t.Helper()
		if err := x.Workspace(ctx(t), name); err != nil {
			t.Fatal(err)
		}
		selects += want
		if got := strings.Count(strings.ToLower(log.String()), "switched to workspace"); got != selects {
			t.Fatalf("select %s: %d selects in all, want %d:\n%s", name, got, selects, log.String())
		}
		if x.currentWorkspace() != name {
			t.Errorf("current workspace = %q, want %q", x.currentWorkspace(), name)
		}
	}
	sel("a", 1)
	sel("a", 0)
	sel("b", 1)
	sel("a", 1)

	// A new Terraform (the next command) skips the select, and terraform
	// runs in the selected workspace.
	y, err := New(Options{Dir: dir, Env: env, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := y.Workspace(ctx(t), "a"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(strings.ToLower(log.String()), "switched to workspace"); got != selects {
		t.Errorf("the next command selected again: %d selects, want %d", got, selects)
	}
	if _, err := y.Apply(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	out, err := y.Outputs(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out["ws"].Value); got != `"a"` {
		t.Errorf("terraform.workspace = %s, want \"a\"", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "a", "terraform.tfstate")); err != nil {
		t.Errorf("state of workspace a: %v", err)
	}
}
