//go:build !linux

package tf

import (
	"os"
	"os/exec"
	"runtime"
)

func setProcAttr(*exec.Cmd) {}

// interrupt asks terraform to stop gracefully; Windows has no SIGINT for
// other processes, so there it can only be killed.
func interrupt(p *os.Process) error {
	if runtime.GOOS == "windows" {
		return p.Kill()
	}
	return p.Signal(os.Interrupt)
}
