package tests

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestStorageMessaging deploys tests/testdata/storage-messaging — a bucket
// notifying a function, a queue with a dead-letter queue and a consumer,
// a topic with a filtered raw-delivery queue subscriber — reads every piece
// back from the emulator, sends real messages through the topic, and
// removes the stage, leaving nothing behind.
//
// No "second plan is a no-op" check here: moto reformats the queue's
// redrive_policy JSON, so Terraform sees whitespace drift on it (see
// DESIGN.md); the product must not hide that with ignore_changes.
func TestStorageMessaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	s3c, sqsc, snsc, lam := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg), lambda.NewFromConfig(cfg)

	const stage, prefix = "sm", "sm-storage-"
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "storage-messaging"))
	mustSST(t, dir, "deploy", "--stage", stage)
	out := readOutputs(t, dir, stage)["Messaging"]
	bucket, jobsURL, inboxURL, topicArn := out["BucketName"], out["QueueUrl"], out["InboxUrl"], out["TopicArn"]
	if bucket != "sm-storage-uploads" || !strings.HasSuffix(jobsURL, "/sm-storage-Jobs") || !strings.HasSuffix(topicArn, ":sm-storage-Events") {
		t.Fatalf("outputs = %v", out)
	}

	t.Run("bucket", func(t *testing.T) {
		enc, err := s3c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		if r := enc.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || string(r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm) != "AES256" {
			t.Errorf("encryption = %+v", r)
		}
		pab, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		c := pab.PublicAccessBlockConfiguration
		if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
			t.Errorf("public access block = %+v", c)
		}
		pol, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Statement []struct {
				Effect    string
				Resource  []string
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
			t.Fatalf("bucket policy: %v\n%s", err, aws.ToString(pol.Policy))
		}
		if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Deny" || doc.Statement[0].Condition["Bool"]["aws:SecureTransport"] != "false" ||
			!reflect.DeepEqual(doc.Statement[0].Resource, []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"}) {
			t.Errorf("bucket policy is not TLS-only: %s", aws.ToString(pol.Policy))
		}
		cors, err := s3c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		if len(cors.CORSRules) != 1 || !reflect.DeepEqual(cors.CORSRules[0].AllowedOrigins, []string{"*"}) || len(cors.CORSRules[0].AllowedMethods) != 5 {
			t.Errorf("cors = %+v", cors.CORSRules)
		}
		n, err := s3c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		if len(n.LambdaFunctionConfigurations) != 1 {
			t.Fatalf("lambda notifications = %+v", n.LambdaFunctionConfigurations)
		}
		lc := n.LambdaFunctionConfigurations[0]
		if !strings.HasSuffix(aws.ToString(lc.LambdaFunctionArn), ":function:"+prefix+"Uploads_notification_uploaded") ||
			len(lc.Events) != 1 || string(lc.Events[0]) != "s3:ObjectCreated:*" {
			t.Errorf("notification = %s %v", aws.ToString(lc.LambdaFunctionArn), lc.Events)
		}
		if f := lc.Filter; f == nil || len(f.Key.FilterRules) != 1 || aws.ToString(f.Key.FilterRules[0].Value) != "incoming/" {
			t.Errorf("notification filter = %+v", lc.Filter)
		}
		pe, err := lam.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(prefix + "Uploads_notification_uploaded")})
		if err != nil {
			t.Fatal(err)
		}
		if p := aws.ToString(pe.Policy); !strings.Contains(p, "s3.amazonaws.com") || !strings.Contains(p, "arn:aws:s3:::"+bucket) {
			t.Errorf("notification function does not let the bucket invoke it: %s", p)
		}
		// The TLS-only policy is in force: this plain-HTTP write is refused.
		// (moto has no TLS and cannot evaluate aws:SecureTransport at all, so
		// against it every object request on an sst bucket is refused.)
		_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/a.txt"), Body: strings.NewReader("a")})
		if err == nil || !strings.Contains(err.Error(), "StatusCode: 403") {
			t.Errorf("plain-HTTP PutObject = %v, want 403 from the TLS-only policy", err)
		}
		// Leave an object in the bucket, so remove must empty it
		// (force_destroy); the policy has to go first for moto to take it.
		if _, err := s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/a.txt"), Body: strings.NewReader("a")}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("queue", func(t *testing.T) {
		attrs := queueAttrs(t, sqsc, jobsURL)
		var redrive struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     any    `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(attrs["RedrivePolicy"]), &redrive); err != nil {
			t.Fatalf("RedrivePolicy %q: %v", attrs["RedrivePolicy"], err)
		}
		if !strings.HasSuffix(redrive.DeadLetterTargetArn, ":"+prefix+"Jobs_dlq") || (redrive.MaxReceiveCount != 4.0 && redrive.MaxReceiveCount != "4") {
			t.Errorf("RedrivePolicy = %s", attrs["RedrivePolicy"])
		}
		// The consumer's 45 s timeout raised the 30 s default.
		if attrs["VisibilityTimeout"] != "45" {
			t.Errorf("VisibilityTimeout = %s, want 45", attrs["VisibilityTimeout"])
		}
		dlqURL, err := sqsc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(prefix + "Jobs_dlq")})
		if err != nil {
			t.Fatal(err)
		}
		if got := queueAttrs(t, sqsc, aws.ToString(dlqURL.QueueUrl))["MessageRetentionPeriod"]; got != "1209600" {
			t.Errorf("dead-letter retention = %s", got)
		}
		ms, err := lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(attrs["QueueArn"])})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms.EventSourceMappings) != 1 {
			t.Fatalf("mappings = %+v", ms.EventSourceMappings)
		}
		m := ms.EventSourceMappings[0]
		if !strings.HasSuffix(aws.ToString(m.FunctionArn), ":function:"+prefix+"Jobs_consumer") || aws.ToInt32(m.BatchSize) != 5 {
			t.Errorf("mapping = %s batch %d", aws.ToString(m.FunctionArn), aws.ToInt32(m.BatchSize))
		}
		if len(m.FunctionResponseTypes) != 1 || string(m.FunctionResponseTypes[0]) != "ReportBatchItemFailures" {
			t.Errorf("function response types = %v", m.FunctionResponseTypes)
		}
		consumer := rolePolicy(t, prefix+"Jobs_consumer")
		if !strings.Contains(consumer, `"sqs:ReceiveMessage"`) || !strings.Contains(consumer, attrs["QueueArn"]) || strings.Contains(consumer, `"*"`) {
			t.Errorf("consumer policy: %s", consumer)
		}
	})

	t.Run("topic", func(t *testing.T) {
		subs, err := snsc.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicArn)})
		if err != nil {
			t.Fatal(err)
		}
		inboxArn := queueAttrs(t, sqsc, inboxURL)["QueueArn"]
		var sub *snstypes.Subscription
		for i := range subs.Subscriptions {
			if aws.ToString(subs.Subscriptions[i].Endpoint) == inboxArn {
				sub = &subs.Subscriptions[i]
			}
		}
		if sub == nil || aws.ToString(sub.Protocol) != "sqs" {
			t.Fatalf("no sqs subscription for %s: %+v", inboxArn, subs.Subscriptions)
		}
		sa, err := snsc.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
		if err != nil {
			t.Fatal(err)
		}
		var filter map[string][]string
		if err := json.Unmarshal([]byte(sa.Attributes["FilterPolicy"]), &filter); err != nil || !reflect.DeepEqual(filter, map[string][]string{"type": {"order"}}) {
			t.Errorf("FilterPolicy = %q (%v)", sa.Attributes["FilterPolicy"], err)
		}
		if sa.Attributes["RawMessageDelivery"] != "true" {
			t.Errorf("RawMessageDelivery = %q", sa.Attributes["RawMessageDelivery"])
		}
		qp := queueAttrs(t, sqsc, inboxURL)["Policy"]
		if !strings.Contains(qp, "sns.amazonaws.com") || !strings.Contains(qp, topicArn) {
			t.Errorf("inbox policy does not let the topic send: %s", qp)
		}
		// Real delivery: only the message matching the filter arrives, raw.
		attr := func(v string) map[string]snstypes.MessageAttributeValue {
			return map[string]snstypes.MessageAttributeValue{"type": {DataType: aws.String("String"), StringValue: aws.String(v)}}
		}
		for _, m := range []struct{ body, typ string }{{"refund-1", "refund"}, {"order-1", "order"}} {
			if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topicArn), Message: aws.String(m.body), MessageAttributes: attr(m.typ)}); err != nil {
				t.Fatal(err)
			}
		}
		// Poll until the matching message arrives, then once more so a
		// wrongly delivered one has its chance to show up too.
		var bodies []string
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
			r, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(inboxURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range r.Messages {
				bodies = append(bodies, aws.ToString(m.Body))
			}
			if len(bodies) > 0 && len(r.Messages) == 0 {
				break
			}
		}
		if !slices.Equal(bodies, []string{"order-1"}) {
			t.Errorf("inbox received %q, want only the raw \"order-1\"", bodies)
		}
	})

	t.Run("binding", func(t *testing.T) {
		fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Send")})
		if err != nil {
			t.Fatal(err)
		}
		env := fn.Configuration.Environment.Variables
		if env["SST_Bucket_bucketName_Uploads"] != bucket || env["SST_Queue_queueUrl_Jobs"] != jobsURL || env["SST_Topic_topicArn_Events"] != topicArn {
			t.Errorf("bound environment = %v", env)
		}
		p := rolePolicy(t, prefix+"Send")
		for _, want := range []string{`"s3:PutObject"`, "arn:aws:s3:::" + bucket + "/*", `"sqs:SendMessage"`, `"sns:Publish"`, topicArn} {
			if !strings.Contains(p, want) {
				t.Errorf("Send's policy lacks %s:\n%s", want, p)
			}
		}
		if strings.Contains(p, `"*"`) || strings.Contains(p, `s3:*`) || strings.Contains(p, `sqs:*`) || strings.Contains(p, `sns:*`) {
			t.Errorf("Send's policy grants a wildcard:\n%s", p)
		}
	})

	mustSST(t, dir, "remove", "--stage", stage, "--yes")
	left := append(inventory(t, prefix), messagingInventory(t, prefix)...)
	if len(left) > 0 {
		t.Errorf("left behind after remove: %v", left)
	}
}

func queueAttrs(t *testing.T, c *sqs.Client, queueURL string) map[string]string {
	t.Helper()
	a, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("queue %s: %v", queueURL, err)
	}
	return a.Attributes
}

// rolePolicy is a function's inline policy document, decoded.
func rolePolicy(t *testing.T, role string) string {
	t.Helper()
	out, err := iam.NewFromConfig(awsConfig()).GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("sst-function")})
	if err != nil {
		t.Fatalf("role policy of %s: %v", role, err)
	}
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// messagingInventory lists buckets, queues and topics whose names start
// with prefix.
func messagingInventory(t *testing.T, prefix string) []string {
	t.Helper()
	return messagingInventoryAt(t, awsConfig(), prefix)
}

// messagingInventoryAt is messagingInventory on the emulator cfg points at.
func messagingInventoryAt(t *testing.T, cfg aws.Config, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var left []string
	bs, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs.Buckets {
		if strings.HasPrefix(aws.ToString(b.Name), prefix) {
			left = append(left, "bucket "+aws.ToString(b.Name))
		}
	}
	qs, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs.QueueUrls {
		left = append(left, "queue "+q)
	}
	ts, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range ts.Topics {
		if arn := aws.ToString(tp.TopicArn); strings.Contains(arn, ":"+prefix) {
			left = append(left, "topic "+arn)
		}
	}
	return left
}
