package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

// TestExamplesAndTemplatesValidate: every example (each with a README) and
// every template synthesizes and passes `terraform validate` with the real
// AWS provider, the least-privilege audit and tfsec (audit_test.go).
func TestExamplesAndTemplatesValidate(t *testing.T) {
	t.Parallel()
	tfsec := tfsecBinary(t)
	// Cleanups run after the parallel subtests: the figures are complete.
	t.Cleanup(func() {
		a := &auditFigures
		t.Logf("audit: %d projects, %d stacks, %d identity policies with %d statements, %d roles, %d Lambda permissions; tfsec findings by severity %v, high accepted with a reason %v",
			a.projects, a.stacks, a.policies, a.statements, a.roles, a.permissions, a.tfsec, a.accepted)
	})
	var projects []string
	examples, err := filepath.Glob(filepath.Join(repo, "examples", "*", "cdktf.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range examples {
		if _, err := os.Stat(filepath.Join(filepath.Dir(e), "README.md")); err != nil {
			t.Errorf("example %s has no README.md", filepath.Base(filepath.Dir(e)))
		}
		dir := copyProject(t, filepath.Dir(e))
		// A site's build command installs its packages (examples/notes:
		// `npm install && … open-next build`); from the machine's cache of
		// that lockfile's node_modules (npmInstall), that install finds the
		// tree in place: 37 CPU s less per run, as for the site tests.
		locks, err := filepath.Glob(filepath.Join(dir, "*", "package-lock.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range locks {
			npmInstall(t, filepath.Dir(l))
		}
		projects = append(projects, dir)
	}
	root := t.TempDir()
	r := mustSST(t, root, "init", "--list")
	for _, name := range strings.Fields(r.stdout) {
		mustSST(t, root, "init", name, "--template", name)
		projects = append(projects, filepath.Join(root, name))
	}
	if len(projects) < 2 {
		t.Fatalf("found only %d projects to validate", len(projects))
	}
	var (
		mu     sync.Mutex
		stacks = map[string]string{}
	)
	tfEnv := testenv.TerraformEnv(t)
	t.Run("synth", func(t *testing.T) {
		for _, dir := range projects {
			t.Run(filepath.Base(dir), func(t *testing.T) {
				// Each synth and validate is mostly one busy thread (jsii's
				// Node, terraform): two at once use both cores. Validating
				// here rather than after all the synths keeps both busy to
				// the end.
				t.Parallel()
				own := synthAndAudit(t, dir)
				testenv.ValidateStacks(t, tfEnv, own)
				mu.Lock()
				for name, stackDir := range own {
					stacks[filepath.Base(dir)+"_"+name] = stackDir
				}
				mu.Unlock()
			})
		}
	})
	// One tfsec scan of every project's stacks; then the synthesized
	// output can go.
	tfsecScan(t, tfsec, stacks)
	for _, dir := range projects {
		os.RemoveAll(filepath.Join(dir, ".sst"))
	}
}

// validateProject synthesizes and audits the project in dir
// (synthAndAudit), scans its stacks with tfsec (when tfsec is not "") and
// runs `terraform validate` on them with the real AWS provider.
func validateProject(t *testing.T, dir, tfsec string) {
	t.Helper()
	stacks := synthAndAudit(t, dir)
	if tfsec != "" {
		tfsecScan(t, tfsec, stacks)
	}
	testenv.ValidateStacks(t, testenv.TerraformEnv(t), stacks)
}

// synthAndAudit synthesizes the project in dir (with the prepared AWS
// provider and with the whole one, which must give the same bytes), audits
// every stack's policies. It returns the synthesized stacks' directories by
// stack name.
func synthAndAudit(t *testing.T, dir string) map[string]string {
	t.Helper()
	first := mustSSTEnv(t, dir, map[string]string{"JSII_DEBUG_TIMING": "1"}, "-v", "synth", "--stage", "validate")
	out := filepath.Join(dir, ".sst", "out", "validate")
	requireSameWithWholeProvider(t, dir, out, first)
	m, err := manifest.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	auditFigures.Lock()
	auditFigures.projects++
	auditFigures.Unlock()
	stacks := map[string]string{}
	for _, st := range m.Stacks {
		stackDir := filepath.Join(out, st.Dir)
		b, err := os.ReadFile(filepath.Join(stackDir, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		problems, n := auditPolicies(st.Name, doc)
		for _, p := range problems {
			t.Error(p)
		}
		n.record()
		stacks[st.Name] = stackDir
	}
	return stacks
}
