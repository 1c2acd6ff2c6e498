// Command uploaded records every object created under uploads/.
package main

import (
	"context"
	"strconv"

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

func handle(ctx context.Context, ev events.S3Event) error {
	for _, r := range ev.Records {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				"key":        &types.AttributeValueMemberS{Value: r.S3.Object.Key},
				"size":       &types.AttributeValueMemberN{Value: strconv.FormatInt(r.S3.Object.Size, 10)},
				"uploadedAt": &types.AttributeValueMemberS{Value: r.EventTime.UTC().Format("2006-01-02T15:04:05Z")},
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	db = dynamodb.NewFromConfig(cfg)
	lambda.Start(handle)
}
