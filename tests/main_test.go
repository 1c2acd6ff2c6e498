// Package tests holds the end-to-end tests: the real `sst` binary, real
// terraform with the real AWS provider, deploying to moto_server on
// loopback, with what was created read back through the AWS SDK.
package tests

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sst-tf/sst/internal/testenv"
)

var (
	sstBin  string // the CLI under test
	repo    string // this checkout, for replace directives
	moto    *testenv.Moto
	baseEnv map[string]string
)

func TestMain(m *testing.M) {
	flag.Parse()
	defaultParallel()
	os.Exit(run(m))
}

// e2eParallel is how many tests of this package run at once unless
// -parallel says otherwise. go test's default, GOMAXPROCS, keeps two of
// them running on a 2-core machine, yet an end-to-end test spends much of
// its time waiting rather than computing: on the AWS provider's fixed
// waits (an SQS queue ~25 s, a CloudFront distribution or an RDS cluster
// ~30 s, a Kinesis stream ~20 s), on the emulator, on a child process.
const e2eParallel = 4

// defaultParallel raises -parallel to e2eParallel when it was not given.
func defaultParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if p := runtime.GOMAXPROCS(0); !given && p < e2eParallel {
		flag.Set("test.parallel", fmt.Sprint(e2eParallel))
	}
}

func run(m *testing.M) int {
	if err := testenv.CheckTools(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e tests need:", err)
		return 1
	}
	_, file, _, _ := runtime.Caller(0)
	repo = filepath.Dir(filepath.Dir(file))
	tmp, err := os.MkdirTemp("", "sst-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	sstBin = filepath.Join(tmp, "sst")
	build := exec.Command("go", "build", "-o", sstBin, "./cli/sst")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build sst: %v\n%s", err, out)
		return 1
	}
	moto, err = testenv.StartMoto()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start moto:", err)
		return 1
	}
	defer moto.Stop()
	mirror, err := testenv.ProviderMirror()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cache, err := testenv.PluginCacheDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Warm the shared plugin cache once, before parallel tests init stacks.
	if _, err := testenv.WriteTerraformEnv(tmp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	baseEnv = testenv.AWSEnv(moto)
	baseEnv["SST_PROVIDER_MIRROR"] = mirror
	baseEnv["SST_PLUGIN_CACHE_DIR"] = cache
	baseEnv["SST_SOURCE"] = repo
	// Projects resolve modules from the local cache only: the suite must
	// not need the network.
	baseEnv["GOPROXY"] = "off"
	baseEnv["GOFLAGS"] = "-mod=mod"
	// Site builds run Next.js, which would otherwise phone home.
	baseEnv["NEXT_TELEMETRY_DISABLED"] = "1"
	defer stopShared()
	return m.Run()
}

// result is one CLI run.
type result struct {
	code           int
	stdout, stderr string
	// emulator holds moto's 5xx answers and tracebacks logged while a
	// failed command ran (other tests' too: they share it).
	emulator string
}

func (r result) String() string {
	s := fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
	if r.emulator != "" {
		s += "\n--- emulator errors meanwhile\n" + r.emulator
	}
	if strings.Contains(r.stderr, "module lookup disabled by GOPROXY=off") {
		s += "\n--- the suite resolves Go modules offline (GOPROXY=off): fill the module cache once with `make modules` in the checkout, as .ci/run does"
	}
	return s
}

// sst runs the CLI in dir with the suite's environment.
func sst(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return sstEnv(t, dir, nil, args...)
}

// sstEnv runs the CLI with extra environment variables.
func sstEnv(t *testing.T, dir string, extra map[string]string, args ...string) result {
	t.Helper()
	// A guard against a hung command, not a speed check. The longest one, a
	// deploy building four SSR sites, takes minutes alone and several times
	// that on a loaded 2-core machine running four tests at once.
	return sstWithin(t, 25*time.Minute, dir, extra, args...)
}

// sstWithin runs the CLI, killed after limit: for commands whose known
// failure mode is a hang, so that it fails the test long before the
// suite's timeout (a guard, not a speed check).
func sstWithin(t *testing.T, limit time.Duration, dir string, extra map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, sstBin, args...)
	cmd.Dir = dir
	env := map[string]string{}
	for k, v := range baseEnv {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	cmd.Env = testenv.Environ(env)
	logged := moto.LogSize()
	r := runResult(t, cmd)
	if r.code != 0 {
		r.emulator = moto.ServerErrorsSince(logged)
	}
	if ctx.Err() != nil {
		t.Errorf("sst %s did not finish within %s (killed): a hang\n%s", strings.Join(args, " "), limit, r)
	}
	return r
}

// runResult runs cmd to its end; only a command that could not start at
// all fails the test.
func runResult(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return r
}

// mustSST runs the CLI and fails the test on a non-zero exit.
func mustSST(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return mustSSTEnv(t, dir, nil, args...)
}

func mustSSTEnv(t *testing.T, dir string, extra map[string]string, args ...string) result {
	t.Helper()
	r := sstEnv(t, dir, extra, args...)
	if r.code != 0 {
		t.Fatalf("sst %s failed:\n%s", strings.Join(args, " "), r)
	}
	return r
}

// awsConfig points the AWS SDK at the suite's emulator.
func awsConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(moto.URL()),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	}
}

// copyProject copies a project of this repo (an example) to a temporary
// directory as its own module pointing back at this checkout.
func copyProject(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := copyProjectFiles(dst, src); err != nil {
		t.Fatal(err)
	}
	mod := fmt.Sprintf("module example\n\ngo 1.26\n\nrequire github.com/sst-tf/sst v0.0.0\n\nreplace github.com/sst-tf/sst => %s\n", repo)
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	tidy := exec.Command("go", "mod", "tidy", "-e")
	tidy.Dir = dst
	tidy.Env = testenv.Environ(baseEnv)
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	return dst
}

// copyProjectFiles copies the directory src to dst without its .sst directories:
// a project's synthesized output and state are never wanted in a copy, and
// `make demo` (TestFrontDoorDemo) deletes and rewrites examples/rest-api's
// while other tests copy the example.
func copyProjectFiles(dst, src string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".sst" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("copy %s: not a regular file or directory", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The second emulator and the PostgreSQL server are started by the first
// test that asks and shared by the rest, one each per test binary: every
// test keeps to its own stage and app names (and its own database), and
// what one starts, run stops after the last test.
var (
	stopShare []func()
	shareMu   sync.Mutex
)

func onStop(f func()) {
	shareMu.Lock()
	defer shareMu.Unlock()
	stopShare = append(stopShare, f)
}

func stopShared() {
	shareMu.Lock()
	defer shareMu.Unlock()
	for _, f := range stopShare {
		f()
	}
}

// sharedEchoMoto starts the suite's moto in Lambda echo mode on first use.
var sharedEchoMoto = sync.OnceValues(func() (*testenv.Moto, error) {
	m, err := testenv.StartMoto()
	if err != nil {
		return nil, err
	}
	onStop(func() { m.Stop() })
	resp, err := http.Post(m.URL()+"/moto-api/config", "application/json", strings.NewReader(`{"lambda":{"use_docker":false}}`))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("moto config: %s", resp.Status)
	}
	return m, nil
})

// sharedPostgres starts the suite's PostgreSQL server on first use.
var sharedPostgres = sync.OnceValues(func() (*testenv.Postgres, error) {
	pg, err := testenv.StartPostgres()
	if err != nil {
		return nil, err
	}
	onStop(pg.Stop)
	return pg, nil
})

// startEchoMoto returns the suite's moto in Lambda echo mode (invocations
// return their input), which deploy-time invocations need. The mode swaps
// moto's Lambda store, so it never runs on the shared emulator. It returns
// an SDK config and a CLI environment pointing at it.
func startEchoMoto(t *testing.T) (aws.Config, map[string]string) {
	t.Helper()
	m, err := sharedEchoMoto()
	if err != nil {
		t.Fatalf("moto in Lambda echo mode: %v", err)
	}
	cfg := awsConfig()
	cfg.BaseEndpoint = aws.String(m.URL())
	return cfg, testenv.AWSEnv(m)
}

// postgresDatabase returns a fresh database of the suite's PostgreSQL
// server, starting the server on first use.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	pg, err := sharedPostgres()
	if err != nil {
		t.Fatalf("this test needs PostgreSQL (initdb, postgres): %v", err)
	}
	return pg.Database(t)
}
