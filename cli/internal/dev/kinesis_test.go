package dev

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sst-tf/sst/manifest"
)

// TestStreamPollerBisectsAndSkips: the poller reads a shard from
// TRIM_HORIZON and hands the consumer Kinesis events; a batch that fails
// is split in two (BisectBatchOnError) until the failing record is alone,
// which is retried RetryAttempts times and then skipped, and the records
// after it are still delivered, in order.
func TestStreamPollerBisectsAndSkips(t *testing.T) {
	cfg := motoConfig(t)
	api := kinesis.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := api.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a", "b", "throw", "c"} {
		if _, err := api.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("clicks"), PartitionKey: aws.String("p"), Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := NewHistory(newRuntime(t, 10*time.Second), filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logs []string
	src := StreamSource{Stream: "Clicks", StreamName: "clicks", Consumer: manifest.KinesisConsumer{
		Name: "counter", Function: "node", StartingPosition: "TRIM_HORIZON", BatchSize: 10, BisectBatchOnError: true, RetryAttempts: 1}}
	p := &StreamPoller{Src: src, API: api, Inv: h, Region: "us-east-1", RetryWait: 100 * time.Millisecond, Poll: 200 * time.Millisecond,
		Log: func(s string) { mu.Lock(); logs = append(logs, s); mu.Unlock() }}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done; h.Close() })

	batches := func() []string {
		var out []string
		for _, r := range h.Records() {
			var ev struct {
				Records []struct {
					EventSource, EventName, EventSourceARN, EventID string
					Kinesis                                         struct{ Data, PartitionKey, SequenceNumber string }
				}
			}
			if err := json.Unmarshal(r.Request, &ev); err != nil {
				t.Fatal(err)
			}
			var data []string
			for _, rec := range ev.Records {
				b, _ := base64.StdEncoding.DecodeString(rec.Kinesis.Data)
				data = append(data, string(b))
				if rec.EventSource != "aws:kinesis" || rec.EventName != "aws:kinesis:record" || rec.EventSourceARN != "arn:aws:kinesis:us-east-1:123456789012:stream/clicks" ||
					rec.EventID != "shardId-000000000000:"+rec.Kinesis.SequenceNumber || rec.Kinesis.PartitionKey != "p" || r.Source != "stream Clicks counter" {
					t.Errorf("record %+v from %q", rec, r.Source)
				}
			}
			out = append(out, strings.Join(data, ","))
		}
		return out
	}
	waitFor(t, "c to be delivered after the failing record", func() bool { return slices.Contains(batches(), "c") })
	want := []string{"a,b,throw,c", "a,b", "throw,c", "throw", "throw", "c"}
	if got := batches(); !slices.Equal(got, want) {
		t.Errorf("batches %q, want %q", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(logs, func(s string) bool {
		return strings.Contains(s, "failed 1 record(s) 2 time(s): skipped (RetryAttempts 1)")
	}) {
		t.Errorf("logs %q", logs)
	}
}

// TestKinesisEvent: the record fields Lambda sends, the data base64, the
// arrival time in seconds with milliseconds.
func TestKinesisEvent(t *testing.T) {
	at := time.Date(2026, 12, 3, 7, 0, 0, 987_000_000, time.UTC)
	ev := KinesisEvent([]types.Record{{Data: []byte("hi"), PartitionKey: aws.String("k"), SequenceNumber: aws.String("49"), ApproximateArrivalTimestamp: &at}}, "shardId-1", "arn:s", "eu-west-1")
	b, _ := json.Marshal(ev)
	want := `{"Records":[{"awsRegion":"eu-west-1","eventID":"shardId-1:49","eventName":"aws:kinesis:record","eventSource":"aws:kinesis","eventSourceARN":"arn:s","eventVersion":"1.0",` +
		`"kinesis":{"approximateArrivalTimestamp":1796281200.987,"data":"aGk=","kinesisSchemaVersion":"1.0","partitionKey":"k","sequenceNumber":"49"}}]}`
	if string(b) != want {
		t.Errorf("event\n%s\nwant\n%s", b, want)
	}
}

// TestPattern: Lambda's event filtering as sst dev evaluates it, and the
// patterns it refuses to guess at.
func TestPattern(t *testing.T) {
	event := map[string]any{}
	_ = json.Unmarshal([]byte(`{"partitionKey":"p1","data":{"kind":"click","n":5,"tags":["a","b"],"user":{"plan":"pro"}}}`), &event)
	tests := []struct {
		pattern string
		want    bool
	}{
		{`{"data":{"kind":["click"]}}`, true},
		{`{"data":{"kind":["view","scroll"]}}`, false},
		{`{"data":{"kind":[{"prefix":"cl"}],"n":[{"numeric":[">",1,"<=",5]}]}}`, true},
		{`{"data":{"n":[{"numeric":[">",5]}]}}`, false},
		{`{"data":{"kind":[{"anything-but":["click"]}]}}`, false},
		{`{"data":{"kind":[{"anything-but":"view"}]}}`, true},
		{`{"data":{"tags":["b"]}}`, true},
		{`{"data":{"user":{"plan":["pro"]}}}`, true},
		{`{"data":{"missing":[{"exists":false}]}}`, true},
		{`{"data":{"kind":[{"exists":false}]}}`, false},
		{`{"data":{"kind":[{"suffix":"ck"}]},"partitionKey":[{"equals-ignore-case":"P1"}]}`, true},
		{`{"data":{"missing":["x"]}}`, false},
	}
	for _, tc := range tests {
		p, err := ParsePattern(tc.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		if got := p.Match(event); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.pattern, got, tc.want)
		}
	}
	for pattern, want := range map[string]string{
		`{"data":{"ip":[{"cidr":"10.0.0.0/8"}]}}`: `data.ip: matcher "cidr" is not one sst dev evaluates`,
		`{"data":{"kind":"click"}}`:               `data.kind: a pattern's leaves are lists of values`,
		`[1]`:                                     `not a JSON object`,
	} {
		if _, err := ParsePattern(pattern); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", pattern, err, want)
		}
	}
}
