package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/tfenv"
)

// TestEngineSelection: --engine, then $SST_ENGINE, then cdktf.json's
// "sst": {"engine"}, then terraform; each binary from the factory or PATH.
func TestEngineSelection(t *testing.T) {
	dir := t.TempDir()
	config := func(engine string) {
		t.Helper()
		body := `{"language":"go","app":"go run ."}`
		if engine != "" {
			body = `{"language":"go","app":"go run .","sst":{"engine":"` + engine + `"}}`
		}
		writeFile(t, filepath.Join(dir, "cdktf.json"), body)
	}
	for _, tc := range []struct {
		file, env, flag string
		want            tfenv.Engine
	}{
		{want: tfenv.Terraform},
		{file: "tofu", want: tfenv.OpenTofu},
		{file: "tofu", env: "terraform", want: tfenv.Terraform},
		{env: "tofu", want: tfenv.OpenTofu},
		{file: "terraform", env: "tofu", flag: "terraform", want: tfenv.Terraform},
		{env: "terraform", flag: "opentofu", want: tfenv.OpenTofu},
	} {
		config(tc.file)
		env := []string{"SST_STAGE=dev"}
		if tc.env != "" {
			env = append(env, tfenv.EnvEngine+"="+tc.env)
		}
		var stderr bytes.Buffer
		f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &stderr, ErrOut: &stderr},
			Getwd: func() (string, error) { return dir, nil }, Environ: func() []string { return env }}
		s, err := load(f, &Globals{Engine: tc.flag})
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if s.engine != tc.want {
			t.Errorf("file %q, $SST_ENGINE %q, --engine %q: engine %q, want %q", tc.file, tc.env, tc.flag, s.engine, tc.want)
		}
	}

	f := &Factory{Terraform: "/opt/tf/terraform", Tofu: "/opt/tofu/tofu"}
	for e, want := range map[tfenv.Engine]string{tfenv.Terraform: f.Terraform, tfenv.OpenTofu: f.Tofu} {
		if got, err := findEngine(f, e); err != nil || got != want {
			t.Errorf("findEngine(%s) = %q, %v", e, got, err)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := findEngine(&Factory{}, tfenv.OpenTofu); err == nil || !strings.Contains(err.Error(), "tofu not found on PATH: install OpenTofu 1.9 or later") {
		t.Errorf("no tofu on PATH: %v", err)
	}
}

// TestBadEngine: an unknown engine, from any source, fails before the app
// runs or anything is written, naming where it came from.
func TestBadEngine(t *testing.T) {
	dir := t.TempDir()
	app := `{"language":"go","app":"touch app-ran"}`
	writeFile(t, filepath.Join(dir, "cdktf.json"), app)
	for _, tc := range []struct {
		args []string
		env  string
		file string
		want string
	}{
		{args: []string{"deploy", "--engine", "foo"}, want: `--engine: unknown engine "foo": use "terraform" or "tofu"`},
		{args: []string{"diff"}, env: "tf", want: `$SST_ENGINE: unknown engine "tf": use "terraform" or "tofu"`},
		{args: []string{"remove", "--yes"}, file: "terraform-1.5", want: filepath.Join(dir, "cdktf.json") + `: "sst": {"engine"}: unknown engine "terraform-1.5": use "terraform" or "tofu"`},
	} {
		if tc.file != "" {
			writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"touch app-ran","sst":{"engine":"`+tc.file+`"}}`)
		}
		env := []string{"SST_STAGE=dev"}
		if tc.env != "" {
			env = append(env, tfenv.EnvEngine+"="+tc.env)
		}
		h := newHarness(t, dir, env...)
		h.mustFail(tc.want, tc.args...)
		writeFile(t, filepath.Join(dir, "cdktf.json"), app)
	}
	for _, p := range []string{"app-ran", ".sst"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s exists: a command with a bad engine ran or wrote something", p)
		}
	}
}
