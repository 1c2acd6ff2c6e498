package sst

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
)

func TestTopicSubscribers(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Orders", QueueProps{})
		tp := NewTopic(s, "Events", TopicProps{
			Defaults: TopicDefaults{Function: FunctionProps{MemorySize: 512}},
			Subscribers: map[string]TopicSubscriber{
				"email":  {Handler: nodeHandler},
				"orders": {Queue: q, FilterPolicy: `{"type":["order"]}`, RawMessageDelivery: true},
			},
			Cdk: TopicCdkProps{Topic: func(c *snstopic.SnsTopicConfig) { c.DisplayName = jsii.String("events") }},
		})
		tp.AddSubscribers(map[string]TopicSubscriber{
			"big": {Function: FunctionProps{Handler: nodeHandler, Timeout: 30 * time.Second}, FilterPolicy: `{"size":[{"numeric":[">",100]}]}`, FilterPolicyScope: "MessageBody"},
		})
		if tp.TopicName() != "test-notes-Events" || tp.ID() != "Events" || tp.FIFO() || len(tp.SubscriberFunctions()) != 2 {
			t.Errorf("accessors: %s %s %v %d", tp.TopicName(), tp.ID(), tp.FIFO(), len(tp.SubscriberFunctions()))
		}
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{tp}})
		return nil
	})...)
	topic := s.resource(t, "First", "aws_sns_topic", "Events")
	delete(topic, "//")
	wantJSON(t, "topic", topic, map[string]any{"display_name": "events", "name": "test-notes-Events"})
	sub := s.resource(t, "First", "aws_sns_topic_subscription", "Events_subscription_orders")
	delete(sub, "//")
	wantJSON(t, "queue subscription", sub, map[string]any{
		"endpoint": "${aws_sqs_queue.Orders.arn}", "filter_policy": `{"type":["order"]}`, "protocol": "sqs",
		"raw_message_delivery": true, "topic_arn": "${aws_sns_topic.Events.arn}",
	})
	wantServicePolicy(t, s.resource(t, "First", "aws_sqs_queue_policy", "Orders_policy")["policy"], "${aws_sqs_queue.Orders.arn}", "sqs:SendMessage",
		map[string]string{"sns.amazonaws.com": "${aws_sns_topic.Events.arn}"})
	sub = s.resource(t, "First", "aws_sns_topic_subscription", "Events_subscription_email")
	delete(sub, "//")
	wantJSON(t, "function subscription", sub, map[string]any{
		"depends_on": []string{"aws_lambda_permission.Events_subscriber_email_permission"},
		"endpoint":   "${aws_lambda_function.Events_subscriber_email.arn}", "protocol": "lambda", "topic_arn": "${aws_sns_topic.Events.arn}",
	})
	big := s.resource(t, "First", "aws_sns_topic_subscription", "Events_subscription_big")
	if big["filter_policy_scope"] != "MessageBody" || big["filter_policy"] != `{"size":[{"numeric":[">",100]}]}` {
		t.Errorf("big subscription = %v", jsonString(t, big))
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Events_subscriber_email_permission")
	delete(perm, "//")
	wantJSON(t, "permission", perm, map[string]any{
		"action": "lambda:InvokeFunction", "function_name": "${aws_lambda_function.Events_subscriber_email.function_name}",
		"principal": "sns.amazonaws.com", "source_arn": "${aws_sns_topic.Events.arn}",
	})
	if got := s.resource(t, "First", "aws_lambda_function", "Events_subscriber_email")["memory_size"]; got != 512.0 {
		t.Errorf("Defaults.Function not applied: memory %v", got)
	}
	if got := s.resource(t, "First", "aws_lambda_function", "Events_subscriber_big")["timeout"]; got != 30.0 {
		t.Errorf("big timeout = %v", got)
	}
	if _, ok := s.resources("First", "aws_sns_topic_policy")["Events_policy"]; ok {
		t.Error("a topic nobody else publishes to got a resource policy")
	}
	if got := s.env(t, "First", "Fn")["SST_Topic_topicArn_Events"]; got != "${aws_sns_topic.Events.arn}" {
		t.Errorf("SST_Topic_topicArn_Events = %v", got)
	}
	p := s.policy(t, "First", "Fn")
	if got := p.grants("sns:Publish"); !reflect.DeepEqual(got, []string{"${aws_sns_topic.Events.arn}"}) {
		t.Errorf("sns:Publish on %v", got)
	}
	for _, a := range []string{"sns:*", "sns:DeleteTopic", "sns:Subscribe"} {
		if len(p.grants(a)) > 0 {
			t.Errorf("binding grants %s", a)
		}
	}
	var owners []string
	for _, f := range s.manifestStack(t, "First").Functions {
		if f.Construct == "Events" {
			owners = append(owners, f.ID)
		}
	}
	if !reflect.DeepEqual(owners, []string{"Events_subscriber_email", "Events_subscriber_big"}) {
		t.Errorf("manifest subscriber functions = %v", owners)
	}
}

func TestTopicFIFO(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Orders", QueueProps{FIFO: true})
		NewTopic(s, "Events", TopicProps{FIFO: true, ContentBasedDeduplication: true, Subscribers: map[string]TopicSubscriber{"orders": {Queue: q}}})
		return nil
	})...)
	topic := s.resource(t, "First", "aws_sns_topic", "Events")
	delete(topic, "//")
	wantJSON(t, "fifo topic", topic, map[string]any{"content_based_deduplication": true, "fifo_topic": true, "name": "test-notes-Events.fifo"})
	if got := s.resource(t, "First", "aws_sns_topic_subscription", "Events_subscription_orders")["endpoint"]; got != "${aws_sqs_queue.Orders.arn}" {
		t.Errorf("endpoint = %v", got)
	}
}

func TestTopicBadInput(t *testing.T) {
	topic := func(props TopicProps) body {
		return func(s *Stack) any { return NewTopic(s, "Events", props) }
	}
	sub := func(ts TopicSubscriber) map[string]TopicSubscriber { return map[string]TopicSubscriber{"s": ts} }
	tests := []struct {
		name   string
		bodies []body
		want   []string
	}{
		{"dedup on a standard topic", []body{topic(TopicProps{ContentBasedDeduplication: true})}, []string{"stack First", `topic "Events"`, "ContentBasedDeduplication needs FIFO"}},
		{"no target", []body{topic(TopicProps{Subscribers: sub(TopicSubscriber{FilterPolicy: `{}`})})}, []string{`topic "Events": subscriber "s"`, "set Handler, Function.Handler or Queue"}},
		{"two targets", []body{func(s *Stack) any {
			return NewTopic(s, "Events", TopicProps{Subscribers: sub(TopicSubscriber{Handler: nodeHandler, Queue: NewQueue(s, "Q", QueueProps{})})})
		}}, []string{`subscriber "s"`, "not both"}},
		{"filter policy not JSON", []body{topic(TopicProps{Subscribers: sub(TopicSubscriber{Handler: nodeHandler, FilterPolicy: `type=order`})})}, []string{`subscriber "s"`, "FilterPolicy is not a JSON object"}},
		{"bad filter scope", []body{topic(TopicProps{Subscribers: sub(TopicSubscriber{Handler: nodeHandler, FilterPolicy: `{}`, FilterPolicyScope: "Body"})})}, []string{`subscriber "s"`, `FilterPolicyScope "Body"`}},
		{"scope without policy", []body{topic(TopicProps{Subscribers: sub(TopicSubscriber{Handler: nodeHandler, FilterPolicyScope: "MessageBody"})})}, []string{`subscriber "s"`, "without a FilterPolicy"}},
		{"function on fifo topic", []body{topic(TopicProps{FIFO: true, Subscribers: sub(TopicSubscriber{Handler: nodeHandler})})}, []string{`subscriber "s"`, "FIFO topics deliver only to SQS queues"}},
		{"raw delivery to a function", []body{topic(TopicProps{Subscribers: sub(TopicSubscriber{Handler: nodeHandler, RawMessageDelivery: true})})}, []string{`subscriber "s"`, "RawMessageDelivery applies to queue subscribers only"}},
		{"fifo queue on standard topic", []body{func(s *Stack) any {
			return NewTopic(s, "Events", TopicProps{Subscribers: sub(TopicSubscriber{Queue: NewQueue(s, "Q", QueueProps{FIFO: true})})})
		}}, []string{`subscriber "s"`, `queue "Q" is FIFO but the topic is not`}},
		{"queue in another stack", []body{
			func(s *Stack) any { return NewQueue(s, "Q", QueueProps{}) },
			func(s *Stack) any {
				return NewTopic(s, "Events", TopicProps{Subscribers: sub(TopicSubscriber{Queue: Use[*Queue](s, First)})})
			},
		}, []string{"stack Second", `subscriber "s"`, `queue "Q" is declared in stack First`}},
		{"subscriber twice", []body{func(s *Stack) any {
			tp := NewTopic(s, "Events", TopicProps{Subscribers: sub(TopicSubscriber{Handler: nodeHandler})})
			tp.AddSubscribers(sub(TopicSubscriber{Handler: nodeHandler}))
			return tp
		}}, []string{`subscriber "s"`, "already subscribed"}},
		{"bad subscriber function", []body{topic(TopicProps{Subscribers: sub(TopicSubscriber{Function: FunctionProps{Handler: nodeHandler, Architecture: "arm"}})})}, []string{`function "Events_subscriber_s"`, `Architecture "arm"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.bodies...)...)
			wantContains(t, msg, tt.want...)
		})
	}
}
