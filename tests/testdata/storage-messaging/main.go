// Command storage-messaging is a test app: a bucket notifying a function,
// a queue with a dead-letter queue and a consumer, and a topic fanning out
// to a filtered queue.
package main

import (
	"time"

	sst "github.com/sst-tf/sst/constructs"
)

// Messaging holds every construct in one stack: queue and topic policies
// name the bucket and topic that may send to them.
func Messaging(s *sst.Stack) any {
	jobs := sst.NewQueue(s, "Jobs", sst.QueueProps{
		DeadLetterQueue: &sst.QueueDeadLetter{MaxReceiveCount: 4},
		Consumer: &sst.QueueConsumer{
			Function:                sst.FunctionProps{Handler: "functions/job.handler", Timeout: 45 * time.Second},
			BatchSize:               5,
			ReportBatchItemFailures: true,
		},
	})
	inbox := sst.NewQueue(s, "Inbox", sst.QueueProps{})
	events := sst.NewTopic(s, "Events", sst.TopicProps{
		Subscribers: map[string]sst.TopicSubscriber{
			"orders": {Queue: inbox, FilterPolicy: `{"type":["order"]}`, RawMessageDelivery: true},
		},
	})
	uploads := sst.NewBucket(s, "Uploads", sst.BucketProps{
		Notifications: map[string]sst.BucketNotification{
			"uploaded": {Handler: "functions/upload.handler", Events: []string{"object_created"}, Prefix: "incoming/"},
		},
	})
	sst.NewFunction(s, "Send", sst.FunctionProps{
		Handler: "functions/send.handler",
		Bind:    []sst.Bindable{uploads, jobs, events},
	})
	s.AddOutputs(map[string]any{
		"BucketName": uploads.BucketName(),
		"QueueUrl":   jobs.URL(),
		"InboxUrl":   inbox.URL(),
		"TopicArn":   events.Arn(),
	})
	return nil
}

func main() { sst.Run(sst.Config{Name: "storage"}, Messaging) }
