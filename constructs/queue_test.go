package sst

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"

	"github.com/sst-tf/sst/manifest"
)

func TestQueueDefaults(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Jobs", QueueProps{})
		if q.QueueName() != "test-notes-Jobs" || q.ID() != "Jobs" || q.FIFO() || q.ConsumerFunction() != nil || q.DeadLetterQueue() != nil {
			t.Errorf("accessors: %s %s %v", q.QueueName(), q.ID(), q.FIFO())
		}
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{q}})
		return nil
	})...)
	q := s.resource(t, "First", "aws_sqs_queue", "Jobs")
	delete(q, "//")
	// SQS's own defaults (30 s visibility, 4 days) are left to SQS.
	// Encrypted at rest with SQS-owned keys.
	wantJSON(t, "queue", q, map[string]any{"name": "test-notes-Jobs", "sqs_managed_sse_enabled": true})
	for _, typ := range []string{"aws_sqs_queue_policy", "aws_lambda_event_source_mapping"} {
		if got := s.resources("First", typ); len(got) != 0 {
			t.Errorf("a plain queue has %s: %v", typ, keys(got))
		}
	}
	if got := s.env(t, "First", "Fn")["SST_Queue_queueUrl_Jobs"]; got != "${aws_sqs_queue.Jobs.url}" {
		t.Errorf("SST_Queue_queueUrl_Jobs = %v", got)
	}
	p := s.policy(t, "First", "Fn")
	for _, a := range queueActions {
		if got := p.grants(a); !reflect.DeepEqual(got, []string{"${aws_sqs_queue.Jobs.arn}"}) {
			t.Errorf("%s on %v, want only the queue", a, got)
		}
	}
	for _, a := range []string{"sqs:*", "sqs:DeleteQueue", "sqs:PurgeQueue", "sqs:SetQueueAttributes"} {
		if len(p.grants(a)) > 0 {
			t.Errorf("binding grants %s", a)
		}
	}
}

func TestQueueFIFOAndProps(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewQueue(s, "Orders", QueueProps{
			FIFO: true, ContentBasedDeduplication: true,
			VisibilityTimeout: 2 * time.Minute, RetentionPeriod: 24 * time.Hour, DeliveryDelay: 5 * time.Second, ReceiveWaitTime: 20 * time.Second,
			Cdk: QueueCdkProps{Queue: func(c *sqsqueue.SqsQueueConfig) { c.SqsManagedSseEnabled = jsii.Bool(true) }},
		})
		NewQueue(s, "Keyed", QueueProps{Cdk: QueueCdkProps{Queue: func(c *sqsqueue.SqsQueueConfig) { c.KmsMasterKeyId = jsii.String("alias/orders") }}})
		return nil
	})...)
	q := s.resource(t, "First", "aws_sqs_queue", "Orders")
	delete(q, "//")
	wantJSON(t, "fifo queue", q, map[string]any{
		"content_based_deduplication": true,
		"delay_seconds":               5,
		"fifo_queue":                  true,
		"message_retention_seconds":   86400,
		"name":                        "test-notes-Orders.fifo",
		"receive_wait_time_seconds":   20,
		"sqs_managed_sse_enabled":     true,
		"visibility_timeout_seconds":  120,
	})
	// A KMS key replaces SQS-managed encryption: the provider refuses both.
	k := s.resource(t, "First", "aws_sqs_queue", "Keyed")
	if k["kms_master_key_id"] != "alias/orders" || k["sqs_managed_sse_enabled"] != nil {
		t.Errorf("keyed queue = %v", k)
	}
}

func TestQueueDeadLetter(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		auto := NewQueue(s, "Jobs", QueueProps{DeadLetterQueue: &QueueDeadLetter{}})
		if auto.DeadLetterQueue() == nil || auto.DeadLetterQueue().ID() != "Jobs_dlq" {
			t.Errorf("DeadLetterQueue() = %v", auto.DeadLetterQueue())
		}
		failed := NewQueue(s, "Failed", QueueProps{FIFO: true})
		NewQueue(s, "Orders", QueueProps{FIFO: true, DeadLetterQueue: &QueueDeadLetter{Queue: failed, MaxReceiveCount: 7}})
		return nil
	})...)
	if got := s.resource(t, "First", "aws_sqs_queue", "Jobs")["redrive_policy"]; got != `{"deadLetterTargetArn":"${aws_sqs_queue.Jobs_dlq.arn}","maxReceiveCount":3}` {
		t.Errorf("auto redrive_policy = %v", got)
	}
	dlq := s.resource(t, "First", "aws_sqs_queue", "Jobs_dlq")
	delete(dlq, "//")
	wantJSON(t, "auto dlq", dlq, map[string]any{"message_retention_seconds": 1209600, "name": "test-notes-Jobs_dlq", "sqs_managed_sse_enabled": true})
	if got := s.resource(t, "First", "aws_sqs_queue", "Orders")["redrive_policy"]; got != `{"deadLetterTargetArn":"${aws_sqs_queue.Failed.arn}","maxReceiveCount":7}` {
		t.Errorf("given redrive_policy = %v", got)
	}
	var ids []string
	for _, c := range s.manifestStack(t, "First").Constructs {
		ids = append(ids, c.Type+":"+c.ID+":"+c.Data["deadLetterQueue"])
	}
	if !reflect.DeepEqual(ids, []string{"Queue:Jobs_dlq:", "Queue:Jobs:Jobs_dlq", "Queue:Failed:", "Queue:Orders:Failed"}) {
		t.Errorf("manifest constructs = %v", ids)
	}
}

func TestQueueConsumer(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		// The consumer runs longer than SQS's 30 s default visibility.
		NewQueue(s, "Slow", QueueProps{Consumer: &QueueConsumer{Function: FunctionProps{Handler: nodeHandler, Timeout: 2 * time.Minute}}})
		q := NewQueue(s, "Fast", QueueProps{})
		q.AddConsumer(QueueConsumer{Handler: nodeHandler, BatchSize: 100, BatchingWindow: 5 * time.Second, ReportBatchItemFailures: true})
		if q.ConsumerFunction() == nil || q.ConsumerFunction().ID() != "Fast_consumer" {
			t.Errorf("ConsumerFunction = %v", q.ConsumerFunction())
		}
		NewQueue(s, "Fixed", QueueProps{VisibilityTimeout: 5 * time.Minute, Consumer: &QueueConsumer{Handler: nodeHandler}})
		return nil
	})...)
	if got := s.resource(t, "First", "aws_sqs_queue", "Slow")["visibility_timeout_seconds"]; got != 120.0 {
		t.Errorf("visibility follows the consumer timeout: got %v, want 120", got)
	}
	if _, ok := s.resource(t, "First", "aws_sqs_queue", "Fast")["visibility_timeout_seconds"]; ok {
		t.Error("a 10 s consumer changed the default visibility")
	}
	if got := s.resource(t, "First", "aws_sqs_queue", "Fixed")["visibility_timeout_seconds"]; got != 300.0 {
		t.Errorf("explicit visibility = %v", got)
	}
	m := s.resource(t, "First", "aws_lambda_event_source_mapping", "Slow_consumer_mapping")
	delete(m, "//")
	wantJSON(t, "default mapping", m, map[string]any{
		"batch_size":       10,
		"depends_on":       []string{"aws_iam_role_policy.Slow_consumer_policy"},
		"event_source_arn": "${aws_sqs_queue.Slow.arn}",
		"function_name":    "${aws_lambda_function.Slow_consumer.arn}",
	})
	m = s.resource(t, "First", "aws_lambda_event_source_mapping", "Fast_consumer_mapping")
	if m["batch_size"] != 100.0 || m["maximum_batching_window_in_seconds"] != 5.0 {
		t.Errorf("batching = %v", jsonString(t, m))
	}
	wantJSON(t, "partial batch responses", m["function_response_types"], []string{"ReportBatchItemFailures"})
	p := s.policy(t, "First", "Slow_consumer")
	for _, a := range []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"} {
		if got := p.grants(a); !reflect.DeepEqual(got, []string{"${aws_sqs_queue.Slow.arn}"}) {
			t.Errorf("consumer %s on %v, want only its queue", a, got)
		}
	}
	if len(p.grants("sqs:SendMessage")) > 0 {
		t.Error("a consumer may send without being bound")
	}
	if got := s.manifestFunction(t, "First", "Slow_consumer").Construct; got != "Slow" {
		t.Errorf("consumer owner = %q", got)
	}
}

func TestQueueBadInput(t *testing.T) {
	queue := func(props QueueProps) body {
		return func(s *Stack) any { return NewQueue(s, "Jobs", props) }
	}
	tests := []struct {
		name   string
		bodies []body
		want   []string
	}{
		{"dedup on a standard queue", []body{queue(QueueProps{ContentBasedDeduplication: true})}, []string{"stack First", `queue "Jobs"`, "ContentBasedDeduplication needs FIFO"}},
		{"visibility too long", []body{queue(QueueProps{VisibilityTimeout: 50000 * time.Second})}, []string{`queue "Jobs"`, "VisibilityTimeout 13h53m20s", "0s–12h in whole seconds"}},
		{"retention too short", []body{queue(QueueProps{RetentionPeriod: 30 * time.Second})}, []string{`queue "Jobs"`, "RetentionPeriod 30s", "1m–336h (14 days)"}},
		{"delay too long", []body{queue(QueueProps{DeliveryDelay: 901 * time.Second})}, []string{`queue "Jobs"`, "DeliveryDelay 15m1s", "0s–15m"}},
		{"visibility not whole seconds", []body{queue(QueueProps{VisibilityTimeout: 2500 * time.Millisecond})}, []string{`queue "Jobs"`, "VisibilityTimeout 2.5s", "in whole seconds"}},
		{"wait too long", []body{queue(QueueProps{ReceiveWaitTime: 21 * time.Second})}, []string{`queue "Jobs"`, "ReceiveWaitTime 21s", "0s–20s"}},
		{"max receive count", []body{queue(QueueProps{DeadLetterQueue: &QueueDeadLetter{MaxReceiveCount: 1001}})}, []string{`queue "Jobs"`, "DeadLetterQueue.MaxReceiveCount 1001"}},
		{"fifo queue with standard dlq", []body{func(s *Stack) any {
			return NewQueue(s, "Jobs", QueueProps{FIFO: true, DeadLetterQueue: &QueueDeadLetter{Queue: NewQueue(s, "Dlq", QueueProps{})}})
		}}, []string{`queue "Jobs"`, `DeadLetterQueue.Queue "Dlq"`, "a FIFO queue needs a FIFO dead-letter queue"}},
		{"dlq id taken", []body{func(s *Stack) any {
			NewTable(s, "Jobs_dlq", TableProps{Fields: map[string]string{"pk": "string"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}})
			return NewQueue(s, "Jobs", QueueProps{DeadLetterQueue: &QueueDeadLetter{}})
		}}, []string{`queue "Jobs"`, `dead-letter queue id "Jobs_dlq" collides`}},
		{"consumer handler twice", []body{queue(QueueProps{Consumer: &QueueConsumer{Handler: nodeHandler, Function: FunctionProps{Handler: nodeHandler}}})}, []string{`queue "Jobs": Consumer`, "not both"}},
		{"two consumers", []body{func(s *Stack) any {
			q := NewQueue(s, "Jobs", QueueProps{Consumer: &QueueConsumer{Handler: nodeHandler}})
			q.AddConsumer(QueueConsumer{Handler: nodeHandler})
			return q
		}}, []string{`queue "Jobs": Consumer`, "already has a consumer"}},
		{"fifo batch too large", []body{queue(QueueProps{FIFO: true, Consumer: &QueueConsumer{Handler: nodeHandler, BatchSize: 11}})}, []string{`queue "Jobs": Consumer`, "BatchSize 11", "FIFO"}},
		{"fifo batching window", []body{queue(QueueProps{FIFO: true, Consumer: &QueueConsumer{Handler: nodeHandler, BatchingWindow: time.Second}})}, []string{`queue "Jobs": Consumer`, "BatchingWindow", "FIFO queues do not support"}},
		{"large batch without window", []body{queue(QueueProps{Consumer: &QueueConsumer{Handler: nodeHandler, BatchSize: 50}})}, []string{`queue "Jobs": Consumer`, "BatchSize 50", "BatchingWindow of at least 1 second"}},
		{"batching window too long", []body{queue(QueueProps{Consumer: &QueueConsumer{Handler: nodeHandler, BatchingWindow: 301 * time.Second}})}, []string{`queue "Jobs": Consumer`, "BatchingWindow 5m1s", "0s–5m"}},
		{"visibility shorter than consumer", []body{queue(QueueProps{VisibilityTimeout: 20 * time.Second, Consumer: &QueueConsumer{Function: FunctionProps{Handler: nodeHandler, Timeout: time.Minute}}})}, []string{`queue "Jobs"`, "VisibilityTimeout 20s is shorter than the consumer's Timeout 1m"}},
		{"bad consumer function", []body{queue(QueueProps{Consumer: &QueueConsumer{Function: FunctionProps{Handler: nodeHandler, MemorySize: 64}}})}, []string{`function "Jobs_consumer"`, "MemorySize 64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.bodies...)...)
			wantContains(t, msg, tt.want...)
		})
	}
}

// TestQueueAndCronDevMode: `sst dev` synthesizes the stage's queue
// mappings disabled and its cron rules DISABLED (the CLI delivers their
// events to the local handlers), and the manifest carries what the CLI
// polls and fires by. A normal synth of the same app enables them.
func TestQueueAndCronDevMode(t *testing.T) {
	body := stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Jobs", QueueProps{})
		q.AddConsumer(QueueConsumer{Handler: nodeHandler, BatchSize: 20, BatchingWindow: 2 * time.Second, ReportBatchItemFailures: true})
		NewCron(s, "Tick", CronProps{Schedule: "rate(1 minute)", Handler: nodeHandler})
		NewCron(s, "Off", CronProps{Schedule: "rate(1 minute)", Handler: nodeHandler, Disabled: true})
		NewCron(s, "Report", CronProps{Schedule: "rate(1 hour)", Handler: nodeHandler, Cdk: CronCdkProps{
			Target: func(c *cloudwatcheventtarget.CloudwatchEventTargetConfig) { c.Input = strp(`{"report":"daily"}`) },
		}})
		NewScript(s, "Seed", ScriptProps{OnCreate: FunctionProps{Handler: nodeHandler}, OnUpdate: FunctionProps{Handler: nodeHandler},
			Params: map[string]any{"rows": 2}, Version: "v1"})
		NewTopic(s, "Events", TopicProps{Subscribers: map[string]TopicSubscriber{"audit": {Handler: nodeHandler, FilterPolicy: `{"kind":["order"]}`}}})
		NewEventBus(s, "Bus", EventBusProps{Rules: map[string]EventBusRule{
			"paid": {Pattern: EventBusPattern{DetailType: []string{"paid"}}, Targets: map[string]EventBusTarget{"bill": {Handler: nodeHandler, Retry: &EventBusRetry{Attempts: 2}}}},
			"both": {Pattern: EventBusPattern{Source: []string{"shop"}}, Targets: map[string]EventBusTarget{"a": {Handler: nodeHandler}, "b": {Handler: nodeHandler}}},
		}})
		NewBucket(s, "Files", BucketProps{Notifications: map[string]BucketNotification{"thumbs": {Handler: nodeHandler, Events: []string{"object_created"}, Prefix: "img/"}}})
		NewKinesisStream(s, "Clicks", KinesisStreamProps{Consumers: map[string]KinesisStreamConsumer{
			"counter": {Handler: nodeHandler, BatchSize: 7, StartingPosition: "TRIM_HORIZON", BisectBatchOnError: true, RetryAttempts: intp(1)},
			"plain":   {Handler: nodeHandler},
		}})
		return nil
	})
	opts := testOptions(t)
	opts.Mode = manifest.ModeDev
	s := synthOK(t, Config{Name: "notes"}, opts, body...)
	if got := s.resource(t, "First", "aws_lambda_event_source_mapping", "Jobs_consumer_mapping")["enabled"]; got != false {
		t.Errorf("dev mapping enabled = %v, want false", got)
	}
	if got := s.resource(t, "First", "aws_cloudwatch_event_rule", "Tick")["state"]; got != "DISABLED" {
		t.Errorf("dev cron rule state = %v, want DISABLED", got)
	}
	sub := s.resource(t, "First", "aws_sns_topic_subscription", "Events_subscription_audit")
	if sub["protocol"] != "sqs" || sub["endpoint"] != "${aws_sqs_queue.Events_subscriber_audit_dev.arn}" || sub["filter_policy"] != `{"kind":["order"]}` {
		t.Errorf("dev subscription = %v", jsonString(t, sub))
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_sqs_queue_policy", "Events_subscriber_audit_dev_policy")),
		`sns.amazonaws.com`, `sqs:SendMessage`, `${aws_sns_topic.Events.arn}`)
	data := map[string]map[string]string{}
	for _, c := range s.manifestStack(t, "First").Constructs {
		data[c.ID] = c.Data
	}
	want := map[string]string{manifest.QueueName: "test-notes-Jobs", manifest.QueueConsumer: "Jobs_consumer", manifest.QueueBatchSize: "20", manifest.QueueBatchWindow: "2", manifest.QueueReportFailures: "true"}
	if !reflect.DeepEqual(data["Jobs"], want) {
		t.Errorf("queue manifest data = %v, want %v", data["Jobs"], want)
	}
	want = map[string]string{manifest.CronSchedule: "rate(1 minute)", manifest.CronJob: "Tick_job", manifest.CronRuleName: "test-notes-Tick"}
	if !reflect.DeepEqual(data["Tick"], want) {
		t.Errorf("cron manifest data = %v, want %v", data["Tick"], want)
	}
	if data["Off"][manifest.CronDisabled] != "true" {
		t.Errorf("a disabled cron's manifest data = %v", data["Off"])
	}
	if got := data["Report"][manifest.CronInput]; got != `{"report":"daily"}` {
		t.Errorf("cron target input in the manifest = %q", got)
	}
	// The Script's deployed dispatcher calls nothing under sst dev (the
	// CLI runs the phase locally); its invocation is the same as a
	// deploy's, so the next sst deploy does not run a phase again.
	devDispatcher := jsonString(t, s.resource(t, "First", "aws_lambda_function", "Seed_dispatcher")["environment"])
	if strings.Contains(devDispatcher, "SST_SCRIPT_CREATE") || !strings.Contains(devDispatcher, "SST_SCRIPT_DEV") {
		t.Errorf("dev dispatcher environment = %s", devDispatcher)
	}
	devInvocation := jsonString(t, s.resource(t, "First", "aws_lambda_invocation", "Seed"))
	// Every function's deployed code is the relay stub, sending direct
	// invocations to the stack's request queue and reading the answers
	// from its response table, both dev-only.
	consumer := s.resource(t, "First", "aws_lambda_function", "Jobs_consumer")
	if consumer["handler"] != "index.handler" || consumer["runtime"] != "nodejs20.x" || !strings.Contains(jsonString(t, consumer["filename"]), "sst_dev_relay") {
		t.Errorf("dev function code = %v %v %v", consumer["handler"], consumer["runtime"], consumer["filename"])
	}
	wantContains(t, jsonString(t, consumer["environment"]), `"SST_DEV_RELAY_QUEUE":"${aws_sqs_queue.sst_dev_relay.url}"`,
		`"SST_DEV_RELAY_TABLE":"${aws_dynamodb_table.sst_dev_relay_responses.name}"`, `"SST_DEV_RELAY_FUNCTION":"Jobs_consumer"`)
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Jobs_consumer_policy")),
		`sqs:SendMessage`, `${aws_sqs_queue.sst_dev_relay.arn}`, `dynamodb:GetItem`, `dynamodb:DeleteItem`, `${aws_dynamodb_table.sst_dev_relay_responses.arn}`)
	if q := s.resource(t, "First", "aws_sqs_queue", "sst_dev_relay"); q["name"] != "test-notes-First_relay" {
		t.Errorf("relay queue = %v", jsonString(t, q))
	}
	if tb := s.resource(t, "First", "aws_dynamodb_table", "sst_dev_relay_responses"); tb["hash_key"] != "id" || !strings.Contains(jsonString(t, tb["ttl"]), `"attribute_name":"expires"`) {
		t.Errorf("relay table = %v", jsonString(t, tb))
	}
	if got := s.manifestStack(t, "First").DevRelay; got == nil || got.Queue != "test-notes-First_relay" || got.Table != "test-notes-First_relay" {
		t.Errorf("manifest relay = %+v", got)
	}
	if data["Seed"][manifest.ScriptParams] != `{"rows":2}` || data["Seed"][manifest.ScriptInvocation] != "aws_lambda_invocation.Seed" ||
		data["Seed"][manifest.ScriptCreateFunction] != "Seed_onCreate" {
		t.Errorf("script manifest data = %v", data["Seed"])
	}
	if got := data["Events"][manifest.DevQueues]; got != `[{"function":"Events_subscriber_audit","queue":"test-notes-Events_subscriber_audit_dev","source":"audit"}]` {
		t.Errorf("topic dev queues = %s", got)
	}
	if got := s.resource(t, "First", "aws_lambda_event_source_mapping", "Clicks_consumer_counter_mapping"); got["enabled"] != false || got["bisect_batch_on_function_error"] != true {
		t.Errorf("dev stream mapping = %v", jsonString(t, got))
	}
	if got := data["Clicks"][manifest.KinesisStreamConsumers]; got != `[{"name":"counter","function":"Clicks_consumer_counter","startingPosition":"TRIM_HORIZON","batchSize":7,"bisectBatchOnError":true,"retryAttempts":1},`+
		`{"name":"plain","function":"Clicks_consumer_plain","startingPosition":"LATEST","batchSize":100,"retryAttempts":-1}]` {
		t.Errorf("stream consumers = %s", got)
	}
	// The bus's function targets deliver to dev-only queues, keeping
	// their retry policy; a rule with two function targets names each.
	target := s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_paid_bill_target")
	if target["arn"] != "${aws_sqs_queue.Bus_paid_bill_dev.arn}" || jsonString(t, target["retry_policy"]) != `{"maximum_retry_attempts":2}` {
		t.Errorf("dev bus target = %v", jsonString(t, target))
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_sqs_queue_policy", "Bus_paid_bill_dev_policy")),
		`events.amazonaws.com`, `sqs:SendMessage`, `${aws_cloudwatch_event_rule.Bus_paid_rule.arn}`)
	if got := data["Bus"][manifest.DevQueues]; got != `[{"function":"Bus_both_a","queue":"test-notes-Bus_both_a_dev","source":"both/a"},`+
		`{"function":"Bus_both_b","queue":"test-notes-Bus_both_b_dev","source":"both/b"},{"function":"Bus_paid_bill","queue":"test-notes-Bus_paid_bill_dev","source":"paid"}]` {
		t.Errorf("bus dev queues = %s", got)
	}
	// The bucket notifies its dev-only queue with the same filters.
	notif := s.resource(t, "First", "aws_s3_bucket_notification", "Files_notifications")
	if _, ok := notif["lambda_function"]; ok || !strings.Contains(jsonString(t, notif["queue"]), `"filter_prefix":"img/","id":"thumbs","queue_arn":"${aws_sqs_queue.Files_notification_thumbs_dev.arn}"`) {
		t.Errorf("dev bucket notification = %v", jsonString(t, notif))
	}
	wantContains(t, jsonString(t, notif["depends_on"]), "aws_sqs_queue_policy.Files_notification_thumbs_dev_policy")
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_sqs_queue_policy", "Files_notification_thumbs_dev_policy")),
		`s3.amazonaws.com`, `${aws_s3_bucket.Files.arn}`)
	if got := data["Files"][manifest.DevQueues]; got != `[{"function":"Files_notification_thumbs","queue":"test-notes-Files_notification_thumbs_dev","source":"thumbs"}]` {
		t.Errorf("bucket dev queues = %s", got)
	}

	s = synthOK(t, Config{Name: "notes"}, testOptions(t), body...)
	if got, ok := s.resource(t, "First", "aws_lambda_event_source_mapping", "Jobs_consumer_mapping")["enabled"]; ok {
		t.Errorf("deploy mapping sets enabled = %v, want it left to Lambda's default (true)", got)
	}
	if got := s.resource(t, "First", "aws_cloudwatch_event_rule", "Tick")["state"]; got != "ENABLED" {
		t.Errorf("deploy cron rule state = %v", got)
	}
	if got := s.resource(t, "First", "aws_sns_topic_subscription", "Events_subscription_audit")["protocol"]; got != "lambda" {
		t.Errorf("deploy subscription protocol = %v", got)
	}
	if got := s.resource(t, "First", "aws_lambda_function", "Jobs_consumer"); got["handler"] != "index.handler" || got["runtime"] != "nodejs20.x" ||
		strings.Contains(jsonString(t, got), "sst_dev_relay") {
		t.Errorf("deploy function = %v", jsonString(t, got))
	}
	if got := s.resources("First", "aws_dynamodb_table"); len(got) != 0 || s.manifestStack(t, "First").DevRelay != nil {
		t.Errorf("a deploy has the relay table %v", keys(got))
	}
	if got := s.resources("First", "aws_sqs_queue"); len(got) != 1 {
		t.Errorf("a deploy has queues %v, want only Jobs", keys(got))
	}
	if got, ok := s.resource(t, "First", "aws_lambda_event_source_mapping", "Clicks_consumer_counter_mapping")["enabled"]; ok {
		t.Errorf("deploy stream mapping sets enabled = %v", got)
	}
	if got := s.resource(t, "First", "aws_cloudwatch_event_target", "Bus_paid_bill_target")["arn"]; got != "${aws_lambda_function.Bus_paid_bill.arn}" {
		t.Errorf("deploy bus target arn = %v", got)
	}
	if got := jsonString(t, s.resource(t, "First", "aws_s3_bucket_notification", "Files_notifications")["lambda_function"]); !strings.Contains(got, "${aws_lambda_function.Files_notification_thumbs.arn}") {
		t.Errorf("deploy bucket notification lambda_function = %s", got)
	}
	if got := jsonString(t, s.resource(t, "First", "aws_lambda_invocation", "Seed")); got != devInvocation {
		t.Errorf("the script's invocation differs between dev and deploy:\n%s\n%s", devInvocation, got)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Seed_dispatcher")["environment"]), "SST_SCRIPT_CREATE", "SST_SCRIPT_UPDATE")
	for _, c := range s.manifestStack(t, "First").Constructs {
		if c.Data[manifest.DevQueues] != "" {
			t.Errorf("a deploy's manifest names dev queues for %s", c.ID)
		}
	}
}
