// Command cron is the cron example: a job that runs every hour and deletes
// expired sessions from a table.
package main

import (
	"time"

	sst "github.com/sst-tf/sst/constructs"
)

// Jobs holds the sessions table and the job that cleans it.
func Jobs(s *sst.Stack) any {
	sessions := sst.NewTable(s, "Sessions", sst.TableProps{
		Fields:       map[string]string{"sessionId": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "sessionId"},
	})
	cleanup := sst.NewCron(s, "Cleanup", sst.CronProps{
		Schedule: "rate(1 hour)",
		Job: sst.FunctionProps{
			Handler: "functions/cleanup",
			Bind:    []sst.Bindable{sessions},
			Timeout: time.Minute,
		},
	})
	s.AddOutputs(map[string]any{"TableName": sessions.TableName()})
	return cleanup
}

func main() {
	sst.Run(sst.Config{Name: "cron", Region: "us-east-1"}, Jobs)
}
