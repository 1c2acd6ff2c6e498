package build

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/sst-tf/sst/internal/inputs"
)

// awsSDK is in every Node Lambda runtime we support; bundling it would
// only make the zip bigger and cold starts slower.
const awsSDK = "@aws-sdk/*"

// esmRequireShim lets bundled CommonJS dependencies call require() from an
// ES module, where Node does not define it. A module-scoped declaration
// keeps resolution relative to this bundle; esbuild renames any top-level
// `require` that bundled code declares itself, so the two cannot clash.
const esmRequireShim = `import { createRequire as __sst_createRequire } from "node:module";
const require = __sst_createRequire(import.meta.url);`

var loaders = map[string]api.Loader{
	"base64":  api.LoaderBase64,
	"binary":  api.LoaderBinary,
	"copy":    api.LoaderCopy,
	"dataurl": api.LoaderDataURL,
	"default": api.LoaderDefault,
	"empty":   api.LoaderEmpty,
	"file":    api.LoaderFile,
	"js":      api.LoaderJS,
	"json":    api.LoaderJSON,
	"jsx":     api.LoaderJSX,
	"text":    api.LoaderText,
	"ts":      api.LoaderTS,
	"tsx":     api.LoaderTSX,
}

type nodeBuilder struct {
	r       Request
	entry   string // absolute path of the handler file
	export  string
	loaders map[string]api.Loader
}

func newNodeBuilder(r Request) (*nodeBuilder, error) {
	entry, export, err := resolveNode(r.ProjectDir, r.Handler)
	if err != nil {
		err.(*Error).Function = r.Name
		return nil, err
	}
	b := &nodeBuilder{r: r, entry: entry, export: export, loaders: map[string]api.Loader{}}
	for ext, name := range r.Node.Loader {
		l, ok := loaders[name]
		if !ok {
			return nil, &Error{Function: r.Name, Handler: r.Handler, Kind: ErrInvalid,
				Detail: fmt.Sprintf("unknown loader %q for %q: use one of %s", name, ext, strings.Join(LoaderNames(), ", "))}
		}
		if !strings.HasPrefix(ext, ".") {
			ext = "." + ext
		}
		b.loaders[ext] = l
	}
	return b, nil
}

func (b *nodeBuilder) key() any {
	// Arch and target do not change a bundle, so they are left out: a
	// function built for both architectures shares one artifact. The
	// outfile's directory is named after the function and fixes the
	// relative paths in source maps: two functions on one handler do not
	// share a bundle.
	o := b.r.Node
	k := struct {
		Kind, Esbuild, Entry, Export string
		Outfile                      string
		Format                       string
		Minify, Sourcemap            bool
		External                     []string
		Loader                       map[string]string
		Banner                       string
		Install                      []string          `json:",omitempty"`
		Define                       map[string]string `json:",omitempty"`
		KeepNames                    bool              `json:",omitempty"`
		Target                       string            `json:",omitempty"`
		MainFields                   []string          `json:",omitempty"`
		Conditions                   []string          `json:",omitempty"`
		Inject                       []string          `json:",omitempty"`
		// Installed packages may hold native code for one platform.
		InstallFor string `json:",omitempty"`
	}{"node", esbuildVersion(), b.entry, b.export, sanitize(b.r.Name), o.Format, o.Minify, o.Sourcemap, sortedCopy(o.External), o.Loader, o.Banner,
		sortedCopy(o.Install), o.Define, o.KeepNames, o.Target, o.MainFields, o.Conditions, o.Inject, ""}
	if len(o.Install) > 0 {
		k.InstallFor = b.r.Target + "/" + b.r.Arch
	}
	return k
}

// outfile is where esbuild is told the bundle goes. Nothing is written
// there (Write is off), but the path fixes the relative paths inside
// source maps, so it must not vary between builds.
func (b *nodeBuilder) outfile() string {
	name := "index.mjs"
	if b.r.Node.Format == "cjs" {
		name = "index.js"
	}
	return filepath.Join(b.r.OutDir, sanitize(b.r.Name), name)
}

// metafile is the part of esbuild's metafile we read.
type metafile struct {
	Inputs map[string]struct {
		Format string `json:"format"` // "cjs" or "esm" when esbuild could tell
	} `json:"inputs"`
	Outputs map[string]struct {
		EntryPoint string   `json:"entryPoint"`
		Exports    []string `json:"exports"`
	} `json:"outputs"`
}

func (b *nodeBuilder) build(ctx context.Context) (*output, error) {
	r := b.r
	fail := func(kind error, output, format string, a ...any) error {
		return &Error{Function: r.Name, Handler: r.Handler, Kind: kind, Detail: fmt.Sprintf(format, a...), Output: output}
	}

	if len(r.Node.Install) > 0 && r.Target != "host" {
		// A package the project does not name is the clearer error than
		// whatever bundling it would say.
		if _, _, err := b.installSpecs(); err != nil {
			return nil, err
		}
	}
	outfile := b.outfile()
	outName := filepath.Base(outfile)
	format := api.FormatESModule
	if r.Node.Format == "cjs" {
		format = api.FormatCommonJS
	}
	banner := r.Node.Banner
	mainFields := r.Node.MainFields
	if format == api.FormatESModule {
		banner = strings.TrimSpace(esmRequireShim + "\n" + banner)
		if len(mainFields) == 0 {
			// ESM builds of dependencies tree-shake better than their CJS ones.
			mainFields = []string{"module", "main"}
		}
	}
	target, engines, err := esbuildTarget(r.Node.Target, r.Runtime)
	if err != nil {
		return nil, fail(ErrInvalid, "", "%v", err)
	}
	var inject []string
	for _, f := range r.Node.Inject {
		inject = append(inject, handlerPath(r.ProjectDir, f))
	}
	opts := api.BuildOptions{
		EntryPoints:       []string{b.entry},
		AbsWorkingDir:     r.ProjectDir,
		Bundle:            true,
		Platform:          api.PlatformNode,
		Format:            format,
		Target:            target,
		Engines:           engines,
		MainFields:        mainFields,
		Conditions:        r.Node.Conditions,
		Define:            r.Node.Define,
		KeepNames:         r.Node.KeepNames,
		Inject:            inject,
		External:          append(append([]string{awsSDK}, r.Node.External...), r.Node.Install...),
		Loader:            b.loaders,
		MinifyWhitespace:  r.Node.Minify,
		MinifyIdentifiers: r.Node.Minify,
		MinifySyntax:      r.Node.Minify,
		Outfile:           outfile,
		Write:             false,
		Metafile:          true,
		LogLevel:          api.LogLevelSilent,
	}
	if banner != "" {
		opts.Banner = map[string]string{"js": banner}
	}
	if r.Node.Sourcemap {
		opts.Sourcemap = api.SourceMapLinked
	}

	bc, cerr := api.Context(opts)
	if cerr != nil {
		return nil, fail(ErrBundle, formatMessages(cerr.Errors), "esbuild rejected the build options:")
	}
	defer bc.Dispose()
	stop := context.AfterFunc(ctx, bc.Cancel)
	res := bc.Rebuild()
	stop()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(res.Errors) > 0 {
		return nil, fail(ErrBundle, formatMessages(res.Errors), "bundling %s failed:", rel(r.ProjectDir, b.entry))
	}

	var meta metafile
	if err := json.Unmarshal([]byte(res.Metafile), &meta); err != nil {
		return nil, fmt.Errorf("function %q: read esbuild metafile: %w", r.Name, err)
	}
	if format == api.FormatESModule {
		if err := b.checkExport(meta); err != nil {
			return nil, err
		}
	}

	var files []zipFile
	for _, f := range res.OutputFiles {
		files = append(files, zipFile{name: filepath.Base(f.Path), mode: 0o644, data: f.Contents})
	}

	// These are hashed after esbuild read them, so an edit landing during
	// the bundle can go unnoticed until the next edit; esbuild gives no
	// hook to hash the exact bytes it read without re-implementing loading.
	var paths []string
	for in := range meta.Inputs {
		p := filepath.Join(r.ProjectDir, filepath.FromSlash(in))
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			paths = append(paths, p)
		}
	}
	paths = append(paths, b.configFiles()...)
	var dirs []inputs.Dir
	if len(r.Node.Install) > 0 && r.Target != "host" {
		// On this machine the bundle sits inside the project, where Node
		// finds the packages in the project's own node_modules.
		inst, err := b.install(ctx)
		if err != nil {
			return nil, err
		}
		files = append(files, inst.files...)
		paths = append(paths, inst.paths...)
		dirs = inst.dirs
	}
	read, err := inputs.HashFiles(paths)
	if err != nil {
		return nil, fmt.Errorf("function %q: hash inputs: %w", r.Name, err)
	}
	return &output{
		runtime: r.Runtime,
		handler: strings.TrimSuffix(outName, filepath.Ext(outName)) + "." + b.export,
		files:   files,
		inputs:  read,
		dirs:    dirs,
	}, nil
}

// esbuildTarget turns NodeOptions.Target ("es2022", "node18", "esnext",
// comma-separated) into esbuild's language target and engines; empty is
// the Lambda runtime's Node version.
func esbuildTarget(spec, runtime string) (api.Target, []api.Engine, error) {
	if spec == "" {
		return api.DefaultTarget, []api.Engine{{Name: api.EngineNode, Version: nodeVersion(runtime)}}, nil
	}
	target := api.DefaultTarget
	var engines []api.Engine
	for _, t := range strings.Split(spec, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "esnext":
			target = api.ESNext
		case esTargets[t] != 0:
			target = esTargets[t]
		case strings.HasPrefix(t, "node") && len(t) > 4 && strings.Trim(t[4:], "0123456789.") == "":
			engines = append(engines, api.Engine{Name: api.EngineNode, Version: t[4:]})
		default:
			return 0, nil, fmt.Errorf("unknown esbuild target %q: use esnext, es2015 … es2024 or node<version>, comma-separated", t)
		}
	}
	return target, engines, nil
}

var esTargets = map[string]api.Target{
	"es2015": api.ES2015, "es2016": api.ES2016, "es2017": api.ES2017, "es2018": api.ES2018, "es2019": api.ES2019,
	"es2020": api.ES2020, "es2021": api.ES2021, "es2022": api.ES2022, "es2023": api.ES2023, "es2024": api.ES2024,
}

// CheckESBuildTarget reports what is wrong with a NodeOptions.Target.
func CheckESBuildTarget(spec string) error {
	_, _, err := esbuildTarget(spec, "")
	return err
}

// LoaderNames are the esbuild loaders NodeOptions.Loader accepts.
func LoaderNames() []string {
	names := make([]string, 0, len(loaders))
	for n := range loaders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkExport turns a misspelled export into a build error rather than a
// Runtime.HandlerNotFound at the first invocation.
func (b *nodeBuilder) checkExport(meta metafile) error {
	for _, o := range meta.Outputs {
		if o.EntryPoint == "" {
			continue
		}
		for _, e := range o.Exports {
			if e == b.export {
				return nil
			}
		}
		detail := fmt.Sprintf("%s does not export %q", rel(b.r.ProjectDir, b.entry), b.export)
		switch {
		case meta.Inputs[o.EntryPoint].Format == "cjs":
			detail += "; it is CommonJS (module.exports), which an ESM bundle only exposes as default: use ESM exports (export const " + b.export + " = ...) or Node format \"cjs\""
		case len(o.Exports) > 0:
			detail += fmt.Sprintf(" (it exports %s)", strings.Join(o.Exports, ", "))
		default:
			detail += " (it exports nothing)"
		}
		return &Error{Function: b.r.Name, Handler: b.r.Handler, Kind: ErrNotFound, Detail: detail}
	}
	return nil
}

// configFiles are files esbuild reads that do not show up as inputs but
// change the output: tsconfig paths and JSX settings, package.json "type"
// and "sideEffects"; and the lockfiles, whose change means installed
// modules are about to change (a rebuild costs less than shipping the
// old ones).
func (b *nodeBuilder) configFiles() []string {
	var out []string
	dir := filepath.Dir(b.entry)
	for {
		for _, n := range []string{"package.json", "tsconfig.json", "jsconfig.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock"} {
			p := filepath.Join(dir, n)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				out = append(out, p)
			}
		}
		parent := filepath.Dir(dir)
		if dir == b.r.ProjectDir || parent == dir {
			return out
		}
		dir = parent
	}
}

func nodeVersion(runtime string) string {
	v := strings.TrimSuffix(strings.TrimPrefix(runtime, "nodejs"), ".x")
	if v == "" || v == runtime {
		return "20"
	}
	return v
}

// formatMessages renders esbuild messages the way compilers do, so
// editors and terminals can jump to file:line:col.
func formatMessages(msgs []api.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		writeMessage(&b, "error", m.Text, m.Location)
		for _, n := range m.Notes {
			writeMessage(&b, "note", n.Text, n.Location)
		}
	}
	return b.String()
}

func writeMessage(b *strings.Builder, kind, text string, loc *api.Location) {
	if loc == nil {
		fmt.Fprintf(b, "%s: %s\n", kind, text)
		return
	}
	// esbuild columns are 0-based; editors count from 1.
	fmt.Fprintf(b, "%s:%d:%d: %s: %s\n", loc.File, loc.Line, loc.Column+1, kind, text)
	if loc.LineText != "" {
		fmt.Fprintf(b, "    %s\n", loc.LineText)
	}
}

func rel(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}
