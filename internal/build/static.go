package build

import (
	"fmt"
	"os"
	"sort"
)

// Static packs fixed files, with no bundling, into a deterministic,
// content-addressed zip in outDir: for support functions whose code ships
// inside this module rather than in the user's project.
func Static(outDir, name, runtime, handler string, files map[string][]byte) (*Result, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	zf := make([]zipFile, 0, len(names))
	for _, n := range names {
		zf = append(zf, zipFile{name: n, mode: 0o644, data: files[n]})
	}
	path, hash, err := writeArtifact(outDir, sanitize(name), zf)
	if err != nil {
		return nil, fmt.Errorf("packing %s: %w", name, err)
	}
	return &Result{Runtime: runtime, Handler: handler, ZipPath: path, Hash: hash, Cached: true}, nil
}
