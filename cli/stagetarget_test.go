package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/stagetarget"
)

// A stage deployed to an emulator keeps its endpoint: later commands use
// the recorded one and say so, and a different one is refused before the
// app runs. (The deploy that writes the record is TestDeployE2E.)
func TestStageRemembersItsEndpoint(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), miniApp+`env | grep -E '^SST_(ENDPOINT|REGION)=' | sort > "$SST_PROJECT_DIR/env.txt"`)
	if err := stagetarget.Write(dir, "dev", stagetarget.Target{Endpoint: "http://127.0.0.1:5000", Region: "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, dir)
	h.mustRun("synth", "--stage", "dev")
	if b, _ := os.ReadFile(filepath.Join(dir, "env.txt")); string(b) != "SST_ENDPOINT=http://127.0.0.1:5000\nSST_REGION=eu-west-1\n" {
		t.Errorf("the app saw %q, want the recorded endpoint and region", b)
	}
	if !strings.Contains(h.err.String(), "Using endpoint http://127.0.0.1:5000 (recorded for stage dev in .sst/stages/dev.json by its first deploy)") {
		t.Errorf("the recorded endpoint is not announced:\n%s", h.err.String())
	}

	os.Remove(filepath.Join(dir, "ran"))
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"deploy", "--stage", "dev", "--endpoint", "http://127.0.0.1:4566"}, "--endpoint is http://127.0.0.1:4566, but stage \"dev\" was deployed to endpoint http://127.0.0.1:5000"},
		{[]string{"SST_ENDPOINT=http://localhost:4566"}, []string{"diff", "--stage", "dev"}, "$SST_ENDPOINT is http://localhost:4566, but stage"},
		{nil, []string{"deploy", "--stage", "dev", "--region", "us-east-2"}, "--region is us-east-2, but stage \"dev\" was deployed to region eu-west-1"},
	} {
		h := newHarness(t, dir, c.env...)
		h.mustFail(c.want, c.args...)
		if !strings.Contains(h.err.String(), "delete .sst/stages/dev.json") {
			t.Errorf("the error does not say how to forget the record:\n%s", h.err.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("the app ran despite a conflicting endpoint")
	}
}

func TestRegionCheckedBeforeSynth(t *testing.T) {
	dir := miniProject(t)
	h := newHarness(t, dir)
	h.mustFail(`--region "us-eats-1" is not an AWS region: did you mean "us-east-1"?`, "synth", "--stage", "dev", "--region", "us-eats-1")
	h = newHarness(t, dir, "SST_REGION=euwest1")
	h.mustFail(`$SST_REGION "euwest1" is not an AWS region: did you mean "eu-west-1"?`, "deploy", "--stage", "dev")
	h = newHarness(t, dir)
	h.mustFail(`--endpoint: invalid endpoint "http://127.0.0.1:5000/moto?x=1": only http(s)://host[:port] is allowed, without a path, query or user; try "http://127.0.0.1:5000"`, "deploy", "--stage", "dev", "--endpoint", "http://127.0.0.1:5000/moto?x=1")
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("the app ran despite a bad region or endpoint")
	}
}

// A stack whose plan fails has unknown changes: the diff's total must not
// read "0 to add, 0 to change, 0 to destroy", and the command fails. Real
// terraform plans a stack with no provider (so nothing is downloaded)
// whose output refers to a resource that does not exist.
func TestDiffNeverCountsAFailedPlanAsZero(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform not on PATH")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), miniApp+`echo '{"output":{"x":{"value":"${aws_s3_bucket.missing.id}"}}}' > "$SST_OUT_DIR/stacks/Api/cdk.tf.json"`)
	h := newHarness(t, dir)
	if code := h.run("diff", "--stage", "dev"); code != 1 {
		t.Fatalf("diff with a failing plan: exit %d\n%s\n%s", code, h.out.String(), h.err.String())
	}
	out := h.out.String()
	if strings.Contains(out, "0 to add") || !strings.Contains(out, "Total: unknown: the plan failed for every stack (1)") {
		t.Errorf("diff total after a failed plan:\n%s", out)
	}
	if !strings.Contains(h.err.String(), `diff of stage "dev": 1 of 1 stack(s) could not be planned`) {
		t.Errorf("stderr:\n%s", h.err.String())
	}
}

func TestDiffTotal(t *testing.T) {
	for _, c := range []struct {
		failed, stacks int
		want           string
	}{
		{0, 2, "Total: 1 to add, 2 to change, 3 to destroy"},
		{1, 2, "Total: unknown: the plan failed for 1 of 2 stack(s); the others: 1 to add, 2 to change, 3 to destroy"},
		{2, 2, "Total: unknown: the plan failed for every stack (2)"},
	} {
		if got := diffTotal(1, 2, 3, c.failed, c.stacks); got != c.want {
			t.Errorf("diffTotal(failed %d of %d) = %q, want %q", c.failed, c.stacks, got, c.want)
		}
	}
}
