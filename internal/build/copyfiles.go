package build

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/sst-tf/sst/internal/inputs"
)

// copyFiles adds r.CopyFiles to a built bundle and to what the build
// read, so editing, adding or removing a copied file rebuilds it. A copy
// that would replace a file the build produced is an error: the handler
// would silently be something else.
func copyFiles(r Request, out *output) error {
	if len(r.CopyFiles) == 0 {
		return nil
	}
	fail := func(format string, a ...any) error {
		return &Error{Function: r.Name, Handler: r.Handler, Kind: ErrInvalid, Detail: fmt.Sprintf(format, a...)}
	}
	taken := map[string]bool{}
	for _, f := range out.files {
		taken[f.name] = true
	}
	var paths []string
	dirs := map[string]string{}
	for _, c := range r.CopyFiles {
		from := filepath.Join(r.ProjectDir, filepath.FromSlash(c.From))
		to := c.To
		if to == "" {
			to = c.From
		}
		to = path.Clean(filepath.ToSlash(to))
		if filepath.IsAbs(c.From) || !filepath.IsLocal(filepath.FromSlash(c.From)) || !filepath.IsLocal(filepath.FromSlash(to)) {
			return fail("CopyFiles %q → %q: both paths must be relative and stay inside the project and the bundle", c.From, c.To)
		}
		err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				dirs[p] = "all"
				return nil
			}
			fi, err := os.Stat(p) // follows symlinks: the bundle holds their targets
			if err != nil {
				return err
			}
			if !fi.Mode().IsRegular() {
				return nil
			}
			rel, _ := filepath.Rel(from, p)
			name := to
			if rel != "." {
				name = path.Join(to, filepath.ToSlash(rel))
			}
			if taken[name] {
				return fmt.Errorf("%s would be copied to %s, which the bundle already holds", p, name)
			}
			taken[name] = true
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if fi.Mode()&0o111 != 0 {
				mode = 0o755
			}
			out.files = append(out.files, zipFile{name: name, mode: mode, data: data})
			paths = append(paths, p)
			return nil
		})
		if err != nil {
			return fail("CopyFiles %q: %v", c.From, err)
		}
	}
	read, err := inputs.HashFiles(paths)
	if err != nil {
		return err
	}
	dsums, err := inputs.HashDirs(dirs)
	if err != nil {
		return err
	}
	out.inputs = append(out.inputs, read...)
	out.dirs = append(out.dirs, dsums...)
	return nil
}
