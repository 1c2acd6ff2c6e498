// Package testenv is the shared setup for tests that run terraform or talk
// to AWS: it finds the terraform provider mirror, writes a terraform CLI
// configuration for it, and runs moto, the local AWS emulator.
//
// End-to-end tests must never skip silently: when a tool is missing they
// fail and say what is missing (RequireTools, CheckTools).
package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/filelock"

	"github.com/sst-tf/sst/internal/tfconfig"
)

// MirrorEnv names the variable that points at a terraform filesystem
// mirror (the parent of a registry.terraform.io directory).
const MirrorEnv = tfconfig.MirrorEnv

// ProviderMirror returns the root of a filesystem mirror that holds the
// hashicorp/aws provider, found as the CLI finds it: $SST_PROVIDER_MIRROR
// when set, otherwise the first common location that has one.
func ProviderMirror() (string, error) {
	dir, err := tfconfig.FindMirror(os.Getenv(MirrorEnv))
	if err == nil && dir == "" {
		err = fmt.Errorf("no terraform provider mirror found: %s", tfconfig.NoMirrorHint())
	}
	return dir, err
}

// PluginCacheDir is the terraform plugin cache shared by all test runs on
// this machine. Sharing it means the provider is linked into the cache once,
// not once per test binary.
func PluginCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "sst-test", "plugins"), nil
}

// WriteTerraformEnv writes a terraform CLI configuration into dir that
// installs providers from ProviderMirror with the shared plugin cache, and
// returns the environment that makes terraform use it. It is the variant for
// TestMain; tests use TerraformEnv.
func WriteTerraformEnv(dir string) (map[string]string, error) {
	mirror, err := ProviderMirror()
	if err != nil {
		return nil, err
	}
	cache, err := PluginCacheDir()
	if err != nil {
		return nil, err
	}
	// Both engines' registry hosts, as the CLI configures them: tests run
	// OpenTofu with the same environment.
	rc := filepath.Join(dir, "terraformrc")
	if err := tfconfig.WriteAliased(rc, mirror, tfconfig.AliasDir(cache, mirror), cache); err != nil {
		return nil, err
	}
	env := map[string]string{
		"TF_CLI_CONFIG_FILE": rc,
		"TF_IN_AUTOMATION":   "1",
		"CHECKPOINT_DISABLE": "1",
	}
	if err := warmPluginCache(env, cache); err != nil {
		return nil, err
	}
	return env, nil
}

// TerraformEnv is WriteTerraformEnv into a temporary directory of t.
func TerraformEnv(t testing.TB) map[string]string {
	t.Helper()
	env, err := WriteTerraformEnv(t.TempDir())
	if err != nil {
		t.Fatalf("terraform test environment: %v", err)
	}
	return env
}

// warmPluginCache runs one terraform init, under a machine-wide file lock,
// when the shared cache has no aws provider yet. Terraform's plugin cache is
// not safe for concurrent first installs (go test runs package binaries in
// parallel, each with its own inits); once the entry exists, concurrent
// inits only read it.
func warmPluginCache(env map[string]string, cache string) error {
	cached := func() bool {
		m, _ := filepath.Glob(filepath.Join(cache, "registry.terraform.io", "hashicorp", "aws", "*", runtime.GOOS+"_"+runtime.GOARCH))
		return len(m) > 0
	}
	if cached() {
		return nil
	}
	unlock, err := filelock.Lock(filepath.Join(cache, ".warm.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if cached() {
		return nil
	}
	dir, err := os.MkdirTemp("", "sst-warm-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := `{"terraform":{"required_providers":{"aws":{"source":"hashicorp/aws"}}}}`
	if err := os.WriteFile(filepath.Join(dir, "main.tf.json"), []byte(cfg), 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "terraform", "init", "-input=false", "-no-color")
	cmd.Dir = dir
	cmd.Env = Environ(env)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("warming the terraform plugin cache %s: %v\n%s", cache, err, out)
	}
	return nil
}

// Environ returns os.Environ() with env merged over it, in exec.Cmd.Env
// form. An empty value removes the variable, which is how AWSEnv clears
// AWS_PROFILE.
func Environ(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := env[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// CheckTools reports, in one error, every tool end-to-end tests need that is
// missing: terraform and moto_server on PATH, and a provider mirror.
func CheckTools() error {
	var missing []string
	for _, bin := range []string{"terraform", "moto_server"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin+" is not on PATH")
		}
	}
	if _, err := ProviderMirror(); err != nil {
		missing = append(missing, err.Error())
	}
	if len(missing) > 0 {
		return errors.New("end-to-end test tools missing:\n  - " + strings.Join(missing, "\n  - "))
	}
	return nil
}

// RequireTools fails the test, naming what is missing, unless terraform,
// moto_server and a provider mirror are all available. It fails rather than
// skips so that a CI machine without them cannot pass by testing nothing.
func RequireTools(t testing.TB) {
	t.Helper()
	if err := CheckTools(); err != nil {
		t.Fatal(err)
	}
}
