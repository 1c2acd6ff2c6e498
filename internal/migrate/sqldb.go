package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Open connects to a database given as a URL:
//
//	postgres://user:password@host:5432/db?sslmode=require   (pgx; any libpq URL)
//	mysql://user:password@host:3306/db?tls=true             (go-sql-driver/mysql)
//
// and returns it with its dialect. The connection is checked with a ping so
// a wrong host or password fails here, not in the middle of a migration.
func Open(ctx context.Context, rawURL string) (*sql.DB, Dialect, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, "", fmt.Errorf("connection %q: want a URL such as postgres://user:password@host:5432/db or mysql://user:password@host:3306/db", Redact(rawURL))
	}
	d, err := ParseDialect(u.Scheme)
	if err != nil {
		return nil, "", fmt.Errorf("connection %s: scheme %q: use postgres:// or mysql://", Redact(rawURL), u.Scheme)
	}
	var db *sql.DB
	switch d {
	case Postgres:
		db, err = sql.Open("pgx", rawURL)
	case MySQL:
		var dsn string
		if dsn, err = mysqlDSN(u); err == nil {
			db, err = sql.Open("mysql", dsn)
		}
	}
	if err != nil {
		return nil, "", fmt.Errorf("connection %s: %w", Redact(rawURL), err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("connect to %s: %w", Redact(rawURL), err)
	}
	return db, d, nil
}

// mysqlDSN turns a mysql:// URL into go-sql-driver's DSN format; query
// parameters are driver parameters (tls, timeout, …).
func mysqlDSN(u *url.URL) (string, error) {
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	if len(u.Path) > 1 {
		cfg.DBName = u.Path[1:]
	}
	base := cfg.FormatDSN()
	if u.RawQuery != "" {
		base += "?" + u.RawQuery
	}
	// Parse again so the driver validates the parameters now.
	parsed, err := mysql.ParseDSN(base)
	if err != nil {
		return "", err
	}
	// Migrations are split into single statements on our side.
	parsed.MultiStatements = false
	return parsed.FormatDSN(), nil
}

// Redact hides the password of a connection URL for messages.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		if err != nil {
			return "(unparsable URL)"
		}
		return rawURL
	}
	return u.Redacted()
}

// SQL adapts a database/sql handle to Conn.
func SQL(db *sql.DB, d Dialect) Conn { return &sqlConn{db: db, d: d} }

type sqlConn struct {
	db *sql.DB
	d  Dialect
}

type execQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (c *sqlConn) Exec(ctx context.Context, q string, args ...string) error {
	return sqlExec(ctx, c.db, q, args)
}

func (c *sqlConn) Query(ctx context.Context, q string, args ...string) ([][]string, error) {
	return sqlQuery(ctx, c.db, q, args)
}

func (c *sqlConn) Placeholder(n int) string {
	if c.d == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

func (c *sqlConn) Begin(ctx context.Context) (Tx, error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return sqlTx{tx}, nil
}

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) Exec(ctx context.Context, q string, args ...string) error {
	return sqlExec(ctx, t.tx, q, args)
}

func (t sqlTx) Query(ctx context.Context, q string, args ...string) ([][]string, error) {
	return sqlQuery(ctx, t.tx, q, args)
}

func (t sqlTx) Commit(context.Context) error   { return t.tx.Commit() }
func (t sqlTx) Rollback(context.Context) error { return t.tx.Rollback() }

func anyArgs(args []string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

func sqlExec(ctx context.Context, db execQueryer, q string, args []string) error {
	_, err := db.ExecContext(ctx, q, anyArgs(args)...)
	return err
}

func sqlQuery(ctx context.Context, db execQueryer, q string, args []string) ([][]string, error) {
	rows, err := db.QueryContext(ctx, q, anyArgs(args)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
