package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/stagetarget"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

type removeOptions struct {
	yes      bool
	parallel int
	stacks   []string
}

func newRemoveCmd(f *Factory, g *Globals) *cobra.Command {
	o := &removeOptions{}
	cmd := &cobra.Command{
		Use:   "remove [stack...]",
		Short: "Destroy a stage (or some of its stacks)",
		Long: `Destroys every resource of the stage, dependents before what they depend on.
Resources the app marks as retained are dropped from Terraform state and kept
in AWS. Asks for confirmation unless --yes is given.`,
		Example: `  sst remove --stage pr-123 --yes           # in CI, no terminal to confirm on
  sst remove Web                            # one stack (and nothing that depends on it)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stacks = args
			if err := checkParallel(o.parallel); err != nil {
				return err
			}
			return runCmd(f, g, cmd, o, runRemove)
		},
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().IntVar(&o.parallel, "parallel", defaultParallel, "how many stacks to destroy at once")
	return cmd
}

func runRemove(ctx context.Context, s *session, o *removeOptions) error {
	f := s.f
	// Refuse before synthesizing: in CI a missing --yes should fail in a
	// second, not after the app has built.
	if !o.yes && !f.IO.IsTTY {
		return fmt.Errorf("refusing to remove stage %q without confirmation: not running in a terminal, pass --yes", s.stage)
	}
	start := time.Now()
	s.mode = manifest.ModeRemove
	_, statErr := os.Stat(s.outDir())
	hadOut := statErr == nil
	m, stacks, err := s.synthStacks(ctx, o.stacks)
	if err != nil {
		return err
	}
	// Every stack's workspace is looked up before anything is asked or
	// destroyed: a mistyped stage must not get a destructive prompt, nor
	// leave an empty workspace behind (selecting one creates it).
	raw := &progress.LockedWriter{W: f.IO.ErrOut}
	opened, others, err := openDeployed(ctx, s, m, stacks, raw)
	if err != nil {
		return err
	}
	if len(opened) == 0 {
		if !hadOut {
			// The synthesis was only for this check; leave no trace of a typo.
			_ = os.RemoveAll(s.outDir())
			_ = os.Remove(filepath.Dir(s.outDir())) // only if empty
		}
		return noStateError(s, m, stacks, others)
	}
	var missing []*manifest.Stack
	for _, st := range stacks {
		if opened[st.Name] == nil {
			missing = append(missing, st)
		}
	}
	if len(missing) > 0 {
		for _, st := range missing {
			fmt.Fprintf(f.IO.ErrOut, "Stack %s: no state for stage %s (workspace %s), nothing to remove\n", s.style.Bold(st.Name), s.stage, s.workspace(st))
		}
		stacks = slices.DeleteFunc(stacks, func(st *manifest.Stack) bool { return opened[st.Name] == nil })
	}
	if !o.yes {
		what := fmt.Sprintf("Remove stage %q of app %q? This destroys all its resources.", s.stage, m.App)
		if len(o.stacks) > 0 {
			what = fmt.Sprintf("Remove stacks %v of stage %q of app %q? This destroys all their resources.", stackNames(stacks), s.stage, m.App)
		}
		ok, err := confirm(f, what)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("cancelled, nothing was removed")
		}
	}
	hashes := deploy.Hashes{Dir: s.hashDir()}
	pr := progress.New(f.IO.Out, f.IO.IsTTY, f.color(), stackNames(stacks))
	fmt.Fprintf(f.IO.Out, "Removing %d stack(s) of app %s, stage %s\n", len(stacks), s.style.Bold(m.App), s.style.Bold(s.stage))

	run := func(ctx context.Context, name string) (deploy.Status, error) {
		st, _ := m.Stack(name)
		r := s.stack(m, st, raw, pr.Printf)
		t := opened[name]
		// Retained resources leave state first, so destroy cannot touch
		// them: the data (tables, buckets) outlives the stage by design.
		if len(st.Retained) > 0 {
			inState, err := t.StateList(ctx)
			if err != nil {
				return deploy.Failed, err
			}
			have := map[string]bool{}
			for _, a := range inState {
				have[a] = true
			}
			var keep []string
			for _, a := range st.Retained {
				if have[a] {
					keep = append(keep, a)
				}
			}
			if len(keep) > 0 {
				// terraform 1.11 `state rm` writes its backup under
				// ./terraform.tfstate.d/<workspace>/ even when the local
				// backend's workspace_dir points elsewhere, and fails when
				// that directory is missing. Creating it is harmless for
				// every backend. (Better: tf.StateRm passing -backup=<abs>.)
				wsDir := filepath.Join(t.Dir(), "terraform.tfstate.d", s.workspace(st))
				if err := os.MkdirAll(wsDir, 0o755); err != nil {
					return deploy.Failed, err
				}
				if err := t.StateRm(ctx, keep...); err != nil {
					return deploy.Failed, err
				}
				for _, a := range keep {
					pr.Printf("Stack %s: %s kept in AWS (retained), no longer managed by this stage\n", s.style.Bold(name), a)
				}
			}
		}
		pr.Printf("Stack %s: destroying…\n", s.style.Bold(name))
		sum, err := t.Destroy(ctx, pr.Handler(name))
		if err != nil {
			return deploy.Failed, err
		}
		// The stack is gone: its next deploy must run even if nothing changed.
		if err := hashes.Delete(name); err != nil {
			return deploy.Failed, err
		}
		if err := r.forgetSites(); err != nil {
			return deploy.Failed, err
		}
		if err := r.forgetImages(); err != nil {
			return deploy.Failed, err
		}
		if err := r.removeAuthKeys(ctx); err != nil {
			return deploy.Failed, err
		}
		removed := 0
		if sum != nil {
			removed = sum.Remove
		}
		pr.Printf("Stack %s: %s (%d destroyed)\n", s.style.Bold(name), s.style.Green("removed"), removed)
		return deploy.Done, nil
	}

	results, err := deploy.Schedule(ctx, stackNodes(stacks), o.parallel, true, run)
	if err != nil {
		return err
	}
	if err := forgetRemoved(s, results); err != nil {
		return err
	}
	fmt.Fprintln(f.IO.Out)
	failed := printSummary(s, results, "removed")
	fmt.Fprintln(f.IO.Out)
	if failed > 0 {
		printFailures(s, results)
		return fmt.Errorf("remove of stage %q failed: %d of %d stack(s) failed (after %s)", s.stage, failed, len(results), progress.FormatDuration(time.Since(start)))
	}
	fmt.Fprintf(f.IO.Out, "%s Removed stage %s in %s\n", s.style.Green("✓"), s.style.Bold(s.stage), progress.FormatDuration(time.Since(start)))
	return nil
}

// openDeployed opens the stacks whose stage workspace exists, keyed by
// name; the others are left out, and nothing is created for them. The
// workspaces found, other than the stage's, are the other stages.
func openDeployed(ctx context.Context, s *session, m *manifest.Manifest, stacks []*manifest.Stack, raw *progress.LockedWriter) (map[string]*tf.Terraform, []string, error) {
	opened := map[string]*tf.Terraform{}
	others := map[string]bool{}
	for _, st := range stacks {
		r := s.stack(m, st, raw, nil)
		t, have, err := r.openExisting(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("stack %s: %w", st.Name, err)
		}
		if t != nil {
			opened[st.Name] = t
		}
		for _, w := range have {
			others[w] = w != "default" && w != s.workspace(st)
		}
	}
	var names []string
	for w, ok := range others {
		if ok {
			names = append(names, w)
		}
	}
	slices.Sort(names)
	return opened, names, nil
}

// noStateError says that none of the stacks has state for the stage, and
// where that was looked up, so a typo in --stage is seen at once.
func noStateError(s *session, m *manifest.Manifest, stacks []*manifest.Stack, others []string) error {
	var names []string
	for _, st := range stacks {
		if w := s.workspace(st); !slices.Contains(names, w) {
			names = append(names, w)
		}
	}
	msg := fmt.Sprintf("stage %q of app %q has no state here: no workspace %s in %s; nothing was removed", s.stage, m.App, strings.Join(names, ", "), m.Backend.Describe())
	if len(others) > 0 && m.Backend.Kind != "cloud" {
		// Outside HCP, workspaces are stage names: a typo is seen at once.
		msg += fmt.Sprintf(" (stages with state there: %s)", strings.Join(others, ", "))
	}
	return errors.New(msg)
}

// forgetRemoved drops removed stacks from the outputs file, deleting the
// file (and the stage's hash directory) when nothing is left.
func forgetRemoved(s *session, results []deploy.Result) error {
	outs, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Status == deploy.Done {
			delete(outs, r.Name)
		}
	}
	if len(outs) == 0 {
		if err := os.Remove(s.outputsPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		// Empty once every stack's hash is gone; Remove fails harmlessly
		// otherwise.
		_ = os.Remove(s.hashDir())
		_ = os.Remove(filepath.Dir(s.hashDir()))
		// The stage is gone: its next first deploy may go anywhere.
		return stagetarget.Forget(s.project.Dir, s.stage)
	}
	return outs.Write(s.outputsPath())
}
