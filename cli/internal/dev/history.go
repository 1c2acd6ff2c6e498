package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// historySize is how many invocations the history keeps in memory.
const historySize = 500

// maxKept is the largest request or response the history keeps whole; a
// larger one is recorded by size only (an upload can be 10 MB, and 500 of
// those would not fit in memory).
const maxKept = 256 << 10

func keep(b []byte) json.RawMessage {
	if len(b) <= maxKept {
		return append(json.RawMessage(nil), b...)
	}
	s, _ := json.Marshal(fmt.Sprintf("<%d bytes, too large to keep>", len(b)))
	return s
}

// Record is one invocation as the history keeps it: enough to show it
// again and to replay it.
type Record struct {
	ID       string          `json:"id"`
	Time     time.Time       `json:"time"`
	Function string          `json:"function"`
	Source   string          `json:"source"`
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response,omitempty"`
	Error    *FunctionError  `json:"error,omitempty"`
	Duration float64         `json:"durationMs"`
	Logs     []string        `json:"logs,omitempty"`
	// Truncated says the request was too large to keep: no replay.
	Truncated bool `json:"truncated,omitempty"`
}

// History records every invocation through it, in memory and as JSON
// lines in a file the console reads, and can replay any of them.
type History struct {
	rt   *Runtime
	path string
	// OnRecord is called after each invocation (the terminal printer).
	OnRecord func(Record)

	pending sync.WaitGroup
	mu      sync.Mutex
	records []Record
	file    *os.File
	subs    map[chan Record]struct{}
}

// NewHistory starts an empty history that appends to path (truncated: a
// new dev session starts a new history).
func NewHistory(rt *Runtime, path string) (*History, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("invocation history: %w", err)
	}
	return &History{rt: rt, path: path, file: f}, nil
}

// Path is the history file.
func (h *History) Path() string { return h.path }

// Invoke runs the event through the runtime and records it.
func (h *History) Invoke(ctx context.Context, fnID string, payload []byte, source string) (*Result, error) {
	start := time.Now()
	res, err := h.rt.Invoke(ctx, fnID, payload)
	if err != nil {
		return nil, err
	}
	rec := Record{
		ID:        res.RequestID,
		Time:      start.UTC(),
		Function:  fnID,
		Source:    source,
		Request:   keep(payload),
		Response:  keep(res.Payload),
		Truncated: len(payload) > maxKept,
		Error:     res.Err,
		Duration:  float64(res.Duration.Microseconds()) / 1000,
	}
	// The caller (a waiting HTTP client) gets its answer now; the record
	// waits for the handler's last log lines.
	rec.Logs = res.Logs
	h.mu.Lock()
	h.records = append(h.records, rec)
	if len(h.records) > historySize {
		h.records = h.records[len(h.records)-historySize:]
	}
	h.mu.Unlock()
	h.pending.Add(1)
	go func() {
		defer h.pending.Done()
		rec.Logs = res.SettledLogs()
		h.settled(rec)
		h.publish(rec)
		if h.OnRecord != nil {
			h.OnRecord(rec)
		}
	}()
	return res, nil
}

// settled stores a record's complete logs and appends it to the file.
func (h *History) settled(rec Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.records {
		if h.records[i].ID == rec.ID {
			h.records[i].Logs = rec.Logs
		}
	}
	if b, err := json.Marshal(rec); err == nil && h.file != nil {
		_, _ = h.file.Write(append(b, '\n'))
	}
}

// Subscribe delivers every invocation recorded from now on, with its
// complete logs, until cancel is called. A subscriber that falls behind
// loses records rather than slowing invocations down.
func (h *History) Subscribe() (<-chan Record, func()) {
	ch := make(chan Record, 64)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan Record]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
		})
	}
}

func (h *History) publish(rec Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- rec:
		default:
		}
	}
}

// Records returns the kept invocations, oldest first.
func (h *History) Records() []Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Record(nil), h.records...)
}

// Replay runs a recorded invocation's event again, against the current
// code of its function.
func (h *History) Replay(ctx context.Context, id string) (*Result, error) {
	h.mu.Lock()
	var rec *Record
	for i := range h.records {
		if h.records[i].ID == id {
			rec = &h.records[i]
		}
	}
	var fn string
	var payload []byte
	truncated := false
	if rec != nil {
		fn, payload, truncated = rec.Function, rec.Request, rec.Truncated
	}
	h.mu.Unlock()
	if rec == nil {
		return nil, fmt.Errorf("no invocation %q in the history", id)
	}
	if truncated {
		return nil, fmt.Errorf("invocation %s: its request was too large to keep, so it cannot be replayed", id)
	}
	return h.Invoke(ctx, fn, payload, "replay "+id)
}

// Close flushes and closes the history file.
func (h *History) Close() error {
	h.pending.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.file == nil {
		return nil
	}
	err := h.file.Close()
	h.file = nil
	return err
}
