package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/manifest"
)

func newUnlockCmd(f *Factory, g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "unlock <stack> <lock-id>",
		Short: "Release a stack's state lock left behind by a deploy that died",
		Long: `Force-unlocks the Terraform state of one stack of the stage. Use it only when no
deploy is running: the lock ID is printed by the command that found the lock.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return errors.New(`pass the stack and the lock ID printed by the failed command: sst unlock <stack> <lock-id>`)
			}
			s, err := load(f, g)
			if err != nil {
				return err
			}
			// The last synthesis is what holds the lock; re-running the app
			// is only needed when there is none.
			m, err := manifest.Read(s.outDir())
			if err != nil {
				res, serr := s.synth(cmd.Context())
				if serr != nil {
					return serr
				}
				m = res.Manifest
			}
			stacks, err := selectStacks(m, args[:1])
			if err != nil {
				return err
			}
			bin, err := s.terraformBinary()
			if err != nil {
				return err
			}
			env, err := s.terraformEnv()
			if err != nil {
				return err
			}
			st := stacks[0]
			ctx := cmd.Context()
			t, err := s.openStack(ctx, bin, env, st, &lockedWriter{w: f.IO.ErrOut})
			if err != nil {
				return err
			}
			if err := t.ForceUnlock(ctx, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "%s Released lock %s of stack %s, stage %s\n", s.style.Green("✓"), args[1], st.Name, s.stage)
			return nil
		},
	}
}
