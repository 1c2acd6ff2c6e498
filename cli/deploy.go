package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/plandir"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// defaultParallel bounds concurrent stacks: each terraform run starts a
// provider process of several hundred MB.
const defaultParallel = 4

type deployOptions struct {
	// connection migrates RDS databases directly instead of through the
	// Data API (needed on an emulator).
	connection string
	force      bool
	refresh    bool
	adopt      bool
	all        bool
	// plan is the reviewed-plan directory to apply (--plan);
	// allowReplace lets it destroy or replace resources holding data.
	plan         string
	allowReplace bool
	parallel     int
	stacks       []string
}

func newDeployCmd(f *Factory, g *Globals) *cobra.Command {
	o := &deployOptions{}
	cmd := &cobra.Command{
		Use:   "deploy [stack...]",
		Short: "Deploy the app (or some of its stacks) to a stage",
		Long: `Synthesizes the app and applies each stack with terraform, in dependency
order, independent stacks in parallel. A stack whose Terraform JSON and
function artifacts are unchanged since its last successful deploy of the stage
is skipped without asking AWS; --refresh applies it anyway, which puts back
what was changed or deleted outside Terraform (drift; ` + "`sst diff --refresh`" + ` shows it),
and --force applies it anyway too. A create that fails because AWS already
has the resource under the name this stage gives it (a deploy killed before
it saved the state) is recovered by adopting it: import blocks for exactly
those resources, shown in the plan, applied with --adopt or after
confirmation at a terminal. A site whose project tree is unchanged
since its last build reuses that build; --force rebuilds it too. The app
itself runs only when something its last synthesis of the stage read changed
(its Go packages, go.mod/go.sum, cdktf.json, handlers, migrations, site
trees, SST_* and the region, profile and endpoint); --force runs it anyway.
All outputs
are written to .sst/outputs/<stage>.json; the app's own (AddOutputs) are
printed, --all prints those constructs add for sst itself too.

--plan DIR applies the plans ` + "`sst diff --out DIR`" + ` saved, exactly, and nothing
else. Before any stack is applied, the whole plan is refused (naming each
stack and what to do) when the stage, app, region, endpoint or backend
differ from the plan's, when a stack's synthesized Terraform JSON, function
artifacts or site files differ from those it was made from, when a stack's
state changed since (another deploy ran), or when it destroys or replaces
a resource holding data (a table, bucket, database, user pool, stream or
queue) and --allow-replace is not given.`,
		Example: `  sst deploy --stage prod
  sst deploy --endpoint http://127.0.0.1:5000      # to moto_server (then remembered by the stage)
  sst deploy API --force                           # one stack, even if unchanged
  sst deploy --refresh                             # also put back what was changed in AWS by hand
  sst deploy --adopt                               # import what a deploy that died left in AWS, shown in the plan
  sst deploy --plan plan --stage prod              # apply the plans ` + "`sst diff --out plan`" + ` saved, exactly
  sst deploy --connection postgres://u:pw@localhost/app   # RDS migrations straight to a database (needed on an emulator)
  SST_PROVIDER_MIRROR=/opt/tf-plugins sst deploy   # providers from a local mirror`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stacks = args
			if err := checkParallel(o.parallel); err != nil {
				return err
			}
			if err := checkPlanFlags(o); err != nil {
				return err
			}
			return runCmd(f, g, cmd, o, runDeploy)
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "run the app, rebuild every site and deploy every stack even when unchanged")
	cmd.Flags().BoolVar(&o.refresh, "refresh", false, "check unchanged stacks against AWS and fix what was changed or deleted outside Terraform")
	cmd.Flags().BoolVar(&o.adopt, "adopt", false, "adopt resources that already exist in AWS under the names this stage gives them (left by a deploy that died) into the state instead of failing")
	cmd.Flags().IntVar(&o.parallel, "parallel", defaultParallel, "how many stacks to deploy at once")
	cmd.Flags().StringVar(&o.connection, "connection", "", "apply RDS migrations through this database URL instead of the Data API (default: $"+EnvRDSConnection+"; required to migrate on an emulator)")
	cmd.Flags().StringVar(&o.plan, "plan", "", "apply exactly the plans `sst diff --out` saved in this directory, refusing them all if anything changed since")
	cmd.Flags().BoolVar(&o.allowReplace, "allow-replace", false, "with --plan: let the plan destroy or replace tables, buckets, databases, user pools, streams and queues (their data is lost)")
	cmd.Flags().BoolVar(&o.all, "all", false, "print every output, including those constructs add for sst itself (a site's bucket, an RDS cluster's ARNs)")
	return cmd
}

func runDeploy(ctx context.Context, s *session, o *deployOptions) error {
	start := time.Now()
	s.rebuild = o.force
	s.resynth = s.resynth || o.force
	s.connection = o.connection
	var reviewed *reviewedPlan
	if o.plan != "" {
		abs, err := absDir(s.f, o.plan)
		if err != nil {
			return err
		}
		p, err := plandir.Read(abs)
		if err != nil {
			return err
		}
		reviewed = &reviewedPlan{dir: o.plan, abs: abs, plan: p, stale: p.StaleDependents()}
	}
	m, stacks, err := s.synthStacks(ctx, o.stacks)
	if err != nil {
		return err
	}
	if reviewed != nil {
		if stacks, err = reviewed.planStacks(s, m); err != nil {
			return err
		}
	}
	prev, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		return err
	}
	hashes := deploy.Hashes{Dir: s.hashDir()}
	warnOrphans(s, m, hashes)

	f := s.f
	names := stackNames(stacks)
	pr := progress.New(f.IO.Out, f.IO.IsTTY, f.color(), names)
	raw := &progress.LockedWriter{W: f.IO.ErrOut}
	if reviewed != nil {
		if err := reviewed.check(ctx, s, m, stacks, raw, o.allowReplace); err != nil {
			return err
		}
	}
	fmt.Fprintf(f.IO.Out, "Deploying %d stack(s) of app %s to stage %s\n", len(stacks), s.style.Bold(m.App), s.style.Bold(s.stage))

	var mu sync.Mutex
	mode := adoptMode{yes: o.adopt, ask: askAtTerminal(f)}
	fresh := deploy.Outputs{}
	applied := map[string]bool{} // stacks applied in this run
	run := func(ctx context.Context, name string) (deploy.Status, error) {
		st, _ := m.Stack(name)
		r := s.stack(m, st, raw, pr.Printf)
		if err := r.ensureAuthKeys(ctx); err != nil {
			return deploy.Failed, err
		}
		hash, err := deploy.Hash(r.dir, st.Artifacts)
		if err != nil {
			return deploy.Failed, err
		}
		_, havePrev := prev[name]
		mu.Lock()
		// A reviewed plan is applied whatever the hash says.
		unchanged := reviewed == nil && canSkip(o.force, hash, hashes.Get(name), st.DependsOn, applied)
		mu.Unlock()
		if unchanged && havePrev && !o.refresh {
			pr.Printf("Stack %s: %s\n", s.style.Bold(name), skippedLine)
			// New migration files do not change the stack: still apply them.
			if err := r.afterApply(ctx, prev[name], false); err != nil {
				return deploy.Failed, err
			}
			return deploy.Unchanged, nil
		}
		t, err := r.open(ctx)
		if err != nil {
			return deploy.Failed, err
		}
		status := deploy.Done
		// A refresh that found nothing leaves the sites as they are.
		sites := true
		switch {
		case unchanged && !o.refresh:
			// The hash matches but the outputs file lost the stack (deleted
			// by hand): read outputs back instead of re-applying.
			pr.Printf("Stack %s: %s\n", s.style.Bold(name), skippedLine)
			status = deploy.Unchanged
		case unchanged:
			// apply refreshes state from AWS first, so it plans exactly
			// the drift, and puts it back.
			pr.Printf("Stack %s: no local changes, checking AWS for drift…\n", s.style.Bold(name))
			sum, err := r.apply(ctx, t, pr.Handler(name), mode)
			if err != nil {
				return deploy.Failed, err
			}
			s.heardApplied(name, sum)
			if len(sum.Drift) == 0 && sum.Add+sum.Change+sum.Remove == 0 {
				pr.Printf("Stack %s: %s in %s\n", s.style.Bold(name), s.style.Green("no drift"), progress.FormatDuration(sum.Duration))
				sites = false
			} else {
				pr.Printf("Stack %s: %s, %d drifted (%s) in %s\n", s.style.Bold(name), s.style.Green("drift fixed"), len(sum.Drift), changeCounts(sum), progress.FormatDuration(sum.Duration))
			}
		default:
			var sum *tf.Summary
			if reviewed != nil {
				if dep, ok := reviewed.stale[name]; ok {
					return deploy.Failed, fmt.Errorf("not applied: its plan read the outputs of %s before this deploy changed them; make and review a new plan (`sst diff --out %s --stage %s`: %s shows no changes then) and deploy that", dep, o.plan, s.stage, dep)
				}
				pr.Printf("Stack %s: applying the reviewed plan…\n", s.style.Bold(name))
				sum, err = t.ApplyPlan(ctx, reviewed.file(name), pr.Handler(name))
			} else {
				// A service's new task definition finds its image there.
				if err := r.pushImages(ctx, prev[name], true); err != nil {
					return deploy.Failed, err
				}
				pr.Printf("Stack %s: deploying…\n", s.style.Bold(name))
				sum, err = r.apply(ctx, t, pr.Handler(name), mode)
			}
			if err != nil {
				return deploy.Failed, err
			}
			s.heardApplied(name, sum)
			mu.Lock()
			err = s.recordTarget()
			mu.Unlock()
			if err != nil {
				return deploy.Failed, err
			}
			pr.Printf("Stack %s: %s (%s) in %s\n", s.style.Bold(name), s.style.Green("deployed"), changeCounts(sum), progress.FormatDuration(sum.Duration))
		}
		vals, err := r.outputs(ctx, t)
		if err != nil {
			return deploy.Failed, err
		}
		mu.Lock()
		fresh[name] = vals
		mu.Unlock()
		if err := r.afterApply(ctx, vals, status == deploy.Done && sites); err != nil {
			return deploy.Failed, err
		}
		// Recorded last: a stack whose outputs could not be read deploys
		// again next time rather than being skipped with stale outputs.
		if status == deploy.Done {
			mu.Lock()
			applied[name] = true
			mu.Unlock()
			if err := hashes.Put(name, hash); err != nil {
				return deploy.Failed, fmt.Errorf("record deploy hash: %w", err)
			}
		}
		return status, nil
	}

	results, err := deploy.Schedule(ctx, stackNodes(stacks), o.parallel, false, run)
	if err != nil {
		return err
	}

	// Merge: stacks deployed now replace their entries; the others
	// (skipped, failed, not selected) keep what the last deploy recorded.
	all := deploy.Outputs{}
	for _, st := range m.Stacks {
		if v, ok := fresh[st.Name]; ok {
			all[st.Name] = v
		} else if v, ok := prev[st.Name]; ok {
			all[st.Name] = v
		}
	}
	if err := all.Write(s.outputsPath()); err != nil {
		return fmt.Errorf("write outputs: %w", err)
	}

	fmt.Fprintln(f.IO.Out)
	failed := printSummary(s, results, "deployed")
	if failed == 0 {
		fmt.Fprintln(f.IO.Out)
		shown := appOutputs(all, m, o.all)
		printOutputs(f.IO.Out, s.style, shown, names)
		printHidden(f.IO.Out, all, shown)
	}
	fmt.Fprintln(f.IO.Out)
	if failed > 0 {
		printFailures(s, results)
		if ctx.Err() != nil {
			return fmt.Errorf("deploy of stage %q interrupted (after %s): terraform finished what it had started and saved the state; run `sst deploy --stage %s` again to continue", s.stage, progress.FormatDuration(time.Since(start)), s.stage)
		}
		return fmt.Errorf("deploy of stage %q failed: %d of %d stack(s) failed (after %s)", s.stage, failed, len(results), progress.FormatDuration(time.Since(start)))
	}
	fmt.Fprintf(f.IO.Out, "%s Deployed stage %s in %s\n", s.style.Green("✓"), s.style.Bold(s.stage), progress.FormatDuration(time.Since(start)))
	return nil
}

// heardApplied passes a stack's applied changes to s.applied.
func (s *session) heardApplied(stack string, sum *tf.Summary) {
	if s.applied != nil && sum != nil {
		s.applied(stack, sum.Changes)
	}
}

// skippedLine says what a skip by deploy hash checked, and what it did not:
// AWS is not asked, so something deleted there by hand stays deleted.
const skippedLine = "unchanged, skipped (no local changes since the last deploy; AWS not checked: `sst diff --refresh` shows drift, `sst deploy --refresh` fixes it, --force redeploys)"

// checkPlanFlags refuses flags that would make a deploy of a reviewed
// plan apply something else than the plan, or --allow-replace without one.
func checkPlanFlags(o *deployOptions) error {
	if o.plan == "" {
		if o.allowReplace {
			return fmt.Errorf("--allow-replace is for --plan: a deploy without a reviewed plan applies what it plans")
		}
		return nil
	}
	switch {
	case len(o.stacks) > 0:
		return fmt.Errorf("--plan applies every stack of the plan: to deploy fewer, save a plan of those (`sst diff --out DIR %s`)", strings.Join(o.stacks, " "))
	case o.force:
		return fmt.Errorf("--plan applies the plan as reviewed: --force cannot be combined with it")
	case o.refresh:
		return fmt.Errorf("--plan applies the plan as reviewed: --refresh cannot be combined with it (the plan's refresh is part of it)")
	case o.adopt:
		return fmt.Errorf("--plan applies the plan as reviewed: --adopt cannot be combined with it (adopting is `sst import`, shown in its own plan)")
	}
	return nil
}

// checkParallel refuses a --parallel that would quietly mean something else.
func checkParallel(n int) error {
	if n < 1 {
		return fmt.Errorf("--parallel %d: must be at least 1 (stacks deployed at once)", n)
	}
	return nil
}

// warnOrphans points out stacks deployed earlier that the app no longer
// defines: their resources still exist, and nothing will touch them.
func warnOrphans(s *session, m *manifest.Manifest, hashes deploy.Hashes) {
	entries, err := os.ReadDir(hashes.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sha256")
		if !ok {
			continue
		}
		if _, ok := m.Stack(name); !ok {
			fmt.Fprintf(s.f.IO.ErrOut, "%s stack %s was deployed to stage %s but is no longer in the app; its resources still exist in AWS\n", s.style.Yellow("warning:"), name, s.stage)
		}
	}
}

func changeCounts(sum *tf.Summary) string {
	if sum == nil {
		return "no changes"
	}
	if sum.Add+sum.Change+sum.Remove == 0 {
		return "no changes"
	}
	return fmt.Sprintf("%d added, %d changed, %d destroyed", sum.Add, sum.Change, sum.Remove)
}

// printSummary prints one line per stack and returns how many failed.
func printSummary(s *session, results []deploy.Result, doneWord string) int {
	w := s.f.IO.Out
	width := 0
	for _, r := range results {
		width = max(width, len(r.Name))
	}
	failed := 0
	for _, r := range results {
		name := fmt.Sprintf("%-*s", width, r.Name)
		switch r.Status {
		case deploy.Done:
			fmt.Fprintf(w, "  %s %s  %s  %s\n", s.style.Green("✓"), name, doneWord, s.style.Dim(progress.FormatDuration(r.Duration)))
		case deploy.Unchanged:
			fmt.Fprintf(w, "  %s %s  skipped, unchanged\n", s.style.Dim("–"), name)
		case deploy.Blocked:
			why := "not started"
			if r.BlockedBy != "" {
				why = fmt.Sprintf("skipped: waits for %s, which failed", r.BlockedBy)
			} else if r.Err != nil {
				why = "skipped: " + r.Err.Error()
			}
			fmt.Fprintf(w, "  %s %s  %s\n", s.style.Yellow("–"), name, why)
		case deploy.Failed:
			failed++
			fmt.Fprintf(w, "  %s %s  %s\n", s.style.Red("✗"), name, s.style.Red("failed"))
		}
	}
	return failed
}

// printFailures explains each failed stack: the resource and message from
// terraform's diagnostics, not its logs.
func printFailures(s *session, results []deploy.Result) {
	w := s.f.IO.ErrOut
	for _, r := range results {
		if r.Status != deploy.Failed {
			continue
		}
		fmt.Fprintf(w, "%s %s\n", s.style.Red("✗ Stack "+r.Name+":"), describeError(r.Err))
	}
}

// describeError renders driver errors for people: diagnostics with their
// resource, or a lock's holder and how to release it.
func describeError(err error) string {
	if errors.Is(err, context.Canceled) {
		// terraform's own "context canceled"/"execution halted" lines say
		// nothing to a person who pressed Ctrl-C.
		return "interrupted: terraform stopped gracefully, the state holds everything it created"
	}
	var lock *tf.LockError
	if errors.As(err, &lock) {
		return lock.Error()
	}
	var te *tf.Error
	if errors.As(err, &te) && len(te.Diagnostics) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "terraform %s failed", te.Op)
		for _, d := range te.Diagnostics {
			if d.Severity == "warning" {
				continue // printed live; the failure is what matters here
			}
			b.WriteString("\n    ")
			b.WriteString(formatDiagnostic(d))
		}
		if te.Hint != "" {
			b.WriteString("\n    " + te.Hint)
		} else if host := unreachable(te.Diagnostics); host != "" {
			fmt.Fprintf(&b, "\n    AWS (%s) could not be reached. What was created before that is in the state; fix the connection (or the endpoint) and run the command again to continue from there", host)
		}
		return b.String()
	}
	return err.Error()
}

// dialError is the SDK's message when nothing answers at the endpoint.
var dialError = regexp.MustCompile(`dial tcp ([^:]+:\d+|[^ :]+): (connect: connection refused|lookup [^ ]+: no such host|i/o timeout)`)

// unreachable returns the address AWS calls failed to connect to, if
// that is why terraform failed: the provider's own message buries it at
// the end of a long line.
func unreachable(diags []tf.Diagnostic) string {
	for _, d := range diags {
		if m := dialError.FindStringSubmatch(d.Summary + " " + d.Detail); m != nil {
			return m[1]
		}
	}
	return ""
}

func stackNames(stacks []*manifest.Stack) []string {
	names := make([]string, len(stacks))
	for i, st := range stacks {
		names[i] = st.Name
	}
	return names
}

func stackNodes(stacks []*manifest.Stack) []deploy.Node {
	nodes := make([]deploy.Node, len(stacks))
	for i, st := range stacks {
		nodes[i] = deploy.Node{Name: st.Name, DependsOn: st.DependsOn}
	}
	return nodes
}

// formatDiagnostic prints a terraform diagnostic as "resource: summary:
// detail", the detail trimmed to its first lines: enough to act on, the
// full text is one --verbose away.
func formatDiagnostic(d tf.Diagnostic) string {
	var b strings.Builder
	if d.Address != "" {
		b.WriteString(d.Address + ": ")
	}
	b.WriteString(d.Summary)
	if detail := strings.TrimSpace(d.Detail); detail != "" {
		lines := strings.Split(detail, "\n")
		if len(lines) > 6 {
			lines = append(lines[:6], "…")
		}
		b.WriteString(": " + strings.Join(lines, "\n      "))
	}
	return b.String()
}

// canSkip decides whether a stack's apply can be skipped: not forced, the
// same deploy hash as its last successful deploy, and no dependency applied
// in this run — a dependency's new outputs reach this stack through
// terraform_remote_state, so the same JSON can still apply differently.
func canSkip(force bool, hash, recorded string, dependsOn []string, applied map[string]bool) bool {
	if force || recorded == "" || hash != recorded {
		return false
	}
	for _, d := range dependsOn {
		if applied[d] {
			return false
		}
	}
	return true
}
