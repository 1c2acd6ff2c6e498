// Package stagelock keeps two sst commands of one checkout from working on
// the same stage at once. Terraform's state lock cannot do that alone: a
// second `sst deploy` re-synthesizes .sst/out/<stage> — the directory the
// first one's terraform is running in — before it ever reaches terraform.
//
// The lock is an advisory lock on .sst/locks/<stage>.lock held for the
// life of the command. The kernel drops it when the process exits, however
// it exits, so it can never be left stale; the file only carries who holds
// it, for the message the second command prints.
package stagelock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

// Holder describes the process that holds a stage.
type Holder struct {
	PID     int       `json:"pid"`
	Who     string    `json:"who"` // user@host
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

// BusyError is returned when another process holds the stage.
type BusyError struct {
	Stage  string
	Path   string
	Holder Holder // zero when the holder had not written its details yet
}

func (e *BusyError) Error() string {
	h := e.Holder
	who := "another sst command"
	if h.Command != "" {
		who = "`" + h.Command + "`"
	}
	var info []string
	if h.PID != 0 {
		info = append(info, fmt.Sprintf("pid %d", h.PID))
	}
	if h.Who != "" {
		info = append(info, h.Who)
	}
	if !h.Since.IsZero() {
		info = append(info, "since "+h.Since.Local().Format(time.RFC3339))
	}
	if len(info) > 0 {
		who += " (" + strings.Join(info, ", ") + ")"
	}
	return fmt.Sprintf("stage %q is in use by %s in this checkout; wait for it to finish or stop it — this lock (%s) is released when that process exits, so it never needs `sst unlock`", e.Stage, who, e.Path)
}

// Lock is a held stage lock.
type Lock struct {
	f *os.File
}

// Path is where the lock of stage lives under the project's .sst directory.
func Path(sstDir, stage string) string {
	return filepath.Join(sstDir, "locks", stage+".lock")
}

// Acquire takes the lock of stage for command (e.g. "sst deploy --stage
// dev") without waiting: a second deploy should fail fast, not queue.
func Acquire(sstDir, stage, command string) (*Lock, error) {
	path := Path(sstDir, stage)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("stage lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("stage lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errBusy) {
			be := &BusyError{Stage: stage, Path: path}
			be.Holder, _ = Read(sstDir, stage)
			return nil, be
		}
		return nil, fmt.Errorf("stage lock %s: %w", path, err)
	}
	h := Holder{PID: os.Getpid(), Who: whoAmI(), Command: command, Since: time.Now().UTC().Truncate(time.Second)}
	b, _ := json.Marshal(h)
	// Written in place (not renamed over) so the locked inode stays the
	// one every process opens.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f}, nil
}

// Read returns the details the holder of stage wrote, if any.
func Read(sstDir, stage string) (Holder, error) {
	var h Holder
	b, err := os.ReadFile(Path(sstDir, stage))
	if err != nil {
		return h, err
	}
	err = json.Unmarshal(b, &h)
	return h, err
}

// Release gives the stage back. The file stays: removing it would let a
// waiting opener lock an unlinked inode while a third process creates a
// new one.
func (l *Lock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = unlock(l.f)
	_ = l.f.Close()
	l.f = nil
}

var errBusy = errors.New("locked by another process")

func whoAmI() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}
