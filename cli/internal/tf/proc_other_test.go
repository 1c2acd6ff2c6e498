//go:build !unix

package tf

import (
	"os/exec"
	"testing"
)

const testLockID = "11111111-2222-3333-4444-555555555555"

func holdLocalLock(t *testing.T, _, _ string) func() {
	t.Fatal("holding terraform's local state lock needs fcntl (unix)")
	return nil
}

func setKillableGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
