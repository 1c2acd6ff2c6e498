package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/plandir"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

type diffOptions struct {
	// out is the reviewed-plan directory to write (--out).
	out      string
	force    bool
	refresh  bool
	parallel int
	stacks   []string
}

func newDiffCmd(f *Factory, g *Globals) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff [stack...]",
		Short: "Show what a deploy would change",
		Long: `Synthesizes the app and runs terraform plan for each stack, printing the
planned changes: + create, ~ update, - delete, -/+ replace. Nothing is changed.
Like deploy, it runs the app only when something its last synthesis read
changed, and it plans only stacks whose Terraform JSON or artifacts differ
from their last deploy (or whose dependencies do): the others are reported
as unchanged without asking AWS. --refresh plans them too, which shows what
was changed in AWS by hand (drift); --force also runs the app.

--out DIR saves the plans for review: every stack named (all by default)
is planned, and DIR receives each stack's saved terraform plan, the
cdk.tf.json it was made from, summary.md (per stack: creates, updates,
replaces, deletes and site files; changes that lose data and changes to
permissions called out) and plan.json (the same for machines, and what
` + "`sst deploy --plan DIR`" + ` checks before it applies exactly those plans).
The saved plans hold sensitive values, as terraform's do: keep DIR private.`,
		Example: `  sst diff --stage prod
  sst diff API Web                          # only these stacks
  sst diff --refresh                        # also plan unchanged stacks: shows drift
  sst diff --out plan --stage prod          # saved plans + plan/summary.md for review
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
	cmd.Flags().BoolVar(&o.refresh, "refresh", false, "plan every stack, also those unchanged since the last deploy, to show drift")
	cmd.Flags().BoolVar(&o.force, "force", false, "run the app and plan every stack even when nothing changed since the last synthesis and deploy")
	cmd.Flags().StringVar(&o.out, "out", "", "save the plans, what they were made from and a summary in this directory, for `sst deploy --plan`")
	return cmd
}

func runDiff(ctx context.Context, s *session, o *diffOptions) error {
	s.resynth = o.force
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
	details := map[string][]tf.ResourceDiff{}
	sites := map[string][]string{}
	nodes := stackNodes(stacks)
	for i := range nodes {
		nodes[i].DependsOn = nil
	}
	// A saved plan covers every stack named, changed or not: the deploy
	// of it applies exactly what was planned.
	unchanged, err := unchangedStacks(s, m, prev, o.force || o.refresh || o.out != "")
	if err != nil {
		return err
	}
	var saved *plandir.Plan
	var out string // o.out made absolute: terraform runs in each stack's directory
	if o.out != "" {
		if out, err = absDir(s.f, o.out); err != nil {
			return err
		}
		if err := plandir.Prepare(out); err != nil {
			return err
		}
		saved = &plandir.Plan{Version: plandir.Version, App: m.App, Stage: s.stage, Region: m.Region, Endpoint: m.Endpoint, Engine: s.planEngine(), Backend: m.Backend, Created: time.Now().UTC()}
	}
	records := map[string]*plandir.Stack{}
	results, err := deploy.Schedule(ctx, nodes, o.parallel, false, func(ctx context.Context, name string) (deploy.Status, error) {
		st, _ := m.Stack(name)
		r := s.stack(m, st, raw, nil)
		if unchanged[name] {
			// Site files are synced by the deploy whatever the hash.
			lines, err := r.diffSites(ctx, prev[name])
			if err != nil {
				return deploy.Failed, err
			}
			mu.Lock()
			sites[name] = lines
			mu.Unlock()
			return deploy.Unchanged, nil
		}
		t, err := r.open(ctx)
		if err != nil {
			return deploy.Failed, err
		}
		var sum *tf.Summary
		var detail []tf.ResourceDiff
		var rec *plandir.Stack
		if saved != nil {
			rec, sum, detail, err = r.savePlan(ctx, t, out)
		} else {
			sum, detail, err = t.PlanDetail(ctx, nil)
		}
		if err != nil {
			return deploy.Failed, err
		}
		// Site files are uploaded by the deploy, not Terraform: compare
		// the build with the bucket.
		lines, err := r.diffSites(ctx, prev[name])
		if err != nil {
			return deploy.Failed, err
		}
		if rec != nil {
			rec.SiteChanges = lines
		}
		mu.Lock()
		sums[name] = sum
		details[name] = detail
		sites[name] = lines
		records[name] = rec
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
		if unchanged[r.Name] {
			fmt.Fprintf(w, "%s %s\n", s.style.Bold("Stack "+r.Name+":"), unplannedLine)
			for _, l := range sites[r.Name] {
				fmt.Fprintln(w, "  "+l)
			}
			continue
		}
		sum := sums[r.Name]
		fmt.Fprintf(w, "%s %s\n", s.style.Bold("Stack "+r.Name+":"), planCounts(sum))
		fmt.Fprint(w, formatDrift(s.style, sum))
		fmt.Fprint(w, formatChanges(s.style, sum, details[r.Name], s.g.Verbose))
		for _, l := range sites[r.Name] {
			fmt.Fprintln(w, "  "+l)
		}
		add, change, remove = add+sum.Add, change+sum.Change, remove+sum.Remove
		drifted += len(sum.Drift)
	}
	fmt.Fprintln(w, "\n"+diffTotal(add, change, remove, failed, len(results)))
	if n := countTrue(unchanged, results); n > 0 {
		fmt.Fprintf(w, "%d of %d stack(s) unchanged since the last deploy, not planned (terraform not run for them; --refresh plans them)\n", n, len(results))
	}
	if drifted > 0 {
		// A plain deploy skips stacks without local changes, drift or not.
		fmt.Fprintf(w, "%s %d resource(s) changed or deleted outside Terraform: `sst deploy --refresh --stage %s` puts them back\n", s.style.Yellow("Drift:"), drifted, s.stage)
	}
	if failed > 0 {
		printFailures(s, results)
		if saved != nil {
			// Without plan.json the directory cannot be deployed.
			return fmt.Errorf("diff of stage %q: %d of %d stack(s) could not be planned; no plan written to %s", s.stage, failed, len(results), o.out)
		}
		return fmt.Errorf("diff of stage %q: %d of %d stack(s) could not be planned", s.stage, failed, len(results))
	}
	if saved != nil {
		for _, st := range stacks {
			saved.Stacks = append(saved.Stacks, *records[st.Name])
		}
		if err := plandir.Write(out, o.out, saved); err != nil {
			return fmt.Errorf("write the plan: %w", err)
		}
		fmt.Fprintf(w, "\nPlan saved in %s (review %s); apply exactly it with `sst deploy --plan %s --stage %s`", o.out, filepath.Join(o.out, plandir.SummaryFile), o.out, s.stage)
		var guarded int
		for _, st := range saved.Stacks {
			guarded += len(st.Guarded())
		}
		if guarded > 0 {
			fmt.Fprintf(w, " --allow-replace (%d resource(s) holding data would be destroyed or replaced)", guarded)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// unplannedLine is what diff says of a stack it did not plan.
const unplannedLine = "no changes: unchanged since the last deploy, not planned (no local changes; AWS not checked: `sst diff --refresh` plans it and shows drift)"

// unchangedStacks are the stacks diff need not plan: the same deploy hash
// as their last deploy, outputs recorded, and every stack they depend on
// (selected or not) unchanged too, as a dependency's new outputs would
// reach them through terraform_remote_state.
func unchangedStacks(s *session, m *manifest.Manifest, prev deploy.Outputs, force bool) (map[string]bool, error) {
	out := map[string]bool{}
	if force {
		return out, nil
	}
	hashes := deploy.Hashes{Dir: s.hashDir()}
	memo := map[string]*bool{}
	var same func(name string) (bool, error)
	same = func(name string) (bool, error) {
		if v, ok := memo[name]; ok {
			if v == nil {
				return false, nil // a cycle: terraform would refuse it anyway
			}
			return *v, nil
		}
		memo[name] = nil
		st, ok := m.Stack(name)
		result := false
		if ok {
			if _, have := prev[name]; have {
				hash, err := deploy.Hash(filepath.Join(s.outDir(), filepath.FromSlash(st.Dir)), st.Artifacts)
				if err != nil {
					return false, err
				}
				result = canSkip(false, hash, hashes.Get(name), nil, nil)
			}
			for _, d := range st.DependsOn {
				if !result {
					break
				}
				dep, err := same(d)
				if err != nil {
					return false, err
				}
				result = dep
			}
		}
		memo[name] = &result
		return result, nil
	}
	for _, st := range m.Stacks {
		ok, err := same(st.Name)
		if err != nil {
			return nil, err
		}
		out[st.Name] = ok
	}
	return out, nil
}

func countTrue(set map[string]bool, results []deploy.Result) int {
	n := 0
	for _, r := range results {
		if set[r.Name] {
			n++
		}
	}
	return n
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
// colored the way terraform colors them. Under each update and replace
// go the attributes that change (old → new); with verbose, a create's and
// a delete's attributes too. Sensitive values are masked and unknown ones
// read "(known after apply)" (package tf renders both).
func formatChanges(style progress.Style, sum *tf.Summary, detail []tf.ResourceDiff, verbose bool) string {
	attrs := map[string][]tf.AttrChange{}
	for _, d := range detail {
		attrs[d.Address] = d.Attrs
	}
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
		show := verbose || c.Action == "update" || c.Action == "replace"
		for _, a := range attrs[c.Address] {
			if !show {
				break
			}
			switch {
			case a.Old == "":
				fmt.Fprintf(&b, "        %s = %s\n", a.Path, a.New)
			case a.New == "":
				fmt.Fprintf(&b, "        %s = %s %s\n", a.Path, a.Old, style.Dim("(removed)"))
			default:
				fmt.Fprintf(&b, "        %s: %s → %s\n", a.Path, a.Old, a.New)
			}
		}
	}
	return b.String()
}
