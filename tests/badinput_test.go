package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: each mistake fails before terraform runs, with a message
// that names what is wrong and where, a non-zero exit, and nothing applied.
func TestBadInput(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	proj := filepath.Join(root, "bad")
	mustSST(t, root, "init", "bad", "--template", "minimal")
	main := filepath.Join(proj, "main.go")
	good, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()

	cases := []struct {
		name string
		dir  string
		// edit rewrites main.go before the run (restored after).
		edit func(t *testing.T)
		args []string
		want []string
	}{
		{name: "invalid stage name", dir: proj, args: []string{"deploy", "--stage", "Bad_Stage"},
			want: []string{`invalid stage "Bad_Stage"`, "--stage"}},
		{name: "no cdktf.json", dir: empty, args: []string{"deploy", "--stage", "x"},
			want: []string{"no cdktf.json found", "sst init"}},
		{name: "unknown endpoint scheme", dir: proj, args: []string{"deploy", "--stage", "x", "--endpoint", "ftp://127.0.0.1:1"},
			want: []string{"ftp://127.0.0.1:1", "http"}},
		{name: "construct errors are reported together", dir: proj, args: []string{"deploy", "--stage", "x"},
			edit: func(t *testing.T) {
				editFile(t, main, `"GET /notes":  {Handler: "functions/notes"},`,
					`"GETT /x": {Handler: "functions/notes"},
			"GET notes": {Handler: "functions/notes"},
			"GET /missing": {Handler: "functions/nope"},`)
				editFile(t, main, `notes := sst.Use[*sst.Table](s, Storage)`, `notes := sst.Use[*sst.Table](s, Storage)
	sst.NewTable(s, "Notes", sst.TableProps{Fields: map[string]string{"id": "string"}, PrimaryIndex: sst.TableIndex{PartitionKey: "id"}})`)
			},
			want: []string{`unknown method "GETT"`, `path "notes" must start with "/"`, `functions/nope`, `duplicate construct id "Notes"`, "stack API"}},
		{name: "go handler that does not compile", dir: proj, args: []string{"deploy", "--stage", "x"},
			edit: func(t *testing.T) {
				editFile(t, filepath.Join(proj, "functions", "notes", "main.go"), "func main() {", "func main() {\n\tundefinedThing()")
			},
			want: []string{`function "Api_GET_notes"`, "undefinedThing"}},
		{name: "site build that fails", dir: proj, args: []string{"deploy", "--stage", "x"},
			edit: func(t *testing.T) {
				editFile(t, main, `notes := sst.Use[*sst.Table](s, Storage)`, `notes := sst.Use[*sst.Table](s, Storage)
	sst.NewStaticSite(s, "Web", sst.StaticSiteProps{Path: "functions", BuildCommand: "echo 'vite: cannot resolve ./App.jsx' >&2; exit 2"})`)
			},
			want: []string{`StaticSite "Web"`, "build command", "exit status 2", "vite: cannot resolve ./App.jsx"}},
		{name: "site problems are reported together", dir: proj, args: []string{"deploy", "--stage", "x"},
			edit: func(t *testing.T) {
				editFile(t, main, `notes := sst.Use[*sst.Table](s, Storage)`, `notes := sst.Use[*sst.Table](s, Storage)
	sst.NewStaticSite(s, "Web", sst.StaticSiteProps{BuildCommand: "true"})
	sst.NewStaticSite(s, "Docs", sst.StaticSiteProps{Path: "functions", BuildCommand: "true", BuildOutput: "out"})
	sst.NewNextjsSite(s, "App", sst.NextjsSiteProps{Path: "functions", CustomDomain: &sst.CustomDomain{DomainName: "app.example.com"}})`)
			},
			want: []string{`StaticSite "Web": Path is required`, `StaticSite "Docs": BuildOutput "out"`, `NextjsSite "App": CustomDomain.HostedZone is required`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.edit != nil {
				handler := filepath.Join(proj, "functions", "notes", "main.go")
				orig, _ := os.ReadFile(handler)
				tc.edit(t)
				defer os.WriteFile(main, good, 0o644)
				defer os.WriteFile(handler, orig, 0o644)
			}
			r := sst(t, tc.dir, tc.args...)
			if r.code == 0 {
				t.Fatalf("want a non-zero exit:\n%s", r)
			}
			all := r.stdout + r.stderr
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("message lacks %q:\n%s", w, r)
				}
			}
			if strings.Contains(all, "goroutine ") || strings.Contains(all, "panic:") {
				t.Errorf("a Go stack trace reached the user:\n%s", r)
			}
			// Nothing applied: no state for any stage, nothing in the emulator.
			if _, err := os.Stat(filepath.Join(tc.dir, ".sst", "state")); err == nil {
				t.Errorf("terraform state was created")
			}
			if left := inventory(t, "x-bad-"); len(left) > 0 {
				t.Errorf("resources were created: %v", left)
			}
		})
	}
}
