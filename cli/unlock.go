package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/locks"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/manifest"
)

type unlockOptions struct {
	yes bool
	// stack and id name one lock to release; empty: find the stage's.
	stack, id string
}

func newUnlockCmd(f *Factory, g *Globals) *cobra.Command {
	o := &unlockOptions{}
	cmd := &cobra.Command{
		Use:   "unlock [<stack> <lock-id>]",
		Short: "Release state locks left behind by a deploy that died",
		Long: `Without arguments, finds the state locks of every stack of the stage — a local
.lock.info record, a DynamoDB lock item or an S3 .tflock file — shows who
holds each, and releases them after confirmation (--yes skips it). With a
stack and the lock ID printed by the command that found the lock, releases
just that one. Use it only when no deploy of the stage is running anywhere.`,
		Example: `  sst unlock --stage dev                    # show the stage's locks, release after confirming
  sst unlock API 1c7f3a52-…                 # the stack and lock ID a lock error printed`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 && len(args) != 2 {
				return errors.New(`pass nothing (find the stage's locks) or the stack and the lock ID printed by the failed command: sst unlock <stack> <lock-id>`)
			}
			if len(args) == 2 {
				o.stack, o.id = args[0], args[1]
			}
			return runCmd(f, g, cmd, o, runUnlock)
		},
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "release without asking for confirmation")
	return cmd
}

func runUnlock(ctx context.Context, s *session, o *unlockOptions) error {
	// Held so that no deploy from this checkout starts meanwhile, and
	// refused while one runs: its lock is not stale.
	if err := s.lockStage(); err != nil {
		return err
	}
	if o.stack != "" {
		return unlockOne(ctx, s, o.stack, o.id)
	}
	return unlockStage(ctx, s, o)
}

func unlockOne(ctx context.Context, s *session, stack, id string) error {
	m, err := s.manifest(ctx)
	if err != nil {
		return err
	}
	stacks, err := selectStacks(m, []string{stack})
	if err != nil {
		return err
	}
	if err := s.forceUnlock(ctx, m, stacks[0], id); err != nil {
		return err
	}
	fmt.Fprintf(s.f.IO.Out, "%s Released lock %s of stack %s, stage %s\n", s.style.Green("✓"), id, stacks[0].Name, s.stage)
	return nil
}

func (s *session) forceUnlock(ctx context.Context, m *manifest.Manifest, st *manifest.Stack, id string) error {
	t, err := s.stack(m, st, &progress.LockedWriter{W: s.f.IO.ErrOut}, nil).open(ctx)
	if err != nil {
		return err
	}
	return t.ForceUnlock(ctx, id)
}

func unlockStage(ctx context.Context, s *session, o *unlockOptions) error {
	f := s.f
	if !o.yes && !f.IO.IsTTY {
		return fmt.Errorf("refusing to release locks of stage %q without confirmation: not running in a terminal, pass --yes", s.stage)
	}
	m, err := s.manifest(ctx)
	if err != nil {
		return err
	}
	cfg, err := s.awsConfig(ctx, m)
	if err != nil {
		return err
	}
	var found []*locks.Lock
	for i := range m.Stacks {
		st := &m.Stacks[i]
		l, err := locks.Find(ctx, cfg, locks.Stack{
			Name:      st.Name,
			Dir:       s.stack(m, st, nil, nil).dir,
			Workspace: s.workspace(st),
		})
		if err != nil {
			return err
		}
		if l != nil {
			found = append(found, l)
		}
	}
	if len(found) == 0 {
		fmt.Fprintf(f.IO.Out, "No state locks held on stage %s of app %s.\n", s.stage, m.App)
		return nil
	}
	var stale []*locks.Lock
	for _, l := range found {
		fmt.Fprintf(f.IO.Out, "  %s\n", l.Describe())
		if l.Releasable() {
			stale = append(stale, l)
		}
	}
	if len(stale) < len(found) {
		fmt.Fprintf(f.IO.ErrOut, "%s a terraform process still holds a local lock: it is running, not stale; wait for it or stop it (kill -INT <pid>)\n", s.style.Yellow("warning:"))
	}
	if len(stale) == 0 {
		return fmt.Errorf("no releasable locks on stage %q: every lock is held by a running process", s.stage)
	}
	if !o.yes {
		ok, err := confirm(f, fmt.Sprintf("Release %d lock(s) of stage %q? Only do this when no deploy of the stage is running anywhere.", len(stale), s.stage))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("cancelled, no lock was released")
		}
	}
	for _, l := range stale {
		if l.File != "" {
			// Local: the lock died with its process; only the record is left.
			err = l.RemoveRecord()
		} else {
			st, _ := m.Stack(l.Stack)
			err = s.forceUnlock(ctx, m, st, l.Info.ID)
		}
		if err != nil {
			return fmt.Errorf("release lock of stack %s: %w", l.Stack, err)
		}
		fmt.Fprintf(f.IO.Out, "%s Released lock %s of stack %s, stage %s\n", s.style.Green("✓"), l.Info.ID, l.Stack, s.stage)
	}
	return nil
}
