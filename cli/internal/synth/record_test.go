package synth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/manifest"
)

// reuseProject is a Go app (main package importing a package of its
// module) with a Go handler (importing another), a Node handler (importing
// a local file and a node_modules package), a Python handler, migrations
// and a site: every kind of input a synthesis reads.
var reuseProject = map[string]string{
	"go.mod":                            "module example.com/app\n\ngo 1.22\n",
	"go.sum":                            "",
	"cdktf.json":                        `{"language":"go","app":"go run ."}`,
	"README.md":                         "not read by the synth\n",
	"main.go":                           "package main\n\nimport (\n\t\"os\"\n\n\t\"example.com/app/infra\"\n)\n\nfunc main() { infra.Stacks(os.Getenv(\"APP_TIER\")) }\n",
	"infra/infra.go":                    "package infra\n\nfunc Stacks(tier string) {}\n",
	"functions/goh/main.go":             "package main\n\nimport \"example.com/app/hlib\"\n\nfunc main() { hlib.Serve() }\n",
	"hlib/hlib.go":                      "package hlib\n\nfunc Serve() {}\n",
	"functions/node/list.ts":            "import { pad } from \"leftpad\";\nimport { greet } from \"./util\";\nexport const handler = async () => pad(greet());\n",
	"functions/node/util.ts":            "import suffix from \"./suffix.txt\";\nexport const greet = () => \"hi\" + suffix;\n",
	"functions/node/suffix.txt":         "!",
	"node_modules/leftpad/package.json": `{"name":"leftpad","main":"index.js"}`,
	"node_modules/leftpad/index.js":     "exports.pad = (s) => ' ' + s;\n",
	"package.json":                      `{"name":"app","private":true}`,
	"package-lock.json":                 `{"name":"app","lockfileVersion":3}`,
	"functions/py/handler.py":           "def main(event, context):\n    return {}\n",
	"migrations/001_init.sql":           "create table notes (id int);\n",
	"web/index.html":                    "<h1>hi</h1>\n",
}

// reuseFunctions are the project's functions as the manifest describes
// them (the app builds each with build.RequestFor its entry).
var reuseFunctions = []manifest.Function{
	{ID: "GoFn", Handler: "functions/goh"},
	{ID: "NodeFn", Handler: "functions/node/list.handler", Build: &manifest.FunctionBuild{Loader: map[string]string{".txt": "text"}, Banner: "/* b */"}},
	{ID: "PyFn", Handler: "functions/py/handler.main", Build: &manifest.FunctionBuild{Runtime: build.RuntimePython312, InstallCommands: []string{"printf installed > installed.txt"}}},
}

// reuseArtifacts is the project's artifact directory.
func reuseArtifacts(o Options) string { return filepath.Join(o.ProjectDir, ".sst", "artifacts") }

// recordReuseProject writes the project with old mtimes (so the size+mtime
// fast path is what the check uses), records what a synthesis of it reads
// the way Run and the app's build steps do, and writes the manifest a
// later Reusable reads.
func recordReuseProject(t *testing.T, o Options) {
	t.Helper()
	ctx := context.Background()
	old := time.Now().Add(-time.Hour)
	for name, body := range reuseProject {
		p := filepath.Join(o.ProjectDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	env := Env(o.Env, o, o.OutDir)
	app := appInputs(ctx, o, env)
	if app.Unknown != "" {
		t.Fatalf("app inputs unknown: %s", app.Unknown)
	}
	// The functions the app built, at their stable paths, with the build
	// requests the CLI repeats; their reads are not inputs of the synth.
	st := manifest.Stack{Name: "S", Dir: "stacks/S"}
	stackDir := filepath.Join(o.OutDir, "stacks", "S")
	for _, f := range reuseFunctions {
		res, err := build.Build(ctx, build.RequestFor(o.ProjectDir, reuseArtifacts(o), f))
		if err != nil {
			t.Fatal(err)
		}
		art := "../../functions/" + f.ID + ".zip"
		if err := build.Place(res.ZipPath, filepath.Join(stackDir, filepath.FromSlash(art))); err != nil {
			t.Fatal(err)
		}
		st.Artifacts = append(st.Artifacts, art)
		f.Runtime, f.Artifact = res.Runtime, art
		st.Functions = append(st.Functions, f)
	}
	if err := os.MkdirAll(stackDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stackDir, "cdk.tf.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// What the app's other build steps report in the manifest.
	var steps inputs.Set
	mig, err := inputs.DirContents(filepath.Join(o.ProjectDir, "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	steps.Add(mig)
	// A site's tree (the app walks the project root too; here only the
	// site, so that the rows below can show a touch elsewhere is no change).
	web := filepath.Join(o.ProjectDir, "web")
	sum, _, err := inputs.Walk([]string{web}, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps.Add(inputs.Set{Trees: []inputs.Tree{{Roots: []string{web}, Sum: sum}}})

	m := &manifest.Manifest{App: "app", Stage: o.Stage, Inputs: &steps, Stacks: []manifest.Stack{st}}
	if err := m.Write(o.OutDir); err != nil {
		t.Fatal(err)
	}
	if err := record(o.OutDir, m, app, env); err != nil {
		t.Fatal(err)
	}
}

// TestReuseInvalidation proves each kind of input invalidates the recorded
// synthesis, and that touching a file without changing it, an unrelated
// file or variable, or nothing at all does not.
func TestReuseInvalidation(t *testing.T) {
	write := func(name, body string) func(*testing.T, *Options) {
		return func(t *testing.T, o *Options) {
			p := filepath.Join(o.ProjectDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	edit := func(name string) func(*testing.T, *Options) {
		return write(name, reuseProject[name]+"// edited\n")
	}
	touch := func(name string) func(*testing.T, *Options) {
		return func(t *testing.T, o *Options) {
			now := time.Now()
			if err := os.Chtimes(filepath.Join(o.ProjectDir, filepath.FromSlash(name)), now, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	setenv := func(kv string) func(*testing.T, *Options) {
		return func(t *testing.T, o *Options) { o.Env = append(o.Env, kv) }
	}
	// built reports a build made meanwhile by another run (another stage's
	// synth after the edit): the build cache is current, this stage's
	// bundle is not.
	builtElsewhere := func(name, body string) func(*testing.T, *Options) {
		return func(t *testing.T, o *Options) {
			write(name, body)(t, o)
			for _, f := range reuseFunctions {
				if _, err := build.Build(context.Background(), build.RequestFor(o.ProjectDir, reuseArtifacts(*o), f)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	const (
		goCode   = "package main\n\nimport \"example.com/app/hlib\"\n\nfunc main() { hlib.Serve(); println(\"v2\") }\n"
		nodeCode = "import { pad } from \"leftpad\";\nimport { greet } from \"./util\";\nexport const handler = async () => pad(greet() + \"!\");\n"
	)
	cases := []struct {
		name   string
		change func(*testing.T, *Options)
		want   string // part of the reason the app reruns; "" = reused
		// With the synthesis reused: the bundles rebuilt (no build-cache
		// hit) and those whose bytes changed (placed), comma-separated.
		built, changed string
	}{
		{"nothing changed", func(*testing.T, *Options) {}, "", "", ""},
		{"app main package edited", edit("main.go"), "main.go changed", "", ""},
		{"package the app imports edited", edit("infra/infra.go"), "infra/infra.go changed", "", ""},
		{"file added to an imported package", write("infra/more.go", "package infra\n"), "infra", "", ""},
		{"go.mod edited", write("go.mod", "module example.com/app\n\ngo 1.23\n"), "go.mod changed", "", ""},
		{"go.sum edited", write("go.sum", "example.com/x v1.0.0 h1:abc=\n"), "go.sum changed", "", ""},
		{"cdktf.json edited", write("cdktf.json", `{"language":"go","app":"go run .","context":{}}`), "cdktf.json changed", "", ""},
		{"SST_ variable set", setenv("SST_FEATURE=on"), "$SST_FEATURE", "", ""},
		{"variable the app reads by name", setenv("APP_TIER=gold"), "$APP_TIER", "", ""},
		{"--region", func(_ *testing.T, o *Options) { o.Region = "eu-west-1" }, "$SST_REGION", "", ""},
		{"--endpoint", func(_ *testing.T, o *Options) { o.Endpoint = "http://127.0.0.1:5000" }, "$SST_ENDPOINT", "", ""},
		{"--profile", func(_ *testing.T, o *Options) { o.Profile = "ci" }, "$SST_PROFILE", "", ""},
		// Handler code: never the app, exactly that bundle.
		{"Go handler edited", write("functions/goh/main.go", goCode), "", "GoFn", "GoFn"},
		{"package the Go handler imports edited", write("hlib/hlib.go", "package hlib\n\nfunc Serve() { println(\"serve\") }\n"), "", "GoFn", "GoFn"},
		{"Node handler edited", write("functions/node/list.ts", nodeCode), "", "NodeFn", "NodeFn"},
		{"file the Node handler imports edited", write("functions/node/util.ts", "export const greet = () => \"hello\";\n"), "", "NodeFn", "NodeFn"},
		{"file a Node loader reads edited", write("functions/node/suffix.txt", "?"), "", "NodeFn", "NodeFn"},
		{"node module the handler imports edited", write("node_modules/leftpad/index.js", "exports.pad = (s) => '  ' + s;\n"), "", "NodeFn", "NodeFn"},
		{"package-lock.json changed", write("package-lock.json", `{"name":"app","lockfileVersion":3,"packages":{}}`), "", "NodeFn", ""},
		{"Node handler comment edited", edit("functions/node/list.ts"), "", "NodeFn", ""},
		{"Python handler edited", edit("functions/py/handler.py"), "", "PyFn", "PyFn"},
		{"Python module added", write("functions/py/util.py", "x = 1\n"), "", "PyFn", "PyFn"},
		{"handler built meanwhile by another run", builtElsewhere("functions/node/list.ts", nodeCode), "", "", "NodeFn"},
		{"migration edited", edit("migrations/001_init.sql"), "migrations/001_init.sql changed", "", ""},
		{"migration added", write("migrations/002_more.sql", "select 1;\n"), "migrations", "", ""},
		{"site file edited", edit("web/index.html"), "web", "", ""},
		{"site file added", write("web/app.js", "1\n"), "web", "", ""},
		{"Go file touched, not changed", touch("main.go"), "", "", ""},
		{"handler touched, not changed", touch("functions/node/list.ts"), "", "", ""},
		{"go.mod touched, not changed", touch("go.mod"), "", "", ""},
		{"unrelated file edited", edit("README.md"), "", "", ""},
		{"unrelated file added", write("notes.txt", "x\n"), "", "", ""},
		{"unrelated variable set", setenv("EDITOR=vi"), "", "", ""},
		{"--force's SST_REBUILD", setenv("SST_REBUILD=1"), "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			o := Options{ProjectDir: dir, App: "go run .", OutDir: filepath.Join(dir, ".sst", "out", "dev"), Stage: "dev", Env: os.Environ()}
			recordReuseProject(t, o)
			tc.change(t, &o)
			m, _, why := Reusable(o)
			switch {
			case tc.want == "" && why != "":
				t.Fatalf("reran for: %s", why)
			case tc.want != "" && why == "":
				t.Fatalf("reused a stale synthesis (want a rerun naming %q)", tc.want)
			case tc.want != "" && !strings.Contains(why, tc.want):
				t.Fatalf("reason %q does not name %q", why, tc.want)
			case tc.want != "":
				return
			}
			rep, err := RefreshBundles(context.Background(), o, m)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rep.Built, ","); got != prefixed("S/", tc.built) {
				t.Errorf("rebuilt %q, want %q", got, prefixed("S/", tc.built))
			}
			if got := strings.Join(rep.Changed, ","); got != prefixed("S/", tc.changed) {
				t.Errorf("changed %q, want %q", got, prefixed("S/", tc.changed))
			}
			// Never stale: what each stack would upload is what a build
			// from scratch makes of the sources now.
			if tc.built != "" || tc.changed != "" {
				fresh := t.TempDir()
				for _, f := range reuseFunctions {
					res, err := build.Build(context.Background(), build.RequestFor(o.ProjectDir, fresh, f))
					if err != nil {
						t.Fatal(err)
					}
					want, _ := os.ReadFile(res.ZipPath)
					got, err := os.ReadFile(filepath.Join(o.OutDir, "functions", f.ID+".zip"))
					if err != nil || string(got) != string(want) {
						t.Errorf("%s: the stage's bundle is not a fresh build of the current sources (%v)", f.ID, err)
					}
				}
			}
			if again, err := RefreshBundles(context.Background(), o, m); err != nil || len(again.Built)+len(again.Changed) > 0 {
				t.Errorf("a second refresh did %+v, %v; want nothing", again, err)
			}
		})
	}
}

// prefixed puts p before each name of a comma-separated list.
func prefixed(p, list string) string {
	if list == "" {
		return ""
	}
	return p + strings.ReplaceAll(list, ",", ","+p)
}

// An app of another sst version may write manifest fields this CLI does
// not know: recording the inputs keeps them.
func TestRecordKeepsUnknownManifestFields(t *testing.T) {
	dir := t.TempDir()
	body := `{"version":1,"app":"a","stage":"dev","backend":{"kind":"local"},"stacks":[],"future":{"x":1}}`
	if err := os.WriteFile(manifest.Path(dir), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := record(dir, m, inputs.Set{Unknown: "test"}, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(manifest.Path(dir))
	if !strings.Contains(string(b), `"future": {`) || !strings.Contains(string(b), `"unknown": "test"`) {
		t.Errorf("manifest after record:\n%s", b)
	}
}

// What cannot be listed is never reused: an app command that is not plain
// `go run`, and a stack whose artifact is gone.
func TestReuseRefused(t *testing.T) {
	o, _ := setup(t)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if _, _, why := Reusable(o); !strings.Contains(why, "is not `go run <packages>`") {
		t.Errorf("reason = %q", why)
	}
	for _, app := range []string{"go run -tags x .", "cd sub && go run .", "go run $PKG", "go build ."} {
		if _, ok := goRunPackages(app); ok {
			t.Errorf("%q taken for a plain go run", app)
		}
	}
	if p, ok := goRunPackages("go run ./cmd/app ./lib"); !ok || strings.Join(p, " ") != "./cmd/app ./lib" {
		t.Errorf("go run ./cmd/app ./lib → %v %v", p, ok)
	}
}

// A handler that no longer builds fails the refresh with the compiler's
// message, naming the stack and function, and places nothing: not even
// the other bundle that did build.
func TestRefreshBundlesBuildError(t *testing.T) {
	dir := t.TempDir()
	o := Options{ProjectDir: dir, App: "go run .", OutDir: filepath.Join(dir, ".sst", "out", "dev"), Stage: "dev", Env: os.Environ()}
	recordReuseProject(t, o)
	nodeBundle := filepath.Join(o.OutDir, "functions", "NodeFn.zip")
	before, err := os.ReadFile(nodeBundle)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"functions/goh/main.go":  "package main\n\nfunc main() { undefinedCall() }\n",
		"functions/node/util.ts": "export const greet = () => \"changed\";\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, _, why := Reusable(o)
	if why != "" {
		t.Fatalf("reran for: %s", why)
	}
	_, err = RefreshBundles(context.Background(), o, m)
	if err == nil {
		t.Fatal("a handler that does not compile refreshed without an error")
	}
	for _, want := range []string{"stack S", `function "GoFn"`, "undefinedCall"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q:\n%v", want, err)
		}
	}
	if after, _ := os.ReadFile(nodeBundle); string(after) != string(before) {
		t.Error("the Node bundle was placed although the refresh failed")
	}
}

// A synthesis by an older sst names content-addressed artifacts: the
// refresh must not write over them, and asks for the app to run instead.
func TestRefreshBundlesRefusesContentAddressedPaths(t *testing.T) {
	dir := t.TempDir()
	o := Options{ProjectDir: dir, OutDir: filepath.Join(dir, ".sst", "out", "dev"), Stage: "dev"}
	m := &manifest.Manifest{Stacks: []manifest.Stack{{Name: "S", Dir: "stacks/S", Functions: []manifest.Function{
		{ID: "Fn", Handler: "functions/node/list.handler", Artifact: "../../../../artifacts/Fn-0123456789ab.zip"},
	}}}}
	_, err := RefreshBundles(context.Background(), o, m)
	var stale *StaleError
	if !errors.As(err, &stale) || !strings.Contains(err.Error(), "older sst") {
		t.Errorf("err = %v, want a StaleError naming an older sst", err)
	}
}
