//go:build !unix

package testenv

import (
	"os"
	"path/filepath"
)

// lockFile does not lock where flock is unavailable; concurrent first
// installs into the plugin cache may then race, which only costs a retry.
func lockFile(path string) (unlock func(), err error) {
	return func() {}, os.MkdirAll(filepath.Dir(path), 0o755)
}
