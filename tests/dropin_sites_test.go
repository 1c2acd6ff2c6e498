//go:build sst_sites

// Enabled once the site constructs land: run with -tags sst_sites, or
// delete the build line above when merging the sites branch.

package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDropInVite: `sst init` inside a Vite project adds infra/ with a
// StaticSite, and the result synthesizes and validates. The build script
// stands in for `vite build` so the test needs no npm install.
func TestDropInVite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "vite-app")
	files := map[string]string{
		"package.json": `{"name": "vite-app", "private": true,
  "scripts": {"build": "node -e \"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/index.html','<h1>hi</h1>')\""},
  "devDependencies": {"vite": "^5.4.0"}}`,
		"index.html": "<h1>hi</h1>",
		".gitignore": "node_modules\n",
	}
	for name, body := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := mustSST(t, dir, "init")
	if !strings.Contains(r.stdout, "Detected Vite (package.json depends on vite)") {
		t.Errorf("init said:\n%s", r)
	}
	validateProject(t, dir, tfsecBinary(t))
}
