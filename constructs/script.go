package sst

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdainvocation"

	"github.com/sst-tf/sst/manifest"
)

//go:embed support/script-dispatcher.mjs
var scriptDispatcher []byte

// ScriptProps configure functions run while a stage deploys: OnCreate on
// the first deploy, OnUpdate when Version or Params change, OnDelete when
// the stage (or the Script) is removed. At least one is required. Each
// function receives {"params": Params, "phase": "create"|"update"|"delete"}.
type ScriptProps struct {
	OnCreate FunctionProps
	OnUpdate FunctionProps
	OnDelete FunctionProps
	// Params are passed to the functions; changing them runs OnUpdate.
	Params map[string]any
	// Version: changing it runs OnUpdate. Unlike SST v2, which defaults to
	// the deploy time, the default is fixed so an unchanged app deploys as
	// a no-op; bump it to re-run.
	Version string
	// Defaults apply to every script function (timeout default 900 s).
	Defaults ScriptDefaults
	// Cdk passes raw configuration through.
	Cdk ScriptCdkProps
}

// ScriptDefaults apply to every script function.
type ScriptDefaults struct {
	Function FunctionProps
}

// ScriptCdkProps is the escape hatch into the raw resource configuration.
type ScriptCdkProps struct {
	// Invocation edits the aws_lambda_invocation config before it is created.
	Invocation func(*lambdainvocation.LambdaInvocationConfig)
}

// Script runs functions during deploy. Terraform's aws_lambda_invocation
// (lifecycle scope CRUD) calls a small dispatcher function on create,
// update and destroy; the dispatcher calls the function for that phase.
type Script struct {
	stack  *Stack
	sid    string
	phases map[string]*Function
	params string // JSON
	Cdk    struct {
		Dispatcher lambdafunction.LambdaFunction
		Role       iamrole.IamRole
		Policy     iamrolepolicy.IamRolePolicy
		LogGroup   cloudwatchloggroup.CloudwatchLogGroup
		Invocation lambdainvocation.LambdaInvocation
	}
}

var scriptPhases = []struct{ name, env, data string }{
	{"create", "SST_SCRIPT_CREATE", manifest.ScriptCreateFunction},
	{"update", "SST_SCRIPT_UPDATE", manifest.ScriptUpdateFunction},
	{"delete", "SST_SCRIPT_DELETE", manifest.ScriptDeleteFunction},
}

// NewScript declares functions run on deploy.
func NewScript(s *Stack, id string, props ScriptProps) *Script {
	sc := &Script{stack: s, sid: id, phases: map[string]*Function{}}
	if !s.app.claimID(s, id, "Script") {
		return sc
	}
	a := s.app
	where := fmt.Sprintf("stack %s: script %q", s.name, id)
	errs := len(a.errs)
	byPhase := map[string]FunctionProps{"create": props.OnCreate, "update": props.OnUpdate, "delete": props.OnDelete}
	if props.OnCreate.Handler == "" && props.OnUpdate.Handler == "" && props.OnDelete.Handler == "" {
		a.errorf("%s: set at least one of OnCreate, OnUpdate and OnDelete (each a function with a Handler)", where)
	}
	params, err := json.Marshal(nonNilParams(props.Params))
	if err != nil {
		a.errorf("%s: Params cannot be encoded as JSON: %v", where, err)
	}
	input, _ := json.Marshal(map[string]any{"params": json.RawMessage(params), "version": props.Version})
	dispID := id + "_dispatcher"
	if other, ok := a.ids[dispID]; ok {
		a.errorf("%s: its dispatcher id %q collides with a construct in stack %s: rename one", where, dispID, other)
	}
	if len(a.errs) > errs {
		return sc
	}
	for _, p := range scriptPhases {
		fp := byPhase[p.name]
		if fp.Handler == "" {
			continue
		}
		fid := id + "_on" + string(p.name[0]-'a'+'A') + p.name[1:]
		fn := newFunction(s, id, fid, fp, FunctionProps{Timeout: maxFunctionTimeout}, props.Defaults.Function)
		if fn.Cdk.Function == nil {
			return sc
		}
		sc.phases[p.name] = fn
	}
	a.ids[dispID] = s.name

	// The dispatcher is our code, not the user's: packed as is, no build.
	var stmts []Statement
	env := map[string]*string{}
	for _, p := range scriptPhases {
		if fn := sc.phases[p.name]; fn != nil {
			stmts = append(stmts, Allow([]string{"lambda:InvokeFunction"}, fn.Arn()))
			if a.opts.Mode == manifest.ModeDev {
				// Under `sst dev` the CLI runs the phase's handler locally
				// (it reads the invocation's change from the plan); with no
				// function to call, the deployed dispatcher does nothing.
				continue
			}
			// A reference, not the name as text: it makes Terraform destroy
			// the invocation (running OnDelete) before the functions.
			env[p.env] = fn.Cdk.Function.FunctionName()
		}
	}
	if len(env) == 0 {
		// Lambda refuses an empty variables map.
		env["SST_SCRIPT_DEV"] = jsii.String("true")
	}
	sf, err := newSupportFunction(s, id, dispID, a.names.Lambda(a.owner(id), dispID), map[string][]byte{"index.mjs": scriptDispatcher}, env, stmts, 900)
	if err != nil {
		a.errorf("%s: %v", where, err)
		return sc
	}
	sc.Cdk.Dispatcher, sc.Cdk.Role, sc.Cdk.Policy, sc.Cdk.LogGroup = sf.Function, sf.Role, sf.Policy, sf.LogGroup
	icfg := &lambdainvocation.LambdaInvocationConfig{
		FunctionName:   sc.Cdk.Dispatcher.FunctionName(),
		Input:          jsii.String(string(input)),
		LifecycleScope: jsii.String("CRUD"),
	}
	if props.Cdk.Invocation != nil {
		props.Cdk.Invocation(icfg)
	}
	sc.Cdk.Invocation = lambdainvocation.NewLambdaInvocation(s.tf, jsii.String(id), icfg)
	sc.params = string(params)
	s.add(sc)
	return sc
}

func nonNilParams(p map[string]any) map[string]any {
	if p == nil {
		return map[string]any{}
	}
	return p
}

// ID is the construct id.
func (sc *Script) ID() string { return sc.sid }

// Function is the function of a phase ("create", "update", "delete"), or nil.
func (sc *Script) Function(phase string) *Function { return sc.phases[phase] }

// Result is what the dispatcher returned on the last create or update (a
// token until deploy).
func (sc *Script) Result() string {
	if sc.Cdk.Invocation == nil {
		return ""
	}
	return *sc.Cdk.Invocation.Result()
}

func (sc *Script) id() string { return sc.sid }

func (sc *Script) functions() []*Function {
	var fns []*Function
	for _, p := range scriptPhases {
		if fn := sc.phases[p.name]; fn != nil {
			fns = append(fns, fn)
		}
	}
	return fns
}

func (sc *Script) describe() manifest.Construct {
	d := map[string]string{}
	var binds []Bindable
	for _, p := range scriptPhases {
		if fn := sc.phases[p.name]; fn != nil {
			d[p.data] = fn.fid
			binds = append(binds, fn.props.Bind...)
		}
	}
	if inv := sc.Cdk.Invocation; inv != nil {
		d[manifest.ScriptParams] = sc.params
		d[manifest.ScriptInvocation] = *inv.TerraformResourceType() + "." + *inv.FriendlyUniqueId()
	}
	return manifest.Construct{ID: sc.sid, Type: "Script", Path: sc.sid, Data: d, Binds: bindIDs(binds)}
}
