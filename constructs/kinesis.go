package sst

import (
	"cmp"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdaeventsourcemapping"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

// KinesisStreamProps configure a Kinesis data stream. The zero value is an
// on-demand stream keeping records 24 hours.
type KinesisStreamProps struct {
	// ShardCount switches the stream to provisioned capacity with that many
	// shards. 0 (default) is on-demand, which scales by itself.
	ShardCount int
	// Retention is how long records stay readable, in whole hours from 24h
	// to 365 days. Default 24h.
	Retention time.Duration
	// Consumers read the stream, each through its own event source mapping.
	Consumers map[string]KinesisStreamConsumer
	// Defaults apply to every consumer.
	Defaults KinesisStreamDefaults
	// Cdk passes raw configuration through.
	Cdk KinesisStreamCdkProps
}

// KinesisStreamDefaults apply to every consumer.
type KinesisStreamDefaults struct {
	// Function props every consumer starts from.
	Function FunctionProps
}

// KinesisStreamCdkProps is the escape hatch into the raw resource configuration.
type KinesisStreamCdkProps struct {
	// Stream edits the aws_kinesis_stream config before it is created
	// (encryption, shard-level metrics, …).
	Stream func(*kinesisstream.KinesisStreamConfig)
}

// KinesisStreamConsumer is a function reading the stream.
type KinesisStreamConsumer struct {
	// Handler is shorthand for Function: FunctionProps{Handler: …}.
	Handler  string
	Function FunctionProps
	// BatchSize, 1–10000. Default 100.
	BatchSize int
	// StartingPosition "LATEST" (default) or "TRIM_HORIZON".
	StartingPosition string
	// Filters are EventBridge-style patterns (JSON) selecting records.
	Filters []string
	// BisectBatchOnError splits a failing batch in two and retries each
	// half, to isolate the record that fails.
	BisectBatchOnError bool
	// RetryAttempts is how often a failing batch is retried, 0–10000,
	// before its records are skipped. Nil: until they expire from the
	// stream (Lambda's default).
	RetryAttempts *int
}

// KinesisStream is a Kinesis data stream with consumer functions.
type KinesisStream struct {
	stack     *Stack
	kid       string
	name      string
	props     KinesisStreamProps
	consumers map[string]*Function
	order     []string
	// devs are the consumers' mapping settings `sst dev` reads by.
	devs []manifest.KinesisConsumer
	Cdk  struct {
		Stream   kinesisstream.KinesisStream
		Mappings map[string]lambdaeventsourcemapping.LambdaEventSourceMapping
	}
}

// NewKinesisStream declares a Kinesis data stream.
func NewKinesisStream(s *Stack, id string, props KinesisStreamProps) *KinesisStream {
	k := &KinesisStream{stack: s, kid: id, props: props, consumers: map[string]*Function{}}
	k.Cdk.Mappings = map[string]lambdaeventsourcemapping.LambdaEventSourceMapping{}
	if !s.app.claimID(s, id, "KinesisStream") {
		return k
	}
	a := s.app
	where := fmt.Sprintf("stack %s: kinesis stream %q", s.name, id)
	errs := len(a.errs)
	if props.ShardCount != 0 {
		checkRange(a, where, "ShardCount", props.ShardCount, 1, 10000, "shards (0 for on-demand)")
	}
	if props.Retention != 0 {
		if err := checkDuration("Retention", props.Retention, 24*time.Hour, 365*Day, time.Hour); err != nil {
			a.errorf("%s: %v", where, err)
		}
	}
	if len(a.errs) > errs {
		return k
	}
	cfg := &kinesisstream.KinesisStreamConfig{Name: jsii.String(naming.Kinesis(s.Stage(), a.cfg.Name, id))}
	if props.ShardCount > 0 {
		cfg.ShardCount = jsii.Number(float64(props.ShardCount))
		cfg.StreamModeDetails = &kinesisstream.KinesisStreamStreamModeDetails{StreamMode: jsii.String("PROVISIONED")}
	} else {
		cfg.StreamModeDetails = &kinesisstream.KinesisStreamStreamModeDetails{StreamMode: jsii.String("ON_DEMAND")}
	}
	if props.Retention != 0 {
		cfg.RetentionPeriod = jsii.Number(float64(props.Retention / time.Hour))
	}
	// Encrypted with the AWS-managed Kinesis key, which producers and
	// consumers use without any KMS permission.
	cfg.EncryptionType = jsii.String("KMS")
	cfg.KmsKeyId = jsii.String("alias/aws/kinesis")
	if props.Cdk.Stream != nil {
		props.Cdk.Stream(cfg)
	}
	k.name = a.claim(naming.KindKinesis, cfg.Name, id)
	k.Cdk.Stream = kinesisstream.NewKinesisStream(s.tf, jsii.String(id), cfg)
	s.add(k)
	k.AddConsumers(props.Consumers)
	return k
}

// AddConsumers adds consumer functions after creation (SST's addConsumers).
func (k *KinesisStream) AddConsumers(consumers map[string]KinesisStreamConsumer) {
	if k.Cdk.Stream == nil {
		return
	}
	for _, n := range sortedKeys(consumers) {
		k.addConsumer(n, consumers[n])
	}
}

// kinesisReadActions are what Lambda needs to poll a stream with shared
// throughput iterators.
var kinesisReadActions = []string{
	"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
	"kinesis:GetShardIterator", "kinesis:ListShards",
}

func (k *KinesisStream) addConsumer(name string, c KinesisStreamConsumer) {
	s, a := k.stack, k.stack.app
	where := fmt.Sprintf("stack %s: kinesis stream %q: consumer %q", s.name, k.kid, name)
	if !checkKey(a, fmt.Sprintf("stack %s: kinesis stream %q", s.name, k.kid), "consumer name", name) {
		return
	}
	if k.consumers[name] != nil {
		a.errorf("%s: a consumer with this name already exists", where)
		return
	}
	errs := len(a.errs)
	if c.Handler != "" && c.Function.Handler != "" {
		a.errorf("%s: set Handler or Function.Handler, not both", where)
	}
	start := cmp.Or(c.StartingPosition, "LATEST")
	if start != "LATEST" && start != "TRIM_HORIZON" {
		a.errorf("%s: StartingPosition %q: use \"LATEST\" or \"TRIM_HORIZON\"", where, start)
	}
	batch := c.BatchSize
	if batch == 0 {
		batch = 100
	}
	checkRange(a, where, "BatchSize", batch, 1, 10000, "records")
	retries := -1
	if c.RetryAttempts != nil {
		retries = *c.RetryAttempts
		if retries < 0 || retries > 10000 {
			a.errorf("%s: RetryAttempts %d: must be 0–10000 (leave it nil to retry until the records expire)", where, retries)
		}
	}
	if len(a.errs) > errs {
		return
	}
	props := c.Function
	if c.Handler != "" {
		props.Handler = c.Handler
	}
	fid := k.kid + "_consumer_" + binding.EnvID(name)
	fn := newFunction(s, k.kid, fid, props, k.props.Defaults.Function)
	if fn.Cdk.Function == nil {
		return
	}
	fn.AttachPermissions(Allow(kinesisReadActions, k.Arn()))
	m := streamMapping(s, fid, fn, k.Cdk.Stream.Arn(), start, batch, c.Filters)
	if c.BisectBatchOnError {
		m.SetBisectBatchOnFunctionError(jsii.Bool(true))
	}
	if c.RetryAttempts != nil {
		m.SetMaximumRetryAttempts(jsii.Number(float64(retries)))
	}
	if a.opts.Mode == manifest.ModeDev {
		// `sst dev` reads the shards itself and runs the local consumer;
		// an enabled mapping would process every record a second time.
		m.SetEnabled(jsii.Bool(false))
	}
	k.Cdk.Mappings[name] = m
	k.devs = append(k.devs, manifest.KinesisConsumer{Name: name, Function: fid, StartingPosition: start, BatchSize: batch,
		BisectBatchOnError: c.BisectBatchOnError, RetryAttempts: retries, Filters: c.Filters})
	k.consumers[name] = fn
	k.order = append(k.order, name)
}

// StreamName is the physical stream name.
func (k *KinesisStream) StreamName() string { return k.name }

// Arn is the stream ARN (a token until deploy); "" when the stream failed
// validation.
func (k *KinesisStream) Arn() string {
	if k.Cdk.Stream == nil {
		return ""
	}
	return *k.Cdk.Stream.Arn()
}

// ID is the construct id.
func (k *KinesisStream) ID() string { return k.kid }

// ConsumerFunction is the named consumer's function, or nil.
func (k *KinesisStream) ConsumerFunction(name string) *Function { return k.consumers[name] }

// kinesisWriteActions are what a bound function may do with records —
// never the control plane (CreateStream, DeleteStream, UpdateShardCount).
var kinesisWriteActions = []string{
	"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
	"kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords",
}

// Binding gives functions the stream name
// (SST_KinesisStream_streamName_<id>) and record access to this stream only.
func (k *KinesisStream) Binding() Binding {
	return Binding{
		Type:        "KinesisStream",
		ID:          k.kid,
		Variables:   map[string]string{"streamName": k.name},
		Permissions: []Statement{Allow(kinesisWriteActions, k.Arn())},
	}
}

func (k *KinesisStream) id() string { return k.kid }

func (k *KinesisStream) functions() []*Function {
	var fns []*Function
	for _, n := range k.order {
		fns = append(fns, k.consumers[n])
	}
	return fns
}

func (k *KinesisStream) describe() manifest.Construct {
	var binds []Bindable
	for _, fn := range k.functions() {
		binds = append(binds, fn.props.Bind...)
	}
	d := map[string]string{manifest.KinesisStreamName: k.name}
	if len(k.devs) > 0 {
		b, _ := json.Marshal(k.devs)
		d[manifest.KinesisStreamConsumers] = string(b)
	}
	return manifest.Construct{ID: k.kid, Type: "KinesisStream", Path: k.kid, Data: d, Binds: bindIDs(binds)}
}
