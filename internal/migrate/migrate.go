// Package migrate applies a directory of SQL migration files to a database:
// in lexical order of file name (0001_init.sql, 0002_users.sql, …), each
// file once, recorded in the table sst_migrations. It is what `sst deploy`
// and `sst migrate` run for an RDS construct's Migrations.
//
// The runner is engine-neutral (PostgreSQL and MySQL) and talks to the
// database through Conn, with two implementations: a direct connection
// (database/sql with pgx or go-sql-driver/mysql, see Open) and the RDS Data
// API (DataAPI), which needs no network path into the database's VPC.
//
// Rules a migration author can rely on:
//   - A file is split into statements (see Split) and applied inside one
//     transaction together with its row in sst_migrations, so a failing
//     PostgreSQL migration leaves nothing behind and is retried whole on the
//     next run. MySQL commits DDL implicitly: there a failed file may leave
//     the statements before the failing one applied (but never recorded).
//   - A file whose first comment lines include "-- sst:no-transaction" runs
//     statement by statement without a transaction, for commands such as
//     PostgreSQL's CREATE INDEX CONCURRENTLY.
//   - The first failure stops the run: later files are not applied, and the
//     error names the file, the statement's line and the database's error.
//   - An applied file is recorded with the SHA-256 of its content; editing it
//     afterwards is an error, not a silent skip. Add a new file instead.
package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Dialect is the SQL family of the database.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
)

// ParseDialect maps an engine name, as RDS (aurora-postgresql,
// aurora-mysql), an RDS construct (postgresql15.4, mysql8.0) or a URL scheme
// (postgres, postgresql, mysql) spells it, to its dialect.
func ParseDialect(engine string) (Dialect, error) {
	e := strings.TrimPrefix(strings.ToLower(engine), "aurora-")
	switch {
	case strings.HasPrefix(e, "postgres"):
		return Postgres, nil
	case strings.HasPrefix(e, "mysql"):
		return MySQL, nil
	}
	return "", fmt.Errorf("unknown database engine %q: want PostgreSQL or MySQL", engine)
}

// Table records applied migrations: name (the file name), checksum (hex
// SHA-256 of the file) and applied_at.
const Table = "sst_migrations"

// noTransaction marks a file that must not run inside a transaction.
const noTransaction = "sst:no-transaction"

// Migration is one SQL file.
type Migration struct {
	// Name is the file name, which orders and identifies the migration.
	Name string
	SQL  string
	// Checksum is the hex SHA-256 of the file's bytes.
	Checksum string
	// NoTransaction is set by a "-- sst:no-transaction" comment at the top.
	NoTransaction bool
}

// maxName is the width of sst_migrations.name.
const maxName = 255

// Load reads the *.sql files of dir, sorted by name. Other files and
// subdirectories are ignored, so a README can live beside the migrations.
func Load(dir string) ([]Migration, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("migrations directory %s does not exist", dir)
		}
		return nil, fmt.Errorf("migrations directory: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		if len(e.Name()) > maxName {
			return nil, fmt.Errorf("migration %s: file names are recorded in %s and must be at most %d bytes", e.Name(), Table, maxName)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out = append(out, newMigration(e.Name(), b))
	}
	// ReadDir sorts already; sorting here states the contract.
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func newMigration(name string, content []byte) Migration {
	sum := sha256.Sum256(content)
	return Migration{Name: name, SQL: string(content), Checksum: hex.EncodeToString(sum[:]), NoTransaction: hasNoTxMarker(string(content))}
}

// hasNoTxMarker looks for the marker in the comment lines that open the file.
func hasNoTxMarker(sql string) bool {
	for _, line := range strings.Split(sql, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		c, ok := strings.CutPrefix(line, "--")
		if !ok {
			return false
		}
		if strings.TrimSpace(c) == noTransaction {
			return true
		}
	}
	return false
}

// Querier runs single statements. Arguments are bound to the placeholders
// the connection's Placeholder returns.
type Querier interface {
	Exec(ctx context.Context, query string, args ...string) error
	// Query returns every row as strings; NULL is "".
	Query(ctx context.Context, query string, args ...string) ([][]string, error)
}

// Conn is a database the runner can migrate.
type Conn interface {
	Querier
	Begin(ctx context.Context) (Tx, error)
	// Placeholder is the marker of the n-th (1-based) bind argument.
	Placeholder(n int) string
}

// Tx is a transaction of a Conn.
type Tx interface {
	Querier
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Options tune a run.
type Options struct {
	Dialect Dialect
	// DryRun reports what would be applied and changes nothing (not even
	// creating the migrations table).
	DryRun bool
	// Progress, if set, hears about each migration as it starts and ends.
	Progress func(Event)
}

// Event is progress on one migration.
type Event struct {
	Name string
	// Done is false when the migration starts, true when it was applied.
	Done     bool
	Duration time.Duration
}

// Result is what a run did.
type Result struct {
	// Applied lists the migrations applied by this run, in order; in a dry
	// run, those that would be.
	Applied []string
	// Current counts migrations that were already applied.
	Current int
	// Missing lists migrations recorded as applied whose files are gone.
	Missing []string
}

// Error is a migration that failed to apply.
type Error struct {
	File string
	// Statement is the 1-based statement of the file that failed, 0 when the
	// failure was in the bookkeeping around it (begin, record, commit).
	Statement int
	// Line is where that statement starts in the file.
	Line int
	// RolledBack says whether the file's earlier statements were undone.
	RolledBack bool
	Err        error
}

func (e *Error) Error() string {
	where := e.File
	if e.Statement > 0 {
		where = fmt.Sprintf("%s (statement %d, line %d)", e.File, e.Statement, e.Line)
	}
	state := "it was rolled back"
	if !e.RolledBack {
		state = "statements before the failing one may have been applied, but the file is not recorded as applied"
	}
	return fmt.Sprintf("migration %s failed: %v; %s, and later migrations were not applied", where, e.Err, state)
}

func (e *Error) Unwrap() error { return e.Err }

// ChangedError is an applied migration whose file was edited since.
type ChangedError struct {
	File               string
	Recorded, Computed string
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("migration %s was changed after it was applied (checksum recorded %s, file now %s): applied migrations must not be edited — restore the file and put the change in a new migration", e.File, short(e.Recorded), short(e.Computed))
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// Run applies the migrations not yet recorded in conn's database, in
// order, stopping at the first failure. Every applied migration is checked
// against its recorded checksum before anything runs.
func Run(ctx context.Context, conn Conn, migrations []Migration, o Options) (*Result, error) {
	if o.Dialect != Postgres && o.Dialect != MySQL {
		return nil, fmt.Errorf("migrate: unknown dialect %q", o.Dialect)
	}
	for i := 1; i < len(migrations); i++ {
		if migrations[i].Name <= migrations[i-1].Name {
			return nil, fmt.Errorf("migrate: migrations must be sorted by unique name (%s after %s)", migrations[i].Name, migrations[i-1].Name)
		}
	}
	applied := map[string]string{}
	exists := true
	if o.DryRun {
		var err error
		if exists, err = tableExists(ctx, conn, o.Dialect); err != nil {
			return nil, err
		}
	} else if err := conn.Exec(ctx, createTable(o.Dialect)); err != nil {
		// Two runs creating the table at once can make PostgreSQL's IF NOT
		// EXISTS fail in the loser; the table is there all the same.
		if ok, _ := tableExists(ctx, conn, o.Dialect); !ok {
			return nil, fmt.Errorf("create %s table: %w", Table, err)
		}
	}
	if exists {
		rows, err := conn.Query(ctx, "SELECT name, checksum FROM "+Table)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", Table, err)
		}
		for _, r := range rows {
			if len(r) == 2 {
				applied[r[0]] = r[1]
			}
		}
	}

	res := &Result{}
	var pending []Migration
	files := map[string]bool{}
	for _, m := range migrations {
		files[m.Name] = true
		sum, ok := applied[m.Name]
		switch {
		case !ok:
			pending = append(pending, m)
		case sum != m.Checksum:
			return nil, &ChangedError{File: m.Name, Recorded: sum, Computed: m.Checksum}
		default:
			res.Current++
		}
	}
	for name := range applied {
		if !files[name] {
			res.Missing = append(res.Missing, name)
		}
	}
	sort.Strings(res.Missing)
	if o.DryRun {
		for _, m := range pending {
			res.Applied = append(res.Applied, m.Name)
		}
		return res, nil
	}
	for _, m := range pending {
		if o.Progress != nil {
			o.Progress(Event{Name: m.Name})
		}
		start := time.Now()
		done, err := apply(ctx, conn, o.Dialect, m)
		if err != nil {
			return res, err
		}
		if !done {
			// Another run applied it between our read and our lock.
			res.Current++
			continue
		}
		res.Applied = append(res.Applied, m.Name)
		if o.Progress != nil {
			o.Progress(Event{Name: m.Name, Done: true, Duration: time.Since(start)})
		}
	}
	return res, nil
}

func createTable(d Dialect) string {
	if d == MySQL {
		return "CREATE TABLE IF NOT EXISTS " + Table + " (name VARCHAR(255) NOT NULL PRIMARY KEY, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))"
	}
	return "CREATE TABLE IF NOT EXISTS " + Table + " (name VARCHAR(255) NOT NULL PRIMARY KEY, checksum CHAR(64) NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
}

func tableExists(ctx context.Context, conn Conn, d Dialect) (bool, error) {
	schema := "current_schema()"
	if d == MySQL {
		schema = "DATABASE()"
	}
	rows, err := conn.Query(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "+schema+" AND table_name = "+conn.Placeholder(1), Table)
	if err != nil {
		return false, fmt.Errorf("look for %s: %w", Table, err)
	}
	return len(rows) == 1 && len(rows[0]) == 1 && rows[0][0] != "0", nil
}

// apply runs one migration and records it. It reports false when the
// migration turned out to be applied already by a concurrent run.
func apply(ctx context.Context, conn Conn, d Dialect, m Migration) (bool, error) {
	stmts := Split(m.SQL, d)
	record := "INSERT INTO " + Table + " (name, checksum) VALUES (" + conn.Placeholder(1) + ", " + conn.Placeholder(2) + ")"
	fail := func(i int, rolledBack bool, err error) error {
		e := &Error{File: m.Name, RolledBack: rolledBack, Err: err}
		if i >= 0 {
			e.Statement, e.Line = i+1, stmts[i].Line
		}
		return e
	}
	if m.NoTransaction {
		for i, st := range stmts {
			if err := conn.Exec(ctx, st.SQL); err != nil {
				return false, fail(i, false, err)
			}
		}
		if err := conn.Exec(ctx, record, m.Name, m.Checksum); err != nil {
			return false, fail(-1, false, fmt.Errorf("record in %s: %w", Table, err))
		}
		return true, nil
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, fail(-1, true, fmt.Errorf("begin transaction: %w", err))
	}
	// The rollback gets its own context: when ctx was cancelled mid-file,
	// the transaction must still be ended rather than left to time out.
	rollback := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx)
	}
	if d == Postgres {
		// Serializes concurrent runs (two deploys of one stage): the second
		// waits here, then finds the file recorded below.
		if err := tx.Exec(ctx, "LOCK TABLE "+Table+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			rollback()
			return false, fail(-1, true, fmt.Errorf("lock %s: %w", Table, err))
		}
	}
	rows, err := tx.Query(ctx, "SELECT checksum FROM "+Table+" WHERE name = "+conn.Placeholder(1), m.Name)
	if err != nil {
		rollback()
		return false, fail(-1, true, fmt.Errorf("read %s: %w", Table, err))
	}
	if len(rows) > 0 {
		rollback()
		if len(rows[0]) > 0 && rows[0][0] != m.Checksum {
			return false, &ChangedError{File: m.Name, Recorded: rows[0][0], Computed: m.Checksum}
		}
		return false, nil
	}
	for i, st := range stmts {
		if err := tx.Exec(ctx, st.SQL); err != nil {
			rollback()
			return false, fail(i, d == Postgres, err)
		}
	}
	if err := tx.Exec(ctx, record, m.Name, m.Checksum); err != nil {
		rollback()
		return false, fail(-1, d == Postgres, fmt.Errorf("record in %s: %w", Table, err))
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fail(-1, d == Postgres, fmt.Errorf("commit: %w", err))
	}
	return true, nil
}
