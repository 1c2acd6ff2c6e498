package cli

import (
	"strings"
	"testing"

	"github.com/sst-tf/sst/manifest"
)

// TestImportTarget: sst import finds its construct across stacks, and a
// mistyped id or a construct it cannot import into fails naming the ones
// it can.
func TestImportTarget(t *testing.T) {
	m := &manifest.Manifest{App: "shop", Stacks: []manifest.Stack{
		{Name: "Data", Constructs: []manifest.Construct{{ID: "Orders", Type: "Table"}, {ID: "Files", Type: "Bucket"}}},
		{Name: "API", Constructs: []manifest.Construct{{ID: "Api", Type: "Api"}, {ID: "Jobs", Type: "Queue"}}},
	}}
	st, c, err := importTarget(m, "Jobs")
	if err != nil || st.Name != "API" || c.ID != "Jobs" {
		t.Fatalf("Jobs: %v %v %v", st, c, err)
	}
	for id, want := range map[string]string{
		"orders": `no construct "orders" in app "shop": constructs that can import are Files (Bucket), Jobs (Queue), Orders (Table)`,
		"Api":    `construct "Api" (Api): sst import brings existing tables, buckets, queues and Cognito user pools under a construct`,
	} {
		if _, _, err := importTarget(m, id); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", id, err, want)
		}
	}
}
