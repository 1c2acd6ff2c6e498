package build

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sst-tf/sst/manifest"
)

// writeNpmTarball writes a package tarball as npm pack makes it (files
// under package/), so npm installs it without any registry.
func writeNpmTarball(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func padPackage(version, pad string) map[string]string {
	return map[string]string{
		"package.json": fmt.Sprintf(`{"name":"localpad","version":%q,"main":"index.js"}`, version),
		"index.js":     fmt.Sprintf("exports.pad = (s) => %q + s;\n", pad),
	}
}

// TestNodeInstall: Nodejs.Install packages are left out of the bundle and
// installed by real npm into its node_modules, at the version the
// project names (a local tarball from package.json, a local directory
// from the lockfile: no registry is reachable here); the bundle runs with
// them. Changing what is installed rebuilds; a package the project does
// not depend on is refused; the host build (sst dev) installs nothing.
func TestNodeInstall(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{
		"package.json":            `{"name":"app","private":true,"dependencies":{"localpad":"file:vendor/localpad-1.2.3.tgz","shout":"file:libs/shout"}}`,
		"package-lock.json":       `{"name":"app","lockfileVersion":3,"packages":{"node_modules/shout":{"resolved":"libs/shout","link":true}}}`,
		"libs/shout/package.json": `{"name":"shout","version":"0.1.0","main":"index.js"}`,
		"libs/shout/index.js":     "exports.shout = (s) => s.toUpperCase();\n",
		"functions/pad.ts":        "import { pad } from \"localpad\";\nimport { shout } from \"shout\";\nexport const handler = async () => pad(shout(\"hi\"));\n",
	})
	tgz := filepath.Join(proj, "vendor/localpad-1.2.3.tgz")
	writeNpmTarball(t, tgz, padPackage("1.2.3", ">>"))
	out := t.TempDir()
	req := Request{ProjectDir: proj, Handler: "functions/pad.handler", Name: "Pad", OutDir: out,
		Node: NodeOptions{Install: []string{"localpad", "shout"}}}

	res := mustBuild(t, req)
	files := unzip(t, res.ZipPath)
	for _, want := range []string{"index.mjs", "node_modules/localpad/index.js", "node_modules/localpad/package.json", "node_modules/shout/index.js"} {
		if files[want] == nil {
			t.Errorf("zip lacks %s: %v", want, keysOf(files))
		}
	}
	for name := range files {
		if strings.Contains(name, ".package-lock.json") || strings.Contains(name, "/.bin/") {
			t.Errorf("zip holds npm's machine-specific %s", name)
		}
	}
	if js := string(readEntry(t, files["index.mjs"])); strings.Contains(js, "toUpperCase") || strings.Contains(js, `">>"`) {
		t.Errorf("installed packages were bundled too:\n%.400s", js)
	}
	if got := runNodeWithModules(t, res.ZipPath); got != ">>HI" {
		t.Errorf("handler with installed packages returned %q, want >>HI", got)
	}
	for _, p := range []string{tgz, filepath.Join(proj, "libs/shout/index.js"), filepath.Join(proj, "package-lock.json")} {
		if !hasInput(res, p) {
			t.Errorf("Inputs lack %s: %v", p, res.Inputs)
		}
	}
	if again := mustBuild(t, req); !again.Cached || again.Hash != res.Hash {
		t.Errorf("unchanged rebuild: cached %v, same hash %v", again.Cached, again.Hash == res.Hash)
	}

	t.Run("local tarball replaced", func(t *testing.T) {
		writeNpmTarball(t, tgz, padPackage("1.2.3", "=="))
		got := mustBuild(t, req)
		if got.Cached || runNodeWithModules(t, got.ZipPath) != "==HI" {
			t.Errorf("a new tarball did not rebuild into the bundle (cached %v)", got.Cached)
		}
	})
	t.Run("local directory package edited", func(t *testing.T) {
		writeTree(t, proj, map[string]string{"libs/shout/index.js": "exports.shout = (s) => s.toUpperCase() + \"!\";\n"})
		got := mustBuild(t, req)
		if got.Cached || !strings.HasSuffix(runNodeWithModules(t, got.ZipPath), "HI!") {
			t.Errorf("an edited local package did not rebuild into the bundle (cached %v)", got.Cached)
		}
	})
	t.Run("other architecture", func(t *testing.T) {
		r := req
		r.Arch = "x86_64"
		if got := mustBuild(t, r); got.Cached {
			t.Error("x86_64 reused the arm64 install (native packages differ)")
		}
	})
	t.Run("host build installs nothing", func(t *testing.T) {
		r := req
		r.Target, r.OutDir = "host", t.TempDir()
		for name := range unzip(t, mustBuild(t, r).ZipPath) {
			if strings.HasPrefix(name, "node_modules/") {
				t.Fatalf("host bundle holds %s", name)
			}
		}
	})
	t.Run("not a dependency", func(t *testing.T) {
		r := req
		r.OutDir = t.TempDir()
		r.Node.Install = []string{"localpad", "shout", "sharp"}
		wantBuildError(t, r, ErrInvalid, `Nodejs.Install: "sharp" is not a dependency in `+filepath.Join(proj, "package.json"), "npm install sharp")
	})
	t.Run("npm fails", func(t *testing.T) {
		p := t.TempDir()
		writeTree(t, p, map[string]string{
			"package.json": `{"dependencies":{"gone":"file:vendor/gone.tgz"}}`,
			"fn.ts":        "export const handler = async () => 1;\n",
		})
		r := Request{ProjectDir: p, Handler: "fn.handler", Name: "Gone", OutDir: t.TempDir(), Node: NodeOptions{Install: []string{"gone"}}}
		wantBuildError(t, r, ErrBundle, "Nodejs.Install: `npm install` of gone failed")
	})
}

func keysOf(m map[string]*zip.File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// runNodeWithModules unpacks the whole bundle and calls its handler.
func runNodeWithModules(t *testing.T, zipPath string) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range unzip(t, zipPath) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, readEntry(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return runNodeIn(t, dir, `import { handler } from "./index.mjs"; console.log(await handler());`)
}

// TestNodeESBuildOptions: Define, KeepNames, Target, MainFields,
// Conditions and Inject reach esbuild, and each is part of the cache key.
func TestNodeESBuildOptions(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{
		"fn.ts":                          "import { which } from \"dual\";\nclass Greeter {}\nexport const handler = async () => [MODE, which, new Greeter().constructor.name, typeof injected].join(\",\");\n",
		"shim.js":                        "export const injected = 1;\n",
		"node_modules/dual/package.json": `{"name":"dual","exports":{"custom":"./custom.js","default":"./main.js"},"main":"./main.js"}`,
		"node_modules/dual/custom.js":    "export const which = \"custom\";\n",
		"node_modules/dual/main.js":      "export const which = \"main\";\n",
	})
	base := Request{ProjectDir: proj, Handler: "fn.handler", Name: "Opts", OutDir: t.TempDir(),
		Node: NodeOptions{Minify: true, Define: map[string]string{"MODE": `"prod"`}}}
	plain := mustBuild(t, base)
	r := base
	r.Node.KeepNames, r.Node.Conditions, r.Node.Inject, r.Node.Target = true, []string{"custom"}, []string{"shim.js"}, "es2020,node18"
	res := mustBuild(t, r)
	if res.Hash == plain.Hash {
		t.Fatal("options did not change the bundle")
	}
	if got := runNode(t, res.ZipPath, "index.mjs", `import { handler } from "./index.mjs"; console.log(await handler());`); got != "prod,custom,Greeter,number" {
		t.Errorf("handler returned %q, want prod,custom,Greeter,number (define, condition, kept name, injected import)", got)
	}
	if !hasInput(res, filepath.Join(proj, "shim.js")) {
		t.Errorf("injected file is not an input: %v", res.Inputs)
	}
	r.Node.Target = "es5x"
	r.OutDir = t.TempDir()
	wantBuildError(t, r, ErrInvalid, `unknown esbuild target "es5x"`)
}

// TestPythonInstallCommands: the commands run (real pip, from a local
// wheel) in a copy of the source directory, whose result is zipped; the
// source directory stays as it was; requirements.txt is not refused;
// a changed requirement rebuilds; a failing command names itself.
func TestPythonInstallCommands(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	wheels := filepath.Join(proj, "wheels")
	writeWheel(t, filepath.Join(wheels, "greet-1.0-py3-none-any.whl"), "greet", "1.0")
	writeTree(t, proj, map[string]string{
		"functions/py/requirements.txt": "greet==1.0\n",
		"functions/py/fn.py":            "import greet\n\ndef main(e, c):\n    return greet.hello()\n",
	})
	cmd := "python3 -m pip install --quiet --no-index --find-links " + wheels + " -r requirements.txt -t ."
	req := Request{ProjectDir: proj, Handler: "functions/py/fn.main", Name: "Py", OutDir: t.TempDir(),
		Python: PythonOptions{InstallCommands: []string{cmd}}}
	res := mustBuild(t, req)
	files := unzip(t, res.ZipPath)
	if files["greet/__init__.py"] == nil || files["fn.py"] == nil || files["requirements.txt"] == nil {
		t.Fatalf("zip holds %v, want fn.py, requirements.txt and the installed greet/", keysOf(files))
	}
	if _, err := os.Stat(filepath.Join(proj, "functions/py/greet")); err == nil {
		t.Error("the install wrote into the source directory")
	}
	if again := mustBuild(t, req); !again.Cached {
		t.Error("unchanged rebuild was not cached")
	}
	writeWheel(t, filepath.Join(wheels, "greet-2.0-py3-none-any.whl"), "greet", "2.0")
	writeTree(t, proj, map[string]string{"functions/py/requirements.txt": "greet==2.0\n"})
	res2 := mustBuild(t, req)
	if res2.Cached || !strings.Contains(string(readEntry(t, unzip(t, res2.ZipPath)["greet/__init__.py"])), "2.0") {
		t.Error("a changed requirement did not rebuild with the new version")
	}
	bad := req
	bad.OutDir = t.TempDir()
	bad.Python.InstallCommands = []string{"true", "echo nope >&2; exit 3"}
	wantBuildError(t, bad, ErrBundle, `Python.InstallCommands[1] "echo nope >&2; exit 3" failed`, "nope")
}

// writeWheel writes a pure-Python wheel holding module name, whose
// hello() returns its version.
func writeWheel(t *testing.T, path, name, version string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	info := name + "-" + version + ".dist-info/"
	for _, f := range []struct{ name, body string }{
		{name + "/__init__.py", fmt.Sprintf("def hello():\n    return %q\n", "hello "+version)},
		{info + "METADATA", fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version)},
		{info + "WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
		{info + "RECORD", ""},
	} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRequestForCarriesEveryBuildProp: the manifest entry a reused
// synthesis rebuilds from holds every option that shapes a bundle, so a
// refresh never builds something else than the app did.
func TestRequestForCarriesEveryBuildProp(t *testing.T) {
	t.Parallel()
	b := &manifest.FunctionBuild{
		Runtime: "nodejs20.x", Format: "cjs", Minify: true, Sourcemap: true, External: []string{"pg"},
		Install: []string{"sharp"}, Loader: map[string]string{".txt": "text"}, Banner: "/* b */",
		ESBuild: &manifest.ESBuildBuild{Define: map[string]string{"X": "1"}, KeepNames: true, Target: "es2022",
			MainFields: []string{"main"}, Conditions: []string{"worker"}, Inject: []string{"shim.js"}},
		InstallCommands: []string{"pip install -r requirements.txt -t ."},
	}
	r := RequestFor("/p", "/o", manifest.Function{ID: "F", Handler: "h.handler", Build: b})
	want := NodeOptions{Format: "cjs", Minify: true, Sourcemap: true, External: []string{"pg"}, Install: []string{"sharp"},
		Loader: map[string]string{".txt": "text"}, Banner: "/* b */", Define: map[string]string{"X": "1"}, KeepNames: true,
		Target: "es2022", MainFields: []string{"main"}, Conditions: []string{"worker"}, Inject: []string{"shim.js"}}
	if !reflect.DeepEqual(r.Node, want) {
		t.Errorf("Node options = %+v\nwant %+v", r.Node, want)
	}
	if !reflect.DeepEqual(r.Python.InstallCommands, b.InstallCommands) {
		t.Errorf("Python options = %+v", r.Python)
	}
	// Every field of NodeOptions is set above: a new one must be added to
	// RequestFor and here.
	v := reflect.ValueOf(want)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Errorf("NodeOptions.%s is not covered", v.Type().Field(i).Name)
		}
	}
}
