//go:build !unix

package jsiiload

import (
	"os"
	"path/filepath"
)

// lockFile does not lock where flock is unavailable: concurrent synths may
// then both prepare, and the renames keep every reader's view whole.
func lockFile(path string) (unlock func(), err error) {
	return func() {}, os.MkdirAll(filepath.Dir(path), 0o755)
}
