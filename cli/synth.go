package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/progress"
)

type synthOptions struct {
	force bool
}

func newSynthCmd(f *Factory, g *Globals) *cobra.Command {
	o := &synthOptions{}
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Synthesize the app into Terraform JSON for a stage",
		Long: `Runs the app command from cdktf.json and writes each stack's Terraform JSON
to .sst/out/<stage>/stacks/<Stack>/cdk.tf.json. The output also deploys with
plain terraform. Each site runs its build command unless nothing in the
project changed since its last build; --force rebuilds every site.`,
		Example: `  sst synth --stage prod
  sst synth --force                         # rebuild every site`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(f, g, cmd, o, runSynth)
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "rebuild every site even when nothing changed since its last build")
	return cmd
}

func runSynth(ctx context.Context, s *session, o *synthOptions) error {
	s.rebuild = o.force
	res, err := s.synth(ctx)
	if err != nil {
		return err
	}
	m := res.Manifest
	out := s.f.IO.Out
	fmt.Fprintf(out, "%s Synthesized %d stack(s) of app %s, stage %s in %s\n",
		s.style.Green("✓"), len(m.Stacks), s.style.Bold(m.App), s.style.Bold(s.stage), progress.FormatDuration(res.Duration))
	width := 0
	for _, st := range m.Stacks {
		width = max(width, len(st.Name))
	}
	for _, st := range m.Stacks {
		dir := filepath.Join(res.OutDir, filepath.FromSlash(st.Dir))
		if rel, err := filepath.Rel(s.project.Dir, dir); err == nil {
			dir = rel
		}
		fmt.Fprintf(out, "  %-*s  %s\n", width, st.Name, dir)
	}
	return nil
}
