package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestTypes: `sst types` on a real app writes a Go package that a handler
// can use; once the app stops binding the table, regenerating makes that
// handler fail to compile, and the next synth reports it.
func TestTypes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "typed")
	mustSST(t, root, "init", "typed", "--template", "minimal")
	r := mustSST(t, dir, "types", "--stage", "types")
	if !strings.Contains(r.stdout, "Wrote resource/resource.go (1 bound resource(s))") {
		t.Errorf("sst types said:\n%s", r)
	}
	handler := filepath.Join(dir, "functions", "notes", "main.go")
	editFile(t, handler, `table, err := runtime.TableName("Notes")`, `table, err := resource.Table.Notes.TableName()`)
	editFile(t, handler, `"github.com/sst-tf/sst/runtime"`, `"typed/resource"`)
	build := func() (string, error) {
		cmd := exec.Command("go", "build", "-o", os.DevNull, "./...")
		cmd.Dir = dir
		cmd.Env = testenv.Environ(baseEnv)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := build(); err != nil {
		t.Fatalf("the app with a handler using the generated package does not build: %v\n%s", err, out)
	}

	// Unbind the table: the handler still compiles against the old
	// package, so synth runs; the regenerated package no longer has it.
	editFile(t, filepath.Join(dir, "main.go"), `Function: sst.FunctionProps{Bind: []sst.Bindable{notes}},`, `Function: sst.FunctionProps{Environment: map[string]string{"NOTES": notes.TableName()}},`)
	r = mustSST(t, dir, "types", "--stage", "types")
	if !strings.Contains(r.stdout, "(0 bound resource(s))") {
		t.Errorf("sst types after unbinding said:\n%s", r)
	}
	out, err := build()
	if err == nil || !strings.Contains(out, "undefined: resource.Table") {
		t.Errorf("a handler using an unbound table still builds (%v):\n%s", err, out)
	}
	r = sst(t, dir, "synth", "--stage", "types")
	if r.code == 0 || !strings.Contains(r.stderr, "undefined: resource.Table") {
		t.Errorf("synth of the broken handler:\n%s", r)
	}
}
