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

func TestRenderAliased(t *testing.T) {
	got := RenderAliased("/mirror", "/alias", "")
	want := `provider_installation {
  filesystem_mirror {
    path    = "/mirror"
    include = ["registry.terraform.io/*/*"]
  }
  filesystem_mirror {
    path    = "/alias"
    include = ["registry.opentofu.org/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
}
`
	if got != want {
		t.Errorf("RenderAliased:\n%s\nwant:\n%s", got, want)
	}
}

// TestAlias: every package of the mirror, unpacked or packed, appears under
// OpenTofu's host as a link to the mirror's own; again is a no-op; a link
// to a moved mirror is replaced.
func TestAlias(t *testing.T) {
	mirror, alias := t.TempDir(), t.TempDir()
	unpacked := filepath.Join(mirror, TerraformRegistry, "hashicorp", "aws", "5.100.0", "linux_amd64")
	packed := filepath.Join(mirror, TerraformRegistry, "hashicorp", "random", "terraform-provider-random_3.6.0_linux_amd64.zip")
	for _, dir := range []string{unpacked, filepath.Dir(packed)} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(unpacked, "terraform-provider-aws_v5.100.0_x5"), []byte("bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(packed, []byte("zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(mirror string) {
		t.Helper()
		for rel, want := range map[string]string{
			"hashicorp/aws/5.100.0/linux_amd64":                                filepath.Join(mirror, TerraformRegistry, "hashicorp", "aws", "5.100.0", "linux_amd64"),
			"hashicorp/random/terraform-provider-random_3.6.0_linux_amd64.zip": filepath.Join(mirror, TerraformRegistry, "hashicorp", "random", "terraform-provider-random_3.6.0_linux_amd64.zip"),
		} {
			path := filepath.Join(alias, OpenTofuRegistry, filepath.FromSlash(rel))
			if got, err := os.Readlink(path); err != nil || got != want {
				t.Errorf("%s -> %q, %v; want a link to %s", rel, got, err, want)
			}
		}
		// Only the package level is a link: OpenTofu's search follows
		// none above it.
		if fi, err := os.Lstat(filepath.Join(alias, OpenTofuRegistry, "hashicorp", "aws", "5.100.0")); err != nil || !fi.IsDir() {
			t.Errorf("the version level is not a directory: %v", err)
		}
	}
	if err := Alias(alias, mirror); err != nil {
		t.Fatal(err)
	}
	check(mirror)
	if err := Alias(alias, mirror); err != nil {
		t.Fatalf("again: %v", err)
	}
	check(mirror)
	leftovers, _ := filepath.Glob(filepath.Join(alias, OpenTofuRegistry, "hashicorp", "*", "*", ".link-*"))
	more, _ := filepath.Glob(filepath.Join(alias, OpenTofuRegistry, "hashicorp", "*", ".link-*"))
	if leftovers = append(leftovers, more...); len(leftovers) > 0 {
		t.Errorf("temporary links left behind: %v", leftovers)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(mirror, moved); err != nil {
		t.Fatal(err)
	}
	if err := Alias(alias, moved); err != nil {
		t.Fatal(err)
	}
	check(moved)
	if err := Alias(alias, t.TempDir()); err == nil || !strings.Contains(err.Error(), TerraformRegistry) {
		t.Errorf("a mirror without %s: %v", TerraformRegistry, err)
	}
}

// TestAliasDir: one alias per cache and mirror, beside the cache (inside
// it, OpenTofu would read the directory as a registry host).
func TestAliasDir(t *testing.T) {
	a := AliasDir("/home/u/.cache/sst/plugins", "/opt/mirror")
	if a != AliasDir("/home/u/.cache/sst/plugins/", "/opt/mirror") {
		t.Error("a trailing slash changed the alias")
	}
	if !strings.HasPrefix(a, "/home/u/.cache/sst/plugins-opentofu-alias/") {
		t.Errorf("AliasDir = %s, want beside the cache", a)
	}
	if a == AliasDir("/home/u/.cache/sst/plugins", "/opt/other") || a == AliasDir("/tmp/cache", "/opt/mirror") {
		t.Error("two mirrors or two caches share an alias")
	}
}
