package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/progress"
)

func newSynthCmd(f *Factory, g *Globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Synthesize the app into Terraform JSON for a stage",
		Long: `Runs the app command from cdktf.json and writes each stack's Terraform JSON
to .sst/out/<stage>/stacks/<Stack>/cdk.tf.json. The output also deploys with
plain terraform. Each site runs its build command unless nothing in the
project changed since its last build; --force rebuilds every site.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, release, err := loadLocked(f, g, cmd)
			if err != nil {
				return err
			}
			defer release()
			s.rebuild = force
			res, err := s.synth(cmd.Context())
			if err != nil {
				return err
			}
			m := res.Manifest
			fmt.Fprintf(f.IO.Out, "%s Synthesized %d stack(s) of app %s, stage %s in %s\n",
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
				fmt.Fprintf(f.IO.Out, "  %-*s  %s\n", width, st.Name, dir)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "rebuild every site even when nothing changed since its last build")
	return cmd
}
