package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// blockingApp says it started, then waits for the test before writing the
// stage: a command stays inside its synth, holding the stage, for as long
// as the test needs.
const blockingApp = `touch "$SST_PROJECT_DIR/started"
while [ ! -e "$SST_PROJECT_DIR/go" ]; do sleep 0.05; done
` + miniApp

// holdStage runs `sst args…` until its app has started and returns a
// function that stops it and returns its stderr.
func holdStage(t *testing.T, dir string, args ...string) (stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := newHarness(t, dir, "SST_STAGE=lk")
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.runContext(ctx, args...)
	}()
	started := filepath.Join(dir, "started")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		select {
		case <-done:
			t.Fatalf("sst %v ended before its app started:\n%s", args, h.err.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("sst %v: the app did not start:\n%s", args, h.err.String())
		}
	}
	stopped := false
	stop = func() string {
		if !stopped {
			stopped = true
			cancel()
			<-done
			os.Remove(started)
		}
		return h.err.String()
	}
	t.Cleanup(func() { stop() })
	return stop
}

// TestDevAndDeployExcludeEachOther: `sst dev` and `sst deploy` of one
// stage at once, in either order: the second is refused before it
// synthesizes, naming the first command and its process. Every other
// command that synthesizes is refused the same way, since the lock is
// taken by the synth itself.
func TestDevAndDeployExcludeEachOther(t *testing.T) {
	pid := fmt.Sprintf("pid %d", os.Getpid())
	for _, tc := range []struct {
		first, second []string
		holder        string
	}{
		{[]string{"dev"}, []string{"deploy"}, "`sst dev --stage lk`"},
		{[]string{"deploy"}, []string{"dev"}, "`sst deploy --stage lk`"},
		{[]string{"deploy"}, []string{"types"}, "`sst deploy --stage lk`"},
		{[]string{"deploy"}, []string{"migrate"}, "`sst deploy --stage lk`"},
		{[]string{"deploy"}, []string{"secrets", "list"}, "`sst deploy --stage lk`"},
		{[]string{"dev"}, []string{"diff"}, "`sst dev --stage lk`"},
		{[]string{"dev"}, []string{"remove", "--yes"}, "`sst dev --stage lk`"},
		{[]string{"dev"}, []string{"unlock", "--yes"}, "`sst dev --stage lk`"},
	} {
		t.Run(strings.Join(tc.first, " ")+" then "+strings.Join(tc.second, " "), func(t *testing.T) {
			dir := miniProject(t)
			// exec: stopping the command kills the shell that waits, not
			// only the one that started it.
			writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"exec sh app.sh"}`)
			writeFile(t, filepath.Join(dir, "app.sh"), blockingApp)
			stop := holdStage(t, dir, tc.first...)

			h := newHarness(t, dir, "SST_STAGE=lk")
			h.mustFail(`stage "lk" is in use by `+tc.holder, tc.second...)
			for _, want := range []string{pid, "released when that process exits"} {
				if !strings.Contains(h.err.String(), want) {
					t.Errorf("the refusal does not name %q:\n%s", want, h.err.String())
				}
			}
			if strings.Contains(h.err.String(), "Synthesizing") {
				t.Errorf("the refused command synthesized over the running one's output:\n%s", h.err.String())
			}
			firstErr := stop()
			if !strings.Contains(firstErr, "Synthesizing") {
				t.Errorf("the first command never reached its synth:\n%s", firstErr)
			}
		})
	}
}

// TestDevRefusesABadTimeScale: a SST_DEV_TIME_SCALE that is not a factor
// from 1 to 3600 fails before the app runs, naming the variable.
func TestDevRefusesABadTimeScale(t *testing.T) {
	for _, v := range []string{"fast", "0.5", "100000"} {
		dir := miniProject(t)
		h := newHarness(t, dir, "SST_STAGE=ts", "SST_DEV_TIME_SCALE="+v)
		if code := h.run("dev"); code == 0 || !strings.Contains(h.err.String(), fmt.Sprintf("SST_DEV_TIME_SCALE=%q: use a speed-up factor from 1 to 3600", v)) {
			t.Errorf("SST_DEV_TIME_SCALE=%s: exit %d\n%s", v, code, h.err.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
			t.Errorf("SST_DEV_TIME_SCALE=%s: the app ran", v)
		}
	}
}
