// Command list answers GET /notes: the latest 100 notes, newest first,
// read through the RDS Data API (no VPC, no connection pool).
package main

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata/types"

	"github.com/sst-tf/sst/runtime"
)

type note struct {
	ID        int64  `json:"id"`
	Content   string `json:"content"`
	CreatedAt string `json:"createdAt"`
}

var data *rdsdata.Client

func reply(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, _ := json.Marshal(body)
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"content-type": "application/json"}, Body: string(b)}, nil
}

func handle(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
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
		Sql:         aws.String("SELECT id, content, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM notes ORDER BY created_at DESC LIMIT 100"),
	})
	if err != nil {
		return reply(http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
	notes := []note{}
	for _, row := range out.Records {
		if len(row) != 3 {
			continue
		}
		n := note{}
		if v, ok := row[0].(*types.FieldMemberLongValue); ok {
			n.ID = v.Value
		}
		if v, ok := row[1].(*types.FieldMemberStringValue); ok {
			n.Content = v.Value
		}
		if v, ok := row[2].(*types.FieldMemberStringValue); ok {
			n.CreatedAt = v.Value
		}
		notes = append(notes, n)
	}
	return reply(http.StatusOK, notes)
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	data = rdsdata.NewFromConfig(cfg)
	lambda.Start(handle)
}
