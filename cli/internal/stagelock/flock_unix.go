//go:build unix

package stagelock

import (
	"errors"
	"os"
	"syscall"
)

// flock (not fcntl) locks belong to the open file, so two opens in one
// process exclude each other too, as two commands run by tests in-process must.
func tryLock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errBusy
	}
	return err
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
