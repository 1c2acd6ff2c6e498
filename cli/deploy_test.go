package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/sst-tf/sst/cli/internal/tf"
)

func TestCanSkip(t *testing.T) {
	applied := map[string]bool{"Data": true}
	for _, tc := range []struct {
		name           string
		force          bool
		hash, recorded string
		deps           []string
		want           bool
	}{
		{"same hash", false, "a", "a", nil, true},
		{"never deployed", false, "a", "", nil, false},
		{"changed", false, "b", "a", nil, false},
		{"forced", true, "a", "a", nil, false},
		{"dependency applied now", false, "a", "a", []string{"Data"}, false},
		{"dependency skipped", false, "a", "a", []string{"Other"}, true},
	} {
		if got := canSkip(tc.force, tc.hash, tc.recorded, tc.deps, applied); got != tc.want {
			t.Errorf("%s: canSkip = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The provider's error for a vanished endpoint, as terraform reported it
// when the test's moto_server was killed mid-apply.
func TestDescribeUnreachableEndpoint(t *testing.T) {
	err := &tf.Error{Op: "apply", Diagnostics: []tf.Diagnostic{{
		Severity: "error", Address: "aws_sqs_queue.Jobs",
		Summary: "waiting for SQS Queue (http://127.0.0.1:5078/123456789012/k3-rel-Jobs) attributes create: operation error SQS: GetQueueAttributes, exceeded maximum number of attempts, 9, https response error StatusCode: 0, RequestID: , request send failed, Post \"http://127.0.0.1:5078/\": dial tcp 127.0.0.1:5078: connect: connection refused",
	}}}
	got := describeError(err)
	for _, want := range []string{"aws_sqs_queue.Jobs", "AWS (127.0.0.1:5078) could not be reached", "run the command again"} {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
	cancelled := &tf.Error{Op: "apply", Err: context.Canceled, Diagnostics: []tf.Diagnostic{{Severity: "error", Summary: "execution halted"}}}
	if got := describeError(cancelled); !strings.Contains(got, "interrupted") || strings.Contains(got, "execution halted") {
		t.Errorf("interrupted apply described as:\n%s", got)
	}
	other := &tf.Error{Op: "apply", Diagnostics: []tf.Diagnostic{{Severity: "error", Summary: "AccessDenied"}}}
	if got := describeError(other); strings.Contains(got, "could not be reached") {
		t.Errorf("hint on an unrelated error:\n%s", got)
	}
}
