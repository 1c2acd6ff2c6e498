// Command create answers POST /notes with {"content": "…"}.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata/types"

	"github.com/sst-tf/sst/runtime"
)

var data *rdsdata.Client

func reply(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, _ := json.Marshal(body)
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}, nil
}

func handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var in struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal([]byte(req.Body), &in); err != nil || strings.TrimSpace(in.Content) == "" {
		return reply(http.StatusBadRequest, map[string]string{"error": `body must be JSON like {"content": "…"}`})
	}
	cluster, err := runtime.RDSClusterArn("Db")
	if err != nil {
		return reply(http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
	secret, _ := runtime.RDSSecretArn("Db")
	database, _ := runtime.RDSDatabase("Db")
	out, err := data.ExecuteStatement(ctx, &rdsdata.ExecuteStatementInput{
		ResourceArn: aws.String(cluster),
		SecretArn:   aws.String(secret),
		Database:    aws.String(database),
		Sql:         aws.String("INSERT INTO notes (content) VALUES (:content) RETURNING id"),
		Parameters: []types.SqlParameter{{
			Name:  aws.String("content"),
			Value: &types.FieldMemberStringValue{Value: strings.TrimSpace(in.Content)},
		}},
	})
	if err != nil {
		return reply(http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
	var id int64
	if len(out.Records) == 1 && len(out.Records[0]) == 1 {
		if v, ok := out.Records[0][0].(*types.FieldMemberLongValue); ok {
			id = v.Value
		}
	}
	return reply(http.StatusCreated, map[string]any{"id": id, "content": strings.TrimSpace(in.Content)})
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	data = rdsdata.NewFromConfig(cfg)
	lambda.Start(handle)
}
