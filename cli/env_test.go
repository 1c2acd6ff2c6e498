package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/manifest"
)

// siteProject is a project whose stage "s" was deployed: a manifest with
// two sites and the outputs file their environment refers to.
func siteProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"true"}`)
	m := &manifest.Manifest{App: "shop", Stage: "s", Region: "eu-west-1", Stacks: []manifest.Stack{{
		Name: "Web", Dir: "stacks/Web",
		Constructs: []manifest.Construct{
			{ID: "Site", Type: "StaticSite", Data: map[string]string{"path": "web", "env.VITE_API_URL": "@output:Api/ApiUrl", "env.VITE_MODE": "shop"}},
			{ID: "Admin", Type: "NextjsSite", Data: map[string]string{"path": "admin", "env.NEXT_PUBLIC_X": "@output:Api/Missing"}},
		},
	}}}
	out := filepath.Join(dir, ".sst", "out", "s")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Write(out); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".sst", "outputs", "s.json"), `{"Api":{"ApiUrl":"https://abc.execute-api.eu-west-1.amazonaws.com"}}`)
	for _, d := range []string{"web", "admin/app"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEnvRunsTheSiteCommandWithItsEnvironment(t *testing.T) {
	dir := siteProject(t)
	h := newHarness(t, filepath.Join(dir, "web"))
	h.mustRun("env", "--stage", "s", "--", "sh", "-c", `echo "$VITE_API_URL|$VITE_MODE|$SST_STAGE|$AWS_REGION|$PWD"`)
	want := "https://abc.execute-api.eu-west-1.amazonaws.com|shop|s|eu-west-1|" + filepath.Join(dir, "web")
	if got := strings.TrimSpace(h.out.String()); got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	// One argument with spaces runs through the shell, as `sst env "next dev"`.
	h.mustRun("env", "--stage", "s", "--site", "Site", `echo mode=$VITE_MODE`)
	if got := strings.TrimSpace(h.out.String()); got != "mode=shop" {
		t.Errorf("shell form: %q", got)
	}

	// The command's exit status is sst's, with no error of sst's own.
	if code := h.run("env", "--stage", "s", "--", "sh", "-c", "exit 7"); code != 7 || strings.Contains(h.err.String(), "Error:") {
		t.Errorf("exit %d, stderr %q; want 7 and no sst error", code, h.err.String())
	}

	// While sst dev runs for the stage, the Api URL is the local gateway.
	st := &dev.State{PID: os.Getpid(), Apis: map[string]dev.ApiURLs{"Api": {Local: "http://127.0.0.1:3000", Deployed: "https://abc.execute-api.eu-west-1.amazonaws.com"}}}
	if err := st.Write(filepath.Join(dir, ".sst", "dev", "s")); err != nil {
		t.Fatal(err)
	}
	h.mustRun("env", "--stage", "s", "--", "sh", "-c", `echo "$VITE_API_URL"`)
	if got := strings.TrimSpace(h.out.String()); got != "http://127.0.0.1:3000" {
		t.Errorf("under sst dev: %q", got)
	}
}

func TestEnvBadInput(t *testing.T) {
	dir := siteProject(t)
	root := newHarness(t, dir)
	root.mustFail("the app has several sites (Site, Admin): run from a site's directory or pass --site", "env", "--stage", "s", "--", "true")
	root.mustFail("--site Nope: no such site; sites are Site, Admin", "env", "--stage", "s", "--site", "Nope", "--", "true")
	// From a subdirectory of a site: that site, whose output is missing.
	sub := newHarness(t, filepath.Join(dir, "admin", "app"))
	sub.mustFail("site Admin: environment NEXT_PUBLIC_X: stack Api has no output Missing yet: deploy the stage first", "env", "--stage", "s", "--", "true")
	root.mustFail(`stage "other" has not been synthesized in this project: run `+"`sst deploy --stage other`"+` first`, "env", "--stage", "other", "--", "true")
	root.mustFail(`command "no-such-command-xyz"`, "env", "--stage", "s", "--site", "Site", "--", "no-such-command-xyz")

	var m manifest.Manifest
	b, _ := os.ReadFile(filepath.Join(dir, ".sst", "out", "s", "manifest.json"))
	_ = json.Unmarshal(b, &m)
	m.Stacks[0].Constructs = nil
	if err := m.Write(filepath.Join(dir, ".sst", "out", "s")); err != nil {
		t.Fatal(err)
	}
	root.mustFail("app shop has no sites", "env", "--stage", "s", "--", "true")
}

func TestBindAndDevBadInput(t *testing.T) {
	dir := siteProject(t)
	h := newHarness(t, dir)
	h.mustFail("--function Nope: no such function in app shop", "bind", "--stage", "s", "--function", "Nope", "--", "true")
	h.mustFail("--port 70000: use a TCP port between 1 and 65535", "dev", "--stage", "s", "--port", "70000")
	h.mustFail("unknown command \"extra\"", "dev", "--stage", "s", "extra")
}
