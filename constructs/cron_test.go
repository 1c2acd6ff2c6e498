package sst

import (
	"testing"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
)

func TestCronSynth(t *testing.T) {
	opts := testOptions(t)
	var c *Cron
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		notes := notesTable(s)
		c = NewCron(s, "Nightly", CronProps{Schedule: "cron(0 3 * * ? *)", Job: FunctionProps{Handler: nodeHandler, Bind: []Bindable{notes}}})
		NewCron(s, "Poll", CronProps{Schedule: "rate(5 minutes)", Handler: nodeHandler, Disabled: true, Cdk: CronCdkProps{
			Rule:   func(r *cloudwatcheventrule.CloudwatchEventRuleConfig) { r.Description = strp("poll") },
			Target: func(tc *cloudwatcheventtarget.CloudwatchEventTargetConfig) { tc.Input = strp(`{"full":true}`) },
		}})
		return nil
	})...)
	if c.Schedule() != "cron(0 3 * * ? *)" || c.JobFunction() == nil {
		t.Errorf("schedule %q, job %v", c.Schedule(), c.JobFunction())
	}
	rule := s.resource(t, "First", "aws_cloudwatch_event_rule", "Nightly")
	if rule["schedule_expression"] != "cron(0 3 * * ? *)" || rule["state"] != "ENABLED" || rule["name"] != "test-app-Nightly" || rule["event_bus_name"] != nil {
		t.Errorf("rule = %v", rule)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_cloudwatch_event_target", "Nightly_target")),
		`"arn":"${aws_lambda_function.Nightly_job.arn}"`, `"rule":"${aws_cloudwatch_event_rule.Nightly.name}"`, `aws_lambda_permission.Nightly_job_permission`)
	perm := s.resource(t, "First", "aws_lambda_permission", "Nightly_job_permission")
	if perm["principal"] != "events.amazonaws.com" || perm["source_arn"] != "${aws_cloudwatch_event_rule.Nightly.arn}" {
		t.Errorf("permission = %v", perm)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Nightly_job")), `SST_Table_tableName_Notes`)
	poll := s.resource(t, "First", "aws_cloudwatch_event_rule", "Poll")
	if poll["schedule_expression"] != "rate(5 minutes)" || poll["state"] != "DISABLED" || poll["description"] != "poll" {
		t.Errorf("poll = %v", poll)
	}
	if in := s.resource(t, "First", "aws_cloudwatch_event_target", "Poll_target")["input"]; in != `{"full":true}` {
		t.Errorf("Cdk.Target not applied: input = %v", in)
	}
}

func TestCronErrors(t *testing.T) {
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewCron(s, "Zero", CronProps{Schedule: "rate(0 minutes)", Handler: nodeHandler})
		NewCron(s, "Five", CronProps{Schedule: "cron(0 12 * * *)", Handler: nodeHandler})
		NewCron(s, "Plural", CronProps{Schedule: "rate(1 minutes)", Handler: nodeHandler})
		NewCron(s, "Both", CronProps{Schedule: "cron(0 12 * * MON *)", Handler: nodeHandler})
		NewCron(s, "Empty", CronProps{Handler: nodeHandler})
		NewCron(s, "NoJob", CronProps{Schedule: "rate(1 day)"})
		NewCron(s, "Twice", CronProps{Schedule: "rate(1 day)", Handler: nodeHandler, Job: FunctionProps{Handler: nodeHandler}})
		return nil
	})...)
	wantContains(t, msg,
		`stack First: cron "Zero": Schedule: schedule "rate(0 minutes)": the value "0" must be a positive whole number`,
		`stack First: cron "Five": Schedule: schedule "cron(0 12 * * *)": has 5 fields, AWS cron expressions have 6`,
		`cron "Plural": Schedule: schedule "rate(1 minutes)": a value of 1 takes the singular unit: rate(1 minute)`,
		`cron "Both": Schedule: schedule "cron(0 12 * * MON *)": one of day-of-month ("*") and day-of-week ("MON") must be ?`,
		`cron "Empty": Schedule is required`,
		`cron "NoJob": the job needs a Handler`,
		`cron "Twice": set Handler or Job.Handler, not both`,
	)
}
