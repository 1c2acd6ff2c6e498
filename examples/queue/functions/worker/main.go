// Command worker consumes the Jobs queue. It reports the messages it could
// not process, so only those are retried (and after three receives moved
// to the dead-letter queue), not the whole batch.
package main

import (
	"context"
	"encoding/json"
	"log"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type job struct {
	Kind string `json:"kind"`
}

func handle(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		var j job
		if err := json.Unmarshal([]byte(m.Body), &j); err != nil || j.Kind == "" {
			log.Printf("message %s: not a job (%v): %s", m.MessageId, err, m.Body)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		}
		log.Printf("message %s: ran job %q", m.MessageId, j.Kind)
	}
	return resp, nil
}

func main() { lambda.Start(handle) }
