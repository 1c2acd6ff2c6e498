package sst

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawspartition"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

// SecretPlaceholder is the value a bound secret's environment variable
// holds: the function reads the real value from SSM at run time (SST v2's
// ENVIRONMENT_PLACEHOLDER, so SST's Node client understands it too).
const SecretPlaceholder = binding.SSMPlaceholder

// Secret is a value kept out of the app's code, its Terraform JSON and its
// state (SST v2's Config.Secret). The construct creates no resource: values
// are set per stage with `sst secrets set NAME VALUE`, which writes a
// SecureString to /sst/{app}/{stage}/Secret/{NAME}/value (or, with
// --fallback, /sst/{app}/.fallback/Secret/{NAME}/value for every stage
// without its own). A bound function gets SST_Secret_value_{NAME} =
// "__FETCH_FROM_SSM__" and ssm:GetParameters on exactly those two
// parameters; runtime.Secret(NAME) fetches and caches the value (import
// github.com/sst-tf/sst/runtime/ssm in the handler).
type Secret struct {
	stack *Stack
	name  string
	path  string
	fall  string
	// account and partition are read by data sources in the secret's stack:
	// the ARNs in bound functions' policies name the real account, never "*".
	account, partition string
}

// NewSecret declares a secret. The name is what `sst secrets set` and
// runtime.Secret use: letters, digits and "_", starting with a letter
// (SST v2 apps use names like STRIPE_KEY).
func NewSecret(s *Stack, name string) *Secret {
	sec := &Secret{stack: s, name: name}
	if !s.app.claimID(s, name, "Secret") {
		return sec
	}
	if err := validateConfigName(name); err != nil {
		s.app.errorf("stack %s: secret %q: %v", s.name, name, err)
		return sec
	}
	a := s.app
	sec.path = a.names.Claim(naming.KindSSMParameter, binding.SSMPath(binding.SSMPrefix(a.cfg.Name, a.opts.Stage), "Secret", name, "value"), a.owner(name))
	sec.fall = SecretFallbackPath(a.cfg.Name, name)
	sec.account = stackAccountID(s)
	sec.partition = stackPartition(s)
	s.add(sec)
	return sec
}

// NewSecrets declares several secrets at once (SST v2's Config.Secret.create).
func NewSecrets(s *Stack, names ...string) map[string]*Secret {
	out := make(map[string]*Secret, len(names))
	for _, n := range names {
		out[n] = NewSecret(s, n)
	}
	return out
}

// SecretFallbackPath is the parameter holding a secret's value for every
// stage of app that has none of its own.
func SecretFallbackPath(app, name string) string {
	return binding.SSMPath(binding.FallbackPrefix(app), "Secret", name, "value")
}

// validateConfigName restricts secret and parameter names to what survives
// the round trip name → SST_{Type}_value_{name} → SSM path unchanged, so
// runtime.Preload can recover the name from the variable.
func validateConfigName(name string) error {
	for i, c := range name {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
		if !ok {
			return fmt.Errorf("names may contain only letters, digits and \"_\" and must start with a letter (they become the environment variable SST_…_value_%s); try %q", binding.EnvID(name), binding.EnvID(name))
		}
	}
	return nil
}

// Name is the secret's name.
func (sec *Secret) Name() string { return sec.name }

// ID is the construct id (the name).
func (sec *Secret) ID() string { return sec.name }

// Path is the SSM parameter holding this stage's value.
func (sec *Secret) Path() string { return sec.path }

// FallbackPath is the SSM parameter holding the app-wide fallback value.
func (sec *Secret) FallbackPath() string { return sec.fall }

// Arn is the ARN of the SSM parameter holding this stage's value (the
// fallback's is FallbackPath's); "" when the secret failed validation.
func (sec *Secret) Arn() string {
	if sec.path == "" {
		return ""
	}
	return sec.arn(sec.path)
}

func (sec *Secret) arn(path string) string {
	return fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s", sec.partition, sec.stack.Region(), sec.account, path)
}

// Binding gives a function SST_Secret_value_<name> = "__FETCH_FROM_SSM__"
// and ssm:GetParameters on the stage's and the fallback parameter only.
func (sec *Secret) Binding() Binding {
	b := Binding{Type: "Secret", ID: sec.name, Variables: map[string]string{"value": SecretPlaceholder}}
	if sec.path != "" {
		b.Permissions = []Statement{Allow([]string{"ssm:GetParameters"}, sec.arn(sec.path), sec.arn(sec.fall))}
	}
	return b
}

func (sec *Secret) id() string { return sec.name }

func (sec *Secret) describe() manifest.Construct {
	return manifest.Construct{ID: sec.name, Type: "Secret", Path: sec.name, Data: map[string]string{
		manifest.SecretName: sec.name, manifest.SecretPath: sec.path, manifest.SecretFallbackPath: sec.fall,
	}}
}

// stackAccountID is the deploying account, read once per stack by a
// data source (a token until plan).
func stackAccountID(s *Stack) string {
	const id = "sst_caller_identity"
	if c := s.tf.Node().TryFindChild(jsii.String(id)); c != nil {
		return *c.(dataawscalleridentity.DataAwsCallerIdentity).AccountId()
	}
	return *dataawscalleridentity.NewDataAwsCallerIdentity(s.tf, jsii.String(id), &dataawscalleridentity.DataAwsCallerIdentityConfig{}).AccountId()
}

// stackPartition is the AWS partition ("aws", "aws-cn", …) of the stack's
// region, read once per stack by a data source.
func stackPartition(s *Stack) string {
	const id = "sst_partition"
	if c := s.tf.Node().TryFindChild(jsii.String(id)); c != nil {
		return *c.(dataawspartition.DataAwsPartition).Partition()
	}
	return *dataawspartition.NewDataAwsPartition(s.tf, jsii.String(id), &dataawspartition.DataAwsPartitionConfig{}).Partition()
}
