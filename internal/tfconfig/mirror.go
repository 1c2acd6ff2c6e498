package tfconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MirrorEnv names the variable that points at a terraform filesystem
// mirror (the parent of a registry.terraform.io directory).
const MirrorEnv = "SST_PROVIDER_MIRROR"

// MirrorRoots are where provider mirrors are commonly installed: /opt and
// the directories directly under it, then the ones terraform itself
// searches by default on Linux.
func MirrorRoots() []string {
	roots, _ := filepath.Glob("/opt/*")
	roots = append([]string{"/opt"}, roots...)
	roots = append(roots, "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins")
	if home, err := os.UserHomeDir(); err == nil {
		roots = append(roots,
			filepath.Join(home, ".terraform.d", "plugins"),
			filepath.Join(home, ".local", "share", "terraform", "plugins"))
	}
	return roots
}

// FindMirror returns the absolute root of a filesystem mirror holding the
// hashicorp/aws provider: setting (the value of $SST_PROVIDER_MIRROR) when
// given, which must hold it, else the first of MirrorRoots that does, else
// "" with no error.
func FindMirror(setting string) (string, error) {
	if setting != "" {
		if !HasAWSProvider(setting) {
			return "", fmt.Errorf("%s=%s has no registry.terraform.io/hashicorp/aws directory; point it at the parent of registry.terraform.io", MirrorEnv, setting)
		}
		return filepath.Abs(setting)
	}
	for _, dir := range MirrorRoots() {
		if HasAWSProvider(dir) {
			return dir, nil
		}
	}
	return "", nil
}

// NoMirrorHint says where FindMirror looked and what to set.
func NoMirrorHint() string {
	return fmt.Sprintf("set %s to a filesystem mirror holding registry.terraform.io/hashicorp/aws (its parent directory); none was found in %s", MirrorEnv, strings.Join(MirrorRoots(), ", "))
}

// HasAWSProvider reports whether root is a mirror with hashicorp/aws.
func HasAWSProvider(root string) bool {
	fi, err := os.Stat(filepath.Join(root, "registry.terraform.io", "hashicorp", "aws"))
	return err == nil && fi.IsDir()
}
