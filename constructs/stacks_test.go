package sst

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/sst-tf/sst/manifest"
)

// body is what a test stack declares. Stack functions must be named
// package-level funcs (the name is the stack id), so tests share three —
// First, Second and Third — and give each its body for the test's
// duration with stacks.
type body func(s *Stack) any

var firstBody, secondBody, thirdBody body

func First(s *Stack) any  { return firstBody(s) }
func Second(s *Stack) any { return secondBody(s) }
func Third(s *Stack) any  { return thirdBody(s) }

// stacks sets the bodies of First, Second and Third, in that order, and
// returns the stack funcs to pass to Synth. Tests that use it must not run
// in parallel.
func stacks(t *testing.T, bodies ...body) []StackFunc {
	t.Helper()
	fns := []StackFunc{First, Second, Third}
	slots := []*body{&firstBody, &secondBody, &thirdBody}
	if len(bodies) > len(slots) {
		t.Fatalf("stacks: at most %d bodies", len(slots))
	}
	for i, b := range bodies {
		*slots[i] = b
	}
	t.Cleanup(func() { firstBody, secondBody, thirdBody = nil, nil, nil })
	return fns[:len(bodies)]
}

// at walks decoded JSON: a string indexes an object, an int an array. It
// returns nil when the path does not exist.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			panic("at: path elements are strings or ints")
		}
	}
	return v
}

// wantJSON compares got with want after both went through JSON, so Go
// literals ([]string, int) compare equal to decoded JSON ([]any, float64).
func wantJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := jsonString(t, got), jsonString(t, want)
	if g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// stack returns one stack's synthesized JSON document.
func (s *synthesized) stack(t *testing.T, name string) map[string]any {
	t.Helper()
	doc, ok := s.stacks[name]
	if !ok {
		t.Fatalf("no stack %s; have %v", name, keys(s.stacks))
	}
	return doc
}

// provider is the stack's single aws provider block.
func (s *synthesized) provider(t *testing.T, name string) map[string]any {
	t.Helper()
	p := asMap(at(s.stack(t, name), "provider", "aws", 0))
	if p == nil {
		t.Fatalf("stack %s has no aws provider block", name)
	}
	return p
}

// policy decodes the IAM policy document of a function's role policy.
func (s *synthesized) policy(t *testing.T, stack, fnID string) policyDoc {
	t.Helper()
	raw, _ := s.resource(t, stack, "aws_iam_role_policy", fnID+"_policy")["policy"].(string)
	var doc policyDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("policy of %s is not JSON: %v\n%s", fnID, err, raw)
	}
	return doc
}

type policyDoc struct {
	Version   string
	Statement []struct {
		Effect   string
		Action   []string
		Resource []string
	}
}

// grants returns the resources a policy allows action on.
func (d policyDoc) grants(action string) []string {
	var out []string
	for _, st := range d.Statement {
		for _, a := range st.Action {
			if a == action && st.Effect == "Allow" {
				out = append(out, st.Resource...)
			}
		}
	}
	return out
}

// env is a function's synthesized environment variables.
func (s *synthesized) env(t *testing.T, stack, fnID string) map[string]any {
	t.Helper()
	return asMap(at(s.resource(t, stack, "aws_lambda_function", fnID), "environment", "variables"))
}

// manifestStack is the manifest entry of one stack.
func (s *synthesized) manifestStack(t *testing.T, name string) *manifest.Stack {
	t.Helper()
	ms, ok := s.m.Stack(name)
	if !ok {
		t.Fatalf("manifest has no stack %s", name)
	}
	return ms
}

// manifestFunction is the manifest entry of one function.
func (s *synthesized) manifestFunction(t *testing.T, stack, id string) manifest.Function {
	t.Helper()
	for _, f := range s.manifestStack(t, stack).Functions {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("manifest stack %s has no function %s", stack, id)
	return manifest.Function{}
}

// node and goHandler are the fixture handlers; every test uses these so
// the shared artifact cache hits.
const (
	nodeHandler = "node/hello.handler"
	goHandler   = "functions/hello"
)

// notesTable is the table most tests bind to.
func notesTable(s *Stack) *Table {
	return NewTable(s, "Notes", TableProps{
		Fields:       map[string]string{"pk": "string"},
		PrimaryIndex: TableIndex{PartitionKey: "pk"},
	})
}

// readTree reads every file under dir, by path relative to dir.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
