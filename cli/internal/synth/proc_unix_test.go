//go:build unix

package synth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCancelKillsTheWholeApp: the app runs as `sh -c "go run ."`, so the
// process doing the work is a grandchild of the CLI. Cancelling must end it
// too, and Run must return rather than wait for it to close the pipes.
func TestCancelKillsTheWholeApp(t *testing.T) {
	o, dir := setup(t)
	pidFile := filepath.Join(dir, "grandchild.pid")
	o.App = `sleep 300 & echo $! > grandchild.pid; wait`
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, o)
		done <- err
	}()
	var pid int
	for pid == 0 {
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return within a minute of cancel: the app's grandchild still holds its output pipes")
	}
	// The group was sent SIGKILL before Run returned. The orphaned
	// grandchild may linger as a zombie until init reaps it; that is dead.
	for i := 0; alive(pid); i++ {
		if i == 100 {
			t.Fatalf("grandchild %d still runs after the synth was cancelled", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := os.Stat(o.OutDir); !os.IsNotExist(err) {
		t.Errorf("cancelled synth left %s behind (stat err %v)", o.OutDir, err)
	}
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: a signal-able pid is all we can know
	}
	// Field 3, after the parenthesised command name, is the state.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
