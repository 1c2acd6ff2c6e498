package sst

import (
	"encoding/json"
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

// TopicProps configure an SNS topic.
type TopicProps struct {
	// FIFO makes a FIFO topic (name ending in ".fifo"); it delivers only to
	// queues, not to functions.
	FIFO bool
	// ContentBasedDeduplication (FIFO only) dedupes on a hash of the body.
	ContentBasedDeduplication bool
	// Subscribers by name: functions or queues.
	Subscribers map[string]TopicSubscriber
	// Defaults apply to every function subscriber.
	Defaults TopicDefaults
	// Cdk passes raw configuration through (KMS key, delivery policy, …).
	Cdk TopicCdkProps
}

// TopicDefaults are layered under each function subscriber's props.
type TopicDefaults struct {
	Function FunctionProps
}

// TopicCdkProps is the escape hatch into the raw resource configuration.
type TopicCdkProps struct {
	// Topic edits the aws_sns_topic config just before it is created.
	Topic func(*snstopic.SnsTopicConfig)
}

// TopicSubscriber is one subscriber: a function (Handler or Function) or
// a Queue.
type TopicSubscriber struct {
	// Handler is a shorthand for Function.Handler.
	Handler  string
	Function FunctionProps
	// Queue subscribes an SQS queue (declared in the same stack); the
	// queue's policy lets this topic send to it.
	Queue *Queue
	// FilterPolicy is an SNS filter policy (a JSON object) selecting the
	// messages this subscriber gets.
	FilterPolicy string
	// FilterPolicyScope: "MessageAttributes" (default) or "MessageBody".
	FilterPolicyScope string
	// RawMessageDelivery (queues only) delivers the message body as is,
	// without SNS's JSON envelope.
	RawMessageDelivery bool
}

// Topic is an SNS topic with its subscribers.
type Topic struct {
	stack       *Stack
	tid         string
	name        string
	fifo        bool
	defaults    FunctionProps
	subscribers []*Function
	sources     []servicePermission
	// devQueues are the subscribers' dev-only queues (sst dev).
	devQueues []manifest.DevQueue

	Cdk struct {
		Topic         snstopic.SnsTopic
		Policy        snstopicpolicy.SnsTopicPolicy
		Subscriptions map[string]snstopicsubscription.SnsTopicSubscription
	}
}

// NewTopic declares an SNS topic.
func NewTopic(s *Stack, id string, props TopicProps) *Topic {
	t := &Topic{stack: s, tid: id, fifo: props.FIFO, defaults: props.Defaults.Function}
	t.Cdk.Subscriptions = map[string]snstopicsubscription.SnsTopicSubscription{}
	if !s.app.claimID(s, id, "Topic") {
		return t
	}
	a := s.app
	if props.ContentBasedDeduplication && !props.FIFO {
		a.errorf("stack %s: topic %q: ContentBasedDeduplication needs FIFO: true", s.name, id)
		return t
	}
	cfg := &snstopic.SnsTopicConfig{Name: jsii.String(naming.SNS(s.Stage(), a.cfg.Name, id, props.FIFO))}
	if props.FIFO {
		cfg.FifoTopic = jsii.Bool(true)
		if props.ContentBasedDeduplication {
			cfg.ContentBasedDeduplication = jsii.Bool(true)
		}
	}
	if props.Cdk.Topic != nil {
		props.Cdk.Topic(cfg)
	}
	t.name = a.claim(naming.KindSNS, cfg.Name, id)
	t.Cdk.Topic = snstopic.NewSnsTopic(s.tf, jsii.String(id), cfg)
	s.add(t)
	t.AddSubscribers(props.Subscribers)
	return t
}

var filterScopes = map[string]string{"": "", "MessageAttributes": "MessageAttributes", "MessageBody": "MessageBody"}

// AddSubscribers subscribes more functions or queues (SST's addSubscribers).
func (t *Topic) AddSubscribers(subs map[string]TopicSubscriber) {
	if t.Cdk.Topic == nil {
		return
	}
	for _, name := range sortedKeys(subs) {
		t.addSubscriber(name, subs[name])
	}
}

func (t *Topic) addSubscriber(name string, sub TopicSubscriber) {
	s, a := t.stack, t.stack.app
	where := fmt.Sprintf("stack %s: topic %q: subscriber %q", s.name, t.tid, name)
	if _, dup := t.Cdk.Subscriptions[name]; dup {
		a.errorf("%s: already subscribed; subscriber names are unique per topic", where)
		return
	}
	errs := len(a.errs)
	isFn := sub.Handler != "" || sub.Function.Handler != ""
	switch {
	case sub.Queue != nil && isFn:
		a.errorf("%s: set either a function (Handler/Function) or Queue, not both", where)
	case sub.Queue == nil && !isFn:
		a.errorf("%s: set Handler, Function.Handler or Queue", where)
	case sub.Handler != "" && sub.Function.Handler != "":
		a.errorf("%s: set Handler or Function.Handler, not both", where)
	}
	if sub.FilterPolicy != "" {
		var obj map[string]any
		if err := json.Unmarshal([]byte(sub.FilterPolicy), &obj); err != nil {
			a.errorf("%s: FilterPolicy is not a JSON object (%v): e.g. {\"type\":[\"order\"]}", where, err)
		}
	}
	scope, ok := filterScopes[sub.FilterPolicyScope]
	if !ok {
		a.errorf("%s: FilterPolicyScope %q: use \"MessageAttributes\" or \"MessageBody\"", where, sub.FilterPolicyScope)
	} else if scope != "" && sub.FilterPolicy == "" {
		a.errorf("%s: FilterPolicyScope is set without a FilterPolicy", where)
	}
	if isFn && t.fifo {
		a.errorf("%s: FIFO topics deliver only to SQS queues, not to functions: subscribe a FIFO queue with a consumer instead", where)
	}
	if isFn && sub.RawMessageDelivery {
		a.errorf("%s: RawMessageDelivery applies to queue subscribers only", where)
	}
	if q := sub.Queue; q != nil {
		if q.Cdk.Queue == nil {
			return // the queue's own error is reported
		}
		if q.fifo && !t.fifo {
			a.errorf("%s: queue %q is FIFO but the topic is not: standard topics cannot deliver to FIFO queues (set FIFO on the topic)", where, q.qid)
		}
		if q.stack != s {
			a.errorf("%s: queue %q is declared in stack %s: subscribe queues from the topic's own stack (the subscription and the queue's policy would make each stack depend on the other)", where, q.qid, q.stack.name)
		}
	}
	if len(a.errs) > errs {
		return
	}

	rid := t.tid + "_subscription_" + binding.EnvID(name)
	cfg := &snstopicsubscription.SnsTopicSubscriptionConfig{TopicArn: t.Cdk.Topic.Arn()}
	if sub.FilterPolicy != "" {
		cfg.FilterPolicy = jsii.String(sub.FilterPolicy)
		if scope != "" {
			cfg.FilterPolicyScope = jsii.String(scope)
		}
	}
	if q := sub.Queue; q != nil {
		cfg.Protocol = jsii.String("sqs")
		cfg.Endpoint = q.Cdk.Queue.Arn()
		if sub.RawMessageDelivery {
			cfg.RawMessageDelivery = jsii.Bool(true)
		}
		q.allow(sid("Topic", t.tid), "sns.amazonaws.com", t.Arn())
		t.Cdk.Subscriptions[name] = snstopicsubscription.NewSnsTopicSubscription(s.tf, jsii.String(rid), cfg)
		return
	}
	props := sub.Function
	if sub.Handler != "" {
		props.Handler = sub.Handler
	}
	fid := t.tid + "_subscriber_" + binding.EnvID(name)
	fn := newFunction(s, t.tid, fid, props, t.defaults)
	if fn.Cdk.Function == nil {
		return
	}
	perm := lambdapermission.NewLambdaPermission(s.tf, jsii.String(fid+"_permission"), &lambdapermission.LambdaPermissionConfig{
		Action:       jsii.String("lambda:InvokeFunction"),
		FunctionName: fn.Cdk.Function.FunctionName(),
		Principal:    jsii.String("sns.amazonaws.com"),
		SourceArn:    t.Cdk.Topic.Arn(),
	})
	cfg.Protocol = jsii.String("lambda")
	cfg.Endpoint = fn.Cdk.Function.Arn()
	cfg.DependsOn = &[]cdktf.ITerraformDependable{perm}
	if a.opts.Mode == manifest.ModeDev {
		// `sst dev` polls a dev-only queue that the subscription (with its
		// filter policy, so SNS still filters) delivers to, and runs the
		// subscriber locally; the next `sst deploy` points it back.
		q := newDevQueue(s, fid, t.fifo, servicePermission{sid: sid("Topic", t.tid), service: "sns.amazonaws.com", sourceArn: t.Arn()})
		t.devQueues = append(t.devQueues, manifest.DevQueue{Function: fid, Queue: q.name, Source: name})
		cfg.Protocol = jsii.String("sqs")
		cfg.Endpoint = q.Cdk.Queue.Arn()
		cfg.DependsOn = &[]cdktf.ITerraformDependable{perm, q.Cdk.Policy}
	}
	t.Cdk.Subscriptions[name] = snstopicsubscription.NewSnsTopicSubscription(s.tf, jsii.String(rid), cfg)
	t.subscribers = append(t.subscribers, fn)
}

// allow lets an AWS service publish to the topic on behalf of sourceArn.
func (t *Topic) allow(sid, service, sourceArn string) {
	t.sources = append(t.sources, servicePermission{sid: sid, service: service, action: "sns:Publish", sourceArn: sourceArn})
}

// TopicName is the physical topic name.
func (t *Topic) TopicName() string { return t.name }

// Arn is the topic's ARN (a token until deploy); "" when the topic failed
// validation.
func (t *Topic) Arn() string {
	if t.Cdk.Topic == nil {
		return ""
	}
	return *t.Cdk.Topic.Arn()
}

// ID is the construct id.
func (t *Topic) ID() string { return t.tid }

// FIFO reports whether this is a FIFO topic.
func (t *Topic) FIFO() bool { return t.fifo }

// SubscriberFunctions are the functions subscribed to the topic.
func (t *Topic) SubscriberFunctions() []*Function { return t.subscribers }

// Binding gives functions the topic ARN (SST_Topic_topicArn_<id>) and
// permission to publish to this topic only.
func (t *Topic) Binding() Binding {
	return Binding{
		Type:        "Topic",
		ID:          t.tid,
		Variables:   map[string]string{"topicArn": t.Arn()},
		Permissions: []Statement{Allow([]string{"sns:Publish"}, t.Arn())},
	}
}

func (t *Topic) id() string { return t.tid }

func (t *Topic) functions() []*Function { return t.subscribers }

func (t *Topic) finalize() {
	if t.Cdk.Topic == nil {
		return
	}
	if len(t.sources) > 0 {
		t.Cdk.Policy = snstopicpolicy.NewSnsTopicPolicy(t.stack.tf, jsii.String(t.tid+"_policy"), &snstopicpolicy.SnsTopicPolicyConfig{
			Arn:    t.Cdk.Topic.Arn(),
			Policy: jsii.String(servicePolicy(t.Arn(), t.sources)),
		})
	}
}

func (t *Topic) describe() manifest.Construct {
	d := map[string]string{manifest.TopicName: t.name}
	describeDevQueues(d, t.devQueues)
	return manifest.Construct{ID: t.tid, Type: "Topic", Path: t.tid, Data: d}
}
