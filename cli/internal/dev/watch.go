package dev

import (
	"context"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Watcher reports changed source files under a project. It polls: a
// project's source tree is small once node_modules and .sst are left out,
// a scan takes a millisecond or two, and polling behaves the same on every
// OS and file system (editors that replace files, network mounts).
type Watcher struct {
	Root     string
	Interval time.Duration
	// Quiet is how long no further change must be seen before a batch is
	// reported: one save in an editor can touch a file several times.
	Quiet time.Duration

	stamps map[string]stamp
}

type stamp struct {
	mod  time.Time
	size int64
}

// skipDirs are never sources: outputs, dependencies and VCS data.
var skipDirs = map[string]bool{".sst": true, ".git": true, "node_modules": true, ".terraform": true, "cdktf.out": true, ".next": true, ".open-next": true, "dist": true, "build": true}

// sourceExts are the files whose change matters to a build or a synth.
var sourceExts = map[string]bool{".go": true, ".mod": true, ".sum": true, ".ts": true, ".tsx": true, ".mts": true, ".cts": true, ".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".json": true, ".py": true}

// NewWatcher takes the first snapshot of root so that only later edits
// are reported.
func NewWatcher(root string) *Watcher {
	w := &Watcher{Root: root, Interval: 100 * time.Millisecond, Quiet: 50 * time.Millisecond}
	w.stamps = w.scan()
	return w
}

func (w *Watcher) scan() map[string]stamp {
	out := map[string]stamp{}
	_ = filepath.WalkDir(w.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != w.Root && (skipDirs[name] || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !sourceExts[filepath.Ext(name)] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		out[p] = stamp{info.ModTime(), info.Size()}
		return nil
	})
	return out
}

// changes compares a scan with the last and returns added, changed and
// removed files.
func (w *Watcher) changes() []string {
	now := w.scan()
	var out []string
	for p, s := range now {
		if old, ok := w.stamps[p]; !ok || old != s {
			out = append(out, p)
		}
	}
	for p := range w.stamps {
		if _, ok := now[p]; !ok {
			out = append(out, p)
		}
	}
	w.stamps = now
	return out
}

// Run calls on with each batch of changed files until ctx ends.
func (w *Watcher) Run(ctx context.Context, on func([]string)) {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		batch := w.changes()
		if len(batch) == 0 {
			continue
		}
		seen := map[string]bool{}
		for _, p := range batch {
			seen[p] = true
		}
		// Let the burst finish: wait until a scan finds nothing new.
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(w.Quiet):
			}
			more := w.changes()
			if len(more) == 0 {
				break
			}
			for _, p := range more {
				seen[p] = true
			}
		}
		files := make([]string, 0, len(seen))
		for p := range seen {
			files = append(files, p)
		}
		sort.Strings(files)
		on(files)
	}
}
