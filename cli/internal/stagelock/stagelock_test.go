package stagelock

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSecondAcquireFailsNamingTheHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "dev", "sst deploy --stage dev")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, "dev", "sst deploy --stage dev")
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second acquire: %v, want *BusyError", err)
	}
	if busy.Holder.PID != os.Getpid() || busy.Holder.Command != "sst deploy --stage dev" {
		t.Errorf("holder = %+v", busy.Holder)
	}
	for _, want := range []string{`stage "dev"`, "`sst deploy --stage dev`", "pid ", "released when that process exits"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	// Other stages are independent.
	other, err := Acquire(dir, "prod", "sst deploy --stage prod")
	if err != nil {
		t.Fatalf("another stage: %v", err)
	}
	other.Release()
	l.Release()
	again, err := Acquire(dir, "dev", "sst diff")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
}

// A holder that dies without releasing leaves nothing to clean up.
func TestLockDiesWithItsProcess(t *testing.T) {
	if os.Getenv("STAGELOCK_CHILD") != "" {
		if _, err := Acquire(os.Getenv("STAGELOCK_DIR"), "dev", "child"); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		select {} // until killed
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDiesWithItsProcess$")
	cmd.Env = append(os.Environ(), "STAGELOCK_CHILD=1", "STAGELOCK_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("child: %q %v", buf, err)
	}
	if _, err := Acquire(dir, "dev", "parent"); err == nil {
		t.Fatal("acquired a stage a live process holds")
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(dir, "dev", "parent")
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Release()
}
