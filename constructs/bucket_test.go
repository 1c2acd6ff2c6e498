package sst

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"

	"github.com/sst-tf/sst/internal/testenv"
)

func TestBucketDefaults(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		b := NewBucket(s, "Uploads", BucketProps{})
		if b.BucketName() != "test-notes-uploads" || b.ID() != "Uploads" {
			t.Errorf("BucketName/ID = %s/%s", b.BucketName(), b.ID())
		}
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{b}})
		return b
	})...)
	strip := func(r map[string]any) map[string]any { delete(r, "//"); return r }
	wantJSON(t, "bucket", strip(s.resource(t, "First", "aws_s3_bucket", "Uploads")), map[string]any{
		"bucket": "test-notes-uploads", "force_destroy": true,
	})
	wantJSON(t, "public access block", strip(s.resource(t, "First", "aws_s3_bucket_public_access_block", "Uploads_public_access")), map[string]any{
		"block_public_acls": true, "block_public_policy": true, "bucket": "${aws_s3_bucket.Uploads.id}",
		"ignore_public_acls": true, "restrict_public_buckets": true,
	})
	wantJSON(t, "encryption", strip(s.resource(t, "First", "aws_s3_bucket_server_side_encryption_configuration", "Uploads_encryption")), map[string]any{
		"bucket": "${aws_s3_bucket.Uploads.id}",
		"rule":   []any{map[string]any{"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "AES256"}}},
	})
	wantJSON(t, "cors", strip(s.resource(t, "First", "aws_s3_bucket_cors_configuration", "Uploads_cors")), map[string]any{
		"bucket": "${aws_s3_bucket.Uploads.id}",
		"cors_rule": []any{map[string]any{
			"allowed_headers": []string{"*"}, "allowed_methods": []string{"GET", "PUT", "HEAD", "POST", "DELETE"}, "allowed_origins": []string{"*"},
		}},
	})
	pol := s.resource(t, "First", "aws_s3_bucket_policy", "Uploads_policy")
	wantJSON(t, "policy depends_on", pol["depends_on"], []string{"aws_s3_bucket_public_access_block.Uploads_public_access"})
	var doc map[string]any
	if err := json.Unmarshal([]byte(pol["policy"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, "TLS-only policy", doc, map[string]any{
		"Statement": []any{map[string]any{
			"Action":    "s3:*",
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			"Effect":    "Deny",
			"Principal": "*",
			"Resource":  []string{"${aws_s3_bucket.Uploads.arn}", "${aws_s3_bucket.Uploads.arn}/*"},
			"Sid":       "DenyInsecureTransport",
		}},
		"Version": "2012-10-17",
	})
	for _, typ := range []string{"aws_s3_bucket_versioning", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_notification", "aws_lambda_permission"} {
		if got := s.resources("First", typ); len(got) != 0 {
			t.Errorf("a default bucket has %s: %v", typ, keys(got))
		}
	}
	// Binding: the name, and object access on this bucket only.
	if got := s.env(t, "First", "Fn")["SST_Bucket_bucketName_Uploads"]; got != "test-notes-uploads" {
		t.Errorf("SST_Bucket_bucketName_Uploads = %v", got)
	}
	p := s.policy(t, "First", "Fn")
	for _, a := range bucketObjectActions {
		if got := p.grants(a); !reflect.DeepEqual(got, []string{"${aws_s3_bucket.Uploads.arn}/*"}) {
			t.Errorf("%s on %v, want the bucket's objects", a, got)
		}
	}
	for _, a := range bucketBucketActions {
		if got := p.grants(a); !reflect.DeepEqual(got, []string{"${aws_s3_bucket.Uploads.arn}"}) {
			t.Errorf("%s on %v, want the bucket", a, got)
		}
	}
	for _, a := range []string{"s3:*", "s3:DeleteBucket", "s3:PutBucketPolicy"} {
		if len(p.grants(a)) > 0 {
			t.Errorf("binding grants %s", a)
		}
	}
	var found bool
	for _, c := range s.manifestStack(t, "First").Constructs {
		if c.ID == "Uploads" {
			found = c.Type == "Bucket" && c.Data["bucketName"] == "test-notes-uploads"
		}
	}
	if !found {
		t.Errorf("manifest constructs = %+v", s.manifestStack(t, "First").Constructs)
	}
	if got := s.manifestStack(t, "First").Retained; len(got) != 0 {
		t.Errorf("Retained = %v", got)
	}
}

func TestBucketProps(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewBucket(s, "Docs", BucketProps{
			Versioned:       true,
			Encryption:      "aws:kms",
			KMSKeyID:        "arn:aws:kms:us-east-1:123456789012:key/abc",
			AllowPublicACLs: true,
			Cors: &BucketCors{Rules: []BucketCorsRule{
				{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}, AllowedHeaders: []string{"x-a"}, ExposedHeaders: []string{"etag"}, ID: "web", MaxAge: 10 * time.Minute},
				{AllowedMethods: []string{"PUT", "POST"}, AllowedOrigins: []string{"*"}},
			}},
			Cdk: BucketCdkProps{Bucket: func(c *s3bucket.S3BucketConfig) { c.ObjectLockEnabled = jsii.Bool(true) }},
		})
		NewBucket(s, "NoCors", BucketProps{Cors: &BucketCors{Disabled: true}, Encryption: "aws:kms"})
		return nil
	})...)
	b := s.resource(t, "First", "aws_s3_bucket", "Docs")
	if b["object_lock_enabled"] != true {
		t.Errorf("Cdk.Bucket hook not applied: %v", jsonString(t, b))
	}
	wantJSON(t, "versioning", s.resource(t, "First", "aws_s3_bucket_versioning", "Docs_versioning")["versioning_configuration"], map[string]any{"status": "Enabled"})
	wantJSON(t, "kms", s.resource(t, "First", "aws_s3_bucket_server_side_encryption_configuration", "Docs_encryption")["rule"], []any{map[string]any{
		"apply_server_side_encryption_by_default": map[string]any{"kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/abc", "sse_algorithm": "aws:kms"},
		"bucket_key_enabled":                      true,
	}})
	wantJSON(t, "aws managed kms", s.resource(t, "First", "aws_s3_bucket_server_side_encryption_configuration", "NoCors_encryption")["rule"], []any{map[string]any{
		"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "aws:kms"},
		"bucket_key_enabled":                      true,
	}})
	pab := s.resource(t, "First", "aws_s3_bucket_public_access_block", "Docs_public_access")
	if pab["block_public_acls"] != false || pab["ignore_public_acls"] != false || pab["block_public_policy"] != true || pab["restrict_public_buckets"] != true {
		t.Errorf("AllowPublicACLs public access block = %v", jsonString(t, pab))
	}
	wantJSON(t, "ownership", s.resource(t, "First", "aws_s3_bucket_ownership_controls", "Docs_ownership")["rule"], map[string]any{"object_ownership": "BucketOwnerPreferred"})
	wantJSON(t, "custom cors", s.resource(t, "First", "aws_s3_bucket_cors_configuration", "Docs_cors")["cors_rule"], []any{
		map[string]any{"allowed_headers": []string{"x-a"}, "allowed_methods": []string{"GET"}, "allowed_origins": []string{"https://example.com"}, "expose_headers": []string{"etag"}, "id": "web", "max_age_seconds": 600},
		map[string]any{"allowed_methods": []string{"PUT", "POST"}, "allowed_origins": []string{"*"}},
	})
	if _, ok := s.resources("First", "aws_s3_bucket_cors_configuration")["NoCors_cors"]; ok {
		t.Error("Cors.Disabled still created a CORS configuration")
	}
}

func TestBucketNotifications(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		q := NewQueue(s, "Jobs", QueueProps{})
		tp := NewTopic(s, "Events", TopicProps{})
		b := NewBucket(s, "Uploads", BucketProps{
			Defaults: BucketDefaults{Function: FunctionProps{Timeout: 30 * time.Second, Environment: map[string]string{"LAYER": "defaults"}}},
			Notifications: map[string]BucketNotification{
				"resize": {Handler: nodeHandler, Events: []string{"object_created_put", "object_created_post"}, Prefix: "images/", Suffix: ".jpg"},
				"audit":  {Queue: q, Events: []string{"object_removed"}},
				"fanout": {Topic: tp, Events: []string{"object_created"}, Prefix: "docs/"},
			},
		})
		b.AddNotifications(map[string]BucketNotification{
			"tags": {Function: FunctionProps{Handler: nodeHandler, MemorySize: 256}, Events: []string{"object_tagging"}},
		})
		if len(b.NotificationFunctions()) != 2 {
			t.Errorf("NotificationFunctions = %d", len(b.NotificationFunctions()))
		}
		return nil
	})...)
	n := s.resource(t, "First", "aws_s3_bucket_notification", "Uploads_notifications")
	delete(n, "//")
	wantJSON(t, "notification", n, map[string]any{
		"bucket": "${aws_s3_bucket.Uploads.id}",
		"depends_on": []string{
			"aws_lambda_permission.Uploads_notification_resize_permission",
			"aws_lambda_permission.Uploads_notification_tags_permission",
			"aws_sns_topic_policy.Events_policy",
			"aws_sqs_queue_policy.Jobs_policy",
		},
		"lambda_function": []any{
			map[string]any{"events": []string{"s3:ObjectCreated:Post", "s3:ObjectCreated:Put"}, "filter_prefix": "images/", "filter_suffix": ".jpg", "id": "resize", "lambda_function_arn": "${aws_lambda_function.Uploads_notification_resize.arn}"},
			map[string]any{"events": []string{"s3:ObjectTagging:*"}, "id": "tags", "lambda_function_arn": "${aws_lambda_function.Uploads_notification_tags.arn}"},
		},
		"queue": []any{map[string]any{"events": []string{"s3:ObjectRemoved:*"}, "id": "audit", "queue_arn": "${aws_sqs_queue.Jobs.arn}"}},
		"topic": []any{map[string]any{"events": []string{"s3:ObjectCreated:*"}, "filter_prefix": "docs/", "id": "fanout", "topic_arn": "${aws_sns_topic.Events.arn}"}},
	})
	perm := s.resource(t, "First", "aws_lambda_permission", "Uploads_notification_resize_permission")
	delete(perm, "//")
	wantJSON(t, "lambda permission", perm, map[string]any{
		"action": "lambda:InvokeFunction", "function_name": "${aws_lambda_function.Uploads_notification_resize.function_name}",
		"principal": "s3.amazonaws.com", "source_arn": "${aws_s3_bucket.Uploads.arn}",
	})
	fn := s.resource(t, "First", "aws_lambda_function", "Uploads_notification_resize")
	if fn["timeout"] != 30.0 || s.env(t, "First", "Uploads_notification_resize")["LAYER"] != "defaults" {
		t.Errorf("Defaults.Function not layered: timeout %v env %v", fn["timeout"], s.env(t, "First", "Uploads_notification_resize"))
	}
	if got := s.resource(t, "First", "aws_lambda_function", "Uploads_notification_tags")["memory_size"]; got != 256.0 {
		t.Errorf("tags memory = %v", got)
	}
	wantServicePolicy(t, s.resource(t, "First", "aws_sqs_queue_policy", "Jobs_policy")["policy"], "${aws_sqs_queue.Jobs.arn}", "sqs:SendMessage",
		map[string]string{"s3.amazonaws.com": "${aws_s3_bucket.Uploads.arn}"})
	wantServicePolicy(t, s.resource(t, "First", "aws_sns_topic_policy", "Events_policy")["policy"], "${aws_sns_topic.Events.arn}", "sns:Publish",
		map[string]string{"s3.amazonaws.com": "${aws_s3_bucket.Uploads.arn}"})
	var owners []string
	for _, f := range s.manifestStack(t, "First").Functions {
		owners = append(owners, f.Construct+"/"+f.ID)
	}
	if !reflect.DeepEqual(owners, []string{"Uploads/Uploads_notification_resize", "Uploads/Uploads_notification_tags"}) {
		t.Errorf("manifest functions = %v", owners)
	}
}

// wantServicePolicy checks a resource policy grants action on resource to
// exactly the given service → source ARN pairs.
func wantServicePolicy(t *testing.T, raw any, resource, action string, want map[string]string) {
	t.Helper()
	var doc struct {
		Statement []struct {
			Effect    string
			Principal struct{ Service string }
			Action    string
			Resource  string
			Condition struct {
				ArnEquals map[string]string
			}
		}
	}
	str, _ := raw.(string)
	if err := json.Unmarshal([]byte(str), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, str)
	}
	got := map[string]string{}
	for _, st := range doc.Statement {
		if st.Effect != "Allow" || st.Action != action || st.Resource != resource {
			t.Errorf("statement %+v: want Allow %s on %s", st, action, resource)
		}
		got[st.Principal.Service] = st.Condition.ArnEquals["aws:SourceArn"]
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("policy grants %v, want %v\n%s", got, want, str)
	}
}

func TestBucketRetain(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes", Defaults: Defaults{RemovalPolicy: RemovalRetain}}, opts, stacks(t, func(s *Stack) any {
		NewBucket(s, "Kept", BucketProps{Versioned: true, Notifications: map[string]BucketNotification{"n": {Handler: nodeHandler}}})
		NewBucket(s, "Scratch", BucketProps{RemovalPolicy: RemovalDestroy})
		return nil
	})...)
	want := []string{
		"aws_s3_bucket.Kept",
		"aws_s3_bucket_cors_configuration.Kept_cors",
		"aws_s3_bucket_policy.Kept_policy",
		"aws_s3_bucket_public_access_block.Kept_public_access",
		"aws_s3_bucket_server_side_encryption_configuration.Kept_encryption",
		"aws_s3_bucket_versioning.Kept_versioning",
	}
	if got := s.manifestStack(t, "First").Retained; !reflect.DeepEqual(got, want) {
		t.Errorf("Retained = %v\nwant %v", got, want)
	}
	if got := s.resource(t, "First", "aws_s3_bucket", "Kept")["force_destroy"]; got != false {
		t.Errorf("retained bucket force_destroy = %v", got)
	}
	if got := s.resource(t, "First", "aws_s3_bucket", "Scratch")["force_destroy"]; got != true {
		t.Errorf("destroyed bucket force_destroy = %v", got)
	}
}

func TestBucketBadInput(t *testing.T) {
	bucket := func(props BucketProps) body {
		return func(s *Stack) any { return NewBucket(s, "Uploads", props) }
	}
	tests := []struct {
		name   string
		bodies []body
		want   []string
	}{
		{"unknown encryption", []body{bucket(BucketProps{Encryption: "kms"})}, []string{"stack First", `bucket "Uploads"`, `Encryption "kms"`, `"aws:kms"`}},
		{"kms key with AES256", []body{bucket(BucketProps{KMSKeyID: "k"})}, []string{`bucket "Uploads"`, "KMSKeyID", `set Encryption to "aws:kms"`}},
		{"cors disabled with rules", []body{bucket(BucketProps{Cors: &BucketCors{Disabled: true, Rules: []BucketCorsRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}}})}, []string{`bucket "Uploads"`, "Cors: Disabled with Rules"}},
		{"cors rule without origins", []body{bucket(BucketProps{Cors: &BucketCors{Rules: []BucketCorsRule{{AllowedMethods: []string{"GET"}}}}})}, []string{`Cors.Rules[0]`, "AllowedOrigins are required"}},
		{"cors bad method", []body{bucket(BucketProps{Cors: &BucketCors{Rules: []BucketCorsRule{{AllowedMethods: []string{"PATCH"}, AllowedOrigins: []string{"*"}}}}})}, []string{`Cors.Rules[0]`, `method "PATCH"`}},
		{"cors negative max age", []body{bucket(BucketProps{Cors: &BucketCors{Rules: []BucketCorsRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAge: -time.Second}}}})}, []string{`Cors.Rules[0]`, "MaxAge -1s"}},
		{"cors fractional max age", []body{bucket(BucketProps{Cors: &BucketCors{Rules: []BucketCorsRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAge: 1500 * time.Millisecond}}}})}, []string{`Cors.Rules[0]`, "MaxAge 1.5s", "whole seconds"}},
		{"bad removal policy", []body{bucket(BucketProps{RemovalPolicy: "keep"})}, []string{`bucket "Uploads"`, `RemovalPolicy "keep"`}},
		{"notification without target", []body{bucket(BucketProps{Notifications: map[string]BucketNotification{"n": {Events: []string{"object_created"}}}})}, []string{`bucket "Uploads": notification "n"`, "exactly one of Handler/Function, Queue or Topic"}},
		{"notification with two targets", []body{func(s *Stack) any {
			return NewBucket(s, "Uploads", BucketProps{Notifications: map[string]BucketNotification{"n": {Handler: nodeHandler, Topic: NewTopic(s, "T", TopicProps{})}}})
		}}, []string{`notification "n"`, "exactly one of"}},
		{"notification handler twice", []body{bucket(BucketProps{Notifications: map[string]BucketNotification{"n": {Handler: nodeHandler, Function: FunctionProps{Handler: nodeHandler}}}})}, []string{`notification "n"`, "Handler or Function.Handler, not both"}},
		{"unknown event", []body{bucket(BucketProps{Notifications: map[string]BucketNotification{"n": {Handler: nodeHandler, Events: []string{"s3:ObjectCreated:*"}}}})}, []string{`notification "n"`, `unknown event "s3:ObjectCreated:*"`, `"object_created"`}},
		{"overlapping notifications", []body{bucket(BucketProps{Notifications: map[string]BucketNotification{
			"a": {Handler: nodeHandler, Events: []string{"object_created"}, Prefix: "img/"},
			"b": {Handler: nodeHandler, Events: []string{"object_created_put"}, Prefix: "img/raw/"},
		}})}, []string{`notification "b"`, `overlaps notification "a"`}},
		{"fifo queue target", []body{func(s *Stack) any {
			return NewBucket(s, "Uploads", BucketProps{Notifications: map[string]BucketNotification{"n": {Queue: NewQueue(s, "Q", QueueProps{FIFO: true})}}})
		}}, []string{`notification "n"`, `queue "Q" is FIFO`}},
		{"fifo topic target", []body{func(s *Stack) any {
			return NewBucket(s, "Uploads", BucketProps{Notifications: map[string]BucketNotification{"n": {Topic: NewTopic(s, "T", TopicProps{FIFO: true})}}})
		}}, []string{`notification "n"`, `topic "T" is FIFO`}},
		{"queue in another stack", []body{
			func(s *Stack) any { return NewQueue(s, "Q", QueueProps{}) },
			func(s *Stack) any {
				return NewBucket(s, "Uploads", BucketProps{Notifications: map[string]BucketNotification{"n": {Queue: Use[*Queue](s, First)}}})
			},
		}, []string{"stack Second", `notification "n"`, `queue "Q" is declared in stack First`}},
		{"bad notification function", []body{bucket(BucketProps{Notifications: map[string]BucketNotification{"n": {Function: FunctionProps{Handler: nodeHandler, Timeout: 1000 * time.Second}}}})}, []string{`function "Uploads_notification_n"`, "Timeout 16m40s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.bodies...)...)
			wantContains(t, msg, tt.want...)
		})
	}
}

// validateStorage uses every Bucket, Queue and Topic prop so that
// terraform validate checks them against the real provider schema.
func validateStorage(s *Stack) any {
	dlq := NewQueue(s, "Failed", QueueProps{RetentionPeriod: 336 * time.Hour})
	jobs := NewQueue(s, "Jobs", QueueProps{
		VisibilityTimeout: 2 * time.Minute, RetentionPeriod: 24 * time.Hour, DeliveryDelay: time.Second, ReceiveWaitTime: 10 * time.Second,
		DeadLetterQueue: &QueueDeadLetter{Queue: dlq, MaxReceiveCount: 5},
		Consumer:        &QueueConsumer{Handler: nodeHandler, BatchSize: 100, BatchingWindow: 2 * time.Second, ReportBatchItemFailures: true},
	})
	orders := NewQueue(s, "Orders", QueueProps{FIFO: true, ContentBasedDeduplication: true, DeadLetterQueue: &QueueDeadLetter{},
		Consumer: &QueueConsumer{Function: FunctionProps{Handler: nodeHandler, Timeout: time.Minute}}})
	inbox := NewQueue(s, "Inbox", QueueProps{})
	events := NewTopic(s, "Events", TopicProps{
		Defaults: TopicDefaults{Function: FunctionProps{MemorySize: 256}},
		Subscribers: map[string]TopicSubscriber{
			"fn":    {Handler: nodeHandler, FilterPolicy: `{"size":[{"numeric":[">",1]}]}`, FilterPolicyScope: "MessageBody"},
			"inbox": {Queue: inbox, FilterPolicy: `{"type":["a"]}`, RawMessageDelivery: true},
		},
	})
	NewTopic(s, "Ordered", TopicProps{FIFO: true, ContentBasedDeduplication: true, Subscribers: map[string]TopicSubscriber{"orders": {Queue: orders}}})
	uploads := NewBucket(s, "Uploads", BucketProps{
		Versioned: true, Encryption: "aws:kms", KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/abc", AllowPublicACLs: true,
		Cors:     &BucketCors{Rules: []BucketCorsRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"*"}, ExposedHeaders: []string{"etag"}, ID: "r", MaxAge: time.Minute}}},
		Defaults: BucketDefaults{Function: FunctionProps{Timeout: 20 * time.Second}},
		Notifications: map[string]BucketNotification{
			"fn":    {Handler: nodeHandler, Events: []string{"object_created_put"}, Prefix: "in/", Suffix: ".png"},
			"queue": {Queue: jobs, Events: []string{"object_removed"}},
			"topic": {Topic: events, Events: []string{"object_created"}, Prefix: "docs/"},
		},
	})
	NewBucket(s, "Archive", BucketProps{Cors: &BucketCors{Disabled: true}, RemovalPolicy: RemovalRetain, Encryption: "aws:kms:dsse"})
	NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{uploads, jobs, events}})
	return nil
}

// TestBucketQueueTopicTerraformValidate: terraform validate with the real
// provider. Fails, rather than skips, when terraform or the mirror is missing.
func TestBucketQueueTopicTerraformValidate(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform is not on PATH: %v", err)
	}
	env := testenv.TerraformEnv(t)
	opts := testOptions(t)
	m, err := Synth(Config{Name: "notes"}, opts, validateStorage)
	if err != nil {
		t.Fatal(err)
	}
	validateStacks(t, env, filepath.Join(opts.OutDir, m.Stacks[0].Dir))
}
