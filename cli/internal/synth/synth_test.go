package synth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeApp writes a one-stack manifest into $SST_OUT_DIR, or fails when
// $FAIL is set, like a Go app with a compile error would.
const fakeApp = `
if [ -n "$FAIL" ]; then
  i=0; while [ $i -lt 100 ]; do echo "noise $i" >&2; i=$((i+1)); done
  echo "main.go:3:1: syntax error" >&2
  exit 2
fi
mkdir -p "$SST_OUT_DIR/stacks/Api"
echo '{}' > "$SST_OUT_DIR/stacks/Api/cdk.tf.json"
cat > "$SST_OUT_DIR/manifest.json" <<EOF
{"version":1,"app":"demo","stage":"$SST_STAGE","region":"us-east-1","backend":{"kind":"local"},
 "stacks":[{"name":"Api","dir":"stacks/Api","workspace":"$SST_STAGE","constructs":[]}]}
EOF
echo "$JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION" > "$SST_PROJECT_DIR/jsii"
`

func setup(t *testing.T) (Options, string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.sh"), []byte(fakeApp), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, ".sst", "out", "dev")
	return Options{ProjectDir: dir, App: "sh app.sh", OutDir: out, Stage: "dev", Env: os.Environ()}, dir
}

func TestRun(t *testing.T) {
	o, dir := setup(t)
	o.Env = append(o.Env, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=18")
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.App != "demo" || len(res.Manifest.Stacks) != 1 {
		t.Fatalf("manifest %+v", res.Manifest)
	}
	if _, err := os.Stat(filepath.Join(o.OutDir, "stacks", "Api", "cdk.tf.json")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "jsii"))
	if strings.TrimSpace(string(b)) != "18,20" {
		t.Errorf("JSII silence = %q, want the user's value kept and 20 added", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(o.OutDir))
	if len(entries) != 1 {
		t.Errorf("temp dirs left behind: %v", entries)
	}
}

func TestFailedSynthChangesNothing(t *testing.T) {
	o, _ := setup(t)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	// A stack dir terraform initialised must survive a failed synth.
	marker := filepath.Join(o.OutDir, "stacks", "Api", ".terraform", "marker")
	os.MkdirAll(filepath.Dir(marker), 0o755)
	os.WriteFile(marker, nil, 0o644)

	o.Env = append(o.Env, "FAIL=1")
	_, err := Run(context.Background(), o)
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *Error", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "syntax error") || !strings.Contains(msg, "earlier lines omitted") || strings.Contains(msg, "noise 10\n") {
		t.Errorf("message should show the tail of stderr:\n%s", msg)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("failed synth touched the previous output: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(o.OutDir))
	if len(entries) != 1 {
		t.Errorf("temp dirs left behind: %v", entries)
	}
}

func TestRerunKeepsTerraformDir(t *testing.T) {
	o, _ := setup(t)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(o.OutDir, "stacks", "Api", ".terraform", "marker")
	os.MkdirAll(filepath.Dir(marker), 0o755)
	os.WriteFile(marker, nil, 0o644)
	stale := filepath.Join(o.OutDir, "stacks", "Gone")
	os.MkdirAll(stale, 0o755)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf(".terraform not carried over: %v", err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale stack dir survived a new synth")
	}
}

// TestEnvAppLDFlags: the app is linked without DWARF unless the user chose
// its -ldflags; the user's other GOFLAGS are kept.
func TestEnvAppLDFlags(t *testing.T) {
	goflags := func(base ...string) string {
		v := ""
		for _, kv := range Env(base, Options{Stage: "dev"}, "/out") {
			if s, ok := strings.CutPrefix(kv, "GOFLAGS="); ok {
				v = s
			}
		}
		return v
	}
	for _, tc := range []struct{ base, want string }{
		{"", appLDFlags},
		{"GOFLAGS=-mod=mod", "-mod=mod " + appLDFlags},
		{"GOFLAGS=-ldflags=-X=main.v=1", "-ldflags=-X=main.v=1"},
	} {
		var base []string
		if tc.base != "" {
			base = []string{tc.base}
		}
		if got := goflags(base...); got != tc.want {
			t.Errorf("Env with %q: GOFLAGS=%q, want %q", tc.base, got, tc.want)
		}
	}
}
