package tf

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// stream is a -json UI stream as terraform 1.11 writes it, trimmed to the
// fields this package reads, with an apply that errors on one resource.
const stream = `{"@level":"info","@message":"Terraform 1.11.4","type":"version","terraform":"1.11.4","ui":"1.2"}
{"@level":"info","@message":"aws_s3_bucket.b: Drift detected (update)","type":"resource_drift","change":{"resource":{"addr":"aws_s3_bucket.b"},"action":"update"}}
{"@level":"info","@message":"aws_s3_bucket.b: Plan to replace","type":"planned_change","change":{"resource":{"addr":"aws_s3_bucket.b"},"action":"replace"}}
{"@level":"info","@message":"aws_sqs_queue.q: Plan to create","type":"planned_change","change":{"resource":{"addr":"aws_sqs_queue.q"},"action":"create"}}
{"@level":"info","@message":"Plan: 2 to add, 0 to change, 1 to destroy.","type":"change_summary","changes":{"add":2,"change":0,"import":0,"remove":1,"operation":"plan"}}
{"@level":"info","@message":"aws_sqs_queue.q: Creating...","type":"apply_start","hook":{"resource":{"addr":"aws_sqs_queue.q"},"action":"create"}}
{"@level":"info","@message":"aws_sqs_queue.q: Still creating... [10s elapsed]","type":"apply_progress","hook":{"resource":{"addr":"aws_sqs_queue.q"},"action":"create","elapsed_seconds":10}}
{"@level":"info","@message":"aws_sqs_queue.q: Creation errored after 12s","type":"apply_errored","hook":{"resource":{"addr":"aws_sqs_queue.q"},"action":"create","elapsed_seconds":12}}
{"@level":"warn","@message":"Warning: Argument is deprecated","type":"diagnostic","diagnostic":{"severity":"warning","summary":"Argument is deprecated","detail":"use x instead","address":"aws_s3_bucket.b"}}
{"@level":"error","@message":"Error: creating SQS Queue","type":"diagnostic","diagnostic":{"severity":"error","summary":"creating SQS Queue (q)","detail":"operation error SQS: CreateQueue, 400\nsecond line","address":"aws_sqs_queue.q","range":{"filename":"cdk.tf.json","start":{"line":42,"column":1,"byte":0}}}}
{"@level":"info","@message":"Apply complete! Resources: 0 added, 0 changed, 0 destroyed.","type":"change_summary","changes":{"add":0,"change":0,"import":0,"remove":0,"operation":"apply"}}
{"@level":"info","@message":"Outputs: 2","type":"outputs","outputs":{"url":{"sensitive":false,"type":"string","value":"https://x"},"secret":{"sensitive":true,"type":"string","value":"s3cr3t"}}}
`

func TestParserEvents(t *testing.T) {
	var got []Event
	p := newParser(func(e Event) { got = append(got, e) })
	// terraform-exec writes whole lines, but a parser must not depend on it.
	for i := 0; i < len(stream); i += 37 {
		p.Write([]byte(stream[i:min(i+37, len(stream))]))
	}
	sum := p.finish(time.Now())

	want := []Event{
		{Kind: "drift", Address: "aws_s3_bucket.b", Action: "update", Message: "aws_s3_bucket.b: Drift detected (update)"},
		{Kind: "planned", Address: "aws_s3_bucket.b", Action: "replace", Message: "aws_s3_bucket.b: Plan to replace"},
		{Kind: "planned", Address: "aws_sqs_queue.q", Action: "create", Message: "aws_sqs_queue.q: Plan to create"},
		{Kind: "summary", Message: "Plan: 2 to add, 0 to change, 1 to destroy."},
		{Kind: "start", Address: "aws_sqs_queue.q", Action: "create", Message: "aws_sqs_queue.q: Creating..."},
		{Kind: "progress", Address: "aws_sqs_queue.q", Action: "create", Elapsed: 10 * time.Second, Message: "aws_sqs_queue.q: Still creating... [10s elapsed]"},
		{Kind: "errored", Address: "aws_sqs_queue.q", Action: "create", Elapsed: 12 * time.Second, Message: "aws_sqs_queue.q: Creation errored after 12s"},
		{Kind: "diagnostic", Address: "aws_s3_bucket.b", Severity: "warning", Message: "Argument is deprecated: use x instead"},
		{Kind: "diagnostic", Address: "aws_sqs_queue.q", Severity: "error", Message: "creating SQS Queue (q): operation error SQS: CreateQueue, 400\nsecond line"},
		{Kind: "summary", Message: "Apply complete! Resources: 0 added, 0 changed, 0 destroyed."},
		{Kind: "output", Address: "secret"},
		{Kind: "output", Address: "url", Message: `"https://x"`},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events:\n%+v\nwant:\n%+v", got, want)
	}
	if sum.Add != 0 || sum.Remove != 0 {
		t.Errorf("summary counts must come from the last change summary: %+v", sum)
	}
	if len(sum.Changes) != 2 || sum.Changes[0] != (Change{Address: "aws_s3_bucket.b", Action: "replace"}) {
		t.Errorf("changes = %+v (drift is not a change)", sum.Changes)
	}
	if len(sum.Drift) != 1 || sum.Drift[0] != (Change{Address: "aws_s3_bucket.b", Action: "update"}) {
		t.Errorf("drift = %+v", sum.Drift)
	}

	e := &Error{Op: "apply", Diagnostics: p.diagnostics()}
	if want := "apply failed: aws_sqs_queue.q: creating SQS Queue (q): operation error SQS: CreateQueue, 400"; e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if d := p.diagnostics()[1]; d.File != "cdk.tf.json" || d.Line != 42 {
		t.Errorf("diagnostic location = %s:%d", d.File, d.Line)
	}
}

func TestParserNilCallbackAndNoise(t *testing.T) {
	p := newParser(nil)
	p.Write([]byte("{\n  \"terraform_version\": \"1.11.4\"\n}\nnot json\n"))
	p.Write([]byte(`{"type":"change_summary","changes":{"add":3}}`)) // no trailing newline
	if s := p.finish(time.Now()); s.Add != 3 {
		t.Errorf("summary = %+v", s)
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&Error{Op: "plan", Err: errors.New("exit status 1\nlots\nof stderr")}, "plan failed: exit status 1"},
		{&Error{Op: "apply", Err: context.Canceled}, "apply interrupted: context canceled"},
		{&Error{Op: "destroy", Err: fmt.Errorf("wrapped: %w", context.DeadlineExceeded)}, "destroy interrupted: wrapped: context deadline exceeded"},
		{&Error{Op: "apply", Diagnostics: []Diagnostic{
			{Severity: "warning", Summary: "ignored"},
			{Severity: "error", Summary: "Reference to undeclared resource", Address: "aws_s3_bucket.b"},
			{Severity: "error", Summary: "execution halted"},
			{Severity: "error", Summary: "execution halted"},
		}}, "apply failed: aws_s3_bucket.b: Reference to undeclared resource (and 2 more errors)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// lockStderr is terraform's human output for a held lock, as state rm and
// other commands without -json print it.
const lockStderr = `
Error: Error acquiring the state lock

Error message: resource temporarily unavailable
Lock Info:
  ID:        11111111-2222-3333-4444-555555555555
  Path:      terraform.tfstate
  Operation: OperationTypeApply
  Who:       alice@ci
  Version:   1.11.4
  Created:   2026-01-01 00:00:00 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time.
`

func TestLockErrorFromHumanOutput(t *testing.T) {
	diags := parseHuman(lockStderr)
	le := lockError(diags)
	if le == nil {
		t.Fatalf("no lock error in %+v", diags)
	}
	if le.ID != "11111111-2222-3333-4444-555555555555" || le.Who != "alice@ci" || le.Path != "terraform.tfstate" || le.Created != "2026-01-01 00:00:00 +0000 UTC" {
		t.Errorf("lock = %+v", le)
	}
	le.Workspace = "pr-42"
	want := "the state is locked by alice@ci (running apply, since 2026-01-01 00:00:00 +0000 UTC, lock ID 11111111-2222-3333-4444-555555555555); if no deploy is running any more, release it with `sst unlock --stage pr-42` (or `sst unlock <stack> 11111111-2222-3333-4444-555555555555 --stage pr-42`, or `terraform force-unlock 11111111-2222-3333-4444-555555555555` in the stack directory)"
	if le.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", le.Error(), want)
	}
	le.Workspace = ""
	if !strings.Contains(le.Error(), "--stage <stage>") {
		t.Errorf("unknown stage: %s", le.Error())
	}
}

func TestParseHuman(t *testing.T) {
	diags := parseHuman(`
Error: Invalid target address

  on cdk.tf.json line 7, in resource "aws_s3_bucket" "b":
   7: "x"

No matching objects found.

Warning: Something odd

detail
`)
	if len(diags) != 2 {
		t.Fatalf("diags = %+v", diags)
	}
	if d := diags[0]; d.Severity != "error" || d.Summary != "Invalid target address" || d.File != "cdk.tf.json" || d.Line != 7 || !strings.HasSuffix(d.Detail, "No matching objects found.") {
		t.Errorf("diag = %+v", d)
	}
	if d := diags[1]; d.Severity != "warning" || d.Detail != "detail" {
		t.Errorf("diag = %+v", d)
	}

	wrapped := parseHuman("The workspace name \"x y\" is not allowed. The name must contain only URL safe\ncharacters, and no path separators.\n\nMore.\n")
	if len(wrapped) != 1 || wrapped[0].Summary != `The workspace name "x y" is not allowed. The name must contain only URL safe characters, and no path separators.` || wrapped[0].Detail != "More." {
		t.Errorf("wrapped = %+v", wrapped)
	}

	plain := parseHuman("Failed to unlock state: LocalState not locked\n")
	if len(plain) != 1 || plain[0].Summary != "Failed to unlock state: LocalState not locked" || plain[0].Severity != "error" {
		t.Errorf("plain = %+v", plain)
	}
}

// FuzzLockError: whatever terraform (or a backend) prints, reading it
// never panics, every "Error:" heading becomes an error diagnostic, and a
// lock error's message always says how to release it.
func FuzzLockError(f *testing.F) {
	f.Add(lockStderr)
	f.Add("Error: Error acquiring the state lock\n\nLock Info:\n  ID: \n  Who:\n")
	f.Add("Error: Error acquiring the state lock\n\nLock Info:\n  ID:        a:b:c\n  Who:       x@y: z\n")
	f.Add("│ Error: Error acquiring the state lock\n│ \n│ Lock Info:\n│   ID:  x\n╵\n")
	f.Add("Failed to unlock state: LocalState not locked\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, stderr string) {
		diags := parseHuman(stderr)
		if strings.Contains(stderr, "\nError: ") && !hasError(diags) {
			t.Fatalf("an Error: heading without an error diagnostic: %q → %+v", stderr, diags)
		}
		if le := lockError(diags); le != nil {
			msg := le.Error()
			if !strings.Contains(msg, "sst unlock --stage") || !strings.HasPrefix(msg, "the state is locked") {
				t.Fatalf("lock message %q", msg)
			}
		}
	})
}

// TestParserImports: a plan with import blocks (terraform 1.11's lines)
// reports the import id of each adopted resource and the import count.
func TestParserImports(t *testing.T) {
	p := newParser(nil)
	p.Write([]byte(`{"@message":"aws_dynamodb_table.T: Plan to import","type":"planned_change","change":{"resource":{"addr":"aws_dynamodb_table.T"},"action":"import","importing":{"id":"dev-app-T"}}}
{"@message":"aws_sqs_queue.Q: Plan to update","type":"planned_change","change":{"resource":{"addr":"aws_sqs_queue.Q"},"action":"update","importing":{"id":"http://127.0.0.1:45123/123456789012/dev-app-Q"}}}
{"@message":"aws_sns_topic.N: Plan to create","type":"planned_change","change":{"resource":{"addr":"aws_sns_topic.N"},"action":"create"}}
{"@message":"Plan: 2 to import, 1 to add, 1 to change, 0 to destroy.","type":"change_summary","changes":{"add":1,"change":1,"import":2,"remove":0,"operation":"plan"}}
`))
	sum := p.finish(time.Now())
	want := []Change{
		{Address: "aws_dynamodb_table.T", Action: "import", Importing: "dev-app-T"},
		{Address: "aws_sqs_queue.Q", Action: "update", Importing: "http://127.0.0.1:45123/123456789012/dev-app-Q"},
		{Address: "aws_sns_topic.N", Action: "create"},
	}
	if !reflect.DeepEqual(sum.Changes, want) || sum.Import != 2 || sum.Add != 1 || sum.Change != 1 {
		t.Errorf("summary = %+v", sum)
	}
}
