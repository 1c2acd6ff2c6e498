//go:build unix

// Package filelock takes exclusive locks that every process on the machine
// respects and that the kernel releases when the holder exits, however it
// exits: they are never stale.
package filelock

import (
	"os"
	"path/filepath"
	"syscall"
)

// Lock waits for an exclusive flock on path (created with its directory if
// missing) and returns the function that releases it.
func Lock(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
