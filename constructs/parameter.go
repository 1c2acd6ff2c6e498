package sst

import (
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

// ParameterProps configure a Parameter.
type ParameterProps struct {
	// Value, required; may be a token such as api.URL(). Parameters are not
	// secret: the value is in the function's environment, the Terraform JSON
	// and the state. Use a Secret for anything sensitive.
	Value string
	// Description of the SSM parameter.
	Description string
}

// ssmStandardMax is the largest value a standard-tier SSM parameter holds.
const ssmStandardMax = 4096

// Parameter is a plain configuration value (SST v2's Config.Parameter),
// stored as an SSM String parameter at /sst/{app}/{stage}/Parameter/{NAME}/value
// and given to bound functions directly as SST_Parameter_value_{NAME}.
type Parameter struct {
	stack *Stack
	name  string
	value string
	path  string
	Cdk   struct {
		Parameter ssmparameter.SsmParameter
	}
}

// NewParameter declares a parameter. Names follow the rules of NewSecret.
func NewParameter(s *Stack, name string, props ParameterProps) *Parameter {
	p := &Parameter{stack: s, name: name, value: props.Value}
	if !s.app.claimID(s, name, "Parameter") {
		return p
	}
	where := "stack " + s.name + ": parameter " + quote(name)
	if err := validateConfigName(name); err != nil {
		s.app.errorf("%s: %v", where, err)
		return p
	}
	switch {
	case props.Value == "":
		s.app.errorf("%s: Value is required (SSM rejects empty parameters); for a value set outside the code use sst.NewSecret", where)
		return p
	case !strings.Contains(props.Value, "${") && len(props.Value) > ssmStandardMax:
		s.app.errorf("%s: Value is %d bytes; SSM String parameters hold at most %d", where, len(props.Value), ssmStandardMax)
		return p
	}
	a := s.app
	p.path = a.names.Claim(naming.KindSSMParameter, binding.SSMPath(binding.SSMPrefix(a.cfg.Name, a.opts.Stage), "Parameter", name, "value"), a.owner(name))
	cfg := &ssmparameter.SsmParameterConfig{
		Name:  jsii.String(p.path),
		Type:  jsii.String("String"),
		Value: jsii.String(props.Value),
		// As for binding values: a killed deploy's orphan is overwritten.
		Overwrite: jsii.Bool(true),
	}
	if props.Description != "" {
		cfg.Description = jsii.String(props.Description)
	}
	p.Cdk.Parameter = ssmparameter.NewSsmParameter(s.tf, jsii.String(name), cfg)
	s.add(p)
	return p
}

func quote(s string) string { return `"` + s + `"` }

// Name is the parameter's name.
func (p *Parameter) Name() string { return p.name }

// ID is the construct id (the name).
func (p *Parameter) ID() string { return p.name }

// Value is the parameter's value (possibly a token).
func (p *Parameter) Value() string { return p.value }

// Path is the SSM parameter's name.
func (p *Parameter) Path() string { return p.path }

// Arn is the SSM parameter's ARN (a token until deploy); "" when the
// parameter failed validation.
func (p *Parameter) Arn() string {
	if p.Cdk.Parameter == nil {
		return ""
	}
	return *p.Cdk.Parameter.Arn()
}

// Binding gives functions the value itself in SST_Parameter_value_<name>;
// nothing needs reading at run time, so no IAM is granted.
func (p *Parameter) Binding() Binding {
	return Binding{Type: "Parameter", ID: p.name, Variables: map[string]string{"value": p.value}}
}

func (p *Parameter) id() string { return p.name }

func (p *Parameter) describe() manifest.Construct {
	return manifest.Construct{ID: p.name, Type: "Parameter", Path: p.name, Data: map[string]string{
		manifest.ParameterName: p.name, manifest.ParameterPath: p.path, manifest.ParameterValue: p.stack.resolveString(p.value),
	}}
}
