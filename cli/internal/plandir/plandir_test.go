package plandir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// diffs is a plan as tf.ParsePlan reads it: a table replaced (retained on
// remove), a bucket deleted, a role policy changed, a function created and
// one updated.
var diffs = []tf.ResourceDiff{
	{Address: "aws_dynamodb_table.Notes", Action: "replace", Attrs: []tf.AttrChange{{Path: "hash_key", Old: `"id"`, New: `"pk"`}}},
	{Address: "aws_s3_bucket.Uploads", Action: "delete", Attrs: []tf.AttrChange{{Path: "bucket", Old: `"dev-app-uploads"`}}},
	{Address: "aws_iam_role_policy.Fn", Action: "update", Attrs: []tf.AttrChange{{Path: "policy", Old: `"{\"Action\":\"s3:GetObject\"}"`, New: `"{\"Action\":\"s3:*\"}"`}}},
	{Address: "aws_lambda_function.New", Action: "create", Attrs: []tf.AttrChange{{Path: "function_name", New: `"dev-app-New"`}}},
	{Address: "aws_lambda_function.Fn", Action: "update", Attrs: []tf.AttrChange{{Path: "environment[0].variables.TOKEN", Old: tf.Sensitive, New: tf.Sensitive}, {Path: "memory_size", Old: "128", New: strings.Repeat("9", 200)}}},
}

func samplePlan() *Plan {
	changes, counts := Changes(diffs, []string{"aws_dynamodb_table.Notes"})
	return &Plan{
		Version: Version, App: "app", Stage: "dev", Region: "us-east-1",
		Backend: manifest.Backend{Kind: "local", Config: map[string]any{"dir": ".sst/state"}},
		Created: time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC),
		Stacks: []Stack{
			{Name: "Data", Workspace: "dev", Plan: "stacks/Data/tfplan", Config: "stacks/Data/cdk.tf.json", DeployHash: "h1",
				Changes: changes, Counts: counts, ChangedOutputs: []string{"cross-stack-output-x"}},
			{Name: "Web", Workspace: "dev", DependsOn: []string{"Data"}, Plan: "stacks/Web/tfplan", Config: "stacks/Web/cdk.tf.json", DeployHash: "h2",
				Sites:       []Site{{Construct: "Site", Type: "StaticSite", Upload: "s1", Files: 3}},
				Drift:       []tf.Change{{Address: "aws_s3_bucket.Site", Action: "update"}},
				SiteChanges: []string{"StaticSite Site: 1 file(s) to upload, 0 to delete, 2 unchanged\n  + index.html"}},
		},
	}
}

func TestChangesClassify(t *testing.T) {
	changes, counts := Changes(diffs, []string{"aws_dynamodb_table.Notes"})
	if want := (Counts{Create: 1, Update: 2, Replace: 1, Delete: 1}); counts != want {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}
	got := map[string]Change{}
	for _, c := range changes {
		got[c.Address] = c
	}
	if c := got["aws_dynamodb_table.Notes"]; !c.Stateful || !c.Retained || c.IAM || c.Type != "aws_dynamodb_table" || len(c.Attrs) != 1 {
		t.Errorf("table: %+v", c)
	}
	if c := got["aws_iam_role_policy.Fn"]; !c.IAM || c.Stateful {
		t.Errorf("role policy: %+v", c)
	}
	if c := got["aws_lambda_function.New"]; c.Stateful || c.IAM || c.Attrs != nil {
		t.Errorf("a create keeps no attributes (they are all new): %+v", c)
	}
	st := Stack{Changes: changes}
	var guarded []string
	for _, c := range st.Guarded() {
		guarded = append(guarded, c.Address)
	}
	if want := []string{"aws_dynamodb_table.Notes", "aws_s3_bucket.Uploads"}; !reflect.DeepEqual(guarded, want) {
		t.Errorf("guarded = %v, want %v", guarded, want)
	}
	for addr, want := range map[string]string{
		"module.m.aws_s3_bucket.b[0]":    "aws_s3_bucket",
		"aws_sqs_queue.q":                "aws_sqs_queue",
		"data.aws_iam_policy_document.d": "aws_iam_policy_document",
	} {
		if got := resourceType(addr); got != want {
			t.Errorf("resourceType(%s) = %s, want %s", addr, got, want)
		}
	}
	for typ, want := range map[string]bool{"aws_iam_role": true, "aws_s3_bucket_policy": true, "aws_lambda_permission": true, "aws_lambda_function": false} {
		if IsIAM(typ) != want {
			t.Errorf("IsIAM(%s) = %v", typ, !want)
		}
	}
}

func TestSummary(t *testing.T) {
	got := Summary(samplePlan(), "plan")
	want := "# Plan for app, stage dev\n\n" +
		"Made 2026-12-03T07:00:00Z for region us-east-1; state: local state in .sst/state.\n\n" +
		"| stack | create | update | replace | delete | site files |\n|---|--:|--:|--:|--:|---|\n" +
		"| Data | 1 | 2 | 1 | 1 | none |\n" +
		"| Web | 0 | 0 | 0 | 0 | 1 site(s), 3 file(s) |\n\n" +
		"## Data loss: needs `--allow-replace`\n\n" +
		"These resources hold data that a destroy or replace loses. `sst deploy --plan` refuses the plan unless `--allow-replace` is given.\n\n" +
		"- **Data**: `-/+ aws_dynamodb_table.Notes` — DynamoDB table: its items lost (its RemovalPolicy retains it on `sst remove`, not on a replace)\n" +
		"- **Data**: `- aws_s3_bucket.Uploads` — S3 bucket: its objects lost\n\n" +
		"## Permission changes (IAM)\n\n" +
		"- **Data**: `~ aws_iam_role_policy.Fn`\n  - `policy`: `\"{\\\"Action\\\":\\\"s3:GetObject\\\"}\"` → `\"{\\\"Action\\\":\\\"s3:*\\\"}\"`\n\n" +
		"## Stack Data\n\n" +
		"- `-/+ aws_dynamodb_table.Notes` **data loss**\n  - `hash_key`: `\"id\"` → `\"pk\"`\n" +
		"- `- aws_s3_bucket.Uploads` **data loss**\n" +
		"- `~ aws_iam_role_policy.Fn`\n" +
		"- `+ aws_lambda_function.New`\n" +
		"- `~ aws_lambda_function.Fn`\n  - `environment[0].variables.TOKEN`: `(sensitive value)` → `(sensitive value)`\n" +
		"  - `memory_size`: `128` → `" + strings.Repeat("9", 120) + "…`\n\n" +
		"## Stack Web\n\nChanged outside Terraform (drift) since the last apply:\n\n- `aws_s3_bucket.Site` updated\n\nPlanned:\n\nNo resource changes.\n\n" +
		"Site files: StaticSite Site: 1 file(s) to upload, 0 to delete, 2 unchanged\n  - + index.html\n\n" +
		"This stack reads outputs of Data, which this plan changes; it was planned with their current values. `sst deploy --plan` applies Data and then refuses Web: make a new plan after that deploy.\n\n" +
		"Apply exactly this plan with `sst deploy --plan plan --stage dev` `--allow-replace`. It is refused, changing nothing, if the state, the synthesized stacks, the site files, the stage or the backend changed since.\n"
	if got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

// TestWriteRead round-trips plan.json and refuses directories that are
// not a complete plan, and a --out that would delete someone's files.
func TestWriteRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	if err := Prepare(dir); err != nil {
		t.Fatal(err)
	}
	p := samplePlan()
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "sst diff --out "+dir) {
		t.Errorf("read of an empty directory: %v", err)
	}
	for _, st := range p.Stacks {
		for _, f := range []string{st.Plan, st.Config} {
			path := filepath.Join(dir, f)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := Write(dir, dir, p); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("read back:\n%+v\nwant\n%+v", got, p)
	}
	if fi, err := os.Stat(filepath.Join(dir, File)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("plan.json mode: %v %v", fi, err)
	}

	// machine fields a CI script reads
	var raw map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, File))
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	first := raw["stacks"].([]any)[0].(map[string]any)
	if first["counts"].(map[string]any)["replace"] != 1.0 || first["changes"].([]any)[0].(map[string]any)["stateful"] != true {
		t.Errorf("plan.json stack: %v", first)
	}

	bad := func(name, body, want string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, File), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	bad("not JSON", "{", "write the plan again")
	bad("other version", `{"version":99,"stacks":[{}]}`, "plan format 99")
	bad("no stacks", `{"version":1}`, "no stacks")
	bad("escaping path", `{"version":1,"stacks":[{"name":"A","plan":"../x","config":"c"}]}`, `bad file name "../x"`)
	bad("missing plan", `{"version":1,"stacks":[{"name":"A","plan":"stacks/A/tfplan","config":"stacks/Data/cdk.tf.json"}]}`, "incomplete")

	// Prepare empties an earlier plan, and refuses anything else.
	if err := Prepare(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Prepare left %v", entries)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Prepare(other); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Prepare of a directory with other files: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "notes.txt")); err != nil {
		t.Error("Prepare deleted a file that was not a plan's")
	}
}

func TestCheckTarget(t *testing.T) {
	p := samplePlan()
	ok := Target{App: "app", Stage: "dev", Region: "us-east-1", Backend: p.Backend}
	if err := p.CheckTarget(ok); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		change func(*Target)
		want   string
	}{
		"stage":    {func(t *Target) { t.Stage = "prod" }, `made for stage "dev", not "prod": deploy it with --stage dev`},
		"app":      {func(t *Target) { t.App = "other" }, `made for app "app"`},
		"region":   {func(t *Target) { t.Region = "eu-west-1" }, "deploy with --region us-east-1"},
		"endpoint": {func(t *Target) { t.Endpoint = "http://127.0.0.1:5000" }, "same --endpoint"},
		"engine":   {func(t *Target) { t.Engine = "tofu" }, "the plan was made with terraform, and this deploy runs tofu: deploy it with --engine terraform, or make a new plan"},
		"backend": {func(t *Target) {
			t.Backend = manifest.Backend{Kind: "s3", Config: map[string]any{"bucket": "state"}}
		}, "the plan was made for the state in local state in .sst/state, and stage dev now keeps it in S3 bucket state"},
	} {
		target := ok
		tc.change(&target)
		if err := p.CheckTarget(target); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// TestRefusals: every reason a stack's plan is refused, alone and
// together, and what passes.
func TestRefusals(t *testing.T) {
	p := samplePlan()
	data := p.Stacks[0]
	data.Artifacts = map[string]string{"fn.zip": "a1"}
	data.State = tf.StateRef{Lineage: "l", Serial: 3}
	reviewed := []byte(`{"resource":{}}`)
	ok := Now{Config: reviewed, DeployHash: "h1", Artifacts: map[string]string{"fn.zip": "a1"}, State: data.State}
	if got := data.Refusals(ok, reviewed, true, "remake"); len(got) != 0 {
		t.Errorf("an unchanged stack with --allow-replace is refused: %v", got)
	}
	got := data.Refusals(ok, reviewed, false, "remake")
	if len(got) != 2 || !strings.Contains(got[0], "the plan would replace aws_dynamodb_table.Notes (DynamoDB table: its items lost): pass --allow-replace") || !strings.Contains(got[1], "would destroy aws_s3_bucket.Uploads") {
		t.Errorf("replace without --allow-replace: %v", got)
	}

	for name, tc := range map[string]struct {
		change func(*Now)
		want   string
	}{
		"config": {func(n *Now) { n.DeployHash, n.Config = "h9", []byte(`{}`) }, "its Terraform JSON (cdk.tf.json) differs from the one the plan was made from (the copy in the plan directory): deploy from the commit the plan was made from, or remake"},
		"artifact": {func(n *Now) {
			n.DeployHash, n.Artifacts = "h9", map[string]string{"fn.zip": "a2"}
		}, "function artifact fn.zip differs from the planned one"},
		"unknown":    {func(n *Now) { n.DeployHash = "h9" }, "what it deploys differs from what the plan was made from"},
		"state":      {func(n *Now) { n.State = tf.StateRef{Lineage: "l", Serial: 4} }, "the state changed since the plan was made (planned against lineage l, serial 3, now lineage l, serial 4): another deploy or import ran in between; remake"},
		"state gone": {func(n *Now) { n.State = tf.StateRef{} }, "now no state"},
	} {
		now := ok
		tc.change(&now)
		got := data.Refusals(now, reviewed, true, "remake")
		if len(got) != 1 || !strings.Contains(got[0], tc.want) {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}

	web := p.Stacks[1]
	for name, sites := range map[string]map[string]string{
		"site files changed": {"Site": "s2"},
		"site gone":          {},
		"site added":         {"Site": "s1", "Other": "s3"},
	} {
		got := web.Refusals(Now{DeployHash: "h2", Sites: sites}, nil, false, "remake")
		if len(got) != 1 || !strings.Contains(got[0], "its files differ from the build the plan was made with") {
			t.Errorf("%s: %q", name, got)
		}
	}
	if got := web.Refusals(Now{DeployHash: "h2", Sites: map[string]string{"Site": "s1"}}, nil, false, "remake"); len(got) != 0 {
		t.Errorf("same site files refused: %v", got)
	}
	if got := p.StaleDependents(); !reflect.DeepEqual(got, map[string]string{"Web": "Data"}) {
		t.Errorf("stale dependents = %v", got)
	}
}
