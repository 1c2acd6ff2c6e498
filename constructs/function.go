package sst

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdaeventsourcemapping"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunctioneventinvokeconfig"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunctionurl"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

// FunctionProps configure a Lambda function. The zero value of every field
// means "the default": SST v2's defaults where it has one.
type FunctionProps struct {
	// Handler is what runs. Go: a directory holding a main package (or a .go
	// file in it), built into `bootstrap` for provided.al2023. Node/TS:
	// "path/to/file.export", bundled with esbuild. Python:
	// "path/to/file.function", its source directory zipped as is. Relative
	// to the project.
	Handler string
	// Runtime: RuntimeGo, RuntimeNodejs18/20/22, RuntimePython39 …
	// RuntimePython313; default detected from Handler (Node: nodejs20.x,
	// Python: python3.12). SST v2's "go1.x" builds as RuntimeGo (with a
	// notice); runtimes Lambda retired ("nodejs16.x", "python3.8", …) are
	// refused with the one to use.
	Runtime Runtime
	// Architecture: ArchArm64 (default) or ArchX86_64; SST v2's "arm_64"
	// is accepted as arm64.
	Architecture Architecture
	// MemorySize in MB, 128–10240. Default 1024.
	MemorySize int
	// DiskSize is the function's ephemeral storage (/tmp) in MB,
	// 512–10240. Default 512, Lambda's.
	DiskSize int
	// Tracing is the X-Ray mode: TracingActive or TracingPassThrough
	// (both grant the role X-Ray's write actions), or TracingDisabled,
	// the default.
	Tracing Tracing
	// ReservedConcurrency reserves (and caps) this many concurrent
	// executions for the function. Default 0: none reserved.
	ReservedConcurrency int
	// Retries is how often Lambda retries a failed asynchronous
	// invocation: 1 or 2, or NoRetries. Default Lambda's 2.
	Retries int
	// MaxEventAge is how long Lambda keeps an asynchronous event for
	// retries, 1m–6h in whole seconds. Default Lambda's 6h.
	MaxEventAge time.Duration
	// OnFailure receives a record of every asynchronous invocation that
	// failed its last attempt (or expired); OnSuccess of every one that
	// succeeded. A *Queue, *Topic, *EventBus or *Function; the function's
	// role is granted exactly that send.
	OnFailure Destination
	OnSuccess Destination
	// Layers are Lambda layer version ARNs (or tokens of layers declared
	// with the CDKTF escape hatch), at most 5. Layers of the defaults come
	// first.
	Layers []string
	// CopyFiles are files or directories copied into the bundle, e.g.
	// templates read at run time. A change to any of them rebuilds the
	// function.
	CopyFiles []CopyFile
	// Timeout in whole seconds, 1s–15m. Default 10s.
	Timeout time.Duration
	// Environment variables; merged over the defaults'.
	Environment map[string]string
	// Bind gives the function these constructs' values and access.
	Bind []Bindable
	// Permissions grant more than the bindings do: constructs (their
	// least-privilege actions on their resources), statements (Allow) and
	// Service's shorthand.
	Permissions []Permission
	// URL adds a Lambda function URL.
	URL *FunctionURL
	// LogRetention is how long CloudWatch keeps the logs: one of its
	// periods in days, e.g. sst.Days(14). Default: never expire.
	LogRetention time.Duration
	Description  string
	// Nodejs tunes bundling of Node/TS handlers.
	Nodejs NodejsProps
	// Go tunes the build of Go handlers.
	Go GoProps
	// Python tunes the zip of Python handlers.
	Python PythonProps
	// VPC puts the function in a VPC's subnets; its role gets the network
	// interface actions Lambda needs there.
	VPC *FunctionVPC
}

// NodejsProps tune esbuild.
type NodejsProps struct {
	// Format "esm" (default) or "cjs".
	Format    string
	Minify    bool
	Sourcemap bool
	// External packages are left out of the bundle (@aws-sdk/* always is).
	External []string
	// Install are packages left out of the bundle and installed with npm
	// into its node_modules instead (native code, files read at run
	// time), at the version the project's package-lock.json (else its
	// package.json) names: a package it does not list is an error.
	// `sst dev` uses the project's own node_modules.
	Install []string
	// Loader maps a file extension (".png") to an esbuild loader
	// ("file", "text", "dataurl", …).
	Loader map[string]string
	// Banner is JavaScript put at the top of the bundle.
	Banner string
	// ESBuild are further esbuild options.
	ESBuild ESBuildProps
}

// ESBuildProps are the esbuild options SST v2 apps set through its
// `esbuild` escape hatch that have a Go spelling (plugins are JavaScript
// and have none).
type ESBuildProps struct {
	// Define replaces identifiers with expressions ("process.env.X": `"1"`).
	Define map[string]string
	// KeepNames keeps function and class names through minification.
	KeepNames bool
	// Target is esbuild's target list ("es2022", "es2020,node18");
	// default the runtime's Node version.
	Target string
	// MainFields and Conditions steer how packages resolve.
	MainFields []string
	Conditions []string
	// Inject are files (relative to the project) imported into every
	// module, e.g. a polyfill.
	Inject []string
}

// PythonProps tune Python functions.
type PythonProps struct {
	// InstallCommands run through sh in a copy of the handler's source
	// directory before it is zipped, as SST v2's did in its bundling
	// container, e.g. "pip install -r requirements.txt -t ." (with
	// --platform manylinux2014_aarch64 --only-binary=:all: for native
	// wheels). With them, requirements.txt is the user's to install.
	InstallCommands []string
}

// FunctionVPC places a function in existing subnets (IDs or tokens),
// e.g. an RDS cluster's.
type FunctionVPC struct {
	SubnetIDs        []string
	SecurityGroupIDs []string
}

// GoProps tune `go build`.
type GoProps struct {
	Tags    []string
	LDFlags []string
}

// FunctionURL configures a function URL.
type FunctionURL struct {
	// Authorizer "none" (default: public) or "iam".
	Authorizer string
	Cors       *Cors
	// Streaming answers through Lambda's response streaming (invoke mode
	// RESPONSE_STREAM) instead of one buffered response.
	Streaming bool
}

// CopyFile copies From, a file or directory relative to the project,
// into the function's bundle at To (default: the same relative path).
type CopyFile struct {
	From string
	To   string
}

// NoRetries is FunctionProps.Retries for "never retry": 0 means Lambda's
// default of 2 retries.
const NoRetries = -1

// maxLayers is how many layers Lambda lets one function use.
const maxLayers = 5

// Function is a Lambda function with its role, log group and bundle.
type Function struct {
	stack *Stack
	// owner is the construct id that created the function (an Api for route
	// functions), for the manifest.
	owner  string
	fid    string
	name   string
	props  FunctionProps
	own    FunctionProps // as given to this function, before any defaults
	kind   string        // "go", "node" or "python"
	result *build.Result
	// local is set for functions `sst dev` runs on this machine (those
	// it builds: not a site's prebuilt server).
	local bool
	// label names the construct in errors: "function", or "Job" for a
	// job's handler.
	label string

	Cdk struct {
		Function lambdafunction.LambdaFunction
		Role     iamrole.IamRole
		Policy   iamrolepolicy.IamRolePolicy
		LogGroup cloudwatchloggroup.CloudwatchLogGroup
		URL      lambdafunctionurl.LambdaFunctionUrl
	}
}

// Lambda's limits on a function's timeout.
const (
	minFunctionTimeout = time.Second
	maxFunctionTimeout = 15 * time.Minute
)

// NewFunction declares a Lambda function.
func NewFunction(s *Stack, id string, props FunctionProps) *Function {
	if !s.app.claimID(s, id, "Function") {
		return &Function{stack: s, fid: id}
	}
	fn := newFunction(s, id, id, props)
	s.add(fn)
	return fn
}

// newFunction builds a function owned by another construct (an Api route,
// an authorizer); such functions share the app-wide id space through
// their owner's id.
func newFunction(s *Stack, owner, id string, props FunctionProps, layers ...FunctionProps) *Function {
	return newFunctionFrom(s, owner, id, props, nil, layers...)
}

// newFunctionFrom is newFunction for a bundle built elsewhere (a site
// adapter's server output) when prebuilt is set: nothing is bundled.
func newFunctionFrom(s *Stack, owner, id string, props FunctionProps, prebuilt *build.Result, layers ...FunctionProps) *Function {
	a := s.app
	all := append(append([]FunctionProps{a.defaults.Function}, s.fnDefaults...), append(layers, props)...)
	merged := mergeFunctionProps(all...)
	merged.Bind = append(append([]Bindable{}, a.defaultBind...), merged.Bind...)
	fn := &Function{stack: s, owner: owner, fid: id, props: merged, own: props, result: prebuilt}
	fn.name = naming.Lambda(s.Stage(), a.cfg.Name, id)
	if owner != id {
		// Functions of other constructs (routes, authorizers, consumers)
		// share the app-wide id space: their ids name Lambda functions,
		// roles and Terraform resources that must not collide with any
		// construct's.
		if other, ok := a.ids[id]; ok {
			a.errorf("stack %s: %q: function id %q collides with a construct of the same id in stack %s: rename one of them", s.name, owner, id, other)
			return fn
		}
		a.ids[id] = s.name
		a.owners[id] = fmt.Sprintf("function %q of %s", id, a.owner(owner))
	}
	if !fn.validate() {
		return fn
	}
	merged = fn.props // as validate normalized it
	if prebuilt == nil {
		fn.local = true
		a.functions = append(a.functions, fn)
		// Its build settings are final: build while the stacks declare
		// the rest (buildFunctions joins it).
		a.startBuild(fn.buildRequest())
	}
	s.fns = append(s.fns, fn)

	a.names.Lambda(a.owner(id), id)
	role := iamrole.NewIamRole(s.tf, jsii.String(id+"_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(id), id)),
		AssumeRolePolicy: jsii.String(assumeRolePolicy("lambda.amazonaws.com")),
	})
	logs := cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(naming.LogGroup(fn.name)),
		RetentionInDays: jsii.Number(float64(merged.LogRetention / Day)),
	})
	policy := iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(id+"_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("sst-function"),
		Role:   role.Name(),
		Policy: jsii.String("{}"),
	})
	cfg := &lambdafunction.LambdaFunctionConfig{
		FunctionName:  jsii.String(fn.name),
		Role:          role.Arn(),
		MemorySize:    jsii.Number(float64(merged.MemorySize)),
		Timeout:       jsii.Number(seconds(merged.Timeout)),
		Architectures: jsii.Strings(string(merged.Architecture)),
		DependsOn:     &[]cdktf.ITerraformDependable{logs, policy},
	}
	if merged.Description != "" {
		cfg.Description = jsii.String(merged.Description)
	}
	if merged.DiskSize != 0 {
		cfg.EphemeralStorage = &lambdafunction.LambdaFunctionEphemeralStorage{Size: jsii.Number(float64(merged.DiskSize))}
	}
	if mode := merged.Tracing.lambdaMode(); mode != "" {
		cfg.TracingConfig = &lambdafunction.LambdaFunctionTracingConfig{Mode: jsii.String(mode)}
	}
	if merged.ReservedConcurrency > 0 {
		cfg.ReservedConcurrentExecutions = jsii.Number(float64(merged.ReservedConcurrency))
	}
	if len(merged.Layers) > 0 {
		cfg.Layers = jsii.Strings(merged.Layers...)
	}
	if v := merged.VPC; v != nil {
		cfg.VpcConfig = &lambdafunction.LambdaFunctionVpcConfig{
			SubnetIds:        jsii.Strings(v.SubnetIDs...),
			SecurityGroupIds: jsii.Strings(v.SecurityGroupIDs...),
		}
	}
	fn.Cdk.Function = lambdafunction.NewLambdaFunction(s.tf, jsii.String(id), cfg)
	fn.Cdk.Role, fn.Cdk.Policy, fn.Cdk.LogGroup = role, policy, logs
	if merged.URL != nil {
		fn.createURL(*merged.URL)
	}
	fn.createAsyncConfig()
	return fn
}

// createAsyncConfig configures asynchronous invocation when any of its
// props is set; Lambda's defaults hold otherwise.
func (fn *Function) createAsyncConfig() {
	p := fn.props
	if p.Retries == 0 && p.MaxEventAge == 0 && p.OnFailure == nil && p.OnSuccess == nil {
		return
	}
	cfg := &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigConfig{
		FunctionName: fn.Cdk.Function.FunctionName(),
		// Lambda checks the role may send to the destinations when the
		// configuration is saved.
		DependsOn: &[]cdktf.ITerraformDependable{fn.Cdk.Policy},
	}
	switch p.Retries {
	case 0:
	case NoRetries:
		cfg.MaximumRetryAttempts = jsii.Number(0)
	default:
		cfg.MaximumRetryAttempts = jsii.Number(float64(p.Retries))
	}
	if p.MaxEventAge != 0 {
		cfg.MaximumEventAgeInSeconds = jsii.Number(seconds(p.MaxEventAge))
	}
	if p.OnFailure != nil || p.OnSuccess != nil {
		dc := &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfig{}
		if p.OnFailure != nil {
			dc.OnFailure = &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfigOnFailure{Destination: jsii.String(p.OnFailure.destination().arn)}
		}
		if p.OnSuccess != nil {
			dc.OnSuccess = &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfigOnSuccess{Destination: jsii.String(p.OnSuccess.destination().arn)}
		}
		cfg.DestinationConfig = dc
	}
	lambdafunctioneventinvokeconfig.NewLambdaFunctionEventInvokeConfig(fn.stack.tf, jsii.String(fn.fid+"_async"), cfg)
}

// createURL gives the function a URL, public unless its Authorizer is
// "iam".
func (fn *Function) createURL(u FunctionURL) {
	s, id := fn.stack, fn.fid
	auth := "NONE"
	if u.Authorizer == "iam" {
		auth = "AWS_IAM"
	}
	cfg := &lambdafunctionurl.LambdaFunctionUrlConfig{
		FunctionName:      fn.Cdk.Function.FunctionName(),
		AuthorizationType: jsii.String(auth),
	}
	if u.Streaming {
		cfg.InvokeMode = jsii.String("RESPONSE_STREAM")
	}
	if u.Cors != nil {
		c := u.Cors.withDefaults()
		cfg.Cors = &lambdafunctionurl.LambdaFunctionUrlCors{
			AllowOrigins:     jsii.Strings(c.AllowOrigins...),
			AllowMethods:     jsii.Strings(c.AllowMethods...),
			AllowHeaders:     jsii.Strings(c.AllowHeaders...),
			ExposeHeaders:    jsii.Strings(c.ExposeHeaders...),
			AllowCredentials: jsii.Bool(c.AllowCredentials),
			MaxAge:           jsii.Number(seconds(c.MaxAge)),
		}
	}
	fn.Cdk.URL = lambdafunctionurl.NewLambdaFunctionUrl(s.tf, jsii.String(id+"_url"), cfg)
	if auth == "NONE" {
		// Unlike the console, the API does not add the resource policy a
		// public URL needs: without it every request gets 403.
		lambdapermission.NewLambdaPermission(s.tf, jsii.String(id+"_url_permission"), &lambdapermission.LambdaPermissionConfig{
			Action:              jsii.String("lambda:InvokeFunctionUrl"),
			FunctionName:        fn.Cdk.Function.FunctionName(),
			Principal:           jsii.String("*"),
			FunctionUrlAuthType: jsii.String("NONE"),
		})
	}
}

func (fn *Function) validate() bool {
	s, p := fn.stack, &fn.props
	where := fmt.Sprintf("stack %s: %s %q", s.name, cmp.Or(fn.label, "function"), fn.fid)
	ok := true
	fail := func(format string, args ...any) {
		s.app.errorf(where+": "+format, args...)
		ok = false
	}
	switch rt := p.Runtime; {
	case rt == runtimeGo1x:
		p.Runtime = RuntimeGo
		s.app.warnings = append(s.app.warnings, fmt.Sprintf("%s: Runtime %q is SST v2's name for Go; it builds for provided.al2023 as sst.RuntimeGo (%q) does — write that to silence this notice", where, rt, RuntimeGo))
	case retiredRuntimes[rt] != "":
		fail("Runtime %q: AWS Lambda has retired it (functions on it can no longer be created or updated); use %q — the handler builds the same way", rt, retiredRuntimes[rt])
		p.Runtime = retiredRuntimes[rt]
	}
	if p.Architecture == archArm64V2 {
		p.Architecture = ArchArm64
	}
	if fn.result != nil {
		fn.kind = "node"
	} else if p.Handler == "" {
		fail("Handler is required: a Go main package dir (e.g. \"functions/list\") or \"path/file.export\" for Node")
	} else if rt, err := build.DetectRuntime(s.app.opts.ProjectDir, p.Handler, string(p.Runtime)); err != nil {
		// build.Error names the function itself, which where already does.
		var be *build.Error
		if errors.As(err, &be) {
			fail("Handler %q: %s", p.Handler, be.Detail)
		} else {
			fail("Handler %q: %v", p.Handler, err)
		}
	} else if rt == "go" {
		fn.kind = "go"
	} else {
		fn.kind = "node"
		if build.IsPython(rt) {
			fn.kind = "python"
		}
		p.Runtime = Runtime(rt)
	}
	if !p.Architecture.valid() {
		fail("Architecture %q: use sst.ArchArm64 (%q, SST v2's %q) or sst.ArchX86_64 (%q)", p.Architecture, ArchArm64, archArm64V2, ArchX86_64)
	}
	if p.MemorySize < 128 || p.MemorySize > 10240 {
		fail("MemorySize %d MB: must be 128–10240", p.MemorySize)
	}
	if err := checkDuration("Timeout", p.Timeout, minFunctionTimeout, maxFunctionTimeout, time.Second); err != nil {
		fail("%v", err)
	}
	if _, err := checkRetention("LogRetention", p.LogRetention); err != nil {
		fail("%v", err)
	}
	if p.DiskSize != 0 && (p.DiskSize < 512 || p.DiskSize > 10240) {
		fail("DiskSize %d MB: must be 512–10240 (or 0 for Lambda's 512)", p.DiskSize)
	}
	if !p.Tracing.valid() {
		fail("Tracing %q: use sst.TracingActive (%q), sst.TracingPassThrough (%q) or sst.TracingDisabled (%q)", p.Tracing, TracingActive, TracingPassThrough, TracingDisabled)
	}
	if p.ReservedConcurrency < 0 {
		fail("ReservedConcurrency %d: must be 0 (none reserved) or more", p.ReservedConcurrency)
	}
	if r := p.Retries; r != 0 && r != NoRetries && r != 1 && r != 2 {
		fail("Retries %d: Lambda retries an asynchronous invocation at most twice: use 1, 2, or sst.NoRetries for none (0 keeps Lambda's default of 2)", r)
	}
	if p.MaxEventAge != 0 {
		if err := checkDuration("MaxEventAge", p.MaxEventAge, time.Minute, 6*time.Hour, time.Second); err != nil {
			fail("%v", err)
		}
	}
	if problem := checkDestination(s, p.OnFailure); problem != "" {
		fail("OnFailure %s", problem)
	}
	if problem := checkDestination(s, p.OnSuccess); problem != "" {
		fail("OnSuccess %s", problem)
	}
	p.Layers = uniqueInOrder(p.Layers)
	if len(p.Layers) > maxLayers {
		fail("Layers: %d layers, Lambda allows at most %d per function (defaults' layers count too)", len(p.Layers), maxLayers)
	}
	for i, l := range p.Layers {
		if !strings.Contains(l, "${") && !layerARN.MatchString(l) {
			fail("Layers[%d] %q: not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)", i, l)
		}
	}
	for i, c := range p.CopyFiles {
		if problem := checkCopyFile(s.app.opts.ProjectDir, c); problem != "" {
			fail("CopyFiles[%d] %s", i, problem)
		}
	}
	if f := p.Nodejs.Format; f != "" && f != "esm" && f != "cjs" {
		fail("Nodejs.Format %q: use \"esm\" or \"cjs\"", f)
	}
	fn.validateBuildProps(fail)
	if u := p.URL; u != nil && u.Authorizer != "" && u.Authorizer != "none" && u.Authorizer != "iam" {
		fail("URL.Authorizer %q: use \"none\" or \"iam\"", u.Authorizer)
	}
	if u := p.URL; u != nil && u.Cors != nil {
		if err := u.Cors.check("URL.Cors"); err != nil {
			fail("%v", err)
		}
	}
	for i, perm := range p.Permissions {
		if problem := checkPermission(fn.stack, perm); problem != "" {
			fail("Permissions[%d] %s", i, problem)
		}
	}
	for i, b := range p.Bind {
		if problem := checkBindable(fn.stack, b); problem != "" {
			fail("Bind[%d] %s", i, problem)
		}
	}
	return ok
}

// validateBuildProps checks the bundling props. Those of another
// runtime set on the function itself would silently do nothing (from
// the defaults they are meant for the functions of that runtime).
func (fn *Function) validateBuildProps(fail func(string, ...any)) {
	p := fn.props
	n, own := p.Nodejs, fn.own
	nodeOnly := len(own.Nodejs.Install) > 0 || len(own.Nodejs.Loader) > 0 || own.Nodejs.Banner != "" || !reflect.ValueOf(own.Nodejs.ESBuild).IsZero()
	if nodeOnly && fn.kind != "" && fn.kind != "node" {
		fail("Nodejs.Install/Loader/Banner/ESBuild are for Node handlers; %q is a %s handler", p.Handler, fn.kind)
	}
	if len(own.Python.InstallCommands) > 0 && fn.kind != "" && fn.kind != "python" {
		fail("Python.InstallCommands are for Python handlers; %q is a %s handler", p.Handler, fn.kind)
	}
	for i, c := range p.Python.InstallCommands {
		if strings.TrimSpace(c) == "" {
			fail("Python.InstallCommands[%d] is empty", i)
		}
	}
	for i, name := range n.Install {
		if !npmName.MatchString(name) {
			fail("Nodejs.Install[%d] %q: not an npm package name (write the name only; its version comes from package.json / package-lock.json)", i, name)
		}
	}
	loaderNames := build.LoaderNames()
	for ext, l := range n.Loader {
		if !strings.HasPrefix(ext, ".") {
			fail("Nodejs.Loader %q: keys are file extensions with their dot, e.g. \".%s\"", ext, ext)
		}
		if !slices.Contains(loaderNames, l) {
			fail("Nodejs.Loader[%q] %q: use one of %s", ext, l, strings.Join(loaderNames, ", "))
		}
	}
	if err := build.CheckESBuildTarget(n.ESBuild.Target); err != nil {
		fail("Nodejs.ESBuild.Target: %v", err)
	}
	for i, f := range n.ESBuild.Inject {
		if filepath.IsAbs(f) || !filepath.IsLocal(filepath.FromSlash(f)) {
			fail("Nodejs.ESBuild.Inject[%d] %q: must be relative to the project and inside it", i, f)
		} else if _, err := os.Stat(filepath.Join(fn.stack.app.opts.ProjectDir, filepath.FromSlash(f))); err != nil {
			fail("Nodejs.ESBuild.Inject[%d] %q: %s does not exist", i, f, filepath.Join(fn.stack.app.opts.ProjectDir, filepath.FromSlash(f)))
		}
	}
	if v := p.VPC; v != nil {
		if len(v.SubnetIDs) == 0 || len(v.SecurityGroupIDs) == 0 {
			fail("VPC: SubnetIDs and SecurityGroupIDs are both required (Lambda attaches the function through them)")
		}
		if len(v.SubnetIDs) > 16 || len(v.SecurityGroupIDs) > 5 {
			fail("VPC: %d subnets and %d security groups: Lambda allows at most 16 and 5", len(v.SubnetIDs), len(v.SecurityGroupIDs))
		}
		for i, id := range v.SubnetIDs {
			if !strings.Contains(id, "${") && !strings.HasPrefix(id, "subnet-") {
				fail("VPC.SubnetIDs[%d] %q: not a subnet ID (subnet-…)", i, id)
			}
		}
		for i, id := range v.SecurityGroupIDs {
			if !strings.Contains(id, "${") && !strings.HasPrefix(id, "sg-") {
				fail("VPC.SecurityGroupIDs[%d] %q: not a security group ID (sg-…)", i, id)
			}
		}
	}
}

// npmName matches an npm package name, scoped or not.
var npmName = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)

// vpcActions are what Lambda needs to attach a function to a VPC (AWS's
// AWSLambdaVPCAccessExecutionRole without its logs part, which the
// function's own log statement covers). Network interfaces have no ARN
// before they exist, hence "*".
var vpcActions = []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
	"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}

// mergeFunctionProps layers props: later non-zero scalars win; maps and
// lists accumulate, so defaults never silently drop a binding.
func mergeFunctionProps(layers ...FunctionProps) FunctionProps {
	out := FunctionProps{Architecture: ArchArm64, MemorySize: 1024, Timeout: 10 * time.Second, Environment: map[string]string{}}
	for _, l := range layers {
		out.Handler = cmp.Or(l.Handler, out.Handler)
		out.Runtime = cmp.Or(l.Runtime, out.Runtime)
		out.Architecture = cmp.Or(l.Architecture, out.Architecture)
		out.Description = cmp.Or(l.Description, out.Description)
		out.Nodejs.Format = cmp.Or(l.Nodejs.Format, out.Nodejs.Format)
		if l.MemorySize != 0 {
			out.MemorySize = l.MemorySize
		}
		if l.Timeout != 0 {
			out.Timeout = l.Timeout
		}
		if l.LogRetention != 0 {
			out.LogRetention = l.LogRetention
		}
		if l.URL != nil {
			out.URL = l.URL
		}
		out.DiskSize = cmp.Or(l.DiskSize, out.DiskSize)
		out.Tracing = cmp.Or(l.Tracing, out.Tracing)
		out.ReservedConcurrency = cmp.Or(l.ReservedConcurrency, out.ReservedConcurrency)
		out.Retries = cmp.Or(l.Retries, out.Retries)
		out.MaxEventAge = cmp.Or(l.MaxEventAge, out.MaxEventAge)
		if l.OnFailure != nil {
			out.OnFailure = l.OnFailure
		}
		if l.OnSuccess != nil {
			out.OnSuccess = l.OnSuccess
		}
		out.Layers = append(out.Layers, l.Layers...)
		out.CopyFiles = append(out.CopyFiles, l.CopyFiles...)
		out.Nodejs.Minify = out.Nodejs.Minify || l.Nodejs.Minify
		out.Nodejs.Sourcemap = out.Nodejs.Sourcemap || l.Nodejs.Sourcemap
		out.Nodejs.External = append(out.Nodejs.External, l.Nodejs.External...)
		out.Nodejs.Install = append(out.Nodejs.Install, l.Nodejs.Install...)
		out.Nodejs.Banner = cmp.Or(l.Nodejs.Banner, out.Nodejs.Banner)
		out.Nodejs.Loader = mergeMap(out.Nodejs.Loader, l.Nodejs.Loader)
		e, le := &out.Nodejs.ESBuild, l.Nodejs.ESBuild
		e.Define = mergeMap(e.Define, le.Define)
		e.KeepNames = e.KeepNames || le.KeepNames
		e.Target = cmp.Or(le.Target, e.Target)
		if len(le.MainFields) > 0 {
			e.MainFields = le.MainFields
		}
		e.Conditions = append(e.Conditions, le.Conditions...)
		e.Inject = append(e.Inject, le.Inject...)
		// A command list is one recipe: a later one replaces it whole.
		if len(l.Python.InstallCommands) > 0 {
			out.Python.InstallCommands = l.Python.InstallCommands
		}
		if l.VPC != nil {
			out.VPC = l.VPC
		}
		out.Go.Tags = append(out.Go.Tags, l.Go.Tags...)
		out.Go.LDFlags = append(out.Go.LDFlags, l.Go.LDFlags...)
		for k, v := range l.Environment {
			out.Environment[k] = v
		}
		out.Bind = append(out.Bind, l.Bind...)
		out.Permissions = append(out.Permissions, l.Permissions...)
	}
	return out
}

// The variables SST v2 gave Node functions: keep-alive for the AWS SDK v2
// (v3 keeps connections alive anyway) and the function's id.
const (
	envNodeConnectionReuse = "AWS_NODEJS_CONNECTION_REUSE_ENABLED"
	envFunctionID          = "SST_FUNCTION_ID"
)

// layerARN matches a layer version ARN in any partition.
var layerARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$`)

// checkCopyFile is what is wrong with one CopyFiles entry, "" when
// nothing is: From must exist inside the project and To stay inside the
// bundle.
func checkCopyFile(projectDir string, c CopyFile) string {
	if c.From == "" {
		return "From is empty: name a file or directory relative to the project"
	}
	if filepath.IsAbs(c.From) || !filepath.IsLocal(filepath.FromSlash(c.From)) {
		return fmt.Sprintf("From %q: must be relative to the project and inside it", c.From)
	}
	if _, err := os.Stat(filepath.Join(projectDir, filepath.FromSlash(c.From))); err != nil {
		return fmt.Sprintf("From %q: %s does not exist", c.From, filepath.Join(projectDir, filepath.FromSlash(c.From)))
	}
	if c.To != "" && (filepath.IsAbs(c.To) || !filepath.IsLocal(filepath.FromSlash(c.To))) {
		return fmt.Sprintf("To %q: must be a relative path inside the bundle (or empty for From's path)", c.To)
	}
	return ""
}

// uniqueInOrder drops repeated entries, keeping the first of each.
func uniqueInOrder(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func assumeRolePolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

// Bind adds bindings after creation (SST's fn.bind).
func (fn *Function) Bind(b ...Bindable) { fn.props.Bind = append(fn.props.Bind, b...) }

// AddEnvironment sets environment variables after creation.
func (fn *Function) AddEnvironment(env map[string]string) {
	for k, v := range env {
		fn.props.Environment[k] = v
	}
}

// AttachPermissions grants more after creation (SST v2's
// fn.attachPermissions): constructs, statements or Service's shorthand.
func (fn *Function) AttachPermissions(p ...Permission) {
	s := fn.stack
	if checkPermissions(s, fmt.Sprintf("stack %s: function %q: AttachPermissions", s.name, fn.fid), p) {
		fn.props.Permissions = append(fn.props.Permissions, p...)
	}
}

// Arn is the function's ARN (a token until deploy); "" when the function
// failed validation, so code using it still runs and every error gets
// reported.
func (fn *Function) Arn() string {
	if fn.Cdk.Function == nil {
		return ""
	}
	return *fn.Cdk.Function.Arn()
}

// InvokeArn is the ARN API Gateway integrations call ("" as for Arn).
func (fn *Function) InvokeArn() string {
	if fn.Cdk.Function == nil {
		return ""
	}
	return *fn.Cdk.Function.InvokeArn()
}

// FunctionName is the physical function name.
func (fn *Function) FunctionName() string { return fn.name }

// URL is the function URL, when enabled.
func (fn *Function) URL() string {
	if fn.Cdk.URL == nil {
		return ""
	}
	return *fn.Cdk.URL.FunctionUrl()
}

// ID is the construct id.
func (fn *Function) ID() string { return fn.fid }

// Binding lets another function invoke this one.
func (fn *Function) Binding() Binding {
	return Binding{
		Type:        "Function",
		ID:          fn.fid,
		Variables:   map[string]string{"functionName": fn.name},
		Permissions: []Statement{Allow([]string{"lambda:InvokeFunction"}, fn.Arn())},
	}
}

func (fn *Function) id() string { return fn.fid }

func (fn *Function) functions() []*Function {
	if fn.Cdk.Function == nil {
		return nil
	}
	return []*Function{fn}
}

func (fn *Function) describe() manifest.Construct {
	return manifest.Construct{ID: fn.fid, Type: "Function", Path: fn.fid, Data: map[string]string{manifest.FunctionName: fn.name}, Binds: bindIDs(fn.props.Bind)}
}

// functionBinds lists the ids of everything the functions are bound to.
func functionBinds(fns []*Function) []string {
	var binds []Bindable
	for _, fn := range fns {
		binds = append(binds, fn.props.Bind...)
	}
	return bindIDs(binds)
}

func bindIDs(bs []Bindable) []string {
	var ids []string
	for _, b := range bs {
		if b != nil {
			ids = append(ids, b.Binding().ID)
		}
	}
	return uniqueSorted(ids)
}

// environment is the function's full environment: its own, SST's app
// variables, and one variable per bound property.
func (fn *Function) environment() (map[string]string, []Statement) {
	a := fn.stack.app
	env := map[string]string{}
	for k, v := range fn.props.Environment {
		env[k] = v
	}
	env[binding.EnvApp] = a.cfg.Name
	env[binding.EnvStage] = a.opts.Stage
	env[binding.EnvSSMPrefix] = binding.SSMPrefix(a.cfg.Name, a.opts.Stage)
	if fn.kind == "node" {
		// As SST v2 set them; the user's own values win.
		for k, v := range map[string]string{envNodeConnectionReuse: "1", envFunctionID: fn.fid} {
			if _, set := env[k]; !set {
				env[k] = v
			}
		}
	}
	perms := statementsOf(fn.props.Permissions)
	if fn.props.Tracing.lambdaMode() != "" {
		perms = append(perms, Allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "*"))
	}
	if fn.props.VPC != nil {
		perms = append(perms, Allow(vpcActions, "*"))
	}
	for _, d := range []Destination{fn.props.OnFailure, fn.props.OnSuccess} {
		if d != nil {
			t := d.destination()
			perms = append(perms, Allow(t.actions, t.arn))
		}
	}
	return env, bindInto(env, perms, fn.props.Bind)
}

// bindInto adds each binding's variables to env and returns perms with
// its statements: what binding a construct gives a function or a
// container alike.
func bindInto(env map[string]string, perms []Statement, binds []Bindable) []Statement {
	for _, b := range binds {
		if b == nil {
			continue
		}
		info := b.Binding()
		for prop, v := range info.Variables {
			env[EnvName(info.Type, prop, info.ID)] = v
		}
		perms = append(perms, info.Permissions...)
	}
	return perms
}

// complete sets what is known only once the app is declared and bundled:
// the environment with every binding, the bundle, and the role's policy.
func (fn *Function) complete() {
	if fn.Cdk.Function == nil || fn.result == nil {
		return
	}
	s := fn.stack
	env, perms := fn.environment()
	vars := map[string]*string{}
	for k, v := range env {
		vars[k] = jsii.String(v)
	}
	f := fn.Cdk.Function
	// The JSON names a stable path and lets Terraform hash the file at
	// plan time: an edited handler changes the file, not the JSON, so the
	// CLI can rebuild it without running the app (see manifest.Function).
	dst := fn.bundlePath()
	if err := build.Place(fn.result.ZipPath, dst); err != nil {
		s.app.errorf("stack %s: function %q: place its bundle at %s: %v", s.name, fn.fid, dst, err)
		return
	}
	if relay, ok := fn.relayed(vars); ok {
		perms = append(perms, relay...)
	} else {
		rel := s.artifact(dst)
		f.SetHandler(jsii.String(fn.result.Handler))
		f.SetRuntime(jsii.String(fn.result.Runtime))
		f.SetFilename(jsii.String(rel))
		f.SetSourceCodeHash(cdktf.Fn_Filebase64sha256(jsii.String(rel)))
	}
	f.PutEnvironment(&lambdafunction.LambdaFunctionEnvironment{Variables: &vars})
	// Logs go only to the function's own log group.
	logArn := *fn.Cdk.LogGroup.Arn() + ":*"
	all := append([]Statement{Allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, logArn)}, perms...)
	fn.Cdk.Policy.SetPolicy(jsii.String(policyDocument(all)))
}

func (fn *Function) describeFunction() manifest.Function {
	env, _ := fn.environment()
	resolved := map[string]string{}
	for k, v := range env {
		resolved[k] = fn.stack.resolveString(v)
	}
	mf := manifest.Function{
		ID:          fn.fid,
		Construct:   fn.owner,
		Name:        fn.name,
		Handler:     fn.props.Handler,
		Arch:        string(fn.props.Architecture),
		Memory:      fn.props.MemorySize,
		Timeout:     int(fn.props.Timeout / time.Second),
		Environment: resolved,
		Bindings:    bindIDs(fn.props.Bind),
		Build:       fn.buildSettings(),
	}
	if fn.result != nil {
		mf.Runtime = fn.result.Runtime
		mf.Artifact = fn.stack.rel(fn.bundlePath())
	}
	return mf
}

// bundlePath is where the stack's Terraform reads the function's bundle:
// <out>/functions/<id>.zip, one path per function whatever its code.
// Function ids are unique in the app; one that is not a safe file name
// gets a hash of itself appended, so two never share a file.
func (fn *Function) bundlePath() string {
	name := build.FileName(fn.fid)
	if name != fn.fid {
		sum := sha256.Sum256([]byte(fn.fid))
		name += "-" + hex.EncodeToString(sum[:4])
	}
	return filepath.Join(fn.stack.app.opts.OutDir, "functions", name+".zip")
}

// buildSettings are the props that shape the function's bundle.
func (fn *Function) buildSettings() *manifest.FunctionBuild {
	p := fn.props
	b := &manifest.FunctionBuild{
		Runtime: string(p.Runtime), Format: p.Nodejs.Format, Minify: p.Nodejs.Minify, Sourcemap: p.Nodejs.Sourcemap,
		External: p.Nodejs.External, Tags: p.Go.Tags, LDFlags: p.Go.LDFlags,
	}
	for _, c := range p.CopyFiles {
		b.CopyFiles = append(b.CopyFiles, manifest.CopyFile{From: c.From, To: c.To})
	}
	n := p.Nodejs
	b.Install, b.Loader, b.Banner = uniqueInOrder(n.Install), n.Loader, n.Banner
	if e := n.ESBuild; !reflect.ValueOf(e).IsZero() {
		b.ESBuild = &manifest.ESBuildBuild{Define: e.Define, KeepNames: e.KeepNames, Target: e.Target,
			MainFields: e.MainFields, Conditions: e.Conditions, Inject: e.Inject}
	}
	b.InstallCommands = p.Python.InstallCommands
	return b
}

// buildRequest builds the function the way its manifest entry describes
// (build.RequestFor), so the next synthesis can start the same build
// before its stacks run.
func (fn *Function) buildRequest() build.Request {
	a := fn.stack.app
	return build.RequestFor(a.opts.ProjectDir, a.opts.ArtifactDir, manifest.Function{
		ID: fn.fid, Handler: fn.props.Handler, Arch: string(fn.props.Architecture), Build: fn.buildSettings(),
	})
}

// resolveString turns tokens into the Terraform expressions they stand
// for, so the manifest shows "${aws_apigatewayv2_api.Api.api_endpoint}"
// rather than an opaque token.
func (s *Stack) resolveString(v string) string {
	if !strings.Contains(v, "${") {
		return v
	}
	var out string
	func() {
		defer func() {
			if recover() != nil {
				out = v
			}
		}()
		r := cdktf.Tokenization_Resolve(jsii.String(v), &cdktf.ResolveOptions{
			Scope:    s.tf,
			Resolver: cdktf.NewDefaultTokenResolver(cdktf.NewStringConcat()),
		})
		if str, ok := r.(string); ok {
			out = str
		} else if p, ok := r.(*string); ok && p != nil {
			out = *p
		} else {
			out = v
		}
	}()
	return out
}

// buildFunctions bundles every function: their builds started when they
// were declared (or earlier, from the last synthesis: see App.prebuild),
// the scheduler runs them a few at a time and once per distinct build.
func (a *App) buildFunctions(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(a.functions))
	for i, fn := range a.functions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := a.builds.Build(ctx, fn.buildRequest())
			if err != nil {
				var be *build.Error
				if errors.As(err, &be) && be.Function == fn.fid {
					// It already says which function and handler.
					errs[i] = fmt.Errorf("stack %s: %w", fn.stack.name, err)
				} else {
					errs[i] = fmt.Errorf("stack %s: function %q: %w", fn.stack.name, fn.fid, err)
				}
				return
			}
			fn.result = res
		}()
	}
	wg.Wait()
	var out []error
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Error() < out[j].Error() })
	return errors.Join(out...)
}

// streamMapping feeds a stream (DynamoDB or Kinesis) to fn: records from
// start, batch at a time, optionally filtered by event patterns.
func streamMapping(s *Stack, fid string, fn *Function, source *string, start string, batch int, filters []string) lambdaeventsourcemapping.LambdaEventSourceMapping {
	cfg := &lambdaeventsourcemapping.LambdaEventSourceMappingConfig{
		EventSourceArn:   source,
		FunctionName:     fn.Cdk.Function.Arn(),
		StartingPosition: jsii.String(start),
		BatchSize:        jsii.Number(float64(batch)),
	}
	if len(filters) > 0 {
		var fs []*lambdaeventsourcemapping.LambdaEventSourceMappingFilterCriteriaFilter
		for _, p := range filters {
			fs = append(fs, &lambdaeventsourcemapping.LambdaEventSourceMappingFilterCriteriaFilter{Pattern: jsii.String(p)})
		}
		cfg.FilterCriteria = &lambdaeventsourcemapping.LambdaEventSourceMappingFilterCriteria{Filter: fs}
	}
	m := lambdaeventsourcemapping.NewLambdaEventSourceMapping(s.tf, jsii.String(fid+"_mapping"), cfg)
	// Lambda checks the role can read the stream when the mapping is
	// created, so the role's policy must exist first.
	m.AddOverride(jsii.String("depends_on"), []string{"aws_iam_role_policy." + fid + "_policy"})
	return m
}

// mergeMap is base with over's entries on top, base left untouched.
func mergeMap[V any](base, over map[string]V) map[string]V {
	if len(over) == 0 {
		return base
	}
	out := make(map[string]V, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}
