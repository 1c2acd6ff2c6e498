// Package build turns a Lambda function's handler into a deployable zip:
// Go handlers are cross-compiled with the go tool, Node/TypeScript handlers
// are bundled in-process with esbuild. Artifacts are content-addressed and
// cached so that unchanged code rebuilds nothing and hashes the same, which
// is what keeps Terraform from updating functions nobody touched.
package build

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/sst-tf/sst/internal/inputs"
)

// Runtimes accepted in Request.Runtime ("" means detect).
const (
	RuntimeGo       = "go"
	RuntimeNodejs18 = "nodejs18.x"
	RuntimeNodejs20 = "nodejs20.x"
	RuntimeNodejs22 = "nodejs22.x"

	// Python handlers ship their source directory as is.
	RuntimePython39  = "python3.9"
	RuntimePython310 = "python3.10"
	RuntimePython311 = "python3.11"
	RuntimePython312 = "python3.12"
	RuntimePython313 = "python3.13"

	// DefaultNodeRuntime is what detection picks for a Node/TS handler.
	DefaultNodeRuntime = RuntimeNodejs20
	// DefaultPythonRuntime is what detection picks for a Python handler.
	DefaultPythonRuntime = RuntimePython312

	// goLambdaRuntime is the Lambda runtime Go binaries run on: the
	// go1.x runtime is gone, a "bootstrap" executable on the OS-only
	// runtime is the supported way.
	goLambdaRuntime = "provided.al2023"
)

var (
	validRuntimes = []string{RuntimeGo, RuntimeNodejs18, RuntimeNodejs20, RuntimeNodejs22,
		RuntimePython39, RuntimePython310, RuntimePython311, RuntimePython312, RuntimePython313}
	validArchs   = []string{"arm64", "x86_64"}
	validTargets = []string{"lambda", "host"}
	validFormats = []string{"esm", "cjs"}
)

// nodeExts is the order in which a Node handler's file is looked for.
var nodeExts = []string{".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".jsx"}

// Request describes one function to build.
type Request struct {
	ProjectDir string      // absolute project root; Handler is relative to it
	Handler    string      // as the user wrote it: a Go package dir or .go file, or "path/to/file.export"
	Runtime    string      // "" = detect; "go"; "nodejs18.x" | "nodejs20.x" | "nodejs22.x"; "python3.9" … "python3.13"
	Arch       string      // "arm64" (default) | "x86_64"
	Target     string      // "lambda" (default: linux + Arch) | "host" (this machine's GOOS/GOARCH, for local dev)
	OutDir     string      // artifact dir; default <ProjectDir>/.sst/artifacts; created if missing
	Name       string      // function id, used in artifact file names and errors
	Node       NodeOptions // ignored for Go
	Go         GoOptions   // ignored for Node
	Python     PythonOptions
	CopyFiles  []CopyFile // copied into the bundle after it is built
	// Env is the environment of the tools a build runs (the go command);
	// nil means this process's. The CLI building for the app passes the
	// app's.
	Env []string
}

// CopyFile puts From (a file, or a directory copied whole; relative to
// ProjectDir) into the bundle at To (default: From's relative path).
type CopyFile struct{ From, To string }

// NodeOptions tune the esbuild bundle.
type NodeOptions struct {
	Format    string            // "esm" (default) | "cjs"
	Minify    bool              // minify whitespace, identifiers and syntax
	Sourcemap bool              // ship index.(m)js.map next to the bundle
	External  []string          // extra modules left out of the bundle; @aws-sdk/* always is
	Loader    map[string]string // file extension (".png") → esbuild loader name ("file", "text", ...)
	Banner    string            // JS prepended to the bundle (after our own ESM require shim)
	// Install are packages left out of the bundle and installed with npm
	// into its node_modules (packages with native code or files they
	// read at run time), at the version the project's lockfile (else its
	// package.json) names.
	Install []string
	// The further esbuild options SST v2 apps set.
	Define     map[string]string // identifier → replacement expression
	KeepNames  bool              // keep function and class names through minification
	Target     string            // esbuild target list, e.g. "es2022" or "es2020,node18"; default the runtime's node
	MainFields []string          // package.json fields tried in order; default module, main for ESM
	Conditions []string          // extra package.json export conditions
	Inject     []string          // files (relative to the project) injected into every module
}

// PythonOptions tune a Python function's zip.
type PythonOptions struct {
	// InstallCommands run, through sh, in a copy of the source directory
	// before it is zipped (e.g. "pip install -r requirements.txt -t ."),
	// as SST v2's did in its bundling container.
	InstallCommands []string
}

// GoOptions tune `go build`.
type GoOptions struct {
	Tags    []string // build tags added to lambda.norpc
	LDFlags []string // linker flags added to -s -w
	CGO     bool     // build with CGO_ENABLED=1 (needs a C cross-compiler for lambda targets)
}

// Result is a built (or cached) artifact.
type Result struct {
	Runtime string   // Lambda runtime: "provided.al2023" for Go, e.g. "nodejs20.x" for Node
	Handler string   // Lambda handler value: "bootstrap" for Go, "index.<export>" for Node, "<module>.<function>" for Python
	ZipPath string   // absolute path of the zip
	Hash    string   // base64(sha256(zip bytes)), Terraform's source_code_hash format
	Cached  bool     // true when nothing was rebuilt
	Inputs  []string // absolute paths of the source files that went in, for watching
	// Read is what the build read, as recorded for its cache: a synth
	// that built this artifact is stale when any of it changes.
	Read inputs.Set
}

// Sentinel kinds carried by *Error, so callers can tell a user's mistake
// from a broken build without matching on text.
var (
	ErrInvalid  = errors.New("invalid build request")
	ErrNotFound = errors.New("handler not found")
	ErrNotMain  = errors.New("not a main package")
	ErrCompile  = errors.New("compile failed")
	ErrBundle   = errors.New("bundle failed")
)

// Error is a build failure the user can act on.
type Error struct {
	Function string // Request.Name
	Handler  string // Request.Handler, as written
	Kind     error  // one of the Err* sentinels
	Detail   string // what was wrong and what to do
	Output   string // tool output (compiler, esbuild), verbatim
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "function %q", e.Function)
	if e.Handler != "" {
		fmt.Fprintf(&b, ": handler %q", e.Handler)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail)
	if e.Output != "" {
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(e.Output, "\n"))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Kind }

// Build produces the zip for r, or returns the cached one when none of the
// inputs recorded by the previous build have changed. A Scheduler runs
// several builds at once and shares what they have in common.
func Build(ctx context.Context, r Request) (*Result, error) {
	j, err := newJob(r)
	if err != nil {
		return nil, err
	}
	if res, ok := j.cache.lookup(); ok {
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := j.make(ctx)
	if err != nil {
		return nil, err
	}
	return j.store(p)
}

// job is one function's build, checked and ready to run.
type job struct {
	r     Request
	b     builder
	cache cache
}

func newJob(r Request) (*job, error) {
	r, err := normalize(r)
	if err != nil {
		return nil, err
	}
	rt, err := DetectRuntime(r.ProjectDir, r.Handler, r.Runtime)
	if err != nil {
		var be *Error
		if errors.As(err, &be) {
			be.Function = r.Name
		}
		return nil, err
	}
	r.Runtime = rt

	var b builder
	if rt == RuntimeGo {
		b = &goBuilder{r: r}
	} else if IsPython(rt) {
		pb, err := newPythonBuilder(r)
		if err != nil {
			return nil, err
		}
		b = pb
	} else {
		nb, err := newNodeBuilder(r)
		if err != nil {
			return nil, err
		}
		b = nb
	}

	if err := os.MkdirAll(r.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("function %q: create artifact dir: %w", r.Name, err)
	}
	return &job{r: r, b: b, cache: cacheFor(r, b.key())}, nil
}

// product is what a build makes before it is stored under the function's
// name: the same for every function whose request differs only in Name
// (four routes on one Go package).
type product struct {
	out *output // without files: they are in zip
	zip []byte
}

// productKey identifies a product: the request without its Name.
func (j *job) productKey() string {
	b, err := json.Marshal(struct {
		Project, Out, Target, Handler, Runtime string
		Builder                                any
		Copy                                   []CopyFile
	}{j.r.ProjectDir, j.r.OutDir, j.r.Target, filepath.ToSlash(j.r.Handler), j.r.Runtime, j.b.key(), j.r.CopyFiles})
	if err != nil {
		panic(err) // keys are plain structs; failing here is a bug
	}
	return string(b)
}

func (j *job) make(ctx context.Context) (*product, error) {
	started := time.Now()
	out, err := j.b.build(ctx)
	if err != nil {
		return nil, err
	}
	if err := copyFiles(j.r, out); err != nil {
		return nil, err
	}
	// Node and Python inputs are hashed after the bundler read them: one
	// saved meanwhile may hash as what the artifact does not hold.
	inputs.ForgetWrittenSince(out.inputs, started)
	method := zip.Deflate
	if j.r.Target == "host" {
		// Unpacked at once on this machine; deflating a Go binary costs
		// most of a second.
		method = zip.Store
	}
	data, err := zipWith(out.files, method)
	if err != nil {
		return nil, fmt.Errorf("function %q: write artifact: %w", j.r.Name, err)
	}
	out.files = nil
	return &product{out: out, zip: data}, nil
}

// store writes p as this function's artifact and cache record.
func (j *job) store(p *product) (*Result, error) {
	zipPath, hash, err := writeZip(j.r.OutDir, sanitize(j.r.Name), p.zip)
	if err != nil {
		return nil, fmt.Errorf("function %q: write artifact: %w", j.r.Name, err)
	}
	rec := &record{
		Runtime: p.out.runtime,
		Handler: p.out.handler,
		Zip:     filepath.Base(zipPath),
		Hash:    hash,
		Files:   p.out.inputs,
		Dirs:    p.out.dirs,
	}
	if err := j.cache.store(rec); err != nil {
		return nil, fmt.Errorf("function %q: write build cache: %w", j.r.Name, err)
	}
	return rec.result(j.r.OutDir, false), nil
}

// builder is one language's way from handler to zip contents.
type builder interface {
	// key identifies everything besides file contents and the request's
	// other fields that shapes the output, so a changed option never
	// reuses a stale artifact.
	key() any
	build(ctx context.Context) (*output, error)
}

type output struct {
	runtime string
	handler string
	files   []zipFile
	inputs  []inputs.File // hashed before (Go) or right after (Node) reading them
	dirs    []inputs.Dir
}

func normalize(r Request) (Request, error) {
	invalid := func(format string, a ...any) error {
		return &Error{Function: r.Name, Handler: r.Handler, Kind: ErrInvalid, Detail: fmt.Sprintf(format, a...)}
	}
	if strings.TrimSpace(r.Name) == "" {
		return r, &Error{Handler: r.Handler, Kind: ErrInvalid, Detail: "function has no name (Request.Name)"}
	}
	if strings.TrimSpace(r.Handler) == "" {
		return r, invalid("no handler given: write a Go package directory (packages/functions/notes), a .go file, or a Node file and export (packages/functions/src/list.handler)")
	}
	if r.ProjectDir == "" {
		return r, invalid("no project directory given")
	}
	abs, err := filepath.Abs(r.ProjectDir)
	if err != nil {
		return r, invalid("project directory %q: %v", r.ProjectDir, err)
	}
	r.ProjectDir = abs
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return r, invalid("project directory %s does not exist", abs)
	}
	if r.OutDir == "" {
		r.OutDir = filepath.Join(abs, ".sst", "artifacts")
	}
	if r.OutDir, err = filepath.Abs(r.OutDir); err != nil {
		return r, invalid("artifact directory %q: %v", r.OutDir, err)
	}

	if r.Arch == "" {
		r.Arch = "arm64"
	}
	if !contains(validArchs, r.Arch) {
		return r, invalid("unknown architecture %q: use one of %s", r.Arch, strings.Join(validArchs, ", "))
	}
	if r.Target == "" {
		r.Target = "lambda"
	}
	if !contains(validTargets, r.Target) {
		return r, invalid("unknown build target %q: use one of %s", r.Target, strings.Join(validTargets, ", "))
	}
	if r.Runtime != "" && !contains(validRuntimes, r.Runtime) {
		return r, invalid("unknown runtime %q: use one of %s, or leave it empty to detect it from the handler", r.Runtime, strings.Join(validRuntimes, ", "))
	}
	if r.Node.Format == "" {
		r.Node.Format = "esm"
	}
	if !contains(validFormats, r.Node.Format) {
		return r, invalid("unknown Node format %q: use one of %s", r.Node.Format, strings.Join(validFormats, ", "))
	}
	return r, nil
}

// DetectRuntime returns the runtime to build handler with. An explicit
// runtime is validated and returned as is; "" is decided from what the
// handler points at: a .go file or a directory of Go files is "go", a
// "file.export" whose file exists with a JS/TS extension is Node.
func DetectRuntime(projectDir, handler, runtime string) (string, error) {
	if runtime != "" {
		if !contains(validRuntimes, runtime) {
			return "", &Error{Handler: handler, Kind: ErrInvalid, Detail: fmt.Sprintf("unknown runtime %q: use one of %s, or leave it empty to detect it from the handler", runtime, strings.Join(validRuntimes, ", "))}
		}
		return runtime, nil
	}
	p := handlerPath(projectDir, handler)
	if fi, err := os.Stat(p); err == nil {
		if fi.IsDir() {
			if hasGoFiles(p) {
				return RuntimeGo, nil
			}
			return "", &Error{Handler: handler, Kind: ErrNotFound, Detail: fmt.Sprintf("directory %s has no .go files; %s", p, acceptedForms)}
		}
		if strings.HasSuffix(p, ".go") {
			return RuntimeGo, nil
		}
	}
	if _, _, err := resolveNode(projectDir, handler); err == nil {
		return DefaultNodeRuntime, nil
	}
	if _, _, ok := resolvePython(projectDir, handler); ok {
		return DefaultPythonRuntime, nil
	}
	return "", &Error{Handler: handler, Kind: ErrNotFound, Detail: fmt.Sprintf("nothing to build in %s: %s", projectDir, acceptedForms)}
}

const acceptedForms = `a handler is a Go main package directory ("packages/functions/notes"), a .go file in one, a Node/TypeScript file and export ("packages/functions/src/list.handler" for src/list.ts exporting handler), or a Python file and function ("functions/notes/handler.main" for handler.py defining main)`

// IsPython reports whether runtime is a Python Lambda runtime.
func IsPython(runtime string) bool { return strings.HasPrefix(runtime, "python") }

func handlerPath(projectDir, handler string) string {
	h := filepath.FromSlash(handler)
	if filepath.IsAbs(h) {
		return filepath.Clean(h)
	}
	return filepath.Join(projectDir, h)
}

func hasGoFiles(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return true
		}
	}
	return false
}

// resolveNode splits "dir/file.export" and finds the file, trying the
// extensions in order; "dir/file.ts.export" (extension spelled out) works too.
func resolveNode(projectDir, handler string) (file, export string, err error) {
	slash := strings.LastIndexAny(handler, `/\`)
	dot := strings.LastIndex(handler, ".")
	if dot <= slash+1 || dot == len(handler)-1 {
		return "", "", &Error{Handler: handler, Kind: ErrNotFound, Detail: fmt.Sprintf("no export name: Node handlers are written \"path/to/file.exportName\"; %s", acceptedForms)}
	}
	base, export := handler[:dot], handler[dot+1:]
	p := handlerPath(projectDir, base)
	if contains(nodeExts, filepath.Ext(p)) {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, export, nil
		}
	}
	for _, ext := range nodeExts {
		if fi, err := os.Stat(p + ext); err == nil && !fi.IsDir() {
			return p + ext, export, nil
		}
	}
	exts := make([]string, len(nodeExts))
	for i, e := range nodeExts {
		exts[i] = strings.TrimPrefix(e, ".")
	}
	return "", "", &Error{Handler: handler, Kind: ErrNotFound, Detail: fmt.Sprintf("no file %s.{%s} in %s; %s", base, strings.Join(exts, ","), projectDir, acceptedForms)}
}

// goArch maps Lambda's architecture names to GOARCH.
func goArch(arch string) string {
	if arch == "x86_64" {
		return "amd64"
	}
	return arch
}

// platform is the GOOS/GOARCH a request builds for.
func platform(r Request) (goos, goarch string) {
	if r.Target == "host" {
		return runtime.GOOS, runtime.GOARCH
	}
	return "linux", goArch(r.Arch)
}

// sanitize keeps a function id usable in a file name on every OS.
func sanitize(name string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		s = "function"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// FileName is name made safe as a file name on every OS (the way artifact
// names are made of function ids); a name that is one already is returned
// unchanged.
func FileName(name string) string { return sanitize(name) }
