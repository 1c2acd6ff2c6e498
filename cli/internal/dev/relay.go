package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sst-tf/sst/internal/devrelay"
	"github.com/sst-tf/sst/manifest"
)

// RelaySource is a stack's relay: the request queue its functions' stubs
// send direct invocations to, and the table `sst dev` answers them in.
type RelaySource struct {
	Stack string
	// Queue is the request queue's name, Table the response table's.
	Queue, Table string
}

// Label is how the terminal names the poller.
func (r RelaySource) Label() string { return "relay " + r.Stack }

// RelaySources lists the manifest's relays (a dev stage's stacks with
// functions).
func RelaySources(m *manifest.Manifest) []RelaySource {
	var out []RelaySource
	for _, st := range m.Stacks {
		if r := st.DevRelay; r != nil {
			out = append(out, RelaySource{Stack: st.Name, Queue: r.Queue, Table: r.Table})
		}
	}
	return out
}

// relaySource is the label of an invocation that reached the local
// handler through the deployed stub.
const relaySource = "lambda:Invoke (deployed)"

// RelayQueueAPI is the part of the SQS API the relay polls with.
type RelayQueueAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// RelayDB is the part of the DynamoDB API the relay answers with.
type RelayDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// RelayPoller takes the invocations the stubs of a stack's functions send
// to its request queue, runs each on the local handler and writes the
// handler's response (or error) where the waiting stub reads it.
type RelayPoller struct {
	Src RelaySource
	API RelayQueueAPI
	DB  RelayDB
	Inv Invoker
	Log func(string)
	// Now is the clock deadlines are checked by (nil: the wall clock).
	Now func() time.Time
}

// Run polls until ctx is done, and waits for the invocations it started.
func (p *RelayPoller) Run(ctx context.Context) {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	url, err := p.API.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(p.Src.Queue)})
	if err != nil {
		if ctx.Err() == nil {
			p.Log(fmt.Sprintf("cannot find the request queue %s: %v; direct invocations of the deployed functions are not answered", p.Src.Queue, err))
		}
		return
	}
	var running sync.WaitGroup
	defer running.Wait()
	for ctx.Err() == nil {
		out, err := p.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20})
		if err != nil {
			if ctx.Err() == nil {
				p.Log(fmt.Sprintf("receive: %v (retrying)", err))
				sleep(ctx, time.Second)
			}
			continue
		}
		for _, msg := range out.Messages {
			// Each request is answered or dropped once: a redelivery would
			// run the handler again for a caller that is gone.
			if _, err := p.API.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url.QueueUrl, ReceiptHandle: msg.ReceiptHandle}); err != nil && ctx.Err() == nil {
				p.Log(fmt.Sprintf("delete a request: %v", err))
			}
			var req devrelay.Request
			if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &req); err != nil || req.ID == "" || req.Function == "" {
				p.Log(fmt.Sprintf("dropped a message that is not a stub's request: %.200s", aws.ToString(msg.Body)))
				continue
			}
			if late := now().Sub(time.UnixMilli(req.Deadline)); late > 0 {
				p.Log(fmt.Sprintf("dropped an invocation of %s that waited past its caller's timeout (by %s; sst dev was not running)", req.Function, late.Round(time.Second)))
				continue
			}
			running.Add(1)
			go func() {
				defer running.Done()
				p.answer(ctx, req, now)
			}()
		}
	}
}

// answer runs one request and writes its response for the stub.
func (p *RelayPoller) answer(ctx context.Context, req devrelay.Request, now func() time.Time) {
	item := map[string]ddbtypes.AttributeValue{
		devrelay.AttrID:      &ddbtypes.AttributeValueMemberS{Value: req.ID},
		devrelay.AttrExpires: &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(now().Add(time.Hour).Unix(), 10)},
	}
	callCtx, cancel := context.WithDeadline(ctx, time.UnixMilli(req.Deadline))
	res, err := p.Inv.Invoke(callCtx, req.Function, []byte(req.Payload), relaySource)
	cancel()
	if ctx.Err() != nil {
		return
	}
	switch {
	case err != nil:
		b, _ := json.Marshal(FunctionError{Type: "SstDevError", Message: err.Error()})
		item[devrelay.AttrError] = &ddbtypes.AttributeValueMemberS{Value: string(b)}
	case res.Err != nil:
		b, _ := json.Marshal(res.Err)
		item[devrelay.AttrError] = &ddbtypes.AttributeValueMemberS{Value: string(b)}
	default:
		payload := string(res.Payload)
		if payload == "" {
			payload = "null"
		}
		item[devrelay.AttrPayload] = &ddbtypes.AttributeValueMemberS{Value: payload}
	}
	if _, err := p.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(p.Src.Table), Item: item}); err != nil && ctx.Err() == nil {
		p.Log(fmt.Sprintf("answer the invocation of %s: %v", req.Function, err))
	}
}
