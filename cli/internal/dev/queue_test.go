package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	neturl "net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

var (
	motoOnce sync.Once
	moto     *testenv.Moto
	motoErr  error
)

// motoSQS is an SQS client on this test binary's emulator, started by the
// first test that needs it (TestMain stops it).
func motoSQS(t *testing.T) *sqs.Client {
	return sqs.NewFromConfig(motoConfig(t))
}

// motoConfig is the SDK configuration of this test binary's emulator.
func motoConfig(t *testing.T) aws.Config {
	t.Helper()
	motoOnce.Do(func() { moto, motoErr = testenv.StartMoto() })
	if motoErr != nil {
		t.Fatalf("moto_server: %v", motoErr)
	}
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(moto.URL()),
	}
}

// queueWithDLQ creates a queue whose messages come back after 2 s and go
// to a dead-letter queue after two receives.
func queueWithDLQ(t *testing.T, api *sqs.Client, name string) (url, dlqURL string) {
	t.Helper()
	ctx := context.Background()
	dlq, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "_dlq")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{
		"VisibilityTimeout": "2",
		"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":2}`, attrs.Attributes["QueueArn"]),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return *q.QueueUrl, *dlq.QueueUrl
}

func send(t *testing.T, api *sqs.Client, url string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if _, err := api.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b),
			MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("test")}}}); err != nil {
			t.Fatal(err)
		}
	}
}

// bodies drains a queue (messages stay, invisible for its timeout) and
// returns what it held.
func bodies(t *testing.T, api *sqs.Client, url string) []string {
	t.Helper()
	out, err := api.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range out.Messages {
		got = append(got, *m.Body)
	}
	slices.Sort(got)
	return got
}

// runPoller polls name with the Node test handler as its consumer and
// returns the history it records into and the poller's log.
func runPoller(t *testing.T, api *sqs.Client, src QueueSource) (*History, func() []string) {
	t.Helper()
	h, err := NewHistory(newRuntime(t, 10*time.Second), filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logs []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p := &QueuePoller{Src: src, API: api, Inv: h, Region: "us-east-1", Wait: time.Second,
		Log: func(s string) { mu.Lock(); logs = append(logs, s); mu.Unlock() }}
	go func() { defer close(done); p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; h.Close() })
	return h, func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(logs) }
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestQueuePollerPartialBatchFailures: handled messages are deleted, the
// one the handler reports failed comes back after the visibility timeout
// and, after maxReceiveCount receives, SQS moves it to the dead-letter
// queue, as the event source mapping would leave it to.
func TestQueuePollerPartialBatchFailures(t *testing.T) {
	api := motoSQS(t)
	url, dlq := queueWithDLQ(t, api, "partial")
	send(t, api, url, "one", "fail-two", "three")
	h, logs := runPoller(t, api, QueueSource{Queue: "Jobs", Name: "partial", Function: "node", BatchSize: 10, Window: time.Second, ReportFailures: true})

	waitFor(t, "the failed message to reach the dead-letter queue", func() bool {
		return slices.Equal(bodies(t, api, dlq), []string{"fail-two"})
	})
	if got := bodies(t, api, url); len(got) != 0 {
		t.Errorf("the queue still holds %v: handled messages were not deleted", got)
	}
	recs := h.Records()
	if len(recs) < 2 {
		t.Fatalf("%d invocations, want the batch and the retry", len(recs))
	}
	first := string(recs[0].Request)
	for _, want := range []string{`"eventSource":"aws:sqs"`, `"eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:partial"`, `"body":"one"`, `"body":"fail-two"`, `"body":"three"`, `"receiptHandle"`, `"ApproximateReceiveCount":"1"`, `"messageAttributes":{"kind":{"binaryListValues":[],"dataType":"String","stringListValues":[],"stringValue":"test"}}`, `"awsRegion":"us-east-1"`} {
		if !strings.Contains(first, want) {
			t.Errorf("the first batch's event lacks %s:\n%s", want, first)
		}
	}
	if recs[0].Source != "queue Jobs" {
		t.Errorf("source %q, want queue Jobs", recs[0].Source)
	}
	retry := string(recs[1].Request)
	if !strings.Contains(retry, `"body":"fail-two"`) || strings.Contains(retry, `"body":"one"`) || !strings.Contains(retry, `"ApproximateReceiveCount":"2"`) {
		t.Errorf("the retry should hold only the failed message, received twice:\n%s", retry)
	}
	if !slices.ContainsFunc(logs(), func(s string) bool { return strings.Contains(s, "1 of 3 message(s) reported failed") }) {
		t.Errorf("the failure was not reported: %v", logs())
	}
}

// TestQueuePollerHandlerErrorRetriesTheBatch: a handler that throws
// deletes nothing; the batch comes back and, a replay aside, ends in the
// dead-letter queue whole.
func TestQueuePollerHandlerErrorRetriesTheBatch(t *testing.T) {
	api := motoSQS(t)
	url, dlq := queueWithDLQ(t, api, "throwing")
	send(t, api, url, "throw", "ok")
	h, logs := runPoller(t, api, QueueSource{Queue: "Jobs", Name: "throwing", Function: "node", BatchSize: 10, Window: time.Second})
	waitFor(t, "the batch to reach the dead-letter queue", func() bool {
		return slices.Equal(bodies(t, api, dlq), []string{"ok", "throw"})
	})
	if !slices.ContainsFunc(logs(), func(s string) bool { return strings.Contains(s, "the handler failed: 2 message(s) left on the queue") }) {
		t.Errorf("the failure was not reported: %v", logs())
	}
	// A recorded batch replays against the handler (its receipt handles
	// are stale: a replay deletes nothing).
	res, err := h.Replay(context.Background(), h.Records()[0].ID)
	if err != nil || res.Err == nil || !strings.Contains(res.Err.Message, "batch failed on purpose") {
		t.Errorf("replay: %v %v", err, res)
	}
	_ = url
}

// TestQueuePollerBatchSize: a batch never holds more than BatchSize
// messages.
func TestQueuePollerBatchSize(t *testing.T) {
	api := motoSQS(t)
	url, _ := queueWithDLQ(t, api, "sized")
	send(t, api, url, "a", "b", "c", "d", "e")
	h, _ := runPoller(t, api, QueueSource{Queue: "Jobs", Name: "sized", Function: "node", BatchSize: 2})
	waitFor(t, "all five messages to be handled", func() bool {
		n := 0
		for _, r := range h.Records() {
			n += strings.Count(string(r.Request), `"eventSource":"aws:sqs"`)
		}
		return n == 5
	})
	for _, r := range h.Records() {
		if n := strings.Count(string(r.Request), `"eventSource":"aws:sqs"`); n > 2 {
			t.Errorf("a batch of %d, want at most 2", n)
		}
	}
	if got := bodies(t, api, url); len(got) != 0 {
		t.Errorf("the queue still holds %v", got)
	}
}

func TestQueueSourcesFromTheManifest(t *testing.T) {
	m := &manifest.Manifest{Stacks: []manifest.Stack{{Constructs: []manifest.Construct{
		{ID: "Jobs", Type: "Queue", Data: map[string]string{manifest.QueueName: "dev-app-Jobs", manifest.QueueConsumer: "Jobs_consumer", manifest.QueueBatchSize: "20", manifest.QueueBatchWindow: "3", manifest.QueueReportFailures: "true"}},
		{ID: "Plain", Type: "Queue", Data: map[string]string{manifest.QueueName: "dev-app-Plain"}},
		{ID: "Old", Type: "Queue", Data: map[string]string{manifest.QueueName: "dev-app-Old", manifest.QueueConsumer: "Old_consumer"}},
		{ID: "Orders", Type: "EventBus", Data: map[string]string{manifest.DevQueues: `[{"function":"Orders_paid_bill","queue":"dev-app-Orders_paid_bill_dev","source":"paid"}]`}},
		{ID: "Files", Type: "Bucket", Data: map[string]string{manifest.DevQueues: `[{"function":"Files_notification_thumbs","queue":"q","source":"thumbs"}]`}},
		{ID: "Events", Type: "Topic", Data: map[string]string{manifest.DevQueues: `[{"function":"Events_subscriber_audit","queue":"t","source":"audit"}]`}},
		{ID: "Clicks", Type: "KinesisStream", Data: map[string]string{manifest.KinesisStreamName: "dev-app-Clicks",
			manifest.KinesisStreamConsumers: `[{"name":"counter","function":"Clicks_consumer_counter","startingPosition":"LATEST","batchSize":100,"retryAttempts":-1}]`}},
	}}}}
	got, err := QueueSources(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []QueueSource{
		{Queue: "Jobs", Name: "dev-app-Jobs", Function: "Jobs_consumer", BatchSize: 20, Window: 3 * time.Second, ReportFailures: true},
		{Queue: "Old", Name: "dev-app-Old", Function: "Old_consumer", BatchSize: 10},
		{Queue: "Orders", Via: viaBus, Source: "paid", Name: "dev-app-Orders_paid_bill_dev", Function: "Orders_paid_bill", BatchSize: 10},
		{Queue: "Files", Via: viaBucket, Source: "thumbs", Name: "q", Function: "Files_notification_thumbs", BatchSize: 10},
		{Queue: "Events", Via: viaTopic, Source: "audit", Name: "t", Function: "Events_subscriber_audit", BatchSize: 10},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	var labels []string
	for _, q := range got {
		labels = append(labels, q.Label())
	}
	if want := []string{"queue Jobs", "queue Old", "bus Orders paid", "bucket Files thumbs", "topic Events → Events_subscriber_audit"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	streams, err := StreamSources(m)
	if err != nil || len(streams) != 1 || streams[0].Label() != "stream Clicks counter" || streams[0].StreamName != "dev-app-Clicks" || streams[0].Consumer.RetryAttempts != -1 {
		t.Errorf("streams %+v, %v", streams, err)
	}
	m.Stacks[0].Constructs[3].Data[manifest.DevQueues] = `{"old":"map"}`
	if _, err := QueueSources(m); err == nil || !strings.Contains(err.Error(), "bus Orders: manifest devQueues: ") || !strings.Contains(err.Error(), "synthesize the app again") {
		t.Errorf("bad dev queues: %v", err)
	}
	m.Stacks[0].Constructs[6].Data[manifest.KinesisStreamConsumers] = `[{"name":"counter","startingPosition":"AT_TIMESTAMP","batchSize":100}]`
	if _, err := StreamSources(m); err == nil || !strings.Contains(err.Error(), `kinesis stream Clicks: consumer counter: manifest batch size 100, starting position "AT_TIMESTAMP"`) {
		t.Errorf("bad stream consumer: %v", err)
	}
	m.Stacks[0].Constructs[3].Data[manifest.DevQueues] = ""
	m.Stacks[0].Constructs[0].Data[manifest.QueueBatchSize] = "many"
	if _, err := QueueSources(m); err == nil || !strings.Contains(err.Error(), `queue Jobs: manifest batchSize "many"`) {
		t.Errorf("bad batch size: %v", err)
	}
}

// TestBatchItemFailures: Lambda's reading of a partial batch response.
func TestBatchItemFailures(t *testing.T) {
	msgs := []types.Message{{MessageId: aws.String("a")}, {MessageId: aws.String("b")}}
	tests := []struct {
		payload string
		want    []string
		err     string
	}{
		{``, nil, ""},
		{`null`, nil, ""},
		{`"done"`, nil, ""},
		{`{}`, nil, ""},
		{`{"batchItemFailures":[]}`, nil, ""},
		{`{"batchItemFailures":[{"itemIdentifier":"b"}]}`, []string{"b"}, ""},
		{`{"batchItemFailures":[{"itemIdentifier":"zzz"}]}`, nil, `itemIdentifier "zzz", which is not a message of this batch`},
		{`{"batchItemFailures":[{"itemIdentifier":""}]}`, nil, `itemIdentifier ""`},
		{`{"batchItemFailures":[{}]}`, nil, `itemIdentifier ""`},
		{`{"batchItemFailures":"b"}`, nil, "batchItemFailures is malformed"},
	}
	for _, tc := range tests {
		got, err := batchItemFailures([]byte(tc.payload), msgs)
		if !slices.Equal(got, tc.want) || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, %v; want %v, %q", tc.payload, got, err, tc.want, tc.err)
		}
	}
}

// TestTopicSubscriberViaDevQueue: under `sst dev` a topic's subscription
// delivers to a dev-only queue (SNS still applies the filter policy); the
// poller hands each notification to the subscriber as the SNS event, one
// per invocation, deletes it when handled and drops one that failed three
// times, as Lambda's async invoke does.
func TestTopicSubscriberViaDevQueue(t *testing.T) {
	api := motoSQS(t)
	ctx := context.Background()
	snsc := sns.NewFromConfig(motoConfig(t))
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events-dev"), Attributes: map[string]string{"VisibilityTimeout": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint:   aws.String("arn:aws:sqs:us-east-1:123456789012:events-dev"),
		Attributes: map[string]string{"FilterPolicy": `{"kind":["order"]}`}}); err != nil {
		t.Fatal(err)
	}
	publish := func(msg, kind string) {
		if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(msg), Subject: aws.String("s"),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String(kind)}}}); err != nil {
			t.Fatal(err)
		}
	}
	publish("filtered out", "audit")
	publish("hello", "order")
	publish("throw", "order")
	h, logs := runPoller(t, api, QueueSource{Queue: "Events", Via: viaTopic, Source: "audit", Name: "events-dev", Function: "node", BatchSize: 10})
	waitFor(t, "the failing notification to be dropped", func() bool {
		return slices.ContainsFunc(logs(), func(s string) bool { return strings.Contains(s, "failed 3 times: dropped") })
	})
	var hello, throws int
	for _, r := range h.Records() {
		req := string(r.Request)
		if strings.Contains(req, "filtered out") {
			t.Errorf("SNS's filter policy let through %s", req)
		}
		if r.Source != "topic Events → node" || strings.Count(req, `"EventSource":"aws:sns"`) != 1 || !strings.Contains(req, `"TopicArn":"`+*topic.TopicArn+`"`) ||
			!strings.Contains(req, `"MessageAttributes":{"kind":{"Type":"String","Value":"order"}}`) || !strings.Contains(req, `"Subject":"s"`) {
			t.Errorf("event %s from %q", req, r.Source)
		}
		if strings.Contains(req, `"Message":"hello"`) {
			hello++
		}
		if strings.Contains(req, `"Message":"throw"`) {
			throws++
		}
	}
	if hello != 1 || throws != 3 {
		t.Errorf("hello handled %d times (want 1), throw tried %d times (want 3)", hello, throws)
	}
	if got := bodies(t, api, *q.QueueUrl); len(got) != 0 {
		t.Errorf("the dev queue still holds %v", got)
	}
}

// TestBusAndBucketViaDevQueue: under `sst dev` a bus rule's function
// target and a bucket's function notification deliver to dev-only queues;
// the poller invokes the function once per message with the event
// EventBridge or S3 would have invoked it with, skips S3's test event,
// and drops an event that failed three times.
func TestBusAndBucketViaDevQueue(t *testing.T) {
	api := motoSQS(t)
	cfg := motoConfig(t)
	ctx := context.Background()
	devQueue := func(name string) (url, arn string) {
		q, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"VisibilityTimeout": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		return *q.QueueUrl, "arn:aws:sqs:us-east-1:123456789012:" + name
	}

	busURL, busQueue := devQueue("orders-paid-dev")
	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("paid"), EventBusName: aws.String("orders"), EventPattern: aws.String(`{"detail-type":["paid"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("paid"), EventBusName: aws.String("orders"),
		Targets: []ebtypes.Target{{Id: aws.String("bill"), Arn: aws.String(busQueue)}}}); err != nil {
		t.Fatal(err)
	}
	put := func(detailType, say string) {
		if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			EventBusName: aws.String("orders"), Source: aws.String("shop"), DetailType: aws.String(detailType), Detail: aws.String(`{"say":"` + say + `"}`),
		}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("refunded", "filtered out")
	put("paid", "hello")
	put("paid", "throw")

	bucketURL, bucketQueue := devQueue("files-thumbs-dev")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("files"),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			Id: aws.String("thumbs"), QueueArn: aws.String(bucketQueue), Events: []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{Name: "prefix", Value: aws.String("img/")}}}},
		}}}}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"doc/skipped.txt", "img/cat.png", "img/throw.png"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("files"), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}

	bus, busLogs := runPoller(t, api, QueueSource{Queue: "Orders", Via: viaBus, Source: "paid", Name: "orders-paid-dev", Function: "node", BatchSize: 10})
	bucket, bucketLogs := runPoller(t, api, QueueSource{Queue: "Files", Via: viaBucket, Source: "thumbs", Name: "files-thumbs-dev", Function: "node", BatchSize: 10})
	dropped := func(logs func() []string) func() bool {
		return func() bool {
			return slices.ContainsFunc(logs(), func(s string) bool { return strings.Contains(s, "failed 3 times: dropped") })
		}
	}
	waitFor(t, "the failing event to be dropped", dropped(busLogs))
	waitFor(t, "the failing notification to be dropped", dropped(bucketLogs))

	// Each invocation's event, read by the part that tells them apart.
	seen := func(h *History, label string, key func(r Record) string) map[string]int {
		n := map[string]int{}
		for _, r := range h.Records() {
			if r.Source != label {
				t.Errorf("invocation from %q, want %q", r.Source, label)
			}
			n[key(r)]++
		}
		return n
	}
	busSeen := seen(bus, "bus Orders paid", func(r Record) string {
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Detail     struct{ Say string }
		}
		if err := json.Unmarshal(r.Request, &ev); err != nil || ev.Source != "shop" || ev.DetailType != "paid" {
			t.Errorf("bus event %s (%v)", r.Request, err)
		}
		return ev.Detail.Say
	})
	if want := map[string]int{"hello": 1, "throw": 3}; !maps.Equal(busSeen, want) {
		t.Errorf("bus events by detail.say %v, want %v (the rule's pattern drops the refunded one)", busSeen, want)
	}
	bucketSeen := seen(bucket, "bucket Files thumbs", func(r Record) string {
		var ev struct {
			Records []struct {
				EventSource string `json:"eventSource"`
				EventName   string `json:"eventName"`
				S3          struct {
					ConfigurationID string `json:"configurationId"`
					Bucket          struct{ Name string }
					Object          struct{ Key string }
				} `json:"s3"`
			}
		}
		if err := json.Unmarshal(r.Request, &ev); err != nil || len(ev.Records) != 1 {
			t.Errorf("bucket event %s (%v)", r.Request, err)
			return ""
		}
		rec := ev.Records[0]
		if rec.EventSource != "aws:s3" || !strings.HasPrefix(rec.EventName, "ObjectCreated:") || rec.S3.ConfigurationID != "thumbs" || rec.S3.Bucket.Name != "files" {
			t.Errorf("bucket event %s", r.Request)
		}
		// S3 URL-encodes keys in events (moto also encodes "/").
		key, _ := neturl.QueryUnescape(rec.S3.Object.Key)
		return key
	})
	if want := map[string]int{"img/cat.png": 1, "img/throw.png": 3}; !maps.Equal(bucketSeen, want) {
		t.Errorf("bucket events by key %v, want %v (the prefix filter skips doc/)", bucketSeen, want)
	}
	for _, url := range []string{busURL, bucketURL} {
		if got := bodies(t, api, url); len(got) != 0 {
			t.Errorf("the dev queue still holds %v", got)
		}
	}
}

// TestDevQueueEvent: what each service writes to a dev-only queue becomes
// the event Lambda gets; what it never writes is dropped with the reason.
func TestDevQueueEvent(t *testing.T) {
	tests := []struct {
		via, body, want, err string
	}{
		{viaBus, `{"source":"shop","detail":{}}`, `{"source":"shop","detail":{}}`, ""},
		{viaBus, `not json`, "", "not an EventBridge event"},
		{viaBucket, `{"Records":[{"eventSource":"aws:s3"}]}`, `{"Records":[{"eventSource":"aws:s3"}]}`, ""},
		{viaBucket, `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"files"}`, "", ""},
		{viaBucket, `{"Records":[]}`, "", "not an S3 event (no Records)"},
		{viaBucket, `[1]`, "", "not an S3 event"},
		{viaTopic, `{"Type":"SubscriptionConfirmation"}`, "", "not an SNS notification"},
		{"carrier pigeon", `{}`, "", `unknown source "carrier pigeon"`},
	}
	for _, tc := range tests {
		got, err := devQueueEvent(tc.via, tc.body)
		if string(got) != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s %s: %s, %v; want %s, %q", tc.via, tc.body, got, err, tc.want, tc.err)
		}
	}
}

// unbuilt is a History whose function has no good build until built is
// set, as the server reports it (Server.BuildFailed).
type unbuilt struct {
	*History
	mu    sync.Mutex
	built bool
}

func (u *unbuilt) BuildFailed(string) bool { u.mu.Lock(); defer u.mu.Unlock(); return !u.built }

// TestQueuePollerHoldsMessagesWhileTheHandlerDoesNotBuild: no message is
// received (so none moves towards the dead-letter queue) while the
// consumer has no good build; once it builds, they are delivered.
func TestQueuePollerHoldsMessagesWhileTheHandlerDoesNotBuild(t *testing.T) {
	api := motoSQS(t)
	url, _ := queueWithDLQ(t, api, "unbuilt")
	send(t, api, url, "waits")
	h, err := NewHistory(newRuntime(t, 10*time.Second), filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	inv := &unbuilt{History: h}
	var mu sync.Mutex
	var logs []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p := &QueuePoller{Src: QueueSource{Queue: "Jobs", Name: "unbuilt", Function: "node", BatchSize: 10}, API: api, Inv: inv, Region: "us-east-1", Wait: time.Second,
		Log: func(s string) { mu.Lock(); logs = append(logs, s); mu.Unlock() }}
	go func() { defer close(done); p.Run(ctx) }()
	defer func() { cancel(); <-done; h.Close() }()
	time.Sleep(3 * time.Second)
	if n := len(h.Records()); n != 0 {
		t.Fatalf("%d invocations while the handler did not build", n)
	}
	attrs, err := api.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("the message should wait on the queue, visible: %v %v", attrs.Attributes, err)
	}
	inv.mu.Lock()
	inv.built = true
	inv.mu.Unlock()
	waitFor(t, "the message to be delivered once the handler built", func() bool { return len(h.Records()) == 1 })
	mu.Lock()
	defer mu.Unlock()
	if len(logs) < 2 || !strings.Contains(logs[0], "paused: node did not build") || logs[1] != "resumed: the handler built" {
		t.Errorf("logs %q", logs)
	}
}
