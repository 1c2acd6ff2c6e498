package sst

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// goFunctions declares the two Go functions of the package's tests; the
// validate test declares them again with the same ids and props, so each
// is cross-compiled once per test binary.
func goFunctions(s *Stack) (arm, x86 *Function) {
	arm = NewFunction(s, "GoFn", FunctionProps{Handler: goHandler})
	x86 = NewFunction(s, "GoX86", FunctionProps{Handler: goHandler, Architecture: ArchX86_64})
	return arm, x86
}

func TestFunctionGoHandler(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		goFunctions(s)
		return nil
	})...)
	for id, arch := range map[string]string{"GoFn": "arm64", "GoX86": "x86_64"} {
		f := s.resource(t, "First", "aws_lambda_function", id)
		if f["runtime"] != "provided.al2023" || f["handler"] != "bootstrap" {
			t.Errorf("%s runtime/handler = %v/%v, want provided.al2023/bootstrap", id, f["runtime"], f["handler"])
		}
		wantJSON(t, id+" architectures", f["architectures"], []string{arch})
		if mf := s.manifestFunction(t, "First", id); mf.Arch != arch || mf.Runtime != "provided.al2023" {
			t.Errorf("manifest %s arch/runtime = %s/%s", id, mf.Arch, mf.Runtime)
		}
	}
	stackDir := filepath.Join(opts.OutDir, "stacks", "First")
	bundle := func(id string) string {
		name, _ := s.resource(t, "First", "aws_lambda_function", id)["filename"].(string)
		b, err := os.ReadFile(filepath.Join(stackDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if bundle("GoFn") == bundle("GoX86") {
		t.Error("arm64 and x86_64 builds are the same bytes: is the architecture ignored?")
	}
}

func TestFunctionNodeHandler(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
		NewFunction(s, "Node22", FunctionProps{Handler: nodeHandler, Runtime: RuntimeNodejs22, Nodejs: NodejsProps{Format: "cjs"}})
		return nil
	})...)
	f := s.resource(t, "First", "aws_lambda_function", "Fn")
	if f["runtime"] != "nodejs20.x" || f["handler"] != "index.handler" {
		t.Errorf("runtime/handler = %v/%v, want nodejs20.x/index.handler", f["runtime"], f["handler"])
	}
	wantJSON(t, "architectures", f["architectures"], []string{"arm64"})
	if f["memory_size"] != 1024.0 || f["timeout"] != 10.0 {
		t.Errorf("memory/timeout = %v/%v, want defaults 1024/10", f["memory_size"], f["timeout"])
	}
	if _, ok := f["description"]; ok {
		t.Errorf("description set without one: %v", f["description"])
	}
	if got := s.resource(t, "First", "aws_lambda_function", "Node22")["runtime"]; got != "nodejs22.x" {
		t.Errorf("explicit runtime = %v, want nodejs22.x", got)
	}
}

func TestFunctionProps(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		fn := NewFunction(s, "Fn", FunctionProps{
			Handler:      nodeHandler,
			MemorySize:   256,
			Timeout:      15 * time.Minute,
			Description:  "lists notes",
			LogRetention: Days(14),
			Environment:  map[string]string{"LEVEL": "debug"},
		})
		fn.AddEnvironment(map[string]string{"LATER": "yes"})
		return nil
	})...)
	f := s.resource(t, "First", "aws_lambda_function", "Fn")
	if f["memory_size"] != 256.0 || f["timeout"] != 900.0 || f["description"] != "lists notes" {
		t.Errorf("memory/timeout/description = %v/%v/%v", f["memory_size"], f["timeout"], f["description"])
	}
	wantJSON(t, "environment", s.env(t, "First", "Fn"), map[string]string{
		"AWS_NODEJS_CONNECTION_REUSE_ENABLED": "1",
		"LATER":                               "yes",
		"LEVEL":                               "debug",
		"SST_APP":                             "notes",
		"SST_FUNCTION_ID":                     "Fn",
		"SST_SSM_PREFIX":                      "/sst/notes/test/",
		"SST_STAGE":                           "test",
	})
	lg := s.resource(t, "First", "aws_cloudwatch_log_group", "Fn_logs")
	if lg["name"] != "/aws/lambda/test-notes-Fn" || lg["retention_in_days"] != 14.0 {
		t.Errorf("log group = %v", jsonString(t, lg))
	}
	deps := jsonString(t, f["depends_on"])
	wantContains(t, deps, "aws_cloudwatch_log_group.Fn_logs", "aws_iam_role_policy.Fn_policy")
}

func TestFunctionURL(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
		pub := NewFunction(s, "Public", FunctionProps{Handler: nodeHandler, URL: &FunctionURL{}})
		NewFunction(s, "Private", FunctionProps{Handler: nodeHandler, URL: &FunctionURL{
			Authorizer: "iam",
			Cors: &Cors{
				AllowOrigins:     []string{"https://example.com"},
				AllowMethods:     []string{"GET", "POST"},
				AllowHeaders:     []string{"content-type"},
				ExposeHeaders:    []string{"x-id"},
				AllowCredentials: true,
				MaxAge:           10 * time.Minute,
			},
		}})
		s.AddOutputs(map[string]any{"Url": pub.URL()})
		return nil
	})...)
	if urls := s.resources("First", "aws_lambda_function_url"); len(urls) != 2 || urls["Fn_url"] != nil {
		t.Errorf("function urls = %v, want only Public_url and Private_url", keys(urls))
	}
	pub := s.resource(t, "First", "aws_lambda_function_url", "Public_url")
	if pub["authorization_type"] != "NONE" || pub["function_name"] != "${aws_lambda_function.Public.function_name}" {
		t.Errorf("Public url = %v", jsonString(t, pub))
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Public_url_permission")
	if perm["action"] != "lambda:InvokeFunctionUrl" || perm["principal"] != "*" || perm["function_url_auth_type"] != "NONE" ||
		perm["function_name"] != "${aws_lambda_function.Public.function_name}" {
		t.Errorf("public URL permission = %v", jsonString(t, perm))
	}
	if _, ok := s.resources("First", "aws_lambda_permission")["Private_url_permission"]; ok {
		t.Error("an IAM-authorized URL is opened to everyone")
	}
	if _, ok := pub["cors"]; ok {
		t.Errorf("Public url has cors without Cors: %v", pub["cors"])
	}
	priv := s.resource(t, "First", "aws_lambda_function_url", "Private_url")
	if priv["authorization_type"] != "AWS_IAM" {
		t.Errorf("Private authorization_type = %v", priv["authorization_type"])
	}
	wantJSON(t, "Private cors", priv["cors"], map[string]any{
		"allow_credentials": true,
		"allow_headers":     []string{"content-type"},
		"allow_methods":     []string{"GET", "POST"},
		"allow_origins":     []string{"https://example.com"},
		"expose_headers":    []string{"x-id"},
		"max_age":           600,
	})
	if got := at(s.stack(t, "First"), "output", "Url", "value"); got != "${aws_lambda_function_url.Public_url.function_url}" {
		t.Errorf("Url output = %v", got)
	}
}

func TestFunctionPermissionsAndBinding(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		tb := notesTable(s)
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{tb}})
		svc := NewFunction(s, "Svc", FunctionProps{
			Handler:     nodeHandler,
			Permissions: append(Service("s3"), Allow([]string{"sqs:SendMessage"}, "arn:aws:sqs:us-east-1:123456789012:q")),
		})
		svc.AttachPermissions(Statement{Effect: "Deny", Actions: []string{"s3:DeleteBucket"}, Resources: []string{"*"}})
		caller := NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler})
		caller.Bind(svc)
		return nil
	})...)

	// Binding: the env var in SST v2's format and item access on exactly
	// the table and its indexes.
	if got := s.env(t, "First", "Fn")["SST_Table_tableName_Notes"]; got != "test-notes-Notes" {
		t.Errorf("SST_Table_tableName_Notes = %v", got)
	}
	p := s.policy(t, "First", "Fn")
	want := []string{"${aws_dynamodb_table.Notes.arn}", "${aws_dynamodb_table.Notes.arn}/index/*"}
	for _, action := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} {
		if got := p.grants(action); !reflect.DeepEqual(got, want) {
			t.Errorf("%s on %v, want %v", action, got, want)
		}
	}
	for _, st := range p.Statement {
		for _, r := range st.Resource {
			if r == "*" {
				t.Errorf("bound-only function has a statement on *: %+v", st)
			}
		}
		for _, a := range st.Action {
			if a == "dynamodb:*" || a == "dynamodb:DeleteTable" || a == "dynamodb:CreateTable" {
				t.Errorf("binding grants control-plane action %s", a)
			}
		}
	}
	if p.Version != "2012-10-17" {
		t.Errorf("policy version %q", p.Version)
	}

	// Permissions: the Service shorthand, an explicit statement, a Deny.
	sp := s.policy(t, "First", "Svc")
	if got := sp.grants("s3:*"); !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("s3:* on %v, want [*]", got)
	}
	if got := sp.grants("sqs:SendMessage"); !reflect.DeepEqual(got, []string{"arn:aws:sqs:us-east-1:123456789012:q"}) {
		t.Errorf("sqs:SendMessage on %v", got)
	}
	var denied bool
	for _, st := range sp.Statement {
		if st.Effect == "Deny" && reflect.DeepEqual(st.Action, []string{"s3:DeleteBucket"}) {
			denied = true
		}
	}
	if !denied {
		t.Errorf("attached Deny missing: %+v", sp)
	}

	// Binding a function: its name and permission to invoke it.
	if got := s.env(t, "First", "Caller")["SST_Function_functionName_Svc"]; got != "test-notes-Svc" {
		t.Errorf("SST_Function_functionName_Svc = %v", got)
	}
	if got := s.policy(t, "First", "Caller").grants("lambda:InvokeFunction"); !reflect.DeepEqual(got, []string{"${aws_lambda_function.Svc.arn}"}) {
		t.Errorf("lambda:InvokeFunction on %v", got)
	}
	if got := s.manifestFunction(t, "First", "Caller").Bindings; !reflect.DeepEqual(got, []string{"Svc"}) {
		t.Errorf("Caller bindings = %v", got)
	}
}

func TestFunctionRoleAndLogs(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
		return nil
	})...)
	f := s.resource(t, "First", "aws_lambda_function", "Fn")
	if f["role"] != "${aws_iam_role.Fn_role.arn}" {
		t.Errorf("role = %v", f["role"])
	}
	role := s.resource(t, "First", "aws_iam_role", "Fn_role")
	trust := jsonString(t, role["assume_role_policy"])
	wantContains(t, trust, `lambda.amazonaws.com`, `sts:AssumeRole`)
	if strings.Count(trust, `Service`) != 1 || strings.Contains(trust, `AWS\"`) || strings.Contains(trust, `"*"`) {
		t.Errorf("role is assumable by more than lambda.amazonaws.com: %s", trust)
	}
	pol := s.resource(t, "First", "aws_iam_role_policy", "Fn_policy")
	if pol["role"] != "${aws_iam_role.Fn_role.name}" {
		t.Errorf("policy role = %v", pol["role"])
	}
	p := s.policy(t, "First", "Fn")
	own := []string{"${aws_cloudwatch_log_group.Fn_logs.arn}:*"}
	for _, st := range p.Statement {
		for _, a := range st.Action {
			if strings.HasPrefix(a, "logs:") && !reflect.DeepEqual(st.Resource, own) {
				t.Errorf("%s granted on %v, want only the function's own log group %v", a, st.Resource, own)
			}
		}
	}
	if got := p.grants("logs:PutLogEvents"); !reflect.DeepEqual(got, own) {
		t.Errorf("logs:PutLogEvents on %v", got)
	}
	if len(p.grants("logs:CreateLogGroup")) != 0 {
		t.Error("function may create log groups; its group is managed by Terraform")
	}
}

// TestFunctionArtifactAndDeterminism synthesizes an app twice on an empty
// artifact cache: once with every build started only after all stacks were
// declared, once with the builds started early (from the first synth's
// manifest, before the first jsii call, and as each function is declared).
// The second synth's Go build must be done before its function is even
// declared, and every file the two write must be the same byte for byte.
func TestFunctionArtifactAndDeterminism(t *testing.T) {
	opts := testOptions(t)
	opts.ArtifactDir = filepath.Join(t.TempDir(), "artifacts")
	waitForPrebuild, minify := false, false
	body := func(s *Stack) any {
		if waitForPrebuild {
			waitForArtifact(t, opts.ArtifactDir, "GoFn-")
		}
		tb := notesTable(s)
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{tb}, Environment: map[string]string{"B": "2", "A": "1"}, Nodejs: NodejsProps{Minify: minify}})
		NewFunction(s, "GoFn", FunctionProps{Handler: goHandler, Bind: []Bindable{tb}})
		NewFunction(s, "GoFn2", FunctionProps{Handler: goHandler})
		return nil
	}
	earlyBuilds = false
	t.Cleanup(func() { earlyBuilds = true })
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, body)...)
	stackDir := filepath.Join(opts.OutDir, "stacks", "First")
	for _, id := range []string{"Fn", "GoFn", "GoFn2"} {
		f := s.resource(t, "First", "aws_lambda_function", id)
		name, _ := f["filename"].(string)
		if name == "" || filepath.IsAbs(name) || strings.Contains(name, testProject(t)) {
			t.Errorf("%s filename = %q, want a path relative to the stack dir", id, name)
		}
		if _, err := os.Stat(filepath.Join(stackDir, name)); err != nil {
			t.Errorf("%s artifact does not resolve from the stack dir: %v", id, err)
		}
		// Terraform hashes the file at plan time, so the JSON does not
		// change with the code.
		if h, want := f["source_code_hash"], `${filebase64sha256("`+name+`")}`; h != want {
			t.Errorf("%s source_code_hash = %q, want %q", id, h, want)
		}
		if want := "../../functions/" + id + ".zip"; name != want {
			t.Errorf("%s filename = %q, want the stable path %q", id, name, want)
		}
	}
	if got := s.manifestStack(t, "First").Artifacts; len(got) != 3 {
		t.Errorf("artifacts = %v, want 3", got)
	}
	goFn, goFn2 := s.resource(t, "First", "aws_lambda_function", "GoFn"), s.resource(t, "First", "aws_lambda_function", "GoFn2")
	bundle := func(f map[string]any) string {
		name, _ := f["filename"].(string)
		b, err := os.ReadFile(filepath.Join(stackDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if bundle(goFn) != bundle(goFn2) || goFn["filename"] == goFn2["filename"] {
		t.Errorf("two functions on one Go package: %v and %v, want the same bytes in two files", goFn["filename"], goFn2["filename"])
	}
	first := readTree(t, opts.OutDir)

	if err := os.RemoveAll(opts.ArtifactDir); err != nil {
		t.Fatal(err)
	}
	earlyBuilds, waitForPrebuild = true, true
	synthOK(t, Config{Name: "notes"}, opts, stacks(t, body)...)
	second := readTree(t, opts.OutDir)
	for name, b := range first {
		if second[name] != b {
			t.Errorf("%s differs between builds started late and early:\n%s\n---\n%s", name, b, second[name])
		}
	}
	for name := range second {
		if _, ok := first[name]; !ok {
			t.Errorf("%s written only with builds started early", name)
		}
	}

	// Other bundle bytes (a minified build), the same JSON: only the file
	// at the stable path differs; the manifest describes the build that
	// made it, for the CLI to repeat.
	minify = true
	s = synthOK(t, Config{Name: "notes"}, opts, stacks(t, body)...)
	third := readTree(t, opts.OutDir)
	for name, b := range first {
		if strings.HasSuffix(name, "cdk.tf.json") && third[name] != b {
			t.Errorf("a different bundle changed %s:\n%s\n---\n%s", name, b, third[name])
		}
	}
	if f := filepath.Join("functions", "Fn.zip"); third[f] == "" || third[f] == first[f] {
		t.Error("the minified bundle was not placed at the function's stable path")
	}
	if b := s.manifestFunction(t, "First", "Fn").Build; b == nil || !b.Minify {
		t.Errorf("manifest build settings = %+v", b)
	}
}

// waitForArtifact waits until a zip named prefix… is in dir: a build
// started before the stack declaring its function ran.
func waitForArtifact(t *testing.T, dir, prefix string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), ".zip") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("no %s*.zip in %s: the build did not start before its function was declared", prefix, dir)
}

// TestFunctionSSTv2Props covers the props ported SST v2 apps set: disk,
// tracing with its IAM, reserved concurrency, asynchronous retries and
// destinations with their IAM, layers from the app, stack and function,
// streaming URLs, SST v2's runtime and architecture names, and the
// variables SST v2 gave Node functions.
func TestFunctionSSTv2Props(t *testing.T) {
	opts := testOptions(t)
	const layerApp, layerStack, layerFn = "arn:aws:lambda:us-east-1:123456789012:layer:app:1",
		"arn:aws:lambda:us-east-1:123456789012:layer:stack:2", "arn:aws:lambda:us-east-1:123456789012:layer:fn:3"
	var queue *Queue
	var topic *Topic
	var all, stackFns []*Function
	var dev bool
	s := synthOK(t, Config{Name: "notes", Defaults: Defaults{Function: FunctionProps{Layers: []string{layerApp}}}}, opts, stacks(t, func(s *Stack) any {
		queue = NewQueue(s, "Failures", QueueProps{})
		topic = NewTopic(s, "Done", TopicProps{})
		s.SetDefaultFunctionProps(FunctionProps{MemorySize: 512, Environment: map[string]string{"FROM": "stack"}})
		s.AddDefaultFunctionLayers(layerStack)
		NewFunction(s, "Fn", FunctionProps{
			Handler:             nodeHandler,
			Runtime:             RuntimeNodejs20,
			Architecture:        "arm_64",
			DiskSize:            2048,
			Tracing:             TracingActive,
			ReservedConcurrency: 3,
			Retries:             NoRetries,
			MaxEventAge:         2 * time.Hour,
			OnFailure:           queue,
			OnSuccess:           topic,
			Layers:              []string{layerFn, layerStack},
			URL:                 &FunctionURL{Streaming: true},
			Environment:         map[string]string{"SST_FUNCTION_ID": "mine"},
		})
		NewFunction(s, "Go1x", FunctionProps{Handler: goHandler, Runtime: "go1.x", Tracing: TracingPassThrough, Retries: 1})
		stackFns = s.AllFunctions()
		dev = s.App().IsDev()
		all = s.App().AllFunctions()
		return nil
	})...)

	f := s.resource(t, "First", "aws_lambda_function", "Fn")
	wantJSON(t, "architectures", f["architectures"], []string{"arm64"})
	wantJSON(t, "ephemeral_storage", f["ephemeral_storage"], map[string]any{"size": 2048})
	wantJSON(t, "tracing_config", f["tracing_config"], map[string]any{"mode": "Active"})
	wantJSON(t, "layers", f["layers"], []string{layerApp, layerStack, layerFn})
	if f["reserved_concurrent_executions"] != 3.0 || f["memory_size"] != 512.0 {
		t.Errorf("reserved concurrency/memory = %v/%v, want 3/512 (stack default)", f["reserved_concurrent_executions"], f["memory_size"])
	}
	env := s.env(t, "First", "Fn")
	if env["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] != "1" || env["SST_FUNCTION_ID"] != "mine" || env["FROM"] != "stack" {
		t.Errorf("Node env = %v: want connection reuse on, the user's SST_FUNCTION_ID kept, the stack's FROM", env)
	}
	async := s.resource(t, "First", "aws_lambda_function_event_invoke_config", "Fn_async")
	if async["maximum_retry_attempts"] != 0.0 || async["maximum_event_age_in_seconds"] != 7200.0 {
		t.Errorf("async config = %s", jsonString(t, async))
	}
	wantContains(t, jsonString(t, async["destination_config"]), "aws_sqs_queue.Failures.arn", "aws_sns_topic.Done.arn")
	wantContains(t, jsonString(t, async["depends_on"]), "aws_iam_role_policy.Fn_policy")
	pol := s.policy(t, "First", "Fn")
	wantJSON(t, "xray grant", pol.grants("xray:PutTraceSegments"), []string{"*"})
	wantContains(t, jsonString(t, pol.grants("sqs:SendMessage")), "aws_sqs_queue.Failures.arn")
	wantContains(t, jsonString(t, pol.grants("sns:Publish")), "aws_sns_topic.Done.arn")
	if got := s.resource(t, "First", "aws_lambda_function_url", "Fn_url")["invoke_mode"]; got != "RESPONSE_STREAM" {
		t.Errorf("URL invoke_mode = %v, want RESPONSE_STREAM", got)
	}

	g := s.resource(t, "First", "aws_lambda_function", "Go1x")
	if g["runtime"] != "provided.al2023" {
		t.Errorf("go1.x runtime = %v, want provided.al2023", g["runtime"])
	}
	wantJSON(t, "pass-through tracing", g["tracing_config"], map[string]any{"mode": "PassThrough"})
	if _, ok := s.env(t, "First", "Go1x")["AWS_NODEJS_CONNECTION_REUSE_ENABLED"]; ok {
		t.Error("a Go function got the Node connection-reuse variable")
	}
	if got := s.resource(t, "First", "aws_lambda_function_event_invoke_config", "Go1x_async")["maximum_retry_attempts"]; got != 1.0 {
		t.Errorf("Go1x retries = %v, want 1", got)
	}
	wantContains(t, strings.Join(s.m.Warnings, "\n"), `function "Go1x": Runtime "go1.x"`, "provided.al2023", "sst.RuntimeGo")
	if len(s.resources("First", "aws_lambda_function_event_invoke_config")) != 2 {
		t.Errorf("event invoke configs = %v, want only Fn's and Go1x's", keys(s.resources("First", "aws_lambda_function_event_invoke_config")))
	}
	if len(stackFns) != 2 || stackFns[0].ID() != "Fn" || stackFns[1].ID() != "Go1x" || len(all) != 2 {
		t.Errorf("AllFunctions: stack %d, app %d", len(stackFns), len(all))
	}
	if dev {
		t.Error("IsDev is true outside sst dev")
	}

}

// TestFunctionBuildProps covers the bundling props SST v2 apps set:
// Nodejs.Install (real npm, a local package of the fixture), Loader,
// Banner and ESBuild options merged over the stack's defaults,
// Python.InstallCommands, and VPC with its IAM; each reaches the bundle
// and the manifest entry a reused synthesis rebuilds from.
func TestFunctionBuildProps(t *testing.T) {
	opts := testOptions(t)
	vpc := &FunctionVPC{SubnetIDs: []string{"subnet-0a1", "subnet-0b2"}, SecurityGroupIDs: []string{"sg-0c3"}}
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		s.SetDefaultFunctionProps(FunctionProps{Nodejs: NodejsProps{
			Loader:  map[string]string{".md": "text"},
			ESBuild: ESBuildProps{Define: map[string]string{"GREETING": `"from the stack"`}},
		}})
		NewFunction(s, "Installs", FunctionProps{
			Handler: "nodeinstall/handler.handler",
			VPC:     vpc,
			Nodejs: NodejsProps{
				Install: []string{"shout"},
				Loader:  map[string]string{".txt": "text"},
				Banner:  "/* banner from the props */",
				ESBuild: ESBuildProps{KeepNames: true, Target: "es2022"},
			},
		})
		NewFunction(s, "Py", FunctionProps{Handler: "py/handler.main", Python: PythonProps{InstallCommands: []string{"echo vendored > vendored.txt"}}})
		return nil
	})...)

	f := s.resource(t, "First", "aws_lambda_function", "Installs")
	wantJSON(t, "vpc_config", f["vpc_config"], map[string]any{"security_group_ids": vpc.SecurityGroupIDs, "subnet_ids": vpc.SubnetIDs})
	pol := s.policy(t, "First", "Installs")
	for _, a := range vpcActions {
		wantJSON(t, a+" grant", pol.grants(a), []string{"*"})
	}
	if got := s.policy(t, "First", "Py").grants("ec2:CreateNetworkInterface"); len(got) != 0 {
		t.Errorf("a function outside a VPC got %v", got)
	}
	if _, ok := s.resource(t, "First", "aws_lambda_function", "Py")["vpc_config"]; ok {
		t.Error("a function without VPC got a vpc_config")
	}

	b := s.manifestFunction(t, "First", "Installs").Build
	wantJSON(t, "manifest build", b, &manifest.FunctionBuild{
		Runtime: "nodejs20.x", Install: []string{"shout"}, Loader: map[string]string{".md": "text", ".txt": "text"}, Banner: "/* banner from the props */",
		ESBuild: &manifest.ESBuildBuild{Define: map[string]string{"GREETING": `"from the stack"`}, KeepNames: true, Target: "es2022"},
	})
	zr, err := zip.OpenReader(filepath.Join(s.out, "functions", "Installs.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	entries := map[string]string{}
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		entries[e.Name] = string(data)
	}
	if !strings.Contains(entries["node_modules/shout/index.js"], "toUpperCase") {
		t.Errorf("npm did not install shout into the bundle: %v", keys(entries))
	}
	wantContains(t, entries["index.mjs"], "/* banner from the props */", "installed by npm, read with the text loader", "from the stack", `from "shout"`)
	if strings.Contains(entries["index.mjs"], "toUpperCase") {
		t.Error("the installed package was bundled too")
	}

	py := s.manifestFunction(t, "First", "Py").Build
	wantJSON(t, "python install commands", py.InstallCommands, []string{"echo vendored > vendored.txt"})
	pz, err := zip.OpenReader(filepath.Join(s.out, "functions", "Py.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer pz.Close()
	var names []string
	for _, e := range pz.File {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, ","); got != "handler.py,vendored.txt" {
		t.Errorf("Python zip holds %s, want handler.py and what the command wrote", got)
	}
}
