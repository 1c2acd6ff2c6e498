package dev

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sst-tf/sst/manifest"
)

// Applied is one resource change a deploy made: a planned change of a
// stack whose apply succeeded. `sst dev` reads the Scripts' invocations
// among them to run their phases locally.
type Applied struct {
	Stack, Address string
	// Action is terraform's: create, update, delete or replace.
	Action string
}

// ScriptRun is a Script phase a deploy triggered, run by the local handler
// instead of the deployed dispatcher (which calls nothing in a dev stage).
type ScriptRun struct {
	Script, Phase string
	// Function is the phase's function id; Payload what the dispatcher
	// would pass it, {"params": …, "phase": …}.
	Function string
	Payload  []byte
}

// Label is how the terminal, the history and the console name the run.
func (r ScriptRun) Label() string { return "script " + r.Script + " " + r.Phase }

// phasesOf are the phases terraform's aws_lambda_invocation (lifecycle
// scope CRUD) runs for a change of it: a replacement destroys, then
// creates.
var phasesOf = map[string][]string{
	"create":  {"create"},
	"update":  {"update"},
	"delete":  {"delete"},
	"replace": {"delete", "create"},
}

var phaseFunction = map[string]string{
	"create": manifest.ScriptCreateFunction,
	"update": manifest.ScriptUpdateFunction,
	"delete": manifest.ScriptDeleteFunction,
}

// ScriptRuns lists the phases changes trigger, in the order terraform
// applied them: with deletes, only the delete phases (read from the
// manifest before the deploy, whose functions still run), else the
// others (read from the new one). A phase its Script has no function for
// runs nothing, as deployed.
func ScriptRuns(m *manifest.Manifest, changes []Applied, deletes bool) ([]ScriptRun, error) {
	var runs []ScriptRun
	for _, c := range changes {
		for _, phase := range phasesOf[c.Action] {
			if (phase == "delete") != deletes {
				continue
			}
			sc, ok := scriptOf(m, c.Stack, c.Address)
			if !ok {
				continue
			}
			fn := sc.Data[phaseFunction[phase]]
			if fn == "" {
				continue
			}
			params := json.RawMessage(sc.Data[manifest.ScriptParams])
			if len(params) == 0 {
				params = json.RawMessage("{}")
			}
			payload, err := json.Marshal(map[string]any{"params": params, "phase": phase})
			if err != nil {
				return nil, fmt.Errorf("script %s: manifest: its params are not JSON (synthesize the app again: sst deploy): %w", sc.ID, err)
			}
			runs = append(runs, ScriptRun{Script: sc.ID, Phase: phase, Function: fn, Payload: payload})
		}
	}
	return runs, nil
}

// scriptOf finds the Script whose invocation is address in stack.
func scriptOf(m *manifest.Manifest, stack, address string) (manifest.Construct, bool) {
	if m == nil {
		return manifest.Construct{}, false
	}
	st, ok := m.Stack(stack)
	if !ok {
		return manifest.Construct{}, false
	}
	for _, c := range st.Constructs {
		if c.Type == "Script" && c.Data[manifest.ScriptInvocation] == address {
			return c, true
		}
	}
	return manifest.Construct{}, false
}

// runScripts runs each phase on its local handler, one after the other as
// terraform would. A failing phase is reported; unlike a deploy, which a
// failing phase fails (and the next one retries), the dev deploy already
// recorded the invocation, so it runs again only when Version or Params
// change.
func (d *Server) runScripts(ctx context.Context, runs []ScriptRun) {
	for _, r := range runs {
		fmt.Fprintf(d.out, "%s %s\n", d.style.Bold(r.Label()+":"), r.Function+d.style.Dim(" runs here (the deployed dispatcher calls nothing while sst dev runs)"))
		res, err := d.Invoke(ctx, r.Function, r.Payload, r.Label())
		if ctx.Err() != nil {
			return
		}
		if err != nil || res.Err != nil {
			fmt.Fprintf(d.out, "%s %s failed (above): sst deploy would have failed; this dev deploy is done, so it runs again only when the Script's Version or Params change\n", d.style.Red("✗"), r.Label())
		}
	}
}
