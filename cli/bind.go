package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/stageenv"
	"github.com/sst-tf/sst/manifest"
)

type bindOptions struct {
	function string
	// args is the command to run.
	args []string
}

func newBindCmd(f *Factory, g *Globals) *cobra.Command {
	o := &bindOptions{}
	cmd := &cobra.Command{
		Use:   "bind [--function ID] -- <command> [args...]",
		Short: "Run a command with the app's bindings (a script, a test, a REPL)",
		Long: `Runs a command with the environment variables bindings give functions
(SST_Table_tableName_Notes, SST_Secret_value_…, …) as deployed to the stage,
plus SST_APP, SST_STAGE and the region, so scripts and tests that use the
runtime package reach the stage's resources. With --function, exactly that
function's deployed environment; without, the bindings of every function.`,
		Example: `  sst bind -- go test ./...                 # tests against the deployed table, queue, …
  sst bind --function Api_GET_notes -- node  # a REPL with exactly that function's environment`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			return runCmd(f, g, cmd, o, runBind)
		},
	}
	cmd.Flags().StringVar(&o.function, "function", "", "use exactly this function's environment (ids as in the manifest, e.g. Api_GET_notes)")
	return cmd
}

func runBind(ctx context.Context, s *session, o *bindOptions) error {
	m, err := deployedManifest(s)
	if err != nil {
		return err
	}
	fns := map[string]manifest.Function{}
	var ids []string
	for _, st := range m.Stacks {
		for _, fn := range st.Functions {
			fns[fn.ID] = fn
			ids = append(ids, fn.ID)
		}
	}
	sort.Strings(ids)
	if o.function != "" {
		fn, ok := fns[o.function]
		if !ok {
			return fmt.Errorf("--function %s: no such function in app %s; functions are %s", o.function, m.App, strings.Join(ids, ", "))
		}
		fns = map[string]manifest.Function{o.function: fn}
	}
	cfg, err := s.awsConfig(ctx, m)
	if err != nil {
		return err
	}
	warn := func(msg string) { fmt.Fprintf(s.f.IO.ErrOut, "%s %s\n", s.style.Yellow("warning:"), msg) }
	deployed := stageenv.Deployed(ctx, cfg, fns, warn)
	env := map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(deployed)) {
		for k, v := range deployed[id] {
			// Without --function only bindings are shared: one
			// function's own settings are not every script's.
			if o.function != "" || strings.HasPrefix(k, "SST_") {
				env[k] = v
			}
		}
	}
	addStageEnv(s, m, env)
	if err := localize(s, env); err != nil {
		return err
	}
	return runWithEnv(ctx, s, "", o.args, env)
}
