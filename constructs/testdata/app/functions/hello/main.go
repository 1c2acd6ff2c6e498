// Command hello is a test handler: it answers every request with the
// name of the table it is bound to.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sst-tf/sst/runtime"
)

func handler(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	name, err := runtime.TableName("Notes")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: 500, Body: err.Error()}, nil
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: name}, nil
}

func main() { lambda.Start(handler) }
