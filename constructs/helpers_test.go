package sst

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/manifest"
)

// One artifact cache for the whole test binary: function builds are the
// slow part and identical handlers must not be rebuilt per test.
var testArtifacts string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sst-artifacts-")
	if err != nil {
		panic(err)
	}
	testArtifacts = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func testProject(t testing.TB) string {
	t.Helper()
	abs, err := filepath.Abs("testdata/app")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func testOptions(t testing.TB) Options {
	return Options{
		Stage:       "test",
		Region:      "us-east-1",
		OutDir:      filepath.Join(t.TempDir(), "out"),
		ProjectDir:  testProject(t),
		ArtifactDir: testArtifacts,
		StateDir:    filepath.Join(t.TempDir(), "state"),
	}
}

// synthesized is one synthesized app: the manifest and each stack's JSON.
type synthesized struct {
	m      *manifest.Manifest
	stacks map[string]map[string]any
	out    string
}

func synthOK(t *testing.T, cfg Config, opts Options, stacks ...StackFunc) *synthesized {
	t.Helper()
	m, err := Synth(cfg, opts, stacks...)
	if err != nil {
		t.Fatalf("synth: %v", err)
	}
	s := &synthesized{m: m, stacks: map[string]map[string]any{}, out: opts.OutDir}
	for _, st := range m.Stacks {
		b, err := os.ReadFile(filepath.Join(opts.OutDir, st.Dir, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		s.stacks[st.Name] = doc
	}
	return s
}

func synthErr(t *testing.T, cfg Config, opts Options, stacks ...StackFunc) string {
	t.Helper()
	_, err := Synth(cfg, opts, stacks...)
	if err == nil {
		t.Fatal("synth succeeded, want an error")
	}
	if _, statErr := os.Stat(opts.OutDir); statErr == nil {
		entries, _ := os.ReadDir(opts.OutDir)
		if len(entries) > 0 {
			t.Errorf("a failed synth wrote %d entries into %s: %v", len(entries), opts.OutDir, entries)
		}
	}
	return err.Error()
}

// resources returns the stack's resources of one type by logical id.
func (s *synthesized) resources(stack, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	res, _ := s.stacks[stack]["resource"].(map[string]any)
	for id, v := range asMap(res[typ]) {
		out[id] = asMap(v)
	}
	return out
}

func (s *synthesized) resource(t *testing.T, stack, typ, id string) map[string]any {
	t.Helper()
	r, ok := s.resources(stack, typ)[id]
	if !ok {
		t.Fatalf("stack %s has no %s.%s; it has %v", stack, typ, id, keys(s.resources(stack, typ)))
	}
	return r
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantContains(t *testing.T, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("want %q in:\n%s", s, got)
		}
	}
}
