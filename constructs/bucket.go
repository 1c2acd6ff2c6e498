package sst

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketcorsconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketnotification"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

// BucketProps configure an S3 bucket. The zero value is a private,
// encrypted (SSE-S3), TLS-only bucket with SST's permissive CORS rule.
type BucketProps struct {
	// Cors: nil is SST's default rule (any origin and header; GET, PUT,
	// HEAD, POST, DELETE); set Disabled to turn CORS off, or Rules.
	Cors *BucketCors
	// Versioned keeps every version of every object.
	Versioned bool
	// Encryption: "AES256" (default, S3-managed keys), "aws:kms" or
	// "aws:kms:dsse" (with KMSKeyID, or the AWS managed key when empty).
	Encryption string
	KMSKeyID   string
	// AllowPublicACLs lets objects be made public one by one with ACLs
	// (SST v2's blockPublicACLs: false). Bucket policies still cannot make
	// the bucket public.
	AllowPublicACLs bool
	// Notifications by name: functions, queues or topics told about events.
	Notifications map[string]BucketNotification
	// Defaults apply to every notification function.
	Defaults BucketDefaults
	// RemovalPolicy: RemovalDestroy (remove empties and deletes the
	// bucket) or RemovalRetain (it stays in AWS with its contents); default
	// the app's.
	RemovalPolicy RemovalPolicy
	// Cdk passes raw configuration through.
	Cdk BucketCdkProps
}

// BucketDefaults are layered under each notification function's props.
type BucketDefaults struct {
	Function FunctionProps
}

// BucketCdkProps is the escape hatch into the raw resource configuration.
type BucketCdkProps struct {
	// Bucket edits the aws_s3_bucket config just before it is created.
	Bucket func(*s3bucket.S3BucketConfig)
}

// BucketCors is a bucket's CORS configuration.
type BucketCors struct {
	Disabled bool
	Rules    []BucketCorsRule
}

// BucketCorsRule is one CORS rule.
type BucketCorsRule struct {
	// AllowedMethods: GET, PUT, HEAD, POST, DELETE. Required.
	AllowedMethods []string
	// AllowedOrigins, e.g. "https://example.com" or "*". Required.
	AllowedOrigins []string
	AllowedHeaders []string
	ExposedHeaders []string
	ID             string
	// MaxAge is how long browsers may cache the preflight response, in
	// whole seconds.
	MaxAge time.Duration
}

// BucketNotification sends bucket events to one function, queue or topic.
type BucketNotification struct {
	// Handler is a shorthand for Function.Handler.
	Handler  string
	Function FunctionProps
	// Queue (standard, same stack) receives the events; its policy lets
	// this bucket send.
	Queue *Queue
	// Topic (standard, same stack) receives the events; its policy lets
	// this bucket publish.
	Topic *Topic
	// Events in SST's names ("object_created", "object_removed_delete", …).
	// Default: object_created and object_removed.
	Events []string
	// Prefix and Suffix filter object keys.
	Prefix string
	Suffix string
}

// Bucket is an S3 bucket.
type Bucket struct {
	stack         *Stack
	bid           string
	name          string
	defaults      FunctionProps
	notifications []bucketTarget
	fns           []*Function

	Cdk struct {
		Bucket            s3bucket.S3Bucket
		PublicAccessBlock s3bucketpublicaccessblock.S3BucketPublicAccessBlock
		Encryption        s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationA
		Policy            s3bucketpolicy.S3BucketPolicy
		Cors              s3bucketcorsconfiguration.S3BucketCorsConfiguration
		Versioning        s3bucketversioning.S3BucketVersioningA
		Ownership         s3bucketownershipcontrols.S3BucketOwnershipControls
		Notification      s3bucketnotification.S3BucketNotification
	}
}

// bucketTarget is one validated notification.
type bucketTarget struct {
	name           string
	events         []string // S3's names
	prefix, suffix string
	fn             *Function
	devQueue       *Queue // where fn's events go under `sst dev`
	queue          *Queue
	topic          *Topic
	dependsOn      string // address of the permission or policy S3 checks
}

// bucketEvents maps SST's event names to S3's.
var bucketEvents = map[string]string{
	"object_created":                                   "s3:ObjectCreated:*",
	"object_created_put":                               "s3:ObjectCreated:Put",
	"object_created_post":                              "s3:ObjectCreated:Post",
	"object_created_copy":                              "s3:ObjectCreated:Copy",
	"object_created_complete_multipart_upload":         "s3:ObjectCreated:CompleteMultipartUpload",
	"object_removed":                                   "s3:ObjectRemoved:*",
	"object_removed_delete":                            "s3:ObjectRemoved:Delete",
	"object_removed_delete_marker_created":             "s3:ObjectRemoved:DeleteMarkerCreated",
	"object_restore_post":                              "s3:ObjectRestore:Post",
	"object_restore_completed":                         "s3:ObjectRestore:Completed",
	"object_restore_delete":                            "s3:ObjectRestore:Delete",
	"reduced_redundancy_lost_object":                   "s3:ReducedRedundancyLostObject",
	"replication_operation_failed_replication":         "s3:Replication:OperationFailedReplication",
	"replication_operation_missed_threshold":           "s3:Replication:OperationMissedThreshold",
	"replication_operation_replicated_after_threshold": "s3:Replication:OperationReplicatedAfterThreshold",
	"replication_operation_not_tracked":                "s3:Replication:OperationNotTracked",
	"lifecycle_expiration":                             "s3:LifecycleExpiration:*",
	"lifecycle_expiration_delete":                      "s3:LifecycleExpiration:Delete",
	"lifecycle_expiration_delete_marker_created":       "s3:LifecycleExpiration:DeleteMarkerCreated",
	"lifecycle_transition":                             "s3:LifecycleTransition",
	"intelligent_tiering":                              "s3:IntelligentTiering",
	"object_tagging":                                   "s3:ObjectTagging:*",
	"object_tagging_put":                               "s3:ObjectTagging:Put",
	"object_tagging_delete":                            "s3:ObjectTagging:Delete",
	"object_acl_put":                                   "s3:ObjectAcl:Put",
}

var (
	bucketEncryptions = map[string]bool{"AES256": true, "aws:kms": true, "aws:kms:dsse": true}
	corsMethods       = map[string]bool{"GET": true, "PUT": true, "HEAD": true, "POST": true, "DELETE": true}
)

// NewBucket declares an S3 bucket: it checks the props, then creates the
// bucket, its public access block, encryption, TLS-only policy, CORS and
// versioning, and the notifications.
func NewBucket(s *Stack, id string, props BucketProps) *Bucket {
	b := &Bucket{stack: s, bid: id, defaults: props.Defaults.Function}
	if !s.app.claimID(s, id, "Bucket") {
		return b
	}
	a := s.app
	where := fmt.Sprintf("stack %s: bucket %q", s.name, id)
	errs := len(a.errs)
	enc := checkEncryption(a, where, props.Encryption, props.KMSKeyID)
	checkBucketCors(a, where, props.Cors)
	removal := a.removalPolicy(where, props.RemovalPolicy)
	if len(a.errs) > errs {
		return b
	}

	b.createBucket(removal, props.Cdk.Bucket)
	b.blockPublicAccess(props.AllowPublicACLs)
	b.encrypt(enc, props.KMSKeyID)
	b.denyInsecureTransport()
	b.configureCors(props.Cors)
	if props.Versioned {
		b.enableVersioning()
	}
	if removal == RemovalRetain {
		// The bucket keeps its protection (encryption, public access block,
		// TLS policy) after the stage is gone; only notifications, whose
		// functions are removed, go.
		for _, r := range b.protection() {
			s.retain(r)
		}
	}
	s.add(b)
	b.AddNotifications(props.Notifications)
	return b
}

// checkEncryption returns the algorithm, AES256 unless props say otherwise.
func checkEncryption(a *App, where, encryption, kmsKey string) string {
	enc := cmp.Or(encryption, "AES256")
	if !bucketEncryptions[enc] {
		a.errorf("%s: Encryption %q: use \"AES256\", \"aws:kms\" or \"aws:kms:dsse\"", where, encryption)
	} else if kmsKey != "" && enc == "AES256" {
		a.errorf("%s: KMSKeyID is set but Encryption is %q: set Encryption to \"aws:kms\"", where, enc)
	}
	return enc
}

func checkBucketCors(a *App, where string, c *BucketCors) {
	if c == nil {
		return
	}
	if c.Disabled && len(c.Rules) > 0 {
		a.errorf("%s: Cors: Disabled with Rules; drop one of them", where)
	}
	for i, r := range c.Rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			a.errorf("%s: Cors.Rules[%d]: AllowedMethods and AllowedOrigins are required", where, i)
		}
		for _, m := range r.AllowedMethods {
			if !corsMethods[m] {
				a.errorf("%s: Cors.Rules[%d]: method %q: S3 allows GET, PUT, HEAD, POST and DELETE", where, i, m)
			}
		}
		if r.MaxAge < 0 || r.MaxAge%time.Second != 0 {
			a.errorf("%s: Cors.Rules[%d]: MaxAge %s: must be whole seconds, not negative", where, i, formatDuration(r.MaxAge))
		}
	}
}

func (b *Bucket) createBucket(removal RemovalPolicy, hook func(*s3bucket.S3BucketConfig)) {
	s := b.stack
	cfg := &s3bucket.S3BucketConfig{
		Bucket: jsii.String(naming.Bucket(s.Stage(), s.app.cfg.Name, b.bid)),
		// Destroy means what it says: `sst remove` empties the bucket (all
		// versions) instead of failing on BucketNotEmpty.
		ForceDestroy: jsii.Bool(removal == RemovalDestroy),
	}
	if hook != nil {
		hook(cfg)
	}
	b.name = s.app.claim(naming.KindBucket, cfg.Bucket, b.bid)
	b.Cdk.Bucket = s3bucket.NewS3Bucket(s.tf, jsii.String(b.bid), cfg)
}

// blockPublicAccess blocks every way of making the bucket public, except
// object ACLs when the props allow them.
func (b *Bucket) blockPublicAccess(allowACLs bool) {
	s, id, bucket := b.stack, b.bid, b.Cdk.Bucket
	b.Cdk.PublicAccessBlock = s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(s.tf, jsii.String(id+"_public_access"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                bucket.Id(),
		BlockPublicAcls:       jsii.Bool(!allowACLs),
		IgnorePublicAcls:      jsii.Bool(!allowACLs),
		BlockPublicPolicy:     jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	if allowACLs {
		// New buckets disable ACLs (BucketOwnerEnforced); ACLs only take
		// effect again with BucketOwnerPreferred.
		b.Cdk.Ownership = s3bucketownershipcontrols.NewS3BucketOwnershipControls(s.tf, jsii.String(id+"_ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
			Bucket: bucket.Id(),
			Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerPreferred")},
		})
	}
}

func (b *Bucket) encrypt(enc, kmsKey string) {
	byDefault := &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{SseAlgorithm: jsii.String(enc)}
	if kmsKey != "" {
		byDefault.KmsMasterKeyId = jsii.String(kmsKey)
	}
	rule := &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{ApplyServerSideEncryptionByDefault: byDefault}
	if enc != "AES256" {
		// Bucket keys cut KMS request costs by ~99% for the same security.
		rule.BucketKeyEnabled = jsii.Bool(true)
	}
	b.Cdk.Encryption = s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(b.stack.tf, jsii.String(b.bid+"_encryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: b.Cdk.Bucket.Id(),
		Rule:   []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{rule},
	})
}

func (b *Bucket) denyInsecureTransport() {
	bucket := b.Cdk.Bucket
	b.Cdk.Policy = s3bucketpolicy.NewS3BucketPolicy(b.stack.tf, jsii.String(b.bid+"_policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: bucket.Id(),
		Policy: jsii.String(tlsOnlyPolicy(*bucket.Arn())),
		// S3 refuses policy changes while the public access block is
		// being written.
		DependsOn: &[]cdktf.ITerraformDependable{b.Cdk.PublicAccessBlock},
	})
}

func (b *Bucket) configureCors(c *BucketCors) {
	if rules := corsRules(c); len(rules) > 0 {
		b.Cdk.Cors = s3bucketcorsconfiguration.NewS3BucketCorsConfiguration(b.stack.tf, jsii.String(b.bid+"_cors"), &s3bucketcorsconfiguration.S3BucketCorsConfigurationConfig{
			Bucket:   b.Cdk.Bucket.Id(),
			CorsRule: rules,
		})
	}
}

func (b *Bucket) enableVersioning() {
	b.Cdk.Versioning = s3bucketversioning.NewS3BucketVersioningA(b.stack.tf, jsii.String(b.bid+"_versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  b.Cdk.Bucket.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
}

// protection is the bucket and every resource configuring it, in the
// order they were created.
func (b *Bucket) protection() []cdktf.TerraformResource {
	out := []cdktf.TerraformResource{b.Cdk.Bucket, b.Cdk.PublicAccessBlock}
	if b.Cdk.Ownership != nil {
		out = append(out, b.Cdk.Ownership)
	}
	out = append(out, b.Cdk.Encryption, b.Cdk.Policy)
	if b.Cdk.Cors != nil {
		out = append(out, b.Cdk.Cors)
	}
	if b.Cdk.Versioning != nil {
		out = append(out, b.Cdk.Versioning)
	}
	return out
}

func corsRules(c *BucketCors) []*s3bucketcorsconfiguration.S3BucketCorsConfigurationCorsRule {
	if c != nil && c.Disabled {
		return nil
	}
	if c == nil || len(c.Rules) == 0 {
		return []*s3bucketcorsconfiguration.S3BucketCorsConfigurationCorsRule{{
			AllowedHeaders: jsii.Strings("*"),
			AllowedMethods: jsii.Strings("GET", "PUT", "HEAD", "POST", "DELETE"),
			AllowedOrigins: jsii.Strings("*"),
		}}
	}
	var out []*s3bucketcorsconfiguration.S3BucketCorsConfigurationCorsRule
	for _, r := range c.Rules {
		rule := &s3bucketcorsconfiguration.S3BucketCorsConfigurationCorsRule{
			AllowedMethods: jsii.Strings(r.AllowedMethods...),
			AllowedOrigins: jsii.Strings(r.AllowedOrigins...),
		}
		if len(r.AllowedHeaders) > 0 {
			rule.AllowedHeaders = jsii.Strings(r.AllowedHeaders...)
		}
		if len(r.ExposedHeaders) > 0 {
			rule.ExposeHeaders = jsii.Strings(r.ExposedHeaders...)
		}
		if r.ID != "" {
			rule.Id = jsii.String(r.ID)
		}
		if r.MaxAge > 0 {
			rule.MaxAgeSeconds = jsii.Number(seconds(r.MaxAge))
		}
		out = append(out, rule)
	}
	return out
}

// tlsOnlyPolicy denies every request that does not use TLS, so data never
// crosses the network in clear text (SST v2's enforceSSL).
func tlsOnlyPolicy(arn string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "DenyInsecureTransport",
			"Effect":    "Deny",
			"Principal": "*",
			"Action":    "s3:*",
			"Resource":  []string{arn, arn + "/*"},
			"Condition": map[string]any{"Bool": map[string]string{"aws:SecureTransport": "false"}},
		}},
	}
	out, _ := json.Marshal(doc)
	return string(out)
}

// AddNotifications adds notifications after creation (SST's
// addNotifications).
func (b *Bucket) AddNotifications(ns map[string]BucketNotification) {
	if b.Cdk.Bucket == nil {
		return
	}
	for _, name := range sortedKeys(ns) {
		b.addNotification(name, ns[name])
	}
}

func (b *Bucket) addNotification(name string, n BucketNotification) {
	s, a := b.stack, b.stack.app
	where := fmt.Sprintf("stack %s: bucket %q: notification %q", s.name, b.bid, name)
	for _, t := range b.notifications {
		if t.name == name {
			a.errorf("%s: declared twice; notification names are unique per bucket", where)
			return
		}
	}
	errs := len(a.errs)
	isFn := n.Handler != "" || n.Function.Handler != ""
	targets := 0
	for _, set := range []bool{isFn, n.Queue != nil, n.Topic != nil} {
		if set {
			targets++
		}
	}
	if targets != 1 {
		a.errorf("%s: set exactly one of Handler/Function, Queue or Topic", where)
	}
	if n.Handler != "" && n.Function.Handler != "" {
		a.errorf("%s: set Handler or Function.Handler, not both", where)
	}
	events := n.Events
	if len(events) == 0 {
		events = []string{"object_created", "object_removed"}
	}
	var s3Events []string
	for _, e := range events {
		if v, ok := bucketEvents[e]; ok {
			s3Events = append(s3Events, v)
		} else {
			a.errorf("%s: Events: unknown event %q: use SST's names, e.g. \"object_created\", \"object_removed\", \"object_created_put\" (S3's s3:ObjectCreated:Put)", where, e)
		}
	}
	if q := n.Queue; q != nil && q.Cdk.Queue != nil {
		if q.fifo {
			a.errorf("%s: queue %q is FIFO: S3 notifications go only to standard queues", where, q.qid)
		}
		if q.stack != s {
			a.errorf("%s: queue %q is declared in stack %s: notify queues of the bucket's own stack (the notification and the queue's policy would make each stack depend on the other)", where, q.qid, q.stack.name)
		}
	}
	if t := n.Topic; t != nil && t.Cdk.Topic != nil {
		if t.fifo {
			a.errorf("%s: topic %q is FIFO: S3 notifications go only to standard topics", where, t.tid)
		}
		if t.stack != s {
			a.errorf("%s: topic %q is declared in stack %s: notify topics of the bucket's own stack", where, t.tid, t.stack.name)
		}
	}
	target := bucketTarget{name: name, events: uniqueSorted(s3Events), prefix: n.Prefix, suffix: n.Suffix, queue: n.Queue, topic: n.Topic}
	if len(a.errs) == errs {
		for _, other := range b.notifications {
			if notificationsOverlap(target, other) {
				a.errorf("%s: overlaps notification %q (a shared event type with overlapping prefix/suffix filters); S3 rejects overlapping configurations: narrow the events or filters", where, other.name)
			}
		}
	}
	if len(a.errs) > errs {
		return
	}
	arn := *b.Cdk.Bucket.Arn()
	switch {
	case n.Queue != nil:
		if n.Queue.Cdk.Queue == nil {
			return
		}
		n.Queue.allow(sid("Bucket", b.bid), "s3.amazonaws.com", arn)
		target.dependsOn = "aws_sqs_queue_policy." + n.Queue.qid + "_policy"
	case n.Topic != nil:
		if n.Topic.Cdk.Topic == nil {
			return
		}
		n.Topic.allow(sid("Bucket", b.bid), "s3.amazonaws.com", arn)
		target.dependsOn = "aws_sns_topic_policy." + n.Topic.tid + "_policy"
	default:
		props := n.Function
		if n.Handler != "" {
			props.Handler = n.Handler
		}
		fid := b.bid + "_notification_" + binding.EnvID(name)
		fn := newFunction(s, b.bid, fid, props, b.defaults)
		if fn.Cdk.Function == nil {
			return
		}
		lambdapermission.NewLambdaPermission(s.tf, jsii.String(fid+"_permission"), &lambdapermission.LambdaPermissionConfig{
			Action:       jsii.String("lambda:InvokeFunction"),
			FunctionName: fn.Cdk.Function.FunctionName(),
			Principal:    jsii.String("s3.amazonaws.com"),
			SourceArn:    b.Cdk.Bucket.Arn(),
		})
		target.fn = fn
		target.dependsOn = "aws_lambda_permission." + fid + "_permission"
		if a.opts.Mode == manifest.ModeDev {
			// `sst dev` polls a dev-only queue S3 notifies instead and runs
			// the function locally; the next `sst deploy` points it back.
			target.devQueue = newDevQueue(s, fid, false, servicePermission{sid: sid("Bucket", b.bid), service: "s3.amazonaws.com", sourceArn: arn})
			target.dependsOn = "aws_sqs_queue_policy." + fid + "_dev_policy"
		}
		b.fns = append(b.fns, fn)
	}
	b.notifications = append(b.notifications, target)
}

// notificationsOverlap reports what S3 rejects: two configurations that
// share an event type and whose key filters can match the same key.
func notificationsOverlap(x, y bucketTarget) bool {
	shared := false
	for _, e := range x.events {
		for _, f := range y.events {
			if eventsOverlap(e, f) {
				shared = true
			}
		}
	}
	if !shared {
		return false
	}
	prefixes := strings.HasPrefix(x.prefix, y.prefix) || strings.HasPrefix(y.prefix, x.prefix)
	suffixes := strings.HasSuffix(x.suffix, y.suffix) || strings.HasSuffix(y.suffix, x.suffix)
	return prefixes && suffixes
}

func eventsOverlap(e, f string) bool {
	if e == f {
		return true
	}
	ef, ee, _ := strings.Cut(strings.TrimPrefix(e, "s3:"), ":")
	ff, fe, _ := strings.Cut(strings.TrimPrefix(f, "s3:"), ":")
	return ef == ff && (ee == "*" || fe == "*")
}

// BucketName is the physical bucket name.
func (b *Bucket) BucketName() string { return b.name }

// Arn is the bucket's ARN (a token until deploy); "" when the bucket
// failed validation.
func (b *Bucket) Arn() string {
	if b.Cdk.Bucket == nil {
		return ""
	}
	return *b.Cdk.Bucket.Arn()
}

// ID is the construct id.
func (b *Bucket) ID() string { return b.bid }

// NotificationFunctions are the functions created for notifications.
func (b *Bucket) NotificationFunctions() []*Function { return b.fns }

// bucketBucketActions act on the bucket (listing); bucketObjectActions on
// its objects. Neither touches the bucket's configuration or policy.
var (
	bucketBucketActions = []string{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions"}
	bucketObjectActions = []string{
		"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion",
		"s3:GetObject", "s3:GetObjectAttributes", "s3:GetObjectTagging", "s3:GetObjectVersion",
		"s3:ListMultipartUploadParts", "s3:PutObject", "s3:PutObjectTagging",
	}
)

// Binding gives functions the bucket name (SST_Bucket_bucketName_<id>)
// and object access to this bucket only.
func (b *Bucket) Binding() Binding {
	arn := b.Arn()
	return Binding{
		Type:      "Bucket",
		ID:        b.bid,
		Variables: map[string]string{"bucketName": b.name},
		Permissions: []Statement{
			Allow(bucketBucketActions, arn),
			Allow(bucketObjectActions, arn+"/*"),
		},
	}
}

func (b *Bucket) id() string { return b.bid }

func (b *Bucket) functions() []*Function { return b.fns }

func (b *Bucket) finalize() {
	if b.Cdk.Bucket == nil || len(b.notifications) == 0 {
		return
	}
	cfg := &s3bucketnotification.S3BucketNotificationConfig{Bucket: b.Cdk.Bucket.Id()}
	var fns []*s3bucketnotification.S3BucketNotificationLambdaFunction
	var queues []*s3bucketnotification.S3BucketNotificationQueue
	var topics []*s3bucketnotification.S3BucketNotificationTopic
	var deps []string
	str := func(v string) *string {
		if v == "" {
			return nil
		}
		return jsii.String(v)
	}
	for _, t := range b.notifications {
		deps = append(deps, t.dependsOn)
		q := t.queue
		if t.devQueue != nil {
			q = t.devQueue
		}
		switch {
		case q != nil:
			queues = append(queues, &s3bucketnotification.S3BucketNotificationQueue{
				Id: jsii.String(t.name), QueueArn: q.Cdk.Queue.Arn(), Events: jsii.Strings(t.events...),
				FilterPrefix: str(t.prefix), FilterSuffix: str(t.suffix),
			})
		case t.fn != nil:
			fns = append(fns, &s3bucketnotification.S3BucketNotificationLambdaFunction{
				Id: jsii.String(t.name), LambdaFunctionArn: t.fn.Cdk.Function.Arn(), Events: jsii.Strings(t.events...),
				FilterPrefix: str(t.prefix), FilterSuffix: str(t.suffix),
			})
		case t.topic != nil:
			topics = append(topics, &s3bucketnotification.S3BucketNotificationTopic{
				Id: jsii.String(t.name), TopicArn: t.topic.Cdk.Topic.Arn(), Events: jsii.Strings(t.events...),
				FilterPrefix: str(t.prefix), FilterSuffix: str(t.suffix),
			})
		}
	}
	if len(fns) > 0 {
		cfg.LambdaFunction = fns
	}
	if len(queues) > 0 {
		cfg.Queue = queues
	}
	if len(topics) > 0 {
		cfg.Topic = topics
	}
	b.Cdk.Notification = s3bucketnotification.NewS3BucketNotification(b.stack.tf, jsii.String(b.bid+"_notifications"), cfg)
	// S3 test-sends to every destination when the configuration is saved
	// and fails unless each one already lets the bucket in.
	b.Cdk.Notification.AddOverride(jsii.String("depends_on"), uniqueSorted(deps))
}

func (b *Bucket) describe() manifest.Construct {
	d := map[string]string{manifest.BucketName: b.name}
	var qs []manifest.DevQueue
	for _, t := range b.notifications {
		if t.devQueue != nil {
			qs = append(qs, manifest.DevQueue{Function: t.fn.fid, Queue: t.devQueue.name, Source: t.name})
		}
	}
	describeDevQueues(d, qs)
	return manifest.Construct{ID: b.bid, Type: "Bucket", Path: b.bid, Data: d}
}
