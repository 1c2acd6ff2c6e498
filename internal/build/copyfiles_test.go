package build

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCopyFiles: copied files and directories land where To says, with
// their modes; editing, adding or removing one rebuilds, and so does a
// change of the CopyFiles list itself; a copy over a built file is
// refused.
func TestCopyFiles(t *testing.T) {
	t.Parallel()
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{
		"functions/fn.py":         "def main(e, c): pass\n",
		"templates/mail.html":     "<p>hi</p>",
		"templates/nested/a.txt":  "a",
		"assets/fonts/font.woff2": "font",
	})
	if err := os.Chmod(filepath.Join(proj, "templates/nested/a.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	req := Request{ProjectDir: proj, Handler: "functions/fn.main", Name: "Fn", OutDir: out, CopyFiles: []CopyFile{
		{From: "templates"},
		{From: "assets/fonts/font.woff2", To: "fonts/f.woff2"},
	}}
	res := mustBuild(t, req)
	entries := unzip(t, res.ZipPath)
	var names []string
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "fn.py,fonts/f.woff2,templates/mail.html,templates/nested/a.txt" {
		t.Fatalf("zip holds %s", got)
	}
	if string(readEntry(t, entries["templates/mail.html"])) != "<p>hi</p>" {
		t.Error("copied file content differs")
	}
	if m := entries["templates/nested/a.txt"].Mode(); m&0o111 == 0 {
		t.Errorf("executable copied as %v", m)
	}
	if !hasInput(res, filepath.Join(proj, "templates/mail.html")) {
		t.Errorf("copied files are not inputs: %v", res.Inputs)
	}
	if again := mustBuild(t, req); !again.Cached {
		t.Error("unchanged copy rebuilt")
	}

	// Edits older than the racy window are caught by size+mtime, newer
	// ones by hash; either way the build reruns.
	old := time.Now().Add(-time.Minute)
	writeTree(t, proj, map[string]string{"templates/mail.html": "<p>bye</p>"})
	os.Chtimes(filepath.Join(proj, "templates/mail.html"), old, old)
	edited := mustBuild(t, req)
	if edited.Cached || edited.Hash == res.Hash {
		t.Error("editing a copied file did not rebuild")
	}
	writeTree(t, proj, map[string]string{"templates/nested/b.txt": "b"})
	if added := mustBuild(t, req); added.Cached {
		t.Error("adding a file to a copied directory did not rebuild")
	}
	fewer := req
	fewer.CopyFiles = req.CopyFiles[:1]
	if r := mustBuild(t, fewer); r.Cached || len(unzip(t, r.ZipPath)) != 4 {
		t.Errorf("a shorter CopyFiles list reused the longer one's artifact (cached %v)", r.Cached)
	}

	clash := req
	clash.CopyFiles = []CopyFile{{From: "templates/mail.html", To: "fn.py"}}
	wantBuildError(t, clash, ErrInvalid, `CopyFiles "templates/mail.html"`, "fn.py", "already holds")
	escape := req
	escape.CopyFiles = []CopyFile{{From: "templates", To: "../x"}}
	wantBuildError(t, escape, ErrInvalid, "inside the project and the bundle")
}
