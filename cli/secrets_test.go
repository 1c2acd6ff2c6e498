package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

// secretsProject writes a project whose stage already has a manifest, so
// `sst secrets` reads the app name from it without synthesizing (its app
// command would fail if it ran).
func secretsProject(t *testing.T, app, stage string, declared ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(`{"language":"go","app":"false"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{App: app, Stage: stage, Region: "us-east-1", Backend: manifest.Backend{Kind: "local"}}
	st := manifest.Stack{Name: "Config", Dir: "stacks/Config", Workspace: stage}
	for _, d := range declared {
		st.Constructs = append(st.Constructs, manifest.Construct{ID: d, Type: "Secret", Path: d})
	}
	m.Stacks = []manifest.Stack{st}
	out := filepath.Join(dir, manifest.OutDir, stage)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Write(out); err != nil {
		t.Fatal(err)
	}
	return dir
}

type cliRun struct {
	code        int
	out, errOut string
}

func runIn(t *testing.T, dir string, env []string, args ...string) cliRun {
	t.Helper()
	var out, errb bytes.Buffer
	f := &Factory{
		IO:      &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb},
		Getwd:   func() (string, error) { return dir, nil },
		Environ: func() []string { return env },
	}
	code := Execute(context.Background(), f, args)
	return cliRun{code: code, out: out.String(), errOut: errb.String()}
}

func TestSecretsCommand(t *testing.T) {
	moto, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	defer moto.Stop()
	env := testenv.Environ(testenv.AWSEnv(moto))
	dir := secretsProject(t, "shop", "dev", "STRIPE_KEY", "UNSET_ONE")
	ok := func(args ...string) cliRun {
		t.Helper()
		r := runIn(t, dir, env, append([]string{"secrets"}, append(args, "--stage", "dev")...)...)
		if r.code != 0 {
			t.Fatalf("sst secrets %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.out, r.errOut)
		}
		return r
	}
	fail := func(args []string, want ...string) {
		t.Helper()
		r := runIn(t, dir, env, append([]string{"secrets"}, append(args, "--stage", "dev")...)...)
		if r.code == 0 {
			t.Fatalf("sst secrets %s succeeded, want an error:\n%s", strings.Join(args, " "), r.out)
		}
		for _, w := range want {
			if !strings.Contains(r.errOut, w) {
				t.Errorf("sst secrets %s: error lacks %q:\n%s", strings.Join(args, " "), w, r.errOut)
			}
		}
	}
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(moto.URL()), Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
	})}
	api := ssm.NewFromConfig(cfg)
	stageParams := func() int {
		out, err := api.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/sst/shop/dev"), Recursive: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Parameters)
	}

	// A stage never deployed (no outputs, nothing in SSM) is refused.
	fail([]string{"set", "STRIPE_KEY", "sk_1"}, `stage "dev" of app "shop" has never been deployed`, "--force", "--fallback")
	if n := stageParams(); n != 0 {
		t.Fatalf("a refused set wrote %d parameters", n)
	}
	// The same for a stage never synthesized here: the synth that named
	// the app leaves no .sst/out/<stage> behind. Once set (--force), a
	// secret the app never declares is warned about, naming that it has
	// none.
	fresh := miniProject(t)
	r := runIn(t, fresh, env, "secrets", "set", "STRIPE_KEY", "sk_1", "--stage", "fresh")
	if r.code == 0 || !strings.Contains(r.errOut, `stage "fresh" of app "mini" has never been deployed`) {
		t.Errorf("set for a fresh stage: exit %d\n%s", r.code, r.errOut)
	}
	if _, err := os.Stat(filepath.Join(fresh, manifest.OutDir, "fresh")); !os.IsNotExist(err) {
		t.Errorf("a refused set left .sst/out/fresh behind (%v)", err)
	}
	r = runIn(t, fresh, env, "secrets", "set", "STRIPE_KEY", "sk_1", "--stage", "fresh", "--force")
	if r.code != 0 || !strings.Contains(r.errOut, "the app declares no secret STRIPE_KEY (it declares none)") {
		t.Errorf("set of an undeclared secret in an app without secrets: exit %d\n%s", r.code, r.errOut)
	}

	fail([]string{"set", "bad-name", "x", "--force"}, `invalid secret name "bad-name"`)
	fail([]string{"set", "STRIPE_KEY", "", "--force"}, "the value is empty", "sst secrets remove STRIPE_KEY")

	ok("set", "STRIPE_KEY", "sk_1", "--force")
	p, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/sst/shop/dev/Secret/STRIPE_KEY/value"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Parameter.Type != types.ParameterTypeSecureString || aws.ToString(p.Parameter.Value) != "sk_1" {
		t.Errorf("parameter = %s %q", p.Parameter.Type, aws.ToString(p.Parameter.Value))
	}
	// Now the stage is known through SSM: no --force needed; overwrites.
	ok("set", "STRIPE_KEY", "sk_2")
	if r := ok("get", "STRIPE_KEY"); r.out != "sk_2\n" {
		t.Errorf("get = %q", r.out)
	}
	if r := ok("set", "NOT_DECLARED", "x"); !strings.Contains(r.errOut, "declares no secret NOT_DECLARED") {
		t.Errorf("no warning for an undeclared secret:\n%s", r.errOut)
	}

	t.Run("fallback", func(t *testing.T) {
		ok("set", "SHARED", "fb", "--fallback")
		r := ok("get", "SHARED")
		if r.out != "fb\n" || !strings.Contains(r.errOut, "this is the fallback") {
			t.Errorf("get of a fallback-only secret = %q / %q", r.out, r.errOut)
		}
		if r := ok("get", "SHARED", "--fallback"); r.out != "fb\n" {
			t.Errorf("get --fallback = %q", r.out)
		}
		fail([]string{"get", "STRIPE_KEY", "--fallback"}, "secret STRIPE_KEY is not set for the fallback", "--fallback")
	})

	t.Run("list", func(t *testing.T) {
		r := ok("list")
		for _, want := range []string{"STRIPE_KEY    stage", "SHARED        fallback", "UNSET_ONE     not set", "NOT_DECLARED  stage"} {
			if !strings.Contains(r.out, want) {
				t.Errorf("list lacks %q:\n%s", want, r.out)
			}
		}
		if strings.Contains(r.out, "sk_2") || strings.Contains(r.out, "fb") {
			t.Errorf("list printed values without --show:\n%s", r.out)
		}
		if r := ok("list", "--show"); !strings.Contains(r.out, "sk_2") || !strings.Contains(r.out, "fb") {
			t.Errorf("list --show:\n%s", r.out)
		}
		r = ok("list", "--fallback")
		if !strings.Contains(r.out, "SHARED") || strings.Contains(r.out, "STRIPE_KEY") {
			t.Errorf("list --fallback:\n%s", r.out)
		}
	})

	t.Run("load and remove", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), ".env")
		os.WriteFile(file, []byte("# keys\n\nexport A_KEY=\"two\\nlines\"\nB_KEY='lit # not a comment'\nC_KEY=plain # comment\n"), 0o644)
		ok("load", file)
		for name, want := range map[string]string{"A_KEY": "two\nlines\n", "B_KEY": "lit # not a comment\n", "C_KEY": "plain\n"} {
			if r := ok("get", name); r.out != want {
				t.Errorf("get %s = %q, want %q", name, r.out, want)
			}
		}
		bad := filepath.Join(t.TempDir(), "bad.env")
		os.WriteFile(bad, []byte("D_KEY=1\nnot a pair\n"), 0o644)
		fail([]string{"load", bad}, "bad.env:2: expected NAME=value")
		fail([]string{"get", "D_KEY"}, "secret D_KEY is not set") // nothing written

		ok("remove", "A_KEY")
		fail([]string{"get", "A_KEY"}, `secret A_KEY is not set for stage "dev"`, "sst secrets set A_KEY VALUE")
		fail([]string{"remove", "A_KEY"}, "nothing to remove")
		ok("remove", "SHARED", "--fallback")
		fail([]string{"get", "SHARED"}, "secret SHARED is not set")
	})
}

func TestParseDotenv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.env")
	os.WriteFile(file, []byte("A=1\nA=2\nB=\"q\\\"uote\"\n"), 0o644)
	values, order, err := parseDotenv(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "A,B" || values["A"] != "2" || values["B"] != `q"uote` {
		t.Errorf("values %v order %v", values, order)
	}
	for content, want := range map[string]string{
		"":            "no NAME=value lines",
		"1A=x\n":      "x.env:1",
		"A=\"open\n":  "unterminated double quote",
		"A='open\n":   "unterminated single quote",
		"A-B=value\n": `invalid secret name "A-B"`,
	} {
		os.WriteFile(file, []byte(content), 0o644)
		if _, _, err := parseDotenv(file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", content, err, want)
		}
	}
}
