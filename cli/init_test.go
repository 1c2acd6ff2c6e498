package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/generators"
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
	if !strings.Contains(h.out.String(), "cd 'My App' && go mod tidy && ") {
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

func TestInitResolveModule(t *testing.T) {
	root, _ := filepath.Abs("..")
	elsewhere := t.TempDir()
	f := &Factory{Executable: filepath.Join(root, "bin", "sst"), Environ: func() []string { return nil }, Getwd: os.Getwd}
	devel := Build{Version: "(devel)"}
	if got, err := resolveModule(f, "", devel); err != nil || got != (sstModule{"v0.0.0", root}) {
		t.Errorf("from the executable's checkout: %+v, %v", got, err)
	}

	// Installed elsewhere: where it was built (a stamp, or the compiler's
	// path of its source) still finds the checkout.
	f.Executable = filepath.Join(elsewhere, "sst")
	built := Build{Version: "v0.0.0-20261202105700-3c8c218dc9bb+dirty", Sources: []string{root}}
	if got, err := resolveModule(f, "", built); err != nil || got != (sstModule{"v0.0.0-20261202105700-3c8c218dc9bb", root}) {
		t.Errorf("installed outside the checkout: %+v, %v", got, err)
	}
	// This test binary itself was compiled from this checkout.
	if b := readBuild(); generators.FirstCheckout(b.Sources...) != root {
		t.Errorf("readBuild().Sources = %v, want %s among them", b.Sources, root)
	}

	// A release needs no checkout: the app requires the published version.
	if got, err := resolveModule(f, "", Build{Version: "v0.4.0", Release: true}); err != nil || got != (sstModule{"v0.4.0", ""}) {
		t.Errorf("release: %+v, %v", got, err)
	}
	// Neither a release nor a known checkout: refused with what to do.
	if _, err := resolveModule(f, "", devel); err == nil || !strings.Contains(err.Error(), "run `make install` in your sst checkout, or pass --sst-source") {
		t.Errorf("no version, no checkout: %v", err)
	}

	f.Environ = func() []string { return []string{EnvSource + "=" + root} }
	if got, _ := resolveModule(f, "", devel); got.source != root {
		t.Errorf("$SST_SOURCE: %+v", got)
	}
	if _, err := resolveModule(f, elsewhere, devel); err == nil || !strings.Contains(err.Error(), "--sst-source "+elsewhere+": no go.mod of module github.com/sst-tf/sst there") {
		t.Errorf("--sst-source to a non-checkout: %v", err)
	}
	f.Environ = func() []string { return []string{EnvSource + "=" + elsewhere} }
	if _, err := resolveModule(f, "", built); err == nil || !strings.Contains(err.Error(), "$SST_SOURCE="+elsewhere+": no go.mod") {
		t.Errorf("$SST_SOURCE to a non-checkout: %v", err)
	}
}

// A set-up step that fails exits non-zero with its output and the command
// to run again; the written files stay.
func TestInitStepFailures(t *testing.T) {
	root, _ := filepath.Abs("..")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	// Offline with an empty module cache: go mod tidy cannot load anything.
	wd := t.TempDir()
	h := newHarness(t, wd, "GOPROXY=off", "GOMODCACHE="+filepath.Join(t.TempDir(), "mod"), "GOFLAGS=-modcacherw")
	h.mustFail("`go mod tidy` in "+filepath.Join(wd, "app")+" failed", "init", "app", "--sst-source", root)
	for _, want := range []string{"module lookup disabled by GOPROXY=off", "The app's files are written: fix the problem above, then run `cd " + filepath.Join(wd, "app") + " && go mod tidy`"} {
		if !strings.Contains(h.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, h.err.String())
		}
	}
	if _, err := os.Stat(filepath.Join(wd, "app", "main.go")); err != nil {
		t.Errorf("the app's files: %v", err)
	}

	// No npm on PATH: the node template's npm install fails after a good tidy.
	h = newHarness(t, wd)
	h.env = append(h.env, "PATH="+filepath.Dir(goBin))
	h.mustFail("`npm install --no-audit --no-fund` in "+filepath.Join(wd, "web")+" failed", "init", "web", "-t", "node", "--sst-source", root)
	if !strings.Contains(h.err.String(), "then run `cd "+filepath.Join(wd, "web")+" && npm install") {
		t.Errorf("stderr does not say what to run:\n%s", h.err.String())
	}
}

// A binary built with -trimpath outside make knows neither a release nor
// its checkout: init refuses before writing anything and says how to get
// one that works; version says it is unstamped.
func TestInitUnknownSource(t *testing.T) {
	saved := currentBuild
	currentBuild = func() Build { return Build{Version: "(devel)"} }
	t.Cleanup(func() { currentBuild = saved })
	wd := t.TempDir()
	h := newHarness(t, wd)
	h.mustFail("this sst ((devel)) is not a published release and does not know the checkout it was built from", "init", "app")
	if !strings.Contains(h.err.String(), "run `make install` in your sst checkout, or pass --sst-source <checkout> (or set $SST_SOURCE)") {
		t.Errorf("no way out named:\n%s", h.err.String())
	}
	if _, err := os.Stat(filepath.Join(wd, "app")); err == nil {
		t.Error("a refused init created the app directory")
	}
	h.mustFail("does not know the checkout", "init")
	h.mustRun("version")
	if !strings.HasPrefix(h.out.String(), "sst (devel) (commit unknown: build with `make install` in the checkout to stamp it)\n") {
		t.Errorf("version:\n%s", h.out.String())
	}
	// --sst-source is the way out it names.
	root, _ := filepath.Abs("..")
	h.mustRun("init", "app", "--no-install", "--sst-source", root)
}

// TestInitCIRefusals: bad --ci input writes nothing. (The recipe itself
// is run against the emulator by tests TestCIRecipe.)
func TestInitCIRefusals(t *testing.T) {
	outside := newHarness(t, t.TempDir())
	outside.mustFail("--ci: ", "init", "--ci", "github")
	if !strings.Contains(outside.err.String(), "run it inside an sst project") {
		t.Errorf("outside a project:\n%s", outside.err.String())
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"go run ."}`)
	h := newHarness(t, dir)
	h.mustFail(`--ci "gitlab": the CI recipes are: github`, "init", "--ci", "gitlab")
	h.mustFail("--ci writes into the project around the working directory", "init", "--ci", "github", "app")
	if _, err := os.Stat(filepath.Join(dir, ".github")); err == nil {
		t.Error("a refused --ci wrote .github")
	}
	writeFile(t, filepath.Join(dir, ".github", "sst-ci.sh"), "mine")
	h.mustFail(".github/sst-ci.sh already exists: pass --force", "init", "--ci", "github")
	if b, _ := os.ReadFile(filepath.Join(dir, ".github", "sst-ci.sh")); string(b) != "mine" {
		t.Error("a refused --ci overwrote a file")
	}
	if _, err := os.Stat(filepath.Join(dir, ".github", "workflows", "sst.yml")); err == nil {
		t.Error("a refused --ci wrote the workflow")
	}
	h.mustRun("init", "--ci", "github", "--force")
	if b, _ := os.ReadFile(filepath.Join(dir, ".github", "sst-ci.sh")); !strings.HasPrefix(string(b), "#!/bin/sh") {
		t.Error("--force did not write the script")
	}
}
