// Package naming builds AWS physical names of the form {stage}-{app}-{id}.
//
// Names must be unique per account and region across every app and stage,
// stable across deploys (a new name means Terraform replaces the resource),
// and within each service's own length and alphabet limits. When a name is
// too long it is cut and suffixed with "-" and 8 hex digits of the SHA-256
// of the full name, so two long names that share a prefix stay distinct and
// the same inputs always give the same name.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// hashLen is the number of hex digits appended to shortened names: 32 bits
// keeps accidental collisions negligible among one account's resources
// while leaving most of the limit for the readable part.
const hashLen = 8

// AWS length limits for the resource-specific helpers.
const (
	LambdaMax       = 64
	IAMRoleMax      = 64
	IAMPolicyMax    = 128
	BucketMax       = 63
	BucketMin       = 3
	SQSMax          = 80
	SNSMax          = 256
	DynamoDBMax     = 255
	DynamoDBMin     = 3
	ApiGatewayMax   = 128
	EventBusMax     = 256
	KinesisMax      = 128
	RDSClusterMax   = 63
	CognitoMax      = 128
	SSMParameterMax = 1011
	LoadBalancerMax = 32 // ALBs and target groups
	ECRMax          = 256
	ECSMax          = 255 // clusters, services, task definition families
)

// fifoSuffix is required by SQS and SNS on FIFO queues and topics and counts
// towards their length limits.
const fifoSuffix = ".fifo"

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:hashLen]
}

func join(parts ...string) string {
	nonEmpty := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, "-")
}

// replace maps every byte that keep rejects to "-". Working byte-wise turns
// a multi-byte rune into several dashes, which is fine: the result only has
// to be deterministic and valid.
func replace(s string, keep func(byte) bool) string {
	b := []byte(s)
	for i, c := range b {
		if !keep(c) {
			b[i] = '-'
		}
	}
	return string(b)
}

// fit shortens name to max bytes, replacing the tail with "-" and the hash
// of the whole name. trim is cut from the end of the kept prefix so the
// result never has a doubled or dangling separator before the hash.
func fit(name string, max int, trim string) string {
	if len(name) <= max {
		return name
	}
	if max <= 0 {
		return ""
	}
	h := sum(name)
	if max <= hashLen+1 {
		// No room for any readable part; the hash alone is still stable.
		return h[:min(max, hashLen)]
	}
	prefix := strings.TrimRight(name[:max-hashLen-1], trim)
	if prefix == "" {
		return h
	}
	return prefix + "-" + h
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// wordChar is [A-Za-z0-9-_], accepted by Lambda, IAM, SQS, SNS, EventBridge,
// API Gateway, Kinesis and Cognito alike.
func wordChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// Physical joins stage, app and id with "-", replaces every character
// outside [A-Za-z0-9-_] with "-" and shortens the result to at most max bytes
// (see the package comment). Empty parts are skipped.
func Physical(stage, app, id string, max int) string {
	return fit(replace(join(stage, app, id), wordChar), max, "-_")
}

// Lambda names a Lambda function: [A-Za-z0-9-_], at most 64.
func Lambda(stage, app, id string) string { return Physical(stage, app, id, LambdaMax) }

// IAMRole names an IAM role: at most 64.
func IAMRole(stage, app, id string) string { return Physical(stage, app, id, IAMRoleMax) }

// IAMPolicy names an IAM policy: at most 128.
func IAMPolicy(stage, app, id string) string { return Physical(stage, app, id, IAMPolicyMax) }

// ApiGateway names an API Gateway API: at most 128.
func ApiGateway(stage, app, id string) string { return Physical(stage, app, id, ApiGatewayMax) }

// EventBus names an EventBridge bus: at most 256. The result always contains
// "-" so it can never be the reserved name "default".
func EventBus(stage, app, id string) string {
	name := Physical(stage, app, id, EventBusMax)
	if name == "default" {
		return fit(name+"-bus", EventBusMax, "-_")
	}
	return name
}

// Kinesis names a Kinesis data stream: at most 128.
func Kinesis(stage, app, id string) string { return Physical(stage, app, id, KinesisMax) }

// Cognito names a Cognito user pool or user pool client: at most 128.
func Cognito(stage, app, id string) string { return Physical(stage, app, id, CognitoMax) }

// CognitoIdentityPool names a Cognito identity pool, whose alphabet is only
// [A-Za-z0-9_ ]: the separator is "_" instead of "-".
func CognitoIdentityPool(stage, app, id string) string {
	return strings.ReplaceAll(Physical(stage, app, id, CognitoMax), "-", "_")
}

// SQS names a queue: [A-Za-z0-9-_], at most 80 including the ".fifo" suffix
// FIFO queues must carry.
func SQS(stage, app, id string, fifo bool) string {
	if !fifo {
		return Physical(stage, app, id, SQSMax)
	}
	return Physical(stage, app, id, SQSMax-len(fifoSuffix)) + fifoSuffix
}

// SNS names a topic: [A-Za-z0-9-_], at most 256 including the ".fifo"
// suffix FIFO topics must carry.
func SNS(stage, app, id string, fifo bool) string {
	if !fifo {
		return Physical(stage, app, id, SNSMax)
	}
	return Physical(stage, app, id, SNSMax-len(fifoSuffix)) + fifoSuffix
}

// DynamoDB names a table: [A-Za-z0-9_.-], 3 to 255.
func DynamoDB(stage, app, id string) string {
	keep := func(c byte) bool { return wordChar(c) || c == '.' }
	name := fit(replace(join(stage, app, id), keep), DynamoDBMax, "-_.")
	if len(name) < DynamoDBMin {
		name = join(name, sum(name))
	}
	return name
}

// LogGroup is the log group Lambda writes to for a function name.
func LogGroup(functionName string) string { return "/aws/lambda/" + functionName }

// bucketReservedPrefixes and bucketReservedSuffixes are rejected by S3.
// Prefixes and suffixes containing "--" cannot occur after dash runs are
// collapsed, so only these remain.
var (
	bucketReservedPrefixes = []string{"sthree-", "amzn-s3-demo-"}
	bucketReservedSuffixes = []string{"-s3alias"}
)

// Bucket names an S3 bucket: lower-case [a-z0-9-], 3 to 63 characters,
// starting and ending with a letter or digit. Dots are not used at all (they
// break virtual-hosted TLS), which also rules out ".." and IP-like names.
func Bucket(stage, app, id string) string {
	name := collapse(replace(strings.ToLower(join(stage, app, id)), isLowerAlnum))
	for _, p := range bucketReservedPrefixes {
		if strings.HasPrefix(name, p) {
			name = "b-" + name
		}
	}
	full := name
	name = fit(name, BucketMax, "-")
	for _, s := range bucketReservedSuffixes {
		if strings.HasSuffix(name, s) {
			name = fit(full+"-", len(full), "-")
		}
	}
	if len(name) < BucketMin {
		name = join(name, sum(full))
	}
	return name
}

// RDSCluster names an RDS (Aurora) cluster identifier: lower-case letters,
// digits and "-", 1 to 63, starting with a letter, no "--", no trailing "-".
func RDSCluster(stage, app, id string) string {
	name := collapse(replace(strings.ToLower(join(stage, app, id)), isLowerAlnum))
	full := name
	name = strings.TrimLeft(name, "-0123456789")
	if name != full {
		// Dropping leading characters can merge distinct inputs; the hash of
		// what was dropped keeps them apart.
		name = join("db", name, sum(full))
	}
	if name == "" {
		return "db-" + sum(full)
	}
	return fit(name, RDSClusterMax, "-")
}

// collapse turns runs of "-" into one and trims them from both ends; S3 and
// RDS reject doubled and edge dashes.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prev := byte('-')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' && prev == '-' {
			continue
		}
		b.WriteByte(c)
		prev = c
	}
	return strings.TrimRight(b.String(), "-")
}

// IDMax is the longest construct id accepted.
const IDMax = 64

// ValidateID reports whether id is a usable construct id:
// [A-Za-z][A-Za-z0-9_-]*, at most 64 characters. The limit leaves room in
// derived names (env vars, Terraform addresses) and the alphabet is what
// every physical name and env var can carry.
func ValidateID(id string) error {
	const rule = `construct ids must start with a letter and contain only letters, digits, "-" and "_", at most 64 characters`
	fail := func(problem string) error {
		return fmt.Errorf("invalid construct id %q: %s; %s", id, problem, rule)
	}
	switch {
	case id == "":
		return fail("the id is empty")
	case len(id) > IDMax:
		return fail(fmt.Sprintf("it is %d characters long", len(id)))
	}
	for _, r := range id {
		if r > 0x7f || !wordChar(byte(r)) {
			return fail(fmt.Sprintf("%q is not allowed", string(r)))
		}
	}
	if c := id[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return fail("it must start with a letter")
	}
	return nil
}

// LoadBalancer names an ALB or target group: [A-Za-z0-9-], at most 32, no
// "-" at either end, not starting with "internal-" (ELB's own prefix).
func LoadBalancer(stage, app, id string) string {
	full := join(stage, app, id)
	name := collapse(replace(full, isAlnum))
	if strings.HasPrefix(strings.ToLower(name), "internal-") {
		name = "lb-" + name
	}
	if name == "" {
		return "lb-" + sum(full)
	}
	return strings.TrimRight(fit(name, LoadBalancerMax, "-"), "-")
}

// ECRRepository names an ECR repository: lower-case [a-z0-9-_], at most
// 256, starting with a letter or digit.
func ECRRepository(stage, app, id string) string {
	lower := func(c byte) bool { return isLowerAlnum(c) || c == '-' || c == '_' }
	name := strings.Trim(replace(strings.ToLower(join(stage, app, id)), lower), "-_")
	if name == "" {
		return "r-" + sum(join(stage, app, id))
	}
	return fit(name, ECRMax, "-_")
}

// ECS names an ECS cluster, service or task definition family:
// [A-Za-z0-9-_], at most 255.
func ECS(stage, app, id string) string { return Physical(stage, app, id, ECSMax) }
