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

	// Not empty any more: refuse, then overwrite with --force.
	h.mustFail("My App is not empty", "init", "My App", "--no-install")
	h.mustRun("init", "My App", "--no-install", "--force")
}

func TestInitUnknownTemplate(t *testing.T) {
	h := newHarness(t, t.TempDir())
	h.mustFail(`unknown template "react": available templates are minimal`, "init", "x", "--template", "react", "--no-install")
}

func TestInitFindsCheckoutFromExecutable(t *testing.T) {
	root, _ := filepath.Abs("..")
	f := &Factory{Executable: filepath.Join(root, "bin", "sst"), Environ: func() []string { return nil }}
	if got := findSource(f, ""); got != root {
		t.Errorf("findSource = %q, want %q", got, root)
	}
	f.Executable = filepath.Join(t.TempDir(), "sst")
	if got := findSource(f, ""); got != "" {
		t.Errorf("findSource outside a checkout = %q", got)
	}
	f.Environ = func() []string { return []string{EnvSource + "=" + root} }
	if got := findSource(f, ""); got != root {
		t.Errorf("$SST_SOURCE: %q", got)
	}
}
