package migrate

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name string
		d    Dialect
		in   string
		want []Statement
	}{
		{"two statements", Postgres, "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n",
			[]Statement{{"CREATE TABLE a (id int)", 1}, {"INSERT INTO a VALUES (1)", 2}}},
		{"no trailing semicolon", Postgres, "SELECT 1", []Statement{{"SELECT 1", 1}}},
		{"comments and blank lines are not statements", Postgres, "-- header;\n\n/* block; */\n;;\nSELECT 1;\n-- trailing;\n",
			[]Statement{{"SELECT 1", 5}}},
		{"semicolon in string", Postgres, "INSERT INTO t VALUES ('a;b', 'it''s;');SELECT 2",
			[]Statement{{"INSERT INTO t VALUES ('a;b', 'it''s;')", 1}, {"SELECT 2", 1}}},
		{"semicolon in quoted identifier", Postgres, `CREATE TABLE "x;y" (id int); SELECT 1`,
			[]Statement{{`CREATE TABLE "x;y" (id int)`, 1}, {"SELECT 1", 1}}},
		{"dollar-quoted function body", Postgres, "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT f();",
			[]Statement{{"CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql", 1}, {"SELECT f()", 6}}},
		{"tagged dollar quote containing $$", Postgres, "DO $body$ BEGIN PERFORM '$$;'; END $body$; SELECT 1",
			[]Statement{{"DO $body$ BEGIN PERFORM '$$;'; END $body$", 1}, {"SELECT 1", 1}}},
		{"positional parameter is not a dollar quote", Postgres, "PREPARE p AS SELECT $1; SELECT 2",
			[]Statement{{"PREPARE p AS SELECT $1", 1}, {"SELECT 2", 1}}},
		{"nested block comments", Postgres, "/* a /* b; */ c; */ SELECT 1; SELECT 2",
			[]Statement{{"SELECT 1", 1}, {"SELECT 2", 1}}},
		{"E string with backslash quote", Postgres, `SELECT E'a\';b'; SELECT 2`,
			[]Statement{{`SELECT E'a\';b'`, 1}, {"SELECT 2", 1}}},
		{"plain string keeps backslash literal", Postgres, `SELECT 'a\'; SELECT 2`,
			[]Statement{{`SELECT 'a\'`, 1}, {"SELECT 2", 1}}},
		{"line of the statement after comments", Postgres, "SELECT 1;\n\n-- next\nSELECT\n2;",
			[]Statement{{"SELECT 1", 1}, {"SELECT\n2", 4}}},
		{"mysql backticks and hash comments", MySQL, "# c;\nCREATE TABLE `a;b` (id int);\nINSERT INTO `a;b` VALUES (1); # done;",
			[]Statement{{"CREATE TABLE `a;b` (id int)", 2}, {"INSERT INTO `a;b` VALUES (1)", 3}}},
		{"mysql backslash escapes", MySQL, `INSERT INTO t VALUES ('a\';b'); SELECT 2`,
			[]Statement{{`INSERT INTO t VALUES ('a\';b')`, 1}, {"SELECT 2", 1}}},
		{"mysql has no dollar quotes", MySQL, "SELECT $$; SELECT 2",
			[]Statement{{"SELECT $$", 1}, {"SELECT 2", 1}}},
		{"unterminated string runs to the end", Postgres, "SELECT 'oops; SELECT 2",
			[]Statement{{"SELECT 'oops; SELECT 2", 1}}},
		{"empty", Postgres, "  \n-- nothing\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Split(c.in, c.d)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Split(%q)\n got %#v\nwant %#v", c.in, got, c.want)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "$$;$$", "'a;'", "/* ; */", "-- ;\n;", "$a$ $b$ ; $a$;", "`;`#\n;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []Dialect{Postgres, MySQL} {
			lines := strings.Count(s, "\n") + 1
			for _, st := range Split(s, d) {
				if st.SQL == "" || st.SQL != strings.TrimSpace(st.SQL) {
					t.Fatalf("%s: statement %q is empty or untrimmed", d, st.SQL)
				}
				if st.Line < 1 || st.Line > lines {
					t.Fatalf("%s: statement %q at line %d of %d", d, st.SQL, st.Line, lines)
				}
				if !strings.Contains(s, st.SQL) {
					t.Fatalf("%s: statement %q is not part of the script", d, st.SQL)
				}
			}
		}
	})
}

func TestParseDialect(t *testing.T) {
	for in, want := range map[string]Dialect{
		"aurora-postgresql": Postgres, "postgresql15.4": Postgres, "postgres": Postgres, "postgresql": Postgres,
		"aurora-mysql": MySQL, "mysql8.0": MySQL, "MySQL": MySQL,
	} {
		if got, err := ParseDialect(in); err != nil || got != want {
			t.Errorf("ParseDialect(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseDialect("sqlite"); err == nil {
		t.Error("ParseDialect(sqlite) succeeded")
	}
}

func TestMySQLDSN(t *testing.T) {
	cases := map[string]string{
		"mysql://admin:p%40ss@db.example.com/app":             "admin:p@ss@tcp(db.example.com:3306)/app",
		"mysql://admin:pw@127.0.0.1:3307/app?tls=skip-verify": "admin:pw@tcp(127.0.0.1:3307)/app?tls=skip-verify",
		"mysql://root@localhost:3306/":                        "root@tcp(localhost:3306)/",
		"mysql://u:pw@h/app?timeout=5s&multiStatements=true":  "u:pw@tcp(h:3306)/app?timeout=5s",
	}
	for in, want := range cases {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := mysqlDSN(u)
		if err != nil || got != want {
			t.Errorf("mysqlDSN(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("postgres://u:secret@h/db"); strings.Contains(got, "secret") {
		t.Errorf("Redact kept the password: %s", got)
	}
}
