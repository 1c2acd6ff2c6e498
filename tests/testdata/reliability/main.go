// Command reliability is a small test app for the locking, interruption
// and fault tests: its queues give an apply a window of ~25 s on moto (the
// provider waits for SQS attributes to settle), long enough to interrupt,
// and SQS and SNS creates are idempotent, so a resource created by a run
// that died before it wrote state is adopted, not duplicated. Its backend
// comes from the environment: BACKEND=s3 (STATE_BUCKET + LOCK_TABLE),
// BACKEND=s3lockfile (STATE_BUCKET), else local (STATE_DIR, optional).
// WITH_TABLE=1 adds a DynamoDB table, whose create is not idempotent: a
// run killed after creating it, before the state was saved, leaves an
// orphan the next deploy must adopt.
package main

import (
	"os"

	sst "github.com/sst-tf/sst/constructs"
)

// Work is the stack every test deploys.
func Work(s *sst.Stack) any {
	jobs := sst.NewQueue(s, "Jobs", sst.QueueProps{})
	sst.NewQueue(s, "Retry", sst.QueueProps{})
	sst.NewTopic(s, "Events", sst.TopicProps{})
	if os.Getenv("WITH_TABLE") != "" {
		// TABLE_STREAM=1 is a change AWS makes in place.
		stream := ""
		if os.Getenv("TABLE_STREAM") != "" {
			stream = "new_image"
		}
		sst.NewTable(s, "Items", sst.TableProps{Fields: map[string]string{"pk": "string"}, PrimaryIndex: sst.TableIndex{PartitionKey: "pk"}, Stream: stream})
	}
	s.AddOutputs(map[string]any{"JobsUrl": jobs.URL()})
	return jobs
}

func backend() sst.Backend {
	switch os.Getenv("BACKEND") {
	case "s3":
		return sst.S3Backend{Bucket: os.Getenv("STATE_BUCKET"), DynamoDBTable: os.Getenv("LOCK_TABLE")}
	case "s3lockfile":
		return sst.S3Backend{Bucket: os.Getenv("STATE_BUCKET"), UseLockfile: true}
	}
	return sst.LocalBackend{Dir: os.Getenv("STATE_DIR")}
}

func main() {
	sst.Run(sst.Config{Name: "rel", Backend: backend()}, Work)
}
