// Command create stores an item in the bound table (or invokes another
// function, for sst dev's local Lambda API).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sst-tf/sst/runtime"
	_ "github.com/sst-tf/sst/runtime/ssm"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	fns := awslambda.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		// ?invoke=<function name> invokes that function through the AWS
		// SDK (under sst dev: its local code) and answers with its payload.
		if name := req.QueryStringParameters["invoke"]; name != "" {
			out, err := fns.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"rawPath":"/items"}`)})
			if err != nil {
				return events.APIGatewayV2HTTPResponse{}, err
			}
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(out.Payload)}, nil
		}
		// ?session=1 answers with the request's session (the Auth's).
		if req.QueryStringParameters["session"] != "" {
			b, err := json.Marshal(runtime.RequestSession(ctx, req.Headers, req.Cookies))
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: string(b)}, err
		}
		table, err := runtime.TableName("Items")
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		var in struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal([]byte(req.Body), &in); err != nil || in.Name == "" {
			return events.APIGatewayV2HTTPResponse{StatusCode: 400, Body: `{"error":"want {\"name\": ...}"}`}, nil
		}
		b := make([]byte, 6)
		rand.Read(b)
		id := hex.EncodeToString(b)
		_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				"id":   &types.AttributeValueMemberS{Value: id},
				"name": &types.AttributeValueMemberS{Value: in.Name},
			},
		})
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		out, _ := json.Marshal(map[string]any{"id": id, "name": in.Name, "by": "go-v1"})
		return events.APIGatewayV2HTTPResponse{StatusCode: 201, Body: string(out)}, nil
	})
}
