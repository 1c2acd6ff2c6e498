//go:build !unix

package synth

import "os/exec"

// killGroupOnCancel has no process groups to use here; exec's default
// cancellation kills the shell and WaitDelay bounds the wait for its pipes.
func killGroupOnCancel(*exec.Cmd) {}
