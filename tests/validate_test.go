package tests

import (
	"encoding/json"
	"os"
	"os/exec"
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
	t.Run("synth", func(t *testing.T) {
		for _, dir := range projects {
			t.Run(filepath.Base(dir), func(t *testing.T) {
				// Each synth is mostly one busy thread (jsii's Node): two
				// at once use both cores.
				t.Parallel()
				for name, stackDir := range synthAndAudit(t, dir, tfsec) {
					mu.Lock()
					stacks[filepath.Base(dir)+"_"+name] = stackDir
					mu.Unlock()
				}
			})
		}
	})
	// One terraform run validates every project's stacks (see
	// validateStacks); then the synthesized output can go.
	validateStacks(t, stacks)
	for _, dir := range projects {
		os.RemoveAll(filepath.Join(dir, ".sst"))
	}
}

// validateProject synthesizes the project in dir, audits and scans it
// (synthAndAudit) and runs `terraform validate` on its stacks with the real
// AWS provider.
func validateProject(t *testing.T, dir, tfsec string) {
	t.Helper()
	validateStacks(t, synthAndAudit(t, dir, tfsec))
}

// synthAndAudit synthesizes the project in dir (with the prepared AWS
// provider and with the whole one, which must give the same bytes), audits
// every stack's policies and scans it with tfsec (when tfsec is not ""). It
// returns the synthesized stacks' directories by stack name.
func synthAndAudit(t *testing.T, dir, tfsec string) map[string]string {
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
		if tfsec != "" {
			tfsecScan(t, tfsec, st.Name, stackDir, doc)
		}
		stacks[st.Name] = stackDir
	}
	return stacks
}

// validateStacks runs `terraform validate` with the real AWS provider on
// every stack directory of stacks (keyed by a name for the messages) in
// one terraform run: a root module that calls each stack as a child
// module. Terraform validates a child module's resources, provider
// configuration and references exactly as a root's (a stack's backend
// block is ignored there with a warning, as `init -backend=false` ignores
// it in a root). One run instead of one per stack saves, per stack, a
// terraform process that checksums the provider package and decodes its
// whole schema, a schema-only provider start and an init: ~2.8 of the
// ~8.3 CPU s a stack's own init + validate cost (BENCHMARKS.md).
func validateStacks(t *testing.T, stacks map[string]string) {
	t.Helper()
	if len(stacks) == 0 {
		t.Fatal("no stacks to validate")
	}
	root := t.TempDir()
	modules := map[string]any{}
	for name, dir := range stacks {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		// A local module source must start with ../ (or ./).
		modules[moduleName(name)] = map[string]string{"source": filepath.ToSlash(rel)}
	}
	if len(modules) != len(stacks) {
		t.Fatalf("two stacks share a module name: %v", stacks)
	}
	b, err := json.Marshal(map[string]any{"module": modules})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "main.tf.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	tfEnv := testenv.TerraformEnv(t)
	for _, args := range [][]string{{"init", "-backend=false", "-input=false", "-no-color"}, {"validate", "-json", "-no-color"}} {
		cmd := exec.Command("terraform", args...)
		cmd.Dir = root
		cmd.Env = testenv.Environ(tfEnv)
		out, err := cmd.Output()
		if args[0] == "init" {
			if err != nil {
				t.Fatalf("terraform init of the %d stacks: %v\n%s", len(stacks), err, out)
			}
			continue
		}
		var v struct {
			Valid       bool `json:"valid"`
			Diagnostics []struct {
				Severity, Summary, Detail string
				Range                     struct{ Filename string }
			} `json:"diagnostics"`
		}
		if jerr := json.Unmarshal(out, &v); jerr != nil {
			t.Fatalf("terraform validate of the %d stacks: %v / %v\n%s", len(stacks), err, jerr, out)
		}
		if !v.Valid {
			t.Errorf("terraform validate: not valid (%d stacks)", len(stacks))
		}
		for _, d := range v.Diagnostics {
			if d.Severity == "error" {
				t.Errorf("stack not valid: %s: %s: %s", d.Range.Filename, d.Summary, d.Detail)
			}
		}
	}
}

// moduleName makes a module name (letters, digits, _ and -) of s.
func moduleName(s string) string {
	return "m_" + strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}
