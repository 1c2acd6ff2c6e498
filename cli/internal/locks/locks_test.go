package locks

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// A stack directory as sst synthesizes it: the local backend's paths are
// relative to the stack, stages live under workspace_dir.
func localStack(t *testing.T) (Stack, string) {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "out", "stacks", "API")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tf := `{"terraform":{"backend":{"local":{"path":"../../../state/API/terraform.tfstate","workspace_dir":"../../../state/API"}}}}`
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	wsDir := filepath.Join(root, "state", "API", "dev")
	if err := os.MkdirAll(wsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wsDir, "terraform.tfstate"), []byte(`{"version":4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return Stack{Name: "API", Dir: dir, Workspace: "dev"}, wsDir
}

func TestLocalUnlocked(t *testing.T) {
	st, _ := localStack(t)
	l, err := Find(context.Background(), aws.Config{}, st)
	if err != nil || l != nil {
		t.Fatalf("Find = %+v, %v; want no lock", l, err)
	}
}

// terraform killed mid-apply: the kernel dropped its fcntl lock, the
// record stays; it is reported as releasable and removed on release.
func TestLocalLeftBehindRecord(t *testing.T) {
	st, wsDir := localStack(t)
	info := filepath.Join(wsDir, ".terraform.tfstate.lock.info")
	rec := `{"ID":"4f0c","Operation":"OperationTypeApply","Who":"ci@runner","Created":"2026-11-24T10:00:00Z","Path":"x"}`
	if err := os.WriteFile(info, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Find(context.Background(), aws.Config{}, st)
	if err != nil || l == nil {
		t.Fatalf("Find = %+v, %v", l, err)
	}
	if !l.Releasable() || l.File != info || l.Info.ID != "4f0c" || l.Info.Who != "ci@runner" {
		t.Errorf("lock = %+v", l)
	}
	for _, want := range []string{"stack API", "ci@runner", "running apply", "lock ID 4f0c", filepath.Join(wsDir, "terraform.tfstate")} {
		if !strings.Contains(l.Describe(), want) {
			t.Errorf("Describe() lacks %q: %s", want, l.Describe())
		}
	}
	if err := l.RemoveRecord(); err != nil {
		t.Fatal(err)
	}
	if l, err := Find(context.Background(), aws.Config{}, st); err != nil || l != nil {
		t.Errorf("after release: %+v, %v", l, err)
	}
}

// A terraform that is still running holds an fcntl lock on the state: it
// is named by pid and not offered for release.
func TestLocalLiveHolder(t *testing.T) {
	if path := os.Getenv("LOCKS_HOLD"); path != "" {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			os.Exit(3)
		}
		fl := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
		if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &fl); err != nil {
			os.Exit(4)
		}
		os.Stdout.WriteString("locked\n")
		select {}
	}
	st, wsDir := localStack(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLocalLiveHolder$")
	cmd.Env = append(os.Environ(), "LOCKS_HOLD="+filepath.Join(wsDir, "terraform.tfstate"))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	buf := make([]byte, 7)
	if _, err := io.ReadFull(out, buf); err != nil {
		t.Fatalf("holder: %v", err)
	}
	l, err := Find(context.Background(), aws.Config{}, st)
	if err != nil || l == nil {
		t.Fatalf("Find = %+v, %v", l, err)
	}
	if l.PID != cmd.Process.Pid || l.Releasable() {
		t.Errorf("lock = %+v, want pid %d, not releasable", l, cmd.Process.Pid)
	}
}

func TestOtherBackendsPointElsewhere(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(`{"terraform":{"backend":{"remote":{"organization":"o"}}}}`), 0o644)
	_, err := Find(context.Background(), aws.Config{}, Stack{Name: "Web", Dir: dir, Workspace: "dev"})
	if err == nil || !strings.Contains(err.Error(), "remote backend keeps its own locks") || !strings.Contains(err.Error(), "stack Web") {
		t.Errorf("err = %v", err)
	}
}

func TestS3StateKey(t *testing.T) {
	c := s3Config{Key: "app/API/terraform.tfstate"}
	if got := c.stateKey("dev"); got != "env:/dev/app/API/terraform.tfstate" {
		t.Errorf("stateKey = %q", got)
	}
	c.WorkspaceKeyPrefix = "stages"
	if got := c.stateKey("dev"); got != "stages/dev/app/API/terraform.tfstate" {
		t.Errorf("stateKey with prefix = %q", got)
	}
	if got := c.stateKey("default"); got != c.Key {
		t.Errorf("default workspace = %q", got)
	}
}
