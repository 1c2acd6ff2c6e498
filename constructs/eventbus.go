package sst

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventbus"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchlogresourcepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/manifest"
)

// EventBusProps configure an EventBridge event bus and its rules.
type EventBusProps struct {
	// Rules by key; each matches events with a pattern and sends them to
	// targets.
	Rules map[string]EventBusRule
	// Defaults apply to every function target and every target's retries.
	Defaults EventBusDefaults
	// Cdk passes raw configuration through.
	Cdk EventBusCdkProps
}

// EventBusDefaults apply to every rule's targets.
type EventBusDefaults struct {
	// Function props every function target starts from.
	Function FunctionProps
	// Retry is the retry policy of targets that set none. Nil keeps
	// EventBridge's own: 185 attempts over 24 hours.
	Retry *EventBusRetry
}

// EventBusCdkProps is the escape hatch into the raw resource configuration.
type EventBusCdkProps struct {
	// Bus edits the aws_cloudwatch_event_bus config before it is created.
	Bus func(*cloudwatcheventbus.CloudwatchEventBusConfig)
}

// EventBusRule matches events and delivers them to targets.
type EventBusRule struct {
	// Pattern selects the events. Required: rules on a custom bus match
	// events, they cannot run on a schedule (use Cron for that).
	Pattern EventBusPattern
	// Targets by name: functions, queues or log groups.
	Targets map[string]EventBusTarget
	// Description of the rule.
	Description string
	// Disabled creates the rule switched off.
	Disabled bool
	// Cdk edits the aws_cloudwatch_event_rule config before it is created.
	Cdk func(*cloudwatcheventrule.CloudwatchEventRuleConfig)
}

// EventBusPattern is an EventBridge event pattern. Source, DetailType and
// Detail build one; JSON is a complete pattern for what they cannot say
// (prefix matching, anything-but, account, …). Set one or the other.
type EventBusPattern struct {
	// Source matches the event's "source", e.g. ["myapp.orders"].
	Source []string
	// DetailType matches "detail-type", e.g. ["order.created"].
	DetailType []string
	// Detail matches fields of "detail"; every leaf is a list of allowed
	// values or matchers: {"status": ["paid"], "total": [{"numeric": [">", 100]}]}.
	Detail map[string]any
	// JSON is a whole event pattern document.
	JSON string
}

func (p EventBusPattern) empty() bool {
	return len(p.Source) == 0 && len(p.DetailType) == 0 && len(p.Detail) == 0 && p.JSON == ""
}

// EventBusTarget is one target of a rule: a function (Handler or
// Function), a Queue, or a LogGroup.
type EventBusTarget struct {
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler string
	// Function props, layered over Defaults.Function.
	Function FunctionProps
	// Queue receives the events; the bus is allowed to send to it.
	Queue *Queue
	// MessageGroupID is required for a FIFO Queue.
	MessageGroupID string
	// LogGroup writes the events to a CloudWatch log group.
	LogGroup *EventBusLogGroup
	// Retry overrides Defaults.Retry for this target.
	Retry *EventBusRetry
	// DeadLetterQueue receives events that could not be delivered after
	// the retries.
	DeadLetterQueue *Queue
	// Cdk edits the aws_cloudwatch_event_target config before it is created.
	Cdk func(*cloudwatcheventtarget.CloudwatchEventTargetConfig)
}

// EventBusLogGroup is a log group events are written to.
type EventBusLogGroup struct {
	// Name must start with "/aws/events/" (EventBridge writes only there).
	// Default "/aws/events/{stage}-{app}-{bus}-{rule}-{target}".
	Name string
	// Retention is how long CloudWatch keeps the events, one of its
	// periods in days, e.g. sst.Days(30); default never expire.
	Retention time.Duration
}

// EventBusRetry is how EventBridge retries a target that fails.
type EventBusRetry struct {
	// Attempts after the first, 0–185. Zero means no retries.
	Attempts int
	// MaxEventAge is how old an event may get, in whole seconds from 1m to
	// 24h, before it is dropped (or sent to the dead-letter queue).
	// Default 24h.
	MaxEventAge time.Duration
}

// SubscribeOptions tune Subscribe.
type SubscribeOptions struct {
	// Retry overrides Defaults.Retry.
	Retry *EventBusRetry
}

// EventBus is an EventBridge event bus with rules.
type EventBus struct {
	stack *Stack
	bid   string
	name  string
	props EventBusProps
	rules map[string]*busRule
	order []string
	subs  map[string]int
	// logGrants are the log groups EventBridge may write to, for one
	// resource policy per bus (AWS allows only 10 per account and region).
	logGrants []logGrant

	Cdk struct {
		Bus       cloudwatcheventbus.CloudwatchEventBus
		Rules     map[string]cloudwatcheventrule.CloudwatchEventRule
		Targets   map[string]cloudwatcheventtarget.CloudwatchEventTarget
		LogGroups map[string]cloudwatchloggroup.CloudwatchLogGroup
		LogPolicy cloudwatchlogresourcepolicy.CloudwatchLogResourcePolicy
	}
}

type busRule struct {
	key     string
	res     cloudwatcheventrule.CloudwatchEventRule
	targets map[string]*busTarget
	order   []string
}

type busTarget struct {
	kind string // "function", "queue", "log"
	fn   *Function
	ref  string // queue or log group id
	// devQueue is the physical name of the dev-only queue a function
	// target delivers to under `sst dev`.
	devQueue string
}

type logGrant struct{ logArn, ruleArn string }

// NewEventBus declares an EventBridge bus.
func NewEventBus(s *Stack, id string, props EventBusProps) *EventBus {
	b := &EventBus{stack: s, bid: id, props: props, rules: map[string]*busRule{}, subs: map[string]int{}}
	b.Cdk.Rules = map[string]cloudwatcheventrule.CloudwatchEventRule{}
	b.Cdk.Targets = map[string]cloudwatcheventtarget.CloudwatchEventTarget{}
	b.Cdk.LogGroups = map[string]cloudwatchloggroup.CloudwatchLogGroup{}
	if !s.app.claimID(s, id, "EventBus") {
		return b
	}
	a := s.app
	where := fmt.Sprintf("stack %s: event bus %q", s.name, id)
	errs := len(a.errs)
	checkRetry(a, where+": Defaults.Retry", props.Defaults.Retry)
	if len(a.errs) > errs {
		return b
	}
	cfg := &cloudwatcheventbus.CloudwatchEventBusConfig{Name: jsii.String(naming.EventBus(s.Stage(), a.cfg.Name, id))}
	if props.Cdk.Bus != nil {
		props.Cdk.Bus(cfg)
	}
	b.name = a.claim(naming.KindEventBus, cfg.Name, id)
	b.Cdk.Bus = cloudwatcheventbus.NewCloudwatchEventBus(s.tf, jsii.String(id), cfg)
	s.add(b)
	b.AddRules(props.Rules)
	return b
}

func checkRetry(a *App, where string, r *EventBusRetry) {
	if r == nil {
		return
	}
	if r.Attempts < 0 || r.Attempts > 185 {
		a.errorf("%s: Attempts %d: must be 0–185 (retries after the first delivery)", where, r.Attempts)
	}
	if r.MaxEventAge != 0 {
		if err := checkDuration("MaxEventAge", r.MaxEventAge, time.Minute, 24*time.Hour, time.Second); err != nil {
			a.errorf("%s: %v (or 0 for EventBridge's 24h)", where, err)
		}
	}
}

// checkKey validates a rule key or target name: it becomes part of
// resource names and Terraform addresses.
func checkKey(a *App, where, what, key string) bool {
	if key == "" || len(key) > 64 {
		a.errorf("%s: %s %q: must be 1–64 characters", where, what, key)
		return false
	}
	for _, c := range []byte(key) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			a.errorf("%s: %s %q: use only letters, digits, \"-\" and \"_\"", where, what, key)
			return false
		}
	}
	return true
}

// AddRules adds rules after creation (SST's addRules).
func (b *EventBus) AddRules(rules map[string]EventBusRule) {
	if b.Cdk.Bus == nil {
		return
	}
	for _, k := range sortedKeys(rules) {
		b.addRule(k, rules[k])
	}
}

func (b *EventBus) addRule(key string, r EventBusRule) *busRule {
	s, a := b.stack, b.stack.app
	where := fmt.Sprintf("stack %s: event bus %q: rule %q", s.name, b.bid, key)
	if !checkKey(a, fmt.Sprintf("stack %s: event bus %q", s.name, b.bid), "rule key", key) {
		return nil
	}
	if b.rules[key] != nil {
		a.errorf("%s: a rule with this key already exists", where)
		return nil
	}
	pattern, err := r.Pattern.render()
	if err != nil {
		a.errorf("%s: Pattern: %v", where, err)
		return nil
	}
	rid := b.bid + "_" + key
	cfg := &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name:         jsii.String(naming.Physical(s.Stage(), a.cfg.Name, rid, 64)),
		EventBusName: b.Cdk.Bus.Name(),
		EventPattern: jsii.String(pattern),
		State:        jsii.String(ruleState(!r.Disabled)),
	}
	if r.Description != "" {
		cfg.Description = jsii.String(r.Description)
	}
	if r.Cdk != nil {
		r.Cdk(cfg)
	}
	a.claim(naming.EventRuleOn(b.name), cfg.Name, b.bid)
	br := &busRule{key: key, targets: map[string]*busTarget{}}
	br.res = cloudwatcheventrule.NewCloudwatchEventRule(s.tf, jsii.String(rid+"_rule"), cfg)
	b.rules[key] = br
	b.order = append(b.order, key)
	b.Cdk.Rules[key] = br.res
	for _, n := range sortedKeys(r.Targets) {
		b.addTarget(br, n, r.Targets[n])
	}
	return br
}

func ruleState(enabled bool) string {
	if enabled {
		return "ENABLED"
	}
	return "DISABLED"
}

// render builds the pattern JSON, checking what EventBridge would reject.
func (p EventBusPattern) render() (string, error) {
	if p.empty() {
		return "", fmt.Errorf("rules on an event bus need a pattern: set Source, DetailType, Detail or JSON")
	}
	doc := map[string]any{}
	if p.JSON != "" {
		if len(p.Source)+len(p.DetailType)+len(p.Detail) > 0 {
			return "", fmt.Errorf("set JSON or Source/DetailType/Detail, not both")
		}
		if err := json.Unmarshal([]byte(p.JSON), &doc); err != nil {
			return "", fmt.Errorf("JSON is not a JSON object: %v", err)
		}
		if len(doc) == 0 {
			return "", fmt.Errorf("JSON is an empty pattern, which EventBridge rejects")
		}
	} else {
		if len(p.Source) > 0 {
			doc["source"] = p.Source
		}
		if len(p.DetailType) > 0 {
			doc["detail-type"] = p.DetailType
		}
		if len(p.Detail) > 0 {
			raw, err := json.Marshal(p.Detail)
			if err != nil {
				return "", fmt.Errorf("the Detail map cannot be encoded as JSON: %v", err)
			}
			var detail map[string]any
			_ = json.Unmarshal(raw, &detail)
			doc["detail"] = detail
		}
	}
	for _, k := range sortedKeys(doc) {
		if err := checkPatternValue(k, doc[k]); err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
	return strings.TrimSpace(buf.String()), nil
}

// checkPatternValue enforces EventBridge's shape: objects nest, and every
// leaf is a non-empty list of values or matchers.
func checkPatternValue(path string, v any) error {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			return fmt.Errorf("%s is an empty object: remove it or give it fields", path)
		}
		for _, k := range sortedKeys(t) {
			if err := checkPatternValue(path+"."+k, t[k]); err != nil {
				return err
			}
		}
		return nil
	case []any:
		if len(t) == 0 {
			return fmt.Errorf("%s is an empty list, which matches nothing: list the values to match", path)
		}
		return nil
	case []string:
		if len(t) == 0 {
			return fmt.Errorf("%s is an empty list, which matches nothing: list the values to match", path)
		}
		return nil
	}
	return fmt.Errorf("%s is %s; EventBridge patterns match lists of values: write [%s]", path, jsonText(v), jsonText(v))
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// AddTargets adds targets to an existing rule (SST's addTargets).
func (b *EventBus) AddTargets(ruleKey string, targets map[string]EventBusTarget) {
	if b.Cdk.Bus == nil {
		return
	}
	br := b.rules[ruleKey]
	if br == nil {
		b.stack.app.errorf("stack %s: event bus %q: AddTargets: there is no rule %q (rules: %s)", b.stack.name, b.bid, ruleKey, strings.Join(b.order, ", "))
		return
	}
	for _, n := range sortedKeys(targets) {
		b.addTarget(br, n, targets[n])
	}
}

// addTarget checks one target of a rule, then creates what delivers to
// it (a function and its permission, a queue grant, or a log group), the
// target with its retry policy and dead-letter queue.
func (b *EventBus) addTarget(br *busRule, name string, t EventBusTarget) {
	s, a := b.stack, b.stack.app
	where := fmt.Sprintf("stack %s: event bus %q: rule %q: target %q", s.name, b.bid, br.key, name)
	if !checkKey(a, fmt.Sprintf("stack %s: event bus %q: rule %q", s.name, b.bid, br.key), "target name", name) {
		return
	}
	if br.targets[name] != nil {
		a.errorf("%s: a target with this name already exists in the rule", where)
		return
	}
	if len(br.targets) >= 5 {
		a.errorf("%s: a rule has at most 5 targets: add another rule with the same pattern", where)
		return
	}
	errs := len(a.errs)
	b.checkTarget(where, t)
	if len(a.errs) > errs {
		return
	}
	for _, q := range []*Queue{t.Queue, t.DeadLetterQueue} {
		if q != nil && q.Cdk.Queue == nil {
			return // the queue's own errors are reported
		}
	}

	tid := b.bid + "_" + br.key + "_" + name
	cfg := &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule:         br.res.Name(),
		EventBusName: b.Cdk.Bus.Name(),
		TargetId:     jsii.String(name),
	}
	var bt *busTarget
	switch {
	case t.Queue != nil:
		bt = b.queueTarget(br, t, cfg)
	case t.LogGroup != nil:
		bt = b.logTarget(br, name, tid, t.LogGroup, cfg)
	default:
		if bt = b.functionTarget(br, tid, t, cfg); bt == nil {
			return
		}
	}
	retry := t.Retry
	if retry == nil {
		retry = b.props.Defaults.Retry
	}
	if retry != nil {
		rp := &cloudwatcheventtarget.CloudwatchEventTargetRetryPolicy{MaximumRetryAttempts: jsii.Number(float64(retry.Attempts))}
		if retry.MaxEventAge != 0 {
			rp.MaximumEventAgeInSeconds = jsii.Number(seconds(retry.MaxEventAge))
		}
		cfg.RetryPolicy = rp
	}
	if q := t.DeadLetterQueue; q != nil {
		q.allow(sid("EventBus", b.bid, br.key), "events.amazonaws.com", *br.res.Arn())
		cfg.DeadLetterConfig = &cloudwatcheventtarget.CloudwatchEventTargetDeadLetterConfig{Arn: q.Cdk.Queue.Arn()}
	}
	if t.Cdk != nil {
		t.Cdk(cfg)
	}
	b.Cdk.Targets[br.key+"/"+name] = cloudwatcheventtarget.NewCloudwatchEventTarget(s.tf, jsii.String(tid+"_target"), cfg)
	br.targets[name] = bt
	br.order = append(br.order, name)
}

// checkTarget reports what EventBridge (or the stacks' dependencies)
// would reject about a target.
func (b *EventBus) checkTarget(where string, t EventBusTarget) {
	s, a := b.stack, b.stack.app
	isFn := t.Handler != "" || t.Function.Handler != ""
	kinds := 0
	for _, set := range []bool{isFn, t.Queue != nil, t.LogGroup != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		a.errorf("%s: set a Handler (or Function), a Queue or a LogGroup", where)
	case kinds > 1:
		a.errorf("%s: set only one of Handler/Function, Queue and LogGroup", where)
	case t.Handler != "" && t.Function.Handler != "":
		a.errorf("%s: set Handler or Function.Handler, not both", where)
	}
	checkRetry(a, where+": Retry", t.Retry)
	for _, q := range []*Queue{t.Queue, t.DeadLetterQueue} {
		if q != nil && q.Cdk.Queue != nil && q.stack != s {
			a.errorf("%s: queue %q is declared in stack %s: use queues of the bus's own stack (the target and the queue's policy would make each stack depend on the other)", where, q.qid, q.stack.name)
		}
	}
	if q := t.Queue; q != nil {
		if q.fifo && t.MessageGroupID == "" {
			a.errorf("%s: queue %q is FIFO: set MessageGroupID", where, q.qid)
		}
		if !q.fifo && t.MessageGroupID != "" {
			a.errorf("%s: MessageGroupID is only for FIFO queues; queue %q is a standard queue", where, q.qid)
		}
	} else if t.MessageGroupID != "" {
		a.errorf("%s: MessageGroupID is only for FIFO queue targets", where)
	}
	if q := t.DeadLetterQueue; q != nil && q.fifo {
		a.errorf("%s: DeadLetterQueue %q: EventBridge dead-letter queues must be standard queues", where, q.qid)
	}
	if lg := t.LogGroup; lg != nil {
		if lg.Name != "" && !strings.HasPrefix(lg.Name, "/aws/events/") {
			a.errorf("%s: LogGroup.Name %q: EventBridge writes only to log groups whose name starts with /aws/events/", where, lg.Name)
		}
		if _, err := checkRetention("LogGroup.Retention", lg.Retention); err != nil {
			a.errorf("%s: %v", where, err)
		}
	}
}

// functionTarget is a function the rule may invoke; nil when the function
// failed (it reported why).
func (b *EventBus) functionTarget(br *busRule, tid string, t EventBusTarget, cfg *cloudwatcheventtarget.CloudwatchEventTargetConfig) *busTarget {
	s := b.stack
	props := t.Function
	if t.Handler != "" {
		props.Handler = t.Handler
	}
	fn := newFunction(s, b.bid, tid, props, b.props.Defaults.Function)
	if fn.Cdk.Function == nil {
		return nil
	}
	perm := lambdapermission.NewLambdaPermission(s.tf, jsii.String(tid+"_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("events.amazonaws.com"),
		SourceArn:    br.res.Arn(),
	})
	cfg.Arn = fn.Cdk.Function.Arn()
	cfg.DependsOn = &[]cdktf.ITerraformDependable{perm}
	bt := &busTarget{kind: "function", fn: fn, ref: fn.fid}
	if s.app.opts.Mode == manifest.ModeDev {
		// `sst dev` polls a dev-only queue the rule delivers the event to
		// (with the target's retry policy and dead-letter queue) and runs
		// the function locally; the next `sst deploy` points it back.
		q := newDevQueue(s, tid, false, servicePermission{sid: sid("EventBus", b.bid, br.key), service: "events.amazonaws.com", sourceArn: *br.res.Arn()})
		cfg.Arn = q.Cdk.Queue.Arn()
		cfg.DependsOn = &[]cdktf.ITerraformDependable{perm, q.Cdk.Policy}
		bt.devQueue = q.name
	}
	return bt
}

// queueTarget lets the rule send to a queue of the bus's stack.
func (b *EventBus) queueTarget(br *busRule, t EventBusTarget, cfg *cloudwatcheventtarget.CloudwatchEventTargetConfig) *busTarget {
	q := t.Queue
	q.allow(sid("EventBus", b.bid, br.key), "events.amazonaws.com", *br.res.Arn())
	cfg.Arn = q.Cdk.Queue.Arn()
	if q.fifo {
		cfg.SqsTarget = &cloudwatcheventtarget.CloudwatchEventTargetSqsTarget{MessageGroupId: jsii.String(t.MessageGroupID)}
	}
	return &busTarget{kind: "queue", ref: q.qid}
}

// logTarget is a log group under /aws/events/, which the bus's one log
// resource policy lets EventBridge write to.
func (b *EventBus) logTarget(br *busRule, name, tid string, lg *EventBusLogGroup, cfg *cloudwatcheventtarget.CloudwatchEventTargetConfig) *busTarget {
	s := b.stack
	lgName := lg.Name
	if lgName == "" {
		lgName = "/aws/events/" + naming.Physical(s.Stage(), s.app.cfg.Name, b.bid+"-"+br.key+"-"+name, 400)
	}
	group := cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(tid+"_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(s.app.names.Claim(naming.KindLogGroup, lgName, s.app.owner(b.bid))),
		RetentionInDays: jsii.Number(float64(lg.Retention / Day)),
	})
	b.Cdk.LogGroups[br.key+"/"+name] = group
	b.logGrants = append(b.logGrants, logGrant{logArn: *group.Arn(), ruleArn: *br.res.Arn()})
	cfg.Arn = group.Arn()
	return &busTarget{kind: "log", ref: lgName}
}

// Subscribe sends events of one detail type to a function: a rule
// matching "detail-type" with the function as its target (SST's
// subscribe). It returns the bus, so calls chain.
func (b *EventBus) Subscribe(detailType string, fn FunctionProps, opts ...SubscribeOptions) *EventBus {
	return b.SubscribeTypes([]string{detailType}, fn, opts...)
}

// SubscribeTypes is Subscribe for several detail types at once.
func (b *EventBus) SubscribeTypes(detailTypes []string, fn FunctionProps, opts ...SubscribeOptions) *EventBus {
	if b.Cdk.Bus == nil {
		return b
	}
	where := fmt.Sprintf("stack %s: event bus %q: Subscribe", b.stack.name, b.bid)
	if len(detailTypes) == 0 {
		b.stack.app.errorf("%s: give at least one detail type", where)
		return b
	}
	for _, t := range detailTypes {
		if t == "" {
			b.stack.app.errorf("%s: a detail type is empty", where)
			return b
		}
	}
	var o SubscribeOptions
	for _, x := range opts {
		if x.Retry != nil {
			o.Retry = x.Retry
		}
	}
	// SST names subscription rules after the type and a per-type count.
	base := subscribeKey(detailTypes[0])
	b.subs[base]++
	key := base + "_" + strconv.Itoa(b.subs[base])
	for b.rules[key] != nil {
		b.subs[base]++
		key = base + "_" + strconv.Itoa(b.subs[base])
	}
	b.addRule(key, EventBusRule{
		Pattern: EventBusPattern{DetailType: detailTypes},
		Targets: map[string]EventBusTarget{"function": {Function: fn, Retry: o.Retry}},
	})
	return b
}

func subscribeKey(t string) string {
	b := []byte(t)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	k := string(b)
	if len(k) > 48 {
		k = k[:48]
	}
	return k
}

// EventBusName is the physical bus name.
func (b *EventBus) EventBusName() string { return b.name }

// Arn is the bus ARN (a token until deploy); "" when the bus failed
// validation.
func (b *EventBus) Arn() string {
	if b.Cdk.Bus == nil {
		return ""
	}
	return *b.Cdk.Bus.Arn()
}

// ID is the construct id.
func (b *EventBus) ID() string { return b.bid }

// RuleKeys lists the rules in the order they were added.
func (b *EventBus) RuleKeys() []string { return append([]string(nil), b.order...) }

// TargetFunction is the function of a rule's target, or nil.
func (b *EventBus) TargetFunction(ruleKey, target string) *Function {
	if r := b.rules[ruleKey]; r != nil && r.targets[target] != nil {
		return r.targets[target].fn
	}
	return nil
}

// Binding gives functions the bus name (SST_EventBus_eventBusName_<id>)
// and lets them put events on this bus only.
func (b *EventBus) Binding() Binding {
	return Binding{
		Type:        "EventBus",
		ID:          b.bid,
		Variables:   map[string]string{"eventBusName": b.name},
		Permissions: []Statement{Allow([]string{"events:PutEvents"}, b.Arn())},
	}
}

func (b *EventBus) id() string { return b.bid }

func (b *EventBus) functions() []*Function {
	var fns []*Function
	for _, k := range b.order {
		r := b.rules[k]
		for _, n := range r.order {
			if f := r.targets[n].fn; f != nil {
				fns = append(fns, f)
			}
		}
	}
	return fns
}

func (b *EventBus) finalize() {
	if len(b.logGrants) > 0 {
		b.Cdk.LogPolicy = cloudwatchlogresourcepolicy.NewCloudwatchLogResourcePolicy(b.stack.tf, jsii.String(b.bid+"_log_policy"), &cloudwatchlogresourcepolicy.CloudwatchLogResourcePolicyConfig{
			PolicyName:     jsii.String(b.stack.app.names.Physical(naming.KindLogResourcePolicy, b.stack.app.owner(b.bid), b.bid+"-events", 255)),
			PolicyDocument: jsii.String(logDeliveryPolicy(b.logGrants)),
		})
	}
}

// logDeliveryPolicy lets EventBridge write to the given log groups, each
// only on behalf of the bus's own rules.
func logDeliveryPolicy(grants []logGrant) string {
	var logs, rules []string
	for _, g := range grants {
		logs = append(logs, g.logArn+":*")
		rules = append(rules, g.ruleArn)
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "EventBridgeToLogs",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": []string{"events.amazonaws.com", "delivery.logs.amazonaws.com"}},
			"Action":    []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			"Resource":  uniqueSorted(logs),
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": uniqueSorted(rules)}},
		}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
	return strings.TrimSpace(buf.String())
}

// devQueues are the function targets' dev-only queues, named by rule (and
// target, when the rule has several).
func (b *EventBus) devQueues() []manifest.DevQueue {
	var qs []manifest.DevQueue
	for _, k := range b.order {
		r := b.rules[k]
		var names []string
		for _, n := range r.order {
			if r.targets[n].devQueue != "" {
				names = append(names, n)
			}
		}
		for _, n := range names {
			src := k
			if len(names) > 1 {
				src = k + "/" + n
			}
			qs = append(qs, manifest.DevQueue{Function: r.targets[n].fn.fid, Queue: r.targets[n].devQueue, Source: src})
		}
	}
	return qs
}

func (b *EventBus) describe() manifest.Construct {
	d := map[string]string{manifest.EventBusName: b.name}
	if len(b.order) > 0 {
		d[manifest.EventBusRules] = strings.Join(b.order, ",")
	}
	var binds []Bindable
	for _, fn := range b.functions() {
		binds = append(binds, fn.props.Bind...)
	}
	describeDevQueues(d, b.devQueues())
	return manifest.Construct{ID: b.bid, Type: "EventBus", Path: b.bid, Data: d, Binds: bindIDs(binds)}
}
