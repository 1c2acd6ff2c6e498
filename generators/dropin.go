package generators

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Framework is a web framework `sst init` recognizes in an existing project.
type Framework struct {
	Name      string // as people write it: "Next.js"
	Construct string // the site construct deploying it: "NextjsSite"
	// Props is the Go composite literal body of the construct's props.
	Props string
	deps  []string // package.json dependencies that identify it
	files []string // config files that identify it
}

// Frameworks are checked in order: the meta-frameworks build on Vite, so
// Vite, which any of them would also match, comes last.
var Frameworks = []Framework{
	{Name: "Next.js", Construct: "NextjsSite", Props: `Path: "."`,
		deps: []string{"next"}, files: []string{"next.config.js", "next.config.mjs", "next.config.ts"}},
	{Name: "Remix", Construct: "RemixSite", Props: `Path: "."`,
		deps: []string{"@remix-run/dev", "@remix-run/react", "@remix-run/node"}, files: []string{"remix.config.js", "remix.config.mjs"}},
	{Name: "Astro", Construct: "AstroSite", Props: `Path: "."`,
		deps: []string{"astro"}, files: []string{"astro.config.mjs", "astro.config.js", "astro.config.ts"}},
	{Name: "SvelteKit", Construct: "SvelteKitSite", Props: `Path: "."`,
		deps: []string{"@sveltejs/kit"}, files: []string{"svelte.config.js", "svelte.config.mjs"}},
	{Name: "SolidStart", Construct: "SolidStartSite", Props: `Path: "."`,
		deps: []string{"@solidjs/start", "solid-start"}, files: []string{"app.config.ts", "app.config.js"}},
	{Name: "Vite", Construct: "StaticSite", Props: `Path: ".", BuildCommand: "npm run build", BuildOutput: "dist"`,
		deps: []string{"vite"}, files: []string{"vite.config.ts", "vite.config.js", "vite.config.mjs"}},
}

// ErrNoFramework is returned by Detect for a directory that is not a
// recognized web project.
var ErrNoFramework = errors.New("no supported web project found")

// Detect finds the framework of the web project in dir from its
// package.json dependencies, then from its config files. evidence says
// which one decided.
func Detect(dir string) (fw Framework, evidence string, err error) {
	deps := map[string]bool{}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return Framework{}, "", err
	default:
		var pkg struct {
			Dependencies    map[string]string `json:"dependencies"`
			DevDependencies map[string]string `json:"devDependencies"`
		}
		if err := json.Unmarshal(b, &pkg); err != nil {
			return Framework{}, "", fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
		}
		for d := range pkg.Dependencies {
			deps[d] = true
		}
		for d := range pkg.DevDependencies {
			deps[d] = true
		}
	}
	for _, f := range Frameworks {
		for _, d := range f.deps {
			if deps[d] {
				return f, "package.json depends on " + d, nil
			}
		}
	}
	for _, f := range Frameworks {
		// SolidStart's app.config is too generic a name to decide alone.
		if f.Construct == "SolidStartSite" {
			continue
		}
		for _, name := range f.files {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				return f, name, nil
			}
		}
	}
	var names []string
	for _, f := range Frameworks {
		names = append(names, f.Name)
	}
	return Framework{}, "", fmt.Errorf("%s: %w (looked for %s in package.json and their config files); to start a new app instead, run: sst init <dir>", dir, ErrNoFramework, strings.Join(names, ", "))
}

// DropInOptions say where to add infrastructure files.
type DropInOptions struct {
	Dir     string // absolute root of the web project
	Module  string // Go module path of infra/; default "<app>/infra"
	Version string
	Source  string
	Force   bool // overwrite infrastructure files that already exist
}

// DroppedIn is what DropIn detected and wrote.
type DroppedIn struct {
	Framework Framework
	Evidence  string
	Files     []string // slash-separated, relative to Dir
}

// dropInFiles are written by DropIn. The Go module lives in infra/, not
// at the project root, so the go tool never walks node_modules.
var dropInFiles = map[string]string{
	"cdktf.json": `{
  "language": "go",
  "app": "cd infra && go run ."
}
`,
	"infra/go.mod": `module {{.Module}}

go 1.26

require github.com/sst-tf/sst {{.SSTVersion}}
{{if .SSTSource}}
// A local checkout of sst; remove this line to use the published module.
replace github.com/sst-tf/sst => {{.SSTSource}}
{{end}}`,
	"infra/main.go": `// Command infra deploys {{.Name}} with sst: ` + "`sst deploy`" + ` at the project
// root runs it to synthesize Terraform for the chosen stage. Paths are
// relative to the project root (where cdktf.json is).
package main

import sst "github.com/sst-tf/sst/constructs"

// Web is the {{.Framework}} site.
func Web(s *sst.Stack) any {
	site := sst.New{{.Construct}}(s, "Site", sst.{{.Construct}}Props{
		{{.Props}},
	})
	s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
	return site
}

func main() {
	sst.Run(sst.Config{Name: "{{.Name}}", Region: "us-east-1"}, Web)
}
`,
}

// DropIn adds the files that deploy an existing web project with sst: a
// cdktf.json at its root, and a Go module in infra/ declaring the site
// construct matching its framework. Existing files are never overwritten
// without Force, and nothing is written when any would be.
func DropIn(opts DropInOptions) (*DroppedIn, error) {
	fw, evidence, err := Detect(opts.Dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(dropInFiles))
	for n := range dropInFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	if !opts.Force {
		var exist []string
		for _, n := range names {
			if _, err := os.Stat(filepath.Join(opts.Dir, filepath.FromSlash(n))); err == nil {
				exist = append(exist, n)
			}
		}
		if len(exist) > 0 {
			return nil, fmt.Errorf("%s already has %s: pass --force to overwrite", opts.Dir, strings.Join(exist, ", "))
		}
	}
	name := AppName(opts.Dir)
	data := struct {
		Data
		Framework, Construct, Props string
	}{Data{Name: name, Module: opts.Module, SSTVersion: RequireVersion(opts.Version), SSTSource: opts.Source}, fw.Name, fw.Construct, fw.Props}
	if data.Module == "" {
		data.Module = DefaultModule(name) + "/infra"
	}
	out := &DroppedIn{Framework: fw, Evidence: evidence}
	rendered := map[string][]byte{}
	for _, n := range names {
		b, err := execTemplate("drop-in/"+n, dropInFiles[n], data)
		if err != nil {
			return nil, err
		}
		rendered[n] = b
	}
	for _, n := range names {
		if err := writeFile(opts.Dir, n, rendered[n]); err != nil {
			return nil, err
		}
		out.Files = append(out.Files, n)
	}
	if err := ignoreSSTDir(opts.Dir); err != nil {
		return nil, err
	}
	return out, nil
}

// ignoreSSTDir adds .sst/ (build output, local state) to an existing
// .gitignore that does not ignore it yet.
func ignoreSSTDir(dir string) error {
	p := filepath.Join(dir, ".gitignore")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if l := strings.TrimSpace(line); l == ".sst" || l == ".sst/" || l == "/.sst" || l == "/.sst/" {
			return nil
		}
	}
	if len(b) > 0 && !strings.HasSuffix(string(b), "\n") {
		b = append(b, '\n')
	}
	return os.WriteFile(p, append(b, "\n# sst\n.sst/\n"...), 0o644)
}
