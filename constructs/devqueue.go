package sst

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/manifest"
)

// newDevQueue is the dev-only queue that, under `sst dev`, receives what
// an AWS service (SNS, EventBridge, S3) would invoke function fid with:
// the CLI polls it and runs the function locally, and the next `sst
// deploy` points the service back at the function and removes the queue.
// Its policy lets only from (the topic, rule or bucket) send to it.
func newDevQueue(s *Stack, fid string, fifo bool, from servicePermission) *Queue {
	a := s.app
	id := fid + "_dev"
	q := &Queue{stack: s, qid: id, fifo: fifo}
	cfg := &sqsqueue.SqsQueueConfig{Name: jsii.String(naming.SQS(s.Stage(), a.cfg.Name, id, fifo)), SqsManagedSseEnabled: jsii.Bool(true)}
	if fifo {
		cfg.FifoQueue = jsii.Bool(true)
	}
	q.name = a.claim(naming.KindSQS, cfg.Name, id)
	q.Cdk.Queue = sqsqueue.NewSqsQueue(s.tf, jsii.String(id), cfg)
	from.action = "sqs:SendMessage"
	q.Cdk.Policy = sqsqueuepolicy.NewSqsQueuePolicy(s.tf, jsii.String(id+"_policy"), &sqsqueuepolicy.SqsQueuePolicyConfig{
		QueueUrl: q.Cdk.Queue.Url(),
		Policy:   jsii.String(servicePolicy(q.Arn(), []servicePermission{from})),
	})
	return q
}

// describeDevQueues records a construct's dev-only queues in its manifest
// data, for the CLI to poll.
func describeDevQueues(d map[string]string, qs []manifest.DevQueue) {
	if len(qs) == 0 {
		return
	}
	b, _ := json.Marshal(qs)
	d[manifest.DevQueues] = string(b)
}
