package sst

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

// validateData and validateAPI use every construct and prop combination
// the package offers, so that terraform validate checks all of it against
// the real provider schema.
func validateData(s *Stack) any {
	raw := s3bucket.NewS3Bucket(s.Scope(), jsii.String("Uploads"), &s3bucket.S3BucketConfig{BucketPrefix: jsii.String("uploads-")})
	notes := NewTable(s, "Notes", TableProps{
		Fields: map[string]string{
			"userId": "string", "noteId": "string", "createdAt": "number", "status": "string", "blob": "binary",
		},
		PrimaryIndex: TableIndex{PartitionKey: "userId", SortKey: "noteId"},
		GlobalIndexes: map[string]TableGlobalIndex{
			"byStatus": {PartitionKey: "status", SortKey: "createdAt"},
			"byBlob":   {PartitionKey: "blob", Projection: "keys_only"},
			"withSome": {PartitionKey: "status", Projection: "include", NonKeyAttributes: []string{"title"}},
		},
		LocalIndexes:        map[string]TableLocalIndex{"byCreated": {SortKey: "createdAt", Projection: "include", NonKeyAttributes: []string{"title"}}},
		TimeToLiveAttribute: "expiresAt",
		PointInTimeRecovery: true,
		RemovalPolicy:       RemovalRetain,
		Consumers: map[string]TableConsumer{
			"indexer": {Function: FunctionProps{Handler: nodeHandler}},
			"audit": {
				Function:         FunctionProps{Handler: nodeHandler},
				BatchSize:        10,
				StartingPosition: "TRIM_HORIZON",
				Filters:          []string{`{"eventName":["INSERT"]}`},
			},
		},
	})
	NewTable(s, "Keys", TableProps{Fields: map[string]string{"pk": "string"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}, Stream: "keys_only"})
	arm, x86 := goFunctions(s)
	arm.Bind(notes)
	x86.AttachPermissions(Allow([]string{"s3:GetObject"}, *raw.Arn()+"/*"))
	NewFunction(s, "Fn", FunctionProps{
		Handler:      nodeHandler,
		Runtime:      RuntimeNodejs22,
		MemorySize:   256,
		Timeout:      15 * time.Minute,
		Description:  "every prop",
		LogRetention: Days(14),
		Environment:  map[string]string{"BUCKET": *raw.Bucket()},
		Bind:         []Bindable{notes, arm},
		Permissions:  append(Service("sqs"), Statement{Effect: "Deny", Actions: []string{"s3:DeleteBucket"}, Resources: []string{"*"}}),
		URL: &FunctionURL{Authorizer: "iam", Cors: &Cors{
			AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET"}, AllowHeaders: []string{"x"},
			ExposeHeaders: []string{"y"}, AllowCredentials: true, MaxAge: time.Minute,
		}},
		DiskSize:            2048,
		Tracing:             TracingActive,
		ReservedConcurrency: 5,
		Retries:             NoRetries,
		MaxEventAge:         time.Hour,
		OnFailure:           arm,
		OnSuccess:           x86,
		Layers:              []string{"arn:aws:lambda:us-east-1:123456789012:layer:chromium:3"},
		VPC:                 &FunctionVPC{SubnetIDs: []string{"subnet-0a1b2c3d"}, SecurityGroupIDs: []string{"sg-0a1b2c3d"}},
	})
	NewFunction(s, "Public", FunctionProps{Handler: nodeHandler, URL: &FunctionURL{Streaming: true}, Tracing: TracingPassThrough})
	s.AddOutputs(map[string]any{"TableName": notes.TableName()})
	s.AddOutput("TableArn", notes.Arn(), OutputOptions{Description: "notes", Sensitive: true})
	return notes
}

func validateAPI(s *Stack) any {
	notes := Use[*Table](s, validateData)
	s.DependsOn(validateData)
	api := NewApi(s, "Api", ApiProps{
		Authorizers: map[string]ApiAuthorizer{
			"auth0": {Type: "jwt", JWT: JWTConfig{Issuer: "https://example.auth0.com/", Audience: []string{"notes"}}},
			"token": {Type: "lambda", Function: FunctionProps{Handler: nodeHandler}, ResultsCacheTTL: 5 * time.Minute, IdentitySource: []string{"$request.header.X-Token"}},
			"plain": {Type: "lambda", Function: FunctionProps{Handler: nodeHandler}, SimpleResponses: true},
		},
		Defaults: ApiDefaults{
			Function:            FunctionProps{Bind: []Bindable{notes}, Timeout: 20 * time.Second},
			Authorizer:          "auth0",
			AuthorizationScopes: []string{"read"},
		},
		Cors:      &Cors{AllowOrigins: []string{"https://example.com"}, ExposeHeaders: []string{"x-id"}, AllowCredentials: true, MaxAge: 10 * time.Minute},
		AccessLog: &ApiAccessLog{Format: `$context.requestId`, Retention: Days(30)},
		Routes: map[string]ApiRoute{
			"GET /notes":          {Handler: nodeHandler},
			"GET /notes/{id}":     {Handler: nodeHandler, AuthorizationScopes: []string{"write"}},
			"ANY /files/{proxy+}": {Handler: nodeHandler, Authorizer: "token"},
			"POST /plain":         {Handler: nodeHandler, Authorizer: "plain"},
			"DELETE /notes/{id}":  {Handler: nodeHandler, Authorizer: "iam"},
			"$default":            {Function: FunctionProps{Handler: nodeHandler, MemorySize: 128}, Authorizer: "none"},
		},
		CustomDomain: &CustomDomain{DomainName: "api.example.com"},
	})
	api.AddRoutes(map[string]ApiRoute{
		"PATCH /notes/{id}":  {Handler: nodeHandler},
		"GET /docs/{proxy+}": {URL: "https://example.com/docs/{proxy}", Authorizer: "none"},
		"POST /queue": {Authorizer: "iam", AWS: &ApiAwsRoute{
			Subtype:    "SQS-SendMessage",
			Parameters: map[string]string{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "$request.body"},
			Resources:  []string{"arn:aws:sqs:us-east-1:123456789012:q"},
		}},
	})
	api.AttachPermissions(notes)
	api.AttachPermissionsToRoute("GET /notes", api)
	other := NewApi(s, "Other", ApiProps{
		Routes:       map[string]ApiRoute{"GET /": {Handler: nodeHandler}},
		Cors:         &Cors{Disabled: true},
		AccessLog:    &ApiAccessLog{Disabled: true},
		CustomDomain: &CustomDomain{DomainName: "other.example.com", HostedZone: "example.com", CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
	})
	NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api, other, notes}})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL(), "OtherUrl": other.URL(), "NotesArn": notes.Arn()})
	return api
}

func validatePlain(s *Stack) any {
	notesTable(s)
	return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
}

// TestTerraformValidate runs `terraform validate` with the real AWS
// provider on synthesized stacks. It fails, rather than skips, when
// terraform or the provider mirror is missing.
func TestTerraformValidate(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform is not on PATH: %v", err)
	}
	env := testenv.TerraformEnv(t)

	emu := testOptions(t)
	emu.Endpoint = "http://127.0.0.1:5000"
	m, err := Synth(Config{Name: "notes"}, emu, validateData, validateAPI)
	if err != nil {
		t.Fatal(err)
	}
	checkFunctionsComplete(t, emu.OutDir, m)
	var dirs []string
	for _, st := range m.Stacks {
		dirs = append(dirs, filepath.Join(emu.OutDir, st.Dir))
	}

	plain := testOptions(t)
	plain.Profile = "dev"
	m, err = Synth(Config{Name: "notes", Region: "eu-west-1"}, plain, validatePlain)
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, filepath.Join(plain.OutDir, m.Stacks[0].Dir))

	validateStacks(t, env, dirs...)
}

// checkFunctionsComplete: the stack completed every function of every
// construct exactly once (the manifest lists each once), and no Lambda in
// the JSON was left without its bundle or environment, which is what a
// construct not telling the stack about a function of its own would leave.
func checkFunctionsComplete(t *testing.T, outDir string, m *manifest.Manifest) {
	t.Helper()
	for _, st := range m.Stacks {
		listed := map[string]bool{}
		for _, fn := range st.Functions {
			if listed[fn.ID] {
				t.Errorf("stack %s: function %s is listed twice in the manifest", st.Name, fn.ID)
			}
			listed[fn.ID] = true
		}
		b, err := os.ReadFile(filepath.Join(outDir, st.Dir, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		lambdas := asMap(asMap(doc["resource"])["aws_lambda_function"])
		if len(lambdas) == 0 {
			t.Errorf("stack %s has no functions to check", st.Name)
		}
		for id, v := range lambdas {
			fn := asMap(v)
			for _, attr := range []string{"handler", "runtime", "filename", "source_code_hash"} {
				if s, _ := fn[attr].(string); s == "" {
					t.Errorf("stack %s: function %s has no %s", st.Name, id, attr)
				}
			}
			if strings.HasSuffix(id, "_dispatcher") || strings.HasSuffix(id, "_invoker") || strings.HasSuffix(id, "_url_signer") {
				continue // a Script's or Job's or an SSR site's own Lambda, not an sst.Function
			}
			if !listed[id] {
				t.Errorf("stack %s: function %s is not in the manifest", st.Name, id)
			}
			if vars := asMap(asMap(fn["environment"])["variables"]); vars["SST_APP"] == nil {
				t.Errorf("stack %s: function %s has no environment: %v", st.Name, id, fn["environment"])
			}
		}
		if len(listed) > len(lambdas) {
			t.Errorf("stack %s: the manifest lists %d functions, the JSON has %d Lambdas", st.Name, len(listed), len(lambdas))
		}
	}
}

// validateStacks runs terraform validate on the stack directories in one
// terraform run (testenv.ValidateStacks).
func validateStacks(t *testing.T, env map[string]string, dirs ...string) {
	t.Helper()
	stacks := map[string]string{}
	for i, dir := range dirs {
		stacks[fmt.Sprintf("%d_%s", i, filepath.Base(dir))] = dir
	}
	testenv.ValidateStacks(t, env, stacks)
}
