package dev

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sst-tf/sst/manifest"
)

// StreamSource is a KinesisStream consumer `sst dev` runs locally: the CLI
// reads the stream's shards as the (disabled) event source mapping would.
type StreamSource struct {
	// Stream is the construct id, StreamName the physical stream name.
	Stream, StreamName string
	// Consumer holds the mapping's settings.
	Consumer manifest.KinesisConsumer
}

// Label is how the terminal, the history and the console name the source.
func (s StreamSource) Label() string { return "stream " + s.Stream + " " + s.Consumer.Name }

// key is comparable, for the server to tell a changed source from the
// running one.
func (s StreamSource) key() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// StreamSources lists the manifest's Kinesis stream consumers.
func StreamSources(m *manifest.Manifest) ([]StreamSource, error) {
	var out []StreamSource
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			raw := c.Data[manifest.KinesisStreamConsumers]
			if c.Type != "KinesisStream" || raw == "" {
				continue
			}
			var cs []manifest.KinesisConsumer
			if err := json.Unmarshal([]byte(raw), &cs); err != nil {
				return nil, fmt.Errorf("kinesis stream %s: manifest %s: %w (synthesize the app again: sst dev or sst deploy)", c.ID, manifest.KinesisStreamConsumers, err)
			}
			for _, k := range cs {
				if k.BatchSize < 1 || (k.StartingPosition != "LATEST" && k.StartingPosition != "TRIM_HORIZON") {
					return nil, fmt.Errorf("kinesis stream %s: consumer %s: manifest batch size %d, starting position %q: synthesize the app again (sst dev or sst deploy)", c.ID, k.Name, k.BatchSize, k.StartingPosition)
				}
				out = append(out, StreamSource{Stream: c.ID, StreamName: c.Data[manifest.KinesisStreamName], Consumer: k})
			}
		}
	}
	return out, nil
}

// StreamAPI is the part of Kinesis a stream poller uses; *kinesis.Client
// implements it.
type StreamAPI interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, opts ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, opts ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, opts ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// StreamPoller delivers a stream's records to its local consumer with the
// semantics of Lambda's Kinesis event source mapping: each shard read in
// order from the starting position, batches of up to BatchSize, Lambda's
// event shape, a failing batch retried (split in halves with
// BisectBatchOnError) until RetryAttempts runs out, records the filters
// reject skipped.
type StreamPoller struct {
	Src    StreamSource
	API    StreamAPI
	Inv    Invoker
	Region string
	Log    func(string)
	// Poll is how long a shard with nothing new waits before reading
	// again: Lambda polls each shard once a second.
	Poll time.Duration
	// RetryWait is the pause before a failed batch is retried.
	RetryWait time.Duration

	arn     string
	filters []Pattern
	gate    buildGate
	mu      sync.Mutex // serialises gate, which shards share
}

// Run reads every shard until ctx is done.
func (p *StreamPoller) Run(ctx context.Context) {
	p.Poll = cmpDuration(p.Poll, time.Second)
	p.RetryWait = cmpDuration(p.RetryWait, time.Second)
	p.gate = buildGate{Inv: p.Inv, Function: p.Src.Consumer.Function, Log: p.Log, Held: "its records wait in the stream"}
	for _, f := range p.Src.Consumer.Filters {
		pat, err := ParsePattern(f)
		if err != nil {
			// Lambda refused it at deploy, so this is an old manifest.
			p.Log(fmt.Sprintf("filter %s: %v; records are delivered unfiltered", f, err))
			p.filters = nil
			break
		}
		p.filters = append(p.filters, pat)
	}
	shards, err := p.resolve(ctx)
	for err != nil {
		if ctx.Err() != nil {
			return
		}
		p.Log(fmt.Sprintf("cannot read the stream yet (%v); retrying", err))
		if !sleep(ctx, retryPause*5) {
			return
		}
		shards, err = p.resolve(ctx)
	}
	var wg sync.WaitGroup
	for _, sh := range shards {
		wg.Add(1)
		go func() { defer wg.Done(); p.readShard(ctx, sh) }()
	}
	wg.Wait()
}

func cmpDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// resolve finds the stream's ARN and its open shards (new shards from a
// resharding while sst dev runs are not followed).
func (p *StreamPoller) resolve(ctx context.Context) ([]string, error) {
	sum, err := p.API.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(p.Src.StreamName)})
	if err != nil {
		return nil, fmt.Errorf("stream %s (%s): %w", p.Src.Stream, p.Src.StreamName, err)
	}
	p.arn = aws.ToString(sum.StreamDescriptionSummary.StreamARN)
	var shards []string
	in := &kinesis.ListShardsInput{StreamName: aws.String(p.Src.StreamName)}
	for {
		out, err := p.API.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("stream %s (%s): %w", p.Src.Stream, p.Src.StreamName, err)
		}
		for _, s := range out.Shards {
			if s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil {
				shards = append(shards, aws.ToString(s.ShardId))
			}
		}
		if out.NextToken == nil {
			return shards, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// readShard reads one shard in order, handing each batch to the consumer
// before reading the next.
func (p *StreamPoller) readShard(ctx context.Context, shard string) {
	var it *string
	last := "" // sequence number of the last record handled
	failing := false
	for ctx.Err() == nil {
		p.mu.Lock()
		held := p.gate.hold(ctx)
		p.mu.Unlock()
		if held {
			continue
		}
		if it == nil {
			in := &kinesis.GetShardIteratorInput{StreamName: aws.String(p.Src.StreamName), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorType(p.Src.Consumer.StartingPosition)}
			if last != "" {
				in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(last)
			}
			out, err := p.API.GetShardIterator(ctx, in)
			if err != nil {
				if ctx.Err() == nil {
					p.Log(fmt.Sprintf("%s: %v (retrying every %s)", shard, err, retryPause))
				}
				sleep(ctx, retryPause)
				continue
			}
			it = out.ShardIterator
		}
		out, err := p.API.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(int32(min(p.Src.Consumer.BatchSize, 10000)))})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var expired *types.ExpiredIteratorException
			if errors.As(err, &expired) {
				it = nil // a new one from the last record handled
				continue
			}
			if !failing {
				p.Log(fmt.Sprintf("%s: reading records failed: %v (retrying every %s)", shard, err, retryPause))
			}
			failing = true
			sleep(ctx, retryPause)
			continue
		}
		failing = false
		if len(out.Records) > 0 {
			p.deliver(ctx, shard, p.filter(out.Records))
			if ctx.Err() != nil {
				return
			}
			last = aws.ToString(out.Records[len(out.Records)-1].SequenceNumber)
		}
		if out.NextShardIterator == nil {
			p.Log(fmt.Sprintf("%s is closed (the stream was resharded): its records are all handled", shard))
			return
		}
		it = out.NextShardIterator
		if len(out.Records) == 0 {
			sleep(ctx, p.Poll)
		}
	}
}

// filter keeps the records one of the filters matches (all without
// filters), as Lambda's event filtering does.
func (p *StreamPoller) filter(recs []types.Record) []types.Record {
	if len(p.filters) == 0 {
		return recs
	}
	var keep []types.Record
	for _, r := range recs {
		doc := map[string]any{"partitionKey": aws.ToString(r.PartitionKey), "sequenceNumber": aws.ToString(r.SequenceNumber), "kinesisSchemaVersion": "1.0"}
		var data any
		if json.Unmarshal(r.Data, &data) == nil {
			doc["data"] = data
		}
		for _, f := range p.filters {
			if f.Match(doc) {
				keep = append(keep, r)
				break
			}
		}
	}
	return keep
}

// deliver invokes the consumer with a batch until it succeeds, splitting
// a failing batch in two with BisectBatchOnError, and skipping it once
// RetryAttempts retries have failed. It returns when the batch is done
// with (or ctx is).
func (p *StreamPoller) deliver(ctx context.Context, shard string, recs []types.Record) {
	if len(recs) == 0 {
		return
	}
	c := p.Src.Consumer
	payload, err := json.Marshal(KinesisEvent(recs, shard, p.arn, p.Region))
	if err != nil {
		p.Log(fmt.Sprintf("encoding the event: %v", err))
		return
	}
	for retries := 0; ctx.Err() == nil; {
		res, err := p.Inv.Invoke(ctx, c.Function, payload, p.Src.Label())
		switch {
		case err != nil:
			// Not the handler's failure (no build, the worker could not
			// start): tried again, not counted.
			if ctx.Err() == nil {
				p.Log(fmt.Sprintf("%s: %d record(s) not delivered: %v; trying again", shard, len(recs), err))
			}
		case res.Err == nil:
			return
		case c.BisectBatchOnError && len(recs) > 1:
			half := len(recs) / 2
			p.Log(fmt.Sprintf("%s: the handler failed a batch of %d: split in two (BisectBatchOnError)", shard, len(recs)))
			p.deliver(ctx, shard, recs[:half])
			p.deliver(ctx, shard, recs[half:])
			return
		case c.RetryAttempts >= 0 && retries >= c.RetryAttempts:
			p.Log(fmt.Sprintf("%s: the handler failed %d record(s) %d time(s): skipped (RetryAttempts %d), as Lambda skips them", shard, len(recs), retries+1, c.RetryAttempts))
			return
		default:
			retries++
			p.Log(fmt.Sprintf("%s: the handler failed: %d record(s) retried (retry %d), the shard waits meanwhile", shard, len(recs), retries))
		}
		sleep(ctx, p.RetryWait)
	}
}

// KinesisEvent is the event Lambda delivers for a batch of a shard's
// records.
func KinesisEvent(recs []types.Record, shard, arn, region string) map[string]any {
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		seq := aws.ToString(r.SequenceNumber)
		k := map[string]any{
			"kinesisSchemaVersion": "1.0",
			"partitionKey":         aws.ToString(r.PartitionKey),
			"sequenceNumber":       seq,
			"data":                 base64.StdEncoding.EncodeToString(r.Data),
		}
		if r.ApproximateArrivalTimestamp != nil {
			ms := r.ApproximateArrivalTimestamp.UnixMilli()
			k["approximateArrivalTimestamp"] = json.Number(strconv.FormatInt(ms/1000, 10) + "." + fmt.Sprintf("%03d", ms%1000))
		}
		out = append(out, map[string]any{
			"kinesis":        k,
			"eventSource":    "aws:kinesis",
			"eventVersion":   "1.0",
			"eventID":        shard + ":" + seq,
			"eventName":      "aws:kinesis:record",
			"awsRegion":      region,
			"eventSourceARN": arn,
		})
	}
	return map[string]any{"Records": out}
}
