package build

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// writeTree creates files (slash paths → contents) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// unzip returns the zip's entries by name, checking the invariants every
// artifact must keep.
func unzip(t *testing.T, path string) map[string]*zip.File {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	out := map[string]*zip.File{}
	var names []string
	for _, f := range zr.File {
		if !f.Modified.Equal(zipEpoch) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, zipEpoch)
		}
		out[f.Name] = f
		names = append(names, f.Name)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("entries not sorted: %v", names)
	}
	return out
}

func readEntry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkHash(t *testing.T, res *Result) {
	t.Helper()
	b, err := os.ReadFile(res.ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != res.Hash {
		t.Errorf("Hash = %s, zip hashes to %s", res.Hash, got)
	}
	if !filepath.IsAbs(res.ZipPath) {
		t.Errorf("ZipPath %s is not absolute", res.ZipPath)
	}
}

func mustBuild(t *testing.T, r Request) *Result {
	t.Helper()
	res, err := Build(context.Background(), r)
	if err != nil {
		t.Fatalf("Build(%s): %v", r.Handler, err)
	}
	checkHash(t, res)
	return res
}

func wantBuildError(t *testing.T, r Request, kind error, contains ...string) {
	t.Helper()
	_, err := Build(context.Background(), r)
	if err == nil {
		t.Fatalf("Build(%q): no error, want %v", r.Handler, kind)
	}
	if !errors.Is(err, kind) {
		t.Errorf("Build(%q): error kind %v, want %v: %v", r.Handler, errors.Unwrap(err), kind, err)
	}
	msg := err.Error()
	if r.Name != "" && !strings.HasPrefix(msg, `function "`+r.Name+`"`) {
		t.Errorf("error does not name the function: %s", msg)
	}
	for _, c := range contains {
		if !strings.Contains(msg, c) {
			t.Errorf("error lacks %q:\n%s", c, msg)
		}
	}
}

// artifacts lists what a build left in OutDir besides cache records.
func artifacts(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func hasInput(res *Result, path string) bool {
	return slices.Contains(res.Inputs, path)
}

var goFixture = map[string]string{
	"go.mod": "module example.com/app\n\ngo 1.22\n",
	"packages/functions/hello/main.go": `package main

import (
	"os"

	"example.com/app/packages/core"
)

func main() { os.Stdout.WriteString(core.Greeting() + "\n") }
`,
	"packages/core/core.go":        "package core\n\nfunc Greeting() string { return \"hello from core\" }\n",
	"packages/lib/lib.go":          "package lib\n\nfunc X() int { return 1 }\n",
	"packages/broken/main.go":      "package main\n\nfunc main() {\n\tundefinedThing()\n}\n",
	"packages/empty/README.md":     "no Go here\n",
	"nested/go.mod":                "module example.com/nested\n\ngo 1.22\n",
	"nested/fn/main.go":            "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"nested\\n\") }\n",
	"packages/functions/notgo.txt": "text\n",
}

func TestGo(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	proj := t.TempDir()
	writeTree(t, proj, goFixture)
	out := filepath.Join(proj, ".sst", "artifacts")
	req := func(handler, arch string) Request {
		return Request{ProjectDir: proj, Handler: handler, Arch: arch, OutDir: out, Name: "Hello/Fn"}
	}

	var arm *Result
	t.Run("arm64", func(t *testing.T) {
		arm = mustBuild(t, req("packages/functions/hello", ""))
		if arm.Cached || arm.Runtime != "provided.al2023" || arm.Handler != "bootstrap" {
			t.Errorf("got %+v", arm)
		}
		if base := filepath.Base(arm.ZipPath); !strings.HasPrefix(base, "Hello-Fn-") || len(base) != len("Hello-Fn-")+12+len(".zip") {
			t.Errorf("zip name %s, want Hello-Fn-<12 hex>.zip", base)
		}
		checkBootstrap(t, arm.ZipPath, elf.EM_AARCH64)
		for _, in := range []string{"packages/functions/hello/main.go", "packages/core/core.go", "go.mod"} {
			if !hasInput(arm, filepath.Join(proj, in)) {
				t.Errorf("Inputs lack %s: %v", in, arm.Inputs)
			}
		}
		for _, in := range arm.Inputs {
			if !filepath.IsAbs(in) {
				t.Errorf("input %s not absolute", in)
			}
		}
	})
	if arm == nil {
		t.FailNow()
	}

	t.Run("cached", func(t *testing.T) {
		again := mustBuild(t, req("packages/functions/hello", "arm64"))
		if !again.Cached || again.Hash != arm.Hash || again.ZipPath != arm.ZipPath {
			t.Errorf("second build: %+v, want cached %+v", again, arm)
		}
	})

	t.Run("go file handler rebuilds byte-identical", func(t *testing.T) {
		// A different handler spelling is a different cache entry, so this
		// really runs the compiler again; the zip must not change.
		res := mustBuild(t, req("packages/functions/hello/main.go", "arm64"))
		if res.Cached {
			t.Fatal("expected a real rebuild")
		}
		if res.Hash != arm.Hash || res.ZipPath != arm.ZipPath {
			t.Errorf("rebuild hash %s, want %s", res.Hash, arm.Hash)
		}
	})

	t.Run("x86_64", func(t *testing.T) {
		res := mustBuild(t, req("packages/functions/hello", "x86_64"))
		checkBootstrap(t, res.ZipPath, elf.EM_X86_64)
		if res.Hash == arm.Hash {
			t.Error("x86_64 and arm64 zips hash the same")
		}
	})

	t.Run("edit invalidates", func(t *testing.T) {
		writeTree(t, proj, map[string]string{"packages/core/core.go": "package core\n\nfunc Greeting() string { return \"hello, edited\" }\n"})
		res := mustBuild(t, req("packages/functions/hello", "arm64"))
		if res.Cached || res.Hash == arm.Hash {
			t.Errorf("after edit: cached=%v hash=%s (old %s)", res.Cached, res.Hash, arm.Hash)
		}
		if _, err := os.Stat(arm.ZipPath); err != nil {
			t.Errorf("old zip removed: %v", err)
		}
		if again := mustBuild(t, req("packages/functions/hello", "arm64")); !again.Cached || again.Hash != res.Hash {
			t.Errorf("build after rebuild not cached: %+v", again)
		}
	})

	t.Run("new file in package invalidates", func(t *testing.T) {
		writeTree(t, proj, map[string]string{"packages/functions/hello/extra.go": "package main\n\nvar extra = 1\n"})
		res := mustBuild(t, req("packages/functions/hello", "arm64"))
		if res.Cached {
			t.Error("adding a .go file to the package did not rebuild")
		}
		if !hasInput(res, filepath.Join(proj, "packages/functions/hello/extra.go")) {
			t.Errorf("Inputs lack extra.go: %v", res.Inputs)
		}
	})

	t.Run("host target runs", func(t *testing.T) {
		r := req("packages/functions/hello", "")
		r.Target = "host"
		res := mustBuild(t, r)
		if got := runBootstrap(t, res.ZipPath); got != "hello, edited\n" {
			t.Errorf("bootstrap printed %q", got)
		}
	})

	t.Run("nested module", func(t *testing.T) {
		r := req("nested/fn", "")
		r.Target = "host"
		res := mustBuild(t, r)
		if got := runBootstrap(t, res.ZipPath); got != "nested\n" {
			t.Errorf("bootstrap printed %q", got)
		}
		if !hasInput(res, filepath.Join(proj, "nested/go.mod")) || hasInput(res, filepath.Join(proj, "go.mod")) {
			t.Errorf("Inputs should hold the nested go.mod only: %v", res.Inputs)
		}
	})

	t.Run("errors", func(t *testing.T) {
		errOut := filepath.Join(t.TempDir(), "artifacts")
		bad := func(handler, runtime string) Request {
			return Request{ProjectDir: proj, Handler: handler, Runtime: runtime, OutDir: errOut, Name: "Bad"}
		}
		wantBuildError(t, bad("packages/lib", ""), ErrNotMain, "package lib, not main", "packages/lib")
		wantBuildError(t, bad("packages/broken", ""), ErrCompile, "go build", "undefined: undefinedThing", "main.go:4:")
		wantBuildError(t, bad("packages/missing", "go"), ErrNotFound, "no Go package directory or .go file", "packages/missing")
		wantBuildError(t, bad("packages/empty", "go"), ErrNotFound, "has no .go files")
		wantBuildError(t, bad("packages/empty", ""), ErrNotFound, "has no .go files")
		wantBuildError(t, bad("packages/functions/notgo.txt", "go"), ErrNotFound, "neither a directory nor a .go file")

		noMod := t.TempDir()
		writeTree(t, noMod, map[string]string{"fn/main.go": "package main\n\nfunc main() {}\n"})
		r := bad("fn", "")
		r.ProjectDir = noMod
		if _, ok := findUp(noMod, "go.mod"); !ok {
			wantBuildError(t, r, ErrNotFound, "no go.mod")
		}

		if left := artifacts(t, errOut); len(left) != 0 {
			t.Errorf("failed builds left %v in the artifact dir", left)
		}
	})
}

func checkBootstrap(t *testing.T, zipPath string, machine elf.Machine) {
	t.Helper()
	files := unzip(t, zipPath)
	if len(files) != 1 || files["bootstrap"] == nil {
		t.Fatalf("zip holds %v, want only bootstrap", files)
	}
	f := files["bootstrap"]
	if f.Mode().Perm() != 0o755 {
		t.Errorf("bootstrap mode %v, want 0755", f.Mode())
	}
	ef, err := elf.NewFile(bytes.NewReader(readEntry(t, f)))
	if err != nil {
		t.Fatalf("bootstrap is not ELF: %v", err)
	}
	if ef.Machine != machine {
		t.Errorf("bootstrap machine %v, want %v", ef.Machine, machine)
	}
}

func runBootstrap(t *testing.T, zipPath string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if err := os.WriteFile(bin, readEntry(t, unzip(t, zipPath)["bootstrap"]), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("run bootstrap: %v", err)
	}
	return string(out)
}

var nodeFixture = map[string]string{
	"package.json": `{"name": "app", "private": true}`,
	"packages/functions/src/list.ts": `import { greet } from "./util";
import { base } from "cjsdep";
import { platform } from "./esmreq";

export const handler = async (event: { name: string }) => ({
  statusCode: 200,
  body: greet(event.name) + " " + base("/a/b.txt") + " " + platform,
});
`,
	"packages/functions/src/util.ts": "export function greet(n: string): string {\n  return `SST_UTIL_MARKER hello ${n}`;\n}\n",
	// The ESM idiom that a banner declaring a top-level require would break.
	"packages/functions/src/esmreq.ts": `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
export const platform: string = require("node:os").platform();
`,
	"packages/functions/src/sdk.ts": `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
export const handler = async () => String(new DynamoDBClient({}));
`,
	"packages/functions/src/bad.ts":    "export const handler = async () => {\n  const a = 1;\n  return a +* 2;\n};\n",
	"packages/functions/src/legacy.js": "module.exports.handler = async () => ({ body: require(\"path\").basename(\"/x/legacy.txt\") });\n",
	"node_modules/cjsdep/package.json": `{"name": "cjsdep", "main": "index.js"}`,
	// A CommonJS dependency calling require() on a builtin: inside an ESM
	// bundle this only works with the createRequire shim.
	"node_modules/cjsdep/index.js": "const p = require(\"path\");\nexports.base = (x) => p.basename(x);\n",
}

func TestNode(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	writeTree(t, proj, nodeFixture)
	out := filepath.Join(proj, ".sst", "artifacts")
	req := func(handler string) Request {
		return Request{ProjectDir: proj, Handler: handler, OutDir: out, Name: "List"}
	}
	_, nodeErr := exec.LookPath("node")

	var first *Result
	t.Run("esm", func(t *testing.T) {
		first = mustBuild(t, req("packages/functions/src/list.handler"))
		if first.Cached || first.Runtime != "nodejs20.x" || first.Handler != "index.handler" {
			t.Errorf("got %+v", first)
		}
		files := unzip(t, first.ZipPath)
		if len(files) != 1 || files["index.mjs"] == nil {
			t.Fatalf("zip holds %v, want index.mjs", files)
		}
		if m := files["index.mjs"].Mode().Perm(); m != 0o644 {
			t.Errorf("index.mjs mode %v", m)
		}
		js := string(readEntry(t, files["index.mjs"]))
		for _, want := range []string{"SST_UTIL_MARKER", "export {", "handler", "createRequire"} {
			if !strings.Contains(js, want) {
				t.Errorf("index.mjs lacks %q", want)
			}
		}
		for _, in := range []string{"packages/functions/src/list.ts", "packages/functions/src/util.ts", "node_modules/cjsdep/index.js", "package.json"} {
			if !hasInput(first, filepath.Join(proj, filepath.FromSlash(in))) {
				t.Errorf("Inputs lack %s: %v", in, first.Inputs)
			}
		}
		if nodeErr == nil {
			got := runNode(t, first.ZipPath, "index.mjs", `import { handler } from "./index.mjs"; console.log((await handler({ name: "ann" })).body);`)
			if want := "SST_UTIL_MARKER hello ann b.txt " + runtime.GOOS; got != want {
				t.Errorf("handler returned %q, want %q", got, want)
			}
		}
	})
	if first == nil {
		t.FailNow()
	}

	t.Run("cached", func(t *testing.T) {
		res := mustBuild(t, req("packages/functions/src/list.handler"))
		if !res.Cached || res.Hash != first.Hash {
			t.Errorf("second build %+v, want cached %s", res, first.Hash)
		}
		// Arch does not change a bundle, so it shares the artifact.
		r := req("packages/functions/src/list.handler")
		r.Arch = "x86_64"
		if res := mustBuild(t, r); !res.Cached || res.Hash != first.Hash {
			t.Errorf("x86_64 build %+v, want cached %s", res, first.Hash)
		}
	})

	t.Run("explicit extension and runtime rebuild byte-identical", func(t *testing.T) {
		r := req("packages/functions/src/list.ts.handler")
		r.Runtime = "nodejs20.x"
		res := mustBuild(t, r)
		if res.Cached || res.Hash != first.Hash {
			t.Errorf("got cached=%v hash=%s, want a fresh build hashing %s", res.Cached, res.Hash, first.Hash)
		}
	})

	t.Run("edit invalidates", func(t *testing.T) {
		writeTree(t, proj, map[string]string{"packages/functions/src/util.ts": "export function greet(n: string): string {\n  return `SST_UTIL_MARKER bye ${n}`;\n}\n"})
		res := mustBuild(t, req("packages/functions/src/list.handler"))
		if res.Cached || res.Hash == first.Hash {
			t.Errorf("after edit: cached=%v hash=%s", res.Cached, res.Hash)
		}
		if !strings.Contains(string(readEntry(t, unzip(t, res.ZipPath)["index.mjs"])), "SST_UTIL_MARKER bye") {
			t.Error("bundle does not hold the edit")
		}
	})

	t.Run("aws sdk stays external", func(t *testing.T) {
		r := req("packages/functions/src/sdk.handler")
		r.Runtime = "nodejs22.x"
		res := mustBuild(t, r)
		if res.Runtime != "nodejs22.x" {
			t.Errorf("Runtime %s", res.Runtime)
		}
		js := string(readEntry(t, unzip(t, res.ZipPath)["index.mjs"]))
		if !strings.Contains(js, `from "@aws-sdk/client-dynamodb"`) {
			t.Errorf("@aws-sdk import was not left external:\n%s", js)
		}
	})

	t.Run("cjs", func(t *testing.T) {
		for _, h := range []string{"packages/functions/src/list.handler", "packages/functions/src/legacy.handler"} {
			r := req(h)
			r.Node.Format = "cjs"
			res := mustBuild(t, r)
			if res.Handler != "index.handler" {
				t.Errorf("Handler %s", res.Handler)
			}
			files := unzip(t, res.ZipPath)
			if len(files) != 1 || files["index.js"] == nil {
				t.Fatalf("zip holds %v, want index.js", files)
			}
			if nodeErr == nil && strings.Contains(h, "legacy") {
				got := runNode(t, res.ZipPath, "index.js", `import m from "./index.js"; console.log((await m.handler()).body);`)
				if got != "legacy.txt" {
					t.Errorf("cjs handler returned %q", got)
				}
			}
		}
	})

	t.Run("sourcemap and minify", func(t *testing.T) {
		r := req("packages/functions/src/list.handler")
		r.Node.Sourcemap, r.Node.Minify, r.Node.Banner = true, true, "/* banner */"
		res := mustBuild(t, r)
		files := unzip(t, res.ZipPath)
		if files["index.mjs"] == nil || files["index.mjs.map"] == nil || len(files) != 2 {
			t.Fatalf("zip holds %v, want index.mjs and its map", files)
		}
		js := string(readEntry(t, files["index.mjs"]))
		if !strings.Contains(js, "sourceMappingURL=index.mjs.map") || !strings.Contains(js, "/* banner */") {
			t.Errorf("bundle lacks map link or banner:\n%.300s", js)
		}
		if m := string(readEntry(t, files["index.mjs.map"])); !strings.Contains(m, "packages/functions/src/util.ts") {
			t.Errorf("map does not name util.ts:\n%.300s", m)
		}
		if res.Hash == first.Hash {
			t.Error("options did not change the artifact")
		}
	})

	t.Run("loader", func(t *testing.T) {
		writeTree(t, proj, map[string]string{
			"packages/functions/src/msg.txt": "LOADED_TEXT_MARKER",
			"packages/functions/src/text.ts": "import msg from \"./msg.txt\";\nexport const handler = async () => msg;\n",
		})
		r := req("packages/functions/src/text.handler")
		r.Node.Loader = map[string]string{".txt": "text"}
		res := mustBuild(t, r)
		if !strings.Contains(string(readEntry(t, unzip(t, res.ZipPath)["index.mjs"])), "LOADED_TEXT_MARKER") {
			t.Error("text loader not applied")
		}
		if !hasInput(res, filepath.Join(proj, "packages/functions/src/msg.txt")) {
			t.Errorf("Inputs lack msg.txt: %v", res.Inputs)
		}
	})

	t.Run("errors", func(t *testing.T) {
		errOut := filepath.Join(t.TempDir(), "artifacts")
		bad := func(handler string) Request {
			return Request{ProjectDir: proj, Handler: handler, OutDir: errOut, Name: "Bad"}
		}
		wantBuildError(t, bad("packages/functions/src/nope.handler"), ErrNotFound, "nothing to build in "+proj)
		r := bad("packages/functions/src/nope.handler")
		r.Runtime = "nodejs20.x"
		wantBuildError(t, r, ErrNotFound, "no file packages/functions/src/nope.{ts,tsx,mts,js,mjs,cjs,jsx} in "+proj, "a .go file in one, a Node/TypeScript file and export", "or a Python file and function")
		r = bad("packages/functions/src/list")
		r.Runtime = "nodejs20.x"
		wantBuildError(t, r, ErrNotFound, "no export name")
		wantBuildError(t, bad("packages/functions/src/bad.handler"), ErrBundle, "packages/functions/src/bad.ts:3:", "return a +* 2")
		wantBuildError(t, bad("packages/functions/src/list.hndler"), ErrNotFound, `does not export "hndler" (it exports handler)`)
		wantBuildError(t, bad("packages/functions/src/legacy.handler"), ErrNotFound, "CommonJS", `"cjs"`)
		wantBuildError(t, bad("packages/functions/src"), ErrNotFound, "has no .go files")

		r = bad("packages/functions/src/list.handler")
		r.Runtime = "java21"
		wantBuildError(t, r, ErrInvalid, `unknown runtime "java21"`, "go, nodejs18.x, nodejs20.x, nodejs22.x, python3.9")
		r = bad("packages/functions/src/list.handler")
		r.Arch = "mips"
		wantBuildError(t, r, ErrInvalid, `unknown architecture "mips"`, "arm64, x86_64")
		r = bad("packages/functions/src/list.handler")
		r.Target = "wasm"
		wantBuildError(t, r, ErrInvalid, `unknown build target "wasm"`, "lambda, host")
		r = bad("packages/functions/src/list.handler")
		r.Node.Format = "umd"
		wantBuildError(t, r, ErrInvalid, `unknown Node format "umd"`, "esm, cjs")
		r = bad("packages/functions/src/list.handler")
		r.Node.Loader = map[string]string{".png": "image"}
		wantBuildError(t, r, ErrInvalid, `unknown loader "image"`, "dataurl")
		r = bad("packages/functions/src/list.handler")
		r.Name = ""
		wantBuildError(t, r, ErrInvalid, "no name")
		wantBuildError(t, bad(""), ErrInvalid, "no handler")
		r = bad("packages/functions/src/list.handler")
		r.ProjectDir = filepath.Join(proj, "missing")
		wantBuildError(t, r, ErrInvalid, "does not exist")

		if left := artifacts(t, errOut); len(left) != 0 {
			t.Errorf("failed builds left %v in the artifact dir", left)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := req("packages/functions/src/sdk.handler")
		r.Node.Minify = true
		if _, err := Build(ctx, r); !errors.Is(err, context.Canceled) {
			t.Errorf("canceled build returned %v", err)
		}
	})
}

// runNode unpacks a bundle and runs script (an ES module) next to it,
// returning its trimmed stdout.
func runNode(t *testing.T, zipPath, entry, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, entry), readEntry(t, unzip(t, zipPath)[entry]), 0o644); err != nil {
		t.Fatal(err)
	}
	return runNodeIn(t, dir, script)
}

// runNodeIn runs script as an ES module in dir and returns its output.
func runNodeIn(t *testing.T, dir, script string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "run.mjs"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.mjs")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func TestDetectRuntime(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{
		"fn/main.go":      "package main\n",
		"src/a.ts":        "export const h = 1;\n",
		"src/b.cjs":       "exports.h = 1;\n",
		"src/only_test/x": "",
	})
	for _, c := range []struct{ handler, runtime, want string }{
		{"fn", "", "go"},
		{"fn/main.go", "", "go"},
		{"src/a.h", "", "nodejs20.x"},
		{"src/b.h", "", "nodejs20.x"},
		{"src/a.h", "nodejs18.x", "nodejs18.x"},
		{"anything", "go", "go"},
	} {
		got, err := DetectRuntime(proj, c.handler, c.runtime)
		if err != nil || got != c.want {
			t.Errorf("DetectRuntime(%q, %q) = %q, %v; want %q", c.handler, c.runtime, got, err, c.want)
		}
	}
	for _, h := range []string{"src/c.h", "src", "src/a", "nope"} {
		if got, err := DetectRuntime(proj, h, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("DetectRuntime(%q) = %q, %v; want ErrNotFound", h, got, err)
		}
	}
	if _, err := DetectRuntime(proj, "src/a.h", "java21"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown runtime: %v", err)
	}
}

func TestZipDeterministic(t *testing.T) {
	t.Parallel()
	files := []zipFile{
		{name: "b.txt", mode: 0o644, data: []byte("b")},
		{name: "a/bootstrap", mode: 0o755, data: []byte("a")},
	}
	one, err := zipBytes(files)
	if err != nil {
		t.Fatal(err)
	}
	two, err := zipBytes([]zipFile{files[1], files[0]})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one, two) {
		t.Error("same files in another order give another zip")
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Api/GET /notes":         "Api-GET--notes",
		"my_fn-1":                "my_fn-1",
		"../..":                  "function",
		"":                       "function",
		"é":                      "function",
		strings.Repeat("x", 100): strings.Repeat("x", 64),
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPython(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{
		"functions/requirements.txt":         "# stdlib and boto3 only\n\n",
		"functions/notes/handler.py":         "from shared import util\ndef main(event, context):\n    return util.ok()\n",
		"functions/shared/util.py":           "def ok():\n    return {'statusCode': 200}\n",
		"functions/shared/__pycache__/u.pyc": "junk",
		"functions/notes/.venv/lib/x.py":     "junk",
		"functions/notes/stale.pyc":          "junk",
		"scripts/solo.py":                    "def run(e, c):\n    return 1\n",
		"scripts/other.py":                   "x = 1\n",
		"deps/requirements.txt":              "boto3\nrequests==2.32.0\n",
		"deps/fn.py":                         "def main(e, c): pass\n",
	})
	if rt, err := DetectRuntime(proj, "functions/notes/handler.main", ""); err != nil || rt != "python3.12" {
		t.Fatalf("DetectRuntime = %q, %v", rt, err)
	}
	out := t.TempDir()
	req := Request{ProjectDir: proj, Handler: "functions/notes/handler.main", Name: "Notes", OutDir: out}
	res, err := Build(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// The zip is the directory holding requirements.txt, so the handler is
	// a dotted module path from there, as SST v2 resolves it.
	if res.Runtime != "python3.12" || res.Handler != "notes.handler.main" || res.Cached {
		t.Errorf("result = %+v", res)
	}
	var names []string
	for n := range unzip(t, res.ZipPath) {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "notes/handler.py,requirements.txt,shared/util.py" {
		t.Errorf("zip holds %s", got)
	}

	// Unchanged: cached, same bytes. A new file in the tree rebuilds.
	again, err := Build(context.Background(), req)
	if err != nil || !again.Cached || again.Hash != res.Hash {
		t.Errorf("second build: %+v, %v", again, err)
	}
	writeTree(t, proj, map[string]string{"functions/shared/more.py": "y = 2\n"})
	changed, err := Build(context.Background(), req)
	if err != nil || changed.Cached || changed.Hash == res.Hash {
		t.Errorf("after adding a file: %+v, %v", changed, err)
	}
	// Byte-identical in a fresh output directory.
	fresh, err := Build(context.Background(), Request{ProjectDir: proj, Handler: req.Handler, Name: "Notes", OutDir: t.TempDir()})
	if err != nil || fresh.Hash != changed.Hash {
		t.Errorf("rebuild elsewhere hashes %s, want %s (%v)", fresh.Hash, changed.Hash, err)
	}

	// Without a marker file the handler's own directory is zipped.
	solo, err := Build(context.Background(), Request{ProjectDir: proj, Handler: "scripts/solo.run", Name: "Solo", OutDir: out, Runtime: "python3.11"})
	if err != nil || solo.Handler != "solo.run" || solo.Runtime != "python3.11" {
		t.Fatalf("solo: %+v, %v", solo, err)
	}
	if len(unzip(t, solo.ZipPath)) != 2 {
		t.Errorf("solo zip: %v", unzip(t, solo.ZipPath))
	}

	wantBuildError(t, Request{ProjectDir: proj, Handler: "deps/fn.main", Name: "Deps", OutDir: out}, ErrInvalid,
		`requirements.txt:1 requires "boto3": dependencies are installed only by Python.InstallCommands`)
	wantBuildError(t, Request{ProjectDir: proj, Handler: "scripts/none.main", Name: "None", OutDir: out, Runtime: "python3.12"}, ErrNotFound,
		"no Python file for it")
}
