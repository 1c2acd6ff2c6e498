package tf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestSavedPlan walks a saved plan through what sst diff --out and
// sst deploy --plan do, with terraform_data (no provider: about a second a
// run): the plan records the state version it was made from, applies, and
// a second plan made before another apply is refused as stale with the
// hint, changing nothing. OpenTofu goes through the same steps: its saved
// plans, show -json and stale-plan error must read the same.
func TestSavedPlan(t *testing.T) {
	t.Run("terraform", func(t *testing.T) { testSavedPlan(t, "") })
	t.Run("tofu", func(t *testing.T) { testSavedPlan(t, testenv.Tofu(t)) })
}

func testSavedPlan(t *testing.T, bin string) {
	dir := t.TempDir()
	config := func(v string) {
		writeJSON(t, filepath.Join(dir, "cdk.tf.json"), map[string]any{
			"resource": map[string]any{"terraform_data": map[string]any{"a": map[string]any{"input": v}}},
			"output":   map[string]any{"a": map[string]any{"value": "${terraform_data.a.output}"}, "fixed": map[string]any{"value": "same"}},
		})
	}
	config("one")
	x, err := New(Options{Dir: dir, Env: env, Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Init(ctx(t)); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "first.tfplan")
	sum, show, err := x.SavePlan(ctx(t), first, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Add != 1 {
		t.Errorf("plan = %+v", sum)
	}
	ref, err := SavedPlanState(first)
	if err != nil || ref != (StateRef{}) || ref.String() != "no state" {
		t.Errorf("state of a plan made without state = %+v (%q), %v", ref, ref, err)
	}
	if got, err := ChangedOutputs(show); err != nil || !reflect.DeepEqual(got, []string{"a", "fixed"}) {
		t.Errorf("changed outputs of the first plan = %v, %v", got, err)
	}
	if _, err := x.ApplyPlan(ctx(t), first, nil); err != nil {
		t.Fatal(err)
	}
	// A plan of what was just applied has nothing to do. (Checked here,
	// not on TestLifecycle's SSM parameter: Plan's summary is the
	// wrapper's, and that plan cost three AWS provider instances.)
	if sum, err := x.Plan(ctx(t), nil); err != nil {
		t.Fatal(err)
	} else if sum.Add+sum.Change+sum.Remove != 0 || len(sum.Changes) != 0 {
		t.Errorf("plan after apply = %+v, want no changes", sum)
	}
	state, err := x.StatePull(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	now, err := ParseStateRef(state)
	if err != nil || now.Lineage == "" || now.Serial == 0 {
		t.Fatalf("state after apply = %+v, %v", now, err)
	}

	// Two plans of the same state; the first applied, the second is stale.
	config("two")
	a, b := filepath.Join(dir, "a.tfplan"), filepath.Join(dir, "b.tfplan")
	_, show, err = x.SavePlan(ctx(t), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ChangedOutputs(show); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("changed outputs of an update = %v, want [a]", got)
	}
	if _, _, err := x.SavePlan(ctx(t), b, nil); err != nil {
		t.Fatal(err)
	}
	if ref, err := SavedPlanState(a); err != nil || ref != now {
		t.Errorf("plan state = %+v, %v; want %+v", ref, err, now)
	}
	if _, err := x.ApplyPlan(ctx(t), a, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := x.StatePull(ctx(t))
	_, err = x.ApplyPlan(ctx(t), b, nil)
	var te *Error
	if !errors.As(err, &te) || !strings.Contains(te.Hint, "sst diff --out") || !strings.Contains(err.Error(), "Saved plan is stale") {
		t.Fatalf("applying a stale plan: %v", err)
	}
	if after, _ := x.StatePull(ctx(t)); string(after) != string(before) {
		t.Error("a refused stale plan changed the state")
	}

	if _, err := SavedPlanState(filepath.Join(dir, "cdk.tf.json")); err == nil {
		t.Error("a JSON file read as a saved plan")
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.zip"), []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SavedPlanState(filepath.Join(dir, "empty.zip")); err == nil || !strings.Contains(err.Error(), "not a terraform plan file") {
		t.Errorf("a zip without state: %v", err)
	}
}
