package cli

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
)

type diffOptions struct {
	parallel int
	stacks   []string
}

func newDiffCmd(f *Factory, g *Globals) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff [stack...]",
		Short: "Show what a deploy would change",
		Long: `Synthesizes the app and runs terraform plan for each stack, printing the
planned changes: + create, ~ update, - delete, -/+ replace. Nothing is changed.`,
		Example: `  sst diff --stage prod
  sst diff API Web                          # only these stacks
  SST_PROVIDER_MIRROR=/opt/tf-plugins sst diff   # no registry.terraform.io access`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stacks = args
			if err := checkParallel(o.parallel); err != nil {
				return err
			}
			return runCmd(f, g, cmd, o, runDiff)
		},
	}
	cmd.Flags().IntVar(&o.parallel, "parallel", defaultParallel, "how many stacks to plan at once")
	return cmd
}

func runDiff(ctx context.Context, s *session, o *diffOptions) error {
	m, stacks, err := s.synthStacks(ctx, o.stacks)
	if err != nil {
		return err
	}
	raw := &progress.LockedWriter{W: s.f.IO.ErrOut}
	prev, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		return err
	}

	// Plans read state but change nothing, so they all run at once,
	// regardless of dependencies; output is printed per stack afterwards
	// so it does not interleave.
	var mu sync.Mutex
	sums := map[string]*tf.Summary{}
	sites := map[string][]string{}
	nodes := stackNodes(stacks)
	for i := range nodes {
		nodes[i].DependsOn = nil
	}
	results, err := deploy.Schedule(ctx, nodes, o.parallel, false, func(ctx context.Context, name string) (deploy.Status, error) {
		st, _ := m.Stack(name)
		r := s.stack(m, st, raw, nil)
		t, err := r.open(ctx)
		if err != nil {
			return deploy.Failed, err
		}
		sum, err := t.Plan(ctx, nil)
		if err != nil {
			return deploy.Failed, err
		}
		// Site files are uploaded by the deploy, not Terraform: compare
		// the build with the bucket.
		lines, err := r.diffSites(ctx, prev[name])
		if err != nil {
			return deploy.Failed, err
		}
		mu.Lock()
		sums[name] = sum
		sites[name] = lines
		mu.Unlock()
		return deploy.Done, nil
	})
	if err != nil {
		return err
	}

	w := s.f.IO.Out
	var add, change, remove, drifted, failed int
	for _, r := range results {
		if r.Status == deploy.Failed {
			failed++
			fmt.Fprintf(w, "%s %s\n", s.style.Bold("Stack "+r.Name+":"), s.style.Red("plan failed"))
			continue
		}
		sum := sums[r.Name]
		fmt.Fprintf(w, "%s %s\n", s.style.Bold("Stack "+r.Name+":"), planCounts(sum))
		fmt.Fprint(w, formatDrift(s.style, sum))
		fmt.Fprint(w, formatChanges(s.style, sum))
		for _, l := range sites[r.Name] {
			fmt.Fprintln(w, "  "+l)
		}
		add, change, remove = add+sum.Add, change+sum.Change, remove+sum.Remove
		drifted += len(sum.Drift)
	}
	fmt.Fprintln(w, "\n"+diffTotal(add, change, remove, failed, len(results)))
	if drifted > 0 {
		// A plain deploy skips stacks without local changes, drift or not.
		fmt.Fprintf(w, "%s %d resource(s) changed or deleted outside Terraform: `sst deploy --refresh --stage %s` puts them back\n", s.style.Yellow("Drift:"), drifted, s.stage)
	}
	if failed > 0 {
		printFailures(s, results)
		return fmt.Errorf("diff of stage %q: %d of %d stack(s) could not be planned", s.stage, failed, len(results))
	}
	return nil
}

// diffTotal is the last line of a diff. A stack whose plan failed has
// unknown changes, not zero: with any failure the total says so instead
// of a sum that reads as "nothing to do".
func diffTotal(add, change, remove, failed, stacks int) string {
	counts := fmt.Sprintf("%d to add, %d to change, %d to destroy", add, change, remove)
	switch {
	case failed == 0:
		return "Total: " + counts
	case failed == stacks:
		return fmt.Sprintf("Total: unknown: the plan failed for every stack (%d)", stacks)
	}
	return fmt.Sprintf("Total: unknown: the plan failed for %d of %d stack(s); the others: %s", failed, stacks, counts)
}

func planCounts(sum *tf.Summary) string {
	if sum.Add+sum.Change+sum.Remove == 0 && len(sum.Changes) == 0 {
		return "no changes"
	}
	return fmt.Sprintf("%d to add, %d to change, %d to destroy", sum.Add, sum.Change, sum.Remove)
}

// formatDrift lists what the refresh before the plan found changed or
// deleted outside Terraform, apart from the planned changes: those are what
// a deploy would do, drift is why some of them are planned at all.
func formatDrift(style progress.Style, sum *tf.Summary) string {
	if len(sum.Drift) == 0 {
		return ""
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "  %s\n", style.Yellow("Changed outside Terraform (drift):"))
	for _, c := range sum.Drift {
		fmt.Fprintf(&b, "    %s %s %s\n", style.Yellow("!"), c.Address, progress.PastTense(c.Action))
	}
	if len(sum.Changes) > 0 {
		fmt.Fprintf(&b, "  %s\n", "Planned:")
	}
	return b.String()
}

// formatChanges lists planned resource changes with terraform's symbols,
// colored the way terraform colors them.
func formatChanges(style progress.Style, sum *tf.Summary) string {
	var b bytes.Buffer
	for _, c := range sum.Changes {
		sym := progress.Symbol(c.Action)
		padded := fmt.Sprintf("%3s", sym) // pad before coloring: escapes have width
		switch sym {
		case "+":
			padded = style.Green(padded)
		case "~", "<=":
			padded = style.Yellow(padded)
		case "-", "-/+":
			padded = style.Red(padded)
		}
		fmt.Fprintf(&b, "  %s %s\n", padded, c.Address)
	}
	return b.String()
}
