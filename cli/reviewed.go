package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/plandir"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// This file is the reviewed-plan workflow's part of the stack runner:
// `sst diff --out` saves each stack's plan with what it was made from,
// `sst deploy --plan` checks all of it before it applies any.

// savePlan plans the stack into the plan directory (terraform's saved plan
// and a copy of the cdk.tf.json it was made from) and returns the plan's
// record with the summary and changes diff prints.
func (r *stackRunner) savePlan(ctx context.Context, t *tf.Terraform, dir string) (*plandir.Stack, *tf.Summary, []tf.ResourceDiff, error) {
	stackDir := plandir.StackDir(dir, r.st.Name)
	if err := os.MkdirAll(stackDir, 0o700); err != nil {
		return nil, nil, nil, err
	}
	now, err := r.planInputs()
	if err != nil {
		return nil, nil, nil, err
	}
	rel := func(name string) string { return filepath.ToSlash(filepath.Join("stacks", r.st.Name, name)) }
	rec := &plandir.Stack{
		Name: r.st.Name, Workspace: r.s.workspace(r.st), DependsOn: r.st.DependsOn,
		Plan: rel("tfplan"), Config: rel(deploy.StackFile),
		DeployHash: now.DeployHash, Artifacts: now.Artifacts,
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rec.Config)), now.Config, 0o600); err != nil {
		return nil, nil, nil, err
	}
	file := filepath.Join(dir, filepath.FromSlash(rec.Plan))
	sum, show, err := t.SavePlan(ctx, file, nil)
	if err != nil {
		return nil, sum, nil, err
	}
	if err := os.Chmod(file, 0o600); err != nil {
		return nil, nil, nil, err
	}
	diffs, err := tf.ParsePlan(show)
	if err != nil {
		return nil, nil, nil, err
	}
	if rec.ChangedOutputs, err = tf.ChangedOutputs(show); err != nil {
		return nil, nil, nil, err
	}
	if rec.State, err = tf.SavedPlanState(file); err != nil {
		return nil, nil, nil, err
	}
	rec.Changes, rec.Counts = plandir.Changes(diffs, r.st.Retained)
	rec.Drift = sum.Drift
	for _, c := range r.sites() {
		rec.Sites = append(rec.Sites, plandir.Site{Construct: c.ID, Type: c.Type, Upload: now.Sites[c.ID], Files: now.siteFiles[c.ID]})
	}
	return rec, sum, diffs, nil
}

// planNow is what the plan of the stack is checked against before it is
// applied: planInputs, and the state version in the backend now.
func (r *stackRunner) planNow(ctx context.Context) (plandir.Now, error) {
	now, err := r.planInputs()
	if err != nil {
		return plandir.Now{}, err
	}
	t, err := r.open(ctx)
	if err != nil {
		return plandir.Now{}, err
	}
	state, err := t.StatePull(ctx)
	if err != nil {
		return plandir.Now{}, err
	}
	now.State, err = tf.ParseStateRef(state)
	return now.Now, err
}

// planInputs is everything local a plan of the stack is made from.
type planInputs struct {
	plandir.Now
	siteFiles map[string]int
}

func (r *stackRunner) planInputs() (planInputs, error) {
	var in planInputs
	var err error
	if in.Config, err = os.ReadFile(filepath.Join(r.dir, deploy.StackFile)); err != nil {
		return in, err
	}
	if in.DeployHash, err = deploy.Hash(r.dir, r.st.Artifacts); err != nil {
		return in, err
	}
	in.Artifacts = map[string]string{}
	for _, a := range r.st.Artifacts {
		if in.Artifacts[a], err = fileDigest(filepath.Join(r.dir, filepath.FromSlash(a))); err != nil {
			return in, fmt.Errorf("hash artifact: %w", err)
		}
	}
	in.Sites, in.siteFiles = map[string]string{}, map[string]int{}
	for _, c := range r.sites() {
		sum, n, err := siteDigest(r.dir, c.Data[manifest.SiteAssets])
		if err != nil {
			return in, fmt.Errorf("%s %s: %w", c.Type, c.ID, err)
		}
		in.Sites[c.ID], in.siteFiles[c.ID] = sum, n
	}
	return in, nil
}

// sites are the stack's sites with files to upload.
func (r *stackRunner) sites() []manifest.Construct {
	var out []manifest.Construct
	for _, c := range r.st.Constructs {
		if slices.Contains(manifest.SiteTypes, c.Type) && c.Data[manifest.SiteAssets] != "" {
			out = append(out, c)
		}
	}
	return out
}

// siteDigest is the SHA-256 of a site's upload plan and of every file it
// uploads, framed by name and length: what a deploy puts in the bucket,
// apart from the values of placeholders, which are the stack's outputs.
func siteDigest(stackDir, uploadPlan string) (string, int, error) {
	path := filepath.Join(stackDir, filepath.FromSlash(uploadPlan))
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, err
	}
	var plan manifest.SiteUpload
	if err := json.Unmarshal(b, &plan); err != nil {
		return "", 0, fmt.Errorf("upload plan %s: %w", uploadPlan, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "plan\x00%d\x00", len(b))
	h.Write(b)
	for _, f := range plan.Files {
		if err := deploy.Frame(h, f.Key, filepath.Join(stackDir, filepath.FromSlash(f.Source))); err != nil {
			return "", 0, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), len(plan.Files), nil
}

func fileDigest(path string) (string, error) {
	h := sha256.New()
	if err := deploy.Frame(h, "", path); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// reviewedPlan is `sst deploy --plan DIR`: the plan read, and checked
// against the app, the stage and every stack's state before any stack is
// applied.
type reviewedPlan struct {
	// dir is the directory as given (for messages), abs the same made
	// absolute against the command's working directory (for files:
	// terraform runs in each stack's directory).
	dir, abs string
	plan     *plandir.Plan
	// stale maps a stack to the dependency whose changed outputs it was
	// planned without.
	stale map[string]string
}

// file is the saved plan of a stack.
func (p *reviewedPlan) file(stack string) string {
	st, _ := p.plan.Stack(stack)
	return filepath.Join(p.abs, filepath.FromSlash(st.Plan))
}

// check refuses the whole plan, naming each stack and what to do, when
// anything it was made from changed: nothing is applied then.
func (p *reviewedPlan) check(ctx context.Context, s *session, m *manifest.Manifest, stacks []*manifest.Stack, raw *progress.LockedWriter, allowReplace bool) error {
	refuse := func(reasons []string) error {
		return fmt.Errorf("refusing to deploy the plan in %s to stage %s, nothing was applied:\n  %s", p.dir, s.stage, strings.Join(reasons, "\n  "))
	}
	if err := p.plan.CheckTarget(plandir.Target{App: m.App, Stage: s.stage, Region: m.Region, Endpoint: m.Endpoint, Engine: s.planEngine(), Backend: m.Backend}); err != nil {
		return refuse([]string{err.Error()})
	}
	remake := fmt.Sprintf("make and review a new plan (`sst diff --out %s --stage %s`)", p.dir, s.stage)
	var reasons []string
	for _, st := range stacks {
		ps, _ := p.plan.Stack(st.Name)
		now, err := s.stack(m, st, raw, nil).planNow(ctx)
		if err != nil {
			return fmt.Errorf("stack %s: %w", st.Name, err)
		}
		reviewed, err := os.ReadFile(filepath.Join(p.abs, filepath.FromSlash(ps.Config)))
		if err != nil {
			return err
		}
		for _, why := range ps.Refusals(now, reviewed, allowReplace, remake) {
			reasons = append(reasons, "stack "+st.Name+": "+why)
		}
	}
	if len(reasons) > 0 {
		return refuse(reasons)
	}
	return nil
}

// planStacks are the app's stacks the plan holds, in the app's order; a
// stack of the plan the app no longer has refuses the plan.
func (p *reviewedPlan) planStacks(s *session, m *manifest.Manifest) ([]*manifest.Stack, error) {
	var names, gone []string
	for _, st := range p.plan.Stacks {
		if _, ok := m.Stack(st.Name); ok {
			names = append(names, st.Name)
		} else {
			gone = append(gone, st.Name)
		}
	}
	if len(gone) > 0 {
		return nil, fmt.Errorf("refusing to deploy the plan in %s to stage %s, nothing was applied: stack(s) %s of the plan are no longer in the app: make and review a new plan (`sst diff --out %s --stage %s`)", p.dir, s.stage, strings.Join(gone, ", "), p.dir, s.stage)
	}
	for _, st := range m.Stacks {
		if _, ok := p.plan.Stack(st.Name); !ok {
			fmt.Fprintf(s.f.IO.ErrOut, "%s stack %s is not in the plan: not deployed\n", s.style.Yellow("note:"), st.Name)
		}
	}
	return selectStacks(m, names)
}
