package tests

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/sst-tf/sst/internal/jwt"
	"github.com/sst-tf/sst/runtime"
)

// TestSecrets deploys an app binding a secret and a parameter to a
// function, sets the secret's values with `sst secrets`, redeploys and
// plans, and proves the values appear in no file the project holds — no
// cdk.tf.json, no terraform state, no manifest, no outputs file — and in
// no CLI output of deploy (with --verbose: every app and terraform line)
// or diff. The same app holds two tables: after `sst remove`, the one kept
// by the app's default removal policy "retain" is still in AWS (and the
// only thing left), the one with policy "destroy" is gone, and the state
// tracks neither. The app's Auth gets its signing keys from the CLI at the
// first deploy — SecureStrings at SST v2's names, a matching RSA pair that
// the second deploy keeps and remove deletes — and the private key is held
// to the same rule as the secrets: in no file and no output.
func TestSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	params := ssm.NewFromConfig(cfg)
	dir := copyProject(t, filepath.Join("testdata", "secrets"))
	const stage = "e2e-sec"
	stageValue := fmt.Sprintf("sk_live_stage_%d", time.Now().UnixNano())
	fallbackValue := fmt.Sprintf("shared_fallback_%d", time.Now().UnixNano())

	// Bad input: a stage that was never deployed is refused, and nothing
	// is written to SSM.
	r := sst(t, dir, "secrets", "set", "STRIPE_KEY", stageValue, "--stage", stage)
	if r.code == 0 || !strings.Contains(r.stderr, `stage "e2e-sec" of app "secrets" has never been deployed`) || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("want a refusal for a never-deployed stage:\n%s", r)
	}
	if n := ssmCount(t, params, "/sst/secrets/"+stage); n != 0 {
		t.Fatalf("the refused set wrote %d parameters", n)
	}

	var outputs []string
	outputs = append(outputs, mustSST(t, dir, "deploy", "--stage", stage).String())
	authKeys := func() (priv, pub string) {
		t.Helper()
		base := "/sst/secrets/" + stage + "/Auth/Auth/"
		out, err := params.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{base + "privateKey", base + "publicKey"}, WithDecryption: aws.Bool(true)})
		if err != nil || len(out.Parameters) != 2 {
			t.Fatalf("the Auth's keys after deploy: %v %v", out, err)
		}
		for _, p := range out.Parameters {
			if p.Type != "SecureString" {
				t.Errorf("%s is a %s, want SecureString", aws.ToString(p.Name), p.Type)
			}
			if strings.HasSuffix(aws.ToString(p.Name), "privateKey") {
				priv = aws.ToString(p.Value)
			} else {
				pub = aws.ToString(p.Value)
			}
		}
		return priv, pub
	}
	privKey, pubKey := authKeys()
	signed, err := signSession(privKey)
	if err != nil {
		t.Fatal(err)
	}
	if sess, err := runtime.VerifySessionKey(mustPublicKey(t, pubKey), signed); err != nil || sess.String("userID") != "u1" {
		t.Errorf("the stored keys are not a pair: %v %v", sess, err)
	}
	privBody := strings.Split(strings.TrimSpace(privKey), "\n")[1] // a line of the key itself
	outputs = append(outputs, mustSST(t, dir, "secrets", "set", "STRIPE_KEY", stageValue, "--stage", stage).String())
	outputs = append(outputs, mustSST(t, dir, "secrets", "set", "SHARED", fallbackValue, "--fallback", "--stage", stage).String())
	if got := mustSST(t, dir, "secrets", "get", "STRIPE_KEY", "--stage", stage); got.stdout != stageValue+"\n" {
		t.Errorf("get = %q", got.stdout)
	}
	l := mustSST(t, dir, "secrets", "list", "--stage", stage)
	if !strings.Contains(l.stdout, "STRIPE_KEY  stage") || !strings.Contains(l.stdout, "SHARED      fallback") {
		t.Errorf("list:\n%s", l.stdout)
	}
	outputs = append(outputs, l.String())
	// With values set, synthesize, apply and plan again; --verbose adds
	// every raw line of the app and of terraform to what is checked.
	outputs = append(outputs, mustSST(t, dir, "deploy", "--stage", stage, "--force", "--verbose").String())
	if p2, _ := authKeys(); p2 != privKey {
		t.Error("the second deploy replaced the Auth's keys: every session would be signed out")
	}
	d := mustSST(t, dir, "diff", "--stage", stage)
	outputs = append(outputs, d.String())
	if !strings.Contains(d.stdout, "no changes") {
		t.Errorf("setting a secret changed the plan:\n%s", d.stdout)
	}

	for _, out := range outputs {
		for _, v := range []string{stageValue, fallbackValue, privBody} {
			if strings.Contains(out, v) {
				t.Errorf("a secret value appears in CLI output:\n%s", out)
			}
		}
	}
	seen := map[string]int{}
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.Contains(path, string(filepath.Separator)+".terraform"+string(filepath.Separator)) {
			return nil
		}
		switch base := filepath.Base(path); {
		case base == "cdk.tf.json":
			seen["cdk.tf.json"]++
		case strings.HasSuffix(base, ".tfstate") || strings.HasSuffix(base, ".tfstate.backup"):
			seen["state"]++
		case base == "manifest.json":
			seen["manifest"]++
		case base == stage+".json" && filepath.Base(filepath.Dir(path)) == "outputs":
			seen["outputs"]++
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, v := range []string{stageValue, fallbackValue, privBody} {
			if strings.Contains(string(b), v) {
				t.Errorf("a secret value is in %s", path)
			}
		}
		return nil
	})
	if seen["cdk.tf.json"] == 0 || seen["state"] == 0 || seen["manifest"] == 0 || seen["outputs"] == 0 {
		t.Errorf("the scan missed what it must cover: %v", seen)
	}

	// What the function got, read back.
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(stage + "-secrets-Reader")})
	if err != nil {
		t.Fatal(err)
	}
	env := fn.Configuration.Environment.Variables
	if env["SST_Secret_value_STRIPE_KEY"] != "__FETCH_FROM_SSM__" || env["SST_Secret_value_SHARED"] != "__FETCH_FROM_SSM__" || env["SST_Parameter_value_API_VERSION"] != "v1" || env["SST_Auth_publicKey_Auth"] != "__FETCH_FROM_SSM__" {
		t.Errorf("bound env = %v", env)
	}
	pol, err := iam.NewFromConfig(cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(stage + "-secrets-Reader"), PolicyName: aws.String("sst-function")})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
	var doc struct {
		Statement []struct{ Action, Resource []string }
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	var ssmResources []string
	for _, st := range doc.Statement {
		if slices.Contains(st.Action, "ssm:GetParameters") {
			if len(st.Action) != 1 {
				t.Errorf("SSM statement grants more: %v", st.Action)
			}
			ssmResources = append(ssmResources, st.Resource...)
		}
	}
	slices.Sort(ssmResources)
	want := []string{
		"arn:aws:ssm:us-east-1:123456789012:parameter/sst/secrets/.fallback/Secret/SHARED/value",
		"arn:aws:ssm:us-east-1:123456789012:parameter/sst/secrets/.fallback/Secret/STRIPE_KEY/value",
		"arn:aws:ssm:us-east-1:123456789012:parameter/sst/secrets/e2e-sec/Auth/Auth/publicKey",
		"arn:aws:ssm:us-east-1:123456789012:parameter/sst/secrets/e2e-sec/Secret/SHARED/value",
		"arn:aws:ssm:us-east-1:123456789012:parameter/sst/secrets/e2e-sec/Secret/STRIPE_KEY/value",
	}
	if !slices.Equal(ssmResources, want) {
		t.Errorf("ssm:GetParameters on %v, want exactly %v", ssmResources, want)
	}
	p, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/sst/secrets/e2e-sec/Parameter/API_VERSION/value")})
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Parameter.Type) != "String" || aws.ToString(p.Parameter.Value) != "v1" {
		t.Errorf("parameter = %s %q", p.Parameter.Type, aws.ToString(p.Parameter.Value))
	}

	r = mustSST(t, dir, "remove", "--stage", stage, "--yes")
	ddb := dynamodb.NewFromConfig(cfg)
	const kept = stage + "-secrets-Kept"
	// The emulator is shared by the suite: clean up what was kept.
	defer ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(kept)})
	if left := inventory(t, stage+"-secrets-"); !slices.Equal(left, []string{"table " + kept}) {
		t.Errorf("after remove the emulator holds %v, want only the retained table %s:\n%s", left, kept, r.stdout)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(kept)}); err != nil {
		t.Errorf("retained table is gone: %v\n%s", err, r.stdout)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(stage + "-secrets-Scratch")}); err == nil {
		t.Errorf("the destroy-policy table survived remove")
	}
	state, err := os.ReadFile(filepath.Join(dir, ".sst", "state", "Config", stage, "terraform.tfstate"))
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	if strings.Contains(string(state), "aws_dynamodb_table") {
		t.Errorf("state still tracks a table after remove:\n%s", state)
	}
	if _, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/sst/secrets/e2e-sec/Parameter/API_VERSION/value")}); err == nil {
		t.Error("the Parameter's SSM parameter survived remove")
	}
	if n := ssmCount(t, params, "/sst/secrets/"+stage+"/Auth"); n != 0 {
		t.Errorf("%d of the Auth's parameters (keys, prefix) survived remove", n)
	}
	// Secrets are not Terraform's: they outlive the stage until removed.
	mustSST(t, dir, "secrets", "remove", "STRIPE_KEY", "--stage", stage)
	mustSST(t, dir, "secrets", "remove", "SHARED", "--fallback", "--stage", stage)
	if n := ssmCount(t, params, "/sst/secrets"); n != 0 {
		t.Errorf("%d parameters left under /sst/secrets", n)
	}
}

// signSession signs a session as runtime/auth does, with the Auth's
// private key.
func signSession(privPEM string) (string, error) {
	key, err := jwt.ParsePrivateKey(privPEM)
	if err != nil {
		return "", err
	}
	return jwt.Sign("RS512", key, map[string]any{"type": "user", "properties": map[string]string{"userID": "u1"}, "iat": time.Now().Unix()})
}

func mustPublicKey(t *testing.T, pemKey string) *rsa.PublicKey {
	t.Helper()
	k, err := runtime.ParseAuthPublicKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ssmCount(t *testing.T, api *ssm.Client, path string) int {
	t.Helper()
	out, err := api.GetParametersByPath(context.Background(), &ssm.GetParametersByPathInput{Path: aws.String(path), Recursive: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Parameters)
}
