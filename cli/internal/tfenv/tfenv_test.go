package tfenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	project := t.TempDir()
	mirror := t.TempDir()
	cache := filepath.Join(t.TempDir(), "cache")
	env, err := Build(Options{
		Base:       []string{"PATH=/bin", "TF_LOG=debug", "TF_VAR_x=1", EnvProviderMirror + "=" + mirror, EnvPluginCacheDir + "=" + cache},
		ProjectDir: project,
		Endpoint:   "http://127.0.0.1:5000",
	})
	if err != nil {
		t.Fatal(err)
	}
	if env["PATH"] != "/bin" || env["CHECKPOINT_DISABLE"] != "1" {
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
	env, err := Build(Options{Base: []string{"AWS_ACCESS_KEY_ID=real", "TF_CLI_CONFIG_FILE=/x"}, Endpoint: "http://e"})
	if err != nil {
		t.Fatal(err)
	}
	if env["AWS_ACCESS_KEY_ID"] != "real" || env["TF_CLI_CONFIG_FILE"] != "/x" {
		t.Errorf("user environment changed: %v", env)
	}
	env, _ = Build(Options{Base: nil})
	if _, ok := env["AWS_ACCESS_KEY_ID"]; ok {
		t.Error("test credentials without an endpoint")
	}
}
