package generators

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TypeScript and Node's type declarations, pinned: the type-check tests
// run the real compiler.
const (
	typescriptPkg = "typescript@5.6.3"
	nodeTypesPkg  = "@types/node@20.14.10"
)

var (
	tscOnce sync.Once
	tscDir  string // a node_modules parent holding both packages
	tscErr  error
)

// tscModules installs the compiler once per machine into the user cache
// (from the npm registry, which CI reaches) and returns its node_modules.
func tscModules(t *testing.T) string {
	t.Helper()
	tscOnce.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			tscErr = err
			return
		}
		tscDir = filepath.Join(cache, "sst-tests", "typescript-5.6.3")
		if _, err := os.Stat(filepath.Join(tscDir, "node_modules", "typescript", "bin", "tsc")); err == nil {
			if _, err := os.Stat(filepath.Join(tscDir, "node_modules", "@types", "node")); err == nil {
				return
			}
		}
		if err := os.MkdirAll(tscDir, 0o755); err != nil {
			tscErr = err
			return
		}
		cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", tscDir, typescriptPkg, nodeTypesPkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			tscErr = err
			t.Logf("npm install: %s", out)
		}
	})
	if tscErr != nil {
		t.Fatalf("installing %s: %v", typescriptPkg, tscErr)
	}
	return filepath.Join(tscDir, "node_modules")
}

// tsc type-checks dir (strict) with the generated files and returns the
// compiler's output.
func tsc(t *testing.T, dir string) (string, error) {
	t.Helper()
	mods := tscModules(t)
	// The compiler resolves @types from node_modules above the project.
	if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
	write(t, dir, "tsconfig.json", `{"compilerOptions": {"target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler",
  "strict": true, "noEmit": true, "types": ["node"]}, "include": ["*.ts"]}`)
	cmd := exec.Command("node", filepath.Join(mods, "typescript", "bin", "tsc"), "-p", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// typecheckTS: a handler using the generated Resource and process.env
// names compiles; after its resource is removed, it does not.
func typecheckTS(t *testing.T, dir string) {
	t.Helper()
	write(t, dir, "handler.ts", `import { Resource } from "./sst-resource";

export function handler(): string[] {
  const table: string = Resource.Notes.tableName;
  const env: string | undefined = process.env.SST_Table_tableName_Notes;
  return [table, env ?? "", Resource["my-uploads"].bucketName, process.env.SST_STAGE];
}
`)
	if out, err := tsc(t, dir); err != nil {
		b, _ := os.ReadFile(filepath.Join(dir, "sst-resource.ts"))
		t.Fatalf("generated TypeScript does not type-check: %v\n%s\n%s", err, out, b)
	}
	without := map[string][]bound{"F": {{"Bucket", "bucketName", "my-uploads"}}}
	if _, err := WriteTypes(app("nodejs20.x", without), TypesOptions{ProjectDir: dir}); err != nil {
		t.Fatal(err)
	}
	out, err := tsc(t, dir)
	if err == nil || !strings.Contains(out, "Property 'Notes' does not exist on type 'Resources'") {
		t.Errorf("handler using a removed resource still type-checks (%v):\n%s", err, out)
	}
}
