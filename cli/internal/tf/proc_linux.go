package tf

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr matches what terraform-exec does for the commands it runs:
// a process group of its own, so the terminal's Ctrl+C reaches only the CLI
// (which then interrupts terraform once, through the context), and death of
// terraform if the CLI dies.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }
