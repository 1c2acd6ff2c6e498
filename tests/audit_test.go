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

func parsePolicy(raw string) (policyDoc, error) {
	var doc policyDoc
	var top struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(raw), &top); err != nil {
		return doc, fmt.Errorf("policy is not JSON: %v: %s", err, raw)
	}
	// Statement is a list, or a single statement object.
	if err := json.Unmarshal(top.Statement, &doc.Statement); err != nil {
		var one map[string]any
		if err := json.Unmarshal(top.Statement, &one); err != nil {
			return doc, fmt.Errorf("policy Statement is neither a list nor an object: %s", raw)
		}
		doc.Statement = []map[string]any{one}
	}
	return doc, nil
}

// auditPolicies checks one synthesized stack: identity policies grant no
// data-plane action on "*"; every role is assumable only by the service
// (or, for Cognito identity-pool roles, the identity pool) it exists for;
// every Lambda permission for a service names the source it is for. It
// returns what breaks these rules.
func auditPolicies(stack string, doc map[string]any) (problems []string, n auditCounts) {
	res, _ := doc["resource"].(map[string]any)
	of := func(typ string) map[string]any { m, _ := res[typ].(map[string]any); return m }
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	check := func(where, raw string) {
		n.policies++
		doc, err := parsePolicy(raw)
		if err != nil {
			problem("%s: %v", where, err)
		}
		for _, st := range doc.Statement {
			n.statements++
			if st["Effect"] != "Allow" {
				continue
			}
			if _, ok := st["NotResource"]; ok {
				problem("%s: Allow with NotResource grants everything else: %v", where, st)
			}
			if _, ok := st["NotAction"]; ok {
				problem("%s: Allow with NotAction: %v", where, st)
			}
			if !slices.Contains(stringList(st["Resource"]), "*") {
				continue
			}
			for _, a := range stringList(st["Action"]) {
				if isDataPlane(a) {
					problem("%s: %s on Resource \"*\": bind the resource instead", where, a)
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
		n.roles++
		where := stack + ": aws_iam_role." + name
		role := r.(map[string]any)
		for _, ip := range asList(role["inline_policy"]) {
			p, _ := ip.(map[string]any)["policy"].(string)
			check(where+" inline_policy", p)
		}
		raw, _ := role["assume_role_policy"].(string)
		trust, err := parsePolicy(raw)
		if err != nil {
			problem("%s assume_role_policy: %v", where, err)
		}
		stmts := trust.Statement
		if len(stmts) == 0 {
			problem("%s: no assume-role statement", where)
		}
		for _, st := range stmts {
			if err := trustOK(st, lambdaRoles[name]); err != nil {
				problem("%s: assume_role_policy %v: %v", where, st, err)
			}
		}
	}
	for name, r := range of("aws_lambda_permission") {
		n.permissions++
		p := r.(map[string]any)
		principal, _ := p["principal"].(string)
		source, _ := p["source_arn"].(string)
		switch {
		case principal == "*":
			if p["function_url_auth_type"] == nil {
				problem("%s: aws_lambda_permission.%s lets anyone invoke the function", stack, name)
			}
		case strings.HasSuffix(principal, ".amazonaws.com"):
			if source == "" {
				problem("%s: aws_lambda_permission.%s lets any %s resource of any account invoke the function: set source_arn", stack, name, principal)
			}
		default:
			problem("%s: aws_lambda_permission.%s principal %q", stack, name, principal)
		}
	}
	return problems, n
}

// auditCounts are what one audit looked at.
type auditCounts struct{ policies, statements, roles, permissions int }

func (c auditCounts) record() {
	auditFigures.Lock()
	defer auditFigures.Unlock()
	auditFigures.stacks++
	auditFigures.policies += c.policies
	auditFigures.statements += c.statements
	auditFigures.roles += c.roles
	auditFigures.permissions += c.permissions
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
	{"aws-cloudfront-enforce-https", "aws_cloudfront_distribution",
		"false positive: tfsec reads the nested cache behaviour blocks of .tf.json as attributes; every behaviour of a site's distribution redirects HTTP to HTTPS",
		func(r map[string]any) bool {
			behaviours := append([]any{at0(r["default_cache_behavior"])}, asList(r["ordered_cache_behavior"])...)
			for _, b := range behaviours {
				if p := asMap(b)["viewer_protocol_policy"]; p != "redirect-to-https" && p != "https-only" {
					return false
				}
			}
			return true
		}},
	{"aws-cloudfront-use-secure-tls-policy", "aws_cloudfront_distribution",
		"without a custom domain a site is served on *.cloudfront.net with CloudFront's default certificate, whose TLS policy AWS fixes and no setting changes; with one, the distribution requires TLSv1.2_2021",
		func(r map[string]any) bool {
			c := asMap(at0(r["viewer_certificate"]))
			return c["cloudfront_default_certificate"] == true || c["minimum_protocol_version"] == "TLSv1.2_2021"
		}},
	{"aws-cloudfront-enable-waf", "aws_cloudfront_distribution",
		"WAF is opt-in: a web ACL is billed per month and per request and its rules are the app's own; attach one with Cdk.Distribution (web_acl_id)",
		func(r map[string]any) bool { return r["web_acl_id"] == nil }},
	{"aws-iam-no-policy-wildcards", "aws_iam_role_policy",
		"the only wildcards are the log-stream suffix of the function's own log group (<log group ARN>:*) for logs:CreateLogStream/PutLogEvents (Lambda names streams at run time), a bound table's own indexes (<table ARN>/index/*, next to the table's ARN in the same statement: Query on a GSI needs the index ARN, and indexes are added after the binding), and object reads and writes under one key prefix of a bucket of the app (<bucket ARN>/<prefix>/*: a Next.js server's cache, whose keys the framework picks at run time)",
		func(r map[string]any) bool {
			p, _ := r["policy"].(string)
			doc, err := parsePolicy(p)
			if err != nil {
				return false
			}
			for _, st := range doc.Statement {
				resources := stringList(st["Resource"])
				for _, res := range resources {
					if !strings.Contains(res, "*") {
						continue
					}
					logs := strings.HasPrefix(res, "${aws_cloudwatch_log_group.") && strings.HasSuffix(res, ".arn}:*") &&
						slices.Equal(stringList(st["Action"]), []string{"logs:CreateLogStream", "logs:PutLogEvents"})
					table, isIndex := strings.CutSuffix(res, "/index/*")
					indexes := isIndex && strings.HasPrefix(table, "${aws_dynamodb_table.") && strings.HasSuffix(table, ".arn}") &&
						!strings.Contains(table[2:], "*") && slices.Contains(resources, table)
					bucket, prefix, _ := strings.Cut(strings.TrimSuffix(res, "/*"), ".arn}/")
					objects := strings.HasPrefix(bucket, "${aws_s3_bucket.") && prefix != "" && strings.HasSuffix(res, "/*") &&
						strings.Count(res, "*") == 1 && !slices.ContainsFunc(stringList(st["Action"]), func(a string) bool {
						return a != "s3:GetObject" && a != "s3:PutObject" && a != "s3:DeleteObject"
					})
					if !logs && !indexes && !objects {
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

// tfsecScan runs tfsec once over the synthesized stacks (stack directory
// by a name for the messages): every critical or high finding must be
// accepted above, with the stack as the reason says. Each stack's
// Terraform files are copied into a directory of their own under one scan
// root, and a finding is mapped back to its stack by the file it is in:
// tfsec's start-up (its rules and parser) is most of a scan's CPU, 1.1-1.4
// s per stack one by one against 1.5 s for six together, with the same
// findings (BENCHMARKS.md, "Fifth pass").
func tfsecScan(t *testing.T, bin string, stacks map[string]string) {
	t.Helper()
	root := t.TempDir()
	names := map[string]string{} // scan directory → stack name
	docs := map[string]map[string]any{}
	i := 0
	for name, dir := range stacks {
		sub := filepath.Join(root, fmt.Sprintf("s%d", i))
		i++
		files, err := filepath.Glob(filepath.Join(dir, "*.tf*"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f, ".tf") && !strings.HasSuffix(f, ".tf.json") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
			if filepath.Base(f) == "cdk.tf.json" {
				var doc map[string]any
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				docs[sub] = doc
			}
		}
		names[sub] = name
	}
	cmd := exec.Command(bin, root, "--format", "json", "--no-color", "--no-module-downloads", "--soft-fail")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tfsec %s: %v\n%s", root, err, out)
	}
	var rep struct {
		Results []struct {
			LongID   string `json:"long_id"`
			Severity string `json:"severity"`
			Resource string `json:"resource"`
			Location struct {
				Filename string `json:"filename"`
			} `json:"location"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("tfsec output: %v\n%s", err, out)
	}
	auditFigures.Lock()
	defer auditFigures.Unlock()
	if auditFigures.tfsec == nil {
		auditFigures.tfsec, auditFigures.accepted = map[string]int{}, map[string]int{}
	}
	for _, f := range rep.Results {
		sub := filepath.Dir(f.Location.Filename)
		stack, ok := names[sub]
		if !ok {
			t.Errorf("tfsec %s %s on %s in %s: not a file of any stack scanned", f.Severity, f.LongID, f.Resource, f.Location.Filename)
			continue
		}
		auditFigures.tfsec[f.Severity]++
		if f.Severity != "CRITICAL" && f.Severity != "HIGH" {
			continue
		}
		res := asMap(docs[sub]["resource"])
		typ, name, _ := strings.Cut(f.Resource, ".")
		ok = false
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

// TestAuditCatchesViolations: the audit is only worth its zero findings if
// it finds each kind of mistake it is meant to.
func TestAuditCatchesViolations(t *testing.T) {
	t.Parallel()
	stack := `{"resource": {
	  "aws_iam_role_policy": {
	    "wide": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\"],\"Resource\":\"*\"}]}"},
	    "star": {"policy": "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":[\"*\"]}}"},
	    "fine": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"xray:PutTraceSegments\"],\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"sqs:SendMessage\"],\"Resource\":\"${aws_sqs_queue.q.arn}\"}]}"}
	  },
	  "aws_lambda_function": {"fn": {"role": "${aws_iam_role.fn.arn}"}},
	  "aws_iam_role": {
	    "fn": {"assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"},
	    "anyone": {"assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}"},
	    "pool": {"assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"cognito-identity.amazonaws.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}"}
	  },
	  "aws_lambda_permission": {
	    "api": {"principal": "apigateway.amazonaws.com"},
	    "public": {"principal": "*"}
	  }
	}}`
	var doc map[string]any
	if err := json.Unmarshal([]byte(stack), &doc); err != nil {
		t.Fatal(err)
	}
	problems, n := auditPolicies("Bad", doc)
	got := strings.Join(problems, "\n")
	if n != (auditCounts{policies: 3, statements: 4, roles: 3, permissions: 2}) {
		t.Errorf("audit looked at %+v", n)
	}
	for _, want := range []string{
		`aws_iam_role_policy.wide: dynamodb:GetItem on Resource "*"`,
		`aws_iam_role_policy.star: * on Resource "*"`,
		"aws_iam_role.fn: assume_role_policy",
		"a function's role is assumable by ecs-tasks.amazonaws.com",
		"aws_iam_role.anyone: assume_role_policy",
		"aws_iam_role.pool: assume_role_policy",
		"without the identity pool as audience",
		"aws_lambda_permission.api lets any apigateway.amazonaws.com resource",
		"aws_lambda_permission.public lets anyone invoke",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("audit missed %q; it reported:\n%s", want, got)
		}
	}
	if strings.Contains(got, "fine") {
		t.Errorf("audit flagged a scoped policy:\n%s", got)
	}
}
