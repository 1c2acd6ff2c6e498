package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/sst-tf/sst/internal/atomicfile"
	"github.com/sst-tf/sst/internal/inputs"
)

// cacheVersion is bumped whenever what we build from the same inputs
// changes, so records written by an older build of this package are
// ignored rather than trusted.
const cacheVersion = 1

// record is what one successful build leaves in OutDir: enough to decide
// next time, without running any tool, that nothing changed.
type record struct {
	Version int           `json:"version"`
	Runtime string        `json:"runtime"`
	Handler string        `json:"handler"`
	Zip     string        `json:"zip"` // file name inside OutDir, so the record survives a moved OutDir
	Hash    string        `json:"hash"`
	Files   []inputs.File `json:"files"`
	Dirs    []inputs.Dir  `json:"dirs,omitempty"`
}

type cache struct {
	path string
}

func cacheFor(r Request, builderKey any) cache {
	k := struct {
		Version int
		Name    string
		Handler string
		Runtime string
		Builder any
		Copy    []CopyFile `json:",omitempty"`
	}{cacheVersion, r.Name, filepath.ToSlash(r.Handler), r.Runtime, builderKey, r.CopyFiles}
	b, err := json.Marshal(k)
	if err != nil {
		panic(err) // keys are plain structs; failing here is a bug
	}
	sum := sha256.Sum256(b)
	return cache{path: filepath.Join(r.OutDir, sanitize(r.Name)+"-"+hex.EncodeToString(sum[:])[:12]+".json")}
}

// lockPath is the file whose lock a process holds while it builds this
// record, in a directory of its own: removing a lock file others may wait
// on would let two processes hold "the" lock, so they stay.
func (c cache) lockPath() string {
	return filepath.Join(filepath.Dir(c.path), ".locks", filepath.Base(c.path)+".lock")
}

// lookup returns the recorded artifact when every recorded input still
// hashes the same and the zip is still there.
func (c cache) lookup() (*Result, bool) {
	b, err := os.ReadFile(c.path)
	if err != nil {
		return nil, false
	}
	var rec record
	if json.Unmarshal(b, &rec) != nil || rec.Version != cacheVersion || rec.Zip == "" || len(rec.Files) == 0 {
		return nil, false
	}
	outDir := filepath.Dir(c.path)
	if fi, err := os.Stat(filepath.Join(outDir, rec.Zip)); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	for _, f := range rec.Files {
		if !f.Unchanged() {
			return nil, false
		}
	}
	for _, d := range rec.Dirs {
		if !d.Unchanged() {
			return nil, false
		}
	}
	return rec.result(outDir, true), true
}

func (c cache) store(rec *record) error {
	rec.Version = cacheVersion
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(c.path, b, 0o644)
}

func (rec *record) result(outDir string, cached bool) *Result {
	in := make([]string, len(rec.Files))
	for i, f := range rec.Files {
		in[i] = f.Path
	}
	return &Result{
		Runtime: rec.Runtime,
		Handler: rec.Handler,
		ZipPath: filepath.Join(outDir, rec.Zip),
		Hash:    rec.Hash,
		Cached:  cached,
		Inputs:  in,
		Read:    inputs.Set{Files: rec.Files, Dirs: rec.Dirs},
	}
}

// esbuildVersion ties cached Node bundles to the bundler that made them.
func esbuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/evanw/esbuild" {
			return d.Version
		}
	}
	return ""
}
