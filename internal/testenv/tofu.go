package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Tofu finds the OpenTofu binary for tests of --engine tofu: $SST_TOFU,
// the checkout's bin/tools/tofu (where `make tofu`, run by .ci/run, builds
// it), then tofu on PATH. CI must have it, so there a missing binary fails
// the test; elsewhere the test is skipped with how to build it.
func Tofu(t testing.TB) string {
	t.Helper()
	if p := TofuPath(); p != "" {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("tofu not found: .ci/run builds it into bin/tools with `make tofu`")
	}
	t.Skip("tofu not found: `make tofu` builds OpenTofu into bin/tools")
	return ""
}

// TofuPath is where Tofu finds the binary, or "".
func TofuPath() string {
	if p := os.Getenv("SST_TOFU"); p != "" {
		return p
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", "bin", "tools", "tofu")
		if _, err := os.Stat(p); err == nil {
			return filepath.Clean(p)
		}
	}
	if p, err := exec.LookPath("tofu"); err == nil {
		return p
	}
	return ""
}
