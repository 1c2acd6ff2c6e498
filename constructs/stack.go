package sst

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/manifest"
)

// Stack is the context a stack function receives: it owns one Terraform
// root module for the stage.
type Stack struct {
	app    *App
	name   string
	fn     StackFunc
	tf     cdktf.TerraformStack
	result any
	done   bool
	// useFailed is set when a Use in this stack failed: a nil construct
	// used afterwards is that error's consequence, not a second one.
	useFailed bool

	dependsOn  map[string]bool
	outputs    []manifest.Output
	constructs []construct
	retained   []cdktf.TerraformResource
	artifacts  map[string]bool
	// fnDefaults are the stack's function defaults (SST v2's
	// stack.setDefaultFunctionProps and addDefaultFunction*), layered
	// over the app's in the order they were added.
	fnDefaults []FunctionProps
	// fns is every function created in the stack, in creation order.
	fns []*Function
	// devRelay is the stack's relay under `sst dev` (see stackRelay).
	devRelay *stackRelay
}

// construct is what every SST construct tells its stack, for the manifest
// and for the finalize pass that needs every binding to be known.
type construct interface {
	id() string
	describe() manifest.Construct
}

// functionOwner is a construct that creates Lambda functions (a Function
// itself, an Api's routes, a Queue's consumer, …). The stack completes
// each of them once the app is declared and bundled, and lists them in the
// manifest; owners only say which functions are theirs.
type functionOwner interface{ functions() []*Function }

// finalizer is implemented by constructs that emit resources only once the
// whole app is declared (resource policies collecting every grant, upload
// plans); it runs after the construct's functions are complete.
type finalizer interface{ finalize() }

func newStack(a *App, name string, fn StackFunc) *Stack {
	s := &Stack{app: a, name: name, fn: fn, dependsOn: map[string]bool{}, artifacts: map[string]bool{}}
	s.tf = cdktf.NewTerraformStack(a.tf, jsii.String(name))
	s.configureProvider()
	a.cfg.Backend.configure(s)
	return s
}

func (s *Stack) run() (result any) {
	defer func() {
		s.done = true
		// A construct tree CDKTF rejects (e.g. a raw resource whose id clashes
		// with one a construct generated) panics inside jsii; report it as a
		// configuration error of this stack instead of a Go stack trace.
		if r := recover(); r != nil {
			msg, onConstruct := s.nilConstruct(r)
			switch {
			case s.useFailed && isNilPointer(r):
				// The zero value a failed Use returned, used: its error
				// is already reported and says what to do.
			case onConstruct:
				s.app.errorf("%s", msg)
			default:
				s.app.errorf("stack %s: %v", s.name, r)
			}
			result = nil
		}
	}()
	return s.fn(s)
}

// Name is the stack id.
func (s *Stack) Name() string { return s.name }

// App is the app the stack belongs to.
func (s *Stack) App() *App { return s.app }

// Stage is the stage being synthesized.
func (s *Stack) Stage() string { return s.app.opts.Stage }

// Region is the stack's AWS region.
func (s *Stack) Region() string { return s.app.opts.Region }

// Scope is the escape hatch: the CDKTF stack, to which any raw CDKTF
// resource (e.g. from github.com/cdktf/cdktf-provider-aws-go) can be added
// and referenced alongside SST constructs.
func (s *Stack) Scope() constructs.Construct { return s.tf }

// Terraform is the underlying CDKTF stack, for overrides.
func (s *Stack) Terraform() cdktf.TerraformStack { return s.tf }

// DependsOn orders deployment: this stack deploys after the given stacks.
// Dependencies implied by values used across stacks are added for you.
func (s *Stack) DependsOn(stacks ...StackFunc) {
	for _, fn := range stacks {
		other, ok := s.app.byFunc[reflect.ValueOf(fn).Pointer()]
		if !ok {
			name, _ := stackName(fn)
			s.app.errorf("stack %s: DependsOn(%s): that stack is not defined yet — list it before %s in sst.Run", s.name, name, s.name)
			continue
		}
		if other == s {
			s.app.errorf("stack %s: DependsOn itself", s.name)
			continue
		}
		s.dependsOn[other.name] = true
		s.tf.AddDependency(other.tf)
	}
}

// Use returns what another stack's function returned (SST's use()). The
// other stack must come earlier in sst.Run; its resources referenced here
// become cross-stack references Terraform resolves per stage.
func Use[T any](s *Stack, fn StackFunc) T {
	var zero T
	other, ok := s.app.byFunc[reflect.ValueOf(fn).Pointer()]
	name, _ := stackName(fn)
	if !ok || !other.done {
		s.useFailed = true
		s.app.errorf("stack %s: Use(%s): that stack is not defined yet — list %s before %s in sst.Run", s.name, name, name, s.name)
		return zero
	}
	v, ok := other.result.(T)
	if !ok {
		s.useFailed = true
		s.app.errorf("stack %s: Use(%s): it returned %T, not %T", s.name, name, other.result, zero)
		return zero
	}
	if other != s {
		s.dependsOn[other.name] = true
	}
	return v
}

// AddOutputs declares stack outputs. Values are strings (often tokens such
// as api.URL()), numbers or booleans; `sst deploy` prints them and writes
// them to .sst/outputs/<stage>.json.
func (s *Stack) AddOutputs(outputs map[string]any) {
	for _, k := range sortedKeys(outputs) {
		s.AddOutput(k, outputs[k], OutputOptions{})
	}
}

// OutputOptions describe one output.
type OutputOptions struct {
	Description string
	// Sensitive outputs are stored by Terraform but not printed.
	Sensitive bool
	// internal marks outputs constructs add for the CLI (manifest
	// Output.Internal): printed only with --all.
	internal bool
}

// AddOutput declares one stack output.
func (s *Stack) AddOutput(name string, value any, o OutputOptions) {
	if err := validateOutputName(name); err != nil {
		s.app.errorf("stack %s: output %q: %v", s.name, name, err)
		return
	}
	for _, out := range s.outputs {
		if out.Name == name {
			s.app.errorf("stack %s: output %q is declared twice", s.name, name)
			return
		}
	}
	if str, ok := value.(string); ok {
		value = jsii.String(str)
	}
	cfg := &cdktf.TerraformOutputConfig{Value: value, Sensitive: jsii.Bool(o.Sensitive)}
	if o.Description != "" {
		cfg.Description = jsii.String(o.Description)
	}
	out := cdktf.NewTerraformOutput(s.tf, jsii.String(name), cfg)
	out.OverrideLogicalId(jsii.String(name))
	s.outputs = append(s.outputs, manifest.Output{Name: name, Description: o.Description, Sensitive: o.Sensitive, Internal: o.internal})
}

func validateOutputName(name string) error {
	if name == "" {
		return fmt.Errorf("output names must not be empty")
	}
	for i, r := range name {
		ok := r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("output names must start with a letter or _ and contain only letters, digits, _ and -")
		}
	}
	return nil
}

func (s *Stack) add(c construct) { s.constructs = append(s.constructs, c) }

// SetDefaultFunctionProps sets props every function created in this stack
// starts from, over the app's Defaults.Function (SST v2's
// stack.setDefaultFunctionProps). Call it before the stack creates any
// function; Environment, Permissions, Bind, Layers and CopyFiles merge.
func (s *Stack) SetDefaultFunctionProps(p FunctionProps) {
	if len(s.fns) > 0 {
		s.app.errorf("stack %s: SetDefaultFunctionProps: the stack already created function %q; call it first in the stack, or use AddDefaultFunctionEnv, AddDefaultFunctionPermissions, AddDefaultFunctionBinding or AddDefaultFunctionLayers, which apply to functions created after them", s.name, s.fns[0].fid)
		return
	}
	s.fnDefaults = append(s.fnDefaults, p)
}

// AddDefaultFunctionEnv adds environment variables to every function this
// stack creates after the call.
func (s *Stack) AddDefaultFunctionEnv(env map[string]string) {
	s.fnDefaults = append(s.fnDefaults, FunctionProps{Environment: env})
}

// AddDefaultFunctionPermissions grants statements to every function this
// stack creates after the call.
func (s *Stack) AddDefaultFunctionPermissions(p ...Permission) {
	s.fnDefaults = append(s.fnDefaults, FunctionProps{Permissions: p})
}

// AddDefaultFunctionBinding binds constructs to every function this stack
// creates after the call.
func (s *Stack) AddDefaultFunctionBinding(b ...Bindable) {
	s.fnDefaults = append(s.fnDefaults, FunctionProps{Bind: b})
}

// AddDefaultFunctionLayers adds layer version ARNs to every function this
// stack creates after the call.
func (s *Stack) AddDefaultFunctionLayers(arns ...string) {
	s.fnDefaults = append(s.fnDefaults, FunctionProps{Layers: arns})
}

// AllFunctions is every function created in this stack so far, including
// those of other constructs (routes, consumers, authorizers), in creation
// order (SST v2's stack.getAllFunctions).
func (s *Stack) AllFunctions() []*Function { return append([]*Function(nil), s.fns...) }

// retain marks a data store to be kept in AWS when the stage is removed.
func (s *Stack) retain(r cdktf.TerraformResource) { s.retained = append(s.retained, r) }

// artifact records a function bundle the stack uploads; its content is
// part of the stack's deploy hash.
func (s *Stack) artifact(absPath string) string {
	rel, err := filepath.Rel(s.dir(), absPath)
	if err != nil {
		rel = absPath
	}
	s.artifacts[rel] = true
	return rel
}

// dir is the stack's Terraform working directory.
func (s *Stack) dir() string {
	return filepath.Join(s.app.opts.OutDir, "stacks", s.name)
}

// rel makes an absolute path relative to the stack directory, so the
// synthesized JSON works wherever the project is checked out.
func (s *Stack) rel(abs string) string {
	r, err := filepath.Rel(s.dir(), abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(r)
}

// finalize completes every function of the stack exactly once, then lets
// constructs emit what depends on the whole app.
func (s *Stack) finalize() {
	done := map[*Function]bool{}
	for _, c := range s.constructs {
		if o, ok := c.(functionOwner); ok {
			for _, fn := range o.functions() {
				if !done[fn] {
					done[fn] = true
					fn.complete()
				}
			}
		}
		if f, ok := c.(finalizer); ok {
			f.finalize()
		}
		if b, ok := c.(Bindable); ok {
			s.bindingParameters(c.id(), b)
		}
	}
}

func (s *Stack) manifest() manifest.Stack {
	ms := manifest.Stack{
		Name:      s.name,
		Dir:       filepath.ToSlash(filepath.Join("stacks", s.name)),
		Workspace: s.app.cfg.Backend.workspace(s),
		DependsOn: sortedKeys(s.dependsOn),
		Artifacts: sortedKeys(s.artifacts),
		Outputs:   s.outputs,
		DevRelay:  s.devRelay.describe(),
	}
	for _, c := range s.constructs {
		ms.Constructs = append(ms.Constructs, c.describe())
		if f, ok := c.(functionOwner); ok {
			for _, fn := range f.functions() {
				ms.Functions = append(ms.Functions, fn.describeFunction())
			}
		}
		if r, ok := c.(interface{ routesManifest() []manifest.Route }); ok {
			ms.Routes = append(ms.Routes, r.routesManifest()...)
		}
	}
	for _, r := range s.retained {
		ms.Retained = append(ms.Retained, *r.TerraformResourceType()+"."+*s.tf.GetLogicalId(r))
	}
	sort.Strings(ms.Retained)
	return ms
}

// endpointServices are the provider endpoints pointed at an emulator; the
// services every construct of this package may use.
var endpointServices = []string{
	"acm", "apigateway", "apigatewayv2", "applicationautoscaling", "appsync", "cloudfront",
	"cloudwatch", "codebuild", "logs", "cognitoidentity", "cognitoidp", "dynamodb",
	"ec2", "ecr", "ecs", "elbv2", "events", "iam", "kinesis", "lambda", "rds",
	"route53", "s3", "scheduler", "secretsmanager", "sns", "sqs", "ssm", "sts",
}

func (s *Stack) configureProvider() {
	s.newProvider("aws", s.app.opts.Region, "")
	// CDKTF pins the provider to the exact version its bindings were
	// generated from; any 5.x at or above it has the same schema subset.
	s.tf.AddOverride(jsii.String("terraform.required_providers.aws.version"), jsii.String(providerConstraint))
	s.tf.AddOverride(jsii.String("terraform.required_providers.aws.source"), jsii.String("hashicorp/aws"))
}

// newProvider declares an AWS provider of this stack in region: the
// stack's own (alias "") or an alias for what must live elsewhere (what
// CloudFront takes from us-east-1). Every one carries the app's profile,
// default tags, retries and emulator endpoints: an alias without them
// would create its resources with other credentials, untagged, or in real
// AWS while the rest of the stack goes to the emulator.
func (s *Stack) newProvider(id, region, alias string) provider.AwsProvider {
	o := s.app.opts
	cfg := &provider.AwsProviderConfig{
		Region: jsii.String(region),
		DefaultTags: []*provider.AwsProviderDefaultTags{{
			Tags: &map[string]*string{
				"sst:app":   jsii.String(s.app.cfg.Name),
				"sst:stage": jsii.String(o.Stage),
			},
		}},
	}
	if alias != "" {
		cfg.Alias = jsii.String(alias)
	}
	if o.Profile != "" && o.Endpoint == "" {
		cfg.Profile = jsii.String(o.Profile)
	}
	// Throttling (and 5xx, and dropped connections) is retried by the
	// provider, not by us: terraform then never sees a half-applied error.
	retries := s.app.cfg.MaxRetries
	if retries == 0 {
		retries = defaultMaxRetries
		if s.app.emulated() {
			retries = emulatorMaxRetries
		}
	}
	cfg.MaxRetries = jsii.Number(float64(retries))
	p := provider.NewAwsProvider(s.tf, jsii.String(id), cfg)
	if o.Endpoint != "" {
		// An emulator has no real credentials or account metadata to check.
		cfg := map[string]any{}
		for _, svc := range endpointServices {
			cfg[svc] = o.Endpoint
		}
		p.AddOverride(jsii.String("endpoints"), []any{cfg})
		p.AddOverride(jsii.String("skip_credentials_validation"), true)
		p.AddOverride(jsii.String("skip_requesting_account_id"), true)
		p.AddOverride(jsii.String("skip_metadata_api_check"), "true")
		p.AddOverride(jsii.String("s3_use_path_style"), true)
	}
	return p
}

// defaultMaxRetries is the AWS provider's documented default.
const defaultMaxRetries = 25

// providerConstraint admits newer 5.x providers than the bindings' 5.84.0.
const providerConstraint = "~> 5.84"
