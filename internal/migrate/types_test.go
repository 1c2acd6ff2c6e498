package migrate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	esbuild "github.com/evanw/esbuild/pkg/api"
)

// TestGoTypes migrates a real PostgreSQL database and writes its tables
// as Go structs, which must compile.
func TestGoTypes(t *testing.T) {
	f := newFixture(t, map[string]string{"0001_init.sql": `
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE notes (
  note_id bigserial PRIMARY KEY,
  title text NOT NULL,
  body text,
  tags text[] NOT NULL DEFAULT '{}',
  scores int4[],
  price numeric(10,2),
  done boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  due date,
  meta jsonb,
  blob bytea,
  rating real,
  feeling mood
);
CREATE TABLE "user-settings" (id int PRIMARY KEY, "2fa" boolean);
CREATE VIEW recent AS SELECT note_id FROM notes;`})
	if _, err := f.run(Options{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cols, err := ReadColumns(ctx, SQL(f.db, Postgres), Postgres)
	if err != nil {
		t.Fatal(err)
	}
	src, err := GoTypes("db", cols)
	if err != nil {
		t.Fatal(err)
	}
	got := string(src)
	for _, want := range []string{
		"package db",
		"type Notes struct",
		"NoteId    int64           `db:\"note_id\" json:\"note_id\"`",
		"Body      *string",
		"Tags      []string",
		"Scores    []int32",
		"Price     *string",
		"Done      bool",
		"CreatedAt time.Time",
		"Due       *time.Time",
		"Meta      json.RawMessage",
		"Blob      []byte",
		"Rating    *float32",
		"Feeling   *string",
		"type UserSettings struct",
		"X2fa *bool",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("generated source lacks %q:\n%s", want, got)
		}
	}
	// Views and the runner's own table are not rows an app writes.
	if strings.Contains(got, "Recent") || strings.Contains(got, "SstMigrations") {
		t.Errorf("a view or sst_migrations became a type:\n%s", got)
	}
	// The same schema as TypeScript: every table an interface, DB naming
	// them, and esbuild parses it as TypeScript.
	ts, err := TSTypes(cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"export interface Notes {",
		"  note_id: string;", // bigint: a string, as the pg driver returns it
		"  title: string;",
		"  body: string | null;",
		"  tags: string[];",
		"  scores: number[] | null;",
		"  price: string | null;",
		"  done: boolean;",
		"  created_at: Date;",
		"  due: Date | null;",
		"  meta: unknown | null;",
		"  blob: Buffer | null;",
		"  rating: number | null;",
		"  feeling: string | null;",
		"export interface UserSettings {",
		`  "2fa": boolean | null;`,
		"export interface DB {\n  notes: Notes;\n  \"user-settings\": UserSettings;\n}",
	} {
		if !strings.Contains(string(ts), want) {
			t.Errorf("TypeScript lacks %q:\n%s", want, ts)
		}
	}
	if strings.Contains(string(ts), "recent") || strings.Contains(string(ts), "sst_migrations") {
		t.Errorf("a view or sst_migrations became a TypeScript type:\n%s", ts)
	}
	if r := esbuild.Transform(string(ts), esbuild.TransformOptions{Loader: esbuild.LoaderTS}); len(r.Errors) > 0 {
		t.Errorf("generated TypeScript does not parse: %v\n%s", r.Errors, ts)
	}

	// It compiles.
	dir := t.TempDir()
	for name, content := range map[string]string{"go.mod": "module example\n\ngo 1.22\n", "db/types.go": got} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "vet", "./db")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("generated source does not compile: %v\n%s\n%s", err, out, got)
	}
}

// TestGoTypesBadInput: what cannot be written is an error saying why.
func TestGoTypesBadInput(t *testing.T) {
	if _, err := GoTypes("my-db", nil); err == nil || !strings.Contains(err.Error(), `package name "my-db" is not a Go identifier`) {
		t.Errorf("bad package: %v", err)
	}
	cols := []Column{{Table: "t", Name: "a_b", DataType: "text"}, {Table: "t", Name: "a__b", DataType: "text"}}
	if _, err := GoTypes("db", cols); err == nil || !strings.Contains(err.Error(), `table t: columns "a_b" and "a__b" are both the Go field AB: rename one`) {
		t.Errorf("colliding names: %v", err)
	}
}
