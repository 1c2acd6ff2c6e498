package migrate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata/types"
)

// DataAPIClient is the part of the RDS Data API client the runner uses;
// *rdsdata.Client implements it.
type DataAPIClient interface {
	ExecuteStatement(ctx context.Context, in *rdsdata.ExecuteStatementInput, opts ...func(*rdsdata.Options)) (*rdsdata.ExecuteStatementOutput, error)
	BeginTransaction(ctx context.Context, in *rdsdata.BeginTransactionInput, opts ...func(*rdsdata.Options)) (*rdsdata.BeginTransactionOutput, error)
	CommitTransaction(ctx context.Context, in *rdsdata.CommitTransactionInput, opts ...func(*rdsdata.Options)) (*rdsdata.CommitTransactionOutput, error)
	RollbackTransaction(ctx context.Context, in *rdsdata.RollbackTransactionInput, opts ...func(*rdsdata.Options)) (*rdsdata.RollbackTransactionOutput, error)
}

// DataAPI is a Conn over the RDS Data API: HTTPS calls authorized by IAM
// and the cluster's Secrets Manager secret, so migrations run from a laptop
// or CI without a network path into the database's private subnets.
type DataAPI struct {
	Client     DataAPIClient
	ClusterArn string
	SecretArn  string
	Database   string
	// ResumeTimeout bounds how long calls retry while a paused cluster
	// resumes (DatabaseResumingException). Default 2 minutes.
	ResumeTimeout time.Duration
}

// Placeholder: the Data API binds named parameters.
func (d *DataAPI) Placeholder(n int) string { return ":p" + strconv.Itoa(n) }

// Exec runs one statement outside a transaction (auto-committed).
func (d *DataAPI) Exec(ctx context.Context, q string, args ...string) error {
	_, err := d.execute(ctx, "", q, args)
	return err
}

// Query runs one statement and returns its rows.
func (d *DataAPI) Query(ctx context.Context, q string, args ...string) ([][]string, error) {
	out, err := d.execute(ctx, "", q, args)
	if err != nil {
		return nil, err
	}
	return records(out.Records), nil
}

// Begin starts a Data API transaction; its statements carry its id.
func (d *DataAPI) Begin(ctx context.Context) (Tx, error) {
	var out *rdsdata.BeginTransactionOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Client.BeginTransaction(ctx, &rdsdata.BeginTransactionInput{
			ResourceArn: aws.String(d.ClusterArn),
			SecretArn:   aws.String(d.SecretArn),
			Database:    d.database(),
		})
		return err
	})
	if err != nil {
		return nil, describeDataAPI(err)
	}
	if aws.ToString(out.TransactionId) == "" {
		return nil, errors.New("the Data API returned no transaction id")
	}
	return &dataTx{d: d, id: aws.ToString(out.TransactionId)}, nil
}

func (d *DataAPI) database() *string {
	if d.Database == "" {
		return nil
	}
	return aws.String(d.Database)
}

func (d *DataAPI) execute(ctx context.Context, txID, q string, args []string) (*rdsdata.ExecuteStatementOutput, error) {
	in := &rdsdata.ExecuteStatementInput{
		ResourceArn: aws.String(d.ClusterArn),
		SecretArn:   aws.String(d.SecretArn),
		Database:    d.database(),
		Sql:         aws.String(q),
	}
	if txID != "" {
		in.TransactionId = aws.String(txID)
	}
	for i, a := range args {
		in.Parameters = append(in.Parameters, types.SqlParameter{
			Name:  aws.String("p" + strconv.Itoa(i+1)),
			Value: &types.FieldMemberStringValue{Value: a},
		})
	}
	var out *rdsdata.ExecuteStatementOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Client.ExecuteStatement(ctx, in)
		return err
	})
	if err != nil {
		return nil, describeDataAPI(err)
	}
	return out, nil
}

// retry repeats a call while the cluster resumes from auto-pause; any
// other error returns at once.
func (d *DataAPI) retry(ctx context.Context, call func() error) error {
	limit := d.ResumeTimeout
	if limit == 0 {
		limit = 2 * time.Minute
	}
	deadline := time.Now().Add(limit)
	for {
		err := call()
		var resuming *types.DatabaseResumingException
		if !errors.As(err, &resuming) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
}

// describeDataAPI keeps the database's own message, which the Data API
// returns inside a BadRequestException, in front.
func describeDataAPI(err error) error {
	var bad *types.BadRequestException
	if errors.As(err, &bad) {
		return fmt.Errorf("%s", aws.ToString(bad.Message))
	}
	return err
}

type dataTx struct {
	d  *DataAPI
	id string
}

func (t *dataTx) Exec(ctx context.Context, q string, args ...string) error {
	_, err := t.d.execute(ctx, t.id, q, args)
	return err
}

func (t *dataTx) Query(ctx context.Context, q string, args ...string) ([][]string, error) {
	out, err := t.d.execute(ctx, t.id, q, args)
	if err != nil {
		return nil, err
	}
	return records(out.Records), nil
}

func (t *dataTx) Commit(ctx context.Context) error {
	_, err := t.d.Client.CommitTransaction(ctx, &rdsdata.CommitTransactionInput{
		ResourceArn: aws.String(t.d.ClusterArn), SecretArn: aws.String(t.d.SecretArn), TransactionId: aws.String(t.id),
	})
	return describeDataAPI(err)
}

func (t *dataTx) Rollback(ctx context.Context) error {
	_, err := t.d.Client.RollbackTransaction(ctx, &rdsdata.RollbackTransactionInput{
		ResourceArn: aws.String(t.d.ClusterArn), SecretArn: aws.String(t.d.SecretArn), TransactionId: aws.String(t.id),
	})
	return describeDataAPI(err)
}

func records(rs [][]types.Field) [][]string {
	out := make([][]string, 0, len(rs))
	for _, r := range rs {
		row := make([]string, len(r))
		for i, f := range r {
			row[i] = fieldString(f)
		}
		out = append(out, row)
	}
	return out
}

func fieldString(f types.Field) string {
	switch v := f.(type) {
	case *types.FieldMemberStringValue:
		return v.Value
	case *types.FieldMemberLongValue:
		return strconv.FormatInt(v.Value, 10)
	case *types.FieldMemberDoubleValue:
		return strconv.FormatFloat(v.Value, 'g', -1, 64)
	case *types.FieldMemberBooleanValue:
		return strconv.FormatBool(v.Value)
	case *types.FieldMemberBlobValue:
		return string(v.Value)
	}
	return "" // NULL, arrays
}
