package synth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

// waitingApp is fakeApp after waiting for the zip of function Fn to appear
// in $ARTIFACTS: it runs to the end only if the CLI started that build
// before (or while) the app ran.
const waitingApp = `
i=0
until ls "$ARTIFACTS"/Fn-*.zip >/dev/null 2>&1; do
  i=$((i+1)); [ $i -gt 1200 ] && { echo "no Fn zip in $ARTIFACTS: the CLI did not start the build" >&2; exit 3; }
  sleep 0.05
done
` + fakeApp

// TestRunStartsTheLastSynthesisBuilds: with a manifest from the last
// synthesis in the stage's directory, the CLI builds its functions while the
// app runs, into the artifact directory the app uses (SST_ARTIFACT_DIR,
// relative to the project), with records the app's own build then finds;
// a function whose handler is gone costs nothing visible.
func TestRunStartsTheLastSynthesisBuilds(t *testing.T) {
	o, dir := setup(t)
	if err := os.WriteFile(filepath.Join(dir, "app.sh"), []byte(waitingApp), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fn.ts"), []byte("export const handler = async () => 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	last := &manifest.Manifest{Version: manifest.Version, App: "demo", Stage: "dev", Stacks: []manifest.Stack{{
		Name: "Api", Dir: "stacks/Api",
		Functions: []manifest.Function{
			{ID: "Fn", Handler: "fn.handler", Arch: "arm64", Build: &manifest.FunctionBuild{Format: "esm"}},
			{ID: "Gone", Handler: "deleted.handler", Arch: "arm64"},
		},
	}}}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := last.Write(o.OutDir); err != nil {
		t.Fatal(err)
	}
	artifacts := filepath.Join(dir, "build-cache")
	o.Env = append(o.Env, manifest.EnvArtifactDir+"=build-cache", "ARTIFACTS="+artifacts)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	req := build.RequestFor(dir, artifacts, last.Stacks[0].Functions[0])
	res, err := build.Build(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Cached {
		t.Error("the app's build of Fn was not served by the CLI's record")
	}
	ents, _ := os.ReadDir(artifacts)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "Gone") {
			t.Errorf("left %s for a function whose handler is gone", e.Name())
		}
	}
}
