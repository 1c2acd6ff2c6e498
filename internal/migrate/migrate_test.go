package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
)

// pg is one real PostgreSQL server for the whole test binary; every test
// gets its own database on it.
var pg *testenv.Postgres

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	pg, err = testenv.StartPostgres()
	if err != nil {
		// Fail, never skip: these tests are the proof the runner works.
		fmt.Fprintln(os.Stderr, "migrate tests need PostgreSQL:", err)
		return 1
	}
	defer pg.Stop()
	return m.Run()
}

// fixture is a migrations directory and a database to apply it to.
type fixture struct {
	t   *testing.T
	dir string
	url string
	db  *sql.DB
}

func newFixture(t *testing.T, files map[string]string) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), url: pg.Database(t)}
	for name, sql := range files {
		f.write(name, sql)
	}
	db, d, err := Open(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	if d != Postgres {
		t.Fatalf("dialect %s", d)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	return f
}

func (f *fixture) write(name, content string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) run(o Options) (*Result, error) {
	f.t.Helper()
	ms, err := Load(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	o.Dialect = Postgres
	return Run(context.Background(), SQL(f.db, Postgres), ms, o)
}

// rows reads a query's rows joined as "a|b" strings.
func (f *fixture) rows(q string) []string {
	f.t.Helper()
	rows, err := sqlQuery(context.Background(), f.db, q, nil)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, "|"))
	}
	return out
}

func (f *fixture) tableExists(name string) bool {
	return f.rows("SELECT count(*) FROM information_schema.tables WHERE table_name = '" + name + "'")[0] != "0"
}

func eq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestRunAppliesInOrderOnceAndRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{
		// Lexical order: 0001 < 0002 < 0010, whatever order they were written in.
		"0010_third.sql":  "INSERT INTO log (name) VALUES ('0010');",
		"0001_init.sql":   "-- the log every migration appends to\nCREATE TABLE log (seq serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO log (name) VALUES ('0001');",
		"0002_second.sql": "INSERT INTO log (name) VALUES ('0002');\n",
		"README.md":       "not a migration",
	})
	var events []string
	res, err := f.run(Options{Progress: func(e Event) {
		events = append(events, fmt.Sprintf("%s:%v", e.Name, e.Done))
	}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "applied", res.Applied, []string{"0001_init.sql", "0002_second.sql", "0010_third.sql"})
	eq(t, "log", f.rows("SELECT name FROM log ORDER BY seq"), []string{"0001", "0002", "0010"})
	eq(t, "events", events, []string{"0001_init.sql:false", "0001_init.sql:true", "0002_second.sql:false", "0002_second.sql:true", "0010_third.sql:false", "0010_third.sql:true"})

	ms, _ := Load(f.dir)
	want := []string{}
	for _, m := range ms {
		want = append(want, m.Name+"|"+m.Checksum+"|true")
	}
	eq(t, "sst_migrations", f.rows("SELECT name, checksum, applied_at IS NOT NULL FROM sst_migrations ORDER BY name"), want)

	// Once: a second run applies nothing and appends nothing.
	res, err = f.run(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 0 || res.Current != 3 {
		t.Errorf("second run: %+v", res)
	}
	eq(t, "log after second run", f.rows("SELECT name FROM log ORDER BY seq"), []string{"0001", "0002", "0010"})

	// A new file is applied alone.
	f.write("0011_fourth.sql", "INSERT INTO log (name) VALUES ('0011')")
	res, err = f.run(Options{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "applied", res.Applied, []string{"0011_fourth.sql"})
	eq(t, "log", f.rows("SELECT name FROM log ORDER BY seq"), []string{"0001", "0002", "0010", "0011"})
}

func TestRunFailureStopsAndNamesTheFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{
		"0001_init.sql":  "CREATE TABLE users (id int PRIMARY KEY);",
		"0002_bad.sql":   "CREATE TABLE posts (id int);\n\n-- the mistake:\nALTER TABLE nope ADD COLUMN x int;\n",
		"0003_after.sql": "CREATE TABLE after_bad (id int);",
	})
	_, err := f.run(Options{})
	var me *Error
	if !errors.As(err, &me) {
		t.Fatalf("want *migrate.Error, got %v", err)
	}
	if me.File != "0002_bad.sql" || me.Statement != 2 || me.Line != 4 || !me.RolledBack {
		t.Errorf("error = %+v", me)
	}
	for _, want := range []string{"0002_bad.sql", "statement 2, line 4", `relation "nope" does not exist`, "rolled back", "later migrations were not applied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// The failed file's first statement was rolled back with it, and the
	// file after it never ran.
	if f.tableExists("posts") || f.tableExists("after_bad") {
		t.Error("a statement of the failed file or a later file was applied")
	}
	if !f.tableExists("users") {
		t.Error("0001 was not applied")
	}
	eq(t, "recorded", f.rows("SELECT name FROM sst_migrations ORDER BY name"), []string{"0001_init.sql"})

	// Fixed, the run resumes at the failed file.
	f.write("0002_bad.sql", "CREATE TABLE posts (id int);\nALTER TABLE users ADD COLUMN x int;\n")
	res, err := f.run(Options{})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "applied after fix", res.Applied, []string{"0002_bad.sql", "0003_after.sql"})
}

func TestRunRejectsAnEditedMigration(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"0001_init.sql": "CREATE TABLE a (id int);"})
	if _, err := f.run(Options{}); err != nil {
		t.Fatal(err)
	}
	f.write("0001_init.sql", "CREATE TABLE a (id int, name text);")
	f.write("0002_next.sql", "CREATE TABLE b (id int);")
	_, err := f.run(Options{})
	var ce *ChangedError
	if !errors.As(err, &ce) || ce.File != "0001_init.sql" {
		t.Fatalf("want ChangedError for 0001_init.sql, got %v", err)
	}
	if !strings.Contains(err.Error(), "changed after it was applied") || !strings.Contains(err.Error(), "new migration") {
		t.Errorf("message does not say what to do: %v", err)
	}
	// Checked before anything runs: the new file was not applied either.
	if f.tableExists("b") {
		t.Error("a later migration ran despite the checksum mismatch")
	}
	// The dry run reports the same problem.
	if _, err := f.run(Options{DryRun: true}); !errors.As(err, &ce) {
		t.Errorf("dry run: want ChangedError, got %v", err)
	}
}

func TestRunDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{"0001_a.sql": "CREATE TABLE a (id int);", "0002_b.sql": "CREATE TABLE b (id int);"})
	res, err := f.run(Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "would apply", res.Applied, []string{"0001_a.sql", "0002_b.sql"})
	if f.tableExists(Table) || f.tableExists("a") {
		t.Error("a dry run created tables")
	}
	if _, err := f.run(Options{}); err != nil {
		t.Fatal(err)
	}
	f.write("0003_c.sql", "CREATE TABLE c (id int);")
	os.Remove(filepath.Join(f.dir, "0001_a.sql"))
	res, err = f.run(Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "would apply", res.Applied, []string{"0003_c.sql"})
	eq(t, "missing", res.Missing, []string{"0001_a.sql"})
	if f.tableExists("c") {
		t.Error("a dry run applied a migration")
	}
}

func TestRunStatementsThatCannotRunInATransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{
		"0001_table.sql": "CREATE TABLE t (id int, v text);",
		// CREATE INDEX CONCURRENTLY fails inside a transaction block.
		"0002_index.sql": "-- sst:no-transaction\nCREATE INDEX CONCURRENTLY t_v ON t (v);",
		"0003_func.sql": `CREATE FUNCTION bump(i int) RETURNS int AS $$
BEGIN
  RETURN i + 1; -- a semicolon inside the body
END;
$$ LANGUAGE plpgsql;
INSERT INTO t VALUES (bump(1), 'x;y');`,
	})
	if _, err := f.run(Options{}); err != nil {
		t.Fatal(err)
	}
	eq(t, "rows", f.rows("SELECT id, v FROM t"), []string{"2|x;y"})
	eq(t, "index", f.rows("SELECT indexname FROM pg_indexes WHERE tablename = 't'"), []string{"t_v"})
}

func TestRunConcurrentRunsApplyEachFileOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{
		"0001_init.sql": "CREATE TABLE log (name text); INSERT INTO log VALUES ('0001'); SELECT pg_sleep(0.2);",
		"0002_more.sql": "INSERT INTO log VALUES ('0002');",
	})
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.run(Options{})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	eq(t, "log", f.rows("SELECT name FROM log ORDER BY name"), []string{"0001", "0002"})
}

func TestLoad(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing dir: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "0001.sql"), []byte("-- comment\n\n--   sst:no-transaction\nSELECT 1"), 0o644)
	os.WriteFile(filepath.Join(dir, "0002.sql"), []byte("SELECT 1\n-- sst:no-transaction"), 0o644)
	os.Mkdir(filepath.Join(dir, "0003.sql"), 0o755)
	ms, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || !ms[0].NoTransaction || ms[1].NoTransaction {
		t.Errorf("Load = %+v", ms)
	}
}
