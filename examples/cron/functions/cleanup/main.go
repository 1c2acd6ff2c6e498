// Command cleanup is the hourly job: it deletes sessions whose expiresAt
// (Unix seconds) has passed.
package main

import (
	"context"
	"log"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sst-tf/sst/runtime"
)

var (
	db    *dynamodb.Client
	table = runtime.MustTableName("Sessions")
)

func handle(ctx context.Context) error {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	pages := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
		TableName:                 aws.String(table),
		FilterExpression:          aws.String("expiresAt < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: now}},
		ProjectionExpression:      aws.String("sessionId"),
	})
	deleted := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
				TableName: aws.String(table),
				Key:       map[string]types.AttributeValue{"sessionId": item["sessionId"]},
			}); err != nil {
				return err
			}
			deleted++
		}
	}
	log.Printf("deleted %d expired sessions", deleted)
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
