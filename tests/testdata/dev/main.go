// Command devapp is the `sst dev` end-to-end fixture: a Go and a Node
// handler bound to one table behind an Api, a WebSocket chat, a queue
// consumer and a cron job.
package main

import (
	"time"

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
	// ...and fires the cron here (the test speeds its clock up).
	sst.NewCron(s, "Tick", sst.CronProps{Schedule: "rate(1 minute)", Handler: "functions/job.tick"})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
	return api
}

func main() {
	sst.Run(sst.Config{Name: "devapp", Region: "us-east-1"}, Dev)
}
