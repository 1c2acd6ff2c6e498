package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/manifest"
)

// appInputs records what running the app reads besides what its build
// steps report in the manifest: cdktf.json, the Go packages `go run`
// compiles from the main module and locally replaced modules (with go.mod,
// go.sum, go.work), and the variables of the app's environment. It is
// taken before the app starts, so a file saved while the app runs counts
// as changed next time. What cannot be listed makes the record Unknown:
// never reused.
func appInputs(ctx context.Context, o Options, env []string) inputs.Set {
	pkgs, ok := goRunPackages(o.App)
	if !ok {
		return inputs.Set{Unknown: fmt.Sprintf("the app command %q is not `go run <packages>`, so the files it reads cannot be listed", o.App)}
	}
	var set inputs.Set
	cfg, err := inputs.HashFiles([]string{filepath.Join(o.ProjectDir, "cdktf.json")})
	if err != nil {
		return inputs.Set{Unknown: fmt.Sprintf("cdktf.json could not be recorded: %v", err)}
	}
	set.Files = cfg
	goSet, err := build.GoPackageInputs(ctx, o.ProjectDir, env, pkgs...)
	if err != nil {
		return inputs.Set{Unknown: fmt.Sprintf("the app's Go packages could not be listed: %v", err)}
	}
	set.Add(goSet)
	names, dynamic, err := envReads(o.ProjectDir, goSet.Files)
	if err != nil {
		return inputs.Set{Unknown: fmt.Sprintf("the app's Go files could not be read: %v", err)}
	}
	set.EnvNames, set.EnvAll = names, dynamic
	return set
}

// goRunPackages returns the packages of an app command that is plain
// `go run <packages>`. Flags and shell syntax would change what is
// compiled in ways not worth parsing: those apps always run.
func goRunPackages(app string) ([]string, bool) {
	f := strings.Fields(app)
	if len(f) < 3 || f[0] != "go" || f[1] != "run" {
		return nil, false
	}
	for _, p := range f[2:] {
		if strings.HasPrefix(p, "-") || strings.ContainsAny(p, "|&;<>()$`\\\"'*?[]#~=%{}") {
			return nil, false
		}
	}
	return f[2:], true
}

var (
	getenvLiteral = regexp.MustCompile(`\b(?:Getenv|LookupEnv)\(\s*"([^"\\]+)"\s*\)`)
	getenvAny     = regexp.MustCompile(`\b(?:Getenv|LookupEnv|Environ|ExpandEnv)\(`)
)

// envReads finds the variables the app's own Go files (those under the
// project directory) read: names given as literals, and whether any read
// is dynamic (a name in a variable, os.Environ, os.ExpandEnv), in which
// case every variable counts. sst's own packages read only SST_* (always
// compared) and are not scanned.
func envReads(projectDir string, files []inputs.File) (names []string, dynamic bool, err error) {
	seen := map[string]bool{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") || !inputs.Within(projectDir, f.Path) {
			continue
		}
		b, err := os.ReadFile(f.Path)
		if err != nil {
			return nil, false, err
		}
		src := string(b)
		lit := getenvLiteral.FindAllStringSubmatch(src, -1)
		for _, m := range lit {
			if !seen[m[1]] {
				seen[m[1]] = true
				names = append(names, m[1])
			}
		}
		if len(getenvAny.FindAllStringIndex(src, -1)) > len(lit) {
			dynamic = true
		}
	}
	return names, dynamic, nil
}

// Reusable returns the stage's last synthesis when none of what it read
// changed, or why it cannot be reused. It never runs the app.
func Reusable(o Options) (*manifest.Manifest, int, string) {
	m, err := manifest.Read(o.OutDir)
	if err != nil {
		return nil, 0, "no earlier synthesis of stage " + o.Stage + " to reuse"
	}
	if m.Inputs == nil {
		return nil, 0, "the last synthesis recorded no inputs (made by an older sst)"
	}
	if m.Stage != o.Stage {
		return nil, 0, "the last synthesis is of another stage"
	}
	for _, s := range m.Stacks {
		dir := filepath.Join(o.OutDir, filepath.FromSlash(s.Dir))
		if _, err := os.Stat(filepath.Join(dir, "cdk.tf.json")); err != nil {
			return nil, 0, "stack " + s.Name + "'s cdk.tf.json is missing"
		}
		for _, a := range s.Artifacts {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(a))); err != nil {
				return nil, 0, "artifact " + a + " of stack " + s.Name + " is missing"
			}
		}
	}
	rel := func(p string) string {
		if r, err := filepath.Rel(o.ProjectDir, p); err == nil {
			return filepath.ToSlash(r)
		}
		return p
	}
	in := m.Inputs
	if why := in.Changed(Env(o.Env, o, o.OutDir), rel); why != "" {
		return nil, 0, why
	}
	return m, len(in.Files) + len(in.Dirs) + len(in.Trees), ""
}

// record completes the manifest the app wrote in dir with what the app
// itself read (taken before it ran) and the environment it ran with. Only
// the "inputs" key is rewritten: an app built with another sst version
// may write fields this CLI does not know, and they must survive.
func record(dir string, m *manifest.Manifest, app inputs.Set, env []string) error {
	set := inputs.Set{}
	if m.Inputs != nil {
		set = *m.Inputs
	} else {
		set.Unknown = "the app recorded no inputs (built with an older sst)"
	}
	set.Add(app)
	if app.Unknown != "" {
		set.Unknown = app.Unknown // the CLI's own reason says more
	}
	set.Env = inputs.EnvDigest(env, set.EnvAll, set.EnvNames)
	m.Inputs = &set

	b, err := os.ReadFile(manifest.Path(dir))
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw["inputs"], err = json.Marshal(set); err != nil {
		return err
	}
	if b, err = json.MarshalIndent(raw, "", "  "); err != nil {
		return err
	}
	return os.WriteFile(manifest.Path(dir), append(b, '\n'), 0o644)
}
