package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rdsdata"
	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/internal/migrate"
	"github.com/sst-tf/sst/manifest"
)

// Environment variables naming a direct database connection for migrations.
const (
	// EnvRDSConnection is read by `sst migrate` and by `sst deploy`.
	EnvRDSConnection = "SST_RDS_CONNECTION"
	// EnvDatabaseURL is read by `sst migrate` only: it often points at a
	// local development database, which a deploy must never migrate by
	// accident.
	EnvDatabaseURL = "DATABASE_URL"
)

type migrateOptions struct {
	connection string
	dryRun     bool
	ids        []string
	// types is the file written with the migrated tables' types: Go
	// structs, or TypeScript interfaces for a .ts file.
	types string
}

func newMigrateCmd(f *Factory, g *Globals) *cobra.Command {
	o := &migrateOptions{}
	cmd := &cobra.Command{
		Use:   "migrate [rds-id...]",
		Short: "Apply pending SQL migrations of the app's RDS databases",
		Long: `Applies the *.sql files of each RDS construct's Migrations directory that the
database has not recorded yet (table sst_migrations), in file-name order, each
in a transaction. The first failure stops the run and names the file.

By default it goes through the RDS Data API, using the cluster and secret ARNs
from the stage's last deploy (.sst/outputs/<stage>.json). With --connection
(or $SST_RDS_CONNECTION, or $DATABASE_URL) it connects directly instead:
postgres://user:password@host:5432/db or mysql://user:password@host:3306/db.
It reads the manifest of the last synth or deploy of the stage and runs the
app only when there is none.`,
		Example: `  sst migrate --dry-run                     # what is pending, nothing changed
  sst migrate Db --stage prod
  sst migrate --types packages/core/db/types.go   # and write the tables as Go structs
  sst migrate --types web/src/db.ts                 # or as TypeScript interfaces (Kysely<DB>)
  SST_RDS_CONNECTION=postgres://user:pw@localhost/app sst migrate   # straight to the database`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			return runCmd(f, g, cmd, o, runMigrate)
		},
	}
	cmd.Flags().StringVar(&o.connection, "connection", "", "connect directly with this database URL instead of the Data API (default: $SST_RDS_CONNECTION, then $DATABASE_URL)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "list pending migrations without applying anything")
	cmd.Flags().StringVar(&o.types, "types", "", "after migrating, write the database's tables to this file: Go structs (its directory names the package), or TypeScript interfaces for a .ts file")
	return cmd
}

// rdsTarget is one RDS construct with migrations.
type rdsTarget struct {
	stack string
	c     manifest.Construct
}

func rdsTargets(m *manifest.Manifest) []rdsTarget {
	var out []rdsTarget
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			if c.Type == manifest.RDSTypeName && c.Data[manifest.RDSMigrations] != "" {
				out = append(out, rdsTarget{stack: st.Name, c: c})
			}
		}
	}
	return out
}

func runMigrate(ctx context.Context, s *session, o *migrateOptions) error {
	m, err := s.manifest(ctx)
	if err != nil {
		return err
	}
	all := rdsTargets(m)
	if len(all) == 0 {
		return fmt.Errorf("app %q has no RDS construct with Migrations in stage %q: set RDSProps.Migrations to a directory of .sql files", m.App, s.stage)
	}
	targets := all
	if len(o.ids) > 0 {
		targets = nil
		for _, id := range o.ids {
			found := false
			for _, t := range all {
				if t.c.ID == id {
					targets = append(targets, t)
					found = true
				}
			}
			if !found {
				var ids []string
				for _, t := range all {
					ids = append(ids, t.c.ID)
				}
				return fmt.Errorf("no RDS construct %q with Migrations: the app has %s", id, strings.Join(ids, ", "))
			}
		}
	}
	if o.types != "" {
		switch {
		case o.dryRun:
			return errors.New("--types writes the schema the migrations leave, which --dry-run does not apply: drop one of them")
		case len(targets) > 1:
			return fmt.Errorf("--types writes one database's tables but %d RDS constructs have migrations: name the one, e.g. sst migrate %s --types FILE", len(targets), targets[0].c.ID)
		}
		abs, err := filepath.Abs(o.types)
		if err != nil {
			return err
		}
		if pkg := filepath.Base(filepath.Dir(abs)); !isTSFile(abs) && !token.IsIdentifier(pkg) {
			return fmt.Errorf("--types %s: the directory %q names the Go package and is not a Go identifier: write the file into a directory such as db/", o.types, pkg)
		}
		o.types = abs
	}
	conn, source := s.rdsConnection(o.connection)
	if conn != "" && len(targets) > 1 {
		return fmt.Errorf("%s names one database but the app has %d RDS constructs with migrations: name the one it is for, e.g. sst migrate %s --connection URL", source, len(targets), targets[0].c.ID)
	}
	outs, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		return err
	}
	w := s.f.IO.Out
	mg := &migrator{s: s, m: m, conn: conn, source: source, dryRun: o.dryRun, types: o.types,
		printf: func(format string, a ...any) { fmt.Fprintf(w, format, a...) }}
	for _, t := range targets {
		if err := mg.run(ctx, t, outs[t.stack]); err != nil {
			return err
		}
	}
	return nil
}

// migrate runs the pending migrations of the RDS constructs of the stack,
// right after it was deployed (or found unchanged): through the Data API
// with the stack's fresh outputs, or through a direct connection when
// `sst deploy --connection` or $SST_RDS_CONNECTION names one.
func (r *stackRunner) migrate(ctx context.Context, outs map[string]json.RawMessage) error {
	all := rdsTargets(r.m)
	mg := &migrator{s: r.s, m: r.m, printf: r.printf, skipEmulated: true}
	mg.conn, mg.source = r.s.deployConnection()
	for _, t := range all {
		if t.stack != r.st.Name {
			continue
		}
		if mg.conn != "" && len(all) > 1 {
			return fmt.Errorf("%s names one database but the app has %d RDS constructs with migrations: unset it to migrate through the Data API, and use `sst migrate <rds-id> --connection URL` for each", mg.source, len(all))
		}
		if err := mg.run(ctx, t, outs); err != nil {
			return err
		}
	}
	return nil
}

// deployConnection is the direct database connection a deploy migrates
// through: --connection, then $SST_RDS_CONNECTION (never $DATABASE_URL,
// which often names a development database).
func (s *session) deployConnection() (conn, source string) {
	if s.connection != "" {
		return s.connection, "--connection"
	}
	if v := s.f.Getenv(EnvRDSConnection); v != "" {
		return v, "$" + EnvRDSConnection
	}
	return "", ""
}

// emulatorDataAPI says why migrations cannot go through an emulator's Data
// API: moto's executes no SQL and has no transactions (BeginTransaction
// answers 404), so nothing could be applied or recorded.
func emulatorDataAPI(id, endpoint string) string {
	return fmt.Sprintf("RDS %s migrations: the emulator at %s has no working Data API (no SQL is executed, no transactions); pass --connection postgres://… (or set $%s) to migrate a database you run, e.g. a local PostgreSQL", id, endpoint, EnvRDSConnection)
}

// migrator applies the migrations of an app's RDS constructs: through a
// direct connection (conn, named by source in messages) or, without one,
// through the Data API with the ARNs in the stack's outputs.
type migrator struct {
	s            *session
	m            *manifest.Manifest
	conn, source string
	// dryRun lists pending migrations and applies none.
	dryRun bool
	// skipEmulated skips (with a warning) rather than fails migrations that
	// would go through an emulator's Data API: a deploy to the emulator
	// must not fail for what the emulator cannot do.
	skipEmulated bool
	// types, when set, is the Go file written with the tables' structs
	// after the migrations ran.
	types  string
	printf func(string, ...any)
}

// run applies (or, dry, lists) one construct's pending migrations.
func (mg *migrator) run(ctx context.Context, t rdsTarget, outs map[string]json.RawMessage) error {
	s, m, connURL, source, dryRun, printf := mg.s, mg.m, mg.conn, mg.source, mg.dryRun, mg.printf
	id := t.c.ID
	fail := func(err error) error { return fmt.Errorf("RDS %s migrations: %w", id, err) }
	dialect, err := migrate.ParseDialect(t.c.Data[manifest.RDSEngine])
	if err != nil {
		return fail(err)
	}
	dir := filepath.Join(s.project.Dir, filepath.FromSlash(t.c.Data[manifest.RDSMigrations]))
	ms, err := migrate.Load(dir)
	if err != nil {
		return fail(err)
	}

	var conn migrate.Conn
	var via string
	if connURL != "" {
		db, d, err := migrate.Open(ctx, connURL)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", source, err))
		}
		defer db.Close()
		if d != dialect {
			return fail(fmt.Errorf("%s is a %s database but RDS %s is %s (%s)", source, d, id, dialect, t.c.Data[manifest.RDSEngine]))
		}
		conn, via = migrate.SQL(db, d), migrate.Redact(connURL)+" ("+source+")"
	} else if manifest.Emulated(m.Endpoint) {
		if mg.skipEmulated {
			printf("  %s %s; skipped\n", s.style.Yellow("warning:"), emulatorDataAPI(id, m.Endpoint))
			return nil
		}
		return errors.New(emulatorDataAPI(id, m.Endpoint))
	} else {
		value := func(key string) (string, error) {
			name := t.c.Data[key]
			raw, ok := outs[name]
			var v string
			if !ok || json.Unmarshal(raw, &v) != nil || v == "" {
				return "", fmt.Errorf("stage %q has no deployed output %s for stack %s in %s: run \"sst deploy --stage %s\" first, or pass --connection", s.stage, name, t.stack, s.outputsPath(), s.stage)
			}
			return v, nil
		}
		cluster, err := value(manifest.RDSClusterArnOutput)
		if err != nil {
			return fail(err)
		}
		secret, err := value(manifest.RDSSecretArnOutput)
		if err != nil {
			return fail(err)
		}
		database, err := value(manifest.RDSDatabaseOutput)
		if err != nil {
			return fail(err)
		}
		cfg, err := s.awsConfig(ctx, m)
		if err != nil {
			return fail(err)
		}
		conn = &migrate.DataAPI{Client: rdsdata.NewFromConfig(cfg), ClusterArn: cluster, SecretArn: secret, Database: database}
		via = "the Data API (" + t.c.Data[manifest.RDSClusterIdentifier] + ")"
	}

	style := s.style
	verb := "Migrating"
	if dryRun {
		verb = "Checking"
	}
	printf("%s RDS %s through %s: %d migration file(s) in %s\n", verb, style.Bold(id), via, len(ms), t.c.Data[manifest.RDSMigrations])
	res, err := migrate.Run(ctx, conn, ms, migrate.Options{
		Dialect: dialect,
		DryRun:  dryRun,
		Progress: func(e migrate.Event) {
			if e.Done {
				printf("  %s %s %s\n", style.Green("✓"), e.Name, style.Dim(progress.FormatDuration(e.Duration)))
			}
		},
	})
	if res != nil {
		for _, name := range res.Missing {
			printf("  %s %s is recorded as applied but its file is gone\n", style.Yellow("warning:"), name)
		}
	}
	if err != nil {
		return fail(err)
	}
	switch {
	case dryRun && len(res.Applied) == 0:
		printf("  up to date (%d applied)\n", res.Current)
	case dryRun:
		printf("  %d pending (dry run, nothing applied):\n", len(res.Applied))
		for _, name := range res.Applied {
			printf("    %s\n", name)
		}
	case len(res.Applied) == 0:
		printf("  up to date (%d applied)\n", res.Current)
	default:
		printf("  applied %d, %d already applied\n", len(res.Applied), res.Current)
	}
	if mg.types != "" {
		if err := writeTypes(ctx, conn, dialect, mg.types); err != nil {
			return fail(err)
		}
		printf("  wrote the tables' types to %s\n", mg.types)
	}
	return nil
}

// writeTypes writes the database's tables (SST v2's RDS types) into file:
// TypeScript interfaces for a .ts file, else Go structs in the package its
// directory names.
func writeTypes(ctx context.Context, conn migrate.Conn, d migrate.Dialect, file string) error {
	cols, err := migrate.ReadColumns(ctx, conn, d)
	if err != nil {
		return err
	}
	var src []byte
	if isTSFile(file) {
		src, err = migrate.TSTypes(cols)
	} else {
		src, err = migrate.GoTypes(filepath.Base(filepath.Dir(file)), cols)
	}
	if err != nil {
		return fmt.Errorf("--types: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, src, 0o644)
}

// isTSFile reports whether --types names a TypeScript file (.ts, .mts,
// .cts), written as interfaces rather than Go structs.
func isTSFile(file string) bool {
	switch filepath.Ext(file) {
	case ".ts", ".mts", ".cts":
		return true
	}
	return false
}
