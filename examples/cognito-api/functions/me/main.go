// Command me answers GET /me with who is signed in. API Gateway has
// already verified the token; its claims arrive in the request context.
package main

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var claims map[string]string
	if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
		claims = a.JWT.Claims
	}
	b, _ := json.Marshal(map[string]string{"sub": claims["sub"], "email": claims["email"]})
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}, nil
}

func main() { lambda.Start(handle) }
