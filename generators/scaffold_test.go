package generators

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/templates"
)

func TestScaffoldEveryTemplate(t *testing.T) {
	names := templates.Names()
	if strings.Join(names, ",") != "minimal,node,python,standard" {
		t.Fatalf("templates = %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "Demo App")
			res, err := Scaffold(ScaffoldOptions{Dir: dir, Template: name, Version: "v1.2.3", Source: "/src/sst"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Data.Name != "demo-app" || res.Data.Module != "demo-app" {
				t.Errorf("data = %+v", res.Data)
			}
			for _, f := range res.Files {
				if strings.HasSuffix(f, ".tmpl") {
					t.Errorf("%s kept its .tmpl suffix", f)
				}
			}
			mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"module demo-app\n", "require github.com/sst-tf/sst v1.2.3\n", "replace github.com/sst-tf/sst => /src/sst\n"} {
				if !strings.Contains(string(mod), want) {
					t.Errorf("go.mod lacks %q:\n%s", want, mod)
				}
			}
			for _, f := range []string{"cdktf.json", "README.md", ".gitignore"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing %s", f)
				}
			}
		})
	}
}

func TestScaffoldRefusals(t *testing.T) {
	dir := t.TempDir()
	_, err := Scaffold(ScaffoldOptions{Dir: filepath.Join(dir, "x"), Template: "react"})
	var ute *UnknownTemplateError
	if !errors.As(err, &ute) || err.Error() != `unknown template "react": available templates are minimal, node, python, standard` {
		t.Errorf("unknown template: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("unknown template created the directory")
	}

	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Scaffold(ScaffoldOptions{Dir: dir, Template: "minimal"}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("non-empty dir: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("a refused scaffold wrote %d entries", len(ents))
	}
	if _, err := Scaffold(ScaffoldOptions{Dir: dir, Template: "minimal", Force: true}); err != nil {
		t.Errorf("--force: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "mine" {
		t.Error("--force touched a file the template does not have")
	}
}

func TestDefaultModule(t *testing.T) {
	for in, want := range map[string]string{"notes": "notes", "std": "std-app", "cmd": "cmd-app", "all": "all-app", "time": "time-app", "net": "net-app", "my-app": "my-app"} {
		if got := DefaultModule(in); got != want {
			t.Errorf("DefaultModule(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRequireVersion(t *testing.T) {
	for in, want := range map[string]string{
		"dev": "v0.0.0", "(devel)": "v0.0.0", "v0.3.1": "v0.3.1", "v1": "v0.0.0", "": "v0.0.0",
		// A build from a modified tree: go.mod takes no build metadata.
		"v0.0.0-20261202105700-3c8c218dc9bb+dirty": "v0.0.0-20261202105700-3c8c218dc9bb",
		"v1.2.3-rc.1": "v1.2.3-rc.1",
	} {
		if got := RequireVersion(in); got != want {
			t.Errorf("RequireVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindSource(t *testing.T) {
	root, _ := filepath.Abs("..")
	elsewhere := t.TempDir()
	for _, c := range []struct {
		name  string
		hints SourceHints
		want  string
	}{
		{"from executable", SourceHints{Executable: filepath.Join(root, "bin", "sst")}, root},
		{"outside a checkout", SourceHints{Executable: filepath.Join(elsewhere, "sst")}, ""},
		{"where it was built", SourceHints{Built: []string{elsewhere, root}, Executable: filepath.Join(elsewhere, "sst")}, root},
		{"relative $SST_SOURCE", SourceHints{Env: "..", WD: filepath.Join(root, "generators")}, root},
		{"$SST_SOURCE before the build's", SourceHints{Env: root, Built: []string{elsewhere}}, root},
		{"a flag that is not a checkout must not fall back", SourceHints{Flag: elsewhere, Env: root, Built: []string{root}}, ""},
		{"a variable that is not a checkout must not fall back", SourceHints{Env: elsewhere, Built: []string{root}}, ""},
	} {
		if got := FindSource(c.hints); got != c.want {
			t.Errorf("%s: FindSource = %q, want %q", c.name, got, c.want)
		}
	}
}
