package tfenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/tfconfig"
)

func TestParseEngine(t *testing.T) {
	for in, want := range map[string]Engine{"": Terraform, "terraform": Terraform, "tofu": OpenTofu, "OpenTofu": OpenTofu, " tofu ": OpenTofu} {
		if got, err := ParseEngine(in, "--engine"); err != nil || got != want {
			t.Errorf("ParseEngine(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"foo", "terraform1.5", "tf"} {
		_, err := ParseEngine(bad, "$SST_ENGINE")
		if err == nil || err.Error() != `$SST_ENGINE: unknown engine "`+bad+`": use "terraform" or "tofu"` {
			t.Errorf("ParseEngine(%q): %v", bad, err)
		}
	}
	if OpenTofu.Command() != "tofu" || Engine("").Command() != "terraform" || !strings.Contains(OpenTofu.InstallHint(), "--engine terraform") {
		t.Error("OpenTofu's command or hint")
	}
}

// TestBuildOpenTofu: the CLI configuration serves both registry hosts from
// the one mirror, and a ~/.tofurc of the user's keeps it from being
// written for OpenTofu (which reads that file), not for terraform.
func TestBuildOpenTofu(t *testing.T) {
	project, home := t.TempDir(), t.TempDir()
	mirror := t.TempDir()
	pkg := filepath.Join(mirror, tfconfig.TerraformRegistry, "hashicorp", "aws", "5.100.0", "linux_amd64")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	base := []string{"HOME=" + home, EnvProviderMirror + "=" + mirror, EnvPluginCacheDir + "=" + cache}
	env, err := Build(Options{Base: base, ProjectDir: project, Engine: OpenTofu})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(env["TF_CLI_CONFIG_FILE"])
	// The alias is the cache's, not the project's: OpenTofu's cache entry
	// links to it, for every project sharing the cache.
	alias := tfconfig.AliasDir(cache, mirror)
	if strings.HasPrefix(alias, project) || strings.HasPrefix(alias, cache+string(filepath.Separator)) {
		t.Errorf("alias %s inside the project or the cache", alias)
	}
	if err != nil || !strings.Contains(string(b), `include = ["registry.opentofu.org/*/*"]`) || !strings.Contains(string(b), alias) {
		t.Errorf("CLI config for OpenTofu: %v\n%s", err, b)
	}
	other := t.TempDir()
	env2, err := Build(Options{Base: base, ProjectDir: other, Engine: OpenTofu})
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(env2["TF_CLI_CONFIG_FILE"]); !strings.Contains(string(b2), alias) {
		t.Errorf("a second project's CLI config does not name the shared alias %s:\n%s", alias, b2)
	}
	if got, err := os.Readlink(filepath.Join(alias, tfconfig.OpenTofuRegistry, "hashicorp", "aws", "5.100.0", "linux_amd64")); err != nil || got != pkg {
		t.Errorf("alias of the AWS provider -> %q, %v", got, err)
	}

	// Only an automatically found mirror yields to a user's configuration.
	if found, _ := tfconfig.FindMirror(""); found != "" {
		if err := os.WriteFile(filepath.Join(home, ".tofurc"), []byte("# the user's\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for engine, want := range map[Engine]bool{OpenTofu: false, Terraform: true} {
			env, err := Build(Options{Base: []string{"HOME=" + home}, ProjectDir: project, Engine: engine})
			if err != nil || (env["TF_CLI_CONFIG_FILE"] != "") != want {
				t.Errorf("%s with a ~/.tofurc: TF_CLI_CONFIG_FILE=%q, %v", engine, env["TF_CLI_CONFIG_FILE"], err)
			}
		}
	}
}
