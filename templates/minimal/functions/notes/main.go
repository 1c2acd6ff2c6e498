// Command notes lists and creates notes in the table bound to it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sst-tf/sst/runtime"
)

type note struct {
	NoteID    string `json:"noteId"`
	Content   string `json:"content"`
	CreatedAt string `json:"createdAt"`
}

var db *dynamodb.Client

func handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	table, err := runtime.TableName("Notes")
	if err != nil {
		return reply(http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
	switch req.RequestContext.HTTP.Method {
	case http.MethodPost:
		var in struct {
			Content string `json:"content"`
		}
		if err := json.Unmarshal([]byte(req.Body), &in); err != nil || in.Content == "" {
			return reply(http.StatusBadRequest, map[string]string{"error": `body must be JSON like {"content": "…"}`})
		}
		n := note{NoteID: newID(), Content: in.Content, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				"noteId":    &types.AttributeValueMemberS{Value: n.NoteID},
				"content":   &types.AttributeValueMemberS{Value: n.Content},
				"createdAt": &types.AttributeValueMemberS{Value: n.CreatedAt},
			},
		})
		if err != nil {
			return reply(http.StatusInternalServerError, map[string]string{"error": err.Error()})
		}
		return reply(http.StatusCreated, n)
	default:
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
		if err != nil {
			return reply(http.StatusInternalServerError, map[string]string{"error": err.Error()})
		}
		notes := []note{}
		for _, item := range out.Items {
			notes = append(notes, note{NoteID: str(item["noteId"]), Content: str(item["content"]), CreatedAt: str(item["createdAt"])})
		}
		return reply(http.StatusOK, notes)
	}
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func reply(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, _ := json.Marshal(body)
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       string(b),
	}, nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	db = dynamodb.NewFromConfig(cfg)
	lambda.Start(handle)
}
