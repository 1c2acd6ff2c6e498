package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// PostgresBinEnv names a directory holding initdb and postgres, for
// machines where they are neither on PATH nor in the usual places.
const PostgresBinEnv = "SST_TEST_POSTGRES_BIN"

// Postgres is a throwaway PostgreSQL server: initdb into a temporary
// directory, listening on a free 127.0.0.1 port only, trust authentication
// for the "postgres" user. Start one per test binary (TestMain) and give
// each test its own database with Database.
type Postgres struct {
	// URL connects to the maintenance database "postgres".
	URL string
	// Port is the TCP port on 127.0.0.1.
	Port int

	dir     string
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	admin   *sql.DB
	stop    sync.Once
	n       atomic.Int64
}

// postgresBinDir finds initdb and postgres: $SST_TEST_POSTGRES_BIN, PATH,
// then Debian's and Homebrew's layouts (newest version first).
func postgresBinDir() (string, error) {
	if dir := os.Getenv(PostgresBinEnv); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("%s=%s has no initdb", PostgresBinEnv, dir)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	var dirs []string
	for _, pat := range []string{"/usr/lib/postgresql/*/bin", "/usr/local/opt/postgresql*/bin", "/opt/homebrew/opt/postgresql*/bin"} {
		m, _ := filepath.Glob(pat)
		dirs = append(dirs, m...)
	}
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL's initdb and postgres were not found on PATH or in /usr/lib/postgresql/*/bin: install PostgreSQL (e.g. apt-get install postgresql) or set %s", PostgresBinEnv)
}

func versionOf(dir string) int {
	base := filepath.Base(filepath.Dir(dir))
	n, _ := strconv.Atoi(strings.TrimPrefix(base, "postgresql@"))
	return n
}

// StartPostgres initializes and starts a server. PostgreSQL refuses to run
// as root, so under root both initdb and the server run as an unprivileged
// user (see serverUser) owning the data directory.
func StartPostgres() (*Postgres, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	// Under root the directory must be reachable by the server's user, so
	// it goes under /tmp rather than a TMPDIR that may be private to root.
	parent := ""
	if cred != nil {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "sst-pg-*")
	if err != nil {
		return nil, err
	}
	if err := chownTo(dir, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	runAs(initdb, cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	var errs []error
	// Another process can take the probed port before the server binds it;
	// then the server exits and we try another.
	for range 3 {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		p, err := startPostgres(bin, dir, port, cred)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	os.RemoveAll(dir)
	return nil, fmt.Errorf("starting postgres: %w", errors.Join(errs...))
}

func startPostgres(bin, dir string, port int, cred *procUser) (*Postgres, error) {
	logPath := filepath.Join(dir, fmt.Sprintf("postgres-%d.log", port))
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child keeps its own descriptor
	// Durability settings are off: the data is thrown away after the tests.
	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", filepath.Join(dir, "data"),
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=50")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	runAs(cmd, cred)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Postgres{
		URL:    fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		Port:   port,
		dir:    dir,
		cmd:    cmd,
		exited: make(chan struct{}),
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(logPath); err != nil {
		p.halt()
		return nil, err
	}
	return p, nil
}

func (p *Postgres) waitReady(logPath string) error {
	db, err := sql.Open("pgx", p.URL)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.exited:
			b, _ := os.ReadFile(logPath)
			db.Close()
			return fmt.Errorf("postgres exited on port %d: %v\n%s", p.Port, p.waitErr, b)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			p.admin = db
			return nil
		}
		if time.Now().After(deadline) {
			db.Close()
			return fmt.Errorf("postgres on port %d did not accept connections within 30s: %v", p.Port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Database creates a fresh, empty database and returns its URL, so tests
// sharing one server never see each other's tables.
func (p *Postgres) Database(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), p.n.Add(1))
	if _, err := p.admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, name)
}

// Stop shuts the server down by its PID (fast shutdown, then kill after
// 15 s) and removes its directory.
func (p *Postgres) Stop() {
	p.stop.Do(func() {
		if p.admin != nil {
			p.admin.Close()
		}
		p.halt()
		os.RemoveAll(p.dir)
	})
}

func (p *Postgres) halt() {
	// SIGINT is PostgreSQL's fast shutdown: disconnect clients, checkpoint.
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
