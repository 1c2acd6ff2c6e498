package ssm_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/sst-tf/sst/cli"
	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
	"github.com/sst-tf/sst/runtime"
	"github.com/sst-tf/sst/runtime/ssm"
)

func TestFallbackPath(t *testing.T) {
	for in, want := range map[string]string{
		"/sst/app/dev/Secret/KEY/value":       "/sst/app/.fallback/Secret/KEY/value",
		"/sst/app/dev/Parameter/KEY/value":    "",
		"/sst/app/.fallback/Secret/KEY/value": "",
		"/other/app/dev/Secret/KEY/value":     "",
		"/sst/app/dev/Secret/KEY":             "",
	} {
		got, ok := ssm.FallbackPath(in)
		if got != want || ok != (want != "") {
			t.Errorf("FallbackPath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// countingAPI counts GetParameters calls to the emulator.
type countingAPI struct {
	api   ssm.API
	calls int
	names int
}

func (c *countingAPI) GetParameters(ctx context.Context, in *awsssm.GetParametersInput, opts ...func(*awsssm.Options)) (*awsssm.GetParametersOutput, error) {
	c.calls++
	c.names += len(in.Names)
	return c.api.GetParameters(ctx, in, opts...)
}

// TestSecretFromMoto sets secrets with the real `sst secrets` command, then
// reads them the way a bound function does: environment as binding sets
// it, the SDK pointed at the emulator with AWS_ENDPOINT_URL.
func TestSecretFromMoto(t *testing.T) {
	moto, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	defer moto.Stop()
	awsEnv := testenv.AWSEnv(moto)

	// A project whose stage is synthesized: the CLI takes the app name
	// from its manifest.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(`{"app":"false"}`), 0o644)
	out := filepath.Join(dir, manifest.OutDir, "dev")
	os.MkdirAll(out, 0o755)
	if err := (&manifest.Manifest{App: "rt", Stage: "dev", Region: "us-east-1"}).Write(out); err != nil {
		t.Fatal(err)
	}
	secrets := func(args ...string) {
		t.Helper()
		var o, e bytes.Buffer
		f := &cli.Factory{
			IO:      &cli.IOStreams{In: strings.NewReader(""), Out: &o, ErrOut: &e},
			Getwd:   func() (string, error) { return dir, nil },
			Environ: func() []string { return testenv.Environ(awsEnv) },
		}
		if code := cli.Execute(context.Background(), f, append(append([]string{"secrets"}, args...), "--stage", "dev", "--force")); code != 0 {
			t.Fatalf("sst secrets %v: %s%s", args, o.String(), e.String())
		}
	}
	secrets("set", "STRIPE_KEY", "sk_live_1")
	secrets("set", "SHARED", "from-fallback", "--fallback")
	secrets("set", "OVERRIDDEN", "stage-wins")
	secrets("set", "OVERRIDDEN", "fallback-loses", "--fallback")
	for i := range 11 {
		secrets("set", fmt.Sprintf("MANY_%d", i), fmt.Sprintf("v%d", i))
	}

	// What binding puts in a function's environment, plus the emulator.
	for k, v := range map[string]string{
		"SST_APP": "rt", "SST_STAGE": "dev", "SST_SSM_PREFIX": "/sst/rt/dev/",
		"AWS_ENDPOINT_URL": moto.URL(), "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	} {
		t.Setenv(k, v)
	}
	names := []string{"STRIPE_KEY", "SHARED", "OVERRIDDEN", "MISSING"}
	for i := range 11 {
		names = append(names, fmt.Sprintf("MANY_%d", i))
	}
	for _, n := range names {
		t.Setenv("SST_Secret_value_"+n, runtime.SSMPlaceholder)
	}

	ctx := context.Background()
	if got := runtime.MustSecret("STRIPE_KEY"); got != "sk_live_1" {
		t.Errorf("STRIPE_KEY = %q", got)
	}
	if got, err := runtime.Secret("SHARED"); err != nil || got != "from-fallback" {
		t.Errorf("SHARED = %q, %v; want the fallback", got, err)
	}
	if got, _ := runtime.Secret("OVERRIDDEN"); got != "stage-wins" {
		t.Errorf("OVERRIDDEN = %q; the stage's value must win over the fallback", got)
	}
	if _, err := runtime.Secret("MISSING"); err == nil || !strings.Contains(err.Error(), "/sst/rt/dev/Secret/MISSING/value does not exist") {
		t.Errorf("MISSING: %v", err)
	}

	// Cached at cold start: deleting the parameter changes nothing for
	// this process.
	api := awsssm.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(moto.URL()),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	if _, err := api.DeleteParameter(ctx, &awsssm.DeleteParameterInput{Name: aws.String("/sst/rt/dev/Secret/STRIPE_KEY/value")}); err != nil {
		t.Fatal(err)
	}
	if got := runtime.MustSecret("STRIPE_KEY"); got != "sk_live_1" {
		t.Errorf("after delete, cached STRIPE_KEY = %q", got)
	}

	// Preload fetches every bound secret at once, ten names per call
	// (11 secrets + their 11 fallbacks, MISSING and its fallback = 24 → 3 calls).
	counter := &countingAPI{api: api}
	prev := runtime.SSMFetcher
	runtime.SSMFetcher = ssm.Fetcher(counter)
	defer func() { runtime.SSMFetcher = prev }()
	if err := runtime.Preload(ctx); err != nil {
		t.Fatal(err)
	}
	if counter.calls != 3 || counter.names != 24 {
		t.Errorf("Preload: %d calls for %d names, want 3 calls for 24", counter.calls, counter.names)
	}
	for i := range 11 {
		if got, _ := runtime.Secret(fmt.Sprintf("MANY_%d", i)); got != fmt.Sprintf("v%d", i) {
			t.Errorf("MANY_%d = %q", i, got)
		}
	}
	if counter.calls != 3 {
		t.Errorf("reads after Preload went to SSM (%d calls)", counter.calls)
	}
}
