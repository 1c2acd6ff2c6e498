package cli

import "testing"

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
