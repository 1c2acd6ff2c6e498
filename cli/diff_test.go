package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
)

// TestFormatChangesShowsAttributes renders the real plan in
// internal/tf/testdata (terraform_data resources: an update with a nested,
// a sensitive and an unknown attribute, a create, a delete, a replace).
func TestFormatChangesShowsAttributes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("internal", "tf", "testdata", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	detail, err := tf.ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	sum := &tf.Summary{Changes: []tf.Change{
		{Address: "terraform_data.fresh[0]", Action: "create"},
		{Address: "terraform_data.gone[0]", Action: "delete"},
		{Address: "terraform_data.site", Action: "update"},
		{Address: "terraform_data.swap", Action: "replace"},
	}}
	got := formatChanges(progress.Style{}, sum, detail, false)
	want := `    + terraform_data.fresh[0]
    - terraform_data.gone[0]
    ~ terraform_data.site
        input.name: "old" → "new"
        input.tags.env: "old" → "new"
        input.token: (sensitive value) → (sensitive value)
        output: {…} → (known after apply)
  -/+ terraform_data.swap
        id: "` + idIn(t, detail, "terraform_data.swap") + `" → (known after apply)
        output: "same" → (known after apply)
        triggers_replace[0]: "old" → "new"
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	verbose := formatChanges(progress.Style{}, sum, detail, true)
	for _, line := range []string{`        input.id = "x"`, `        input.when = (known after apply)`, `        input = "bye" (removed)`} {
		if !strings.Contains(verbose, line+"\n") {
			t.Errorf("-v lacks %q:\n%s", line, verbose)
		}
	}
	if strings.Contains(verbose, "s1") || strings.Contains(verbose, "s2") {
		t.Errorf("a sensitive value was shown:\n%s", verbose)
	}
}

func idIn(t *testing.T, detail []tf.ResourceDiff, addr string) string {
	for _, d := range detail {
		for _, a := range d.Attrs {
			if d.Address == addr && a.Path == "id" {
				return strings.Trim(a.Old, `"`)
			}
		}
	}
	t.Fatalf("no id of %s", addr)
	return ""
}
