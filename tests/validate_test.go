package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
		projects = append(projects, copyProject(t, filepath.Dir(e)))
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
	for _, dir := range projects {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			// Each synth and validate is mostly one busy thread (jsii's
			// Node, terraform): two at once use both cores.
			t.Parallel()
			validateProject(t, dir, tfsec)
			os.RemoveAll(filepath.Join(dir, ".sst"))
		})
	}
}

// validateProject synthesizes the project in dir (with the prepared AWS
// provider and with the whole one, which must give the same bytes), audits every stack's
// policies, scans it with tfsec (when tfsec is not "") and runs `terraform
// validate` on it with the real AWS provider.
func validateProject(t *testing.T, dir, tfsec string) {
	t.Helper()
	tfEnv := testenv.TerraformEnv(t)
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
		if tfsec != "" {
			tfsecScan(t, tfsec, st.Name, stackDir, doc)
		}
		for _, args := range [][]string{{"init", "-backend=false", "-input=false", "-no-color"}, {"validate", "-json", "-no-color"}} {
			cmd := exec.Command("terraform", args...)
			cmd.Dir = stackDir
			cmd.Env = testenv.Environ(tfEnv)
			b, err := cmd.CombinedOutput()
			if args[0] == "validate" {
				var v struct {
					Valid       bool `json:"valid"`
					ErrorCount  int  `json:"error_count"`
					Diagnostics []struct {
						Summary, Detail string
					} `json:"diagnostics"`
				}
				if jerr := json.Unmarshal(b, &v); jerr != nil || !v.Valid {
					t.Errorf("stack %s is not valid: %v %s", st.Name, err, b)
				}
			} else if err != nil {
				t.Fatalf("terraform %v in %s: %v\n%s", args, stackDir, err, b)
			}
		}
	}
}
