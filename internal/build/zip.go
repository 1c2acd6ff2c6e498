package build

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/sst-tf/sst/internal/atomicfile"
)

// zipEpoch is the modification time of every entry: the earliest time a
// zip can hold, so that the same bytes in always give the same zip out.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

type zipFile struct {
	name string // slash-separated path inside the zip
	mode os.FileMode
	data []byte
}

// zipBytes builds a deterministic zip: sorted entries, fixed time, fixed
// modes. Terraform compares source_code_hash, so any jitter here would
// redeploy every function on every run.
func zipBytes(files []zipFile) ([]byte, error) { return zipWith(files, zip.Deflate) }

func zipWith(files []zipFile, method uint16) ([]byte, error) {
	sorted := append([]zipFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// BestSpeed: a Go bootstrap deflates ~2.7x faster than at the default
	// level for a zip ~11% larger (BENCHMARKS.md, "Cold synth"). The zip is
	// built on every cold synth and handler edit, in the path a developer
	// waits on; the extra bytes cost a fraction of a second to upload.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, f := range sorted {
		h := &zip.FileHeader{Name: f.name, Method: method, Modified: zipEpoch}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeArtifact stores the zip under a content-addressed name and returns
// its path and Terraform-style hash.
func writeArtifact(outDir, name string, files []zipFile) (path, hash string, err error) {
	data, err := zipBytes(files)
	if err != nil {
		return "", "", err
	}
	return writeZip(outDir, name, data)
}

// writeZip stores zip bytes under name and their content hash. An existing
// file of that name already holds these bytes, so it is left alone.
func writeZip(outDir, name string, data []byte) (path, hash string, err error) {
	sum := sha256.Sum256(data)
	path = filepath.Join(outDir, name+"-"+hex.EncodeToString(sum[:])[:12]+".zip")
	hash = base64.StdEncoding.EncodeToString(sum[:])
	if fi, err := os.Stat(path); err == nil && fi.Size() == int64(len(data)) {
		return path, hash, nil
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return "", "", err
	}
	return path, hash, nil
}

// Place puts the artifact src also at dst: the stable path a stack's
// Terraform uploads, which stays the same whatever the bundle holds, so the
// synthesized JSON does not change when only code does. A hard link when
// both are on one file system (src is content-addressed and never
// rewritten in place: atomicfile replaces, it does not truncate), a copy
// otherwise; dst is replaced by a rename, so a reader sees the old bundle
// or the new one, never a mix.
func Place(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := dst + ".tmp-" + strconv.Itoa(os.Getpid())
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
