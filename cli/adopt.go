package cli

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/internal/binding"
)

// adoptRounds bounds how often one deploy adopts: a resource that depends
// on an adopted one (a function on its role) is only tried, and found to
// exist, by the apply after.
const adoptRounds = 5

// adoptMode is how a deploy may adopt resources that already exist.
type adoptMode struct {
	// yes adopts without asking (--adopt).
	yes bool
	// ask puts a yes/no question to the person at the terminal; nil
	// when there is none.
	ask func(question string) (bool, error)
}

// askAtTerminal is adoptMode.ask for the person at the terminal, one
// question at a time (stacks deploy in parallel); nil without a terminal.
func askAtTerminal(f *Factory) func(string) (bool, error) {
	if !f.IO.IsTTY {
		return nil
	}
	var mu sync.Mutex
	return func(q string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return confirm(f, q)
	}
}

// apply is terraform apply for the stack, recovering from creates that
// failed because AWS already has the resource under the name this stage
// gives it (a deploy that died before it saved the state): those are
// adopted into the state with import blocks, shown in a plan first, with
// --adopt or after confirmation at a terminal, and never silently.
func (r *stackRunner) apply(ctx context.Context, t *tf.Terraform, on func(tf.Event), mode adoptMode) (*tf.Summary, error) {
	sum, err := t.Apply(ctx, on)
	for range adoptRounds {
		exists := tf.AlreadyExists(err)
		if len(exists) == 0 {
			break
		}
		imports, aerr := r.adoptable(ctx, exists, err)
		if aerr != nil {
			return sum, aerr
		}
		what := orphans(imports, r.s.stage)
		if !mode.yes && mode.ask == nil {
			setHint(err, what+". `sst deploy --stage "+r.s.stage+" --adopt` imports them into the state (nothing is recreated); or delete them in AWS")
			return nil, err
		}
		applyErr := err
		sum, err = r.adopt(ctx, t, imports, on, mode, what)
		if errors.Is(err, errDeclined) {
			setHint(applyErr, what+"; not adopted (declined)")
			return nil, applyErr
		}
		if sum == nil {
			return nil, err
		}
	}
	return sum, err
}

// adoptable turns the resources an apply found already existing into
// import blocks. It refuses them all, with applyErr's hint saying why,
// unless each one's name is the stage's own: the configuration names it,
// the provider's error names the same, and it begins with the stage's
// {stage}-{app}- prefix. A name set any other way (a Cdk hook) may belong
// to another stage or app and is never adopted.
func (r *stackRunner) adoptable(ctx context.Context, exists []tf.Exists, applyErr error) ([]tf.Import, error) {
	var imports []tf.Import
	var refused []string
	for _, e := range exists {
		name := e.Configured
		prefix := r.s.stage + "-" + r.m.App + "-"
		own := ownName(name, prefix)
		if e.Type == "aws_ssm_parameter" {
			// Binding values and Parameters live under the stage's path.
			prefix = binding.SSMPrefix(r.m.App, r.s.stage)
			own = strings.HasPrefix(name, prefix)
		}
		switch {
		case name == "" || (e.Name != "" && e.Name != name):
			refused = append(refused, fmt.Sprintf("%s: the configuration does not give it the name AWS reports (%q)", e.Address, e.Name))
			continue
		case !own:
			refused = append(refused, fmt.Sprintf("%s (%s): not a name stage %s generates (those begin with %q); it may belong to another stage or app", e.Address, name, r.s.stage, prefix))
			continue
		}
		id, err := r.importID(ctx, e.Type, name)
		if err != nil {
			return nil, fmt.Errorf("%w\n    looking up %s (%s) to adopt it: %v", applyErr, e.Address, name, err)
		}
		imports = append(imports, tf.Import{To: e.Address, ID: id})
	}
	if len(refused) > 0 {
		setHint(applyErr, "already in AWS, and not adopted: "+strings.Join(refused, "; ")+". Delete or rename it in AWS, or give the construct another id")
		return nil, applyErr
	}
	return imports, nil
}

// ownName is whether name is one the stage generates: physical names
// replace characters a service refuses (and S3 upper case), so both sides
// are compared with every character but a-z and 0-9 as "-". Log groups
// are the function or API name under a path.
func ownName(name, prefix string) bool {
	fold := func(s string) string {
		return strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				return c
			}
			return '-'
		}, strings.ToLower(s))
	}
	return strings.HasPrefix(fold(path.Base(name)), fold(prefix))
}

// importID is what terraform imports a resource by: its name, except for
// SQS queues (their URL) and SNS topics (their ARN), looked up in AWS.
func (r *stackRunner) importID(ctx context.Context, typ, name string) (string, error) {
	switch typ {
	case "aws_sqs_queue", "aws_sns_topic":
	default:
		return name, nil
	}
	cfg, err := r.s.awsConfig(ctx, r.m)
	if err != nil {
		return "", err
	}
	if typ == "aws_sqs_queue" {
		out, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.QueueUrl), nil
	}
	p := sns.NewListTopicsPaginator(sns.NewFromConfig(cfg), &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, tp := range page.Topics {
			if arn := aws.ToString(tp.TopicArn); strings.HasSuffix(arn, ":"+name) {
				return arn, nil
			}
		}
	}
	return "", fmt.Errorf("no SNS topic named %s", name)
}

// orphans describes resources found existing under the stage's names.
func orphans(imports []tf.Import, stage string) string {
	var list []string
	for _, im := range imports {
		list = append(list, fmt.Sprintf("%s (%s)", im.To, im.ID))
	}
	return fmt.Sprintf("%d resource(s) already exist in AWS under the names stage %s gives them but are not in its state (left by a deploy that died before saving them?): %s", len(imports), stage, strings.Join(list, ", "))
}

// errDeclined is a "no" to adopt's question.
var errDeclined = errors.New("declined")

// adopt plans the stack with import blocks for imports, prints the plan
// under what, and applies it when mode.yes or after mode.ask's yes
// (errDeclined otherwise). A plan that imports anything else, or would
// replace or delete what it imports, applies nothing.
func (r *stackRunner) adopt(ctx context.Context, t *tf.Terraform, imports []tf.Import, on func(tf.Event), mode adoptMode, what string) (*tf.Summary, error) {
	stage, name := r.s.stage, r.st.Name
	remove, err := t.SetImports(imports)
	if err != nil {
		return nil, err
	}
	defer remove()
	plan, err := t.Plan(ctx, nil)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Stack %s: %s; the plan with them adopted:\n", name, what)
	for _, c := range plan.Changes {
		line := fmt.Sprintf("    %-3s %s", progress.Symbol(c.Action), c.Address)
		if c.Importing != "" {
			line += "  (import " + c.Importing + ")"
		}
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "  %d to import, %d to add, %d to change, %d to destroy\n", plan.Import, plan.Add, plan.Change, plan.Remove)
	r.printf("%s", b.String())
	if plan.Import != len(imports) {
		return nil, fmt.Errorf("stack %s: the plan imports %d resource(s), not the %d asked for: nothing adopted", name, plan.Import, len(imports))
	}
	for _, c := range plan.Changes {
		if c.Importing != "" && c.Action != "import" && c.Action != "update" {
			return nil, fmt.Errorf("stack %s: adopting %s would %s it (its settings differ from the app's in a way AWS cannot change in place, such as its name or keys): nothing adopted; change the app to match, or delete it in AWS", name, c.Address, c.Action)
		}
	}
	if !mode.yes {
		ok, err := mode.ask(fmt.Sprintf("Adopt them into the state of stage %s and apply this plan?", stage))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errDeclined
		}
	}
	r.printf("Stack %s: adopting %d resource(s)…\n", name, len(imports))
	return t.Apply(ctx, on)
}

// setHint replaces the hint of a terraform error.
func setHint(err error, hint string) {
	var te *tf.Error
	if errors.As(err, &te) {
		te.Hint = hint
	}
}
