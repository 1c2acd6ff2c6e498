package generators

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	if err := writeFile(dir, rel, []byte(content)); err != nil {
		t.Fatal(err)
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name      string
		files     map[string]string
		construct string // "" = no framework
		evidence  string
	}{
		{"next dependency", map[string]string{"package.json": `{"dependencies":{"next":"14","react":"18"}}`}, "NextjsSite", "package.json depends on next"},
		{"next config only", map[string]string{"next.config.mjs": "export default {}"}, "NextjsSite", "next.config.mjs"},
		{"remix on vite", map[string]string{"package.json": `{"dependencies":{"@remix-run/react":"2"},"devDependencies":{"@remix-run/dev":"2","vite":"5"}}`}, "RemixSite", "package.json depends on @remix-run/dev"},
		{"astro", map[string]string{"package.json": `{"dependencies":{"astro":"4"}}`}, "AstroSite", "package.json depends on astro"},
		{"astro config", map[string]string{"astro.config.mjs": ""}, "AstroSite", "astro.config.mjs"},
		{"sveltekit dev dependency", map[string]string{"package.json": `{"devDependencies":{"@sveltejs/kit":"2","vite":"5"}}`}, "SvelteKitSite", "package.json depends on @sveltejs/kit"},
		{"svelte config", map[string]string{"svelte.config.js": ""}, "SvelteKitSite", "svelte.config.js"},
		{"solidstart", map[string]string{"package.json": `{"dependencies":{"@solidjs/start":"1","vinxi":"0.4"}}`}, "SolidStartSite", "package.json depends on @solidjs/start"},
		{"legacy solid-start", map[string]string{"package.json": `{"dependencies":{"solid-start":"0.3"}}`}, "SolidStartSite", "package.json depends on solid-start"},
		{"vite react", map[string]string{"package.json": `{"dependencies":{"react":"18"},"devDependencies":{"vite":"5"}}`}, "StaticSite", "package.json depends on vite"},
		{"vite config only", map[string]string{"vite.config.ts": ""}, "StaticSite", "vite.config.ts"},
		{"app.config alone is not SolidStart", map[string]string{"app.config.ts": ""}, "", ""},
		{"plain node project", map[string]string{"package.json": `{"dependencies":{"express":"4"}}`}, "", ""},
		{"empty", nil, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, body := range c.files {
				write(t, dir, n, body)
			}
			fw, ev, err := Detect(dir)
			if c.construct == "" {
				if !errors.Is(err, ErrNoFramework) || !strings.Contains(err.Error(), "sst init <dir>") {
					t.Fatalf("Detect = %s, %v; want ErrNoFramework naming the fix", fw.Construct, err)
				}
				return
			}
			if err != nil || fw.Construct != c.construct || ev != c.evidence {
				t.Errorf("Detect = %s (%q), %v; want %s (%q)", fw.Construct, ev, err, c.construct, c.evidence)
			}
		})
	}
}

func TestDetectBadPackageJSON(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "package.json", `{"dependencies":`)
	if _, _, err := Detect(dir); err == nil || !strings.Contains(err.Error(), "package.json") {
		t.Errorf("Detect of broken package.json: %v", err)
	}
}

func TestDropIn(t *testing.T) {
	for _, fw := range Frameworks {
		t.Run(fw.Construct, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "My Site")
			write(t, dir, "package.json", `{"dependencies":{"`+fw.deps[0]+`":"1"}}`)
			write(t, dir, ".gitignore", "node_modules")
			res, err := DropIn(DropInOptions{Dir: dir, Source: "/src/sst", Version: "dev"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Framework.Construct != fw.Construct || strings.Join(res.Files, ",") != "cdktf.json,infra/go.mod,infra/main.go" {
				t.Fatalf("DropIn = %+v", res)
			}
			read := func(rel string) string {
				b, err := os.ReadFile(filepath.Join(dir, rel))
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			if got := read("cdktf.json"); !strings.Contains(got, `"app": "cd infra && go run ."`) {
				t.Errorf("cdktf.json:\n%s", got)
			}
			mod := read("infra/go.mod")
			for _, want := range []string{"module my-site/infra\n", "require github.com/sst-tf/sst v0.0.0\n", "replace github.com/sst-tf/sst => /src/sst\n"} {
				if !strings.Contains(mod, want) {
					t.Errorf("go.mod lacks %q:\n%s", want, mod)
				}
			}
			main := read("infra/main.go")
			for _, want := range []string{
				"site := sst.New" + fw.Construct + `(s, "Site", sst.` + fw.Construct + "Props{\n\t\t" + fw.Props + ",\n\t})",
				`sst.Run(sst.Config{Name: "my-site", Region: "us-east-1"}, Web)`,
				`"SiteUrl": site.URL()`,
			} {
				if !strings.Contains(main, want) {
					t.Errorf("main.go lacks %q:\n%s", want, main)
				}
			}
			if got := read(".gitignore"); got != "node_modules\n\n# sst\n.sst/\n" {
				t.Errorf(".gitignore = %q", got)
			}

			// Again: refused, and nothing changes; --force overwrites.
			write(t, dir, "infra/main.go", "mine")
			if _, err := DropIn(DropInOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "already has cdktf.json, infra/go.mod, infra/main.go: pass --force") {
				t.Fatalf("second DropIn: %v", err)
			}
			if read("infra/main.go") != "mine" {
				t.Error("a refused drop-in changed infra/main.go")
			}
			if _, err := DropIn(DropInOptions{Dir: dir, Force: true}); err != nil {
				t.Fatal(err)
			}
			if read("infra/main.go") == "mine" || strings.Count(read(".gitignore"), ".sst/") != 1 {
				t.Error("--force did not rewrite main.go, or .gitignore got .sst/ twice")
			}
		})
	}
}
