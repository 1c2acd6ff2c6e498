package tests

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestConcurrentColdSynths starts four synths of one app at the same
// moment on an empty jsii package cache, once with the prepared AWS
// provider and once loading it whole (SST_FULL_PROVIDER=1): every synth
// succeeds with the same output (the same in both modes), the cache holds
// exactly one complete entry per package (the kernel never had to extract
// one itself) and the temporary directory is left empty.
func TestConcurrentColdSynths(t *testing.T) {
	t.Parallel()
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "jsii"))
	bin := filepath.Join(t.TempDir(), "app")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = testenv.Environ(baseEnv)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var first map[string][]byte
	for _, mode := range []struct {
		name string
		env  map[string]string
	}{{"prepared provider", nil}, {"whole provider", map[string]string{"SST_FULL_PROVIDER": "1"}}} {
		home, tmp := t.TempDir(), t.TempDir()
		outs := make([]string, 4)
		cmds := make([]*exec.Cmd, 4)
		stderrs := make([]bytes.Buffer, 4)
		for i := range cmds {
			work := t.TempDir()
			outs[i] = filepath.Join(work, "out")
			env := map[string]string{
				"HOME": home, "TMPDIR": tmp, "XDG_CACHE_HOME": "",
				"JSII_RUNTIME_PACKAGE_CACHE_ROOT": "", "JSII_RUNTIME_PACKAGE_CACHE": "",
				"SST_STAGE": "jsii", "SST_OUT_DIR": outs[i], "SST_ARTIFACT_DIR": filepath.Join(work, "artifacts"),
				"SST_PROJECT_DIR": dir, "SST_FULL_PROVIDER": "",
			}
			for k, v := range mode.env {
				env[k] = v
			}
			cmds[i] = exec.Command(bin)
			cmds[i].Dir = dir
			cmds[i].Env = testenv.Environ(env)
			cmds[i].Stderr = &stderrs[i]
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i, c := range cmds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = c.Run()
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil || strings.Contains(stderrs[i].String(), "warning") || strings.Contains(stderrs[i].String(), "abnormally") {
				t.Fatalf("%s: synth %d: %v\n%s", mode.name, i, err, stderrs[i].String())
			}
		}
		for i := range outs {
			got := readTree(t, outs[i])
			if len(got) == 0 {
				t.Fatalf("%s: synth %d wrote nothing", mode.name, i)
			}
			if first == nil {
				first = got
			}
			requireSameTree(t, mode.name, first, got)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("%s: the synths left %d entries in TMPDIR, e.g. %s", mode.name, len(left), left[0].Name())
		}
		checkJSIICache(t, filepath.Join(home, ".cache", "aws", "jsii", "package-cache"))
	}
}

// checkJSIICache requires one complete entry per package version and
// nothing else: no staging directory, no lock file of the kernel's.
func checkJSIICache(t *testing.T, root string) {
	t.Helper()
	entries := map[string]int{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if _, err := os.Stat(filepath.Join(p, ".jsii-runtime-package-cache")); err == nil {
				entries[filepath.Dir(rel)]++
				return filepath.SkipDir // the package's own files
			}
		}
		if strings.HasSuffix(d.Name(), ".lock") && d.Name() != ".sst.lock" || strings.Contains(d.Name(), ".sst-") {
			t.Errorf("jsii cache: %s left behind", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"constructs/10.4.2", "cdktf/0.20.11", "@cdktf/provider-aws/19.50.0"} {
		if entries[filepath.FromSlash(pkg)] != 1 {
			t.Errorf("jsii cache: %d complete entries for %s (%v)", entries[filepath.FromSlash(pkg)], pkg, entries)
		}
	}
}

// readTree reads every file under dir, by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func requireSameTree(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s is missing", what, name)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s is extra", what, name)
		}
	}
}

// requireSameWithWholeProvider synthesizes the project again loading the
// whole AWS provider as published and requires every output file — each
// stack's cdk.tf.json, the manifests — byte for byte the same as with the
// prepared provider, which the first synth must have used.
func requireSameWithWholeProvider(t *testing.T, dir, out string, first result) {
	t.Helper()
	if !strings.Contains(first.stdout+first.stderr, "[sst] jsii packages prepared") || strings.Contains(first.stdout+first.stderr, "sst: warning") || strings.Contains(first.stdout+first.stderr, "provider submodules: 0)") {
		t.Fatalf("the synth did not load the prepared provider:\n%s", first)
	}
	prepared := withoutInputs(t, readTree(t, out))
	mustSSTEnv(t, dir, map[string]string{"SST_FULL_PROVIDER": "1"}, "synth", "--stage", "validate")
	requireSameTree(t, "whole provider vs prepared", prepared, withoutInputs(t, readTree(t, out)))
}

// withoutInputs drops the manifest's record of what the synthesis read
// (manifest.Manifest.Inputs): it holds a digest of the environment the app
// ran in, and the second synth's differs by SST_FULL_PROVIDER itself. Every
// other byte of the manifest, and every other file, must still match.
func withoutInputs(t *testing.T, files map[string][]byte) map[string][]byte {
	t.Helper()
	b, ok := files["manifest.json"]
	if !ok {
		return files
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	delete(m, "inputs")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	files["manifest.json"] = out
	return files
}
