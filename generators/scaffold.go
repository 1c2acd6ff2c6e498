// Package generators writes code into a user's project: new apps from the
// embedded templates (`sst init`), infrastructure files dropped into an
// existing web project, and typed accessors for an app's bound resources
// (`sst types`). It imports nothing from cdktf or jsii, so the CLI stays
// free of the synthesis runtime.
package generators

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/sst-tf/sst/internal/stage"
	"github.com/sst-tf/sst/templates"
)

// ModulePath is this project's module, for finding a local checkout.
const ModulePath = "github.com/sst-tf/sst"

// ErrNotEmpty is wrapped when the target directory already has files and
// overwriting was not asked for.
var ErrNotEmpty = errors.New("directory is not empty")

// UnknownTemplateError names a template that is not embedded, and the ones that are.
type UnknownTemplateError struct {
	Name  string
	Valid []string
}

func (e *UnknownTemplateError) Error() string {
	return fmt.Sprintf("unknown template %q: available templates are %s", e.Name, strings.Join(e.Valid, ", "))
}

// Data is what .tmpl files can use.
type Data struct {
	// Name is the app name: the directory name, made safe for AWS names.
	Name string
	// Module is the new app's Go module path.
	Module string
	// SSTVersion is the version of this module to require.
	SSTVersion string
	// SSTSource is the absolute path of a local checkout for a replace
	// directive, or "" to use the published module.
	SSTSource string
}

// ScaffoldOptions say what to write where.
type ScaffoldOptions struct {
	Dir      string // absolute target directory, created if missing
	Template string // a name from templates.Names()
	Module   string // Go module path; default the app name
	Version  string // sst version to require; a non-release version becomes v0.0.0
	Source   string // absolute local checkout of this module, or ""
	Force    bool   // write into a non-empty Dir, overwriting files the template has
}

// Scaffolded is what Scaffold wrote.
type Scaffolded struct {
	Data  Data
	Files []string // slash-separated, relative to Dir
}

// Scaffold renders a template into opts.Dir. Nothing is written when the
// template is unknown or the directory is in use without Force.
func Scaffold(opts ScaffoldOptions) (*Scaffolded, error) {
	if !IsTemplate(opts.Template) {
		return nil, &UnknownTemplateError{Name: opts.Template, Valid: templates.Names()}
	}
	tmplFS, err := fs.Sub(templates.FS, opts.Template)
	if err != nil {
		return nil, err
	}
	if err := checkEmpty(opts.Dir, opts.Force); err != nil {
		return nil, err
	}
	data := Data{
		Name:       AppName(opts.Dir),
		SSTVersion: RequireVersion(opts.Version),
		SSTSource:  opts.Source,
	}
	data.Module = opts.Module
	if data.Module == "" {
		data.Module = DefaultModule(data.Name)
	}
	files, err := render(tmplFS, opts.Template, opts.Dir, data)
	if err != nil {
		return nil, err
	}
	return &Scaffolded{Data: data, Files: files}, nil
}

// AppName derives an app name from a directory: its base name, sanitized
// like a stage name so it fits AWS resource names.
func AppName(dir string) string {
	if name := stage.Sanitize(filepath.Base(dir)); name != "" {
		return name
	}
	return "app"
}

// DefaultModule is the Go module path for an app named name: the name,
// unless the go tool would take it for the standard library ("std",
// "cmd", "all", or a standard package such as "time"), which makes every
// import of the app's own packages fail; then "<name>-app".
func DefaultModule(name string) string {
	if stdNames[name] {
		return name + "-app"
	}
	return name
}

// stdNames are the go tool's reserved patterns and the standard library's
// top-level directories (a fixed list: the CLI may run without a GOROOT).
var stdNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`std cmd all archive bufio builtin bytes cmp compress container context
		crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter
		log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings structs sync
		syscall testing text time unicode unique unsafe vendor weak`) {
		stdNames[n] = true
	}
}

func checkEmpty(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0 && !force:
		return fmt.Errorf("%s: %w: choose a new directory, or pass --force to write the template into it", dir, ErrNotEmpty)
	}
	return nil
}

// render writes every file of tmplFS under dir; ".tmpl" files go through
// text/template with data and lose the suffix.
func render(tmplFS fs.FS, name, dir string, data any) ([]string, error) {
	var written []string
	err := fs.WalkDir(tmplFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(tmplFS, p)
		if err != nil {
			return err
		}
		out := p
		if strings.HasSuffix(p, ".tmpl") {
			out = strings.TrimSuffix(p, ".tmpl")
			if b, err = execTemplate(name+"/"+p, string(b), data); err != nil {
				return err
			}
		}
		if err := writeFile(dir, out, b); err != nil {
			return err
		}
		written = append(written, out)
		return nil
	})
	return written, err
}

func execTemplate(name, text string, data any) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// writeFile writes rel (slash-separated) under dir, making parents; shell
// scripts stay executable.
func writeFile(dir, rel string, b []byte) error {
	dst := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if path.Ext(rel) == ".sh" {
		mode = 0o755
	}
	return os.WriteFile(dst, b, mode)
}

// IsTemplate reports whether name is an embedded template.
func IsTemplate(name string) bool {
	for _, n := range templates.Names() {
		if n == name {
			return true
		}
	}
	return false
}

// RequireVersion is the version a new go.mod requires: v itself when it is
// a module version, without build metadata ("+dirty" marks a build from a
// modified tree, which go.mod does not accept). A development build has no
// module version; with a replace directive any version resolves, so v0.0.0
// stands in.
func RequireVersion(v string) string {
	if strings.Count(v, ".") >= 2 {
		if c := semver.Canonical(v); c != "" {
			return c
		}
	}
	return "v0.0.0"
}

// SourceHints are the places a local checkout of this module may be named.
type SourceHints struct {
	// Flag and Env are --sst-source and $SST_SOURCE; relative to WD.
	Flag, Env, WD string
	// Built are the directories the running binary was built from.
	Built []string
	// Executable is the running binary: a `go build -o bin/sst` in a
	// checkout finds that checkout above it.
	Executable string
}

// FindSource resolves the local checkout of this module: the flag, else
// the environment, else where the binary was built, else the directories
// above the binary. A flag or variable that names no checkout does not fall
// back. "" means use the published module.
func FindSource(h SourceHints) string {
	rel := func(p string) string {
		if !filepath.IsAbs(p) && h.WD != "" {
			return filepath.Join(h.WD, p)
		}
		return p
	}
	if h.Flag != "" {
		return CheckoutAt(rel(h.Flag))
	}
	if h.Env != "" {
		return CheckoutAt(rel(h.Env))
	}
	if src := FirstCheckout(h.Built...); src != "" {
		return src
	}
	exe := h.Executable
	if exe == "" {
		return ""
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	for dir := filepath.Dir(exe); ; {
		if src := CheckoutAt(dir); src != "" {
			return src
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FirstCheckout returns the first of dirs that holds this module, or "".
func FirstCheckout(dirs ...string) string {
	for _, d := range dirs {
		if src := CheckoutAt(d); src != "" {
			return src
		}
	}
	return ""
}

// CheckoutAt returns dir made absolute if it holds this module's go.mod.
func CheckoutAt(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil || modfile.ModulePath(b) != ModulePath {
		return ""
	}
	return abs
}

// SeedSum copies the checkout's go.sum into a new app using it: with the
// replace directive it covers every module the app can need, so neither
// `go mod tidy` nor a build has to reach the checksum database.
func SeedSum(dir, source string) error {
	if source == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return nil
	}
	sum, err := os.ReadFile(filepath.Join(source, "go.sum"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// Tidy resolves the new app's dependencies with `go mod tidy`.
func Tidy(dir string, env []string) error {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return nil
	}
	return runStep(dir, env, "go", "mod", "tidy")
}

// NpmInstall installs the Node dependencies of a template that has a
// package.json at its root (handlers import what it lists when they run
// locally under `sst dev`). It reports whether there was anything to do.
func NpmInstall(dir string, env []string) (bool, error) {
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		return false, nil
	}
	return true, runStep(dir, env, "npm", "install", "--no-audit", "--no-fund")
}

// StepError is a set-up command of a new app that failed; the files are
// written, so the fix is to run the command again in Dir.
type StepError struct {
	Dir     string
	Command string
	Err     error
	Output  string
}

func (e *StepError) Error() string {
	return fmt.Sprintf("`%s` in %s failed: %v\n%s\nThe app's files are written: fix the problem above, then run `cd %s && %s`",
		e.Command, e.Dir, e.Err, strings.TrimRight(e.Output, "\n"), e.Dir, e.Command)
}

func (e *StepError) Unwrap() error { return e.Err }

func runStep(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return &StepError{Dir: dir, Command: strings.Join(append([]string{name}, args...), " "), Err: err, Output: string(out)}
	}
	return nil
}
