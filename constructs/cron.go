package sst

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/schedule"
	"github.com/sst-tf/sst/manifest"
)

// CronProps configure a function run on a schedule.
type CronProps struct {
	// Schedule is "rate(<n> <unit>)" ("rate(1 minute)", "rate(5 minutes)")
	// or an AWS cron expression with 6 fields, "cron(0 12 * * ? *)".
	// Required; checked at synth with AWS's rules.
	Schedule string
	// Handler is shorthand for Job: FunctionProps{Handler: …}.
	Handler string
	// Job is the function that runs.
	Job FunctionProps
	// Disabled creates the schedule switched off (SST's enabled: false).
	Disabled bool
	// Cdk passes raw configuration through.
	Cdk CronCdkProps
}

// CronCdkProps is the escape hatch into the raw resource configuration.
type CronCdkProps struct {
	// Rule edits the aws_cloudwatch_event_rule config before it is created.
	Rule func(*cloudwatcheventrule.CloudwatchEventRuleConfig)
	// Target edits the aws_cloudwatch_event_target config (e.g. Input).
	Target func(*cloudwatcheventtarget.CloudwatchEventTargetConfig)
}

// Cron runs a function on a schedule through an EventBridge rule.
type Cron struct {
	stack    *Stack
	cid      string
	schedule string
	rule     string // physical rule name
	disabled bool
	// input and inputPath are the target's Input and InputPath.
	input, inputPath string
	job              *Function
	Cdk              struct {
		Rule   cloudwatcheventrule.CloudwatchEventRule
		Target cloudwatcheventtarget.CloudwatchEventTarget
	}
}

// NewCron declares a scheduled job.
func NewCron(s *Stack, id string, props CronProps) *Cron {
	c := &Cron{stack: s, cid: id}
	if !s.app.claimID(s, id, "Cron") {
		return c
	}
	a := s.app
	where := fmt.Sprintf("stack %s: cron %q", s.name, id)
	errs := len(a.errs)
	var sched schedule.Schedule
	if props.Schedule == "" {
		a.errorf("%s: Schedule is required, e.g. \"rate(5 minutes)\" or \"cron(0 12 * * ? *)\"", where)
	} else if v, err := schedule.Parse(props.Schedule); err != nil {
		a.errorf("%s: Schedule: %v", where, err)
	} else {
		sched = v
	}
	if props.Handler != "" && props.Job.Handler != "" {
		a.errorf("%s: set Handler or Job.Handler, not both", where)
	} else if props.Handler == "" && props.Job.Handler == "" {
		a.errorf("%s: the job needs a Handler (or Job.Handler)", where)
	}
	if len(a.errs) > errs {
		return c
	}
	job := props.Job
	if props.Handler != "" {
		job.Handler = props.Handler
	}
	fn := newFunction(s, id, id+"_job", job)
	if fn.Cdk.Function == nil {
		return c
	}
	c.job, c.schedule, c.disabled = fn, sched.String(), props.Disabled
	// In `sst dev` the CLI fires the schedule on the local handler; the
	// deployed rule would run the job a second time.
	enabled := !props.Disabled && a.opts.Mode != manifest.ModeDev
	rcfg := &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name:               jsii.String(naming.Physical(s.Stage(), a.cfg.Name, id, 64)),
		ScheduleExpression: jsii.String(c.schedule),
		State:              jsii.String(ruleState(enabled)),
	}
	if props.Cdk.Rule != nil {
		props.Cdk.Rule(rcfg)
	}
	c.rule = a.claim(naming.KindEventRule, rcfg.Name, id)
	c.Cdk.Rule = cloudwatcheventrule.NewCloudwatchEventRule(s.tf, jsii.String(id), rcfg)
	perm := lambdapermission.NewLambdaPermission(s.tf, jsii.String(id+"_job_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("events.amazonaws.com"),
		SourceArn:    c.Cdk.Rule.Arn(),
	})
	tcfg := &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule:      c.Cdk.Rule.Name(),
		TargetId:  jsii.String("job"),
		Arn:       fn.Cdk.Function.Arn(),
		DependsOn: &[]cdktf.ITerraformDependable{perm},
	}
	if props.Cdk.Target != nil {
		props.Cdk.Target(tcfg)
	}
	c.Cdk.Target = cloudwatcheventtarget.NewCloudwatchEventTarget(s.tf, jsii.String(id+"_target"), tcfg)
	// `sst dev` fires the job locally with what the target would pass.
	if tcfg.Input != nil {
		c.input = *tcfg.Input
	}
	if tcfg.InputPath != nil {
		c.inputPath = *tcfg.InputPath
	}
	s.add(c)
	return c
}

// ID is the construct id.
func (c *Cron) ID() string { return c.cid }

// JobFunction is the function the schedule runs, or nil.
func (c *Cron) JobFunction() *Function { return c.job }

// Schedule is the validated schedule expression.
func (c *Cron) Schedule() string { return c.schedule }

func (c *Cron) id() string { return c.cid }

func (c *Cron) functions() []*Function {
	if c.job == nil {
		return nil
	}
	return []*Function{c.job}
}

func (c *Cron) describe() manifest.Construct {
	d := map[string]string{manifest.CronSchedule: c.schedule, manifest.CronRuleName: c.rule}
	if c.disabled {
		d[manifest.CronDisabled] = "true"
	}
	if c.input != "" {
		d[manifest.CronInput] = c.input
	}
	if c.inputPath != "" {
		d[manifest.CronInputPath] = c.inputPath
	}
	var binds []string
	if c.job != nil {
		d[manifest.CronJob] = c.job.fid
		binds = bindIDs(c.job.props.Bind)
	}
	return manifest.Construct{ID: c.cid, Type: "Cron", Path: c.cid, Data: d, Binds: binds}
}
