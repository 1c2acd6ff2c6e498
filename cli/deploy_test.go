package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/plandir"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

func TestCanSkip(t *testing.T) {
	applied := map[string]bool{"Data": true}
	for _, tc := range []struct {
		name           string
		force          bool
		hash, recorded string
		deps           []string
		want           bool
	}{
		{"same hash", false, "a", "a", nil, true},
		{"never deployed", false, "a", "", nil, false},
		{"changed", false, "b", "a", nil, false},
		{"forced", true, "a", "a", nil, false},
		{"dependency applied now", false, "a", "a", []string{"Data"}, false},
		{"dependency skipped", false, "a", "a", []string{"Other"}, true},
	} {
		if got := canSkip(tc.force, tc.hash, tc.recorded, tc.deps, applied); got != tc.want {
			t.Errorf("%s: canSkip = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The provider's error for a vanished endpoint, as terraform reported it
// when the test's moto_server was killed mid-apply.
func TestDescribeUnreachableEndpoint(t *testing.T) {
	err := &tf.Error{Op: "apply", Diagnostics: []tf.Diagnostic{{
		Severity: "error", Address: "aws_sqs_queue.Jobs",
		Summary: "waiting for SQS Queue (http://127.0.0.1:5078/123456789012/k3-rel-Jobs) attributes create: operation error SQS: GetQueueAttributes, exceeded maximum number of attempts, 9, https response error StatusCode: 0, RequestID: , request send failed, Post \"http://127.0.0.1:5078/\": dial tcp 127.0.0.1:5078: connect: connection refused",
	}}}
	got := describeError(err)
	for _, want := range []string{"aws_sqs_queue.Jobs", "AWS (127.0.0.1:5078) could not be reached", "run the command again"} {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
	cancelled := &tf.Error{Op: "apply", Err: context.Canceled, Diagnostics: []tf.Diagnostic{{Severity: "error", Summary: "execution halted"}}}
	if got := describeError(cancelled); !strings.Contains(got, "interrupted") || strings.Contains(got, "execution halted") {
		t.Errorf("interrupted apply described as:\n%s", got)
	}
	other := &tf.Error{Op: "apply", Diagnostics: []tf.Diagnostic{{Severity: "error", Summary: "AccessDenied"}}}
	if got := describeError(other); strings.Contains(got, "could not be reached") {
		t.Errorf("hint on an unrelated error:\n%s", got)
	}
}

// TestDeployPlanRefusedBeforeTerraform: a plan for another stage, one
// naming a stack the app no longer has, and a missing plan are refused
// before any terraform runs, and nothing is written for the stage.
func TestDeployPlanRefusedBeforeTerraform(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), e2eApp)
	for name, body := range e2eStacks {
		writeFile(t, filepath.Join(dir, name+".json"), body)
	}
	plan := filepath.Join(dir, "plan")
	record := func(stage, stack string) {
		t.Helper()
		writeFile(t, filepath.Join(plan, "stacks", stack, "tfplan"), "x")
		writeFile(t, filepath.Join(plan, "stacks", stack, "cdk.tf.json"), "{}")
		p := &plandir.Plan{Version: plandir.Version, App: "e2e", Stage: stage, Region: "us-east-1", Backend: manifest.Backend{Kind: "local"},
			Stacks: []plandir.Stack{{Name: stack, Plan: "stacks/" + stack + "/tfplan", Config: "stacks/" + stack + "/cdk.tf.json"}}}
		if err := plandir.Write(plan, plan, p); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, dir, "SST_STAGE=e2e")
	h.mustFail("--plan "+plan+": no plan.json there: write a plan with `sst diff --out "+plan+"` first", "deploy", "--plan", plan)

	record("prod", "Data")
	h.mustFail(`refusing to deploy the plan in `+plan+` to stage e2e, nothing was applied:
  the plan was made for stage "prod", not "e2e": deploy it with --stage prod`, "deploy", "--plan", plan)

	record("e2e", "Gone")
	h.mustFail("stack(s) Gone of the plan are no longer in the app", "deploy", "--plan", plan)

	for _, p := range []string{".sst/state", ".sst/deploys", ".sst/outputs", ".sst/out/e2e/stacks/Data/.terraform"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("a refused plan left %s", p)
		}
	}
}
