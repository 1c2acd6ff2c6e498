package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// harness runs commands in-process against a project directory with a
// controlled environment: nothing from the developer's shell (SST_STAGE,
// AWS_PROFILE…) leaks into a test.
type harness struct {
	t        *testing.T
	dir      string
	env      []string
	tty      bool
	in       string
	out, err bytes.Buffer
}

func newHarness(t *testing.T, dir string, env ...string) *harness {
	t.Helper()
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if c := os.Getenv("GOCACHE"); c != "" {
		base = append(base, "GOCACHE="+c)
	}
	return &harness{t: t, dir: dir, env: append(base, env...)}
}

func (h *harness) run(args ...string) int {
	h.t.Helper()
	return h.runContext(context.Background(), args...)
}

// runContext is run with a context the test cancels, for commands that
// run until stopped (sst dev) or are stopped part-way.
func (h *harness) runContext(ctx context.Context, args ...string) int {
	h.out.Reset()
	h.err.Reset()
	f := &Factory{
		IO:      &IOStreams{In: strings.NewReader(h.in), Out: &h.out, ErrOut: &h.err, IsTTY: h.tty},
		Getwd:   func() (string, error) { return h.dir, nil },
		Environ: func() []string { return h.env },
	}
	return Execute(ctx, f, args)
}

// mustFail runs a command that must fail with a message containing want.
func (h *harness) mustFail(want string, args ...string) {
	h.t.Helper()
	if code := h.run(args...); code != 1 {
		h.t.Fatalf("sst %v: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", args, code, h.out.String(), h.err.String())
	}
	if !strings.Contains(h.err.String(), want) {
		h.t.Fatalf("sst %v: stderr does not contain %q:\n%s", args, want, h.err.String())
	}
	if strings.Count(h.err.String(), "Error:") != 1 {
		h.t.Errorf("error printed %d times:\n%s", strings.Count(h.err.String(), "Error:"), h.err.String())
	}
}

func (h *harness) mustRun(args ...string) {
	h.t.Helper()
	if code := h.run(args...); code != 0 {
		h.t.Fatalf("sst %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, h.out.String(), h.err.String())
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// miniApp writes one empty stack and records that it ran, so tests can
// prove a bad command line stopped before the app.
const miniApp = `touch "$SST_PROJECT_DIR/ran"
mkdir -p "$SST_OUT_DIR/stacks/Api"
echo '{}' > "$SST_OUT_DIR/stacks/Api/cdk.tf.json"
printf '{"version":1,"app":"mini","stage":"%s","region":"us-east-1","backend":{"kind":"local"},"stacks":[{"name":"Api","dir":"stacks/Api","workspace":"%s","constructs":[]}]}' "$SST_STAGE" "$SST_STAGE" > "$SST_OUT_DIR/manifest.json"
`

func miniProject(t *testing.T) string { return shellProject(t, miniApp) }

// shellProject is a project whose app is the shell script app.
func shellProject(t *testing.T, app string) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), app)
	return dir
}

func TestNoProject(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	h.mustFail("no cdktf.json found in "+dir+` or any parent directory: run "sst init" or cd into your project`, "synth")
}

func TestBadConfig(t *testing.T) {
	for name, content := range map[string]string{
		"invalid JSON":   `{"app": "go run .",}`,
		`missing "app"`:  `{"language":"go"}`,
		`missing "app" `: `{"language":"go","app":""}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "cdktf.json"), content)
			sub := filepath.Join(dir, "sub")
			os.Mkdir(sub, 0o755)
			h := newHarness(t, sub)
			h.mustFail(filepath.Join(dir, "cdktf.json")+": "+strings.TrimSpace(name), "synth")
		})
	}
}

func TestProjectFlag(t *testing.T) {
	dir := miniProject(t)
	h := newHarness(t, t.TempDir())
	h.mustRun("synth", "--project", dir, "--stage", "dev")
	if !strings.Contains(h.out.String(), filepath.Join(".sst", "out", "dev", "stacks", "Api")) {
		t.Errorf("synth output:\n%s", h.out.String())
	}
}

func TestStagePrecedence(t *testing.T) {
	dir := miniProject(t)
	writeFile(t, filepath.Join(dir, ".sst", "stage"), "fromfile\n")

	h := newHarness(t, dir, "SST_STAGE=fromenv")
	h.mustRun("synth", "--stage", "fromflag")
	if !strings.Contains(h.err.String(), "Using stage fromflag (from --stage)") {
		t.Errorf("stderr:\n%s", h.err.String())
	}
	if _, err := os.Stat(filepath.Join(dir, ".sst", "out", "fromflag", "manifest.json")); err != nil {
		t.Error(err)
	}

	h.mustRun("synth")
	if !strings.Contains(h.err.String(), "Using stage fromenv (from $SST_STAGE)") {
		t.Errorf("stderr:\n%s", h.err.String())
	}

	h = newHarness(t, dir)
	h.mustRun("synth")
	if !strings.Contains(h.err.String(), "Using stage fromfile (from .sst/stage)") {
		t.Errorf("stderr:\n%s", h.err.String())
	}

	// With nothing set, the user's name becomes the stage and is saved.
	os.Remove(filepath.Join(dir, ".sst", "stage"))
	h.mustRun("synth")
	if !strings.Contains(h.err.String(), "from your user name") {
		t.Errorf("stderr:\n%s", h.err.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, ".sst", "stage")); err != nil || len(bytes.TrimSpace(b)) == 0 {
		t.Errorf("default stage not saved: %q %v", b, err)
	}
}

func TestInvalidStage(t *testing.T) {
	dir := miniProject(t)
	h := newHarness(t, dir)
	h.mustFail(`--stage: invalid stage "Prod_1"`, "synth", "--stage", "Prod_1")
	if !strings.Contains(h.err.String(), `try "prod-1"`) {
		t.Errorf("no suggestion:\n%s", h.err.String())
	}
	h = newHarness(t, dir, "SST_STAGE=-x")
	h.mustFail(`SST_STAGE: invalid stage "-x"`, "deploy")
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("the app ran despite an invalid stage")
	}
}

// An explicitly empty stage is what a CI job produces from an undefined
// variable (--stage "$STAGE", SST_STAGE=$STAGE): it must stop before the app
// runs, not deploy to the user-name stage and pin it in .sst/stage.
func TestEmptyStageChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"empty flag", nil, []string{"deploy", "--stage", ""}, `--stage: the stage is empty (the flag was given as ""): pass a stage name (--stage dev), or leave the flag out`},
		{"empty flag with =", nil, []string{"synth", "--stage="}, `--stage: the stage is empty`},
		{"empty flag beats a valid SST_STAGE", []string{"SST_STAGE=dev"}, []string{"diff", "--stage", ""}, `--stage: the stage is empty`},
		{"empty SST_STAGE", []string{"SST_STAGE="}, []string{"deploy"}, `SST_STAGE: the stage is empty (the variable is set to ""): set it to a stage name (SST_STAGE=dev), or unset it`},
		{"empty SST_STAGE after a valid one", []string{"SST_STAGE=dev", "SST_STAGE="}, []string{"remove", "--yes"}, `SST_STAGE: the stage is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := miniProject(t)
			h := newHarness(t, dir, tc.env...)
			h.mustFail(tc.want, tc.args...)
			for _, p := range []string{"ran", ".sst"} {
				if _, err := os.Stat(filepath.Join(dir, p)); !os.IsNotExist(err) {
					t.Errorf("%s exists after a refused command (%v)", p, err)
				}
			}
		})
	}
	// A saved default is not a fallback for an empty SST_STAGE either, and
	// stays as it was.
	dir := miniProject(t)
	writeFile(t, filepath.Join(dir, ".sst", "stage"), "mine\n")
	h := newHarness(t, dir, "SST_STAGE=")
	h.mustFail(`SST_STAGE: the stage is empty`, "synth")
	if b, _ := os.ReadFile(filepath.Join(dir, ".sst", "stage")); string(b) != "mine\n" {
		t.Errorf(".sst/stage = %q, want it unchanged", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); !os.IsNotExist(err) {
		t.Errorf("the app ran despite an empty stage (%v)", err)
	}
}

func TestEndpointRejectedBeforeAnythingRuns(t *testing.T) {
	dir := miniProject(t)
	for _, args := range [][]string{
		{"deploy", "--endpoint", "ftp://x"},
		{"synth", "--endpoint", "http://"},
	} {
		h := newHarness(t, dir)
		h.mustFail("invalid endpoint", args...)
	}
	h := newHarness(t, dir, "SST_ENDPOINT=localhost:4566")
	h.mustFail(`invalid endpoint "localhost:4566": must be an http:// or https:// URL`, "remove", "--yes")
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("the app ran despite an invalid endpoint")
	}
}

func TestSynthFailureShowsAppStderr(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"app":"echo 'sst: Api: route \"GET /x\" has no handler' >&2; exit 1"}`)
	h := newHarness(t, dir)
	h.mustFail(`route "GET /x" has no handler`, "synth", "--stage", "dev")
}

func TestSynthPassesEnvironment(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), miniApp+`env | grep -E '^(SST_|JSII_)' | sort > "$SST_PROJECT_DIR/env.txt"`)
	h := newHarness(t, dir, "SST_REGION=eu-west-1")
	h.mustRun("synth", "--stage", "ci", "--endpoint", "http://127.0.0.1:1", "--profile", "p")
	b, _ := os.ReadFile(filepath.Join(dir, "env.txt"))
	env := string(b)
	for _, want := range []string{
		"SST_STAGE=ci", "SST_REGION=eu-west-1", "SST_PROFILE=p", "SST_ENDPOINT=http://127.0.0.1:1",
		"SST_PROJECT_DIR=" + dir, "SST_OUT_DIR=" + filepath.Join(dir, ".sst", "out") + "/.ci.synth-",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
	} {
		if !strings.Contains(env, want) {
			t.Errorf("app env lacks %q:\n%s", want, env)
		}
	}
}

// --force rebuilds every site: the app learns it from SST_REBUILD.
func TestSynthForcePassesRebuild(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), miniApp+`echo "rebuild=$SST_REBUILD" > "$SST_PROJECT_DIR/env.txt"`)
	h := newHarness(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"synth", "--stage", "ci"}, "rebuild=\n"},
		{[]string{"synth", "--stage", "ci", "--force"}, "rebuild=1\n"},
	} {
		h.mustRun(c.args...)
		if b, _ := os.ReadFile(filepath.Join(dir, "env.txt")); string(b) != c.want {
			t.Errorf("sst %v: app saw %q, want %q", c.args, b, c.want)
		}
	}
}

func TestRemoveNonInteractiveNeedsYes(t *testing.T) {
	dir := miniProject(t)
	h := newHarness(t, dir)
	h.mustFail(`refusing to remove stage "dev" without confirmation: not running in a terminal, pass --yes`, "remove", "--stage", "dev")
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("the app ran before the confirmation check")
	}
}

func TestRemoveDeclined(t *testing.T) {
	dir := stateProject(t)
	h := newHarness(t, dir)
	h.mustRun("deploy", "--stage", "dev")
	h.tty, h.in = true, "n\n"
	h.mustFail("cancelled, nothing was removed", "remove", "--stage", "dev")
	if !strings.Contains(h.err.String(), `Remove stage "dev" of app "mini"? This destroys all its resources. [y/N]`) {
		t.Errorf("prompt:\n%s", h.err.String())
	}
}

func TestUnknownStack(t *testing.T) {
	dir := miniProject(t)
	h := newHarness(t, dir)
	h.mustFail(`no stack "Nope" in app "mini": stacks are Api`, "deploy", "Nope", "--stage", "dev")
}

func TestOutputs(t *testing.T) {
	dir := miniProject(t)
	h := newHarness(t, dir)
	h.mustFail(`no outputs for stage "dev"`, "outputs", "--stage", "dev")

	writeFile(t, filepath.Join(dir, ".sst", "outputs", "dev.json"),
		`{"Api":{"url":"https://abc.execute-api.us-east-1.amazonaws.com","count":3},"Web":{"site":"http://localhost"}}`)
	h.mustRun("outputs", "--stage", "dev")
	want := "Outputs:\n  Api\n    count:  3\n    url:    https://abc.execute-api.us-east-1.amazonaws.com\n  Web\n    site:  http://localhost\n"
	if h.out.String() != want {
		t.Errorf("outputs:\n%q\nwant\n%q", h.out.String(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("outputs ran the app")
	}

	h.tty = true
	h.mustRun("outputs", "--stage", "dev")
	if !strings.Contains(h.out.String(), "\x1b[36mhttps://abc") {
		t.Errorf("URL not highlighted on a terminal:\n%q", h.out.String())
	}

	h.tty = false
	h.mustRun("outputs", "--stage", "dev", "--json")
	var got map[string]map[string]any
	if err := json.Unmarshal(h.out.Bytes(), &got); err != nil || got["Api"]["count"] != 3.0 {
		t.Errorf("--json: %v %v\n%s", got, err, h.out.String())
	}
}

// Outputs constructs add for sst itself (a site's URL and bucket) are left
// out unless --all; the app's own and outputs the manifest does not know
// are printed.
func TestOutputsAppOwnByDefault(t *testing.T) {
	dir := miniProject(t)
	writeFile(t, filepath.Join(dir, ".sst", "outputs", "dev.json"),
		`{"Web":{"SiteUrl":"https://d1.cloudfront.net","Web_url":"https://d1.cloudfront.net","Web_bucket":"dev-app-web"},"Old":{"x":"1"}}`)
	writeFile(t, filepath.Join(dir, ".sst", "out", "dev", "manifest.json"),
		`{"version":1,"app":"mini","stage":"dev","region":"us-east-1","backend":{"kind":"local"},"stacks":[{"name":"Web","dir":"stacks/Web","workspace":"dev","constructs":[],
		"outputs":[{"name":"SiteUrl"},{"name":"Web_url","internal":true},{"name":"Web_bucket","internal":true}]}]}`)
	h := newHarness(t, dir)
	h.mustRun("outputs", "--stage", "dev")
	want := "Outputs:\n  Old\n    x:  1\n  Web\n    SiteUrl:  https://d1.cloudfront.net\n(2 output(s) sst uses itself not shown: --all shows them)\n"
	if h.out.String() != want {
		t.Errorf("outputs:\n%q\nwant\n%q", h.out.String(), want)
	}
	h.mustRun("outputs", "--stage", "dev", "--all")
	for _, w := range []string{"Web_url:", "Web_bucket:", "SiteUrl:"} {
		if !strings.Contains(h.out.String(), w) || strings.Contains(h.out.String(), "not shown") {
			t.Errorf("--all lacks %s:\n%s", w, h.out.String())
		}
	}
	h.mustRun("outputs", "--stage", "dev", "--json")
	var got map[string]map[string]any
	if err := json.Unmarshal(h.out.Bytes(), &got); err != nil || len(got["Web"]) != 1 || got["Web"]["SiteUrl"] == nil {
		t.Errorf("--json: %v %v\n%s", got, err, h.out.String())
	}
}
