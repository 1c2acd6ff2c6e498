package dev

import (
	"archive/zip"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

//go:embed bootstrap.mjs
var nodeBootstrap []byte

// Built is a handler built for this machine and unpacked, ready to run.
type Built struct {
	Dir     string
	Command []string
	Handler string
	// Inputs are the source files that went in: the watcher's list.
	Inputs []string
	Hash   string
}

// Builder builds handlers for the host. Functions that share a handler and
// build settings (four routes on one Go package) share one build.
type Builder struct {
	ProjectDir string
	// Dir is the stage's dev directory, .sst/dev/<stage>.
	Dir string

	sem      chan struct{}
	mu       sync.Mutex
	inflight map[string]*buildCall
}

type buildCall struct {
	done chan struct{}
	res  *Built
	err  error
}

// NewBuilder builds into dir, at most two builds at once: a Go build
// already uses every core it gets.
func NewBuilder(projectDir, dir string) *Builder {
	return &Builder{ProjectDir: projectDir, Dir: dir, sem: make(chan struct{}, 2), inflight: map[string]*buildCall{}}
}

// Key identifies what a function's build depends on besides its sources.
func Key(fn manifest.Function) string {
	b, _ := json.Marshal(struct {
		H string
		B *manifest.FunctionBuild
	}{fn.Handler, fn.Build})
	return string(b)
}

// Build builds fn's handler for the host, or returns the build another
// function with the same handler is already running or just ran.
func (b *Builder) Build(ctx context.Context, fn manifest.Function, fresh bool) (*Built, error) {
	key := Key(fn)
	b.mu.Lock()
	if c, ok := b.inflight[key]; ok && !(fresh && isDone(c)) {
		b.mu.Unlock()
		<-c.done
		return c.res, c.err
	}
	c := &buildCall{done: make(chan struct{})}
	b.inflight[key] = c
	b.mu.Unlock()

	b.sem <- struct{}{}
	c.res, c.err = b.build(ctx, fn)
	<-b.sem
	close(c.done)
	return c.res, c.err
}

func isDone(c *buildCall) bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (b *Builder) build(ctx context.Context, fn manifest.Function) (*Built, error) {
	req := build.RequestFor(b.ProjectDir, filepath.Join(b.Dir, "artifacts"), fn)
	req.Target = "host"
	// Stack traces point at the sources, and read as written.
	req.Node.Sourcemap, req.Node.Minify = true, false
	res, err := build.Build(ctx, req)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.Dir, "functions", strings.TrimSuffix(filepath.Base(res.ZipPath), ".zip"))
	if err := unzip(res.ZipPath, dir); err != nil {
		return nil, fmt.Errorf("function %s: unpack build: %w", fn.ID, err)
	}
	out := &Built{Dir: dir, Handler: res.Handler, Inputs: res.Inputs, Hash: res.Hash}
	if res.Handler == "bootstrap" {
		out.Command = []string{filepath.Join(dir, "bootstrap")}
		return out, nil
	}
	file, export, ok := strings.Cut(res.Handler, ".")
	if !ok {
		return nil, fmt.Errorf("function %s: unexpected handler %q from the build", fn.ID, res.Handler)
	}
	var entry string
	for _, ext := range []string{".mjs", ".js", ".cjs"} {
		if _, err := os.Stat(filepath.Join(dir, file+ext)); err == nil {
			entry = filepath.Join(dir, file+ext)
			break
		}
	}
	if entry == "" {
		return nil, fmt.Errorf("function %s: build has no %s.{mjs,js,cjs}", fn.ID, file)
	}
	boot := filepath.Join(b.Dir, "bootstrap.mjs")
	if err := writeIfChanged(boot, nodeBootstrap); err != nil {
		return nil, err
	}
	// Source maps make a thrown error's trace point at the .ts line.
	out.Command = []string{"node", "--enable-source-maps", boot, entry, export}
	return out, nil
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// unzip unpacks a build once: the directory name carries the content hash,
// so an existing one already holds these files.
func unzip(zipPath, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	for _, f := range zr.File {
		name := filepath.FromSlash(f.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("unsafe path %q in %s", f.Name, zipPath)
		}
		dst := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := extract(f, dst); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dir)
}

func extract(f *zip.File, dst string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	mode := f.Mode().Perm()
	if mode == 0 {
		mode = 0o644
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
