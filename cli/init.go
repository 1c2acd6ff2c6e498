package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/generators"
	"github.com/sst-tf/sst/templates"
)

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
	// ci is `--ci <provider>`: write the CI recipe instead of an app.
	ci string
}

func newInitCmd(f *Factory) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [<dir>] | init --list",
		Short: "Create a new app from a template, or add sst to a web project",
		Long: `With <dir>: writes a new app into <dir> (created if missing) from an
embedded template, then runs "go mod tidy" in it, and "npm install" for a
template with a package.json (node). A failing step exits non-zero with its
output and the command to run again.

The app's go.mod requires this sst's module version and, when it knows its
checkout (--sst-source, $SST_SOURCE, or where it was built: "make install"
stamps it), replaces it with that checkout.

Without <dir>, inside an existing Next.js, Astro, Remix, SvelteKit, SolidStart
or Vite project: adds the infrastructure files (cdktf.json, go.mod, an
infra/main.go deploying the project with the matching site construct).`,
		Example: `  sst init my-app                 # Go handlers, an Api and a DynamoDB table
  sst init --ci github            # inside an app: .github/workflows/sst.yml (plan on PRs, pr-<n> stages, reviewed deploys)
  sst init my-app -t node         # TypeScript handlers; runs npm install
  sst init my-app --no-install    # write the files only
  sst init                        # inside a Next.js/Astro/… project: add sst to it`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.list {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.MaximumNArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.list {
				for _, n := range templates.Names() {
					fmt.Fprintln(f.IO.Out, n)
				}
				return nil
			}
			if o.ci != "" {
				if len(args) > 0 {
					return errors.New("--ci writes into the project around the working directory: run `sst init --ci " + o.ci + "` inside it, without a directory")
				}
				return runInitCI(f, o)
			}
			if len(args) == 0 {
				if cmd.Flags().Changed("template") {
					return errors.New("--template needs a directory: sst init <dir> --template " + o.template)
				}
				return runDropIn(f, o)
			}
			o.dir = args[0]
			return runInit(f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.template, "template", "t", "minimal", "template to use: "+strings.Join(templates.Names(), ", "))
	fl.StringVar(&o.module, "module", "", "Go module path of the new app (default: the app name)")
	fl.StringVar(&o.source, "sst-source", "", "local checkout of "+generators.ModulePath+" to use via a replace directive (default: $"+EnvSource+", or the checkout this binary was built in)")
	fl.BoolVar(&o.force, "force", false, "write into a non-empty directory, overwriting files the template also has")
	fl.BoolVar(&o.noInstall, "no-install", false, `skip "go mod tidy" and "npm install" (the Next: line lists them)`)
	fl.BoolVar(&o.list, "list", false, "list the available templates")
	fl.StringVar(&o.ci, "ci", "", "write the CI recipe for this provider (github) into the current app: plans on pull requests, a stage per pull request, reviewed deploys on merge")
	return cmd
}

func runInit(f *Factory, o *initOptions) error {
	dir, err := absDir(f, o.dir)
	if err != nil {
		return err
	}
	mod, err := resolveModule(f, o.source, currentBuild())
	if err != nil {
		return err
	}
	res, err := generators.Scaffold(generators.ScaffoldOptions{
		Dir: dir, Template: o.template, Module: o.module, Version: mod.version, Source: mod.source, Force: o.force,
	})
	if errors.Is(err, generators.ErrNotEmpty) {
		if fw, _, derr := generators.Detect(dir); derr == nil {
			return fmt.Errorf("%s is not empty: it is a %s project; to add sst to it, run `sst init` inside it (no directory argument)", o.dir, fw.Name)
		}
		return fmt.Errorf("%s is not empty: choose a new directory, or pass --force to write the template into it", o.dir)
	} else if err != nil {
		return err
	}
	style := styleFor(f)
	fmt.Fprintf(f.IO.Out, "%s Created app %s in %s from template %s (%d files)\n", style.Green("✓"), style.Bold(res.Data.Name), o.dir, o.template, len(res.Files))
	skipped, err := finishInit(f, o, dir, mod.source, true)
	if err != nil {
		return err
	}
	sst := sstCommand(f)
	steps := append([]string{"cd " + shellQuote(o.dir)}, skipped...)
	fmt.Fprintf(f.IO.Out, "\nNext:\n  %s && %s synth\n", strings.Join(steps, " && "), sst)
	fmt.Fprintf(f.IO.Out, "  %s deploy --stage dev   # with AWS credentials, or --endpoint http://127.0.0.1:5000 for a local moto_server\n", sst)
	return nil
}

func runDropIn(f *Factory, o *initOptions) error {
	dir, err := absDir(f, ".")
	if err != nil {
		return err
	}
	mod, err := resolveModule(f, o.source, currentBuild())
	if err != nil {
		return err
	}
	res, err := generators.DropIn(generators.DropInOptions{
		Dir: dir, Module: o.module, Version: mod.version, Source: mod.source, Force: o.force,
	})
	if err != nil {
		return err
	}
	style := styleFor(f)
	fmt.Fprintf(f.IO.Out, "%s Detected %s (%s); added %s\n", style.Green("✓"), res.Framework.Name, res.Evidence, strings.Join(res.Files, ", "))
	// The web project's own packages are its business: only infra/ is set up.
	skipped, err := finishInit(f, o, filepath.Join(dir, "infra"), mod.source, false)
	if err != nil {
		return err
	}
	for i, s := range skipped {
		skipped[i] = "(cd infra && " + s + ")"
	}
	steps := append(skipped, sstCommand(f)+" deploy")
	fmt.Fprintf(f.IO.Out, "\nNext:\n  %s   # builds the site and deploys it with sst.%s\n", strings.Join(steps, " && "), res.Framework.Construct)
	return nil
}

// finishInit says which checkout the app builds against and resolves its
// Go (and, with npm, Node) dependencies. With --no-install it returns the
// commands it skipped, for the user to run.
func finishInit(f *Factory, o *initOptions, dir, source string, npm bool) ([]string, error) {
	if source != "" {
		fmt.Fprintf(f.IO.Out, "  using the local sst checkout at %s\n", source)
	}
	if err := generators.SeedSum(dir, source); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(filepath.Join(dir, "package.json"))
	hasNpm := npm && statErr == nil
	if o.noInstall {
		skipped := []string{"go mod tidy"}
		if hasNpm {
			skipped = append(skipped, "npm install")
		}
		return skipped, nil
	}
	fmt.Fprintln(f.IO.ErrOut, "Running go mod tidy…")
	if err := generators.Tidy(dir, f.Environ()); err != nil {
		return nil, err
	}
	if hasNpm {
		fmt.Fprintln(f.IO.ErrOut, "Running npm install…")
		if _, err := generators.NpmInstall(dir, f.Environ()); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func absDir(f *Factory, dir string) (string, error) {
	if filepath.IsAbs(dir) {
		return filepath.Clean(dir), nil
	}
	wd, err := f.Getwd()
	if err != nil {
		return "", err
	}
	return filepath.Join(wd, dir), nil
}

// sstModule is how a new app's go.mod gets this module: the version it
// requires and, when there is one, the local checkout it is replaced with.
type sstModule struct {
	version string
	source  string
}

// resolveModule finds what a new app can build against, before anything is
// written: a local checkout (flag, $SST_SOURCE, where this binary was
// built), else the published version this binary is. A binary that is
// neither a release nor knows its checkout would write an app that cannot
// build, so that is an error saying how to get one that can.
func resolveModule(f *Factory, flag string, b Build) (sstModule, error) {
	wd, _ := f.Getwd()
	exe := f.Executable
	if exe == "" {
		exe, _ = os.Executable()
	}
	env := f.Getenv(EnvSource)
	src := generators.FindSource(generators.SourceHints{Flag: flag, Env: env, WD: wd, Built: b.Sources, Executable: exe})
	switch {
	case flag != "" && src == "":
		return sstModule{}, fmt.Errorf("--sst-source %s: no go.mod of module %s there", flag, generators.ModulePath)
	case env != "" && src == "":
		return sstModule{}, fmt.Errorf("$%s=%s: no go.mod of module %s there; point it at an sst checkout or unset it", EnvSource, env, generators.ModulePath)
	case src == "" && !b.Release:
		return sstModule{}, fmt.Errorf("this sst (%s) is not a published release and does not know the checkout it was built from "+
			"(built with -trimpath, or the checkout moved), so a new app could not build: "+
			"run `make install` in your sst checkout, or pass --sst-source <checkout> (or set $%s)", b.Version, EnvSource)
	}
	return sstModule{version: generators.RequireVersion(b.Version), source: src}, nil
}

// sstCommand is how the user runs this binary: "sst" when that is what
// PATH finds, else its absolute path, so printed next steps work as typed.
func sstCommand(f *Factory) string {
	exe := f.Executable
	if exe == "" {
		exe, _ = os.Executable()
	}
	if exe == "" {
		return "sst"
	}
	self, err := os.Stat(exe)
	if err != nil {
		return "sst"
	}
	// The first "sst" on the user's PATH is what a typed `sst` runs.
	for _, d := range filepath.SplitList(f.Getenv("PATH")) {
		if d == "" {
			continue
		}
		if st, err := os.Stat(filepath.Join(d, "sst")); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			if os.SameFile(st, self) {
				return "sst"
			}
			break
		}
	}
	return shellQuote(exe)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
