package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sst-tf/sst/manifest"
)

// migrateProject writes a project whose last synth (manifest) has the
// given RDS constructs, each with a migrations dir holding one file.
func migrateProject(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(`{"language":"go","app":"false"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{App: "shop", Stage: "dev", Region: "us-east-1"}
	st := manifest.Stack{Name: "Data", Dir: "stacks/Data"}
	for _, id := range ids {
		rel := "migrations/" + id
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, rel, "0001_init.sql"), []byte("CREATE TABLE t (id int);"), 0o644)
		st.Constructs = append(st.Constructs, manifest.Construct{ID: id, Type: "RDS", Path: id, Data: map[string]string{
			manifest.RDSEngine: "postgresql15.4", manifest.RDSMigrations: rel, manifest.RDSClusterIdentifier: "dev-shop-" + id,
			manifest.RDSClusterArnOutput: "SST_RDS_clusterArn_" + id, manifest.RDSSecretArnOutput: "SST_RDS_secretArn_" + id,
			manifest.RDSDatabaseOutput: "SST_RDS_defaultDatabaseName_" + id,
		}})
	}
	m.Stacks = []manifest.Stack{st}
	out := filepath.Join(dir, ".sst", "out", "dev")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Write(out); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMigrateErrors(t *testing.T) {
	t.Run("no RDS with migrations", func(t *testing.T) {
		newHarness(t, migrateProject(t)).mustFail("has no RDS construct with Migrations", "migrate", "--stage", "dev")
	})
	t.Run("unknown id", func(t *testing.T) {
		newHarness(t, migrateProject(t, "Db")).mustFail(`no RDS construct "Nope" with Migrations: the app has Db`, "migrate", "Nope", "--stage", "dev")
	})
	t.Run("one connection for two databases", func(t *testing.T) {
		newHarness(t, migrateProject(t, "Db", "Audit"), "DATABASE_URL=postgres://u@127.0.0.1:1/x").
			mustFail("$DATABASE_URL names one database but the app has 2", "migrate", "--stage", "dev")
	})
	t.Run("not deployed", func(t *testing.T) {
		newHarness(t, migrateProject(t, "Db")).mustFail(`RDS Db migrations: stage "dev" has no deployed output SST_RDS_clusterArn_Db`, "migrate", "--stage", "dev")
	})
	t.Run("emulator without a connection", func(t *testing.T) {
		// moto's Data API executes nothing: `sst migrate` must not report
		// migrations as applied, and says how to migrate instead.
		dir := migrateProject(t, "Db")
		out := filepath.Join(dir, ".sst", "out", "dev")
		m, err := manifest.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		m.Endpoint = "http://127.0.0.1:5000"
		if err := m.Write(out); err != nil {
			t.Fatal(err)
		}
		newHarness(t, dir).mustFail("RDS Db migrations: the emulator at http://127.0.0.1:5000 has no working Data API (no SQL is executed, no transactions); pass --connection postgres://", "migrate", "--stage", "dev")
	})
	t.Run("bad connection URL", func(t *testing.T) {
		newHarness(t, migrateProject(t, "Db")).mustFail("--connection: connection", "migrate", "--stage", "dev", "--connection", "localhost:5432")
	})
	t.Run("engine mismatch", func(t *testing.T) {
		// Fails at the ping, before the dialect check, unless a MySQL server
		// listens there; either way it must not migrate.
		h := newHarness(t, migrateProject(t, "Db"))
		if code := h.run("migrate", "Db", "--stage", "dev", "--connection", "mysql://u:secret@127.0.0.1:1/app"); code == 0 {
			t.Fatal("migrating a PostgreSQL construct through a MySQL URL succeeded")
		}
		if got := h.err.String(); strings.Contains(got, "secret") {
			t.Errorf("the password was printed:\n%s", got)
		}
	})
}
