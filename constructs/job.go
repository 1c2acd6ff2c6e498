package sst

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/codebuildproject"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3object"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

//go:embed support/job-invoker.mjs
var jobInvoker []byte

// JobMemorySize is a Job's memory, which picks its CodeBuild compute type.
type JobMemorySize string

// The sizes SST v2 offered, as it spelled them.
const (
	JobMemory3GB   JobMemorySize = "3 GB"   // BUILD_GENERAL1_SMALL, the default
	JobMemory7GB   JobMemorySize = "7 GB"   // BUILD_GENERAL1_MEDIUM
	JobMemory15GB  JobMemorySize = "15 GB"  // BUILD_GENERAL1_LARGE
	JobMemory145GB JobMemorySize = "145 GB" // BUILD_GENERAL1_2XLARGE
)

var jobComputeTypes = map[JobMemorySize]struct {
	compute string
	mb      int
}{
	JobMemory3GB:   {"BUILD_GENERAL1_SMALL", 3 << 10},
	JobMemory7GB:   {"BUILD_GENERAL1_MEDIUM", 7 << 10},
	JobMemory15GB:  {"BUILD_GENERAL1_LARGE", 15 << 10},
	JobMemory145GB: {"BUILD_GENERAL1_2XLARGE", 145 << 10},
}

// jobImage is the CodeBuild image jobs run in: Amazon Linux 2023 with the
// Node.js and Python versions Lambda offers (Go jobs are static binaries).
const jobImage = "aws/codebuild/amazonlinux-x86_64-standard:5.0"

// A Job's run time, as SST v2 bounded it.
const (
	minJobTimeout     = 5 * time.Minute
	maxJobTimeout     = 8 * time.Hour
	defaultJobTimeout = maxJobTimeout
)

// JobProps configure a Job: work that may run longer than Lambda's 15
// minutes, run on CodeBuild as SST v2's Job did.
type JobProps struct {
	// Handler is what runs, as a Function's: a Go main package (calling
	// runtime/job.Start), "path/file.export" for Node or
	// "path/file.function" for Python. It receives the payload given to
	// Run.
	Handler string
	// Runtime as a Function's; default detected from Handler.
	Runtime Runtime
	// MemorySize picks the CodeBuild compute type; default JobMemory3GB.
	MemorySize JobMemorySize
	// Timeout of one run, 5m–8h in whole minutes; default 8h (SST v2's).
	Timeout time.Duration
	// Environment variables of the job.
	Environment map[string]string
	// Bind gives the job these constructs' values and access, as a
	// function's Bind.
	Bind []Bindable
	// Permissions grant the job more, as a function's: constructs,
	// statements or Service's shorthand.
	Permissions []Permission
	// CopyFiles are copied into the job's bundle, as a function's.
	CopyFiles []CopyFile
	// Nodejs and Go tune the build, as a function's.
	Nodejs NodejsProps
	Go     GoProps
	// LogRetention is how long CloudWatch keeps the runs' logs; default
	// never expire.
	LogRetention time.Duration
}

// Job runs a handler on CodeBuild, started with Run (runtime/job in Go,
// SST v2's sst/node/job client in Node) through its invoker function.
type Job struct {
	stack   *Stack
	jid     string
	fn      *Function // the handler, built as a function's, run by CodeBuild
	project string
	compute string
	Cdk     struct {
		Project  codebuildproject.CodebuildProject
		Role     iamrole.IamRole
		Policy   iamrolepolicy.IamRolePolicy
		LogGroup cloudwatchloggroup.CloudwatchLogGroup
		Bucket   s3bucket.S3Bucket
		Code     s3object.S3Object
		// Invoker is the Lambda function SST v2's Node client invokes; it
		// starts a run with the invocation's payload.
		Invoker lambdafunction.LambdaFunction
	}
}

// NewJob declares a Job.
func NewJob(s *Stack, id string, props JobProps) *Job {
	j := &Job{stack: s, jid: id}
	if !s.app.claimID(s, id, "Job") {
		return j
	}
	a := s.app
	where := fmt.Sprintf("stack %s: Job %q", s.name, id)
	errs := len(a.errs)
	timeout := props.Timeout
	if timeout == 0 {
		timeout = defaultJobTimeout
	}
	if err := checkDuration("Timeout", timeout, minJobTimeout, maxJobTimeout, time.Minute); err != nil {
		a.errorf("%s: %v (CodeBuild runs it; for less than 15 minutes a Function is enough)", where, err)
	}
	mem := props.MemorySize
	if mem == "" {
		mem = JobMemory3GB
	}
	ct, ok := jobComputeTypes[mem]
	if !ok {
		a.errorf("%s: MemorySize %q: use sst.JobMemory3GB (%q), sst.JobMemory7GB, sst.JobMemory15GB or sst.JobMemory145GB", where, mem, JobMemory3GB)
	}
	// The handler validates and builds as a function's, for x86_64 (the
	// image's architecture); Lambda's limits do not apply to it.
	fn := &Function{stack: s, owner: id, fid: id, label: "Job", props: mergeFunctionProps(FunctionProps{
		Handler: props.Handler, Runtime: props.Runtime, Architecture: ArchX86_64,
		Environment: props.Environment, Bind: props.Bind, Permissions: props.Permissions,
		CopyFiles: props.CopyFiles, Nodejs: props.Nodejs, Go: props.Go, LogRetention: props.LogRetention,
	})}
	if !fn.validate() || len(a.errs) > errs {
		return j
	}
	fn.name = a.names.Lambda(a.owner(id), id)
	fn.props.Timeout, fn.props.MemorySize = timeout, ct.mb
	j.fn, j.compute = fn, ct.compute
	a.functions = append(a.functions, fn)
	a.startBuild(fn.buildRequest())
	s.add(j)

	j.project = naming.Physical(s.Stage(), a.cfg.Name, id, 150)
	bucket := a.names.Bucket(a.owner(id), id+"-code")
	j.Cdk.Bucket = s3bucket.NewS3Bucket(s.tf, jsii.String(id+"_code"), &s3bucket.S3BucketConfig{
		Bucket:       jsii.String(bucket),
		ForceDestroy: jsii.Bool(true),
	})
	j.Cdk.Code = s3object.NewS3Object(s.tf, jsii.String(id+"_code_object"), &s3object.S3ObjectConfig{
		Bucket: j.Cdk.Bucket.Bucket(),
		Key:    jsii.String(id + ".zip"),
	})
	days, _ := checkRetention("LogRetention", fn.props.LogRetention)
	j.Cdk.LogGroup = cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String("/aws/codebuild/" + j.project),
		RetentionInDays: jsii.Number(float64(days)),
	})
	j.Cdk.Role = iamrole.NewIamRole(s.tf, jsii.String(id+"_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(id), id)),
		AssumeRolePolicy: jsii.String(assumeRolePolicy("codebuild.amazonaws.com")),
	})
	j.Cdk.Policy = iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(id+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("sst-job"),
		Role:   j.Cdk.Role.Name(),
		Policy: jsii.String("{}"),
	})
	j.Cdk.Project = codebuildproject.NewCodebuildProject(s.tf, jsii.String(id), &codebuildproject.CodebuildProjectConfig{
		Name:         jsii.String(j.project),
		ServiceRole:  j.Cdk.Role.Arn(),
		BuildTimeout: jsii.Number(float64(timeout / time.Minute)),
		Artifacts:    &codebuildproject.CodebuildProjectArtifacts{Type: jsii.String("NO_ARTIFACTS")},
		Environment: &codebuildproject.CodebuildProjectEnvironment{
			ComputeType: jsii.String(ct.compute), Image: jsii.String(jobImage), Type: jsii.String("LINUX_CONTAINER"),
		},
		Source: &codebuildproject.CodebuildProjectSource{Type: jsii.String("S3"), Location: jsii.String(*j.Cdk.Bucket.Bucket() + "/" + id + ".zip")},
		LogsConfig: &codebuildproject.CodebuildProjectLogsConfig{CloudwatchLogs: &codebuildproject.CodebuildProjectLogsConfigCloudwatchLogs{
			GroupName: j.Cdk.LogGroup.Name(),
		}},
		// The role must be able to read the code and write the logs
		// before CodeBuild accepts it.
		DependsOn: &[]cdktf.ITerraformDependable{j.Cdk.Policy},
	})
	sf, err := newSupportFunction(s, id, id+"_invoker", fn.name, map[string][]byte{"index.mjs": jobInvoker}, map[string]*string{},
		[]Statement{Allow([]string{"codebuild:StartBuild"}, *j.Cdk.Project.Arn())}, 10)
	if err != nil {
		a.errorf("%s: %v", where, err)
		return j
	}
	j.Cdk.Invoker = sf.Function
	return j
}

// finalize ships the built bundle and gives the project and its invoker
// the job's environment and the role its permissions, bindings included.
func (j *Job) finalize() {
	fn, s := j.fn, j.stack
	if fn == nil || fn.result == nil || j.Cdk.Invoker == nil {
		return
	}
	env, perms := fn.environment()
	dst := fn.bundlePath()
	if err := build.Place(fn.result.ZipPath, dst); err != nil {
		s.app.errorf("stack %s: Job %q: place its bundle at %s: %v", s.name, j.jid, dst, err)
		return
	}
	rel := s.artifact(dst)
	j.Cdk.Code.SetSource(jsii.String(rel))
	j.Cdk.Code.SetEtag(cdktf.Fn_Filemd5(jsii.String(rel)))

	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	var vars []*codebuildproject.CodebuildProjectEnvironmentEnvironmentVariable
	invokerEnv := map[string]*string{"SST_JOB_PROJECT": jsii.String(j.project)}
	for _, k := range names {
		vars = append(vars, &codebuildproject.CodebuildProjectEnvironmentEnvironmentVariable{Name: jsii.String(k), Value: jsii.String(env[k])})
		// `sst dev` runs the job locally with the invoker's deployed
		// environment, as SST v2 bound the invoker too.
		invokerEnv[k] = jsii.String(env[k])
	}
	j.Cdk.Project.PutEnvironment(&codebuildproject.CodebuildProjectEnvironment{
		ComputeType: jsii.String(j.compute), Image: jsii.String(jobImage), Type: jsii.String("LINUX_CONTAINER"),
		EnvironmentVariable: vars,
	})
	j.Cdk.Project.PutSource(&codebuildproject.CodebuildProjectSource{
		Type: jsii.String("S3"), Location: jsii.String(*j.Cdk.Bucket.Bucket() + "/" + j.jid + ".zip"),
		Buildspec: jsii.String(jobBuildspec(fn.kind, fn.result, fn.props.Nodejs.Format)),
	})
	j.Cdk.Invoker.PutEnvironment(&lambdafunction.LambdaFunctionEnvironment{Variables: &invokerEnv})
	all := append([]Statement{
		Allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, *j.Cdk.LogGroup.Arn()+":*"),
		Allow([]string{"s3:GetObject", "s3:GetObjectVersion"}, *j.Cdk.Bucket.Arn()+"/"+j.jid+".zip"),
	}, perms...)
	j.Cdk.Policy.SetPolicy(jsii.String(policyDocument(all)))
}

// jobBuildspec is the CodeBuild buildspec (JSON, which CodeBuild reads as
// YAML) that runs the handler once with SST_PAYLOAD, the run's payload.
func jobBuildspec(kind string, res *build.Result, format string) string {
	install := map[string]string{}
	var cmd string
	switch kind {
	case "go":
		cmd = "chmod +x bootstrap && ./bootstrap"
	case "python":
		install["python"] = strings.TrimPrefix(res.Runtime, "python")
		cmd = `python3 -c 'import importlib, json, os; m, f = "` + res.Handler + `".rsplit(".", 1); ` +
			`r = getattr(importlib.import_module(m), f)(json.loads(os.environ.get("SST_PAYLOAD") or "null"), None); print("Result:", json.dumps(r))'`
	default:
		install["nodejs"] = strings.TrimSuffix(strings.TrimPrefix(res.Runtime, "nodejs"), ".x")
		file := "index.mjs"
		if format == "cjs" {
			file = "index.js"
		}
		export := strings.TrimPrefix(res.Handler, "index.")
		cmd = `node -e 'import(process.cwd() + "/` + file + `").then((m) => m.` + export + `(JSON.parse(process.env.SST_PAYLOAD || "null"), {}))` +
			`.then((r) => console.log("Result:", JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })'`
	}
	phases := map[string]any{"build": map[string]any{"commands": []string{cmd}}}
	if len(install) > 0 {
		phases["install"] = map[string]any{"runtime-versions": install}
	}
	b, _ := json.Marshal(map[string]any{"version": "0.2", "phases": phases})
	return string(b)
}

// ID is the construct id.
func (j *Job) ID() string { return j.jid }

// Statements grants starting the job (a Permission): what binding it
// grants, without its variables.
func (j *Job) Statements() []Statement { return j.Binding().Permissions }

// Arn is the CodeBuild project's ARN (a token until deploy).
func (j *Job) Arn() string {
	if j.Cdk.Project == nil {
		return ""
	}
	return *j.Cdk.Project.Arn()
}

// ProjectName is the CodeBuild project's name.
func (j *Job) ProjectName() string { return j.project }

// FunctionName is the invoker function's name (SST v2's functionName).
func (j *Job) FunctionName() string {
	if j.fn == nil {
		return ""
	}
	return j.fn.name
}

// Binding lets a function start the job: SST v2's SST_Job_functionName_<id>
// (the invoker, which its Node client invokes) and SST_Job_projectName_<id>
// (the project, which runtime/job starts directly), with exactly those two
// grants.
func (j *Job) Binding() Binding {
	b := Binding{Type: "Job", ID: j.jid, Variables: map[string]string{"functionName": j.FunctionName(), "projectName": j.project}}
	if j.Cdk.Invoker != nil {
		b.Permissions = []Statement{
			Allow([]string{"lambda:InvokeFunction"}, *j.Cdk.Invoker.Arn()),
			Allow([]string{"codebuild:StartBuild"}, *j.Cdk.Project.Arn()),
		}
	}
	return b
}

func (j *Job) id() string { return j.jid }

// functions lists the handler, so the manifest describes it for `sst dev`
// (under the invoker's name: invoking the invoker runs it locally) and
// the CLI rebuilds its bundle; it has no Lambda function of its own.
func (j *Job) functions() []*Function {
	if j.fn == nil {
		return nil
	}
	return []*Function{j.fn}
}

func (j *Job) describe() manifest.Construct {
	c := manifest.Construct{ID: j.jid, Type: "Job", Path: j.jid, Data: map[string]string{manifest.JobProjectName: j.project}}
	if j.fn != nil {
		c.Data[manifest.JobFunction] = j.fn.fid
		c.Binds = bindIDs(j.fn.props.Bind)
	}
	return c
}
