package notes

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// Reply is a JSON response for API Gateway's HTTP API.
func Reply(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, _ := json.Marshal(body)
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       string(b),
	}, nil
}
