package tfconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	got := Render("/mirror", "/cache")
	want := `provider_installation {
  filesystem_mirror {
    path    = "/mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
plugin_cache_dir = "/cache"
plugin_cache_may_break_dependency_lock_file = true
`
	if got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderOptionalParts(t *testing.T) {
	if got := Render("", ""); got != "" {
		t.Errorf("Render with nothing = %q, want empty", got)
	}
	if got := Render("", "/c"); strings.Contains(got, "provider_installation") {
		t.Errorf("no mirror must keep terraform's default installation:\n%s", got)
	}
	if got := Render("/m", ""); strings.Contains(got, "plugin_cache") {
		t.Errorf("no cache dir must not configure a cache:\n%s", got)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		`/plain/path`:    `"/plain/path"`,
		`C:\tf "x"`:      `"C:\\tf \"x\""`,
		"/a/${b}/%{c}":   `"/a/$${b}/%%{c}"`,
		"/a/$b/%c":       `"/a/$b/%c"`,
		"/tab\there\x01": `"/tab\there\u0001"`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "terraformrc")
	cache := filepath.Join(dir, "cache")
	if err := Write(path, "/mirror", cache); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Render("/mirror", cache) {
		t.Errorf("file content:\n%s", b)
	}
	if fi, err := os.Stat(cache); err != nil || !fi.IsDir() {
		t.Errorf("plugin cache dir not created: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "sub", ".terraformrc-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}
