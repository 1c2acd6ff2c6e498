package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stateApp is one stack holding a terraform_data resource (terraform's
// built-in provider: nothing to download, no AWS), with local state under
// .sst/state as real apps keep it, outside the synthesized directory.
const stateApp = `mkdir -p "$SST_OUT_DIR/stacks/Api"
cat > "$SST_OUT_DIR/stacks/Api/cdk.tf.json" <<EOF
{"terraform": {"backend": {"local": {"path": "$SST_PROJECT_DIR/.sst/state/Api/terraform.tfstate", "workspace_dir": "$SST_PROJECT_DIR/.sst/state/Api"}}},
 "resource": {"terraform_data": {"x": {"input": "hello"}}}}
EOF
printf '{"version":1,"app":"mini","stage":"%s","region":"us-east-1","backend":{"kind":"local","config":{"dir":"%s/.sst/state"}},"stacks":[{"name":"Api","dir":"stacks/Api","workspace":"%s","constructs":[]}]}' "$SST_STAGE" "$SST_PROJECT_DIR" "$SST_STAGE" > "$SST_OUT_DIR/manifest.json"
`

func stateProject(t *testing.T) string { return shellProject(t, stateApp) }

// TestRemoveUnknownStage: removing a stage that has no state (a typo) fails,
// says where it looked and which stages do exist there, and creates no
// workspace, state or synthesized output.
func TestRemoveUnknownStage(t *testing.T) {
	dir := stateProject(t)
	h := newHarness(t, dir)
	stateDir := filepath.Join(dir, ".sst", "state")
	h.mustFail(`stage "typo" of app "mini" has no state here: no workspace typo in local state in `+stateDir+`; nothing was removed`, "remove", "--stage", "typo", "--yes")
	h.mustRun("deploy", "--stage", "dev")
	h.mustFail(`nothing was removed (stages with state there: dev)`, "remove", "--stage", "typo", "--yes")
	for _, p := range []string{filepath.Join(stateDir, "Api", "typo"), filepath.Join(dir, ".sst", "out", "typo")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created", p)
		}
	}
	h.mustRun("remove", "--stage", "dev", "--yes")
	if !strings.Contains(h.out.String(), "Stack Api: removed (1 destroyed)") {
		t.Errorf("remove of dev:\n%s", h.out.String())
	}
}
