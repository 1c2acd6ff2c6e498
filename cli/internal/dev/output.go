package dev

import (
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// output is one of a worker's output pipes as its scanner reads it. It can
// tell when everything written to the pipe so far has been scanned: a
// handler writes its lines before it answers, but they come through the
// pipe while the answer comes over HTTP, and on a busy machine the scanner
// may not have run yet when the answer arrives.
type output struct {
	f  *os.File
	rc syscall.RawConn
	// busy is set while the scanner holds bytes it read but has not yet
	// handled as lines; bufio.Scanner reads again only once every complete
	// line it holds has been returned, so entering Read clears it.
	busy   atomic.Bool
	closed atomic.Bool
}

func newOutput(r io.ReadCloser) *output {
	o := &output{}
	if f, ok := r.(*os.File); ok {
		o.f = f
		o.rc, _ = f.SyscallConn()
	}
	return o
}

func (o *output) Read(b []byte) (int, error) {
	o.busy.Store(false)
	n, err := o.f.Read(b)
	o.busy.Store(true)
	if err != nil {
		o.closed.Store(true)
	}
	return n, err
}

// drained: the pipe holds no unread byte and the scanner no unhandled one.
func (o *output) drained() bool {
	if o.closed.Load() || o.rc == nil {
		return true
	}
	if o.busy.Load() {
		return false
	}
	unread := 0
	if err := o.rc.Control(func(fd uintptr) {
		unread, _ = unix.IoctlGetInt(int(fd), fionread)
	}); err != nil {
		return true // closed meanwhile
	}
	return unread == 0 && !o.busy.Load()
}

// drainLimit bounds the wait for a worker's output: a process that keeps
// printing after it answered would otherwise hold the record open.
const drainLimit = 2 * time.Second

// waitDrained waits until both of a worker's pipes are drained, seen twice
// a moment apart so that a read the kernel completed just before the first
// look, whose scanner has not yet marked itself busy, is caught by the
// second.
func (w *worker) waitDrained() {
	deadline := time.Now().Add(drainLimit)
	for time.Now().Before(deadline) {
		if w.outputsDrained() {
			time.Sleep(2 * time.Millisecond)
			if w.outputsDrained() {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (w *worker) outputsDrained() bool {
	for _, o := range w.outputs {
		if !o.drained() {
			return false
		}
	}
	return true
}
