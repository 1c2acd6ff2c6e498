package tfenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/tfconfig"
)

func TestBuild(t *testing.T) {
	project := t.TempDir()
	mirror := t.TempDir()
	if err := os.MkdirAll(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	env, err := Build(Options{
		Base:       []string{"PATH=/bin", "TF_LOG=debug", "TF_VAR_x=1", EnvProviderMirror + "=" + mirror, EnvPluginCacheDir + "=" + cache},
		ProjectDir: project,
		Endpoint:   "http://127.0.0.1:5000",
	})
	if err != nil {
		t.Fatal(err)
	}
	if env["PATH"] != "/bin" || env["CHECKPOINT_DISABLE"] != "1" || env["GOGC"] != GOGC {
		t.Errorf("env %v", env)
	}
	if _, ok := env["TF_LOG"]; ok {
		t.Error("TF_LOG passed through; terraform-exec rejects it")
	}
	if _, ok := env["TF_VAR_x"]; ok {
		t.Error("TF_VAR_ passed through")
	}
	if env["AWS_ACCESS_KEY_ID"] != "test" {
		t.Error("emulator without credentials should get test credentials")
	}
	rc := env["TF_CLI_CONFIG_FILE"]
	if rc != filepath.Join(project, ".sst", "terraformrc") {
		t.Fatalf("TF_CLI_CONFIG_FILE = %q", rc)
	}
	b, err := os.ReadFile(rc)
	if err != nil || !strings.Contains(string(b), mirror) || !strings.Contains(string(b), cache) {
		t.Errorf("CLI config %s: %v", b, err)
	}
}

func TestBuildPassThrough(t *testing.T) {
	rc := filepath.Join(t.TempDir(), "rc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env, err := Build(Options{Base: []string{"AWS_ACCESS_KEY_ID=real", "TF_CLI_CONFIG_FILE=" + rc, "GOGC=50"}, Endpoint: "http://e"})
	if err != nil {
		t.Fatal(err)
	}
	if env["AWS_ACCESS_KEY_ID"] != "real" || env["TF_CLI_CONFIG_FILE"] != rc || env["GOGC"] != "50" {
		t.Errorf("user environment changed: %v", env)
	}
	// One naming no file is dropped: OpenTofu warns about it on stdout.
	env, _ = Build(Options{Base: []string{"TF_CLI_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none")}})
	if _, ok := env["TF_CLI_CONFIG_FILE"]; ok {
		t.Error("a TF_CLI_CONFIG_FILE naming no file passed through")
	}
	env, _ = Build(Options{Base: nil})
	if _, ok := env["AWS_ACCESS_KEY_ID"]; ok {
		t.Error("test credentials without an endpoint")
	}
}

func TestBuildMirror(t *testing.T) {
	// A mirror without the AWS provider is refused, naming the variable.
	empty := t.TempDir()
	_, err := Build(Options{Base: []string{EnvProviderMirror + "=" + empty}, ProjectDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), EnvProviderMirror+"="+empty+" has no registry.terraform.io/hashicorp/aws") {
		t.Errorf("mirror without aws: %v", err)
	}

	// Unset: a mirror in the usual places is used, as the tests' and CI's
	// own set-up would find it.
	found, _ := tfconfig.FindMirror("")
	if found == "" {
		t.Skip("no provider mirror in the usual places on this machine")
	}
	home := t.TempDir()
	project := t.TempDir()
	// A TF_CLI_CONFIG_FILE naming no file is no configuration.
	env, err := Build(Options{Base: []string{"HOME=" + home, "TF_CLI_CONFIG_FILE=" + filepath.Join(home, ".terraformrc")}, ProjectDir: project})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(env["TF_CLI_CONFIG_FILE"])
	if err != nil || !strings.Contains(string(b), found) {
		t.Errorf("auto-detected mirror %s not configured: %v\n%s", found, err, b)
	}
	// Not over a CLI configuration of the user's own.
	if err := os.WriteFile(filepath.Join(home, ".terraformrc"), []byte("credentials \"app.terraform.io\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, err = Build(Options{Base: []string{"HOME=" + home}, ProjectDir: project})
	if err != nil || env["TF_CLI_CONFIG_FILE"] != "" {
		t.Errorf("a user's ~/.terraformrc was replaced: %q, %v", env["TF_CLI_CONFIG_FILE"], err)
	}
}
