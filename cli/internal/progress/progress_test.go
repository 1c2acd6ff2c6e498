package progress

import (
	"testing"
	"time"

	"github.com/sst-tf/sst/cli/internal/tf"
)

func TestFormat(t *testing.T) {
	done := tf.Event{Kind: "complete", Address: "aws_lambda_function.x", Action: "create", Elapsed: 2100 * time.Millisecond}
	for _, tc := range []struct {
		name   string
		tty    bool
		stacks []string
		ev     tf.Event
		want   string
	}{
		{"tty one stack", true, []string{"Api"}, done, "  ✓  aws_lambda_function.x  created  2.1s"},
		{"tty parallel", true, []string{"Api", "Web"}, done, "  ✓  Api  aws_lambda_function.x  created  2.1s"},
		{"plain", false, []string{"Api"}, done, "Api | aws_lambda_function.x created (2.1s)"},
		{"errored", false, []string{"Api"}, tf.Event{Kind: "errored", Address: "aws_s3_bucket.b", Action: "create", Message: "AccessDenied\nmore"}, "Api | aws_s3_bucket.b failed: AccessDenied …"},
		{"progress", false, []string{"Api"}, tf.Event{Kind: "progress", Address: "aws_cloudfront_distribution.d", Action: "create", Elapsed: 20 * time.Second}, "Api | aws_cloudfront_distribution.d still creating (20.0s)"},
		{"planned is quiet", false, []string{"Api"}, tf.Event{Kind: "planned", Address: "x"}, ""},
		{"error diagnostic is quiet", false, []string{"Api"}, tf.Event{Kind: "diagnostic", Severity: "error", Message: "x"}, ""},
	} {
		p := New(nil, tc.tty, false, tc.stacks)
		if got := p.Format("Api", tc.ev); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{400 * time.Millisecond: "0.4s", 65 * time.Second: "1m05s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
