package build

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sst-tf/sst/internal/inputs"
)

// pythonRootMarkers mark the directory a Python function's zip is made
// from, as in SST v2: the nearest one at or above the handler's file
// holding one of them (never above the project), else the file's own
// directory. Imports inside that directory then work in Lambda as locally.
var pythonRootMarkers = []string{"requirements.txt", "pyproject.toml", "Pipfile", "poetry.lock"}

type pythonBuilder struct {
	r      Request
	file   string // absolute path of handler.py
	fn     string // function name inside it
	root   string // the directory zipped
	module string // dotted module path of file relative to root
}

// resolvePython splits "dir/file.func" and finds dir/file.py.
func resolvePython(projectDir, handler string) (file, fn string, ok bool) {
	slash := strings.LastIndexAny(handler, `/\`)
	dot := strings.LastIndex(handler, ".")
	if dot <= slash+1 || dot == len(handler)-1 {
		return "", "", false
	}
	p := handlerPath(projectDir, handler[:dot]) + ".py"
	if fi, err := os.Stat(p); err != nil || fi.IsDir() {
		return "", "", false
	}
	return p, handler[dot+1:], true
}

func newPythonBuilder(r Request) (*pythonBuilder, error) {
	file, fn, ok := resolvePython(r.ProjectDir, r.Handler)
	if !ok {
		return nil, &Error{Function: r.Name, Handler: r.Handler, Kind: ErrNotFound,
			Detail: fmt.Sprintf("no Python file for it in %s: Python handlers are written \"path/to/file.function\" for path/to/file.py defining function", r.ProjectDir)}
	}
	b := &pythonBuilder{r: r, file: file, fn: fn, root: pythonRoot(r.ProjectDir, filepath.Dir(file))}
	rel, err := filepath.Rel(b.root, strings.TrimSuffix(file, ".py"))
	if err != nil {
		return nil, err
	}
	b.module = strings.ReplaceAll(filepath.ToSlash(rel), "/", ".")
	return b, nil
}

func pythonRoot(projectDir, dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		for _, m := range pythonRootMarkers {
			if _, err := os.Stat(filepath.Join(d, m)); err == nil {
				return d
			}
		}
		if d == projectDir || filepath.Dir(d) == d || !strings.HasPrefix(d, projectDir) {
			return dir
		}
	}
}

func (b *pythonBuilder) key() any {
	// Python source runs on either architecture: one artifact serves both.
	k := struct {
		Kind, Root, Handler string
		Install             []string `json:",omitempty"`
		// What commands install may be built for one platform.
		InstallFor string `json:",omitempty"`
	}{"python", b.root, b.module + "." + b.fn, b.r.Python.InstallCommands, ""}
	if len(k.Install) > 0 {
		k.InstallFor = b.r.Target + "/" + b.r.Arch
	}
	return k
}

// skipPython leaves out of the zip what Python and editors leave behind
// and what never belongs in a function: bytecode caches, virtualenvs,
// dot-directories, node_modules.
func skipPython(name string, dir bool) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	if dir {
		return name == "__pycache__" || name == "node_modules" || name == "venv"
	}
	return strings.HasSuffix(name, ".pyc")
}

func (b *pythonBuilder) build(ctx context.Context) (*output, error) {
	if len(b.r.Python.InstallCommands) == 0 {
		if err := b.checkRequirements(); err != nil {
			return nil, err
		}
	}
	var files []zipFile
	var paths []string
	dirs := map[string]string{}
	err := filepath.WalkDir(b.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != b.root && skipPython(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			// Artifacts written inside the source directory must not be
			// zipped into the next build.
			if p == b.r.OutDir {
				return filepath.SkipDir
			}
			dirs[p] = "all"
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b.root, p)
		files = append(files, zipFile{name: filepath.ToSlash(rel), mode: 0o644, data: data})
		paths = append(paths, p)
		return ctx.Err()
	})
	if err != nil {
		return nil, &Error{Function: b.r.Name, Handler: b.r.Handler, Kind: ErrBundle, Detail: fmt.Sprintf("reading %s: %v", b.root, err)}
	}
	read, err := inputs.HashFiles(paths)
	if err != nil {
		return nil, err
	}
	dsums, err := inputs.HashDirs(dirs)
	if err != nil {
		return nil, err
	}
	if len(b.r.Python.InstallCommands) > 0 {
		if files, err = b.runInstall(ctx, files); err != nil {
			return nil, err
		}
	}
	return &output{runtime: b.r.Runtime, handler: b.module + "." + b.fn, files: files, inputs: read, dirs: dsums}, nil
}

// checkRequirements refuses third-party dependencies when no
// InstallCommands install them: shipping a function that fails on import
// would be worse.
func (b *pythonBuilder) checkRequirements() error {
	p := filepath.Join(b.root, "requirements.txt")
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return &Error{Function: b.r.Name, Handler: b.r.Handler, Kind: ErrInvalid,
			Detail: fmt.Sprintf("%s:%d requires %q: dependencies are installed only by Python.InstallCommands (e.g. \"pip install -r requirements.txt -t .\"); set them, or vendor the package into %s and list nothing in requirements.txt (boto3 is in the Lambda runtime)", p, n, line, b.root)}
	}
	return nil
}

// runInstall writes files into a scratch copy of the source directory,
// runs InstallCommands there and returns what the directory then holds:
// the source never gets the installed packages, so the next build sees
// the same inputs.
func (b *pythonBuilder) runInstall(ctx context.Context, files []zipFile) ([]zipFile, error) {
	r := b.r
	scratch, err := os.MkdirTemp(r.OutDir, "."+sanitize(r.Name)+"-python-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	for _, f := range files {
		p := filepath.Join(scratch, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			return nil, err
		}
	}
	for i, c := range r.Python.InstallCommands {
		cmd := exec.CommandContext(ctx, "sh", "-c", c)
		cmd.Dir = scratch
		cmd.Env = r.Env
		out, err := cmd.CombinedOutput()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &Error{Function: r.Name, Handler: r.Handler, Kind: ErrBundle, Output: string(out),
				Detail: fmt.Sprintf("Python.InstallCommands[%d] %q failed in a copy of %s (%v):", i, c, b.root, err)}
		}
	}
	return treeFiles(scratch, "", skipPython)
}
