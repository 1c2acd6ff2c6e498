package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sst-tf/sst/internal/testenv"
)

// The front door: a new user's first steps, run exactly as README writes
// them, with the CLI installed outside the checkout and nothing of the
// suite's own set-up (no SST_SOURCE, no GOFLAGS) to hide what they miss.

// readmeBlock returns the command lines of the first ```sh block under the
// README heading, comments stripped.
func readmeBlock(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no heading %q", heading)
	}
	_, after, ok = strings.Cut(after, "```sh\n")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatalf("README: no sh block under %q", heading)
	}
	return commandLines(block)
}

// commandLines are the non-empty lines of text without their # comments.
func commandLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l, _, _ = strings.Cut(l, "#")
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// newUser is a shell of a user who installed sst into their own bin
// directory, with the emulator credentials but none of the suite's hints.
type newUser struct {
	t   *testing.T
	bin string
	env map[string]string
}

func newNewUser(t *testing.T) *newUser {
	bin := filepath.Join(t.TempDir(), "bin")
	env := map[string]string{}
	for k, v := range baseEnv {
		env[k] = v
	}
	env["SST_SOURCE"] = ""
	env["GOFLAGS"] = ""
	env["GOBIN"] = bin
	env["PATH"] = bin + string(os.PathListSeparator) + os.Getenv("PATH")
	return &newUser{t: t, bin: bin, env: env}
}

// sh runs script with sh -e in dir.
func (u *newUser) sh(dir, script string) result {
	u.t.Helper()
	// A guard against a hang, not a speed check: `make demo` (build,
	// deploy, remove) ran 21 minutes beside three other tests at load
	// average 30-50 on 2 cores.
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-ec", script)
	cmd.Dir = dir
	cmd.Env = testenv.Environ(u.env)
	return runResult(u.t, cmd)
}

func (u *newUser) mustSh(dir, script string) result {
	u.t.Helper()
	r := u.sh(dir, script)
	if r.code != 0 {
		u.t.Fatalf("%s failed:\n%s", script, r)
	}
	return r
}

// nextSteps returns the command lines sst init printed under "Next:".
func nextSteps(out string) []string {
	_, after, _ := strings.Cut(out, "\nNext:\n")
	return commandLines(after)
}

// TestFrontDoorQuickstart installs the CLI with README's install block,
// checks what `sst version` says, scaffolds an app with README's "Start
// your own app" block and runs the line init prints under "Next:" — the
// same line README shows. It stops before the deploy (the lifecycle test
// deploys this template).
func TestFrontDoorQuickstart(t *testing.T) {
	t.Parallel()
	u := newNewUser(t)
	install := readmeBlock(t, "### Install the CLI")
	if install[0] != "make install" || install[1] != "sst version" {
		t.Fatalf("README's install block changed, update this test: %q", install)
	}
	u.mustSh(repo, install[0])
	if _, err := os.Stat(filepath.Join(u.bin, "sst")); err != nil {
		t.Fatalf("make install did not install into $GOBIN: %v", err)
	}

	// `sst version`: the module version of this checkout and its commit.
	want := strings.TrimSpace(u.mustSh(repo, "./scripts/version.sh").stdout)
	commit := strings.TrimSpace(u.mustSh(repo, "git rev-parse HEAD").stdout)
	home := t.TempDir()
	v := u.mustSh(home, install[1]).stdout
	if !strings.HasPrefix(v, "sst "+want+" (commit "+commit) || !strings.Contains(v, "\nsource "+repo+"\n") {
		t.Errorf("sst version: want version %s, commit %s, source %s; got:\n%s", want, commit, repo, v)
	}

	start := readmeBlock(t, "### Start your own app")
	if len(start) != 3 || !strings.HasPrefix(start[0], "sst init ") || !strings.HasPrefix(start[2], "sst deploy") {
		t.Fatalf("README's start block changed, update this test: %q", start)
	}
	r := u.mustSh(home, start[0])
	app := filepath.Join(home, strings.Fields(start[0])[2])
	next := nextSteps(r.stdout)
	if len(next) == 0 || next[0] != start[1] {
		t.Fatalf("sst init's Next: line is not README's %q:\n%s", start[1], r)
	}
	gomod, _ := os.ReadFile(filepath.Join(app, "go.mod"))
	for _, line := range []string{
		"github.com/sst-tf/sst " + strings.TrimSuffix(want, "+dirty"),
		"replace github.com/sst-tf/sst => " + repo,
	} {
		if !bytes.Contains(gomod, []byte(line)) {
			t.Errorf("go.mod lacks %q:\n%s", line, gomod)
		}
	}
	// Tidy already: the user's own `go mod tidy` changes nothing and fails on nothing.
	u.mustSh(app, "go mod tidy -diff")

	u.mustSh(home, next[0])
	for _, st := range []string{"Storage", "API"} {
		// The stage is the user's name: whatever it is here.
		if m, _ := filepath.Glob(filepath.Join(app, ".sst", "out", "*", "stacks", st, "cdk.tf.json")); len(m) != 1 {
			t.Errorf("the Next: line did not synthesize stack %s: %v", st, m)
		}
	}

	// README's deploy line, where neither the registry (a proxy refusing
	// every connection) nor a mirror (a CLI configuration of the user's
	// own, which sst leaves alone) is there: it fails at terraform init and
	// says what to set.
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"SST_PROVIDER_MIRROR": "", "TF_CLI_CONFIG_FILE": rc, "HTTPS_PROXY": "http://127.0.0.1:1", "NO_PROXY": ""} {
		u.env[k] = v
	}
	deploy := strings.Replace(start[2], "http://127.0.0.1:5000", moto.URL(), 1)
	r = u.sh(app, deploy)
	if r.code == 0 || !strings.Contains(r.stderr, "the Terraform registry is unreachable from here: set SST_PROVIDER_MIRROR") {
		t.Errorf("%s without registry or mirror must fail saying what to set:\n%s", deploy, r)
	}
}

// TestFrontDoorNodeTemplate: `sst init -t node` installs what the handlers
// import when `sst dev` runs them, the app's README works as written,
// and --no-install lists the skipped steps in a Next: line that works as
// typed.
func TestFrontDoorNodeTemplate(t *testing.T) {
	t.Parallel()
	u := newNewUser(t)
	u.env["PATH"] = os.Getenv("PATH") // sst by its full path: not on PATH
	home := t.TempDir()
	r := u.mustSh(home, sstBin+" init nodetpl -t node")
	app := filepath.Join(home, "nodetpl")
	u.mustSh(app, `node --input-type=module -e "await import('@aws-sdk/client-dynamodb')"`)
	u.mustSh(app, "go mod tidy -diff")
	if next := nextSteps(r.stdout); len(next) == 0 || next[0] != "cd nodetpl && "+sstBin+" synth" {
		t.Errorf("Next: must name the binary PATH does not find:\n%s", r.stdout)
	}
	// The app's own README, as written: deploy, types, typecheck, remove.
	u.walkAppReadme(app, "ApiUrl", "sst-env.d.ts", "sst-resource.ts")

	r = u.mustSh(home, sstBin+" init bare -t node --no-install")
	if _, err := os.Stat(filepath.Join(home, "bare", "node_modules")); err == nil {
		t.Error("--no-install ran npm install")
	}
	next := nextSteps(r.stdout)
	if len(next) == 0 || next[0] != "cd bare && go mod tidy && npm install && "+sstBin+" synth" {
		t.Fatalf("--no-install's Next: line must list the skipped steps:\n%s", r.stdout)
	}
	// Run the set-up part of it as printed; the synth is the quickstart's.
	setup := strings.TrimSuffix(next[0], " && "+sstBin+" synth")
	u.mustSh(home, setup+" && go mod tidy -diff && test -d node_modules/@aws-sdk/client-dynamodb")
}

// TestFrontDoorDemo runs README's first command, `make demo`, as written:
// it must deploy, print the outputs and the table it made, and remove the
// stage, all with exit 0. It starts its own emulator and finds the
// provider mirror itself. The demo starts from a fresh
// examples/rest-api/.sst (it deletes it), which TestFrontDoorRootApp's
// synth of the same app from the root points its state into: the two hold
// restAPIState. (Copies of the example leave .sst out: copyProject.)
//
// The demo's deploy is also the suite's deploy of examples/rest-api
// (checkRestAPI: functions, table, outputs; nothing left after the
// remove), read back while the demo runs: two commands the demo calls are
// found first on PATH as thin wrappers around the real ones. Its `aws`
// (the table read, between deploy and remove) waits until the app is read
// back; its `moto_server` leaves the emulator running when the demo stops
// it, so that what the remove left can be listed. The demo's own steps
// and output are unchanged.
func TestFrontDoorDemo(t *testing.T) {
	t.Parallel()
	restAPIState.Lock()
	defer restAPIState.Unlock()
	quick := readmeBlock(t, "## Quickstart: the two commands")
	if quick[0] != "make demo" {
		t.Fatalf("README's quickstart changed, update this test: %q", quick)
	}
	u := newNewUser(t)
	for _, k := range []string{"SST_PROVIDER_MIRROR", "SST_ENDPOINT", "SST_STAGE"} {
		u.env[k] = ""
	}
	hook := demoHooks(t, u)
	done := make(chan struct{})
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		endpoint, ok := hook.waitDeployed(done)
		if !ok {
			return
		}
		defer hook.release()
		cfg := awsConfig()
		cfg.BaseEndpoint = aws.String(endpoint)
		checkRestAPI(t, cfg, filepath.Join(repo, "examples", "rest-api"), "demo")
	}()
	r := u.sh(repo, quick[0])
	close(done)
	<-checked
	if r.code != 0 {
		t.Fatalf("%s failed:\n%s", quick[0], r)
	}
	for _, want := range []string{
		"==> outputs\n",
		"==> the table demo-rest-api-Notes in the emulator:\n",
		`"status": "ACTIVE"`,
		"==> removing stage demo\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("make demo did not print %q:\n%s", want, r)
		}
	}
	// `sst outputs`, as the demo runs it, prints the Api's URL.
	if _, outs, _ := strings.Cut(r.stdout, "==> outputs\n"); !strings.Contains(outs, "ApiUrl") {
		t.Errorf("the demo's sst outputs printed no ApiUrl:\n%s", r.stdout)
	}
	if strings.Contains(r.stderr, "FAILED") {
		t.Errorf("make demo reported a failed step:\n%s", r)
	}
	if !hook.wasChecked() {
		t.Fatalf("the demo never reached its table read (the app was not read back):\n%s", r)
	}
	cfg := awsConfig()
	cfg.BaseEndpoint = aws.String(hook.endpoint)
	if left := inventoryAt(t, cfg, "demo-rest-api-"); len(left) > 0 {
		t.Errorf("the demo's remove left behind: %v", left)
	}
}

// restAPIState is held by the tests that write examples/rest-api/.sst in
// this checkout.
var restAPIState sync.Mutex

// checkRestAPI reads examples/rest-api's deploy (project dir, stage) back
// from the emulator cfg points at. It may run off the test's goroutine, so
// it reports with Errorf only.
func checkRestAPI(t *testing.T, cfg aws.Config, dir, stage string) {
	ctx := context.Background()
	prefix := stage + "-rest-api-"
	b, err := os.ReadFile(filepath.Join(dir, ".sst", "outputs", stage+".json"))
	var out map[string]map[string]any
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Errorf("outputs of stage %s: %v", stage, err)
	} else if url, _ := out["API"]["ApiUrl"].(string); out["API"]["TableName"] != prefix+"Notes" || !strings.HasPrefix(url, "http") {
		t.Errorf("outputs = %v", out)
	}
	health, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Api_GET_health")})
	if err != nil {
		t.Errorf("the health function: %v", err)
	} else if c := health.Configuration; string(c.Runtime) != "nodejs20.x" || aws.ToString(c.Handler) != "index.handler" || aws.ToInt32(c.MemorySize) != 256 {
		t.Errorf("node function: runtime %s handler %s memory %d", c.Runtime, aws.ToString(c.Handler), aws.ToInt32(c.MemorySize))
	}
	tbl, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(prefix + "Notes")})
	if err != nil {
		t.Errorf("the table: %v", err)
	} else if len(tbl.Table.KeySchema) != 2 {
		t.Errorf("key schema = %+v", tbl.Table.KeySchema)
	}
}

// demoHook is the meeting point of TestFrontDoorDemo and the wrappers
// demoHooks puts first on the demo's PATH.
type demoHook struct {
	dir      string
	endpoint string
}

// demoHooks writes the `aws` and `moto_server` wrappers into a directory
// put first on u's PATH. The `aws` one writes the demo's endpoint to
// deployed, then waits for checked before running the real aws. The
// `moto_server` one starts the real emulator in the background, records
// its pid and waits: the demo's kill stops only the wrapper. The test
// stops the emulator when it ends.
func demoHooks(t *testing.T, u *newUser) *demoHook {
	t.Helper()
	realAWS, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("make demo needs the aws CLI: %v", err)
	}
	realMoto, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatal(err)
	}
	h := &demoHook{dir: t.TempDir()}
	bin := filepath.Join(h.dir, "bin")
	scripts := map[string]string{
		"aws": fmt.Sprintf(`#!/bin/sh
printf '%%s' "$SST_ENDPOINT" > %[1]s/deployed.tmp && mv %[1]s/deployed.tmp %[1]s/deployed
i=0
while [ ! -e %[1]s/checked ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i+1)); done
exec %[2]s "$@"
`, h.dir, realAWS),
		"moto_server": fmt.Sprintf(`#!/bin/sh
%[2]s "$@" &
echo $! > %[1]s/moto.pid
wait
`, h.dir, realMoto),
	}
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	u.env["PATH"] = bin + string(os.PathListSeparator) + u.env["PATH"]
	t.Cleanup(func() {
		b, err := os.ReadFile(filepath.Join(h.dir, "moto.pid"))
		if err != nil {
			return
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			// The wrapper's child, not this process's: stopped, not waited for.
			if p, err := os.FindProcess(pid); err == nil {
				p.Signal(syscall.SIGTERM)
			}
		}
	})
	return h
}

// waitDeployed waits until the demo reaches its table read and returns
// the demo's endpoint; false when the demo ended (done) first.
func (h *demoHook) waitDeployed(done <-chan struct{}) (string, bool) {
	for {
		if b, err := os.ReadFile(filepath.Join(h.dir, "deployed")); err == nil {
			h.endpoint = string(b)
			return h.endpoint, true
		}
		select {
		case <-done:
			return "", false
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// release lets the demo go on to its table read and its remove.
func (h *demoHook) release() {
	os.WriteFile(filepath.Join(h.dir, "checked"), nil, 0o644)
}

func (h *demoHook) wasChecked() bool {
	_, err := os.Stat(filepath.Join(h.dir, "checked"))
	return err == nil
}

// TestFrontDoorRootApp: the repository root is an sst project whose
// cdktf.json runs the demo app, so `sst synth` works from the root as
// README says, with the state and bundles where the example keeps them.
func TestFrontDoorRootApp(t *testing.T) {
	t.Parallel()
	restAPIState.Lock()
	defer restAPIState.Unlock()
	stage := "root-app"
	t.Cleanup(func() { os.RemoveAll(filepath.Join(repo, ".sst", "out", stage)) })
	r := mustSST(t, repo, "synth", "--stage", stage)
	if !strings.Contains(r.stdout, "of app rest-api, stage "+stage) {
		t.Errorf("synth from the root:\n%s", r)
	}
	b, err := os.ReadFile(filepath.Join(repo, ".sst", "out", stage, "stacks", "Database", "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stack struct {
		Terraform struct {
			Backend struct {
				Local struct{ Path string } `json:"local"`
			} `json:"backend"`
		} `json:"terraform"`
	}
	if err := json.Unmarshal(b, &stack); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(repo, ".sst", "out", stage, "stacks", "Database", stack.Terraform.Backend.Local.Path)
	if want := filepath.Join(repo, "examples", "rest-api", ".sst", "state", "Database", "terraform.tfstate"); state != want {
		t.Errorf("state of the root app at %s, want %s", state, want)
	}
}

// TestFrontDoorPythonTemplate: `sst init -t python` and the app's README
// as written, with the CLI outside the checkout. (The handlers' behaviour
// is TestTemplatePythonHandlers': moto cannot run Lambda code.)
func TestFrontDoorPythonTemplate(t *testing.T) {
	t.Parallel()
	u := newNewUser(t)
	home := t.TempDir()
	u.mustSh(home, sstBin+" init pytpl -t python")
	u.walkAppReadme(filepath.Join(home, "pytpl"), "ApiUrl")
}

// walkAppReadme runs the sh block of a scaffolded app's README line by
// line with the CLI under test, as its user would type them against the
// emulator (SST_ENDPOINT is in the user's environment). Lines calling the
// deployed Api are left out: moto stores Lambda functions but cannot run
// them. After the deploy, the emulator holds the app's functions, table
// and Api and the deploy printed output; after the remove, none of them is
// left; files the README's commands write must exist.
func (u *newUser) walkAppReadme(app, output string, files ...string) {
	t := u.t
	t.Helper()
	b, err := os.ReadFile(filepath.Join(app, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "```sh\n")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatalf("%s/README.md has no sh block", app)
	}
	var ran []string
	for _, line := range commandLines(block) {
		if strings.HasPrefix(line, "curl ") {
			continue
		}
		cmd := line
		if rest, ok := strings.CutPrefix(line, "sst "); ok {
			cmd = sstBin + " " + rest
		}
		if strings.HasPrefix(line, "sst remove") && !strings.Contains(line, "--yes") {
			// The user answers remove's prompt at a terminal; the test has none.
			cmd += " --yes"
		}
		r := u.mustSh(app, cmd)
		ran = append(ran, line)
		args := strings.Fields(line)
		if len(args) < 2 || args[0] != "sst" || (args[1] != "deploy" && args[1] != "remove") {
			continue
		}
		stage := ""
		for i, a := range args {
			if a == "--stage" && i+1 < len(args) {
				stage = args[i+1]
			}
		}
		if stage == "" {
			t.Fatalf("README line %q names no --stage", line)
		}
		left := inventory(t, stage+"-"+filepath.Base(app)+"-")
		if args[1] == "deploy" {
			if len(left) < 3 || !strings.Contains(r.stdout, output) {
				t.Errorf("%s: the emulator holds %q and the deploy printed:\n%s", line, left, r)
			}
		} else if len(left) > 0 {
			t.Errorf("%s left %q", line, left)
		}
	}
	if len(ran) < 2 || !strings.HasPrefix(ran[0], "sst deploy") || !strings.HasPrefix(ran[len(ran)-1], "sst remove") {
		t.Fatalf("the README's block must deploy first and remove last; ran %q", ran)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(app, f)); err != nil {
			t.Errorf("after the README's commands: %v", err)
		}
	}
}
