package inputs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Walk fingerprints every entry under roots by metadata (path, type, size,
// mtime, ctime, inode), not content: a stat walk of a web project with its
// node_modules takes a fraction of a second where hashing it would take
// many. ctime and inode cannot be set back by tools that preserve mtimes
// (cp -p, rsync -a, tar), so a replaced file counts as touched. Each root
// is walked once (a root inside another is dropped); .git, .sst and the
// absolute directories in skip are left out. It returns the digest and the
// number of files.
func Walk(roots, skip []string) (string, int, error) {
	skipped := map[string]bool{}
	for _, d := range skip {
		skipped[filepath.Clean(d)] = true
	}
	h := sha256.New()
	n := 0
	// One line an entry, the path ended by NUL (no path holds one); built
	// by hand, as fmt costs more than the stat on a 20,000-file tree.
	var line []byte
	entry := func(path string, fields ...int64) {
		line = append(append(line[:0], path...), 0)
		for _, f := range fields {
			line = strconv.AppendInt(append(line, ' '), f, 10)
		}
		h.Write(append(line, '\n'))
	}
	for _, root := range Outermost(roots) {
		entry("root " + root)
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			rel := filepath.ToSlash(strings.TrimPrefix(p, root))
			if err != nil {
				// An unreadable directory (or a root not built yet) is part
				// of the state, not a reason to fail.
				entry(rel + " unreadable")
				if e != nil && e.IsDir() && p != root {
					return filepath.SkipDir
				}
				return nil
			}
			if e.IsDir() && p != root && (e.Name() == ".git" || e.Name() == ".sst" || skipped[p]) {
				return filepath.SkipDir
			}
			fi, err := e.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil // removed under us: absent, like in the next walk
				}
				return err
			}
			if e.IsDir() {
				// A directory's times change with its entries, which are
				// walked themselves, and with those skipped (.sst, .git).
				entry(rel, int64(fi.Mode()))
				return nil
			}
			ctime, ino := StatIdentity(fi)
			if fi.Mode()&fs.ModeSymlink != 0 {
				target, _ := os.Readlink(p)
				rel += "\x00-> " + target
			}
			entry(rel, int64(fi.Mode()), fi.Size(), fi.ModTime().UnixNano(), ctime, int64(ino))
			n++
			return nil
		})
		if err != nil {
			return "", 0, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Outermost drops roots that lie inside another root, keeping order.
func Outermost(roots []string) []string {
	var out []string
	for i, r := range roots {
		inside := false
		for j, o := range roots {
			if i != j && (Within(o, r) && (o != r || j < i)) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, r)
		}
	}
	return out
}

// Within reports whether p is dir or below it.
func Within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
