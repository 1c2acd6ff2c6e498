//go:build unix

package tf

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

const testLockID = "11111111-2222-3333-4444-555555555555"

// holdLocalLock holds the local backend's lock on statePath the way a running
// terraform does: an fcntl write lock on the state file, plus the lock info
// file terraform reads to say who holds it. fcntl locks belong to this
// process, so any terraform child sees the state as locked.
func holdLocalLock(t *testing.T, statePath, who string) (release func()) {
	t.Helper()
	f, err := os.OpenFile(statePath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		f.Close()
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{
		"ID": testLockID, "Operation": "OperationTypeApply", "Who": who,
		"Version": "1.11.4", "Created": "2026-01-01T00:00:00Z", "Path": statePath,
	})
	infoPath := filepath.Join(filepath.Dir(statePath), "."+filepath.Base(statePath)+".lock.info")
	if err := os.WriteFile(infoPath, info, 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		// Closing any descriptor of the file drops this process's lock.
		f.Close()
		os.Remove(infoPath)
	}
}

func setKillableGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup SIGKILLs terraform and the provisioner it started, leaving no
// chance to release the lock.
func killGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
