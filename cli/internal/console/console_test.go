package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/chromedp/chromedp"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

// One moto, one PostgreSQL, one build of the dev runtime's test handlers
// and one Chromium serve the whole test binary.
var (
	moto    *testenv.Moto
	pg      *testenv.Postgres
	workDir string

	buildOnce          sync.Once
	goBuilt, nodeBuilt *dev.Built
	buildErr           error

	browserOnce sync.Once
	browser     context.Context
	browserErr  error
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	var err error
	if workDir, err = os.MkdirTemp("", "sst-console-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(workDir)
	if moto, err = testenv.StartMoto(); err != nil {
		fmt.Fprintln(os.Stderr, "console tests need moto_server:", err)
		return 1
	}
	defer moto.Stop()
	if pg, err = testenv.StartPostgres(); err != nil {
		fmt.Fprintln(os.Stderr, "console tests need PostgreSQL:", err)
		return 1
	}
	defer pg.Stop()
	tailInterval = 200 * time.Millisecond
	code := m.Run()
	if browser != nil {
		chromedp.Cancel(browser)
	}
	return code
}

// chromium starts the shared headless Chromium (Debian's, which .ci/run
// installs) on first use.
func chromium(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			browserErr = fmt.Errorf("console tests need Chromium (apt-get install -y chromium): %w", err)
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(filepath.Join(workDir, "chromium")),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		}
		alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, _ := chromedp.NewContext(alloc)
		if browserErr = chromedp.Run(ctx); browserErr == nil {
			browser = ctx
		}
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browser
}

// tab opens a new browser tab for one test.
func tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chromium(t))
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancel() })
	return ctx
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// waitText polls an element's text until it contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	var text string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := chromedp.Run(tctx, chromedp.Text(sel, &text, chromedp.ByQuery))
		cancel()
		if err == nil && strings.Contains(text, want) {
			return text
		}
		time.Sleep(100 * time.Millisecond)
	}
	var body string
	_ = chromedp.Run(ctx, chromedp.Text("body", &body, chromedp.ByQuery))
	t.Fatalf("%s never showed %q; it shows %q; page:\n%s", sel, want, text, body)
	return ""
}

// submit clicks a button that submits a form and waits for the page the
// server answers with, so later reads cannot see the old page.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	do(t, ctx, chromedp.Evaluate(`window.__before = true`, nil), chromedp.Click(sel, chromedp.ByQuery))
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var fresh bool
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := chromedp.Run(tctx, chromedp.Evaluate(`window.__before === undefined && document.readyState === "complete"`, &fresh))
		cancel()
		if err == nil && fresh {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("clicking %s loaded no new page", sel)
}

func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	var body string
	do(t, ctx, chromedp.Text("body", &body, chromedp.ByQuery))
	return body
}

// built compiles the dev runtime's Go and Node test handlers once.
func built(t *testing.T) (*dev.Built, *dev.Built) {
	t.Helper()
	buildOnce.Do(func() {
		project, err := filepath.Abs("../dev/testdata")
		if err != nil {
			buildErr = err
			return
		}
		b := dev.NewBuilder(project, filepath.Join(workDir, "build"))
		ctx := context.Background()
		if goBuilt, buildErr = b.Build(ctx, manifest.Function{ID: "go", Handler: "gohandler"}, false); buildErr != nil {
			return
		}
		nodeBuilt, buildErr = b.Build(ctx, manifest.Function{ID: "node", Handler: "node/handler.handler"}, false)
	})
	if buildErr != nil {
		t.Fatalf("build test handlers: %v", buildErr)
	}
	return goBuilt, nodeBuilt
}

const stage = "test"

// secretPath is where a fixture's StripeKey lives: the app is named after
// the test so tests sharing moto never see each other's values.
func secretPath(app string) string { return "/sst/" + app + "/" + stage + "/Secret/StripeKey/value" }

// testManifest is a stage with an Api of two functions bound to a table,
// a bucket, a secret and a PostgreSQL database with migrations.
func testManifest(prefix string) *manifest.Manifest {
	return &manifest.Manifest{
		App: prefix, Stage: stage, Region: "us-east-1",
		Stacks: []manifest.Stack{{
			Name: "API", Dir: "stacks/API",
			Constructs: []manifest.Construct{
				{ID: "Api", Type: "Api", Path: "Api", Data: map[string]string{"url": "${aws_apigatewayv2_api.x.api_endpoint}"}, Binds: []string{"Notes"}},
				{ID: "Notes", Type: "Table", Path: "Notes", Data: map[string]string{"tableName": prefix + "-Notes"}},
				{ID: "Uploads", Type: "Bucket", Path: "Uploads", Data: map[string]string{"bucketName": prefix + "-uploads"}},
				{ID: "StripeKey", Type: "Secret", Path: "StripeKey", Data: map[string]string{"path": secretPath(prefix), "fallbackPath": "/sst/" + prefix + "/.fallback/Secret/StripeKey/value"}},
				{ID: "Db", Type: manifest.RDSTypeName, Path: "Db", Data: map[string]string{manifest.RDSEngine: "postgresql15.4", manifest.RDSMigrations: "migrations",
					manifest.RDSClusterArnOutput: "DbClusterArn", manifest.RDSSecretArnOutput: "DbSecretArn", manifest.RDSDatabaseOutput: "DbName"}},
			},
			Functions: []manifest.Function{
				{ID: "go", Construct: "Api", Name: prefix + "-go", Handler: "gohandler", Runtime: "provided.al2023", Memory: 128, Timeout: 10, Bindings: []string{"Notes"}},
				{ID: "node", Construct: "Api", Name: prefix + "-node", Handler: "node/handler.handler", Runtime: "nodejs20.x", Memory: 128, Timeout: 10, Bindings: []string{"Notes"}},
			},
			Outputs: []manifest.Output{{Name: "ApiUrl"}},
		}},
	}
}

// fixture is a console over a test stage; with local set, its functions
// run in a real dev runtime with a history.
type fixture struct {
	srv    *Server
	prefix string
	dir    string
	hist   *dev.History
}

func awsConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(moto.URL()),
	}
}

func newFixture(t *testing.T, local bool, conn string) *fixture {
	t.Helper()
	f := &fixture{prefix: strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), dir: t.TempDir()}
	writeFile(t, filepath.Join(f.dir, "migrations", "001_notes.sql"), "CREATE TABLE notes (id int PRIMARY KEY, title text);\nINSERT INTO notes VALUES (1, 'first note'), (2, 'second note');\n")
	cfg := Config{
		Manifest:   testManifest(f.prefix),
		Outputs:    deploy.Outputs{"API": {"ApiUrl": []byte(`"https://api.example.test"`)}},
		AWS:        awsConfig(),
		ProjectDir: f.dir,
		StateDir:   filepath.Join(f.dir, ".sst", "console", stage),
		Connection: conn, ConnectionSource: "--connection",
	}
	if local {
		g, n := built(t)
		rt, err := dev.NewRuntime(func(string, string, string) {})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rt.Close() })
		env := map[string]string{"SST_Table_tableName_Notes": f.prefix + "-Notes"}
		rt.Set(&dev.Function{ID: "go", Name: f.prefix + "-go", Command: g.Command, Dir: g.Dir, Env: env, Timeout: 10 * time.Second, Memory: 128, Handler: g.Handler})
		rt.Set(&dev.Function{ID: "node", Name: f.prefix + "-node", Command: n.Command, Dir: n.Dir, Env: env, Timeout: 10 * time.Second, Memory: 128, Handler: n.Handler})
		h, err := dev.NewHistory(rt, filepath.Join(f.dir, ".sst", "dev", stage, "invocations.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		f.hist, cfg.History, cfg.Invoke = h, h, h.Invoke
	}
	srv, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f.srv = srv
	return f
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// open logs a tab in with the printed URL and goes to path.
func (f *fixture) open(t *testing.T, path string) context.Context {
	t.Helper()
	ctx := tab(t)
	do(t, ctx, chromedp.Navigate(f.srv.URL()), chromedp.WaitVisible("nav", chromedp.ByQuery))
	if path != "/" {
		do(t, ctx, chromedp.Navigate(f.srv.Base()+path), chromedp.WaitVisible("nav", chromedp.ByQuery))
	}
	return ctx
}

// get fetches a path with the bearer token.
func (f *fixture) get(t *testing.T, path string) (int, string) {
	t.Helper()
	return f.send(t, "GET", path, nil)
}

// send makes a request with the bearer token, as a script would.
func (f *fixture) send(t *testing.T, method, path string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.Base()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+f.srv.Token())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
