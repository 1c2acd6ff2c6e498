package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sst-tf/sst/internal/inputs"
)

// installed is what npm put into a bundle and what decided it.
type installed struct {
	files []zipFile
	paths []string     // files of local packages (file: tarballs, directories) installed from
	dirs  []inputs.Dir // listings of local package directories
}

// install runs npm for NodeOptions.Install in a scratch directory and
// returns the node_modules it made, for the bundle. Versions come from
// the project: the lockfile's resolved version, else package.json's
// range, so the bundle gets what the handler was tested with. A
// package named nowhere is an error rather than "latest".
func (b *nodeBuilder) install(ctx context.Context) (*installed, error) {
	r := b.r
	deps, local, err := b.installSpecs()
	if err != nil {
		return nil, err
	}
	scratch, err := os.MkdirTemp(r.OutDir, "."+sanitize(r.Name)+"-install-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	manifest, _ := json.Marshal(map[string]any{"name": "sst-function-install", "private": true, "dependencies": deps})
	if err := os.WriteFile(filepath.Join(scratch, "package.json"), manifest, 0o644); err != nil {
		return nil, err
	}
	cpu := "arm64"
	if r.Arch == "x86_64" {
		cpu = "x64"
	}
	// --install-links copies local directory packages instead of linking
	// them (a link cannot ship in the zip); --os/--cpu pick the Lambda
	// platform's optional native packages; the cache serves what it has.
	cmd := exec.CommandContext(ctx, "npm", "install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock",
		"--install-links", "--prefer-offline", "--os=linux", "--cpu="+cpu)
	cmd.Dir = scratch
	cmd.Env = r.Env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Function: r.Name, Handler: r.Handler, Kind: ErrBundle, Output: out.String(),
			Detail: fmt.Sprintf("Nodejs.Install: `npm install` of %s failed (%v):", strings.Join(r.Node.Install, ", "), err)}
	}
	files, err := treeFiles(filepath.Join(scratch, "node_modules"), "node_modules", func(name string, dir bool) bool {
		// npm's own record holds this machine's paths; .bin holds links.
		return name == ".package-lock.json" || (dir && name == ".bin")
	})
	if err != nil {
		return nil, fmt.Errorf("function %q: read installed packages: %w", r.Name, err)
	}
	inst := &installed{files: files}
	dirs := map[string]string{}
	for _, p := range local {
		err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case q != p && d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")):
				return filepath.SkipDir
			case d.IsDir():
				dirs[q] = "all"
			case d.Type().IsRegular():
				inst.paths = append(inst.paths, q)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("function %q: local package %s: %w", r.Name, p, err)
		}
	}
	if inst.dirs, err = inputs.HashDirs(dirs); err != nil {
		return nil, err
	}
	return inst, nil
}

// installSpecs are the specs npm installs NodeOptions.Install with, and
// the local package paths among them; an error the user can act on when
// the project does not name a package.
func (b *nodeBuilder) installSpecs() (map[string]string, []string, error) {
	r := b.r
	fail := func(format string, a ...any) error {
		return &Error{Function: r.Name, Handler: r.Handler, Kind: ErrInvalid, Detail: fmt.Sprintf(format, a...)}
	}
	pkgDir := b.packageDir()
	if pkgDir == "" {
		return nil, nil, fail("Nodejs.Install %s: no package.json at or above %s in the project to take their versions from", strings.Join(r.Node.Install, ", "), rel(r.ProjectDir, filepath.Dir(b.entry)))
	}
	deps, local, err := installSpecs(pkgDir, r.Node.Install)
	if err != nil {
		return nil, nil, fail("Nodejs.Install: %v", err)
	}
	return deps, local, nil
}

// packageDir is the directory of the package.json nearest the handler,
// inside the project; "" when there is none.
func (b *nodeBuilder) packageDir() string {
	for dir := filepath.Dir(b.entry); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(filepath.Join(dir, "package.json")); err == nil && fi.Mode().IsRegular() {
			return dir
		}
		if dir == b.r.ProjectDir || filepath.Dir(dir) == dir || !strings.HasPrefix(dir, b.r.ProjectDir) {
			return ""
		}
	}
}

// installSpecs are the dependency specs npm installs names with, from
// pkgDir's package-lock.json (the locked version) or package.json (its
// range), and the local paths (file: packages) among them.
func installSpecs(pkgDir string, names []string) (map[string]string, []string, error) {
	var pkg struct {
		Dependencies         map[string]string `json:"dependencies"`
		OptionalDependencies map[string]string `json:"optionalDependencies"`
		DevDependencies      map[string]string `json:"devDependencies"`
	}
	data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", filepath.Join(pkgDir, "package.json"), err)
	}
	var lock struct {
		Packages map[string]struct {
			Version  string `json:"version"`
			Resolved string `json:"resolved"`
			Link     bool   `json:"link"`
		} `json:"packages"`
	}
	if data, err := os.ReadFile(filepath.Join(pkgDir, "package-lock.json")); err == nil {
		if err := json.Unmarshal(data, &lock); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", filepath.Join(pkgDir, "package-lock.json"), err)
		}
	}
	specs := map[string]string{}
	var local []string
	localSpec := func(p string) string {
		abs := filepath.Join(pkgDir, filepath.FromSlash(p))
		local = append(local, abs)
		return "file:" + abs
	}
	for _, name := range names {
		spec := pkg.Dependencies[name]
		if spec == "" {
			spec = pkg.OptionalDependencies[name]
		}
		if spec == "" {
			spec = pkg.DevDependencies[name]
		}
		if l, ok := lock.Packages["node_modules/"+name]; ok {
			switch {
			case l.Link, strings.HasPrefix(l.Resolved, "file:"):
				spec = "file:" + strings.TrimPrefix(l.Resolved, "file:")
			case l.Version != "":
				spec = l.Version
			}
		}
		switch {
		case spec == "":
			return nil, nil, fmt.Errorf("%q is not a dependency in %s: add it (npm install %s) so the bundle gets the version the project uses", name, filepath.Join(pkgDir, "package.json"), name)
		case strings.HasPrefix(spec, "file:"):
			spec = localSpec(strings.TrimPrefix(spec, "file:"))
		}
		specs[name] = spec
	}
	return specs, local, nil
}

// treeFiles reads every regular file under root as zip entries under
// prefix, leaving out what skip says (by base name).
func treeFiles(root, prefix string, skip func(name string, dir bool) bool) ([]zipFile, error) {
	var files []zipFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if p != root && skip != nil && skip(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rp, _ := filepath.Rel(root, p)
		mode := os.FileMode(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		files = append(files, zipFile{name: path.Join(prefix, filepath.ToSlash(rp)), mode: mode, data: data})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, err
}
