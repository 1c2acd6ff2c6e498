package sst

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdaeventsourcemapping"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/manifest"
)

// QueueProps configure an SQS queue. The zero value is a standard queue
// with SQS's defaults (30 s visibility, 4 days retention).
type QueueProps struct {
	// FIFO makes a first-in-first-out queue; its name gets ".fifo".
	FIFO bool
	// ContentBasedDeduplication (FIFO only) dedupes on a hash of the body,
	// so senders need no MessageDeduplicationId.
	ContentBasedDeduplication bool
	// VisibilityTimeout, in whole seconds up to 12h. Default 30s, raised to
	// the consumer's timeout when that is longer: Lambda refuses to poll a
	// queue whose messages would reappear while the function still works
	// on them.
	VisibilityTimeout time.Duration
	// RetentionPeriod, in whole seconds from 1m to 14 days. Default 4 days.
	RetentionPeriod time.Duration
	// DeliveryDelay, in whole seconds up to 15m.
	DeliveryDelay time.Duration
	// ReceiveWaitTime, in whole seconds up to 20s (long polling).
	ReceiveWaitTime time.Duration
	// DeadLetterQueue moves messages that failed MaxReceiveCount times.
	DeadLetterQueue *QueueDeadLetter
	// Consumer is the function that processes messages. At most one.
	Consumer *QueueConsumer
	// Cdk passes raw configuration through, for what these props do not
	// cover (KMS keys, redrive allow policies, …).
	Cdk QueueCdkProps
}

// QueueCdkProps is the escape hatch into the raw resource configuration.
type QueueCdkProps struct {
	// Queue edits the aws_sqs_queue config just before it is created.
	Queue func(*sqsqueue.SqsQueueConfig)
}

// QueueDeadLetter configures a dead-letter queue.
type QueueDeadLetter struct {
	// Queue receives the failed messages. Nil creates one, "<id>_dlq",
	// keeping messages 14 days (SQS's maximum) to leave time to inspect them.
	Queue *Queue
	// MaxReceiveCount is how often a message is tried, 1–1000. Default 3.
	MaxReceiveCount int
}

// QueueConsumer is the function that processes a queue's messages.
type QueueConsumer struct {
	// Handler is a shorthand for Function.Handler.
	Handler  string
	Function FunctionProps
	// BatchSize is how many messages one invocation gets: 1–10 for FIFO
	// queues, 1–10000 otherwise (above 10 needs a BatchingWindow). Default 10.
	BatchSize int
	// BatchingWindow is how long Lambda gathers messages before invoking,
	// in whole seconds up to 5m. Not available on FIFO queues.
	BatchingWindow time.Duration
	// ReportBatchItemFailures lets the handler return the ids of failed
	// messages so only those are retried (partial batch responses).
	ReportBatchItemFailures bool
}

// Queue is an SQS queue.
type Queue struct {
	stack    *Stack
	qid      string
	name     string
	fifo     bool
	props    QueueProps
	consumer *Function
	// consumed is the consumer's mapping settings, for the manifest.
	consumed QueueConsumer
	dlq      *Queue
	// sources are services allowed to send to the queue (bucket
	// notifications, topic subscriptions), collected into one policy: SQS
	// has a single policy per queue.
	sources []servicePermission

	Cdk struct {
		Queue   sqsqueue.SqsQueue
		Policy  sqsqueuepolicy.SqsQueuePolicy
		Mapping lambdaeventsourcemapping.LambdaEventSourceMapping
	}
}

// servicePermission lets an AWS service principal act on a resource for one
// source ARN.
type servicePermission struct {
	sid, service, action, sourceArn string
}

// NewQueue declares an SQS queue.
func NewQueue(s *Stack, id string, props QueueProps) *Queue {
	q := &Queue{stack: s, qid: id, fifo: props.FIFO, props: props}
	if !s.app.claimID(s, id, "Queue") {
		return q
	}
	a := s.app
	where := fmt.Sprintf("stack %s: queue %q", s.name, id)
	errs := len(a.errs)
	if props.ContentBasedDeduplication && !props.FIFO {
		a.errorf("%s: ContentBasedDeduplication needs FIFO: true (standard queues do not deduplicate)", where)
	}
	durations := []error{
		checkDuration("VisibilityTimeout", props.VisibilityTimeout, 0, maxVisibilityTimeout, time.Second),
		checkDuration("DeliveryDelay", props.DeliveryDelay, 0, 15*time.Minute, time.Second),
		checkDuration("ReceiveWaitTime", props.ReceiveWaitTime, 0, 20*time.Second, time.Second),
	}
	if props.RetentionPeriod != 0 {
		durations = append(durations, checkDuration("RetentionPeriod", props.RetentionPeriod, time.Minute, maxQueueRetention, time.Second))
	}
	for _, err := range durations {
		if err != nil {
			a.errorf("%s: %v", where, err)
		}
	}
	if d := props.DeadLetterQueue; d != nil {
		if d.MaxReceiveCount != 0 {
			checkRange(a, where, "DeadLetterQueue.MaxReceiveCount", d.MaxReceiveCount, 1, 1000, "")
		}
		if d.Queue != nil && d.Queue.Cdk.Queue != nil && d.Queue.fifo != props.FIFO {
			a.errorf("%s: DeadLetterQueue.Queue %q: a %s queue needs a %s dead-letter queue", where, d.Queue.qid, queueKind(props.FIFO), queueKind(props.FIFO))
		}
		if d.Queue == q {
			a.errorf("%s: DeadLetterQueue.Queue is the queue itself", where)
		}
	}
	if len(a.errs) > errs {
		return q
	}

	// Encrypted at rest with SQS-owned keys: free, and transparent to
	// every producer and consumer (a KMS key set through Cdk replaces it).
	cfg := &sqsqueue.SqsQueueConfig{Name: jsii.String(naming.SQS(s.Stage(), a.cfg.Name, id, props.FIFO)), SqsManagedSseEnabled: jsii.Bool(true)}
	if props.FIFO {
		cfg.FifoQueue = jsii.Bool(true)
		if props.ContentBasedDeduplication {
			cfg.ContentBasedDeduplication = jsii.Bool(true)
		}
	}
	if props.VisibilityTimeout != 0 {
		cfg.VisibilityTimeoutSeconds = jsii.Number(seconds(props.VisibilityTimeout))
	}
	if props.RetentionPeriod != 0 {
		cfg.MessageRetentionSeconds = jsii.Number(seconds(props.RetentionPeriod))
	}
	if props.DeliveryDelay != 0 {
		cfg.DelaySeconds = jsii.Number(seconds(props.DeliveryDelay))
	}
	if props.ReceiveWaitTime != 0 {
		cfg.ReceiveWaitTimeSeconds = jsii.Number(seconds(props.ReceiveWaitTime))
	}
	if d := props.DeadLetterQueue; d != nil {
		q.dlq = d.Queue
		if q.dlq == nil {
			q.dlq = q.newDeadLetterQueue()
		}
		if q.dlq != nil && q.dlq.Cdk.Queue != nil {
			count := d.MaxReceiveCount
			if count == 0 {
				count = 3
			}
			cfg.RedrivePolicy = jsii.String(fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%d}`, q.dlq.Arn(), count))
		}
	}
	if props.Cdk.Queue != nil {
		props.Cdk.Queue(cfg)
	}
	q.name = a.claim(naming.KindSQS, cfg.Name, id)
	if cfg.KmsMasterKeyId != nil {
		cfg.SqsManagedSseEnabled = nil // the provider refuses both
	}
	q.Cdk.Queue = sqsqueue.NewSqsQueue(s.tf, jsii.String(id), cfg)
	s.add(q)
	if c := props.Consumer; c != nil {
		q.AddConsumer(*c)
	}
	return q
}

func queueKind(fifo bool) string {
	if fifo {
		return "FIFO"
	}
	return "standard"
}

// newDeadLetterQueue creates the queue's own dead-letter queue. Its id
// joins the app-wide id space, as owned functions do.
func (q *Queue) newDeadLetterQueue() *Queue {
	s, a := q.stack, q.stack.app
	id := q.qid + "_dlq"
	if other, ok := a.ids[id]; ok {
		a.errorf("stack %s: queue %q: its dead-letter queue id %q collides with a construct in stack %s: rename one, or pass DeadLetterQueue.Queue", s.name, q.qid, id, other)
		return nil
	}
	a.ids[id] = s.name
	a.owners[id] = "the dead-letter queue of " + a.owner(q.qid)
	d := &Queue{stack: s, qid: id, fifo: q.fifo}
	d.name = a.names.SQS(a.owner(id), id, q.fifo)
	cfg := &sqsqueue.SqsQueueConfig{
		Name:                    jsii.String(d.name),
		MessageRetentionSeconds: jsii.Number(seconds(maxQueueRetention)),
		SqsManagedSseEnabled:    jsii.Bool(true),
	}
	if q.fifo {
		cfg.FifoQueue = jsii.Bool(true)
	}
	d.Cdk.Queue = sqsqueue.NewSqsQueue(s.tf, jsii.String(id), cfg)
	s.add(d)
	return d
}

// SQS's limits.
const (
	maxVisibilityTimeout = 12 * time.Hour
	maxQueueRetention    = 14 * Day
	// defaultVisibilityTimeout is SQS's, kept unless a consumer needs more.
	defaultVisibilityTimeout = 30 * time.Second
)

func checkRange(a *App, where, prop string, v, lo, hi int, unit string) {
	if v < lo || v > hi {
		if unit != "" {
			unit = " " + unit
		}
		a.errorf("%s: %s %d: must be %d–%d%s", where, prop, v, lo, hi, unit)
	}
}

// AddConsumer sets the queue's consumer function (SST's addConsumer). A
// queue has at most one.
func (q *Queue) AddConsumer(c QueueConsumer) {
	s, a := q.stack, q.stack.app
	where := fmt.Sprintf("stack %s: queue %q: Consumer", s.name, q.qid)
	if q.Cdk.Queue == nil {
		return
	}
	if q.consumer != nil {
		a.errorf("%s: the queue already has a consumer; a queue has at most one (use a Topic to fan out)", where)
		return
	}
	if c.Handler != "" && c.Function.Handler != "" {
		a.errorf("%s: set Handler or Function.Handler, not both", where)
		return
	}
	props := c.Function
	if c.Handler != "" {
		props.Handler = c.Handler
	}
	errs := len(a.errs)
	batch := c.BatchSize
	if batch == 0 {
		batch = 10
	}
	if q.fifo {
		checkRange(a, where, "BatchSize", batch, 1, 10, "messages on a FIFO queue")
		if c.BatchingWindow != 0 {
			a.errorf("%s: BatchingWindow: FIFO queues do not support a batching window; remove it", where)
		}
	} else {
		checkRange(a, where, "BatchSize", batch, 1, 10000, "messages")
		if err := checkDuration("BatchingWindow", c.BatchingWindow, 0, 5*time.Minute, time.Second); err != nil {
			a.errorf("%s: %v", where, err)
		}
		if batch > 10 && c.BatchingWindow == 0 {
			a.errorf("%s: BatchSize %d: above 10 messages Lambda needs a BatchingWindow of at least 1 second", where, batch)
		}
	}
	if len(a.errs) > errs {
		return
	}
	fid := q.qid + "_consumer"
	fn := newFunction(s, q.qid, fid, props)
	if fn.Cdk.Function == nil {
		return
	}
	if v := q.props.VisibilityTimeout; v != 0 && v < fn.props.Timeout {
		a.errorf("stack %s: queue %q: VisibilityTimeout %s is shorter than the consumer's Timeout %s: Lambda requires it to be at least as long (raise it, or leave it 0 to follow the function)", s.name, q.qid, formatDuration(v), formatDuration(fn.props.Timeout))
		return
	}
	fn.AttachPermissions(Allow([]string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, q.Arn()))
	cfg := &lambdaeventsourcemapping.LambdaEventSourceMappingConfig{
		EventSourceArn: q.Cdk.Queue.Arn(),
		FunctionName:   fn.Cdk.Function.Arn(),
		BatchSize:      jsii.Number(float64(batch)),
	}
	if c.BatchingWindow != 0 {
		cfg.MaximumBatchingWindowInSeconds = jsii.Number(seconds(c.BatchingWindow))
	}
	if c.ReportBatchItemFailures {
		cfg.FunctionResponseTypes = jsii.Strings("ReportBatchItemFailures")
	}
	if a.opts.Mode == manifest.ModeDev {
		// `sst dev` polls the queue itself and runs the local handler; a
		// mapping left enabled would race it for every message.
		cfg.Enabled = jsii.Bool(false)
	}
	// Lambda checks the role can read the queue when the mapping is created.
	m := lambdaeventsourcemapping.NewLambdaEventSourceMapping(s.tf, jsii.String(fid+"_mapping"), cfg)
	m.AddOverride(jsii.String("depends_on"), []string{"aws_iam_role_policy." + fid + "_policy"})
	q.Cdk.Mapping = m
	q.consumer = fn
	c.BatchSize = batch
	q.consumed = c
}

// allow lets an AWS service send to the queue on behalf of sourceArn.
func (q *Queue) allow(sid, service, sourceArn string) {
	q.sources = append(q.sources, servicePermission{sid: sid, service: service, action: "sqs:SendMessage", sourceArn: sourceArn})
}

// QueueName is the physical queue name.
func (q *Queue) QueueName() string { return q.name }

// Arn is the queue's ARN (a token until deploy); "" when the queue failed
// validation.
func (q *Queue) Arn() string {
	if q.Cdk.Queue == nil {
		return ""
	}
	return *q.Cdk.Queue.Arn()
}

// URL is the queue's URL (a token until deploy).
func (q *Queue) URL() string {
	if q.Cdk.Queue == nil {
		return ""
	}
	return *q.Cdk.Queue.Url()
}

// ID is the construct id.
func (q *Queue) ID() string { return q.qid }

// FIFO reports whether this is a FIFO queue.
func (q *Queue) FIFO() bool { return q.fifo }

// ConsumerFunction is the consumer, or nil.
func (q *Queue) ConsumerFunction() *Function { return q.consumer }

// DeadLetterQueue is the dead-letter queue, or nil.
func (q *Queue) DeadLetterQueue() *Queue { return q.dlq }

// queueActions are what a bound function may do with messages; the
// batch APIs are authorized by these same actions. Never the control plane
// (CreateQueue, DeleteQueue, SetQueueAttributes, PurgeQueue).
var queueActions = []string{
	"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
	"sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage",
}

// Binding gives functions the queue URL (SST_Queue_queueUrl_<id>) and
// message access to this queue only.
func (q *Queue) Binding() Binding {
	return Binding{
		Type:        "Queue",
		ID:          q.qid,
		Variables:   map[string]string{"queueUrl": q.URL()},
		Permissions: []Statement{Allow(queueActions, q.Arn())},
	}
}

func (q *Queue) id() string { return q.qid }

func (q *Queue) functions() []*Function {
	if q.consumer == nil {
		return nil
	}
	return []*Function{q.consumer}
}

func (q *Queue) finalize() {
	if q.Cdk.Queue == nil {
		return
	}
	if c := q.consumer; c != nil {
		if q.props.VisibilityTimeout == 0 && c.props.Timeout > defaultVisibilityTimeout {
			q.Cdk.Queue.SetVisibilityTimeoutSeconds(jsii.Number(seconds(c.props.Timeout)))
		}
	}
	if len(q.sources) > 0 {
		q.Cdk.Policy = sqsqueuepolicy.NewSqsQueuePolicy(q.stack.tf, jsii.String(q.qid+"_policy"), &sqsqueuepolicy.SqsQueuePolicyConfig{
			QueueUrl: q.Cdk.Queue.Url(),
			Policy:   jsii.String(servicePolicy(q.Arn(), q.sources)),
		})
	}
}

func (q *Queue) describe() manifest.Construct {
	d := map[string]string{manifest.QueueName: q.name}
	if q.consumer != nil {
		d[manifest.QueueConsumer] = q.consumer.fid
		d[manifest.QueueBatchSize] = fmt.Sprint(q.consumed.BatchSize)
		if w := q.consumed.BatchingWindow; w != 0 {
			d[manifest.QueueBatchWindow] = fmt.Sprint(int(seconds(w)))
		}
		if q.consumed.ReportBatchItemFailures {
			d[manifest.QueueReportFailures] = "true"
		}
	}
	if q.dlq != nil {
		d[manifest.QueueDeadLetterQueue] = q.dlq.qid
	}
	return manifest.Construct{ID: q.qid, Type: "Queue", Path: q.qid, Data: d}
}

// servicePolicy is a resource policy letting AWS services act on resource,
// each only on behalf of its own source ARN (so no other account's bucket
// or topic can use the grant).
func servicePolicy(resource string, perms []servicePermission) string {
	type stmt struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Principal map[string]string            `json:"Principal"`
		Action    string                       `json:"Action"`
		Resource  string                       `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition"`
	}
	doc := struct {
		Version   string `json:"Version"`
		Statement []stmt `json:"Statement"`
	}{Version: "2012-10-17"}
	seen := map[string]bool{}
	for _, p := range perms {
		key := p.service + "|" + p.action + "|" + p.sourceArn
		if seen[key] {
			continue
		}
		seen[key] = true
		doc.Statement = append(doc.Statement, stmt{
			Sid:       p.sid,
			Effect:    "Allow",
			Principal: map[string]string{"Service": p.service},
			Action:    p.action,
			Resource:  resource,
			Condition: map[string]map[string]string{"ArnEquals": {"aws:SourceArn": p.sourceArn}},
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
	return strings.TrimSpace(buf.String())
}

// sid makes a policy statement id from construct ids: IAM allows only
// [A-Za-z0-9].
func sid(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, c := range p {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				b.WriteRune(c)
			}
		}
	}
	return b.String()
}
