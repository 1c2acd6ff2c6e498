// Package inputs records what a computation read — files by content, the
// listings of directories where a new file would matter, trees by
// metadata, environment variables by digest — and tells later whether any
// of it changed. Function builds (internal/build), site builds and the
// synth as a whole (the CLI's reuse of .sst/out/<stage>) share this one
// record and this one check.
package inputs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// racyWindow is how recent a file's mtime may be for its size and mtime
// alone to be trusted later: a file written within it may be written again
// in the same clock tick with the same size (git's "racy clean" problem),
// so it is recorded without them and always hashed.
const racyWindow = 2 * time.Second

// File is a file as it was read.
type File struct {
	Path string `json:"path"`
	// Size and ModTime (Unix ns) let a check skip hashing a file that was
	// not written since; zero when they cannot be trusted.
	Size    int64  `json:"size,omitempty"`
	ModTime int64  `json:"mtime,omitempty"`
	SHA256  string `json:"sha256"`
}

// Dir is a directory whose listing matters: a file added there changes the
// result even though no recorded file changed.
type Dir struct {
	Path   string `json:"path"`
	Filter string `json:"filter"` // "go": .go files only; "all": every visible entry
	SHA256 string `json:"sha256"`
}

// HashFile records path as it is now.
func HashFile(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return File{}, err
	}
	out := File{Path: path, SHA256: hex.EncodeToString(h.Sum(nil))}
	if time.Since(fi.ModTime()) > racyWindow {
		out.Size, out.ModTime = fi.Size(), fi.ModTime().UnixNano()
	}
	return out, nil
}

// HashFiles records paths, sorted and de-duplicated so the record is
// stable.
func HashFiles(paths []string) ([]File, error) {
	seen := map[string]bool{}
	var out []File
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		f, err := HashFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Unchanged reports whether the file still has the recorded content: by
// size and mtime when both were recorded and still match, else by hash.
func (f File) Unchanged() bool {
	fi, err := os.Stat(f.Path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if f.ModTime != 0 && fi.Size() == f.Size && fi.ModTime().UnixNano() == f.ModTime {
		return true
	}
	now, err := HashFile(f.Path)
	return err == nil && now.SHA256 == f.SHA256
}

// ForgetWrittenSince blanks the record of every file written at or after t
// (or gone): what the run read of it is not known, so it must count as
// changed at the next check. Records are blanked in place.
func ForgetWrittenSince(files []File, t time.Time) {
	for i, f := range files {
		fi, err := os.Stat(f.Path)
		if err != nil || !fi.ModTime().Before(t) {
			files[i] = File{Path: f.Path}
		}
	}
}

// HashDir digests dir's listing under filter.
func HashDir(dir, filter string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		// The go tool and go:embed both skip names starting with . or _,
		// so editor droppings there must not count.
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			continue
		}
		if filter == "go" && (e.IsDir() || !strings.HasSuffix(n, ".go")) {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	sum := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

// HashDirs records each directory's listing under its filter.
func HashDirs(dirs map[string]string) ([]Dir, error) {
	var out []Dir
	for d, filter := range dirs {
		sum, err := HashDir(d, filter)
		if err != nil {
			return nil, err
		}
		out = append(out, Dir{Path: d, Filter: filter, SHA256: sum})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Unchanged reports whether the directory still lists the same entries.
func (d Dir) Unchanged() bool {
	sum, err := HashDir(d.Path, d.Filter)
	return err == nil && sum == d.SHA256
}

// Tree is a set of directory trees compared by metadata (see Walk): what a
// site build may read.
type Tree struct {
	Roots []string `json:"roots"`
	Skip  []string `json:"skip,omitempty"`
	Sum   string   `json:"sum"`
}

// Unchanged reports whether every entry under the roots is as recorded.
func (t Tree) Unchanged() bool {
	sum, _, err := Walk(t.Roots, t.Skip)
	return err == nil && sum == t.Sum
}

// Set is everything one run read.
type Set struct {
	Files []File `json:"files,omitempty"`
	Dirs  []Dir  `json:"dirs,omitempty"`
	Trees []Tree `json:"trees,omitempty"`
	// Env maps each variable that reached the run to a digest of its value
	// (values may be secrets); see EnvDigest.
	Env map[string]string `json:"env,omitempty"`
	// EnvAll says the whole environment reached something that may read
	// any variable (a site's build command), not only Relevant ones.
	EnvAll bool `json:"envAll,omitempty"`
	// EnvNames are variables besides the Relevant ones that the run reads
	// (an app's own os.Getenv("NAME")).
	EnvNames []string `json:"envNames,omitempty"`
	// Unknown, when set, says why what the run read cannot be known: the
	// record can never be trusted.
	Unknown string `json:"unknown,omitempty"`
}

// Add merges o into s.
func (s *Set) Add(o Set) {
	s.Files = append(s.Files, o.Files...)
	s.Dirs = append(s.Dirs, o.Dirs...)
	s.Trees = append(s.Trees, o.Trees...)
	s.EnvAll = s.EnvAll || o.EnvAll
	s.EnvNames = append(s.EnvNames, o.EnvNames...)
	if s.Unknown == "" {
		s.Unknown = o.Unknown
	}
	for k, v := range o.Env {
		if s.Env == nil {
			s.Env = map[string]string{}
		}
		s.Env[k] = v
	}
}

// Changed returns the first input that differs from its record, described
// for a person ("functions/list.ts changed"), or "" when none does. env
// is the environment the run would get now. rel shortens paths in the
// description.
func (s *Set) Changed(env []string, rel func(string) string) string {
	if s.Unknown != "" {
		return s.Unknown
	}
	now := EnvDigest(env, s.EnvAll, s.EnvNames)
	for _, k := range sortedKeys(s.Env) {
		if v, ok := now[k]; !ok {
			return fmt.Sprintf("$%s was unset", k)
		} else if v != s.Env[k] {
			return fmt.Sprintf("$%s changed", k)
		}
	}
	for _, k := range sortedKeys(now) {
		if _, ok := s.Env[k]; !ok {
			return fmt.Sprintf("$%s was set", k)
		}
	}
	for _, f := range s.Files {
		if !f.Unchanged() {
			return rel(f.Path) + " changed"
		}
	}
	for _, d := range s.Dirs {
		if !d.Unchanged() {
			return "files were added to or removed from " + rel(d.Path)
		}
	}
	for _, t := range s.Trees {
		if !t.Unchanged() {
			names := make([]string, len(t.Roots))
			for i, r := range t.Roots {
				names[i] = rel(r)
			}
			return "a file under " + strings.Join(names, ", ") + " was added, removed or touched"
		}
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DirContents records every visible regular file directly in dir by
// content, and dir's listing: a directory read whole (migrations).
func DirContents(dir string) (Set, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Set{}, err
	}
	var paths []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(e.Name(), "_") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	fs, err := HashFiles(paths)
	if err != nil {
		return Set{}, err
	}
	ds, err := HashDirs(map[string]string{dir: "all"})
	if err != nil {
		return Set{}, err
	}
	return Set{Files: fs, Dirs: ds}, nil
}
