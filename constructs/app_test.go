package sst

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"

	"github.com/sst-tf/sst/internal/stage"
	"github.com/sst-tf/sst/manifest"
)

func TestAppNamesTagsAndProvider(t *testing.T) {
	opts := testOptions(t)
	opts.Profile = "dev-profile"
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		notesTable(s)
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
		return nil
	})...)

	if got := s.resource(t, "First", "aws_dynamodb_table", "Notes")["name"]; got != "test-notes-Notes" {
		t.Errorf("table name = %v, want test-notes-Notes", got)
	}
	if got := s.resource(t, "First", "aws_lambda_function", "Fn")["function_name"]; got != "test-notes-Fn" {
		t.Errorf("function name = %v, want test-notes-Fn", got)
	}
	if got := s.resource(t, "First", "aws_iam_role", "Fn_role")["name"]; got != "test-notes-Fn" {
		t.Errorf("role name = %v, want test-notes-Fn", got)
	}

	p := s.provider(t, "First")
	wantJSON(t, "default_tags", p["default_tags"], []any{map[string]any{"tags": map[string]string{"sst:app": "notes", "sst:stage": "test"}}})
	if p["region"] != "us-east-1" {
		t.Errorf("provider region = %v", p["region"])
	}
	if p["max_retries"] != float64(25) {
		t.Errorf("provider max_retries = %#v, want 25 (throttling is retried by the provider)", p["max_retries"])
	}
	if p["profile"] != "dev-profile" {
		t.Errorf("provider profile = %v, want dev-profile (no endpoint set)", p["profile"])
	}
	for _, k := range []string{"endpoints", "skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check", "s3_use_path_style"} {
		if _, ok := p[k]; ok {
			t.Errorf("provider has %s without an endpoint override", k)
		}
	}
	wantJSON(t, "required_providers.aws", at(s.stack(t, "First"), "terraform", "required_providers", "aws"),
		map[string]string{"source": "hashicorp/aws", "version": "~> 5.84"})

	if s.m.App != "notes" || s.m.Stage != "test" || s.m.Region != "us-east-1" || s.m.Profile != "dev-profile" || s.m.Endpoint != "" {
		t.Errorf("manifest header = %+v", s.m)
	}
}

func TestAppRegionFromConfig(t *testing.T) {
	opts := testOptions(t)
	opts.Region = ""
	s := synthOK(t, Config{Name: "notes", Region: "eu-west-1", Profile: "cfg", MaxRetries: 8}, opts, stacks(t, func(s *Stack) any {
		notesTable(s)
		return nil
	})...)
	p := s.provider(t, "First")
	if p["max_retries"] != float64(8) {
		t.Errorf("provider max_retries = %#v, want 8 from Config", p["max_retries"])
	}
	if p["region"] != "eu-west-1" || p["profile"] != "cfg" {
		t.Errorf("provider region/profile = %v/%v, want eu-west-1/cfg from Config", p["region"], p["profile"])
	}
}

func TestAppEndpointOverride(t *testing.T) {
	const ep = "http://127.0.0.1:4566"
	opts := testOptions(t)
	opts.Endpoint = ep
	opts.Profile = "ignored"
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		notesTable(s)
		return nil
	})...)
	p := s.provider(t, "First")
	eps := asMap(at(p, "endpoints", 0))
	for _, svc := range []string{"s3", "dynamodb", "lambda", "iam", "apigatewayv2", "logs", "sts", "acm", "route53"} {
		if eps[svc] != ep {
			t.Errorf("endpoints.%s = %v, want %s", svc, eps[svc], ep)
		}
	}
	if p["skip_credentials_validation"] != true || p["skip_requesting_account_id"] != true || p["s3_use_path_style"] != true {
		t.Errorf("skip_* / s3_use_path_style not set: %v", jsonString(t, p))
	}
	if p["skip_metadata_api_check"] != "true" {
		t.Errorf("skip_metadata_api_check = %#v, want \"true\"", p["skip_metadata_api_check"])
	}
	if _, ok := p["profile"]; ok {
		t.Errorf("profile %v set together with an endpoint override", p["profile"])
	}
	if s.m.Endpoint != ep {
		t.Errorf("manifest endpoint = %q", s.m.Endpoint)
	}
}

func TestAppOutputs(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		tb := notesTable(s)
		s.AddOutputs(map[string]any{"TableName": tb.TableName(), "Count": 3, "Flag": true})
		s.AddOutput("TableArn", tb.Arn(), OutputOptions{Description: "the notes table", Sensitive: true})
		return nil
	})...)
	out := asMap(s.stack(t, "First")["output"])
	wantJSON(t, "TableName", out["TableName"], map[string]any{"sensitive": false, "value": "test-notes-Notes"})
	wantJSON(t, "Count", out["Count"], map[string]any{"sensitive": false, "value": 3})
	wantJSON(t, "Flag", out["Flag"], map[string]any{"sensitive": false, "value": true})
	wantJSON(t, "TableArn", out["TableArn"], map[string]any{
		"description": "the notes table", "sensitive": true, "value": "${aws_dynamodb_table.Notes.arn}",
	})
	wantJSON(t, "manifest outputs", s.manifestStack(t, "First").Outputs, []manifest.Output{
		{Name: "Count"}, {Name: "Flag"}, {Name: "TableName"},
		{Name: "TableArn", Description: "the notes table", Sensitive: true},
	})
}

func TestAppUseAcrossStacks(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t,
		func(s *Stack) any { return notesTable(s) },
		func(s *Stack) any {
			tb := Use[*Table](s, First)
			NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{tb}})
			s.AddOutputs(map[string]any{"Arn": tb.Arn()})
			return nil
		},
	)...)

	// The producer exports the ARN as a sensitive output…
	var exported bool
	for name, o := range asMap(s.stack(t, "First")["output"]) {
		if strings.HasPrefix(name, "cross-stack-output-") && at(o, "value") == "${aws_dynamodb_table.Notes.arn}" {
			exported = true
			if at(o, "sensitive") != true {
				t.Errorf("cross-stack output %s is not sensitive", name)
			}
		}
	}
	if !exported {
		t.Errorf("First does not export the table ARN: %s", jsonString(t, s.stack(t, "First")["output"]))
	}
	// …and the consumer reads it from the producer's state, same stage.
	rs := asMap(at(s.stack(t, "Second"), "data", "terraform_remote_state", "cross-stack-reference-input-First"))
	if rs == nil {
		t.Fatalf("Second has no terraform_remote_state for First: %s", jsonString(t, s.stack(t, "Second")["data"]))
	}
	if rs["backend"] != "local" || rs["workspace"] != "${terraform.workspace}" {
		t.Errorf("remote state = %s", jsonString(t, rs))
	}
	if p, _ := at(rs, "config", "path").(string); filepath.IsAbs(p) || !strings.HasSuffix(p, "First/terraform.tfstate") {
		t.Errorf("remote state path = %q, want a relative path to First's state", p)
	}
	arn := at(s.stack(t, "Second"), "output", "Arn", "value")
	if a, _ := arn.(string); !strings.HasPrefix(a, "${data.terraform_remote_state.cross-stack-reference-input-First.outputs.") {
		t.Errorf("Arn output = %v, want a remote state reference", arn)
	}
	if got := s.manifestStack(t, "Second").DependsOn; !reflect.DeepEqual(got, []string{"First"}) {
		t.Errorf("Second.DependsOn = %v, want [First]", got)
	}
	if got := s.manifestStack(t, "First").DependsOn; len(got) != 0 {
		t.Errorf("First.DependsOn = %v, want none", got)
	}
}

func TestAppDependsOnExplicit(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t,
		func(s *Stack) any { return notesTable(s) },
		func(s *Stack) any { return nil },
		func(s *Stack) any {
			s.DependsOn(First, Second)
			return nil
		},
	)...)
	if got := s.manifestStack(t, "Third").DependsOn; !reflect.DeepEqual(got, []string{"First", "Second"}) {
		t.Errorf("Third.DependsOn = %v, want [First Second]", got)
	}
	if got := s.manifestStack(t, "Second").DependsOn; len(got) != 0 {
		t.Errorf("Second.DependsOn = %v, want none", got)
	}
}

func TestAppUseOfLaterStack(t *testing.T) {
	msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t,
		func(s *Stack) any { return Use[*Table](s, Second) },
		func(s *Stack) any { return notesTable(s) },
	)...)
	wantContains(t, msg, "stack First", "Use(Second)", "list Second before First")

	msg = synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t,
		func(s *Stack) any { s.DependsOn(Second); return nil },
		func(s *Stack) any { return notesTable(s) },
	)...)
	wantContains(t, msg, "stack First", "DependsOn(Second)")
}

func TestAppUseWrongType(t *testing.T) {
	msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t,
		func(s *Stack) any { return notesTable(s) },
		func(s *Stack) any { return Use[*Api](s, First) },
	)...)
	wantContains(t, msg, "stack Second", "Use(First)", "*sst.Table", "*sst.Api")
}

func TestAppAnonymousStack(t *testing.T) {
	opts := testOptions(t)
	msg := synthErr(t, Config{Name: "notes"}, opts, func(s *Stack) any { return nil })
	wantContains(t, msg, "anonymous", "named function")

	msg = synthErr(t, Config{Name: "notes"}, opts)
	wantContains(t, msg, "no stacks")

	stacks(t, func(s *Stack) any { return nil })
	msg = synthErr(t, Config{Name: "notes"}, opts, First, First)
	wantContains(t, msg, "First", "twice")
}

// funcStack is named like a closure's last element but is not one.
func funcStack(s *Stack) any { return nil }

type stackSet struct{}

func (stackSet) Method(s *Stack) any { return nil }

func TestStackName(t *testing.T) {
	if name, err := stackName(funcStack); err != nil || name != "funcStack" {
		t.Errorf("stackName(funcStack) = %q, %v", name, err)
	}
	if name, err := stackName(First); err != nil || name != "First" {
		t.Errorf("stackName(First) = %q, %v", name, err)
	}
	for what, fn := range map[string]StackFunc{
		"closure":      func(s *Stack) any { return nil },
		"method value": stackSet{}.Method,
	} {
		if name, err := stackName(fn); err == nil {
			t.Errorf("%s: stackName = %q, want an error", what, name)
		}
	}
}

func TestAppEscapeHatch(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		b := s3bucket.NewS3Bucket(s.Scope(), jsii.String("Uploads"), &s3bucket.S3BucketConfig{
			BucketPrefix: jsii.String("uploads-"),
		})
		NewFunction(s, "Fn", FunctionProps{
			Handler:     nodeHandler,
			Environment: map[string]string{"BUCKET": *b.Bucket()},
			Permissions: []Permission{Allow([]string{"s3:GetObject"}, *b.Arn()+"/*")},
		})
		return nil
	})...)
	if got := s.resource(t, "First", "aws_s3_bucket", "Uploads")["bucket_prefix"]; got != "uploads-" {
		t.Errorf("raw bucket bucket_prefix = %v", got)
	}
	if got := s.env(t, "First", "Fn")["BUCKET"]; got != "${aws_s3_bucket.Uploads.bucket}" {
		t.Errorf("BUCKET = %v, want ${aws_s3_bucket.Uploads.bucket}", got)
	}
	if got := s.policy(t, "First", "Fn").grants("s3:GetObject"); !reflect.DeepEqual(got, []string{"${aws_s3_bucket.Uploads.arn}/*"}) {
		t.Errorf("s3:GetObject on %v", got)
	}
	if got := s.manifestFunction(t, "First", "Fn").Environment["BUCKET"]; got != "${aws_s3_bucket.Uploads.bucket}" {
		t.Errorf("manifest BUCKET = %q, want the resolved expression", got)
	}
}

func TestAppDefaultFunctionProps(t *testing.T) {
	opts := testOptions(t)
	cfg := Config{Name: "notes", Defaults: Defaults{Function: FunctionProps{
		MemorySize:  512,
		Timeout:     30 * time.Second,
		Environment: map[string]string{"A": "default", "B": "default"},
		Permissions: Service("sqs"),
	}}}
	s := synthOK(t, cfg, opts, stacks(t, func(s *Stack) any {
		tb := notesTable(s)
		NewFunction(s, "Before", FunctionProps{Handler: nodeHandler})
		s.App().AddDefaultFunctionEnv(map[string]string{"C": "added"})
		s.App().AddDefaultFunctionPermissions(Allow([]string{"sns:Publish"}, "arn:aws:sns:us-east-1:123456789012:t"))
		s.App().AddDefaultFunctionBinding(tb)
		NewFunction(s, "After", FunctionProps{
			Handler:     nodeHandler,
			MemorySize:  2048,
			Environment: map[string]string{"B": "own"},
			Permissions: Service("s3"),
		})
		return nil
	})...)

	before, after := s.resource(t, "First", "aws_lambda_function", "Before"), s.resource(t, "First", "aws_lambda_function", "After")
	if before["memory_size"] != 512.0 || before["timeout"] != 30.0 {
		t.Errorf("Before memory/timeout = %v/%v, want defaults 512/30", before["memory_size"], before["timeout"])
	}
	if after["memory_size"] != 2048.0 || after["timeout"] != 30.0 {
		t.Errorf("After memory/timeout = %v/%v, want own 2048 and default 30", after["memory_size"], after["timeout"])
	}

	be, ae := s.env(t, "First", "Before"), s.env(t, "First", "After")
	if be["A"] != "default" || be["B"] != "default" || be["C"] != nil || be["SST_Table_tableName_Notes"] != nil {
		t.Errorf("Before env = %v: defaults added later must not apply", be)
	}
	if ae["A"] != "default" || ae["B"] != "own" || ae["C"] != "added" || ae["SST_Table_tableName_Notes"] != "test-notes-Notes" {
		t.Errorf("After env = %v, want merged defaults, own B, added C and the default binding", ae)
	}

	bp, ap := s.policy(t, "First", "Before"), s.policy(t, "First", "After")
	if len(bp.grants("sqs:*")) == 0 || len(bp.grants("sns:Publish")) != 0 || len(bp.grants("dynamodb:GetItem")) != 0 {
		t.Errorf("Before policy = %+v", bp)
	}
	if len(ap.grants("sqs:*")) == 0 || len(ap.grants("s3:*")) == 0 || len(ap.grants("sns:Publish")) == 0 || len(ap.grants("dynamodb:GetItem")) == 0 {
		t.Errorf("After policy = %+v, want default sqs, own s3, added sns and bound dynamodb", ap)
	}

	// Adding defaults while stacks run must not leak into the caller's Config.
	if len(cfg.Defaults.Function.Environment) != 2 || len(cfg.Defaults.Function.Permissions) != 1 {
		t.Errorf("Synth mutated Config.Defaults.Function: %+v", cfg.Defaults.Function)
	}
}

func TestAppRemovalPolicyRetain(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes", Defaults: Defaults{RemovalPolicy: RemovalRetain}}, opts, stacks(t, func(s *Stack) any {
		notesTable(s)
		NewTable(s, "Scratch", TableProps{
			Fields:        map[string]string{"pk": "string"},
			PrimaryIndex:  TableIndex{PartitionKey: "pk"},
			RemovalPolicy: RemovalDestroy,
		})
		return nil
	})...)
	if got := s.manifestStack(t, "First").Retained; !reflect.DeepEqual(got, []string{"aws_dynamodb_table.Notes"}) {
		t.Errorf("Retained = %v, want [aws_dynamodb_table.Notes]", got)
	}
}

func TestAppManifest(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t,
		func(s *Stack) any { return notesTable(s) },
		func(s *Stack) any {
			tb := Use[*Table](s, First)
			api := NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{
				"GET /notes": {Function: FunctionProps{Handler: nodeHandler, Bind: []Bindable{tb}}},
			}})
			s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
			return nil
		},
	)...)

	read, err := manifest.Read(opts.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(roundTrip(t, s.m), roundTrip(t, read)) {
		t.Errorf("manifest.json differs from what Synth returned:\nfile   %s\nreturn %s", jsonString(t, read), jsonString(t, s.m))
	}
	if read.Version != manifest.Version || read.Backend.Kind != "local" {
		t.Errorf("version/backend = %d/%q", read.Version, read.Backend.Kind)
	}
	if names := []string{read.Stacks[0].Name, read.Stacks[1].Name}; !reflect.DeepEqual(names, []string{"First", "Second"}) {
		t.Errorf("stacks = %v, want [First Second] in declaration order", names)
	}
	second := s.manifestStack(t, "Second")
	if second.Dir != "stacks/Second" || second.Workspace != "test" {
		t.Errorf("Second dir/workspace = %q/%q", second.Dir, second.Workspace)
	}
	if _, err := os.Stat(filepath.Join(opts.OutDir, second.Dir, "cdk.tf.json")); err != nil {
		t.Errorf("stack dir in manifest: %v", err)
	}
	wantJSON(t, "routes", second.Routes, []manifest.Route{{Api: "Api", Key: "GET /notes", Function: "Api_GET_notes", Authorizer: "none"}})
	wantJSON(t, "outputs", second.Outputs, []manifest.Output{{Name: "ApiUrl"}})
	wantJSON(t, "constructs", second.Constructs, []manifest.Construct{{
		ID: "Api", Type: "Api", Path: "Api", Data: map[string]string{"url": "${aws_apigatewayv2_api.Api.api_endpoint}", "dev": defaultCorsDev}, Binds: []string{"Notes"},
	}})
	wantJSON(t, "First constructs", s.manifestStack(t, "First").Constructs, []manifest.Construct{{
		ID: "Notes", Type: "Table", Path: "Notes", Data: map[string]string{"tableName": "test-notes-Notes"},
	}})
	f := s.manifestFunction(t, "Second", "Api_GET_notes")
	if f.Construct != "Api" || f.Name != "test-notes-Api_GET_notes" || f.Handler != nodeHandler || f.Runtime != "nodejs20.x" ||
		f.Arch != "arm64" || f.Memory != 1024 || f.Timeout != 10 || f.Build == nil || f.Environment["SST_Table_tableName_Notes"] != "test-notes-Notes" ||
		!reflect.DeepEqual(f.Bindings, []string{"Notes"}) {
		t.Errorf("manifest function = %+v", f)
	}
	if len(second.Artifacts) != 1 || second.Artifacts[0] != f.Artifact {
		t.Errorf("Second artifacts = %v, function artifact %q", second.Artifacts, f.Artifact)
	}
	if _, err := os.Stat(filepath.Join(opts.OutDir, second.Dir, f.Artifact)); err != nil {
		t.Errorf("artifact is not relative to the stack dir: %v", err)
	}
}

func roundTrip(t *testing.T, m *manifest.Manifest) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(jsonString(t, m)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// An app run directly (cdktf deploy, go run .) in a CI job whose SST_STAGE
// comes from an undefined variable must not fall back to the user's stage.
func TestOptionsFromEnvRefusesEmptyStage(t *testing.T) {
	t.Setenv(manifest.EnvProjectDir, t.TempDir())
	t.Setenv(manifest.EnvStage, "")
	_, err := OptionsFromEnv()
	if !errors.Is(err, stage.ErrEmpty) || !strings.Contains(err.Error(), `SST_STAGE: the stage is empty (the variable is set to "")`) {
		t.Fatalf("err = %v, want the empty-stage error", err)
	}
	os.Unsetenv(manifest.EnvStage)
	o, err := OptionsFromEnv()
	if err != nil || stage.Validate(o.Stage) != nil {
		t.Fatalf("unset SST_STAGE: stage %q, err %v; want a default stage", o.Stage, err)
	}
}
