package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInit(t *testing.T) {
	wd := t.TempDir()
	h := newHarness(t, wd)
	abs, _ := filepath.Abs("..")
	h.mustRun("init", "My App", "--no-install", "--sst-source", abs)
	b, err := os.ReadFile(filepath.Join(wd, "My App", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# my-app\n") {
		t.Errorf("README not rendered with the sanitized name:\n%s", b)
	}
	if !strings.Contains(h.out.String(), "cd My App && sst deploy") {
		t.Errorf("next steps missing:\n%s", h.out.String())
	}
	if !strings.Contains(h.out.String(), "local sst checkout at "+abs) {
		t.Errorf("--sst-source not resolved:\n%s", h.out.String())
	}

	// Not empty any more: refuse without touching anything, then
	// overwrite with --force.
	main := filepath.Join(wd, "My App", "main.go")
	writeFile(t, main, "package main // mine\n")
	h.mustFail("My App is not empty", "init", "My App", "--no-install")
	if b, _ := os.ReadFile(main); string(b) != "package main // mine\n" {
		t.Errorf("a refused init changed main.go:\n%s", b)
	}
	h.mustRun("init", "My App", "--no-install", "--force")
	if b, _ := os.ReadFile(main); !strings.Contains(string(b), "sst.Run") {
		t.Errorf("--force did not write the template's main.go:\n%s", b)
	}
}

func TestInitUnknownTemplate(t *testing.T) {
	wd := t.TempDir()
	h := newHarness(t, wd)
	h.mustFail(`unknown template "react": available templates are minimal, node, python, standard`, "init", "x", "--template", "react", "--no-install")
	if _, err := os.Stat(filepath.Join(wd, "x")); err == nil {
		t.Error("an unknown template created the directory")
	}
}

func TestInitList(t *testing.T) {
	h := newHarness(t, t.TempDir())
	h.mustRun("init", "--list")
	if got := strings.Fields(h.out.String()); strings.Join(got, ",") != "minimal,node,python,standard" {
		t.Errorf("init --list = %v", got)
	}
}

func TestInitDropIn(t *testing.T) {
	wd := t.TempDir()
	writeFile(t, filepath.Join(wd, "package.json"), `{"dependencies":{"next":"14.2.0","react":"18.3.1"}}`)
	h := newHarness(t, wd)
	h.mustRun("init", "--no-install")
	if !strings.Contains(h.out.String(), "Detected Next.js (package.json depends on next)") {
		t.Errorf("output:\n%s", h.out.String())
	}
	b, err := os.ReadFile(filepath.Join(wd, "infra", "main.go"))
	if err != nil || !strings.Contains(string(b), "sst.NewNextjsSite(s, \"Site\"") {
		t.Errorf("infra/main.go: %v\n%s", err, b)
	}
	// A second run would overwrite: refused.
	h.mustFail("already has cdktf.json, infra/go.mod, infra/main.go: pass --force", "init", "--no-install")
	h.mustFail("--template needs a directory", "init", "-t", "node")

	// Pointing init at the web project as a new app's directory says what to do.
	parent := newHarness(t, filepath.Dir(wd))
	parent.mustFail("it is a Next.js project; to add sst to it, run `sst init` inside it", "init", filepath.Base(wd), "--no-install")

	empty := newHarness(t, t.TempDir())
	empty.mustFail("no supported web project found", "init", "--no-install")
}

func TestInitFindsCheckoutFromExecutable(t *testing.T) {
	root, _ := filepath.Abs("..")
	f := &Factory{Executable: filepath.Join(root, "bin", "sst"), Environ: func() []string { return nil }, Getwd: os.Getwd}
	if got, err := resolveSource(f, ""); err != nil || got != root {
		t.Errorf("resolveSource = %q, %v; want %q", got, err, root)
	}
	f.Executable = filepath.Join(t.TempDir(), "sst")
	if got, _ := resolveSource(f, ""); got != "" {
		t.Errorf("resolveSource outside a checkout = %q", got)
	}
	f.Environ = func() []string { return []string{EnvSource + "=" + root} }
	if got, _ := resolveSource(f, ""); got != root {
		t.Errorf("$SST_SOURCE: %q", got)
	}
	if _, err := resolveSource(f, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no go.mod of module github.com/sst-tf/sst there") {
		t.Errorf("--sst-source to a non-checkout: %v", err)
	}
}
