package tf

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// testdata/plan.json is `terraform show -json` (terraform 1.11.4) of a real
// plan over terraform_data resources after changing a variable and a
// sensitive variable ("s1" → "s2"): one update with a sensitive, an unknown
// and a nested changed attribute, one create, one delete and one replace.
func TestParsePlan(t *testing.T) {
	b, err := os.ReadFile("testdata/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := ParsePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, d.Address+" "+d.Action)
		for _, a := range d.Attrs {
			got = append(got, fmt.Sprintf("  %s: %q -> %q", a.Path, a.Old, a.New))
		}
	}
	want := []string{
		`terraform_data.fresh[0] create`,
		`  id: "" -> "(known after apply)"`,
		`  input.id: "" -> "\"x\""`,
		`  input.when: "" -> "(known after apply)"`,
		`  output: "" -> "(known after apply)"`,
		`terraform_data.gone[0] delete`,
		`  id: "\"` + idOf(t, b, "terraform_data.gone[0]") + `\"" -> ""`,
		`  input: "\"bye\"" -> ""`,
		`  output: "\"bye\"" -> ""`,
		`terraform_data.site update`,
		`  input.name: "\"old\"" -> "\"new\""`,
		`  input.tags.env: "\"old\"" -> "\"new\""`,
		`  input.token: "(sensitive value)" -> "(sensitive value)"`,
		`  output: "{…}" -> "(known after apply)"`,
		`terraform_data.swap replace`,
		`  id: "\"` + idOf(t, b, "terraform_data.swap") + `\"" -> "(known after apply)"`,
		`  output: "\"same\"" -> "(known after apply)"`,
		`  triggers_replace[0]: "\"old\"" -> "\"new\""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(strings.Join(got, "\n"), "s1") || strings.Contains(strings.Join(got, "\n"), "s2") {
		t.Error("a sensitive value was rendered")
	}
}

func TestParsePlanBadJSON(t *testing.T) {
	if _, err := ParsePlan([]byte("{")); err == nil || !strings.Contains(err.Error(), "terraform's JSON plan") {
		t.Errorf("err = %v", err)
	}
}

// idOf is the id a resource had before the plan: terraform_data ids are
// random.
func idOf(t *testing.T, b []byte, addr string) string {
	var p struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Before struct {
					ID string `json:"id"`
				} `json:"before"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	for _, rc := range p.ResourceChanges {
		if rc.Address == addr {
			return rc.Change.Before.ID
		}
	}
	t.Fatalf("no %s in the plan", addr)
	return ""
}
