package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/sst-tf/sst/internal/atomicfile"
)

// ZipDir packs an already built Lambda bundle (a framework adapter's
// server output) into a deterministic zip in outDir. Adapter outputs are
// tens of MB, so the zip is reused while no file's path, size, mode or
// modification time changed.
func ZipDir(dir, outDir, name, handler, runtime string) (*Result, error) {
	type entry struct {
		Path string      `json:"p"`
		Size int64       `json:"s"`
		Mode fs.FileMode `json:"m"`
		Time int64       `json:"t"`
	}
	var entries []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := os.Stat(p) // follows symlinks: the zip holds their targets
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		entries = append(entries, entry{filepath.ToSlash(rel), fi.Size(), fi.Mode().Perm(), fi.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("bundle %s is empty", dir)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	key, _ := json.Marshal(struct {
		Dir, Handler, Runtime string
		Entries               []entry
	}{dir, handler, runtime, entries})
	sum := sha256.Sum256(key)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	recPath := filepath.Join(outDir, sanitize(name)+"-dir-"+hex.EncodeToString(sum[:])[:16]+".json")
	var rec record
	if b, err := os.ReadFile(recPath); err == nil && json.Unmarshal(b, &rec) == nil {
		if _, err := os.Stat(filepath.Join(outDir, rec.Zip)); err == nil {
			return rec.result(outDir, true), nil
		}
	}
	files := make([]zipFile, 0, len(entries))
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err != nil {
			return nil, err
		}
		mode := os.FileMode(0o644)
		if e.Mode&0o111 != 0 {
			mode = 0o755
		}
		files = append(files, zipFile{name: e.Path, mode: mode, data: data})
	}
	zipPath, hash, err := writeArtifact(outDir, sanitize(name), files)
	if err != nil {
		return nil, err
	}
	rec = record{Runtime: runtime, Handler: handler, Zip: filepath.Base(zipPath), Hash: hash}
	b, _ := json.Marshal(rec)
	if err := atomicfile.Write(recPath, b, 0o644); err != nil {
		return nil, err
	}
	return rec.result(outDir, false), nil
}
