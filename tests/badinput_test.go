package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: each mistake — in the command line, the project files or
// the app's code — fails with a message that names what is wrong and
// where, a non-zero exit, and nothing applied. Every case runs on its own
// copy of a fresh project, two at a time (each synth starts a Node child).
func TestBadInput(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	pristine := filepath.Join(root, "bad")
	mustSST(t, root, "init", "bad", "--template", "minimal")

	// edits of main.go: old → new.
	mainEdit := func(pairs ...string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			for i := 0; i < len(pairs); i += 2 {
				editFile(t, filepath.Join(dir, "main.go"), pairs[i], pairs[i+1])
			}
		}
	}
	const (
		tableID  = `sst.NewTable(s, "Notes", sst.TableProps{`
		notesGET = `"GET /notes":  {Handler: "functions/notes"},`
		config   = `sst.Config{Name: "bad", Region: "us-east-1"}`
		useNotes = `notes := sst.Use[*sst.Table](s, Storage)`
	)
	write := func(name, body string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	cases := []struct {
		name string
		// edit changes the case's copy of the project before the run.
		edit func(t *testing.T, dir string)
		// noProject runs in an empty directory instead.
		noProject bool
		env       map[string]string
		args      []string
		want      []string
	}{
		// Command line.
		{name: "invalid stage name", args: []string{"deploy", "--stage", "Bad_Stage"},
			want: []string{`invalid stage "Bad_Stage"`, "--stage"}},
		{name: "stage name too long", args: []string{"deploy", "--stage", strings.Repeat("a", 40)},
			want: []string{"invalid stage", "--stage", "32"}},
		{name: "empty stage flag", args: []string{"deploy", "--stage", ""},
			want: []string{`--stage: the stage is empty (the flag was given as "")`, "pass a stage name"}},
		{name: "invalid stage in the environment", env: map[string]string{"SST_STAGE": "prod!"}, args: []string{"deploy"},
			want: []string{`invalid stage "prod!"`, "SST_STAGE"}},
		{name: "unknown endpoint scheme", args: []string{"deploy", "--stage", "x", "--endpoint", "ftp://127.0.0.1:1"},
			want: []string{"ftp://127.0.0.1:1", "http"}},
		{name: "misspelled flag", args: []string{"deploy", "--stagee", "x"},
			want: []string{"unknown flag: --stagee"}},
		{name: "parallel below one", args: []string{"deploy", "--stage", "x", "--parallel", "0"},
			want: []string{"--parallel 0", "at least 1"}},
		{name: "init --list with a directory", args: []string{"init", "--list", "somewhere"},
			want: []string{`"somewhere"`, "sst init"}},
		{name: "unlock with a stack but no lock ID", args: []string{"unlock", "API", "--stage", "x"},
			want: []string{"sst unlock <stack> <lock-id>"}},
		{name: "remove without confirmation outside a terminal", args: []string{"remove", "--stage", "x"},
			want: []string{`stage "x"`, "--yes"}},
		{name: "project directory that does not exist", args: []string{"deploy", "--stage", "x", "--project", "/nonexistent/app"},
			want: []string{"/nonexistent/app"}},
		{name: "unknown stack", args: []string{"deploy", "Nope", "--stage", "x"},
			want: []string{`no stack "Nope"`, "Storage", "API"}},

		// Project files.
		{name: "no cdktf.json", noProject: true, args: []string{"deploy", "--stage", "x"},
			want: []string{"no cdktf.json found", "sst init"}},
		{name: "malformed cdktf.json", edit: write("cdktf.json", "{\n  \"language\": \"go\",\n  \"app\": \n"), args: []string{"deploy", "--stage", "x"},
			want: []string{"cdktf.json", "invalid JSON", "line"}},
		{name: "cdktf.json without app", edit: write("cdktf.json", `{"language": "go"}`), args: []string{"deploy", "--stage", "x"},
			want: []string{"cdktf.json", `missing "app"`, "go run ."}},

		// The app's code.
		{name: "construct errors are reported together", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(notesGET, `"GETT /x": {Handler: "functions/notes"},
			"GET notes": {Handler: "functions/notes"},
			"GET /missing": {Handler: "functions/nope"},`,
				useNotes, useNotes+`
	sst.NewTable(s, "Notes", sst.TableProps{Fields: map[string]string{"id": "string"}, PrimaryIndex: sst.TableIndex{PartitionKey: "id"}})`),
			want: []string{`unknown method "GETT"`, `path "notes" must start with "/"`, `functions/nope`, `duplicate construct id "Notes"`, "stack API"}},
		{name: "go handler that does not compile", args: []string{"deploy", "--stage", "x"},
			edit: func(t *testing.T, dir string) {
				editFile(t, filepath.Join(dir, "functions", "notes", "main.go"), "func main() {", "func main() {\n\tundefinedThing()")
			},
			want: []string{`function "Api_GET_notes"`, "undefinedThing"}},
		{name: "unterminated route parameter", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(notesGET, `"GET /notes/{id": {Handler: "functions/notes"},`),
			want: []string{"stack API", `"GET /notes/{id"`}},
		{name: "invalid cron expression", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(useNotes, useNotes+`
	sst.NewCron(s, "Nightly", sst.CronProps{Schedule: "cron(0 25 * * ? *)", Handler: "functions/notes"})`),
			want: []string{"Nightly", "Schedule", "cron(0 25 * * ? *)"}},
		{name: "memory size out of range", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(`Function: sst.FunctionProps{Bind: []sst.Bindable{notes}},`, `Function: sst.FunctionProps{Bind: []sst.Bindable{notes}, MemorySize: 64},`),
			want: []string{"MemorySize 64 MB", "128–10240", "stack API"}},
		{name: "timeout out of range", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(`Function: sst.FunctionProps{Bind: []sst.Bindable{notes}},`, `Function: sst.FunctionProps{Bind: []sst.Bindable{notes}, Timeout: 901 * time.Second},`,
				`import sst "github.com/sst-tf/sst/constructs"`, "import (\n\t\"time\"\n\n\tsst \"github.com/sst-tf/sst/constructs\"\n)"),
			want: []string{"Timeout", "15m1s", "1s–15m", "stack API"}},
		{name: "unknown prop", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(`PrimaryIndex: sst.TableIndex{PartitionKey: "noteId"},`, `PrimaryIndex: sst.TableIndex{PartitionKey: "noteId"},
		Encrypted:    true,`),
			want: []string{"main.go:", "unknown field Encrypted"}},
		{name: "construct id with a space", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(tableID, `sst.NewTable(s, "My Notes", sst.TableProps{`),
			want: []string{`"My Notes"`, "stack Storage"}},
		{name: "table key that is not a field", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(`PrimaryIndex: sst.TableIndex{PartitionKey: "noteId"},`, `PrimaryIndex: sst.TableIndex{PartitionKey: "id"},`),
			want: []string{"Notes", "PartitionKey", `"id"`}},
		{name: "invalid app name", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(config, `sst.Config{Name: "Bad App", Region: "us-east-1"}`),
			want: []string{"sst.Config: Name", `"Bad App"`}},
		{name: "S3 backend without a lock", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(config, `sst.Config{Name: "bad", Region: "us-east-1", Backend: sst.S3Backend{Bucket: "state"}}`),
			want: []string{"Backend S3Backend", "DynamoDBTable or UseLockfile"}},
		{name: "S3 backend bucket that does not exist", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(config, `sst.Config{Name: "bad", Region: "us-east-1", Backend: sst.S3Backend{Bucket: "sst-no-such-state-bucket", DynamoDBTable: "locks"}}`),
			want: []string{"Stack Storage", "sst-no-such-state-bucket"}},
		{name: "site build that fails", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(useNotes, useNotes+`
	sst.NewStaticSite(s, "Web", sst.StaticSiteProps{Path: "functions", BuildCommand: "echo 'vite: cannot resolve ./App.jsx' >&2; exit 2"})`),
			want: []string{`StaticSite "Web"`, "build command", "exit status 2", "vite: cannot resolve ./App.jsx"}},
		{name: "site problems are reported together", args: []string{"deploy", "--stage", "x"},
			edit: mainEdit(useNotes, useNotes+`
	sst.NewStaticSite(s, "Web", sst.StaticSiteProps{})
	sst.NewStaticSite(s, "Docs", sst.StaticSiteProps{Path: "functions", BuildCommand: "true", BuildOutput: "out"})
	sst.NewNextjsSite(s, "App", sst.NextjsSiteProps{Path: "functions", CustomDomain: &sst.CustomDomain{DomainName: "app.example.com"}})`),
			want: []string{`StaticSite "Web": Path defaults to the project itself`, `StaticSite "Docs": BuildOutput "out"`, `NextjsSite "App": CustomDomain.HostedZone is required`}},
	}
	if len(cases) < 20 {
		t.Fatalf("the suite promises at least 20 cases, has %d", len(cases))
	}
	slots := make(chan struct{}, 2)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if !tc.noProject {
				dir = filepath.Join(dir, "bad")
				if err := os.CopyFS(dir, os.DirFS(pristine)); err != nil {
					t.Fatal(err)
				}
				if tc.edit != nil {
					tc.edit(t, dir)
				}
			}
			slots <- struct{}{}
			r := sstEnv(t, dir, tc.env, tc.args...)
			<-slots
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
			if _, err := os.Stat(filepath.Join(dir, ".sst", "state")); err == nil {
				t.Errorf("terraform state was created")
			}
			if _, err := os.Stat(filepath.Join(dir, ".sst", "stage")); err == nil {
				t.Errorf("a default stage was saved")
			}
			if left := inventory(t, "x-bad-"); len(left) > 0 {
				t.Errorf("resources were created: %v", left)
			}
		})
	}
}
