package jsiiload

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	_ "github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"golang.org/x/mod/modfile"

	"github.com/sst-tf/sst/internal/atomicfile"
)

// TestExpectedVersionsAreGoMods fails when go.mod moves jsii-runtime-go or
// a binding: the linknames, the kernel's cache layout, the registry layout
// and the provider's lazy-index format must then be checked against the
// new versions and Expected updated.
func TestExpectedVersionsAreGoMods(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, r := range f.Require {
		have[r.Mod.Path] = r.Mod.Version
	}
	for path, want := range Expected() {
		if have[path] != want {
			t.Errorf("go.mod requires %s %s; constructs/internal/jsiiload is written against %s: check its linknames, cache layout, registry layout and lazy-index parsing against the new version, then update it", path, have[path], want)
		}
	}
	if err := verifyInputs(); err != nil {
		t.Errorf("verifyInputs: %v", err)
	}
}

func TestLinkedSubmodules(t *testing.T) {
	subs := linkedSubmodules()
	if !slices.Contains(subs, "lambdaFunction") {
		t.Fatalf("linked submodules %v lack lambdaFunction, whose Go package this test links", subs)
	}
	if slices.Contains(subs, "wafv2WebAcl") {
		t.Fatalf("linked submodules %v include wafv2WebAcl, which is not linked", subs)
	}
}

// published reads the provider's package.json, .jsii and lazy index once
// for every test (it unpacks 350 MB).
var published = sync.OnceValues(func() (providerFiles, error) { return readProviderFiles(awsTarball) })

func TestParseLazyIndex(t *testing.T) {
	pf, err := published()
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := parseLazyIndex(pf.lazyIndex)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2076 || dirs["lambdaFunction"] != "lambda-function" || dirs["apigatewayv2Api"] != "apigatewayv2-api" {
		t.Fatalf("%d submodules, lambdaFunction in %q, apigatewayv2Api in %q", len(dirs), dirs["lambdaFunction"], dirs["apigatewayv2Api"])
	}
	for _, bad := range []string{
		"Object.defineProperty(exports, 'a', { get: function () { return require('../escape'); } });",
		"exports.a = require('./a');",
		"Object.defineProperty(exports, 'a', { get: function () { return require('./a'); } });\nObject.defineProperty(exports, 'a', { get: function () { return require('./b'); } });",
		"// nothing",
	} {
		if _, err := parseLazyIndex([]byte(bad)); err == nil {
			t.Errorf("parseLazyIndex accepted %q", bad)
		}
	}
}

// TestPrepareProvider cuts the real provider down to two submodules and
// checks the package holds exactly them, each type as published.
func TestPrepareProvider(t *testing.T) {
	pf, err := published()
	if err != nil {
		t.Fatal(err)
	}
	out, err := buildPrepared(awsTarball, pf, "19.50.0", []string{"lambdaFunction", "s3Bucket"})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	if err := eachFile(out, func(name string, _ int64, r io.Reader) error {
		b, err := io.ReadAll(r)
		files[name] = b
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		switch {
		case name == "package.json", name == ".jsii", name == "lib/lazy-index.js",
			strings.HasPrefix(name, "lib/lambda-function/"), strings.HasPrefix(name, "lib/s3-bucket/"):
		default:
			t.Errorf("unexpected file %s", name)
		}
	}
	if files["lib/lambda-function/index.js"] == nil || files["lib/s3-bucket/index.js"] == nil {
		t.Fatal("a kept submodule's index.js is missing")
	}
	var pkg struct{ Name, Version, Main string }
	if err := json.Unmarshal(files["package.json"], &pkg); err != nil || pkg.Main != "lib/lazy-index.js" || pkg.Name != providerName || pkg.Version != "19.50.0" {
		t.Fatalf("package.json %+v (%v)", pkg, err)
	}
	if !bytes.Equal(files["lib/lazy-index.js"], pf.lazyIndex) {
		t.Error("lib/lazy-index.js differs from the published one")
	}
	var orig, cut struct {
		Types      map[string]json.RawMessage
		Submodules map[string]json.RawMessage
		Name       string
	}
	if err := json.Unmarshal(pf.assembly, &orig); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(files[".jsii"], &cut); err != nil {
		t.Fatal(err)
	}
	want := 0
	for fqn, raw := range orig.Types {
		sub := strings.Split(fqn, ".")[1]
		if sub != "lambdaFunction" && sub != "s3Bucket" {
			continue
		}
		want++
		var a, b any
		json.Unmarshal(raw, &a)
		json.Unmarshal(cut.Types[fqn], &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("type %s differs from the published one", fqn)
		}
	}
	if want == 0 || len(cut.Types) != want || len(cut.Submodules) != 2 || cut.Name != providerName {
		t.Fatalf("prepared assembly %s has %d types (want %d) and %d submodules", cut.Name, len(cut.Types), want, len(cut.Submodules))
	}

	if _, err := buildPrepared(awsTarball, pf, "19.50.0", []string{"noSuchModule"}); err == nil {
		t.Error("an unknown submodule was accepted")
	}
	if _, err := buildPrepared(awsTarball, pf, "19.51.0", nil); err == nil {
		t.Error("a version the package.json does not have was accepted")
	}
}

func TestFilterAssemblyRejectsCrossSubmoduleReference(t *testing.T) {
	asm := `{"name":"@cdktf/provider-aws","schema":"jsii/0.10.0",
	"submodules":{"@cdktf/provider-aws.a":{},"@cdktf/provider-aws.b":{}},
	"types":{"@cdktf/provider-aws.a.A":{"base":"@cdktf/provider-aws.b.B"},"@cdktf/provider-aws.b.B":{}}}`
	dirs := map[string]string{"a": "a", "b": "b"}
	if _, err := filterAssembly([]byte(asm), dirs, map[string]bool{"a": true}); err == nil || !strings.Contains(err.Error(), "refers to submodule b") {
		t.Fatalf("err = %v", err)
	}
	ok := strings.Replace(asm, `"base":"@cdktf/provider-aws.b.B"`, `"base":"cdktf.TerraformResource"`, 1)
	out, err := filterAssembly([]byte(ok), dirs, map[string]bool{"a": true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"@cdktf/provider-aws.a.A"`) || strings.Contains(string(out), `"@cdktf/provider-aws.b.B"`) {
		t.Fatalf("filtered: %s", out)
	}
}

func tarball(t *testing.T, entries ...*tar.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, h := range entries {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

func TestEachFileRejectsLinksAndEscapes(t *testing.T) {
	for _, h := range []*tar.Header{
		{Name: "package/lib/x", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"},
		{Name: "package/../../x", Typeflag: tar.TypeReg, Size: 1},
		{Name: "package/a/../../x", Typeflag: tar.TypeReg, Size: 1},
	} {
		err := eachFile(tarball(t, h), func(string, int64, io.Reader) error { return nil })
		if err == nil {
			t.Errorf("entry %s (%c) accepted", h.Name, h.Typeflag)
		}
	}
}

// TestPopulateConcurrently: many writers of one entry leave one complete
// entry and no staging directory, and none fails.
func TestPopulateConcurrently(t *testing.T) {
	root := t.TempDir()
	tb := tarball(t, &tar.Header{Name: "package/package.json", Typeflag: tar.TypeReg, Size: 3, Mode: 0o644},
		&tar.Header{Name: "package/lib/index.js", Typeflag: tar.TypeReg, Size: 5, Mode: 0o644})
	dir := entryDir(root, "@scope/pkg", "1.2.3", tb)
	if rel, _ := filepath.Rel(root, dir); !strings.HasPrefix(rel, filepath.Join("@scope", "pkg", "1.2.3")+string(filepath.Separator)) || len(filepath.Base(dir)) != 64 {
		t.Fatalf("entry dir %s", rel)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = populate(dir, tb)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if !complete(dir) {
		t.Fatal("entry not complete")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "lib", "index.js")); err != nil || string(b) != "xxxxx" {
		t.Fatalf("lib/index.js = %q, %v", b, err)
	}
	siblings, _ := os.ReadDir(filepath.Dir(dir))
	if len(siblings) != 1 {
		t.Fatalf("%d entries beside the cache entry (staging left behind?)", len(siblings))
	}
	// A directory without the marker (a kernel that died extracting) is
	// left to the kernel to repair, and reported.
	partial := entryDir(root, "other", "1.0.0", tb)
	os.MkdirAll(partial, 0o755)
	if err := populate(partial, tb); err == nil {
		t.Error("a partial entry was reported complete")
	}
}

func TestReadVerified(t *testing.T) {
	base := filepath.Join(t.TempDir(), "p")
	if _, ok := readVerified(base); ok {
		t.Fatal("nothing there, but verified")
	}
	sum := sha256.Sum256([]byte("package"))
	atomicfile.Write(base+".tgz", []byte("package"), 0o644)
	atomicfile.Write(base+".sha256", []byte(hex.EncodeToString(sum[:])+"\n"), 0o644)
	if b, ok := readVerified(base); !ok || string(b) != "package" {
		t.Fatalf("a good copy was not verified: %q", b)
	}
	atomicfile.Write(base+".tgz", []byte("packagf"), 0o644)
	if _, ok := readVerified(base); ok {
		t.Fatal("a tarball whose hash is not the recorded one was verified")
	}
}

// TestPrepareFallsBackWithWarning: a provider tarball that is not the
// pinned one is loaded as it is, with a warning saying so.
func TestPrepareFallsBackWithWarning(t *testing.T) {
	saved := awsTarball
	t.Cleanup(func() { awsTarball = saved })
	awsTarball = []byte("another provider")
	res := prepare()
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], providerName) || !strings.Contains(res.Warnings[0], "loading the whole AWS provider") {
		t.Fatalf("warnings %q", res.Warnings)
	}
	if res.Submodules != nil || string(awsTarball) != "another provider" {
		t.Fatal("the provider was swapped although it is not the pinned one")
	}
}

// TestPopulateCacheUnwritable: a cache root that cannot be created is an
// error naming it (Prepare turns it into a warning and the kernel extracts
// the packages itself).
func TestPopulateCacheUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	t.Setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", filepath.Join(file, "cache"))
	if err := populateCache(); err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("err = %v", err)
	}
	t.Setenv("JSII_RUNTIME_PACKAGE_CACHE", "disabled")
	if err := populateCache(); err != nil {
		t.Fatalf("with the kernel's cache disabled: %v", err)
	}
}
