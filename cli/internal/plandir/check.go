package plandir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// Target is what a deploy would apply the plan to: the project and stage
// it runs for, as synthesized now.
type Target struct {
	App, Stage, Region, Endpoint string
	// Engine is "tofu", or "" for terraform (as Plan.Engine).
	Engine  string
	Backend manifest.Backend
}

// CheckTarget refuses a plan made for another app, stage, region,
// endpoint or backend: its saved plans describe another state.
func (p *Plan) CheckTarget(t Target) error {
	switch {
	case p.Stage != t.Stage:
		return fmt.Errorf("the plan was made for stage %q, not %q: deploy it with --stage %s, or make a plan for stage %s with `sst diff --out DIR --stage %s`", p.Stage, t.Stage, p.Stage, t.Stage, t.Stage)
	case p.App != t.App:
		return fmt.Errorf("the plan was made for app %q, and this project is app %q: deploy it from the project it was made in", p.App, t.App)
	case p.Region != t.Region:
		return fmt.Errorf("the plan was made for region %s, and stage %s now deploys to %s: deploy with --region %s, or make a new plan", p.Region, t.Stage, t.Region, p.Region)
	case p.Endpoint != t.Endpoint:
		return fmt.Errorf("the plan was made for endpoint %q, and stage %s now deploys to %q: deploy with the same --endpoint, or make a new plan", p.Endpoint, t.Stage, t.Endpoint)
	case p.Engine != t.Engine:
		// Saved plans are each engine's own format.
		return fmt.Errorf("the plan was made with %s, and this deploy runs %s: deploy it with --engine %s, or make a new plan", engineName(p.Engine), engineName(t.Engine), engineName(p.Engine))
	}
	a, _ := json.Marshal(p.Backend)
	b, _ := json.Marshal(t.Backend)
	if !bytes.Equal(a, b) {
		return fmt.Errorf("the plan was made for the state in %s, and stage %s now keeps it in %s (the backend changed): make a new plan with `sst diff --out DIR --stage %s`", p.Backend.Describe(), t.Stage, t.Backend.Describe(), t.Stage)
	}
	return nil
}

// Now is a stack as it is when the plan is about to be applied.
type Now struct {
	// Config is the stack's cdk.tf.json, DeployHash its deploy hash and
	// Artifacts the SHA-256 of each function artifact.
	Config     []byte
	DeployHash string
	Artifacts  map[string]string
	// Sites maps each site's construct id to its upload plan's SHA-256.
	Sites map[string]string
	// State is the state version in the backend now.
	State tf.StateRef
}

// Refusals are the reasons the stack's plan must not be applied to now,
// each saying what to do; none means it may. reviewed is the cdk.tf.json
// the plan was made from (its copy in the plan directory).
func (s Stack) Refusals(now Now, reviewed []byte, allowReplace bool, remake string) []string {
	var out []string
	if now.DeployHash != s.DeployHash {
		var what []string
		if !bytes.Equal(now.Config, reviewed) {
			what = append(what, "its Terraform JSON (cdk.tf.json) differs from the one the plan was made from (the copy in the plan directory)")
		}
		for _, name := range changedKeys(s.Artifacts, now.Artifacts) {
			what = append(what, "function artifact "+name+" differs from the planned one")
		}
		if len(what) == 0 {
			what = append(what, "what it deploys differs from what the plan was made from")
		}
		out = append(out, strings.Join(what, "; ")+": deploy from the commit the plan was made from, or "+remake)
	}
	planned := map[string]string{}
	for _, site := range s.Sites {
		planned[site.Construct] = site.Upload
	}
	for _, id := range changedKeys(planned, now.Sites) {
		out = append(out, "site "+id+": its files differ from the build the plan was made with (the deploy uploads site files after the apply, and only the reviewed build): deploy from the commit the plan was made from, or "+remake)
	}
	if now.State != s.State {
		out = append(out, fmt.Sprintf("the state changed since the plan was made (planned against %s, now %s): another deploy or import ran in between; %s", s.State, now.State, remake))
	}
	if !allowReplace {
		for _, c := range s.Guarded() {
			out = append(out, fmt.Sprintf("the plan would %s %s (%s lost): pass --allow-replace if that is intended", verb(c.Action), c.Address, Loses(c.Type)))
		}
	}
	return out
}

// changedKeys are the keys whose values differ between a and b, or that
// only one has, sorted.
func changedKeys(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func verb(action string) string {
	if action == "delete" {
		return "destroy"
	}
	return action
}

// StaleDependents maps each stack of the plan to a stack it depends on
// whose plan changes outputs: its own plan read that stack's outputs
// before the change, so it must be planned again after that stack is
// applied.
func (p *Plan) StaleDependents() map[string]string {
	out := map[string]string{}
	for _, st := range p.Stacks {
		for _, d := range st.DependsOn {
			if dep, ok := p.Stack(d); ok && len(dep.ChangedOutputs) > 0 {
				out[st.Name] = d
				break
			}
		}
	}
	return out
}

func engineName(e string) string {
	if e == "" {
		return "terraform"
	}
	return e
}
