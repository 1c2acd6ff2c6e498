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
}

func newInitCmd(f *Factory) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [<dir>] | init --list",
		Short: "Create a new app from a template, or add sst to a web project",
		Long: `With <dir>: writes a new app into <dir> (created if missing) from an
embedded template, then runs "go mod tidy" in it.

Without <dir>, inside an existing Next.js, Astro, Remix, SvelteKit, SolidStart
or Vite project: adds the infrastructure files (cdktf.json, go.mod, an
infra/main.go deploying the project with the matching site construct).`,
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
	fl.BoolVar(&o.noInstall, "no-install", false, `skip "go mod tidy"`)
	fl.BoolVar(&o.list, "list", false, "list the available templates")
	return cmd
}

func runInit(f *Factory, o *initOptions) error {
	dir, err := absDir(f, o.dir)
	if err != nil {
		return err
	}
	source, err := resolveSource(f, o.source)
	if err != nil {
		return err
	}
	res, err := generators.Scaffold(generators.ScaffoldOptions{
		Dir: dir, Template: o.template, Module: o.module, Version: Version, Source: source, Force: o.force,
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
	if err := finishInit(f, o, dir, source); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "\nNext:\n  cd %s && sst deploy\n", o.dir)
	return nil
}

func runDropIn(f *Factory, o *initOptions) error {
	dir, err := absDir(f, ".")
	if err != nil {
		return err
	}
	source, err := resolveSource(f, o.source)
	if err != nil {
		return err
	}
	res, err := generators.DropIn(generators.DropInOptions{
		Dir: dir, Module: o.module, Version: Version, Source: source, Force: o.force,
	})
	if err != nil {
		return err
	}
	style := styleFor(f)
	fmt.Fprintf(f.IO.Out, "%s Detected %s (%s); added %s\n", style.Green("✓"), res.Framework.Name, res.Evidence, strings.Join(res.Files, ", "))
	if err := finishInit(f, o, filepath.Join(dir, "infra"), source); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "\nNext:\n  sst deploy   # builds the site and deploys it with sst.%s\n", res.Framework.Construct)
	return nil
}

// finishInit says which checkout the app builds against and resolves its
// dependencies.
func finishInit(f *Factory, o *initOptions, dir, source string) error {
	if source != "" {
		fmt.Fprintf(f.IO.Out, "  using the local sst checkout at %s\n", source)
	}
	if o.noInstall {
		return nil
	}
	fmt.Fprintln(f.IO.ErrOut, "Running go mod tidy…")
	return generators.Tidy(dir, source, f.Environ())
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

// resolveSource finds the local checkout of this module for a replace
// directive; an explicit --sst-source that is not one is an error.
func resolveSource(f *Factory, flag string) (string, error) {
	wd, _ := f.Getwd()
	exe := f.Executable
	if exe == "" {
		exe, _ = os.Executable()
	}
	src := generators.FindSource(flag, f.Getenv(EnvSource), wd, exe)
	if flag != "" && src == "" {
		return "", fmt.Errorf("--sst-source %s: no go.mod of module %s there", flag, generators.ModulePath)
	}
	return src, nil
}
