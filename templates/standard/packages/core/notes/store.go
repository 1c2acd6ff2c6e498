package notes

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Store keeps notes in a DynamoDB table.
type Store struct {
	DB    *dynamodb.Client
	Table string
}

// Put saves a note.
func (s Store) Put(ctx context.Context, n Note) error {
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			"noteId":    &types.AttributeValueMemberS{Value: n.NoteID},
			"content":   &types.AttributeValueMemberS{Value: n.Content},
			"createdAt": &types.AttributeValueMemberS{Value: n.CreatedAt},
		},
	})
	return err
}

// List returns every note (a scan: fine for a starter app, not for millions).
func (s Store) List(ctx context.Context) ([]Note, error) {
	out, err := s.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.Table)})
	if err != nil {
		return nil, err
	}
	notes := []Note{}
	for _, item := range out.Items {
		notes = append(notes, Note{NoteID: str(item["noteId"]), Content: str(item["content"]), CreatedAt: str(item["createdAt"])})
	}
	return notes, nil
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
