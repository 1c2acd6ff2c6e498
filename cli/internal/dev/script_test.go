package dev

import (
	"strings"
	"testing"

	"github.com/sst-tf/sst/manifest"
)

// TestScriptRuns: the phases a deploy's changes of Scripts' invocations
// trigger, with the payload the dispatcher would pass; deletes apart (they
// run on the handlers from before the deploy).
func TestScriptRuns(t *testing.T) {
	m := &manifest.Manifest{Stacks: []manifest.Stack{{Name: "Data", Constructs: []manifest.Construct{
		{ID: "Seed", Type: "Script", Data: map[string]string{manifest.ScriptInvocation: "aws_lambda_invocation.Seed", manifest.ScriptParams: `{"rows":2}`,
			manifest.ScriptCreateFunction: "Seed_onCreate", manifest.ScriptDeleteFunction: "Seed_onDelete"}},
		{ID: "Once", Type: "Script", Data: map[string]string{manifest.ScriptInvocation: "aws_lambda_invocation.Once", manifest.ScriptCreateFunction: "Once_onCreate"}},
	}}}}
	changes := []Applied{
		{Stack: "Data", Address: "aws_lambda_function.Seed_dispatcher", Action: "update"},
		{Stack: "Data", Address: "aws_lambda_invocation.Seed", Action: "replace"},
		{Stack: "Data", Address: "aws_lambda_invocation.Once", Action: "update"},  // no OnUpdate: nothing runs
		{Stack: "Other", Address: "aws_lambda_invocation.Seed", Action: "create"}, // another stack's
	}
	runs, err := ScriptRuns(m, changes, false)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if r := runs[0]; r.Label() != "script Seed create" || r.Function != "Seed_onCreate" || string(r.Payload) != `{"params":{"rows":2},"phase":"create"}` {
		t.Errorf("run %+v %s", r, r.Payload)
	}
	runs, err = ScriptRuns(m, changes, true)
	if err != nil || len(runs) != 1 || runs[0].Label() != "script Seed delete" || runs[0].Function != "Seed_onDelete" {
		t.Errorf("delete runs %+v, %v", runs, err)
	}
	runs, _ = ScriptRuns(m, []Applied{{Stack: "Data", Address: "aws_lambda_invocation.Once", Action: "create"}}, false)
	if len(runs) != 1 || string(runs[0].Payload) != `{"params":{},"phase":"create"}` {
		t.Errorf("a Script without params: %+v", runs)
	}
	m.Stacks[0].Constructs[0].Data[manifest.ScriptParams] = `{rows}`
	if _, err := ScriptRuns(m, changes, false); err == nil || !strings.Contains(err.Error(), "script Seed: manifest") {
		t.Errorf("bad params: %v", err)
	}
}
