// Command rest-api is the example app: a REST API over a DynamoDB table,
// split into two stacks so the table's ARN crosses a stack boundary.
package main

import (
	"time"

	sst "github.com/sst-tf/sst/constructs"
)

// Database holds the notes table.
func Database(s *sst.Stack) any {
	return sst.NewTable(s, "Notes", sst.TableProps{
		Fields: map[string]string{
			"userId": "string",
			"noteId": "string",
		},
		PrimaryIndex: sst.TableIndex{PartitionKey: "userId", SortKey: "noteId"},
	})
}

// API serves the notes. Go handlers are bound to the table; a Node handler
// answers health checks.
func API(s *sst.Stack) any {
	notes := sst.Use[*sst.Table](s, Database)
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Defaults: sst.ApiDefaults{
			Function: sst.FunctionProps{Bind: []sst.Bindable{notes}, Timeout: 5 * time.Second},
		},
		Routes: map[string]sst.ApiRoute{
			"GET /notes":         {Handler: "functions/notes"},
			"POST /notes":        {Handler: "functions/notes"},
			"GET /notes/{id}":    {Handler: "functions/notes"},
			"DELETE /notes/{id}": {Handler: "functions/notes"},
			"GET /health": {Function: sst.FunctionProps{
				Handler:    "functions/health/index.handler",
				MemorySize: 256,
			}},
		},
	})
	s.AddOutputs(map[string]any{
		"ApiUrl":    api.URL(),
		"TableName": notes.TableName(),
	})
	return api
}

func main() {
	sst.Run(sst.Config{Name: "rest-api", Region: "us-east-1"}, Database, API)
}
