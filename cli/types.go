package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/generators"
)

type typesOptions struct {
	goOut, tsOut string
	lang         []string
	// gen is what the flags ask of the generator.
	gen generators.TypesOptions
}

func newTypesCmd(f *Factory, g *Globals) *cobra.Command {
	o := &typesOptions{}
	cmd := &cobra.Command{
		Use:   "types",
		Short: "Generate typed accessors for the app's bound resources",
		Long: `Synthesizes the app, then writes typed access to every resource bound to its
functions: a Go package (resource/resource.go: resource.Table.Notes.TableName())
built on github.com/sst-tf/sst/runtime, and for Node handlers sst-env.d.ts
(process.env names, the Resources type) plus sst-resource.ts (a Resource
object). A handler using a resource that is no longer bound, or was renamed,
then fails to compile. Run it again whenever bindings change, and commit the
output: handlers that import it need it to build.`,
		Example: `  sst types
  sst types --lang ts --ts-out web/src`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.gen = generators.TypesOptions{GoDir: o.goOut, TSDir: o.tsOut}
			if cmd.Flags().Changed("lang") {
				on, off := true, false
				o.gen.Go, o.gen.TS = &off, &off
				for _, l := range o.lang {
					switch l {
					case "go":
						o.gen.Go = &on
					case "ts":
						o.gen.TS = &on
					default:
						return fmt.Errorf("--lang %q: use go, ts or both (go,ts)", l)
					}
				}
			}
			return runCmd(f, g, cmd, o, runTypes)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.goOut, "go-out", "resource", "directory of the generated Go package, relative to the project; the package is named after it")
	fl.StringVar(&o.tsOut, "ts-out", ".", "directory of sst-env.d.ts and sst-resource.ts, relative to the project")
	fl.StringSliceVar(&o.lang, "lang", nil, "languages to generate, go and/or ts (default: those of the app's functions)")
	return cmd
}

func runTypes(ctx context.Context, s *session, o *typesOptions) error {
	res, err := s.synth(ctx)
	if err != nil {
		return err
	}
	gen := o.gen
	gen.ProjectDir = s.project.Dir
	files, err := generators.WriteTypes(res.Manifest, gen)
	if err != nil {
		return err
	}
	n := len(generators.Resources(res.Manifest))
	for _, file := range files {
		fmt.Fprintf(s.f.IO.Out, "%s Wrote %s (%d bound resource(s))\n", s.style.Green("✓"), file, n)
	}
	return nil
}
