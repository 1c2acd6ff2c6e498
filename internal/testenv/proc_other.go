//go:build !linux

package testenv

import "os/exec"

func setMotoProcAttr(*exec.Cmd) {}

func terminate(cmd *exec.Cmd, _ bool) { cmd.Process.Kill() }
