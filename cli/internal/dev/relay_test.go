package dev

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sst-tf/sst/internal/devrelay"
	"github.com/sst-tf/sst/manifest"
)

// TestRelayStubReachesTheLocalHandler runs the relay stub a dev stage
// deploys (internal/devrelay's code, unchanged) as a real Node worker of
// sst dev's own runtime, against moto's SQS and DynamoDB, with a
// RelayPoller answering: an invocation of the stub runs the local handler
// it stands for and returns its response; a handler's error comes back as
// the stub's error; a request whose caller gave up is dropped unrun; with
// no sst dev polling, the stub fails saying so. What this does not run is
// the stub inside Lambda (moto cannot run Lambda code).
func TestRelayStubReachesTheLocalHandler(t *testing.T) {
	cfg := motoConfig(t)
	ctx := context.Background()
	q := sqs.NewFromConfig(cfg)
	db := dynamodb.NewFromConfig(cfg)
	const queue, table = "dev-app-Stack_relay", "dev-app-Stack_relay_responses"
	qurl, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(devrelay.AttrID), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(devrelay.AttrID), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}

	// The stub, built by sst dev's builder from the embedded source.
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, "relay.mjs"), devrelay.Code, 0o644); err != nil {
		t.Fatal(err)
	}
	stub, err := NewBuilder(project, t.TempDir()).Build(ctx, manifest.Function{ID: "stub", Handler: "relay.handler"}, false)
	if err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, 10*time.Second)
	env := map[string]string{
		devrelay.EnvQueue: aws.ToString(qurl.QueueUrl), devrelay.EnvTable: table, devrelay.EnvFunction: "node",
		"AWS_ENDPOINT_URL": *cfg.BaseEndpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1", "SST_STAGE": "dev",
	}
	rt.Set(&Function{ID: "stub", Name: "dev-app-node", Command: stub.Command, Dir: stub.Dir, Env: env, Timeout: 10 * time.Second, Memory: 128, Handler: stub.Handler})
	// The same stub with a 3 s timeout, for the case nobody answers.
	rt.Set(&Function{ID: "stub-short", Name: "dev-app-node", Command: stub.Command, Dir: stub.Dir, Env: env, Timeout: 3 * time.Second, Memory: 128, Handler: stub.Handler})
	h, err := NewHistory(rt, filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	var mu sync.Mutex
	var logs []string
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	p := &RelayPoller{Src: RelaySource{Stack: "Stack", Queue: queue, Table: table}, API: q, DB: db, Inv: h,
		Log: func(s string) { mu.Lock(); logs = append(logs, s); mu.Unlock() }}
	go func() { defer close(done); p.Run(pctx) }()

	// A response: the stub returns what the local handler returned.
	res := invoke(t, rt, "stub", `{"log":"relayed here","body":"{\"action\":\"return\",\"value\":{\"n\":42}}"}`)
	if res.Err != nil || string(res.Payload) != `{"n":42}` {
		t.Fatalf("stub answered %s %v", res.Payload, res.Err)
	}
	recs := h.Records()
	if len(recs) != 1 || recs[0].Function != "node" || recs[0].Source != "lambda:Invoke (deployed)" || !strings.Contains(strings.Join(recs[0].Logs, "\n"), "relayed here") {
		t.Fatalf("records %+v", recs)
	}
	// An error: the stub fails with the handler's error type and message.
	res = invoke(t, rt, "stub", `{"action":"throw"}`)
	if res.Err == nil || res.Err.Type != "TypeError" || res.Err.Message != "handler threw on purpose" {
		t.Errorf("stub error %+v (payload %s)", res.Err, res.Payload)
	}
	// Each answer was read and deleted by its stub.
	if scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)}); err != nil || scan.Count != 0 {
		t.Errorf("responses left in the table: %v %v", scan, err)
	}
	// A request found after its caller's deadline is not run.
	late, _ := json.Marshal(devrelay.Request{ID: "late-1", Function: "node", Payload: `{"log":"too late"}`, Deadline: time.Now().Add(-time.Minute).UnixMilli()})
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qurl.QueueUrl, MessageBody: aws.String(string(late))}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the late request dropped", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(logs, "\n"), "dropped an invocation of node that waited past its caller's timeout")
	})
	if n := len(h.Records()); n != 2 {
		t.Errorf("%d invocations, want the 2 relayed (the late one dropped)", n)
	}

	// sst dev stopped: the stub gives up before its timeout, saying why.
	stop()
	<-done
	res = invoke(t, rt, "stub-short", `{}`)
	if res.Err == nil || !strings.Contains(res.Err.Message, "sst dev did not answer") || !strings.Contains(res.Err.Message, "sst deploy --stage dev") {
		t.Errorf("with nobody answering the stub says %+v", res.Err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, l := range logs {
		if !strings.Contains(l, "dropped an invocation") {
			t.Errorf("unexpected log %q", l)
		}
	}
}
