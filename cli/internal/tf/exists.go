package tf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Exists is a create that failed because AWS already has a resource of
// that name: typically one a deploy created before it died, too soon to
// record it in the state.
type Exists struct {
	Address string // the resource terraform tried to create
	Type    string // its resource type, e.g. aws_dynamodb_table
	Name    string // the name the provider's message gives, "" when none
	// Configured is the physical name the stack's configuration gives the
	// resource, "" when it gives none terraform's message can be checked
	// against.
	Configured string
}

// existsRule recognizes one resource type's "already exists" error and
// says which configuration attribute holds the resource's physical name.
type existsRule struct {
	err  *regexp.Regexp
	attr string
}

// existsErrors are the "already exists" errors, per resource type, whose
// resource can be found again by the name the configuration gives it.
// Types whose create is idempotent on AWS (SQS queues and SNS topics with
// the same attributes) only fail this way when the attributes differ.
var existsErrors = map[string]existsRule{
	"aws_dynamodb_table":       {regexp.MustCompile(`ResourceInUseException: Table already exists`), "name"},
	"aws_s3_bucket":            {regexp.MustCompile(`BucketAlreadyOwnedByYou|BucketAlreadyExists`), "bucket"},
	"aws_sqs_queue":            {regexp.MustCompile(`QueueAlreadyExists|QueueNameExists`), "name"},
	"aws_sns_topic":            {regexp.MustCompile(`Topic already exists with different`), "name"},
	"aws_iam_role":             {regexp.MustCompile(`EntityAlreadyExists: Role with name`), "name"},
	"aws_lambda_function":      {regexp.MustCompile(`ResourceConflictException: Function already exist`), "function_name"},
	"aws_cloudwatch_log_group": {regexp.MustCompile(`ResourceAlreadyExistsException: The specified log group already exists`), "name"},
	"aws_ssm_parameter":        {regexp.MustCompile(`ParameterAlreadyExists`), "name"},
}

// creating reads the name from the provider's "creating <what> (<name>)".
var creating = regexp.MustCompile(`creating [^(]+\(([^)]+)\)`)

// AlreadyExists lists the resources err failed to create because they
// already exist; none when err is not a terraform failure or failed for
// any other reason too.
func AlreadyExists(err error) []Exists {
	var te *Error
	if !errors.As(err, &te) {
		return nil
	}
	var out []Exists
	for _, d := range errorDiagnostics(te.Diagnostics) {
		typ, name, _ := strings.Cut(d.Address, ".")
		rule, ok := existsErrors[typ]
		if !ok || !rule.err.MatchString(d.Summary+" "+d.Detail) {
			return nil
		}
		e := Exists{Address: d.Address, Type: typ, Configured: configuredName(te.Dir, typ, name, rule.attr)}
		if m := creating.FindStringSubmatch(d.Summary); m != nil {
			e.Name = m[1]
		}
		out = append(out, e)
	}
	return out
}

// configuredName is attribute attr of resource typ.name in the stack's
// cdk.tf.json, when it is a plain string (not an expression).
func configuredName(dir, typ, name, attr string) string {
	v, _ := ConfiguredResource(dir, typ, name)[attr].(string)
	if strings.Contains(v, "${") {
		return ""
	}
	return v
}

// ConfiguredResource is resource typ.name of the stack's cdk.tf.json in
// dir, or nil when the configuration has none (or cannot be read).
func ConfiguredResource(dir, typ, name string) map[string]any {
	b, err := os.ReadFile(filepath.Join(dir, "cdk.tf.json"))
	if err != nil {
		return nil
	}
	var cfg struct {
		Resource map[string]map[string]map[string]any `json:"resource"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		return nil
	}
	return cfg.Resource[typ][name]
}

// Import adopts an existing resource into the state at address To: an
// import block of the configuration.
type Import struct {
	To string `json:"to"`
	ID string `json:"id"`
}

// importFile holds the import blocks beside the stack's cdk.tf.json, which
// stays as synthesized (its hash decides whether a stack is unchanged).
const importFile = "sst-import.tf.json"

// SetImports makes the next plans and applies import the given resources
// (terraform 1.5 import blocks); the returned func takes them out again and
// must be called whatever happens, or every later run would carry them.
func (t *Terraform) SetImports(imports []Import) (remove func(), err error) {
	b, err := json.MarshalIndent(map[string]any{"import": imports}, "", "  ")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(t.dir, importFile)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, fmt.Errorf("write import blocks: %w", err)
	}
	return func() { os.Remove(path) }, nil
}

// ClearImports removes import blocks a run that died left behind.
func (t *Terraform) ClearImports() {
	os.Remove(filepath.Join(t.dir, importFile))
}
