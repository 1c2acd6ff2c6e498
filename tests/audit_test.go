package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The security audits run on the stacks TestExamplesAndTemplatesValidate
// synthesizes for every example and template: the least-privilege rules
// below, and tfsec.

// dataPlane are actions that read or write a customer's data: granting
// any of them on Resource "*" reaches every table, bucket, queue… of the
// account.
var dataPlane = []string{
	"dynamodb:", "s3:", "sqs:", "sns:", "kinesis:", "events:PutEvents",
	"ssm:GetParameter", "secretsmanager:GetSecretValue", "lambda:Invoke",
	"rds-data:", "execute-api:", "kms:Decrypt", "states:StartExecution",
	"firehose:Put", "cognito-idp:Admin",
}

func isDataPlane(action string) bool {
	if action == "*" {
		return true
	}
	for _, p := range dataPlane {
		if strings.HasPrefix(action, p) || action == strings.TrimSuffix(p, ":")+":*" {
			return true
		}
	}
	return false
}

// auditFigures add up across projects for the log line the README quotes.
var auditFigures struct {
	sync.Mutex
	projects, stacks, policies, statements, roles, permissions int
	tfsec                                                      map[string]int // severity → findings
	accepted                                                   map[string]int // rule → findings accepted with a reason
}

// stringList reads an IAM JSON field that is a string or a list of them.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

type policyDoc struct {
	Statement []map[string]any
}

func parsePolicy(t *testing.T, where, raw string) policyDoc {
	t.Helper()
	var doc policyDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Errorf("%s: policy is not JSON: %v\n%s", where, err, raw)
		return doc
	}
	// A single statement may be an object.
	if len(doc.Statement) == 0 {
		var one struct{ Statement map[string]any }
		if json.Unmarshal([]byte(raw), &one) == nil && one.Statement != nil {
			doc.Statement = []map[string]any{one.Statement}
		}
	}
	return doc
}

// auditPolicies checks one synthesized stack: identity policies grant no
// data-plane action on "*"; every role is assumable only by the service
// (or, for Cognito identity-pool roles, the identity pool) it exists for;
// every Lambda permission for a service names the source it is for.
func auditPolicies(t *testing.T, stack string, doc map[string]any) {
	t.Helper()
	res, _ := doc["resource"].(map[string]any)
	of := func(typ string) map[string]any { m, _ := res[typ].(map[string]any); return m }
	var policies, statements, roles, permissions int

	check := func(where, raw string) {
		policies++
		for _, st := range parsePolicy(t, where, raw).Statement {
			statements++
			if st["Effect"] != "Allow" {
				continue
			}
			if _, ok := st["NotResource"]; ok {
				t.Errorf("%s: Allow with NotResource grants everything else: %v", where, st)
			}
			if _, ok := st["NotAction"]; ok {
				t.Errorf("%s: Allow with NotAction: %v", where, st)
			}
			if !slices.Contains(stringList(st["Resource"]), "*") {
				continue
			}
			for _, a := range stringList(st["Action"]) {
				if isDataPlane(a) {
					t.Errorf("%s: %s on Resource \"*\": bind the resource instead", where, a)
				}
			}
		}
	}
	for name, r := range of("aws_iam_role_policy") {
		p, _ := r.(map[string]any)["policy"].(string)
		check(stack+": aws_iam_role_policy."+name, p)
	}
	for name, r := range of("aws_iam_policy") {
		p, _ := r.(map[string]any)["policy"].(string)
		check(stack+": aws_iam_policy."+name, p)
	}

	// Which roles Lambda functions run as.
	lambdaRoles := map[string]bool{}
	for _, r := range of("aws_lambda_function") {
		role, _ := r.(map[string]any)["role"].(string)
		lambdaRoles[strings.TrimSuffix(strings.TrimPrefix(role, "${aws_iam_role."), ".arn}")] = true
	}
	for name, r := range of("aws_iam_role") {
		roles++
		where := stack + ": aws_iam_role." + name
		role := r.(map[string]any)
		for _, ip := range asList(role["inline_policy"]) {
			p, _ := ip.(map[string]any)["policy"].(string)
			check(where+" inline_policy", p)
		}
		raw, _ := role["assume_role_policy"].(string)
		stmts := parsePolicy(t, where+" assume_role_policy", raw).Statement
		if len(stmts) == 0 {
			t.Errorf("%s: no assume-role statement", where)
		}
		for _, st := range stmts {
			if err := trustOK(st, lambdaRoles[name]); err != nil {
				t.Errorf("%s: assume_role_policy %v: %v", where, st, err)
			}
		}
	}
	for name, r := range of("aws_lambda_permission") {
		permissions++
		p := r.(map[string]any)
		principal, _ := p["principal"].(string)
		source, _ := p["source_arn"].(string)
		switch {
		case principal == "*":
			if p["function_url_auth_type"] == nil {
				t.Errorf("%s: aws_lambda_permission.%s lets anyone invoke the function", stack, name)
			}
		case strings.HasSuffix(principal, ".amazonaws.com"):
			if source == "" {
				t.Errorf("%s: aws_lambda_permission.%s lets any %s resource of any account invoke the function: set source_arn", stack, name, principal)
			}
		default:
			t.Errorf("%s: aws_lambda_permission.%s principal %q", stack, name, principal)
		}
	}
	auditFigures.Lock()
	auditFigures.stacks++
	auditFigures.policies += policies
	auditFigures.statements += statements
	auditFigures.roles += roles
	auditFigures.permissions += permissions
	auditFigures.Unlock()
}

// trustOK: one service principal with sts:AssumeRole (lambda.amazonaws.com
// for a function's role), or the Cognito identity pool with its audience
// pinned.
func trustOK(st map[string]any, lambda bool) error {
	if st["Effect"] != "Allow" {
		return nil
	}
	pr, ok := st["Principal"].(map[string]any)
	if !ok || len(pr) != 1 {
		return fmt.Errorf("principal must be exactly one service")
	}
	actions := stringList(st["Action"])
	if svc := stringList(pr["Service"]); svc != nil {
		if len(svc) != 1 || !strings.HasSuffix(svc[0], ".amazonaws.com") {
			return fmt.Errorf("service principal %v", svc)
		}
		if lambda && svc[0] != "lambda.amazonaws.com" {
			return fmt.Errorf("a function's role is assumable by %s", svc[0])
		}
		if !slices.Equal(actions, []string{"sts:AssumeRole"}) {
			return fmt.Errorf("actions %v", actions)
		}
		return nil
	}
	fed := stringList(pr["Federated"])
	if len(fed) != 1 || !strings.HasPrefix(fed[0], "cognito-identity") || lambda {
		return fmt.Errorf("principal %v", pr)
	}
	if !slices.Equal(actions, []string{"sts:AssumeRoleWithWebIdentity"}) {
		return fmt.Errorf("actions %v", actions)
	}
	eq, _ := asMap(st["Condition"])["StringEquals"].(map[string]any)
	if aud, _ := eq[fed[0]+":aud"].(string); aud == "" {
		return fmt.Errorf("web identity without the identity pool as audience: any pool's users could assume it")
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// tfsecAccepted are the high findings accepted, each with why and a check
// that the stack really is as the reason says. Synthesized stacks are JSON,
// which has no comments for tfsec's inline ignores, so they live here.
var tfsecAccepted = []struct {
	rule, resource, reason string
	holds                  func(r map[string]any) bool
}{
	{"aws-s3-enable-bucket-encryption", "aws_s3_bucket_server_side_encryption_configuration",
		"false positive: tfsec reads nested blocks of .tf.json as attributes and misses the rule; the bucket is encrypted with SSE-S3 (AES256)",
		func(r map[string]any) bool {
			return asMap(asMap(at0(r["rule"]))["apply_server_side_encryption_by_default"])["sse_algorithm"] != nil
		}},
	{"aws-s3-encryption-customer-key", "aws_s3_bucket_server_side_encryption_configuration",
		"SSE-S3 by default: a KMS key costs per key and request and breaks anonymous reads of public site buckets; a key is one Cdk.Bucket edit away",
		func(r map[string]any) bool {
			return asMap(asMap(at0(r["rule"]))["apply_server_side_encryption_by_default"])["sse_algorithm"] != nil
		}},
	{"aws-rds-encrypt-cluster-storage-data", "aws_rds_cluster",
		"storage is encrypted (storage_encrypted) with the AWS-managed RDS key; tfsec also wants a customer-managed key, which is opt-in",
		func(r map[string]any) bool { return r["storage_encrypted"] == true }},
	{"aws-sns-enable-topic-encryption", "aws_sns_topic",
		"SNS encryption needs KMS, and with the AWS-managed key S3, EventBridge and CloudWatch can no longer publish to the topic; a customer key is opt-in (Cdk.Topic)",
		func(r map[string]any) bool { return true }},
	{"aws-dynamodb-enable-at-rest-encryption", "aws_dynamodb_table",
		"DynamoDB encrypts every table at rest (AWS-owned key); server_side_encryption only switches to a KMS key, billed per request — opt in through Cdk.Table",
		func(r map[string]any) bool { return asMap(r["server_side_encryption"])["enabled"] != false }},
	{"aws-iam-no-policy-wildcards", "aws_iam_role_policy",
		"the only wildcard is the log-stream suffix of the function's own log group (<log group ARN>:*) for logs:CreateLogStream/PutLogEvents: Lambda names streams at run time",
		func(r map[string]any) bool {
			p, _ := r["policy"].(string)
			var doc policyDoc
			if json.Unmarshal([]byte(p), &doc) != nil {
				return false
			}
			for _, st := range doc.Statement {
				for _, res := range stringList(st["Resource"]) {
					if !strings.Contains(res, "*") {
						continue
					}
					own := strings.HasPrefix(res, "${aws_cloudwatch_log_group.") && strings.HasSuffix(res, ".arn}:*")
					if !own || !slices.Equal(stringList(st["Action"]), []string{"logs:CreateLogStream", "logs:PutLogEvents"}) {
						return false
					}
				}
			}
			return true
		}},
}

func at0(v any) any {
	if l := asList(v); len(l) > 0 {
		return l[0]
	}
	return v
}

// tfsecBinary finds tfsec: $SST_TFSEC, PATH, bin/tools (where .ci/run
// installs it) or GOPATH/bin. CI must have it; a developer may not.
func tfsecBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SST_TFSEC"); p != "" {
		return p
	}
	if p, err := exec.LookPath("tfsec"); err == nil {
		return p
	}
	cands := []string{filepath.Join(repo, "bin", "tools", "tfsec")}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		cands = append(cands, filepath.Join(strings.TrimSpace(string(out)), "bin", "tfsec"))
	}
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	const install = "go install github.com/aquasecurity/tfsec/cmd/tfsec@v1.28.14"
	if os.Getenv("CI") == "true" {
		t.Fatalf("tfsec not found (.ci/run installs it into bin/tools: GOBIN=$PWD/bin/tools %s)", install)
	}
	t.Skipf("tfsec not found; install it to run the security scan: %s", install)
	return ""
}

// tfsecScan runs tfsec on one synthesized stack: every critical or high
// finding must be accepted above, with the stack as the reason says.
func tfsecScan(t *testing.T, bin, stack, dir string, doc map[string]any) {
	t.Helper()
	cmd := exec.Command(bin, dir, "--format", "json", "--no-color", "--no-module-downloads", "--soft-fail")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tfsec %s: %v\n%s", dir, err, out)
	}
	var rep struct {
		Results []struct {
			LongID   string `json:"long_id"`
			Severity string `json:"severity"`
			Resource string `json:"resource"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("tfsec output: %v\n%s", err, out)
	}
	res := asMap(doc["resource"])
	auditFigures.Lock()
	defer auditFigures.Unlock()
	if auditFigures.tfsec == nil {
		auditFigures.tfsec, auditFigures.accepted = map[string]int{}, map[string]int{}
	}
	for _, f := range rep.Results {
		auditFigures.tfsec[f.Severity]++
		if f.Severity != "CRITICAL" && f.Severity != "HIGH" {
			continue
		}
		typ, name, _ := strings.Cut(f.Resource, ".")
		ok := false
		for _, a := range tfsecAccepted {
			if a.rule == f.LongID && a.resource == typ && a.holds(asMap(asMap(res[typ])[name])) {
				ok = true
				auditFigures.accepted[a.rule]++
			}
		}
		if !ok {
			t.Errorf("%s: tfsec %s %s on %s: fix the construct, or accept it in tfsecAccepted with the reason", stack, f.Severity, f.LongID, f.Resource)
		}
	}
}
