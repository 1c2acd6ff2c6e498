package tfconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindMirror(t *testing.T) {
	mirror := t.TempDir()
	if err := os.MkdirAll(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindMirror(mirror); err != nil || got != mirror {
		t.Errorf("FindMirror(%s) = %q, %v", mirror, got, err)
	}
	// A setting that holds no provider is an error, never a fallback.
	empty := t.TempDir()
	if _, err := FindMirror(empty); err == nil || !strings.Contains(err.Error(), MirrorEnv+"="+empty+" has no registry.terraform.io/hashicorp/aws") {
		t.Errorf("FindMirror(empty) = %v", err)
	}
	// Unset: the usual places, each holding the provider if it says so.
	got, err := FindMirror("")
	if err != nil || (got != "" && !HasAWSProvider(got)) {
		t.Errorf("FindMirror(\"\") = %q, %v", got, err)
	}
	if h := NoMirrorHint(); !strings.Contains(h, MirrorEnv) || !strings.Contains(h, "/usr/share/terraform/plugins") {
		t.Errorf("NoMirrorHint() = %q", h)
	}
}
