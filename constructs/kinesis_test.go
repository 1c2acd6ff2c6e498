package sst

import (
	"strings"
	"testing"
	"time"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kinesisstream"
)

func TestKinesisStreamSynth(t *testing.T) {
	opts := testOptions(t)
	var k *KinesisStream
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		k = NewKinesisStream(s, "Clicks", KinesisStreamProps{
			Defaults: KinesisStreamDefaults{Function: FunctionProps{MemorySize: 256}},
			Consumers: map[string]KinesisStreamConsumer{
				"counter": {Handler: nodeHandler},
				"audit": {Function: FunctionProps{Handler: nodeHandler}, BatchSize: 10, StartingPosition: "TRIM_HORIZON", Filters: []string{`{"data":{"kind":["click"]}}`},
					BisectBatchOnError: true, RetryAttempts: intp(2)},
			},
		})
		NewKinesisStream(s, "Provisioned", KinesisStreamProps{ShardCount: 2, Retention: 48 * time.Hour, Cdk: KinesisStreamCdkProps{
			Stream: func(c *kinesisstream.KinesisStreamConfig) {
				c.EncryptionType = strp("KMS")
				c.KmsKeyId = strp("alias/aws/kinesis")
			},
		}})
		NewFunction(s, "Producer", FunctionProps{Handler: nodeHandler, Bind: []Bindable{k}})
		return nil
	})...)
	if k.StreamName() != "test-app-Clicks" || k.ConsumerFunction("counter") == nil {
		t.Errorf("stream %q", k.StreamName())
	}
	st := s.resource(t, "First", "aws_kinesis_stream", "Clicks")
	if jsonString(t, st["stream_mode_details"]) != `{"stream_mode":"ON_DEMAND"}` || st["shard_count"] != nil || st["encryption_type"] != "KMS" || st["kms_key_id"] != "alias/aws/kinesis" {
		t.Errorf("on-demand stream = %v", st)
	}
	p := s.resource(t, "First", "aws_kinesis_stream", "Provisioned")
	if jsonString(t, p["stream_mode_details"]) != `{"stream_mode":"PROVISIONED"}` || p["shard_count"] != float64(2) || p["retention_period"] != float64(48) || p["encryption_type"] != "KMS" {
		t.Errorf("provisioned stream = %v", p)
	}
	m := s.resource(t, "First", "aws_lambda_event_source_mapping", "Clicks_consumer_counter_mapping")
	if m["starting_position"] != "LATEST" || m["batch_size"] != float64(100) || m["event_source_arn"] != "${aws_kinesis_stream.Clicks.arn}" {
		t.Errorf("mapping = %v", m)
	}
	wantContains(t, jsonString(t, m), `aws_iam_role_policy.Clicks_consumer_counter_policy`)
	a := s.resource(t, "First", "aws_lambda_event_source_mapping", "Clicks_consumer_audit_mapping")
	if a["starting_position"] != "TRIM_HORIZON" || a["batch_size"] != float64(10) || a["bisect_batch_on_function_error"] != true || a["maximum_retry_attempts"] != float64(2) || a["enabled"] != nil {
		t.Errorf("audit mapping = %v", a)
	}
	if _, ok := m["maximum_retry_attempts"]; ok {
		t.Errorf("a consumer without RetryAttempts sets maximum_retry_attempts (Lambda's default retries until the records expire): %v", m)
	}
	wantContains(t, jsonString(t, a), `"filter_criteria":{"filter":[{"pattern":`)
	cpol := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Clicks_consumer_counter_policy"))
	wantContains(t, cpol, `kinesis:GetRecords`, `kinesis:GetShardIterator`, `kinesis:ListShards`, `aws_kinesis_stream.Clicks.arn`)
	if strings.Contains(cpol, "PutRecord") {
		t.Errorf("a consumer may only read: %s", cpol)
	}
	if f := s.resource(t, "First", "aws_lambda_function", "Clicks_consumer_counter"); f["memory_size"] != float64(256) {
		t.Errorf("defaults not applied: %v", f["memory_size"])
	}
	prod := jsonString(t, s.resource(t, "First", "aws_lambda_function", "Producer"))
	wantContains(t, prod, `"SST_KinesisStream_streamName_Clicks":"test-app-Clicks"`)
	ppol := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Producer_policy"))
	wantContains(t, ppol, `kinesis:PutRecord`, `kinesis:PutRecords`, `kinesis:DescribeStream`, `aws_kinesis_stream.Clicks.arn`)
	if strings.Contains(ppol, `"*"`) || strings.Contains(ppol, "kinesis:*") || strings.Contains(ppol, "DeleteStream") {
		t.Errorf("binding is not least privilege: %s", ppol)
	}
}

func TestKinesisStreamErrors(t *testing.T) {
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewKinesisStream(s, "Neg", KinesisStreamProps{ShardCount: -1, Retention: 10 * time.Hour})
		NewKinesisStream(s, "Half", KinesisStreamProps{Retention: 24*time.Hour + 30*time.Minute})
		k := NewKinesisStream(s, "S", KinesisStreamProps{Consumers: map[string]KinesisStreamConsumer{
			"pos":   {Handler: nodeHandler, StartingPosition: "AT_TIMESTAMP"},
			"batch": {Handler: nodeHandler, BatchSize: 10001},
			"both":  {Handler: nodeHandler, Function: FunctionProps{Handler: nodeHandler}},
			"bad/":  {Handler: nodeHandler},
			"retry": {Handler: nodeHandler, RetryAttempts: intp(-1)},
		}})
		k.AddConsumers(map[string]KinesisStreamConsumer{"ok": {Handler: nodeHandler}})
		k.AddConsumers(map[string]KinesisStreamConsumer{"ok": {Handler: nodeHandler}})
		return nil
	})...)
	wantContains(t, msg,
		`stack First: kinesis stream "Neg": ShardCount -1: must be 1–10000 shards (0 for on-demand)`,
		`kinesis stream "Neg": Retention 10h: must be 24h–8760h (365 days) in whole hours`,
		`kinesis stream "Half": Retention 24h30m: must be 24h–8760h (365 days) in whole hours`,
		`kinesis stream "S": consumer "pos": StartingPosition "AT_TIMESTAMP": use "LATEST" or "TRIM_HORIZON"`,
		`consumer "batch": BatchSize 10001: must be 1–10000 records`,
		`consumer "both": set Handler or Function.Handler, not both`,
		`kinesis stream "S": consumer name "bad/"`,
		`consumer "ok": a consumer with this name already exists`,
		`consumer "retry": RetryAttempts -1: must be 0–10000 (leave it nil to retry until the records expire)`,
	)
}

func intp(n int) *int { return &n }
