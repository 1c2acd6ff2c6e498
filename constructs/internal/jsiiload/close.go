package jsiiload

import (
	"os"

	"github.com/aws/jsii-runtime-go"
)

// CloseAndSilence stops the jsii kernel: it asks the Node child to exit,
// waits for it (so its CPU and memory count as the process's children) and
// removes the runtime's temporary directory. Call it last, just before the
// process exits: jsii-runtime-go also waits for the child in a goroutine of
// its own, and when Close reaps the child first that goroutine prints
// "Runtime process exited abnormally: waitid: no child processes" — a
// false alarm — so os.Stderr is pointed at the null device from here on.
// It returns the real stderr for whatever the caller still has to say.
func CloseAndSilence() *os.File {
	stderr := os.Stderr
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = null
	}
	jsii.Close()
	return stderr
}
