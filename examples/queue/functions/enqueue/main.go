// Command enqueue answers POST /jobs by sending the body to the Jobs queue.
package main

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sst-tf/sst/runtime"
)

var (
	queue    *sqs.Client
	queueURL = runtime.MustQueueURL("Jobs")
)

func handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if !json.Valid([]byte(req.Body)) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest, Body: "the body must be JSON"}, nil
	}
	out, err := queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(req.Body)})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusInternalServerError, Body: err.Error()}, nil
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusAccepted, Body: `{"messageId":"` + aws.ToString(out.MessageId) + `"}`}, nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	queue = sqs.NewFromConfig(cfg)
	lambda.Start(handle)
}
