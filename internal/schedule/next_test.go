package schedule

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	// Wednesday 2026-12-02 10:07:30 UTC.
	from := time.Date(2026, 12, 2, 10, 7, 30, 0, time.UTC)
	tests := []struct{ expr, want string }{
		{"rate(1 minute)", "2026-12-02T10:08:30Z"},
		{"rate(5 minutes)", "2026-12-02T10:12:30Z"},
		{"rate(2 hours)", "2026-12-02T12:07:30Z"},
		{"rate(1 day)", "2026-12-03T10:07:30Z"},
		{"cron(* * * * ? *)", "2026-12-02T10:08:00Z"},
		{"cron(0/15 * * * ? *)", "2026-12-02T10:15:00Z"},
		{"cron(0 12 * * ? *)", "2026-12-02T12:00:00Z"},
		{"cron(0 3 * * ? *)", "2026-12-03T03:00:00Z"},
		{"cron(5,40 8-10 * * ? *)", "2026-12-02T10:40:00Z"},
		{"cron(0 9 ? * MON-FRI *)", "2026-12-03T09:00:00Z"},
		{"cron(0 9 ? * SAT,SUN *)", "2026-12-05T09:00:00Z"},
		{"cron(0 0 1 * ? *)", "2027-01-01T00:00:00Z"},
		{"cron(0 0 1 JAN ? 2028)", "2028-01-01T00:00:00Z"},
		{"cron(0 0 L * ? *)", "2026-12-31T00:00:00Z"},
		{"cron(0 0 LW * ? *)", "2026-12-31T00:00:00Z"},   // a Thursday
		{"cron(0 0 5W * ? *)", "2026-12-04T00:00:00Z"},   // Sat 5 Dec → Fri 4
		{"cron(0 0 2W JAN ? *)", "2027-01-01T00:00:00Z"}, // Sat 2 Jan → Fri 1
		{"cron(0 0 ? * 6L *)", "2026-12-25T00:00:00Z"},   // last Friday
		{"cron(0 0 ? * MON#1 *)", "2026-12-07T00:00:00Z"},
		{"cron(0 0 ? * L *)", "2026-12-05T00:00:00Z"}, // Saturday
		{"cron(0 0 29 FEB ? *)", "2028-02-29T00:00:00Z"},
	}
	for _, tc := range tests {
		s, err := Parse(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got, err := s.Next(from)
		if err != nil || got.Format(time.RFC3339) != tc.want {
			t.Errorf("%s after %s = %s, %v; want %s", tc.expr, from.Format(time.RFC3339), got.Format(time.RFC3339), err, tc.want)
		}
	}
	s, _ := Parse("cron(0 0 1 JAN ? 2020)")
	if got, err := s.Next(from); err == nil {
		t.Errorf("a schedule in the past fires at %s", got)
	}
}
