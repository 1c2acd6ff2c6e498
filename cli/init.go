package cli

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

	"github.com/spf13/cobra"
	"golang.org/x/mod/modfile"

	"github.com/sst-tf/sst/internal/stage"
	"github.com/sst-tf/sst/templates"
)

// modulePath is this project's module, for finding a local checkout.
const modulePath = "github.com/sst-tf/sst"

// EnvSource points `sst init` at a local checkout of this module, for a
// replace directive in the new app's go.mod.
const EnvSource = "SST_SOURCE"

type initOptions struct {
	dir       string
	template  string
	module    string
	source    string
	force     bool
	noInstall bool
	list      bool
}

// templateData is what .tmpl files can use.
type templateData struct {
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

func newInitCmd(f *Factory) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init <dir> | init --list",
		Short: "Create a new app from a template",
		Long: `Writes a new app into <dir> (created if missing) from an embedded template,
then runs "go mod tidy" in it.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.list {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.list {
				for _, n := range templates.Names() {
					fmt.Fprintln(f.IO.Out, n)
				}
				return nil
			}
			o.dir = args[0]
			return runInit(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.template, "template", "t", "minimal", "template to use: "+strings.Join(templates.Names(), ", "))
	fl.StringVar(&o.module, "module", "", "Go module path of the new app (default: the app name)")
	fl.StringVar(&o.source, "sst-source", "", "local checkout of "+modulePath+" to use via a replace directive (default: $"+EnvSource+", or the checkout this binary was built in)")
	fl.BoolVar(&o.force, "force", false, "write into a non-empty directory, overwriting files the template also has")
	fl.BoolVar(&o.noInstall, "no-install", false, `skip "go mod tidy"`)
	fl.BoolVar(&o.list, "list", false, "list the available templates")
	return cmd
}

func runInit(f *Factory, o *initOptions) error {
	tmplFS, err := fs.Sub(templates.FS, o.template)
	if err != nil || !isTemplate(o.template) {
		return fmt.Errorf("unknown template %q: available templates are %s", o.template, strings.Join(templates.Names(), ", "))
	}
	dir := o.dir
	if !filepath.IsAbs(dir) {
		wd, err := f.Getwd()
		if err != nil {
			return err
		}
		dir = filepath.Join(wd, dir)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 && !o.force {
		return fmt.Errorf("%s is not empty: choose a new directory, or pass --force to write the template into it", o.dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}

	name := stage.Sanitize(filepath.Base(dir))
	if name == "" {
		name = "app"
	}
	data := templateData{
		Name:       name,
		Module:     firstNonEmpty(o.module, name),
		SSTVersion: requireVersion(Version),
		SSTSource:  findSource(f, o.source),
	}
	if o.source != "" && data.SSTSource == "" {
		return fmt.Errorf("--sst-source %s: no go.mod of module %s there", o.source, modulePath)
	}

	var written []string
	err = fs.WalkDir(tmplFS, ".", func(p string, d fs.DirEntry, err error) error {
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
			t, err := template.New(p).Option("missingkey=error").Parse(string(b))
			if err != nil {
				return fmt.Errorf("template %s/%s: %w", o.template, p, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, data); err != nil {
				return fmt.Errorf("template %s/%s: %w", o.template, p, err)
			}
			b = buf.Bytes()
		}
		dst := filepath.Join(dir, filepath.FromSlash(out))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if path.Ext(out) == ".sh" {
			mode = 0o755
		}
		if err := os.WriteFile(dst, b, mode); err != nil {
			return err
		}
		written = append(written, out)
		return nil
	})
	if err != nil {
		return err
	}

	style := styleFor(f)
	fmt.Fprintf(f.IO.Out, "%s Created app %s in %s from template %s (%d files)\n", style.Green("✓"), style.Bold(name), o.dir, o.template, len(written))
	if data.SSTSource != "" {
		fmt.Fprintf(f.IO.Out, "  using the local sst checkout at %s\n", data.SSTSource)
	}
	if !o.noInstall {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			// Start from the checkout's go.sum: with a local replace it covers
			// every module the app can need, so no download is required.
			if data.SSTSource != "" {
				if sum, err := os.ReadFile(filepath.Join(data.SSTSource, "go.sum")); err == nil {
					if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
						return err
					}
				}
			}
			fmt.Fprintln(f.IO.ErrOut, "Running go mod tidy…")
			// -e: jsii-runtime-go's tool imports (build tag "tools") name
			// packages that no longer exist; they are never built, so tidy
			// must not stop on them.
			cmd := exec.Command("go", "mod", "tidy", "-e")
			cmd.Dir = dir
			cmd.Env = f.Environ()
			var tidyOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &tidyOut, &tidyOut
			if err := cmd.Run(); err != nil {
				f.IO.ErrOut.Write(tidyOut.Bytes())
				return fmt.Errorf("go mod tidy in %s failed: %w (the files are written; fix the problem above and run it again)", o.dir, err)
			}
		}
	}
	fmt.Fprintf(f.IO.Out, "\nNext:\n  cd %s && sst deploy\n", o.dir)
	return nil
}

func isTemplate(name string) bool {
	for _, n := range templates.Names() {
		if n == name {
			return true
		}
	}
	return false
}

// requireVersion is the version a new go.mod requires. A development build
// has no published version; with a replace directive any version resolves,
// so v0.0.0 stands in.
func requireVersion(v string) string {
	if strings.HasPrefix(v, "v") && strings.Count(v, ".") >= 2 {
		return v
	}
	return "v0.0.0"
}

// findSource resolves the local checkout: flag, $SST_SOURCE, then the
// directories above the running binary (a `go build -o bin/sst` in a
// checkout finds that checkout). "" means use the published module.
func findSource(f *Factory, flag string) string {
	// Relative paths are relative to where the user typed the command.
	rel := func(p string) string {
		if !filepath.IsAbs(p) && f.Getwd != nil {
			if wd, err := f.Getwd(); err == nil {
				return filepath.Join(wd, p)
			}
		}
		return p
	}
	if flag != "" {
		return checkoutAt(rel(flag))
	}
	if env := f.Getenv(EnvSource); env != "" {
		return checkoutAt(rel(env))
	}
	exe := f.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return ""
		}
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	for dir := filepath.Dir(exe); ; {
		if src := checkoutAt(dir); src != "" {
			return src
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// checkoutAt returns dir made absolute if it holds this module's go.mod.
func checkoutAt(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil || modfile.ModulePath(b) != modulePath {
		return ""
	}
	return abs
}
