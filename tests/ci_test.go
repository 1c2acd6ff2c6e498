package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
)

// ciApp is a shell script standing in for `go run .` (no synthesis: the
// recipe's commands are what is tested): one stack holding one
// terraform_data resource per stage, local state in the project. The
// resource is terraform's own, so no provider starts: a plan, apply or
// destroy of it costs about a CPU second instead of 12-25 with the AWS
// provider (BENCHMARKS.md, "Fifth pass"), and the recipe's steps run the
// same sst commands either way.
const ciApp = `set -e
mkdir -p "$SST_OUT_DIR/stacks/Web"
cat > "$SST_OUT_DIR/stacks/Web/cdk.tf.json" <<EOF
{"terraform": {"backend": {"local": {"path": "$SST_PROJECT_DIR/.sst/state/Web/terraform.tfstate", "workspace_dir": "$SST_PROJECT_DIR/.sst/state/Web"}}},
 "resource": {"terraform_data": {"v": {"input": "/ci/$SST_STAGE/version"}}}}
EOF
cat > "$SST_OUT_DIR/manifest.json" <<EOF
{"version":1,"app":"ci","stage":"$SST_STAGE","region":"us-east-1","backend":{"kind":"local"},
 "stacks":[{"name":"Web","dir":"stacks/Web","workspace":"$SST_STAGE","constructs":[]}]}
EOF
`

// TestCIRecipe runs the steps of the workflow `sst init --ci github`
// writes, as the workflow runs them (sh .github/sst-ci.sh <step>), against
// the emulator: a pull request deploys its own stage, a merge plans the
// target stage and deploys exactly that plan, a second apply of the same
// plan is refused, closing the pull request removes its stage.
//
// It also moves the app between engines, at no extra deploy: the pull
// request's stage is planned and deployed with OpenTofu (SST_ENGINE=tofu)
// and removed with terraform from OpenTofu's state; prod is deployed with
// terraform and removed with OpenTofu from terraform's state.
func TestCIRecipe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{"cdktf.json": `{"language":"go","app":"sh app.sh"}`, "app.sh": ciApp} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustSST(t, dir, "init", "--ci", "github")
	workflow, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "sst.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{
		"sh .github/sst-ci.sh pr ${{ github.event.number }}",
		"sh .github/sst-ci.sh plan",
		"sh .github/sst-ci.sh apply",
		"sh .github/sst-ci.sh close ${{ github.event.number }}",
	} {
		if !strings.Contains(string(workflow), "run: "+run+"\n") {
			t.Fatalf("the workflow does not run %q:\n%s", run, workflow)
		}
	}
	if r := sst(t, dir, "init", "--ci", "github"); r.code == 0 || !strings.Contains(r.stderr, ".github/workflows/sst.yml already exists: pass --force") {
		t.Errorf("a second init --ci overwrote the recipe:\n%s", r)
	}

	tofu := tofuEnv(t)
	var engine map[string]string // the step's: tofu, or nil for terraform
	ci := func(want int, args ...string) result {
		t.Helper()
		cmd := exec.Command("sh", append([]string{".github/sst-ci.sh"}, args...)...)
		cmd.Dir = dir
		env := map[string]string{"SST": sstBin}
		for k, v := range baseEnv {
			env[k] = v
		}
		for k, v := range engine {
			env[k] = v
		}
		cmd.Env = testenv.Environ(env)
		r := runResult(t, cmd)
		if r.code != want {
			t.Fatalf("sst-ci.sh %s: want exit %d\n%s", strings.Join(args, " "), want, r)
		}
		return r
	}
	// A stage is deployed when its state holds the stack's resource.
	exists := func(stage string) bool {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, ".sst", "state", "Web", stage, "terraform.tfstate"))
		if os.IsNotExist(err) {
			return false
		}
		var st struct {
			Resources []struct {
				Type, Name string
				Instances  []struct {
					Attributes struct {
						// A dynamic value: stored with its type.
						Input struct{ Value string } `json:"input"`
					} `json:"attributes"`
				} `json:"instances"`
			} `json:"resources"`
		}
		if err == nil {
			err = json.Unmarshal(b, &st)
		}
		if err != nil {
			t.Fatalf("state of stage %s: %v", stage, err)
		}
		for _, r := range st.Resources {
			if r.Type == "terraform_data" && r.Name == "v" && len(r.Instances) == 1 && r.Instances[0].Attributes.Input.Value == "/ci/"+stage+"/version" {
				return true
			}
		}
		return false
	}

	tofuWrote := func(stage string) bool {
		t.Helper()
		return writtenByTofu(t, readFile(t, filepath.Join(dir, ".sst", "state", "Web", stage, "terraform.tfstate")))
	}

	engine = tofu
	ci(0, "pr", "7")
	engine = nil
	if !exists("pr-7") || exists("prod") {
		t.Fatalf("after the pull request step: pr-7 %v, prod %v; want only pr-7", exists("pr-7"), exists("prod"))
	}
	if !tofuWrote("pr-7") {
		t.Error("stage pr-7 was not deployed by OpenTofu")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "sst-plan", "summary.md")); err != nil || !strings.Contains(string(b), "| Web | 1 | 0 | 0 | 0 | none |") {
		t.Errorf("the pull request's plan of prod: %v\n%s", err, b)
	}
	ci(0, "plan")
	if exists("prod") {
		t.Fatal("the plan step deployed")
	}
	ci(0, "apply")
	if !exists("prod") {
		t.Fatal("the apply step did not deploy prod")
	}
	if r := ci(1, "apply"); !strings.Contains(r.stderr, "stack Web: the state changed since the plan was made") {
		t.Errorf("a second apply of the plan:\n%s", r)
	}
	ci(0, "close", "7")
	if exists("pr-7") {
		t.Error("closing the pull request left stage pr-7")
	}
	if r := ci(2, "deploy"); !strings.Contains(r.stderr, "usage:") {
		t.Errorf("an unknown step:\n%s", r)
	}
	if tofuWrote("prod") {
		t.Error("stage prod was not deployed by terraform")
	}
	mustSSTEnv(t, dir, tofu, "remove", "--stage", "prod", "--yes")
	if exists("prod") || !tofuWrote("prod") {
		t.Error("OpenTofu did not remove the stage terraform deployed")
	}
}

// tofuEnv makes sst run OpenTofu: SST_ENGINE=tofu, and PATH led by the
// directory of testenv.Tofu's binary (under CI a missing one fails).
func tofuEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"SST_ENGINE": "tofu", "PATH": filepath.Dir(testenv.Tofu(t)) + string(os.PathListSeparator) + os.Getenv("PATH")}
}

// writtenByTofu says whether OpenTofu last wrote a state: each engine
// records its own version, and OpenTofu's (1.12) is not terraform's (1.5
// or later).
func writtenByTofu(t *testing.T, state []byte) bool {
	t.Helper()
	var st struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(state, &st); err != nil {
		t.Fatalf("state: %v\n%s", err, state)
	}
	return st.Version == tofuVersion(t)
}

// tofuVersion is the version tofu reports and writes into states.
func tofuVersion(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(testenv.Tofu(t), "version", "-json")
	// Without a CLI configuration that names no file, whose warning
	// OpenTofu prints on stdout.
	cmd.Env = testenv.Environ(map[string]string{"TF_CLI_CONFIG_FILE": ""})
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		t.Fatalf("tofu version -json: %s, %v", out, err)
	}
	return v.Version
}
