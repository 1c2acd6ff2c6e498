package sst

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/build"
)

func TestJobSynth(t *testing.T) {
	opts := testOptions(t)
	var job *Job
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		notes := notesTable(s)
		job = NewJob(s, "Report", JobProps{
			Handler:      nodeHandler,
			MemorySize:   JobMemory15GB,
			Timeout:      2 * time.Hour,
			Environment:  map[string]string{"MODE": "full"},
			Bind:         []Bindable{notes},
			Permissions:  []Permission{Allow([]string{"ses:SendEmail"}, "*")},
			LogRetention: Days(14),
		})
		NewJob(s, "Nightly", JobProps{Handler: nodeHandler})
		NewFunction(s, "Starter", FunctionProps{Handler: nodeHandler, Bind: []Bindable{job}})
		return nil
	})...)

	p := s.resource(t, "First", "aws_codebuild_project", "Report")
	if p["name"] != "test-app-Report" || p["build_timeout"] != 120.0 || p["service_role"] != "${aws_iam_role.Report_role.arn}" {
		t.Errorf("project = %v", p)
	}
	env := jsonString(t, p["environment"])
	wantContains(t, env, `"compute_type":"BUILD_GENERAL1_LARGE"`, `"image":"aws/codebuild/amazonlinux-x86_64-standard:5.0"`, `"type":"LINUX_CONTAINER"`,
		`{"name":"MODE","value":"full"}`, `{"name":"SST_Table_tableName_Notes","value":"test-app-Notes"}`,
		`{"name":"SST_APP","value":"app"}`, `{"name":"SST_STAGE","value":"test"}`)
	src := asMap(p["source"])
	if src["type"] != "S3" || src["location"] != "${aws_s3_bucket.Report_code.bucket}/Report.zip" {
		t.Errorf("source = %v", src)
	}
	var spec struct {
		Phases struct {
			Install struct {
				RuntimeVersions map[string]string `json:"runtime-versions"`
			}
			Build struct{ Commands []string }
		}
	}
	if err := json.Unmarshal([]byte(src["buildspec"].(string)), &spec); err != nil {
		t.Fatalf("buildspec %v: %v", src["buildspec"], err)
	}
	if spec.Phases.Install.RuntimeVersions["nodejs"] != "20" || len(spec.Phases.Build.Commands) != 1 ||
		!strings.Contains(spec.Phases.Build.Commands[0], `import(process.cwd() + "/index.mjs").then((m) => m.handler(JSON.parse(process.env.SST_PAYLOAD || "null")`) {
		t.Errorf("buildspec = %+v", spec)
	}
	if n := s.resource(t, "First", "aws_codebuild_project", "Nightly"); n["build_timeout"] != 480.0 || !strings.Contains(jsonString(t, n["environment"]), "BUILD_GENERAL1_SMALL") {
		t.Errorf("defaults: 8 h, 3 GB: %v", n)
	}
	lg := s.resource(t, "First", "aws_cloudwatch_log_group", "Report_logs")
	if lg["name"] != "/aws/codebuild/test-app-Report" || lg["retention_in_days"] != 14.0 {
		t.Errorf("log group = %v", lg)
	}
	obj := s.resource(t, "First", "aws_s3_object", "Report_code_object")
	if obj["key"] != "Report.zip" || !strings.HasSuffix(obj["source"].(string), "functions/Report.zip") || !strings.HasPrefix(obj["etag"].(string), "${filemd5(") {
		t.Errorf("code object = %v", obj)
	}
	if b := s.resource(t, "First", "aws_s3_bucket", "Report_code"); b["force_destroy"] != true {
		t.Errorf("code bucket = %v", b)
	}
	role := jsonString(t, s.resource(t, "First", "aws_iam_role", "Report_role"))
	wantContains(t, role, `codebuild.amazonaws.com`)
	pol := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Report_policy"))
	wantContains(t, pol, `ses:SendEmail`, `dynamodb:GetItem`, `${aws_dynamodb_table.Notes.arn}`,
		`\"Action\":[\"s3:GetObject\",\"s3:GetObjectVersion\"],\"Resource\":[\"${aws_s3_bucket.Report_code.arn}/Report.zip\"]`,
		`${aws_cloudwatch_log_group.Report_logs.arn}:*`)

	// The invoker: what SST v2's Node client invokes; it may only start
	// this project's builds, and carries the job's environment for sst dev.
	inv := s.resource(t, "First", "aws_lambda_function", "Report_invoker")
	if inv["function_name"] != "test-app-Report" || inv["runtime"] != "nodejs20.x" {
		t.Errorf("invoker = %v", inv)
	}
	wantContains(t, jsonString(t, inv), `"SST_JOB_PROJECT":"test-app-Report"`, `"SST_Table_tableName_Notes":"test-app-Notes"`)
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Report_invoker_policy")),
		`\"Action\":[\"codebuild:StartBuild\"],\"Resource\":[\"${aws_codebuild_project.Report.arn}\"]`)

	// Binding: SST v2's functionName plus the project, with exactly the
	// grants that start it.
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Starter")),
		`"SST_Job_functionName_Report":"test-app-Report"`, `"SST_Job_projectName_Report":"test-app-Report"`)
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Starter_policy")),
		`\"Action\":[\"lambda:InvokeFunction\"],\"Resource\":[\"${aws_lambda_function.Report_invoker.arn}\"]`,
		`\"Action\":[\"codebuild:StartBuild\"],\"Resource\":[\"${aws_codebuild_project.Report.arn}\"]`)

	// The manifest describes the handler under the invoker's name, with
	// the job's timeout, for sst dev and the CLI's rebuilds.
	mf := s.manifestFunction(t, "First", "Report")
	if mf.Name != "test-app-Report" || mf.Handler != nodeHandler || mf.Timeout != 7200 || mf.Arch != "x86_64" || mf.Memory != 15<<10 ||
		mf.Artifact == "" || mf.Environment["SST_Table_tableName_Notes"] == "" {
		t.Errorf("manifest function = %+v", mf)
	}
	for _, c := range s.m.Stacks[0].Constructs {
		if c.ID == "Report" && (c.Type != "Job" || c.Data["projectName"] != "test-app-Report" || c.Data["function"] != "Report" || strings.Join(c.Binds, ",") != "Notes") {
			t.Errorf("construct = %+v", c)
		}
	}
	if job.ProjectName() != "test-app-Report" || job.FunctionName() != "test-app-Report" {
		t.Errorf("names %q %q", job.ProjectName(), job.FunctionName())
	}
	for _, fn := range s.m.Stacks[0].Functions {
		if fn.ID == "Report_invoker" {
			t.Error("the invoker is this module's code: not a manifest function")
		}
	}
}

func TestJobBuildspecs(t *testing.T) {
	goSpec := jobBuildspec("go", &build.Result{Runtime: "provided.al2023", Handler: "bootstrap"}, "")
	if goSpec != `{"phases":{"build":{"commands":["chmod +x bootstrap \u0026\u0026 ./bootstrap"]}},"version":"0.2"}` {
		t.Errorf("go buildspec = %s", goSpec)
	}
	py := jobBuildspec("python", &build.Result{Runtime: "python3.12", Handler: "jobs.report.main"}, "")
	wantContains(t, py, `"runtime-versions":{"python":"3.12"}`, `m, f = \"jobs.report.main\".rsplit(\".\", 1)`, `os.environ.get(\"SST_PAYLOAD\")`)
	cjs := jobBuildspec("node", &build.Result{Runtime: "nodejs22.x", Handler: "index.run"}, "cjs")
	wantContains(t, cjs, `"nodejs":"22"`, `/index.js\")`, `m.run(`)
}

func TestJobBadInput(t *testing.T) {
	tests := []struct {
		name  string
		props JobProps
		want  []string
	}{
		{"no handler", JobProps{}, []string{`Job "Report"`, "Handler is required"}},
		{"short timeout", JobProps{Handler: nodeHandler, Timeout: time.Minute}, []string{`Job "Report"`, "Timeout 1m", "5m", "8h", "a Function is enough"}},
		{"long timeout", JobProps{Handler: nodeHandler, Timeout: 9 * time.Hour}, []string{`Job "Report"`, "Timeout 9h"}},
		{"bare number timeout", JobProps{Handler: nodeHandler, Timeout: 30}, []string{`Job "Report"`, "time.Minute"}},
		{"memory", JobProps{Handler: nodeHandler, MemorySize: "4 GB"}, []string{`Job "Report"`, `MemorySize "4 GB"`, "sst.JobMemory3GB"}},
		{"missing handler file", JobProps{Handler: "node/nope.handler"}, []string{`Job "Report"`, `Handler "node/nope.handler"`}},
		{"retention", JobProps{Handler: nodeHandler, LogRetention: Days(2)}, []string{`Job "Report"`, "LogRetention"}},
		{"nil bind", JobProps{Handler: nodeHandler, Bind: []Bindable{(*Table)(nil)}}, []string{`Job "Report"`, "Bind[0]", "nil *sst.Table"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any { return NewJob(s, "Report", tt.props) })...)
			wantContains(t, msg, tt.want...)
		})
	}
}
