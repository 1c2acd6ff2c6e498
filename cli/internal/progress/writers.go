package progress

import (
	"io"
	"strings"
	"sync"
)

// LockedWriter serializes writes from goroutines.
type LockedWriter struct {
	mu sync.Mutex
	W  io.Writer
}

// Do runs fn while no write is in progress, to read what W collected.
func (l *LockedWriter) Do(fn func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn()
}

func (l *LockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.W.Write(p)
}

// PrefixWriter prefixes every complete line, buffering partial ones.
type PrefixWriter struct {
	W      io.Writer
	Prefix string
	buf    []byte
}

func (p *PrefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := strings.IndexByte(string(p.buf), '\n')
		if i < 0 {
			break
		}
		if _, err := io.WriteString(p.W, p.Prefix+string(p.buf[:i+1])); err != nil {
			return 0, err
		}
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}
