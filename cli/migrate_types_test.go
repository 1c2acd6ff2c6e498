package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestMigrateTypes: `sst migrate --types FILE` migrates a real PostgreSQL
// and writes its tables as Go structs in the package the directory names.
func TestMigrateTypes(t *testing.T) {
	dir := migrateProject(t, "Db")
	out := filepath.Join(t.TempDir(), "db", "types.go")

	// Bad input first: each refused before anything is migrated.
	h := newHarness(t, dir, "DATABASE_URL=postgres://u@127.0.0.1:1/x")
	h.mustFail("--types writes the schema the migrations leave, which --dry-run does not apply", "migrate", "--stage", "dev", "--dry-run", "--types", out)
	h.mustFail(`the directory "my-db" names the Go package and is not a Go identifier`, "migrate", "--stage", "dev", "--types", filepath.Join(t.TempDir(), "my-db", "types.go"))
	newHarness(t, migrateProject(t, "Db", "Audit")).mustFail("--types writes one database's tables but 2 RDS constructs have migrations", "migrate", "--stage", "dev", "--types", out)
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused run wrote the types file")
	}

	pg, err := testenv.StartPostgres()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	url := pg.Database(t)
	newHarness(t, dir, "DATABASE_URL="+url).mustRun("migrate", "--stage", "dev", "--types", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// migrateProject's migration: CREATE TABLE t (id int);
	for _, want := range []string{"package db", "type T struct", "Id *int32 `db:\"id\" json:\"id\"`"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("types file lacks %q:\n%s", want, b)
		}
	}

	// A .ts file gets TypeScript, whatever its directory is called (no Go
	// package to name); nothing is pending the second time.
	tsOut := filepath.Join(t.TempDir(), "my-web", "db.ts")
	newHarness(t, dir, "DATABASE_URL="+url).mustRun("migrate", "--stage", "dev", "--types", tsOut)
	b, err = os.ReadFile(tsOut)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"export interface T {\n  id: number | null;\n}", "export interface DB {\n  t: T;\n}"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("TypeScript types file lacks %q:\n%s", want, b)
		}
	}
}
