// Command notes is the REST handler for one user's notes: list, create,
// read and delete, keyed by the caller's user id header.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

type api struct {
	db    *dynamodb.Client
	table string
}

func (a *api) route(ctx context.Context, req events.APIGatewayV2HTTPRequest) (int, any) {
	user := req.Headers["x-user-id"]
	if user == "" {
		user = "anonymous"
	}
	key := func(id string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"userId": &types.AttributeValueMemberS{Value: user},
			"noteId": &types.AttributeValueMemberS{Value: id},
		}
	}
	switch req.RouteKey {
	case "GET /notes":
		out, err := a.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(a.table),
			KeyConditionExpression:    aws.String("userId = :u"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: user}},
		})
		if err != nil {
			return http.StatusInternalServerError, err.Error()
		}
		list := []map[string]string{}
		for _, it := range out.Items {
			list = append(list, flatten(it))
		}
		return http.StatusOK, list
	case "POST /notes":
		var body struct{ Content string }
		if json.Unmarshal([]byte(req.Body), &body) != nil || body.Content == "" {
			return http.StatusBadRequest, `expected {"content": "…"}`
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		item := key(hex.EncodeToString(b))
		item["content"] = &types.AttributeValueMemberS{Value: body.Content}
		if _, err := a.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(a.table), Item: item}); err != nil {
			return http.StatusInternalServerError, err.Error()
		}
		return http.StatusCreated, flatten(item)
	case "GET /notes/{id}":
		out, err := a.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(a.table), Key: key(req.PathParameters["id"])})
		if err != nil {
			return http.StatusInternalServerError, err.Error()
		}
		if out.Item == nil {
			return http.StatusNotFound, "no such note"
		}
		return http.StatusOK, flatten(out.Item)
	case "DELETE /notes/{id}":
		if _, err := a.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(a.table), Key: key(req.PathParameters["id"])}); err != nil {
			return http.StatusInternalServerError, err.Error()
		}
		return http.StatusNoContent, nil
	}
	return http.StatusNotFound, "no route " + req.RouteKey
}

func flatten(item map[string]types.AttributeValue) map[string]string {
	out := map[string]string{}
	for k, v := range item {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			out[k] = s.Value
		}
	}
	return out
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	a := &api{db: dynamodb.NewFromConfig(cfg), table: runtime.MustTableName("Notes")}
	lambda.Start(func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		status, body := a.route(ctx, req)
		if msg, ok := body.(string); ok && status >= 400 {
			body = map[string]string{"error": msg}
		}
		b, _ := json.Marshal(body)
		return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}, nil
	})
}
