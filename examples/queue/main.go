// Command queue is the queue example: an HTTP endpoint enqueues jobs, a
// consumer works through them, and jobs that keep failing land in a
// dead-letter queue.
package main

import (
	"time"

	sst "github.com/sst-tf/sst/constructs"
)

// Work holds the queue, its consumer and the API that feeds it.
func Work(s *sst.Stack) any {
	jobs := sst.NewQueue(s, "Jobs", sst.QueueProps{
		DeadLetterQueue: &sst.QueueDeadLetter{MaxReceiveCount: 3},
		Consumer: &sst.QueueConsumer{
			Function:                sst.FunctionProps{Handler: "functions/worker", Timeout: 30 * time.Second},
			BatchSize:               10,
			ReportBatchItemFailures: true,
		},
	})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Routes: map[string]sst.ApiRoute{
			"POST /jobs": {Function: sst.FunctionProps{Handler: "functions/enqueue", Bind: []sst.Bindable{jobs}}},
		},
	})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL(), "QueueUrl": jobs.URL()})
	return jobs
}

func main() {
	sst.Run(sst.Config{Name: "queue", Region: "us-east-1"}, Work)
}
