// Command gohandler is the dev runtime's Go test handler: the event says
// what to do, so one binary covers answers, logs, panics and slowness.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Action string `json:"action"`
	Ms     int    `json:"ms"`
	Log    string `json:"log"`
}

func handler(ctx context.Context, e event) (map[string]any, error) {
	if e.Log != "" {
		fmt.Println(e.Log)
	}
	switch e.Action {
	case "panic":
		panic("handler panicked on purpose")
	case "error":
		return nil, fmt.Errorf("handler failed on purpose")
	case "sleep":
		time.Sleep(time.Duration(e.Ms) * time.Millisecond)
	case "exit":
		os.Exit(3)
	}
	return map[string]any{"pid": os.Getpid(), "table": os.Getenv("SST_Table_tableName_Notes"), "action": e.Action, "api": os.Getenv("AWS_LAMBDA_RUNTIME_API")}, nil
}

func main() { lambda.Start(handler) }
