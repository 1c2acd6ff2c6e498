package dev

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sst-tf/sst/manifest"
)

// QueueSource is a Queue whose consumer `sst dev` runs locally: the CLI
// polls the real queue as the (disabled) event source mapping would.
type QueueSource struct {
	// Queue is the construct id, Name the physical queue name.
	Queue, Name string
	// Function is the consumer's function id.
	Function string
	// BatchSize is the most messages one invocation gets; Window how long
	// to gather them (0: invoke with what one receive returns).
	BatchSize int
	Window    time.Duration
	// ReportFailures is ReportBatchItemFailures: the handler names the
	// messages that failed and only those are retried.
	ReportFailures bool
	// Via, when set, makes this the dev-only queue a topic's
	// subscription ("topic"), a bus rule's target ("bus") or a bucket's
	// notification ("bucket") delivers to while `sst dev` runs; Queue is
	// then that construct's id and Source the subscriber, rule or
	// notification. Each message becomes one invocation with the event
	// that service gives Lambda, retried as Lambda retries an
	// asynchronous invocation.
	Via, Source string
}

// Label is how the terminal, the history and the console name the source.
func (q QueueSource) Label() string {
	switch q.Via {
	case "":
		return "queue " + q.Queue
	case viaTopic:
		return "topic " + q.Queue + " → " + q.Function
	}
	return q.Via + " " + q.Queue + " " + q.Source
}

// The services that deliver to a dev-only queue, by the construct type
// that declares it.
const (
	viaTopic  = "topic"
	viaBus    = "bus"
	viaBucket = "bucket"
)

var devQueueVia = map[string]string{"Topic": viaTopic, "EventBus": viaBus, "Bucket": viaBucket}

// QueueSources lists the manifest's queues that have a consumer.
func QueueSources(m *manifest.Manifest) ([]QueueSource, error) {
	var out []QueueSource
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			if c.Type != "Queue" || c.Data[manifest.QueueConsumer] == "" {
				continue
			}
			q := QueueSource{Queue: c.ID, Name: c.Data[manifest.QueueName], Function: c.Data[manifest.QueueConsumer], BatchSize: 10}
			if v := c.Data[manifest.QueueBatchSize]; v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("queue %s: manifest %s %q: synthesize the app again (sst deploy)", c.ID, manifest.QueueBatchSize, v)
				}
				q.BatchSize = n
			}
			if v := c.Data[manifest.QueueBatchWindow]; v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("queue %s: manifest %s %q: synthesize the app again (sst deploy)", c.ID, manifest.QueueBatchWindow, v)
				}
				q.Window = time.Duration(n) * time.Second
			}
			q.ReportFailures = c.Data[manifest.QueueReportFailures] == "true"
			out = append(out, q)
		}
		for _, c := range st.Constructs {
			raw, via := c.Data[manifest.DevQueues], devQueueVia[c.Type]
			if raw == "" || via == "" {
				continue
			}
			var queues []manifest.DevQueue
			if err := json.Unmarshal([]byte(raw), &queues); err != nil {
				return nil, fmt.Errorf("%s %s: manifest %s: %w (synthesize the app again: sst dev or sst deploy)", via, c.ID, manifest.DevQueues, err)
			}
			for _, q := range queues {
				out = append(out, QueueSource{Queue: c.ID, Via: via, Source: q.Source, Name: q.Queue, Function: q.Function, BatchSize: 10})
			}
		}
	}
	return out, nil
}

// QueueAPI is the part of SQS a poller uses; *sqs.Client implements it.
type QueueAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

// QueuePoller delivers a queue's messages to its local consumer with the
// semantics of Lambda's SQS event source mapping: batches of up to
// BatchSize gathered for up to Window, Lambda's event shape, handled
// messages deleted, failed ones left for SQS to redeliver after the
// visibility timeout and to move to the dead-letter queue after its
// maxReceiveCount.
type QueuePoller struct {
	Src    QueueSource
	API    QueueAPI
	Inv    Invoker
	Region string
	// Log reports what the terminal should know beyond the invocation
	// line (failed messages, SQS errors).
	Log func(string)
	// Wait is the long-poll wait of a receive with nothing gathered yet;
	// SQS's maximum, 20 s, unless a test shortens it.
	Wait time.Duration
}

// retryPause is how long a poller waits after an SQS error before trying
// again: the queue may be momentarily unreachable.
const retryPause = 2 * time.Second

// Run polls until ctx is done.
func (p *QueuePoller) Run(ctx context.Context) {
	url, arn, err := p.resolve(ctx)
	for err != nil {
		if ctx.Err() != nil {
			return
		}
		p.Log(fmt.Sprintf("cannot read the queue yet (%v); retrying", err))
		if !sleep(ctx, retryPause*5) {
			return
		}
		url, arn, err = p.resolve(ctx)
	}
	failing := false
	gate := buildGate{Inv: p.Inv, Function: p.Src.Function, Log: p.Log, Held: "its messages stay on the queue"}
	for ctx.Err() == nil {
		// A handler that does not build would fail every batch and push
		// the messages towards the dead-letter queue: leave them on the
		// queue until it builds.
		if gate.hold(ctx) {
			continue
		}
		msgs, err := p.gather(ctx, url)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				p.Log(fmt.Sprintf("receiving messages failed: %v (retrying every %s)", err, retryPause))
			}
			failing = true
			sleep(ctx, retryPause)
			continue
		}
		failing = false
		if len(msgs) > 0 {
			p.deliver(ctx, url, arn, msgs)
		}
	}
}

// buildGate holds a source's events while its function has no good build
// (Server.BuildFailed), saying so once, and when it builds again.
type buildGate struct {
	Inv      Invoker
	Function string
	Log      func(string)
	// Held says where the events wait meanwhile.
	Held   string
	paused bool
}

// hold reports whether the function has no good build, after a short
// pause.
func (g *buildGate) hold(ctx context.Context) bool {
	if b, ok := g.Inv.(interface{ BuildFailed(fn string) bool }); ok && b.BuildFailed(g.Function) {
		if !g.paused {
			g.Log(fmt.Sprintf("paused: %s did not build; %s until it does", g.Function, g.Held))
		}
		g.paused = true
		sleep(ctx, retryPause/4)
		return true
	}
	if g.paused {
		g.Log("resumed: the handler built")
		g.paused = false
	}
	return false
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (p *QueuePoller) resolve(ctx context.Context) (url, arn string, err error) {
	u, err := p.API.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(p.Src.Name)})
	if err != nil {
		return "", "", fmt.Errorf("queue %s (%s): %w", p.Src.Queue, p.Src.Name, err)
	}
	a, err := p.API.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", "", fmt.Errorf("queue %s (%s): %w", p.Src.Queue, p.Src.Name, err)
	}
	return aws.ToString(u.QueueUrl), a.Attributes[string(types.QueueAttributeNameQueueArn)], nil
}

// gather long-polls for the first messages, then, with a batching window,
// keeps receiving until the batch is full or the window has passed.
func (p *QueuePoller) gather(ctx context.Context, url string) ([]types.Message, error) {
	wait := p.Wait
	if wait == 0 {
		wait = 20 * time.Second
	}
	msgs, err := p.receive(ctx, url, p.Src.BatchSize, wait)
	if err != nil || len(msgs) == 0 || p.Src.Window == 0 {
		return msgs, err
	}
	deadline := time.Now().Add(p.Src.Window)
	for len(msgs) < p.Src.BatchSize {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		more, err := p.receive(ctx, url, p.Src.BatchSize-len(msgs), left)
		if err != nil {
			// What is in hand is still delivered; the error shows on the
			// next receive if it lasts.
			break
		}
		for _, m := range more {
			// A message whose visibility timeout ran out while the window
			// gathered comes again: keep its newest receipt handle only.
			if i := slices.IndexFunc(msgs, func(o types.Message) bool { return aws.ToString(o.MessageId) == aws.ToString(m.MessageId) }); i >= 0 {
				msgs[i] = m
				continue
			}
			msgs = append(msgs, m)
		}
	}
	return msgs, nil
}

func (p *QueuePoller) receive(ctx context.Context, url string, max int, wait time.Duration) ([]types.Message, error) {
	out, err := p.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         int32(min(max, 10)), // SQS's limit per receive
		WaitTimeSeconds:             int32(min(wait.Round(time.Second)/time.Second, 20)),
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// asyncAttempts is how often Lambda tries an asynchronous invocation (SNS,
// EventBridge, S3): once and two retries, then it drops the event.
const asyncAttempts = 3

// deliverEach invokes the function once per message of a dev-only queue
// with the event its service would have invoked it with, deleting the
// handled ones and, like Lambda's async invoke, dropping one that has
// failed asyncAttempts times.
func (p *QueuePoller) deliverEach(ctx context.Context, url string, msgs []types.Message) {
	var del []types.Message
	for _, m := range msgs {
		ev, err := devQueueEvent(p.Src.Via, aws.ToString(m.Body))
		if ev == nil {
			if err != nil {
				p.Log(fmt.Sprintf("message %s: %v: dropped", aws.ToString(m.MessageId), err))
			}
			del = append(del, m)
			continue
		}
		res, err := p.Inv.Invoke(ctx, p.Src.Function, ev, p.Src.Label())
		if ctx.Err() != nil {
			return
		}
		if err == nil && res.Err == nil {
			del = append(del, m)
			continue
		}
		n, _ := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		if n >= asyncAttempts {
			p.Log(fmt.Sprintf("message %s failed %d times: dropped, as Lambda drops an async event after two retries", aws.ToString(m.MessageId), n))
			del = append(del, m)
			continue
		}
		p.Log(fmt.Sprintf("message %s failed (attempt %d of %d): retried after the queue's visibility timeout", aws.ToString(m.MessageId), n, asyncAttempts))
	}
	p.delete(ctx, url, del)
}

// deliver invokes the consumer with one batch and deletes what it handled.
func (p *QueuePoller) deliver(ctx context.Context, url, arn string, msgs []types.Message) {
	if p.Src.Via != "" {
		p.deliverEach(ctx, url, msgs)
		return
	}
	payload, err := json.Marshal(SQSEvent(msgs, arn, p.Region))
	if err != nil {
		p.Log(fmt.Sprintf("encoding the event: %v", err))
		return
	}
	res, err := p.Inv.Invoke(ctx, p.Src.Function, payload, p.Src.Label())
	var failed []string
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return
		}
		p.Log(fmt.Sprintf("%d message(s) not delivered: %v; SQS makes them visible again after the visibility timeout", len(msgs), err))
		return
	case res.Err != nil:
		// The handler failed: like Lambda, the whole batch is retried.
		p.Log(fmt.Sprintf("the handler failed: %d message(s) left on the queue for retry (the dead-letter queue after maxReceiveCount)", len(msgs)))
		return
	case p.Src.ReportFailures:
		failed, err = batchItemFailures(res.Payload, msgs)
		if err != nil {
			p.Log(fmt.Sprintf("%v: the whole batch of %d is left for retry, as Lambda would", err, len(msgs)))
			return
		}
	}
	var handled []types.Message
	for _, m := range msgs {
		if !slices.Contains(failed, aws.ToString(m.MessageId)) {
			handled = append(handled, m)
		}
	}
	if len(failed) > 0 {
		p.Log(fmt.Sprintf("%d of %d message(s) reported failed: left on the queue for retry (the dead-letter queue after maxReceiveCount)", len(failed), len(msgs)))
	}
	p.delete(ctx, url, handled)
}

// delete deletes handled messages, even while stopping.
func (p *QueuePoller) delete(ctx context.Context, url string, msgs []types.Message) {
	var del []types.DeleteMessageBatchRequestEntry
	for i, m := range msgs {
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
	}
	for start := 0; start < len(del); start += 10 {
		chunk := del[start:min(start+10, len(del))]
		out, err := p.API.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: chunk})
		if err == nil && len(out.Failed) > 0 {
			err = errors.New(aws.ToString(out.Failed[0].Message))
		}
		if err != nil {
			p.Log(fmt.Sprintf("deleting handled messages failed: %v; SQS will deliver them again", err))
		}
	}
}

// batchItemFailures reads a partial batch response. Like Lambda, a
// response naming no failures means all succeeded, and one naming a
// message that is not in the batch (or none at all) fails the batch.
func batchItemFailures(payload []byte, msgs []types.Message) ([]string, error) {
	var resp struct {
		Failures []struct {
			ID *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(payload) == 0 || string(payload) == "null" {
		return nil, nil
	}
	if err := json.Unmarshal(payload, &resp); err != nil {
		// A response that is not a partial batch response (a string, a
		// number) counts as success, as it does in Lambda.
		var obj map[string]json.RawMessage
		if json.Unmarshal(payload, &obj) != nil {
			return nil, nil
		}
		return nil, fmt.Errorf("the handler's batchItemFailures is malformed (%v)", err)
	}
	var ids []string
	for _, f := range resp.Failures {
		id := aws.ToString(f.ID)
		if id == "" || !slices.ContainsFunc(msgs, func(m types.Message) bool { return aws.ToString(m.MessageId) == id }) {
			return nil, fmt.Errorf("the handler reported itemIdentifier %q, which is not a message of this batch", id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// devQueueEvent is the event Lambda would have been invoked with for a
// message a service wrote to a dev-only queue: nil with no error for a
// message no invocation comes of (S3's test event), nil with an error for
// one that is not what the service writes.
func devQueueEvent(via, body string) ([]byte, error) {
	switch via {
	case viaTopic:
		ev, err := SNSEvent(body)
		if err != nil {
			return nil, fmt.Errorf("not an SNS notification (%v)", err)
		}
		return ev, nil
	case viaBus:
		// EventBridge writes the event (or the target's input) itself.
		if !json.Valid([]byte(body)) {
			return nil, errors.New("not an EventBridge event (the body is not JSON)")
		}
		return []byte(body), nil
	case viaBucket:
		return S3Event(body)
	}
	return nil, fmt.Errorf("unknown source %q", via)
}

// S3Event is the event S3 invokes a function with, which is also what it
// writes to a queue; nil for the test event S3 sends when a
// notification configuration is saved, which Lambda never gets.
func S3Event(body string) ([]byte, error) {
	var ev struct {
		Event   string            `json:"Event"`
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, fmt.Errorf("not an S3 event (%v)", err)
	}
	if ev.Event == "s3:TestEvent" {
		return nil, nil
	}
	if len(ev.Records) == 0 {
		return nil, errors.New("not an S3 event (no Records)")
	}
	return []byte(body), nil
}

// SNSEvent is the event SNS delivers to a Lambda subscriber, made from the
// notification SNS wrote to the dev-only queue.
func SNSEvent(body string) ([]byte, error) {
	var n struct {
		Type, MessageID, TopicArn, Subject, Message, Timestamp      string
		SignatureVersion, Signature, SigningCertURL, UnsubscribeURL string
		MessageAttributes                                           map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(body), &n); err != nil {
		return nil, err
	}
	if n.Type != "Notification" || n.TopicArn == "" {
		return nil, fmt.Errorf("type %q, topic %q", n.Type, n.TopicArn)
	}
	attrs := map[string]any{}
	for k, v := range n.MessageAttributes {
		attrs[k] = map[string]string{"Type": v.Type, "Value": v.Value}
	}
	sub := n.TopicArn
	if u, err := url.Parse(n.UnsubscribeURL); err == nil && u.Query().Get("SubscriptionArn") != "" {
		sub = u.Query().Get("SubscriptionArn")
	}
	var subject any
	if n.Subject != "" {
		subject = n.Subject
	}
	return json.Marshal(map[string]any{"Records": []any{map[string]any{
		"EventVersion": "1.0", "EventSubscriptionArn": sub, "EventSource": "aws:sns",
		"Sns": map[string]any{
			"Type": n.Type, "MessageId": n.MessageID, "TopicArn": n.TopicArn, "Subject": subject,
			"Message": n.Message, "Timestamp": n.Timestamp, "SignatureVersion": n.SignatureVersion,
			"Signature": n.Signature, "SigningCertUrl": n.SigningCertURL, "UnsubscribeUrl": n.UnsubscribeURL,
			"MessageAttributes": attrs,
		},
	}}})
}

// SQSEvent is the event Lambda delivers for a batch of SQS messages.
func SQSEvent(msgs []types.Message, arn, region string) map[string]any {
	records := make([]map[string]any, 0, len(msgs))
	for _, m := range msgs {
		attrs := map[string]any{}
		for k, v := range m.MessageAttributes {
			a := map[string]any{"dataType": aws.ToString(v.DataType), "stringListValues": orEmpty(v.StringListValues), "binaryListValues": orEmpty(v.BinaryListValues)}
			if v.StringValue != nil {
				a["stringValue"] = *v.StringValue
			}
			if v.BinaryValue != nil {
				a["binaryValue"] = v.BinaryValue // base64 in JSON, as Lambda sends it
			}
			attrs[k] = a
		}
		sys := map[string]string{}
		for k, v := range m.Attributes {
			sys[k] = v
		}
		r := map[string]any{
			"messageId":         aws.ToString(m.MessageId),
			"receiptHandle":     aws.ToString(m.ReceiptHandle),
			"body":              aws.ToString(m.Body),
			"attributes":        sys,
			"messageAttributes": attrs,
			"md5OfBody":         aws.ToString(m.MD5OfBody),
			"eventSource":       "aws:sqs",
			"eventSourceARN":    arn,
			"awsRegion":         region,
		}
		if m.MD5OfMessageAttributes != nil {
			r["md5OfMessageAttributes"] = *m.MD5OfMessageAttributes
		}
		records = append(records, r)
	}
	return map[string]any{"Records": records}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
