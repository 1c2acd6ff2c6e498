//go:build unix

package synth

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel puts the app in a process group of its own and makes
// cancellation kill that whole group. The app is `sh -c "go run ."`: killing
// only the shell would leave `go run`, the compiled app and its jsii Node
// child running, and Wait would block until they closed the output pipes.
// SIGKILL is fine here: a cancelled synth's output directory is discarded.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
