package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/generators"
	"github.com/sst-tf/sst/internal/testenv"
)

// TestDropInVite: `sst init` inside a real Vite + React project (the
// Vite fixture, installed from its lockfile) adds infra/ with a
// StaticSite; the result synthesizes — running the project's own `vite
// build` — and validates.
func TestDropInVite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "vite-app")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(repo, "tests", "testdata", "sites", "vite"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("node_modules\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	npmInstall(t, dir)
	r := mustSST(t, dir, "init")
	if !strings.Contains(r.stdout, "Detected Vite (package.json depends on vite)") {
		t.Errorf("init said:\n%s", r)
	}
	validateProject(t, dir, tfsecBinary(t))
	// The synth ran the project's build: Vite's hashed bundle is there.
	if got, _ := filepath.Glob(filepath.Join(dir, "dist", "assets", "index-*.js")); len(got) != 1 {
		t.Errorf("dist/assets after the synth = %v, want the one bundle vite build writes", got)
	}
}

// TestDropInCompiles: for every framework `sst init` recognizes, the infra
// module it adds compiles against this checkout's constructs, so the
// generated props and calls (site.URL(), Path, BuildCommand, …) match the
// real API. Building each framework's app would cost minutes apiece; the
// Vite one is synthesized by TestDropInVite and the Next.js construct by
// TestSsrAdapterSites.
func TestDropInCompiles(t *testing.T) {
	t.Parallel()
	// A dependency that identifies each framework in package.json.
	deps := map[string]string{
		"NextjsSite": "next", "RemixSite": "@remix-run/dev", "AstroSite": "astro",
		"SvelteKitSite": "@sveltejs/kit", "SolidStartSite": "@solidjs/start", "StaticSite": "vite",
	}
	if len(deps) != len(generators.Frameworks) {
		t.Fatalf("this test knows %d frameworks, sst init %d: add the new one here", len(deps), len(generators.Frameworks))
	}
	for _, fw := range generators.Frameworks {
		dep, ok := deps[fw.Construct]
		if !ok {
			t.Fatalf("no package.json dependency for %s in this test", fw.Construct)
		}
		dir := filepath.Join(t.TempDir(), "app")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name": "app", "dependencies": {"`+dep+`": "*"}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		r := mustSST(t, dir, "init")
		if !strings.Contains(r.stdout, "Detected "+fw.Name+" (package.json depends on "+dep+")") {
			t.Errorf("%s: init said:\n%s", fw.Name, r)
		}
		vet := exec.Command("go", "vet", ".")
		vet.Dir = filepath.Join(dir, "infra")
		vet.Env = testenv.Environ(baseEnv)
		if out, err := vet.CombinedOutput(); err != nil {
			b, _ := os.ReadFile(filepath.Join(dir, "infra", "main.go"))
			t.Errorf("%s: the generated infra does not compile: %v\n%s\n--- infra/main.go\n%s", fw.Name, err, out, b)
		}
	}
}
