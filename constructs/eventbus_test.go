package sst

import (
	"strings"
	"testing"
	"time"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventbus"
)

func TestEventBusSynth(t *testing.T) {
	opts := testOptions(t)
	var bus *EventBus
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Jobs", QueueProps{})
		dlq := NewQueue(s, "Failed", QueueProps{})
		bus = NewEventBus(s, "Bus", EventBusProps{
			Defaults: EventBusDefaults{Function: FunctionProps{Timeout: 30 * time.Second}, Retry: &EventBusRetry{Attempts: 2}},
			Rules: map[string]EventBusRule{
				"orders": {
					Pattern: EventBusPattern{Source: []string{"shop"}, DetailType: []string{"order.created"}, Detail: map[string]any{"total": []any{map[string]any{"numeric": []any{">", 100}}}}},
					Targets: map[string]EventBusTarget{
						"fn":    {Handler: nodeHandler, Retry: &EventBusRetry{Attempts: 0, MaxEventAge: 2 * time.Minute}, DeadLetterQueue: dlq},
						"queue": {Queue: q},
						"log":   {LogGroup: &EventBusLogGroup{Retention: Days(7)}},
					},
				},
			},
		})
		bus.Subscribe("user.signup", FunctionProps{Handler: nodeHandler})
		NewFunction(s, "Publisher", FunctionProps{Handler: nodeHandler, Bind: []Bindable{bus}})
		return nil
	})...)
	if bus.EventBusName() != "test-app-Bus" {
		t.Errorf("EventBusName = %q", bus.EventBusName())
	}
	b := s.resource(t, "First", "aws_cloudwatch_event_bus", "Bus")
	if b["name"] != "test-app-Bus" {
		t.Errorf("bus = %v", b)
	}
	rule := s.resource(t, "First", "aws_cloudwatch_event_rule", "Bus_orders_rule")
	if rule["name"] != "test-app-Bus_orders" || rule["state"] != "ENABLED" || !strings.Contains(jsonString(t, rule["event_bus_name"]), "aws_cloudwatch_event_bus.Bus.name") {
		t.Errorf("rule = %v", rule)
	}
	// Keys sorted, nothing HTML-escaped: the pattern reads as written.
	if got := rule["event_pattern"]; got != `{"detail":{"total":[{"numeric":[">",100]}]},"detail-type":["order.created"],"source":["shop"]}` {
		t.Errorf("pattern = %s", got)
	}
	fnTarget := s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_orders_fn_target")
	wantContains(t, jsonString(t, fnTarget),
		`"arn":"${aws_lambda_function.Bus_orders_fn.arn}"`,
		`"retry_policy":{"maximum_event_age_in_seconds":120,"maximum_retry_attempts":0}`,
		`"dead_letter_config":{"arn":"${aws_sqs_queue.Failed.arn}"}`,
		`"target_id":"fn"`, `aws_lambda_permission.Bus_orders_fn_permission`)
	perm := s.resource(t, "First", "aws_lambda_permission", "Bus_orders_fn_permission")
	if perm["principal"] != "events.amazonaws.com" || perm["source_arn"] != "${aws_cloudwatch_event_rule.Bus_orders_rule.arn}" {
		t.Errorf("permission = %v", perm)
	}
	fn := s.resource(t, "First", "aws_lambda_function", "Bus_orders_fn")
	if fn["timeout"] != float64(30) {
		t.Errorf("defaults not applied: timeout = %v", fn["timeout"])
	}
	qTarget := s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_orders_queue_target")
	wantContains(t, jsonString(t, qTarget), `"arn":"${aws_sqs_queue.Jobs.arn}"`, `"maximum_retry_attempts":2`)
	qPolicy := jsonString(t, s.resource(t, "First", "aws_sqs_queue_policy", "Jobs_policy"))
	wantContains(t, qPolicy, `events.amazonaws.com`, `sqs:SendMessage`, `aws_cloudwatch_event_rule.Bus_orders_rule.arn`)
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_sqs_queue_policy", "Failed_policy")), `events.amazonaws.com`)
	lg := s.resource(t, "First", "aws_cloudwatch_log_group", "Bus_orders_log_logs")
	if lg["name"] != "/aws/events/test-app-Bus-orders-log" || lg["retention_in_days"] != float64(7) {
		t.Errorf("log group = %v", lg)
	}
	lpol := s.resource(t, "First", "aws_cloudwatch_log_resource_policy", "Bus_log_policy")
	wantContains(t, jsonString(t, lpol), `events.amazonaws.com`, `delivery.logs.amazonaws.com`, `logs:PutLogEvents`, `aws_cloudwatch_log_group.Bus_orders_log_logs.arn}:*`, `aws:SourceArn`)
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_orders_log_target")), `"arn":"${aws_cloudwatch_log_group.Bus_orders_log_logs.arn}"`)

	sub := s.resource(t, "First", "aws_cloudwatch_event_rule", "Bus_user_signup_1_rule")
	if sub["event_pattern"] != `{"detail-type":["user.signup"]}` {
		t.Errorf("subscribe pattern = %v", sub["event_pattern"])
	}
	s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_user_signup_1_function_target")
	s.resource(t, "First", "aws_lambda_permission", "Bus_user_signup_1_function_permission")

	pub := s.resource(t, "First", "aws_lambda_function", "Publisher")
	pol := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Publisher_policy"))
	if env := jsonString(t, pub["environment"]); !strings.Contains(env, `"SST_EventBus_eventBusName_Bus":"test-app-Bus"`) {
		t.Errorf("publisher env = %s", env)
	}
	wantContains(t, pol, `events:PutEvents`, `aws_cloudwatch_event_bus.Bus.arn`)
	if strings.Contains(pol, `"*"`) {
		t.Errorf("binding grants a wildcard resource: %s", pol)
	}
	var c map[string]string
	for _, st := range s.m.Stacks {
		for _, con := range st.Constructs {
			if con.ID == "Bus" {
				c = con.Data
			}
		}
	}
	if c["eventBusName"] != "test-app-Bus" || c["rules"] != "orders,user_signup_1" {
		t.Errorf("manifest data = %v", c)
	}
}

func TestEventBusFifoQueueAndEscapeHatches(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Ordered", QueueProps{FIFO: true})
		bus := NewEventBus(s, "Bus", EventBusProps{
			Cdk: EventBusCdkProps{Bus: func(c *cloudwatcheventbusConfig) { c.Description = strp("raw") }},
			Rules: map[string]EventBusRule{
				"all": {
					Pattern:  EventBusPattern{JSON: `{"account":["123456789012"],"source":[{"prefix":"shop."}]}`},
					Disabled: true, Description: "everything",
					Targets: map[string]EventBusTarget{"q": {Queue: q, MessageGroupID: "orders"}},
				},
			},
		})
		bus.AddTargets("all", map[string]EventBusTarget{"more": {Function: FunctionProps{Handler: nodeHandler}}})
		return nil
	})...)
	if got := s.resource(t, "First", "aws_cloudwatch_event_bus", "Bus")["description"]; got != "raw" {
		t.Errorf("Cdk.Bus not applied: %v", got)
	}
	rule := s.resource(t, "First", "aws_cloudwatch_event_rule", "Bus_all_rule")
	if rule["state"] != "DISABLED" || rule["description"] != "everything" || rule["event_pattern"] != `{"account":["123456789012"],"source":[{"prefix":"shop."}]}` {
		t.Errorf("rule = %v", rule)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_all_q_target")), `"sqs_target":{"message_group_id":"orders"}`)
	s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_all_more_target")
}

func TestEventBusErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		body body
		want []string
	}{
		{"no pattern", func(s *Stack) any {
			return NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{"r": {Targets: map[string]EventBusTarget{"t": {Handler: nodeHandler}}}}})
		}, []string{`stack First: event bus "Bus": rule "r": Pattern: rules on an event bus need a pattern`}},
		{"scalar leaf", func(s *Stack) any {
			return NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{"r": {Pattern: EventBusPattern{Detail: map[string]any{"status": "paid"}}}}})
		}, []string{`rule "r": Pattern: detail.status is "paid"; EventBridge patterns match lists of values: write ["paid"]`}},
		{"empty list", func(s *Stack) any {
			return NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{"r": {Pattern: EventBusPattern{Source: []string{}, Detail: map[string]any{"a": []string{}}}}}})
		}, []string{`detail.a is an empty list`}},
		{"bad json and both", func(s *Stack) any {
			return NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{
				"r1": {Pattern: EventBusPattern{JSON: `{"source":`}},
				"r2": {Pattern: EventBusPattern{JSON: `{"source":["a"]}`, Source: []string{"b"}}},
				"r3": {Pattern: EventBusPattern{JSON: `{}`}},
			}})
		}, []string{`rule "r1": Pattern: JSON is not a JSON object`, `rule "r2": Pattern: set JSON or Source/DetailType/Detail, not both`, `rule "r3": Pattern: JSON is an empty pattern`}},
		{"targets", func(s *Stack) any {
			q := NewQueue(s, "Fifo", QueueProps{FIFO: true})
			std := NewQueue(s, "Std", QueueProps{})
			return NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{"r": {
				Pattern: EventBusPattern{Source: []string{"a"}},
				Targets: map[string]EventBusTarget{
					"none":   {},
					"two":    {Handler: nodeHandler, Queue: std},
					"fifo":   {Queue: q},
					"group":  {Queue: std, MessageGroupID: "g"},
					"retry":  {Handler: nodeHandler, Retry: &EventBusRetry{Attempts: 186, MaxEventAge: 30 * time.Second}},
					"logs":   {LogGroup: &EventBusLogGroup{Name: "/custom/logs", Retention: Days(2)}},
					"dlq":    {Handler: nodeHandler, DeadLetterQueue: q},
					"bad id": {Handler: nodeHandler},
				},
			}}})
		}, []string{
			`target "none": set a Handler (or Function), a Queue or a LogGroup`,
			`target "two": set only one of Handler/Function, Queue and LogGroup`,
			`target "fifo": queue "Fifo" is FIFO: set MessageGroupID`,
			`target "group": MessageGroupID is only for FIFO queues`,
			`target "retry": Retry: Attempts 186: must be 0–185`,
			`target "retry": Retry: MaxEventAge 30s: must be 1m–24h in whole seconds`,
			`target "logs": LogGroup.Name "/custom/logs": EventBridge writes only to log groups whose name starts with /aws/events/`,
			`target "logs": LogGroup.Retention 48h (2 days)`,
			`target "dlq": DeadLetterQueue "Fifo": EventBridge dead-letter queues must be standard queues`,
			`rule "r": target name "bad id": use only letters, digits`,
		}},
		{"rules", func(s *Stack) any {
			b := NewEventBus(s, "Bus", EventBusProps{Defaults: EventBusDefaults{Retry: &EventBusRetry{Attempts: -1}}})
			b2 := NewEventBus(s, "Bus2", EventBusProps{Rules: map[string]EventBusRule{"r": {Pattern: EventBusPattern{Source: []string{"a"}}}}})
			b2.AddRules(map[string]EventBusRule{"r": {Pattern: EventBusPattern{Source: []string{"a"}}}})
			b2.AddTargets("missing", map[string]EventBusTarget{"t": {Handler: nodeHandler}})
			b2.SubscribeTypes(nil, FunctionProps{Handler: nodeHandler})
			b2.Subscribe("", FunctionProps{Handler: nodeHandler})
			return b
		}, []string{
			`event bus "Bus": Defaults.Retry: Attempts -1`,
			`event bus "Bus2": rule "r": a rule with this key already exists`,
			`event bus "Bus2": AddTargets: there is no rule "missing" (rules: r)`,
			`event bus "Bus2": Subscribe: give at least one detail type`,
			`event bus "Bus2": Subscribe: a detail type is empty`,
		}},
		{"queue in another stack", nil, []string{`queue "Q" is declared in stack First: use queues of the bus's own stack`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var fns []StackFunc
			if c.body == nil {
				fns = stacks(t, func(s *Stack) any { return NewQueue(s, "Q", QueueProps{}) }, func(s *Stack) any {
					q := Use[*Queue](s, First)
					return NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{"r": {Pattern: EventBusPattern{Source: []string{"a"}}, Targets: map[string]EventBusTarget{"q": {Queue: q}}}}})
				})
			} else {
				fns = stacks(t, c.body)
			}
			msg := synthErr(t, Config{Name: "app"}, testOptions(t), fns...)
			wantContains(t, msg, c.want...)
		})
	}
}

type cloudwatcheventbusConfig = cloudwatcheventbus.CloudwatchEventBusConfig

func strp(s string) *string { return &s }
