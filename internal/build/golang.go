package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sst-tf/sst/internal/inputs"
)

type goBuilder struct {
	r Request
}

func (b *goBuilder) key() any {
	goos, goarch := platform(b.r)
	return struct {
		Kind, GOOS, GOARCH string
		Tags, LDFlags      []string
		CGO                bool
	}{"go", goos, goarch, sortedCopy(b.r.Go.Tags), b.r.Go.LDFlags, b.r.Go.CGO}
}

// goPackage is the part of `go list -json` output we read.
// goListJSON asks go list for just goPackage's fields: it then skips work
// the other fields need (half the time of a full -json on examples/rest-api).
const goListJSON = "-json=Dir,ImportPath,Name,Standard,DepOnly,Module,GoFiles,CgoFiles,CFiles,CXXFiles,HFiles,SFiles,SysoFiles,EmbedFiles"

type goPackage struct {
	Dir        string
	ImportPath string
	Name       string
	Standard   bool
	DepOnly    bool
	Module     *goModule

	GoFiles, CgoFiles, CFiles, CXXFiles, HFiles, SFiles, SysoFiles, EmbedFiles []string
}

type goModule struct {
	Path    string
	Version string
	GoMod   string
	Main    bool
	Replace *goModule
}

// immutable reports whether a module's files can only change by changing
// its version, which go.mod/go.sum (hashed anyway) would show; hashing the
// module cache on every check would be wasted work.
func (m *goModule) immutable() bool {
	if m == nil {
		return false
	}
	if m.Replace != nil {
		return m.Replace.Version != ""
	}
	return m.Version != ""
}

func (b *goBuilder) build(ctx context.Context) (*output, error) {
	r := b.r
	fail := func(kind error, output, format string, a ...any) error {
		return &Error{Function: r.Name, Handler: r.Handler, Kind: kind, Detail: fmt.Sprintf(format, a...), Output: output}
	}

	dir := handlerPath(r.ProjectDir, r.Handler)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, fail(ErrNotFound, "", "no Go package directory or .go file at %s; %s", dir, acceptedForms)
	case !fi.IsDir() && filepath.Ext(dir) != ".go":
		return nil, fail(ErrNotFound, "", "%s is neither a directory nor a .go file; %s", dir, acceptedForms)
	case !fi.IsDir():
		dir = filepath.Dir(dir)
	}
	if !hasGoFiles(dir) {
		return nil, fail(ErrNotFound, "", "directory %s has no .go files; %s", dir, acceptedForms)
	}
	modDir, ok := findUp(dir, "go.mod")
	if !ok {
		return nil, fail(ErrNotFound, "", "no go.mod in %s or any parent: a Go handler must be inside a module (run `go mod init` in your project)", dir)
	}
	rel, err := filepath.Rel(modDir, dir)
	if err != nil {
		return nil, err
	}
	pkg := "./" + filepath.ToSlash(rel)

	goos, goarch := platform(r)
	cgo := "0"
	if r.Go.CGO {
		cgo = "1"
	}
	base := r.Env
	if base == nil {
		base = os.Environ()
	}
	env := append(append([]string(nil), base...), "CGO_ENABLED="+cgo, "GOOS="+goos, "GOARCH="+goarch)
	// lambda.norpc drops aws-lambda-go's net/rpc mode, which only the
	// retired go1.x runtime used: a smaller binary that starts faster.
	tags := strings.Join(append([]string{"lambda.norpc"}, r.Go.Tags...), ",")

	stdout, stderr, err := runGo(ctx, modDir, env, "list", "-deps", goListJSON, "-tags", tags, pkg)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fail(ErrCompile, "", "the go command is not on PATH: install Go (https://go.dev/dl) to build Go handlers")
		}
		return nil, fail(ErrCompile, stderr, "go list %s (in %s) failed:", pkg, modDir)
	}
	pkgs, err := decodePackages(stdout)
	if err != nil {
		return nil, fmt.Errorf("function %q: read go list output: %w", r.Name, err)
	}
	var main *goPackage
	for i := range pkgs {
		if !pkgs[i].DepOnly {
			main = &pkgs[i]
		}
	}
	if main == nil {
		return nil, fail(ErrCompile, "", "go list %s (in %s) listed no package", pkg, modDir)
	}
	if main.Name != "main" {
		return nil, fail(ErrNotMain, "", "%s is package %s, not main: a Go handler is a main package whose main calls lambda.Start(handler)", dir, main.Name)
	}

	// Hash the inputs before compiling: an edit made while the compiler
	// runs then shows up as a change next time instead of being lost.
	files, dirs := goInputs(pkgs, modDir)
	read, err := inputs.HashFiles(files)
	if err != nil {
		return nil, fmt.Errorf("function %q: hash inputs: %w", r.Name, err)
	}
	dirSums, err := inputs.HashDirs(dirs)
	if err != nil {
		return nil, fmt.Errorf("function %q: hash inputs: %w", r.Name, err)
	}

	tmp, err := os.MkdirTemp(r.OutDir, ".build-go-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bootstrap")
	ldflags := strings.Join(append([]string{"-s", "-w"}, r.Go.LDFlags...), " ")
	_, stderr, err = runGo(ctx, modDir, env, "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-tags", tags, "-o", bin, pkg)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail(ErrCompile, stderr, "go build %s (in %s, GOOS=%s GOARCH=%s) failed:", pkg, modDir, goos, goarch)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	return &output{
		runtime: goLambdaRuntime,
		handler: "bootstrap",
		files:   []zipFile{{name: "bootstrap", mode: 0o755, data: data}},
		inputs:  read,
		dirs:    dirSums,
	}, nil
}

// GoPackageInputs records what compiling pkgs in dir for this machine reads
// (as `go run` does): the files of every package of the main module or of
// a module replaced by a local directory, the listings of their
// directories, and the go.mod, go.sum and go.work files. Packages of
// versioned modules are left out: they change only with go.mod/go.sum.
func GoPackageInputs(ctx context.Context, dir string, env []string, pkgs ...string) (inputs.Set, error) {
	modDir, ok := findUp(dir, "go.mod")
	if !ok {
		return inputs.Set{}, fmt.Errorf("no go.mod in %s or any parent", dir)
	}
	stdout, stderr, err := runGo(ctx, dir, env, append([]string{"list", "-deps", goListJSON}, pkgs...)...)
	if err != nil {
		return inputs.Set{}, fmt.Errorf("go list -deps %s (in %s): %s", strings.Join(pkgs, " "), dir, strings.TrimSpace(stderr))
	}
	listed, err := decodePackages(stdout)
	if err != nil {
		return inputs.Set{}, fmt.Errorf("read go list output: %w", err)
	}
	files, dirs := goInputs(listed, modDir)
	fs, err := inputs.HashFiles(files)
	if err != nil {
		return inputs.Set{}, err
	}
	ds, err := inputs.HashDirs(dirs)
	if err != nil {
		return inputs.Set{}, err
	}
	return inputs.Set{Files: fs, Dirs: ds}, nil
}

// goInputs lists the local files a build read, and the directories in
// which a new file would change it.
func goInputs(pkgs []goPackage, modDir string) (files []string, dirs map[string]string) {
	dirs = map[string]string{}
	addIfExists := func(p string) {
		if p == "" {
			return
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
		}
	}
	addIfExists(filepath.Join(modDir, "go.mod"))
	addIfExists(filepath.Join(modDir, "go.sum"))
	if os.Getenv("GOWORK") != "off" {
		if wdir, ok := findUp(modDir, "go.work"); ok {
			addIfExists(filepath.Join(wdir, "go.work"))
			addIfExists(filepath.Join(wdir, "go.work.sum"))
		}
	}
	for _, p := range pkgs {
		if p.Standard || p.Module.immutable() {
			continue
		}
		if m := p.Module; m != nil {
			addIfExists(m.GoMod)
			if m.Replace != nil {
				addIfExists(m.Replace.GoMod)
			}
		}
		dirs[p.Dir] = "go"
		for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.CFiles, p.CXXFiles, p.HFiles, p.SFiles, p.SysoFiles} {
			for _, f := range list {
				files = append(files, filepath.Join(p.Dir, f))
			}
		}
		for _, f := range p.EmbedFiles {
			path := filepath.Join(p.Dir, f)
			files = append(files, path)
			if d := filepath.Dir(path); dirs[d] == "" {
				dirs[d] = "all"
			}
		}
	}
	return files, dirs
}

func decodePackages(data []byte) ([]goPackage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var pkgs []goPackage
	for {
		var p goPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
}

func runGo(ctx context.Context, dir string, env []string, args ...string) (stdout []byte, stderr string, err error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err = cmd.Run()
	if err != nil && errb.Len() == 0 {
		errb.WriteString(err.Error())
	}
	return out.Bytes(), errb.String(), err
}

// findUp returns the nearest directory, from dir upwards, holding name.
func findUp(dir, name string) (string, bool) {
	for {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
