//go:build unix

package locks

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// lockHolder is the pid of the process holding terraform's fcntl lock on
// a local state file, or 0. F_GETLK asks without taking the lock.
func lockHolder(state string) (int, error) {
	f, err := os.Open(state)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fl := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &fl); err != nil {
		return 0, err
	}
	if fl.Type == syscall.F_UNLCK {
		return 0, nil
	}
	return int(fl.Pid), nil
}
