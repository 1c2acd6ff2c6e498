// Command files answers GET /files with what the notification recorded.
package main

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sst-tf/sst/runtime"
)

var (
	db    *dynamodb.Client
	table = runtime.MustTableName("Files")
)

func handle(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusInternalServerError, Body: err.Error()}, nil
	}
	files := []map[string]string{}
	for _, item := range out.Items {
		f := map[string]string{}
		for k, v := range item {
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				f[k] = v.Value
			case *types.AttributeValueMemberN:
				f[k] = v.Value
			}
		}
		files = append(files, f)
	}
	b, _ := json.Marshal(files)
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}, nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	db = dynamodb.NewFromConfig(cfg)
	lambda.Start(handle)
}
