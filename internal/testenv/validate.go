package testenv

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ValidateStacks runs `terraform validate` with the real AWS provider on
// the synthesized stacks (directory by a name for the messages) in one
// terraform run: a root module that calls each stack as a child module.
// Terraform validates a child module's resources, provider configuration
// and references as it does a root's; a stack's backend block is ignored
// there with a warning, as `init -backend=false` ignores it in a root. One
// run instead of an init and a validate per stack saves, per stack, a
// terraform process that checksums the provider package and decodes its
// whole schema, a schema-only provider start and an init: 8.5 CPU s less
// for a three-stack app (24.8 vs 16.3, BENCHMARKS.md). Every error is
// reported with the stack file it is in; warnings are logged.
func ValidateStacks(t testing.TB, env map[string]string, stacks map[string]string) {
	t.Helper()
	if len(stacks) == 0 {
		t.Fatal("no stacks to validate")
	}
	// Terraform resolves a relative path in a function call (a bundle's
	// filebase64sha256("../../functions/X.zip")) from the working
	// directory, not from the module: so one root per directory of stacks,
	// placed beside them, where such a path means what it means in a stack.
	groups := map[string]map[string]string{}
	for name, dir := range stacks {
		parent := filepath.Dir(dir)
		if groups[parent] == nil {
			groups[parent] = map[string]string{}
		}
		groups[parent][name] = dir
	}
	for parent, group := range groups {
		validateGroup(t, env, filepath.Join(parent, ".sst-validate"), group)
	}
}

func validateGroup(t testing.TB, env map[string]string, root string, stacks map[string]string) {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	modules := map[string]any{}
	for name, dir := range stacks {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		// A local module source must start with ../ or ./.
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
	// A guard against a hang, not a speed check: 22 stacks took 140 s at
	// load average 20 on 2 cores.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "terraform", args...)
		cmd.Dir = root
		cmd.Env = Environ(env)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil && stderr.Len() > 0 {
			out = append(out, stderr.String()...)
		}
		return out, err
	}
	if out, err := run("init", "-backend=false", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init of %d stacks: %v\n%s", len(stacks), err, out)
	}
	out, err := run("validate", "-json", "-no-color")
	var res struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity, Summary, Detail, Address string
			Range                              struct{ Filename string }
		} `json:"diagnostics"`
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("terraform validate of %d stacks: %v / %v\n%s", len(stacks), err, jerr, out)
	}
	if !res.Valid {
		t.Errorf("terraform validate: not valid (%d stacks)", len(stacks))
	}
	for _, d := range res.Diagnostics {
		switch {
		case d.Severity == "error":
			t.Errorf("%s: %s: %s: %s", d.Range.Filename, d.Address, d.Summary, d.Detail)
		case d.Summary != "Backend configuration ignored":
			// Warnings are fine (deprecations in the provider).
			t.Logf("%s: %s: %s: %s: %s", d.Range.Filename, d.Severity, d.Address, d.Summary, d.Detail)
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
