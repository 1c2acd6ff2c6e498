package testenv

import (
	"os/exec"
	"syscall"
)

// setMotoProcAttr gives moto its own process group, so Stop can end the
// whole tree, and has the kernel kill it if the test binary dies (a go test
// timeout, a crash) so no emulator outlives its tests.
func setMotoProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func terminate(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	// A negative pid signals the process group.
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		cmd.Process.Signal(sig)
	}
}
