// Command devapp is the `sst dev` end-to-end fixture: a Go and a Node
// handler bound to one table behind an Api with an Auth, a WebSocket chat, a queue
// consumer, a cron job, a Script, a topic subscriber, an event bus target, a bucket
// notification and a Kinesis stream consumer.
package main

import (
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"

	sst "github.com/sst-tf/sst/constructs"
)

// Dev holds the table, the Api and a WebSocket chat.
func Dev(s *sst.Stack) any {
	items := sst.NewTable(s, "Items", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Defaults: sst.ApiDefaults{Function: sst.FunctionProps{Bind: []sst.Bindable{items}, Timeout: 10 * time.Second}},
		Routes: map[string]sst.ApiRoute{
			"POST /items": {Handler: "functions/create"},
			"GET /items":  {Handler: "functions/list.handler"},
			"GET /boom":   {Handler: "functions/list.boom"},
			"GET /slow":   {Handler: "functions/list.slow"},
		},
	})
	// Sign-in routes under /auth, run by a local authenticator; the routes
	// above are bound to the Auth and read its sessions.
	sst.NewAuth(s, "Auth", sst.AuthProps{Handler: "functions/auth"}).Attach(api, sst.AuthAttach{})
	chat := sst.NewWebSocketApi(s, "Chat", sst.WebSocketApiProps{
		Routes: map[string]sst.WebSocketRoute{
			"$connect":    {Handler: "functions/chat.handler"},
			"$disconnect": {Handler: "functions/chat.handler"},
			"$default":    {Handler: "functions/chat.handler"},
		},
	})
	// The handler answers through the Api's own management endpoint.
	chat.Function("$default").Bind(chat)
	// sst dev polls the queue and runs its consumer here.
	sst.NewQueue(s, "Jobs", sst.QueueProps{
		DeadLetterQueue: &sst.QueueDeadLetter{MaxReceiveCount: 2},
		Consumer:        &sst.QueueConsumer{Handler: "functions/job.handler", BatchSize: 5, BatchingWindow: time.Second, ReportBatchItemFailures: true},
	})
	// ...and fires the cron here (the test speeds its clock up), with the
	// input its target passes.
	sst.NewCron(s, "Tick", sst.CronProps{Schedule: "rate(1 minute)", Handler: "functions/job.tick", Cdk: sst.CronCdkProps{
		Target: func(c *cloudwatcheventtarget.CloudwatchEventTargetConfig) { c.Input = jsii.String(`{"job":"cleanup"}`) },
	}})
	// ...and runs the Script's phases here when a deploy triggers them.
	sst.NewScript(s, "Seed", sst.ScriptProps{
		OnCreate: sst.FunctionProps{Handler: "functions/job.seed"},
		OnUpdate: sst.FunctionProps{Handler: "functions/job.seed"},
		Params:   map[string]any{"rows": 1},
		Version:  "v1",
	})
	// ...and runs the topic's subscriber here (SNS still filters).
	sst.NewTopic(s, "Events", sst.TopicProps{Subscribers: map[string]sst.TopicSubscriber{
		"audit": {Handler: "functions/job.audit", FilterPolicy: `{"kind":["order"]}`},
	}})
	// ...and the bus rule's target (EventBridge still matches the pattern)...
	sst.NewEventBus(s, "Orders", sst.EventBusProps{Rules: map[string]sst.EventBusRule{
		"paid": {Pattern: sst.EventBusPattern{DetailType: []string{"paid"}}, Targets: map[string]sst.EventBusTarget{
			"bill": {Handler: "functions/job.bill", Retry: &sst.EventBusRetry{Attempts: 2}},
		}},
	}})
	// ...and the bucket's notification (S3 still filters by prefix)...
	sst.NewBucket(s, "Files", sst.BucketProps{Notifications: map[string]sst.BucketNotification{
		"thumbs": {Handler: "functions/job.thumb", Events: []string{"object_created"}, Prefix: "img/"},
	}})
	// ...and reads the stream's shard for its consumer.
	retries := 1
	sst.NewKinesisStream(s, "Clicks", sst.KinesisStreamProps{ShardCount: 1, Consumers: map[string]sst.KinesisStreamConsumer{
		"counter": {Handler: "functions/job.click", BatchSize: 10, StartingPosition: "TRIM_HORIZON", BisectBatchOnError: true, RetryAttempts: &retries},
	}})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
	return api
}

func main() {
	sst.Run(sst.Config{Name: "devapp", Region: "us-east-1"}, Dev)
}
