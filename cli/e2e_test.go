package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/sst-tf/sst/cli/internal/stagetarget"
	"github.com/sst-tf/sst/internal/testenv"
)

// The end-to-end test drives real terraform against moto with a fake app:
// a shell script standing in for `go run .` that writes hand-written
// Terraform JSON and a manifest into $SST_OUT_DIR, so the CLI is tested
// without waiting on the constructs package.
//
// Data holds two SSM parameters (one retained on remove; its value is
// $KEEP) and an artifact; Api reads Data's cross-stack output through
// terraform_remote_state, as CDKTF wires it, and holds a DynamoDB table
// (hash key $KEY: moto reports drift on it, which Data's drift check must
// not see); Bad (when $BAD is set) fails validation, and AfterBad, which
// depends on it, must then not run. Bad holds terraform_data with an
// argument it does not have, not an AWS resource: how the CLI handles a
// failed stack does not depend on which validation failed, and without
// the AWS provider its init and apply cost ≈ 1 CPU s instead of ≈ 4.

const e2eApp = `set -e
render() { mkdir -p "$SST_OUT_DIR/stacks/$1"; sed -e "s|__STAGE__|$SST_STAGE|g" -e "s|__ENDPOINT__|$SST_ENDPOINT|g" -e "s|__DIR__|$SST_PROJECT_DIR|g" -e "s|__KEEP__|${KEEP:-kept}|g" -e "s|__KEY__|${KEY:-id}|g" "$1.json" > "$SST_OUT_DIR/stacks/$1/cdk.tf.json"; }
render Data
render Api
mkdir -p .sst/artifacts
printf '%s' "${ART:-v1}" > .sst/artifacts/fn.zip
bad=""
if [ -n "$BAD" ]; then render Bad; render AfterBad; bad=',{"name":"Bad","dir":"stacks/Bad","workspace":"'$SST_STAGE'","constructs":[]},{"name":"AfterBad","dir":"stacks/AfterBad","workspace":"'$SST_STAGE'","dependsOn":["Bad"],"constructs":[]}'; fi
cat > "$SST_OUT_DIR/manifest.json" <<EOF
{"version":1,"app":"e2e","stage":"$SST_STAGE","region":"us-east-1","backend":{"kind":"local"},"stacks":[
 {"name":"Data","dir":"stacks/Data","workspace":"$SST_STAGE","constructs":[],"artifacts":["../../../../artifacts/fn.zip"],"retained":["aws_ssm_parameter.keep"]},
 {"name":"Api","dir":"stacks/Api","workspace":"$SST_STAGE","dependsOn":["Data"],"constructs":[]}$bad]}
EOF
`

const e2eTerraform = `"terraform": {
    "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.84"}},
    "backend": {"local": {"path": "__DIR__/.sst/state/STACK/terraform.tfstate", "workspace_dir": "__DIR__/.sst/state/STACK"}}
  },
  "provider": {"aws": [{"region": "us-east-1", "skip_credentials_validation": true, "skip_requesting_account_id": true,
    "skip_metadata_api_check": "true", "endpoints": [{"ssm": "__ENDPOINT__", "sts": "__ENDPOINT__", "dynamodb": "__ENDPOINT__"}]}]}`

var e2eStacks = map[string]string{
	"Data": `{` + strings.ReplaceAll(e2eTerraform, "STACK", "Data") + `,
  "resource": {"aws_ssm_parameter": {
    "p": {"name": "/e2e/__STAGE__/data", "type": "String", "value": "hello"},
    "keep": {"name": "/e2e/__STAGE__/keep", "type": "String", "value": "__KEEP__"}}},
  "output": {
    "name": {"value": "${aws_ssm_parameter.p.name}"},
    "url": {"value": "https://example.com/__STAGE__"},
    "cross-stack-output-aws_ssm_parameterp": {"value": "${aws_ssm_parameter.p.value}", "sensitive": true}}
}`,
	"Api": `{` + strings.ReplaceAll(e2eTerraform, "STACK", "Api") + `,
  "data": {"terraform_remote_state": {"data": {"backend": "local", "workspace": "${terraform.workspace}",
    "config": {"path": "__DIR__/.sst/state/Data/terraform.tfstate", "workspace_dir": "__DIR__/.sst/state/Data"}}}},
  "resource": {"aws_ssm_parameter": {"q": {"name": "/e2e/__STAGE__/api", "type": "String",
    "value": "${data.terraform_remote_state.data.outputs.cross-stack-output-aws_ssm_parameterp}"}},
    "aws_dynamodb_table": {"notes": {"name": "__STAGE__-e2e-notes", "billing_mode": "PAY_PER_REQUEST", "hash_key": "__KEY__",
      "attribute": [{"name": "__KEY__", "type": "S"}]}}},
  "output": {"name": {"value": "${aws_ssm_parameter.q.name}"}}
}`,
	"Bad": `{"terraform": {"backend": {"local": {"path": "__DIR__/.sst/state/Bad/terraform.tfstate", "workspace_dir": "__DIR__/.sst/state/Bad"}}},
  "resource": {"terraform_data": {"bad": {"input": "x", "type": "Bogus"}}}
}`,
	"AfterBad": `{` + strings.ReplaceAll(e2eTerraform, "STACK", "AfterBad") + `,
  "resource": {"aws_ssm_parameter": {"after": {"name": "/e2e/__STAGE__/after-bad", "type": "String", "value": "x"}}}
}`,
}

func TestDeployE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs terraform against moto (~1 min)")
	}
	testenv.RequireTools(t)
	testenv.TerraformEnv(t) // warms the shared plugin cache once per machine
	mirror, err := testenv.ProviderMirror()
	if err != nil {
		t.Fatal(err)
	}
	cache, _ := testenv.PluginCacheDir()
	moto, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { moto.Stop() })

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdktf.json"), `{"language":"go","app":"sh app.sh"}`)
	writeFile(t, filepath.Join(dir, "app.sh"), e2eApp)
	for name, body := range e2eStacks {
		writeFile(t, filepath.Join(dir, name+".json"), body)
	}
	// No AWS credentials on purpose: the CLI must supply test ones for an
	// emulator endpoint.
	env := []string{
		"SST_PROVIDER_MIRROR=" + mirror, "SST_PLUGIN_CACHE_DIR=" + cache,
		"SST_ENDPOINT=" + moto.URL(), "SST_STAGE=e2e",
	}
	outputsFile := filepath.Join(dir, ".sst", "outputs", "e2e.json")

	// 1. Bad fails and its dependent AfterBad is not started; independent
	// Data and its dependent Api still deploy, and the summary says which.
	h := newHarness(t, dir, append(env, "BAD=1")...)
	if code := h.run("deploy"); code != 1 {
		t.Fatalf("deploy with a bad stack: exit %d\n%s\n%s", code, h.out.String(), h.err.String())
	}
	out, errOut := h.out.String(), h.err.String()
	t.Logf("deploy with Bad:\n%s%s", out, errOut)
	for _, want := range []string{
		"Data | aws_ssm_parameter.p created", // plain progress lines
		"✓ Data", "✓ Api", "✗ Bad", "AfterBad  skipped: waits for Bad, which failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("deploy output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "Stack Bad:") || !strings.Contains(errOut, "terraform_data.bad") {
		t.Errorf("failure should name the stack and resource:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, ".sst", "deploys", "e2e", "Bad.sha256")); err == nil {
		t.Error("a failed stack recorded a deploy hash")
	}
	if strings.Contains(out, "Stack AfterBad: deploying") || strings.Contains(out, "after-bad") {
		t.Errorf("AfterBad ran although Bad failed:\n%s", out)
	}
	outs := readOutputs(t, outputsFile)
	if outs["Data"]["url"] != "https://example.com/e2e" || outs["Api"]["name"] != "/e2e/e2e/api" {
		t.Errorf("outputs file: %v", outs)
	}
	for name := range outs["Data"] {
		if strings.HasPrefix(name, "cross-stack-output-") {
			t.Errorf("cross-stack output %s written", name)
		}
	}

	// The first apply recorded the stage's endpoint.
	if rec, err := stagetarget.Read(dir, "e2e"); err != nil || rec == nil || rec.Endpoint != moto.URL() {
		t.Errorf("stage target record = %+v, %v; want endpoint %s", rec, err, moto.URL())
	}

	// 2. Nothing changed: both stacks are skipped without terraform. The
	// endpoint is left out: the stage remembers it.
	h = newHarness(t, dir, slices.DeleteFunc(slices.Clone(env), func(v string) bool { return strings.HasPrefix(v, "SST_ENDPOINT=") })...)
	h.mustRun("deploy")
	out = h.out.String()
	if !strings.Contains(h.err.String(), "Using endpoint "+moto.URL()+" (recorded for stage e2e") {
		t.Errorf("second deploy does not say it uses the recorded endpoint:\n%s", h.err.String())
	}
	t.Logf("second deploy:\n%s", out)
	for _, want := range []string{
		"Stack Data: " + skippedLine,
		"Stack Api: unchanged, skipped",
		"url:   https://example.com/e2e", "Deployed stage",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("second deploy lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "cross-stack") {
		t.Errorf("cross-stack output printed:\n%s", out)
	}

	// 2b. Drift: a parameter deleted and another changed by hand. diff
	// shows both apart from the planned changes; a plain deploy still
	// skips, and says it did not ask AWS; --refresh puts both back.
	ctx := context.Background()
	ssmc := ssm.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(moto.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if _, err := ssmc.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/e2e/e2e/data")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ssmc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/e2e/e2e/keep"), Value: aws.String("edited by hand"), Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, dir, env...)
	h.mustRun("diff", "Data")
	if out = h.out.String(); !strings.Contains(out, "Stack Data: "+unplannedLine) || strings.Contains(out, "Changed outside Terraform") {
		t.Errorf("a plain diff of an unchanged stack should not plan it:\n%s", out)
	}
	h = newHarness(t, dir, env...)
	h.mustRun("diff", "Data", "--refresh")
	out = h.out.String()
	t.Logf("diff after drift:\n%s", out)
	for _, want := range []string{
		"Changed outside Terraform (drift):", "! aws_ssm_parameter.p deleted", "! aws_ssm_parameter.keep updated",
		"Planned:", "+ aws_ssm_parameter.p", "~ aws_ssm_parameter.keep",
		// The attribute that changes, its value masked: SSM values are
		// sensitive in the AWS provider.
		"        value: (sensitive value) → (sensitive value)\n",
		"Drift: 2 resource(s) changed or deleted outside Terraform: `sst deploy --refresh --stage e2e` puts them back",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "edited by hand") {
		t.Errorf("diff shows a sensitive value:\n%s", out)
	}
	h.mustRun("deploy", "Data")
	if out = h.out.String(); !strings.Contains(out, "Stack Data: "+skippedLine) {
		t.Errorf("deploy without --refresh:\n%s", out)
	}
	h.mustRun("deploy", "--refresh", "Data")
	out = h.out.String()
	t.Logf("deploy --refresh:\n%s", out)
	for _, want := range []string{"Stack Data: no local changes, checking AWS for drift…", "Data | aws_ssm_parameter.p deleted outside Terraform", "Stack Data: drift fixed, 2 drifted (1 added, 1 changed, 0 destroyed)"} {
		if !strings.Contains(out, want) {
			t.Errorf("deploy --refresh lacks %q:\n%s", want, out)
		}
	}
	for name, want := range map[string]string{"/e2e/e2e/data": "hello", "/e2e/e2e/keep": "kept"} {
		p, err := ssmc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil || aws.ToString(p.Parameter.Value) != want {
			t.Errorf("after deploy --refresh, %s: %v %v, want %q", name, p, err, want)
		}
	}

	// 2c. Reviewed plans: diff --out saves them and changes nothing; a
	// deploy of a different synthesis is refused as a whole; the same
	// synthesis applies exactly the plan; applying it again is refused
	// (the state moved); a plan replacing the table is refused without
	// --allow-replace and applied with it.
	reviewedPlans(t, dir, env, ssmc)

	// 3. Remove: the retained parameter leaves state, the rest is destroyed.
	h = newHarness(t, dir, env...)
	h.mustRun("remove", "--yes")
	out = h.out.String()
	t.Logf("remove:\n%s", out)
	for _, want := range []string{"aws_ssm_parameter.keep kept in AWS", "✓ Data", "✓ Api", "Removed stage"} {
		if !strings.Contains(out, want) {
			t.Errorf("remove output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Stack Api: removed") > strings.Index(out, "Stack Data: destroying") {
		t.Errorf("Data destroyed before its dependent Api:\n%s", out)
	}
	if _, err := os.Stat(outputsFile); err == nil {
		t.Error("outputs file survived remove")
	}
	if _, err := os.Stat(filepath.Join(dir, ".sst", "deploys", "e2e")); err == nil {
		t.Error("deploy hashes survived remove")
	}
	if rec, _ := stagetarget.Read(dir, "e2e"); rec != nil {
		t.Errorf("the stage's target record survived remove: %+v", rec)
	}
}

func readOutputs(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]map[string]any
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func reviewedPlans(t *testing.T, dir string, env []string, ssmc *ssm.Client) {
	ctx := context.Background()
	keep := func() string {
		t.Helper()
		p, err := ssmc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/e2e/e2e/keep")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(p.Parameter.Value)
	}
	state := filepath.Join(dir, ".sst", "state", "Data", "e2e", "terraform.tfstate")
	readState := func() string {
		t.Helper()
		b, err := os.ReadFile(state)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	plan := filepath.Join(dir, "plan")
	h := newHarness(t, dir, append(env, "KEEP=reviewed")...)
	h.mustRun("diff", "--out", plan)
	t.Logf("diff --out:\n%s", h.out.String())
	summary, err := os.ReadFile(filepath.Join(plan, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| Data | 0 | 1 | 0 | 0 | none |", "| Api | 0 | 0 | 0 | 0 | none |", "- `~ aws_ssm_parameter.keep`", "sst deploy --plan " + plan + " --stage e2e"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	// The Api stack's section says it changes nothing, after any drift the
	// emulator reports for it.
	if _, api, _ := strings.Cut(string(summary), "## Stack Api\n"); !strings.Contains(api, "\nNo resource changes.") {
		t.Errorf("summary.md's Api section does not say it has no resource changes:\n%s", summary)
	}
	for _, f := range []string{"plan.json", "stacks/Data/tfplan", "stacks/Data/cdk.tf.json", "stacks/Api/tfplan"} {
		if fi, err := os.Stat(filepath.Join(plan, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi, err)
		}
	}
	if got := keep(); got != "kept" {
		t.Fatalf("diff --out changed the parameter: %q", got)
	}

	// Another synthesis than the plan's: refused, nothing applied.
	before := readState()
	h = newHarness(t, dir, append(env, "KEEP=other")...)
	h.mustFail("stack Data: its Terraform JSON (cdk.tf.json) differs from the one the plan was made from", "deploy", "--plan", plan)
	if !strings.Contains(h.err.String(), "nothing was applied") {
		t.Errorf("refusal does not say nothing was applied:\n%s", h.err.String())
	}
	if keep() != "kept" || readState() != before {
		t.Fatal("a refused plan changed something")
	}

	h = newHarness(t, dir, append(env, "KEEP=reviewed")...)
	h.mustRun("deploy", "--plan", plan)
	t.Logf("deploy --plan:\n%s", h.out.String())
	if out := h.out.String(); !strings.Contains(out, "Stack Data: applying the reviewed plan") || !strings.Contains(out, "Deployed stage") {
		t.Errorf("deploy --plan output:\n%s", out)
	}
	if got := keep(); got != "reviewed" {
		t.Errorf("after deploy --plan the parameter is %q", got)
	}
	before = readState()
	h.mustFail("stack Data: the state changed since the plan was made", "deploy", "--plan", plan)
	if readState() != before {
		t.Fatal("a stale plan changed the state")
	}

	// A plan replacing the table is flagged, and refused without
	// --allow-replace (Api alone: one plan is enough).
	state = filepath.Join(dir, ".sst", "state", "Api", "e2e", "terraform.tfstate")
	h = newHarness(t, dir, append(env, "KEEP=reviewed", "KEY=pk")...)
	h.mustRun("diff", "--out", plan, "Api")
	if out := h.out.String(); !strings.Contains(out, "--allow-replace (1 resource(s) holding data") {
		t.Errorf("diff --out does not flag the replace:\n%s", out)
	}
	summary, _ = os.ReadFile(filepath.Join(plan, "summary.md"))
	if !strings.Contains(string(summary), "## Data loss: needs `--allow-replace`") || !strings.Contains(string(summary), "**Api**: `-/+ aws_dynamodb_table.notes` — DynamoDB table: its items lost") {
		t.Errorf("summary.md does not call out the replace:\n%s", summary)
	}
	before = readState()
	h.mustFail("stack Api: the plan would replace aws_dynamodb_table.notes (DynamoDB table: its items lost): pass --allow-replace", "deploy", "--plan", plan)
	if readState() != before {
		t.Fatal("a refused replace changed the state")
	}
	// The flag is the consent: the same plan then applies, replacing it.
	h = newHarness(t, dir, append(env, "KEEP=reviewed", "KEY=pk")...)
	h.mustRun("deploy", "--plan", plan, "--allow-replace")
	if st := readState(); !strings.Contains(st, `"hash_key": "pk"`) {
		t.Errorf("deploy --plan --allow-replace did not replace the table; Api's state:\n%s", st)
	}
}
