package inputs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A file written just now is recorded without size and mtime, so a write
// within the same clock tick and of the same size is still caught by its
// hash; an older one takes the fast path, and an edit of the same size is
// caught because its mtime moved.
func TestFileRecordAndCheck(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.go")
	if err := os.WriteFile(p, []byte("package a // 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh, err := HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Size != 0 || fresh.ModTime != 0 {
		t.Errorf("a file written just now was recorded with size/mtime: %+v", fresh)
	}
	if err := os.WriteFile(p, []byte("package a // 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fresh.Unchanged() {
		t.Error("a same-size rewrite within the racy window went unnoticed")
	}

	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	rec, err := HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Size == 0 || rec.ModTime == 0 || !rec.Unchanged() {
		t.Fatalf("old file: %+v", rec)
	}
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		t.Fatal(err)
	}
	if !rec.Unchanged() {
		t.Error("a touched, unchanged file counts as changed")
	}
	if err := os.WriteFile(p, []byte("package a // 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rec.Unchanged() {
		t.Error("a same-size edit went unnoticed")
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if rec.Unchanged() {
		t.Error("a deleted file counts as unchanged")
	}
}

func TestChangedEnv(t *testing.T) {
	s := Set{EnvNames: []string{"STATE_DIR"}}
	base := []string{"SST_STAGE=dev", "STATE_DIR=/a", "HOME=/root", "SST_OUT_DIR=/tmp/x", "JSII_DEBUG=1"}
	s.Env = EnvDigest(base, false, s.EnvNames)
	id := func(p string) string { return p }
	cases := []struct {
		env  []string
		want string
	}{
		{base, ""},
		{append(base, "HOME=/other", "SST_OUT_DIR=/tmp/y", "JSII_DEBUG=0", "SST_REBUILD=1"), ""},
		{append(base, "STATE_DIR=/b"), "$STATE_DIR changed"},
		{append(base, "SST_REGION=eu-west-1"), "$SST_REGION was set"},
		{[]string{"STATE_DIR=/a"}, "$SST_STAGE was unset"},
		{append(base, "GOFLAGS=-tags=x"), "$GOFLAGS was set"},
	}
	for _, tc := range cases {
		if got := s.Changed(tc.env, id); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.env, got, tc.want)
		}
	}
	all := Set{EnvAll: true, Env: EnvDigest(base, true, nil)}
	if got := all.Changed(append(base, "NODE_ENV=production"), id); got != "$NODE_ENV was set" {
		t.Errorf("with every variable compared: %q", got)
	}
}

// A file saved while a bundler read it is recorded as unknown: the next
// check counts it as changed whatever it holds.
func TestForgetWrittenSince(t *testing.T) {
	dir := t.TempDir()
	before, during := filepath.Join(dir, "before.ts"), filepath.Join(dir, "during.ts")
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{before, during} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	started := time.Now()
	now := time.Now().Add(time.Millisecond)
	if err := os.Chtimes(during, now, now); err != nil {
		t.Fatal(err)
	}
	files, err := HashFiles([]string{before, during})
	if err != nil {
		t.Fatal(err)
	}
	ForgetWrittenSince(files, started)
	if !files[0].Unchanged() {
		t.Error("a file untouched since the start was forgotten")
	}
	if files[1].Unchanged() {
		t.Error("a file written during the run still counts as unchanged")
	}
}
