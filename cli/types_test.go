package cli

import (
	"path/filepath"
	"testing"
)

func TestTypesBadInput(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	h.mustFail(`--lang "rust": use go, ts or both (go,ts)`, "types", "--lang", "go,rust")
	h.mustFail("cdktf.json", "types")
	// A project whose app never runs: nothing is generated.
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language": "go", "app": "exit 3"}`)
	h.mustFail("synth failed", "types", "--stage", "dev")
	if m, _ := filepath.Glob(filepath.Join(dir, "resource", "*")); len(m) > 0 {
		t.Errorf("a failed synth generated %v", m)
	}
}
