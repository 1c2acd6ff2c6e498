//go:build !unix

// Package filelock takes exclusive locks that every process on the machine
// respects; where flock is unavailable it does not lock.
package filelock

import (
	"os"
	"path/filepath"
)

// Lock does not lock where flock is unavailable: callers must stay correct
// without it (write whole files and rename them), so two processes doing
// the same work at once only cost time.
func Lock(path string) (unlock func(), err error) {
	return func() {}, os.MkdirAll(filepath.Dir(path), 0o755)
}
