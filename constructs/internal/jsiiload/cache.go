package jsiiload

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// The @jsii/kernel package cache, as the kernel of jsiiRuntime.version keeps it
// (lib/program.js of jsii-runtime-go's embedded runtime: tar.extract,
// DiskCache, defaultCacheRoot, digestFile): one directory per tarball,
// <root>/<name segments>/<version>/<sha256(tarball, "\0"name, "\0"version)>,
// holding the package with its leading "package/" stripped and, once
// complete, the marker file below. The kernel checks the marker without a
// lock and otherwise extracts under a lock file that it considers stale
// after 10 s: a 350 MB provider extraction that takes longer (a cold cache
// on a busy machine) lets a second process break the lock and re-extract
// over files the first is reading — "Unterminated string in JSON".
// Entries written here appear whole, by rename, so the kernel only ever
// sees a complete entry and never takes its lock.
const markerFile = ".jsii-runtime-package-cache"

// cacheRoot is where the kernel child will look, from the environment it
// inherits ("" when its package cache is disabled).
func cacheRoot() string {
	if v, ok := os.LookupEnv("JSII_RUNTIME_PACKAGE_CACHE"); ok && strings.ToLower(v) != "enabled" {
		return ""
	}
	if r := os.Getenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT"); r != "" {
		return r
	}
	home := os.Getenv("HOME")
	switch runtime.GOOS {
	case "darwin":
		if home != "" {
			return filepath.Join(home, "Library", "Caches", "com.amazonaws.jsii", "package-cache")
		}
	case "linux":
		if home != "" {
			return filepath.Join(home, ".cache", "aws", "jsii", "package-cache")
		}
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "AWS", "jsii", "package-cache")
		}
	}
	return filepath.Join(os.TempDir(), "aws-jsii-package-cache")
}

var keyUnsafe = regexp.MustCompile(`[^@a-z0-9_./\\-]+`)

// entryDir is the kernel's cache directory for a package tarball.
func entryDir(root, name, version string, tarball []byte) string {
	h := sha256.New()
	h.Write(tarball)
	for _, c := range []string{name, version} {
		h.Write([]byte{0})
		h.Write([]byte(c))
	}
	parts := []string{root}
	for _, k := range []string{name, version} {
		parts = append(parts, strings.FieldsFunc(keyUnsafe.ReplaceAllString(k, "_"), func(r rune) bool { return r == '/' || r == '\\' })...)
	}
	return filepath.Join(append(parts, hex.EncodeToString(h.Sum(nil)))...)
}

func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, markerFile))
	return err == nil
}

// populate makes dir a complete cache entry holding tarball, unless it
// already is. The caller holds the preparation lock, so sst processes never
// extract the same entry twice at once.
func populate(dir string, tarball []byte) error {
	if complete(dir) {
		return nil
	}
	if _, err := os.Stat(dir); err == nil && !complete(dir) {
		// Left by a kernel that died while extracting (or one of another
		// program extracting now, under its own lock): the kernel repairs
		// it itself, and renaming over it is impossible.
		return fmt.Errorf("%s exists without its completion marker", dir)
	} else if err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.sst-%d-%s", dir, os.Getpid(), randomSuffix())
	defer os.RemoveAll(tmp)
	if err := extract(tarball, tmp); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, markerFile), nil, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if complete(dir) {
			return nil // another program finished it first
		}
		return err
	}
	return nil
}

// extract writes an npm tarball's files into dir without their first path
// segment ("package/"), like the kernel's tar.extract({strip: 1}).
func extract(tarball []byte, dir string) error {
	return eachFile(tarball, func(name string, size int64, r io.Reader) error {
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

// eachFile calls fn for every regular file of an npm tarball, with its
// path below the leading "package/" directory. Anything else than files
// and directories, or a path leaving the package, is an error: npm
// packages have neither.
func eachFile(tarball []byte, fn func(name string, size int64, r io.Reader) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(tarball))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			return fmt.Errorf("tarball entry %s: type %q is not a file", h.Name, h.Typeflag)
		}
		_, rest, ok := strings.Cut(h.Name, "/")
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(rest)))
		if !ok || rest == "" || clean != rest || strings.HasPrefix(clean, "../") || filepath.IsAbs(rest) {
			return fmt.Errorf("tarball entry %s: unexpected path", h.Name)
		}
		if err := fn(rest, h.Size, tr); err != nil {
			return err
		}
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
