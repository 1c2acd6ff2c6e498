package console

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rdsdata/types"

	"github.com/sst-tf/sst/internal/migrate"
	"github.com/sst-tf/sst/manifest"
)

// maxRows bounds a query's result table.
const maxRows = 1000

type migrationView struct {
	Name    string
	Applied bool
}

type rdsView struct {
	Databases  []manifest.Construct
	Selected   *manifest.Construct
	Via        string
	SQL        string
	Columns    []string
	Rows       [][]string
	Truncated  bool
	Affected   int64
	Ran        bool
	Migrations []migrationView
	Applied    []string
}

// database is one RDS construct reached directly or through the Data API.
type database struct {
	c       manifest.Construct
	dialect migrate.Dialect
	db      *sql.DB // direct connection, else the Data API
	data    *migrate.DataAPI
	via     string
}

func (d *database) close() {
	if d.db != nil {
		d.db.Close()
	}
}

func (s *Server) rdsView(r *http.Request) (rdsView, *manifest.Construct, error) {
	v := rdsView{Databases: s.constructs(manifest.RDSTypeName), SQL: r.FormValue("sql")}
	id := r.FormValue("db")
	if id == "" && len(v.Databases) == 1 {
		id = v.Databases[0].ID
	}
	if id == "" {
		return v, nil, nil
	}
	c, ok := find(v.Databases, id)
	if !ok {
		return v, nil, fmt.Errorf("no RDS %q in stage %s", id, s.cur().m.Stage)
	}
	v.Selected = &c
	return v, &c, nil
}

// open connects to an RDS construct's database: the direct connection
// when one was given (it names one database, so only with one RDS), else
// the Data API with the ARNs of the last deploy.
func (s *Server) open(ctx context.Context, c manifest.Construct) (*database, error) {
	dialect, err := migrate.ParseDialect(c.Data[manifest.RDSEngine])
	if err != nil {
		return nil, fmt.Errorf("RDS %s: %w", c.ID, err)
	}
	d := &database{c: c, dialect: dialect}
	if s.cfg.Connection != "" {
		if n := len(s.constructs(manifest.RDSTypeName)); n > 1 {
			return nil, fmt.Errorf("%s names one database but the app has %d RDS constructs: unset it to use the Data API", s.cfg.ConnectionSource, n)
		}
		db, got, err := migrate.Open(ctx, s.cfg.Connection)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.cfg.ConnectionSource, err)
		}
		if got != dialect {
			db.Close()
			return nil, fmt.Errorf("%s is a %s database but RDS %s is %s", s.cfg.ConnectionSource, got, c.ID, dialect)
		}
		d.db, d.via = db, migrate.Redact(s.cfg.Connection)+" ("+s.cfg.ConnectionSource+")"
		return d, nil
	}
	snap := s.cur()
	stack := ""
	for _, st := range snap.m.Stacks {
		if _, ok := find(st.Constructs, c.ID); ok {
			stack = st.Name
		}
	}
	value := func(key string) (string, error) {
		var v string
		if raw, ok := snap.outs[stack][c.Data[key]]; !ok || json.Unmarshal(raw, &v) != nil || v == "" {
			return "", fmt.Errorf("RDS %s: no deployed output %s in stack %s: deploy the stage, or start the console with --connection URL", c.ID, c.Data[key], stack)
		}
		return v, nil
	}
	var arns [3]string
	for i, k := range []string{manifest.RDSClusterArnOutput, manifest.RDSSecretArnOutput, manifest.RDSDatabaseOutput} {
		if arns[i], err = value(k); err != nil {
			return nil, err
		}
	}
	d.data = &migrate.DataAPI{Client: rdsdata.NewFromConfig(s.cfg.AWS), ClusterArn: arns[0], SecretArn: arns[1], Database: arns[2]}
	d.via = "the Data API (" + c.Data[manifest.RDSClusterIdentifier] + ")"
	return d, nil
}

func (d *database) conn() migrate.Conn {
	if d.db != nil {
		return migrate.SQL(d.db, d.dialect)
	}
	return d.data
}

// rdsPage shows the SQL editor and the migrations of the selected database.
func (s *Server) rdsPage(w http.ResponseWriter, r *http.Request) {
	v, c, err := s.rdsView(r)
	if c != nil && err == nil {
		var d *database
		if d, err = s.open(r.Context(), *c); err == nil {
			defer d.close()
			v.Via = d.via
			v.Migrations, err = s.migrations(r.Context(), d)
		}
	}
	s.render(w, "rds", "RDS", v, err)
}

// rdsQuery runs the editor's SQL and shows the rows it returned.
func (s *Server) rdsQuery(w http.ResponseWriter, r *http.Request) {
	v, c, err := s.rdsView(r)
	if c == nil && err == nil {
		err = errors.New("choose a database")
	}
	if err == nil && strings.TrimSpace(v.SQL) == "" {
		err = errors.New("write a SQL statement to run")
	}
	if err == nil {
		var d *database
		if d, err = s.open(r.Context(), *c); err == nil {
			defer d.close()
			v.Via = d.via
			err = d.run(r.Context(), &v)
			var merr error
			v.Migrations, merr = s.migrations(r.Context(), d)
			err = errors.Join(err, merr)
		}
	}
	s.render(w, "rds", "RDS", v, err)
}

func (d *database) run(ctx context.Context, v *rdsView) error {
	v.Ran = true
	if d.db != nil {
		rows, err := d.db.QueryContext(ctx, v.SQL)
		if err != nil {
			return err
		}
		defer rows.Close()
		if v.Columns, err = rows.Columns(); err != nil {
			return err
		}
		for rows.Next() {
			if len(v.Rows) == maxRows {
				v.Truncated = true
				break
			}
			vals := make([]sql.NullString, len(v.Columns))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := make([]string, len(vals))
			for i, x := range vals {
				row[i] = "NULL"
				if x.Valid {
					row[i] = x.String
				}
			}
			v.Rows = append(v.Rows, row)
		}
		return rows.Err()
	}
	out, err := d.data.Client.ExecuteStatement(ctx, &rdsdata.ExecuteStatementInput{
		ResourceArn: aws.String(d.data.ClusterArn), SecretArn: aws.String(d.data.SecretArn), Database: aws.String(d.data.Database),
		Sql: aws.String(v.SQL), IncludeResultMetadata: true,
	})
	if err != nil {
		return err
	}
	for _, m := range out.ColumnMetadata {
		v.Columns = append(v.Columns, aws.ToString(m.Label))
	}
	v.Affected = out.NumberOfRecordsUpdated
	for _, rec := range out.Records {
		row := make([]string, len(rec))
		for i, f := range rec {
			row[i] = dataField(f)
		}
		v.Rows = append(v.Rows, row)
	}
	return nil
}

func dataField(f rdstypes.Field) string {
	switch f := f.(type) {
	case *rdstypes.FieldMemberIsNull:
		return "NULL"
	case *rdstypes.FieldMemberStringValue:
		return f.Value
	case *rdstypes.FieldMemberLongValue:
		return fmt.Sprint(f.Value)
	case *rdstypes.FieldMemberDoubleValue:
		return fmt.Sprint(f.Value)
	case *rdstypes.FieldMemberBooleanValue:
		return fmt.Sprint(f.Value)
	}
	return fmt.Sprintf("%v", f)
}

// migrations lists the construct's migration files, applied or pending,
// with a dry run of internal/migrate (it changes nothing).
func (s *Server) migrations(ctx context.Context, d *database) ([]migrationView, error) {
	dir := d.c.Data[manifest.RDSMigrations]
	if dir == "" {
		return nil, nil
	}
	ms, err := migrate.Load(filepath.Join(s.cfg.ProjectDir, filepath.FromSlash(dir)))
	if err != nil {
		return nil, fmt.Errorf("RDS %s migrations: %w", d.c.ID, err)
	}
	res, err := migrate.Run(ctx, d.conn(), ms, migrate.Options{Dialect: d.dialect, DryRun: true})
	if err != nil {
		return nil, fmt.Errorf("RDS %s migrations: %w", d.c.ID, err)
	}
	pending := map[string]bool{}
	for _, n := range res.Applied {
		pending[n] = true
	}
	var out []migrationView
	for _, m := range ms {
		out = append(out, migrationView{Name: m.Name, Applied: !pending[m.Name]})
	}
	return out, nil
}

// rdsMigrate applies the pending migrations.
func (s *Server) rdsMigrate(w http.ResponseWriter, r *http.Request) {
	v, c, err := s.rdsView(r)
	if c == nil && err == nil {
		err = errors.New("choose a database")
	}
	if err == nil {
		var d *database
		if d, err = s.open(r.Context(), *c); err == nil {
			defer d.close()
			v.Via = d.via
			var ms []migrate.Migration
			ms, err = migrate.Load(filepath.Join(s.cfg.ProjectDir, filepath.FromSlash(c.Data[manifest.RDSMigrations])))
			if err == nil {
				var res *migrate.Result
				res, err = migrate.Run(r.Context(), d.conn(), ms, migrate.Options{Dialect: d.dialect})
				if res != nil {
					v.Applied = res.Applied
				}
			}
			if err != nil {
				err = fmt.Errorf("RDS %s migrations: %w", c.ID, err)
			}
			var lerr error
			v.Migrations, lerr = s.migrations(r.Context(), d)
			err = errors.Join(err, lerr)
		}
	}
	s.render(w, "rds", "RDS", v, err)
}
