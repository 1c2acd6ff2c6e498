package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rdsdata"
)

// dataAPIServer speaks the RDS Data API's REST-JSON protocol and runs the
// statements on a real PostgreSQL database, so the adapter is exercised
// through the real AWS SDK client: request shapes, named parameters,
// transaction ids, result records and error mapping. (moto's rds-data
// executes nothing, so it cannot prove any of that.)
type dataAPIServer struct {
	t       *testing.T
	db      *sql.DB
	cluster string
	secret  string

	mu    sync.Mutex
	txs   map[string]*sql.Tx
	next  int
	calls []string
}

var namedParam = regexp.MustCompile(`:p(\d+)`)

type field struct {
	StringValue *string `json:"stringValue,omitempty"`
	IsNull      *bool   `json:"isNull,omitempty"`
}

func (s *dataAPIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ResourceArn, SecretArn, Sql, Database, TransactionId string
		Parameters                                           []struct {
			Name  string
			Value struct{ StringValue string }
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	fail := func(code, msg string) {
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
	if in.ResourceArn != s.cluster || in.SecretArn != s.secret {
		fail("ForbiddenException", "wrong cluster or secret ARN")
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, strings.TrimPrefix(r.URL.Path, "/"))
	s.mu.Unlock()
	ctx := context.Background()
	switch r.URL.Path {
	case "/BeginTransaction":
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			fail("BadRequestException", err.Error())
			return
		}
		s.mu.Lock()
		s.next++
		id := "tx" + strconv.Itoa(s.next)
		s.txs[id] = tx
		s.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{"transactionId": id})
	case "/CommitTransaction", "/RollbackTransaction":
		s.mu.Lock()
		tx, ok := s.txs[in.TransactionId]
		delete(s.txs, in.TransactionId)
		s.mu.Unlock()
		if !ok {
			fail("NotFoundException", "no transaction "+in.TransactionId)
			return
		}
		var err error
		if r.URL.Path == "/CommitTransaction" {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			fail("BadRequestException", err.Error())
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"transactionStatus": "done"})
	case "/Execute":
		var q execQueryer = s.db
		if in.TransactionId != "" {
			s.mu.Lock()
			tx, ok := s.txs[in.TransactionId]
			s.mu.Unlock()
			if !ok {
				fail("NotFoundException", "no transaction "+in.TransactionId)
				return
			}
			q = tx
		}
		args := make([]string, len(in.Parameters))
		for _, p := range in.Parameters {
			n, _ := strconv.Atoi(strings.TrimPrefix(p.Name, "p"))
			args[n-1] = p.Value.StringValue
		}
		rows, err := sqlQueryNull(ctx, q, namedParam.ReplaceAllString(in.Sql, "$$$1"), args)
		if err != nil {
			// The real service wraps the database's message the same way.
			fail("BadRequestException", "Database error: "+err.Error())
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"records": rows, "numberOfRecordsUpdated": 0})
	default:
		http.NotFound(w, r)
	}
}

func sqlQueryNull(ctx context.Context, q execQueryer, query string, args []string) ([][]field, error) {
	rows, err := q.QueryContext(ctx, query, anyArgs(args)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := [][]field{}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		rec := make([]field, len(cols))
		for i, v := range vals {
			if v.Valid {
				rec[i].StringValue = aws.String(v.String)
			} else {
				rec[i].IsNull = aws.Bool(true)
			}
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

func TestDataAPIAdapter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{
		"0001_init.sql": "CREATE TABLE notes (id int PRIMARY KEY, body text);\nINSERT INTO notes VALUES (1, NULL);",
		"0002_more.sql": "INSERT INTO notes VALUES (2, 'two');",
	})
	const cluster, secret = "arn:aws:rds:us-east-1:123456789012:cluster:db", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"
	fake := &dataAPIServer{t: t, db: f.db, cluster: cluster, secret: secret, txs: map[string]*sql.Tx{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := rdsdata.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	conn := &DataAPI{Client: client, ClusterArn: cluster, SecretArn: secret, Database: "app"}
	ms, err := Load(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := Run(ctx, conn, ms, Options{Dialect: Postgres})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "applied", res.Applied, []string{"0001_init.sql", "0002_more.sql"})
	// Both statements of 0001 and its record went through one transaction.
	calls := strings.Join(fake.calls, " ")
	if !strings.Contains(calls, "BeginTransaction Execute Execute Execute Execute Execute CommitTransaction") {
		t.Errorf("calls = %s", calls)
	}
	rows, err := conn.Query(ctx, "SELECT id, body FROM notes ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(rows); got != `[["1",""],["2","two"]]` {
		t.Errorf("rows = %s", got)
	}

	// Once: a second run applies nothing.
	if res, err := Run(ctx, conn, ms, Options{Dialect: Postgres}); err != nil || len(res.Applied) != 0 {
		t.Errorf("second run: %+v, %v", res, err)
	}

	// A failure carries the database's message and rolls back.
	f.write("0003_bad.sql", "INSERT INTO notes VALUES (3, 'three');\nINSERT INTO notes VALUES (1, 'duplicate');")
	ms, _ = Load(f.dir)
	_, err = Run(ctx, conn, ms, Options{Dialect: Postgres})
	var me *Error
	if !errors.As(err, &me) || me.File != "0003_bad.sql" || me.Statement != 2 || !strings.Contains(err.Error(), "duplicate key value") {
		t.Fatalf("want the failing file and the database's error, got %v", err)
	}
	if n := f.rows("SELECT count(*) FROM notes WHERE id = 3")[0]; n != "0" {
		t.Error("the failed file's first statement was not rolled back")
	}
	if len(fake.txs) != 0 {
		t.Errorf("%d Data API transactions left open", len(fake.txs))
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
