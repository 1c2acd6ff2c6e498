package schedule

import (
	"errors"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	for _, expr := range []string{
		"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(30 days)",
		"cron(0 12 * * ? *)",
		"cron(0/15 * * * ? *)",
		"cron(*/5 * * * ? *)",
		"cron(15 10 ? * 6L 2002-2005)",
		"cron(0 18 ? * MON-FRI *)",
		"cron(0 8 1 * ? *)",
		"cron(0 9 ? * 2#1 *)",
		"cron(0 9 ? * MON#1 *)",
		"cron(0 0 L * ? *)",
		"cron(0 0 LW * ? *)",
		"cron(0 0 15W * ? *)",
		"cron(0 0 ? * L *)",
		"cron(0 0 ? * FRIL *)",
		"cron(0,30 8-17 ? JAN-MAR,JUL WED,FRI 2030)",
		"cron(0 10 * JUL ? *)",
		"cron(59 23 31 12 ? 2199)",
		"cron(0 0 1-15/2 * ? *)",
	} {
		s, err := Parse(expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
			continue
		}
		if s.String() != expr {
			t.Errorf("Parse(%q).String() = %q", expr, s.String())
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{"", "write \"rate("},
		{"every 5 minutes", "write \"rate("},
		{"rate(5 minutes", "write \"rate("},
		{"RATE(5 minutes)", "write \"rate("},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(-1 minutes)", "positive whole number"},
		{"rate(1.5 hours)", "positive whole number"},
		{"rate(05 minutes)", "positive whole number"},
		{"rate(+5 minutes)", "positive whole number"},
		{"rate(five minutes)", "positive whole number"},
		{"rate(1 minutes)", "singular unit: rate(1 minute)"},
		{"rate(5 minute)", "plural unit: rate(5 minutes)"},
		{"rate(2 day)", "plural unit: rate(2 days)"},
		{"rate(5 seconds)", "minute(s), hour(s) or day(s)"},
		{"rate(5 weeks)", "minute(s), hour(s) or day(s)"},
		{"rate(5)", "one space"},
		{"rate(5  minutes)", "one space"},
		{"rate()", "one space"},
		{"cron(0 12 * * *)", "has 5 fields, AWS cron expressions have 6 (a Unix crontab has 5"},
		{"cron(0 12 * * ? * *)", "has 7 fields"},
		{"cron()", "has 0 fields"},
		{"cron(0 12 * * * *)", "one of day-of-month (\"*\") and day-of-week (\"*\") must be ?"},
		{"cron(0 12 1 * MON *)", "must be ?"},
		{"cron(0 12 ? * ? *)", "both ?"},
		{"cron(60 12 * * ? *)", "minutes field \"60\": 60 is out of range 0–59"},
		{"cron(0 24 * * ? *)", "hours field \"24\": 24 is out of range 0–23"},
		{"cron(0 12 0 * ? *)", "day-of-month field \"0\": 0 is out of range 1–31"},
		{"cron(0 12 32 * ? *)", "out of range 1–31"},
		{"cron(0 12 * 13 ? *)", "month field \"13\""},
		{"cron(0 12 * FOO ? *)", "not a number 1–12 or a name JAN–DEC"},
		{"cron(0 12 ? * 8 *)", "day-of-week field \"8\""},
		{"cron(0 12 ? * 0 *)", "out of range 1–7"},
		{"cron(0 12 * * ? 1969)", "year field"},
		{"cron(0 12 * * ? 2200)", "year field"},
		{"cron(0 ? * * ? *)", "? is allowed only in day-of-month and day-of-week"},
		{"cron(5L 12 * * ? *)", "L, W and # are allowed only in day-of-month and day-of-week"},
		{"cron(0 12 5L * ? *)", "use L (last day)"},
		{"cron(0 12 L,5 * ? *)", "use L (last day)"},
		{"cron(0 12 32W * ? *)", "W takes one day 1–31"},
		{"cron(0 12 ? * 2#6 *)", "must be 1–5"},
		{"cron(0 12 ? * 9#1 *)", "not a weekday"},
		{"cron(0 12 ? * XL *)", "not a weekday"},
		{"cron(0 12 ? * 1W *)", "use L, <day>L or <day>#<n>"},
		{"cron(0/0 * * * ? *)", "step after / must be a positive whole number"},
		{"cron(0/x * * * ? *)", "step after /"},
		{"cron(10-5 * * * ? *)", "runs backwards"},
		{"cron(0,,5 * * * ? *)", "empty list item"},
		{"cron(a * * * ? *)", "is not a number 0–59"},
	} {
		_, err := Parse(c.expr)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error with %q", c.expr, c.want)
			continue
		}
		var se *Error
		if !errors.As(err, &se) || se.Expr != c.expr {
			t.Errorf("Parse(%q): error %T %v does not carry the expression", c.expr, err, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v\nwant it to contain %q", c.expr, err, c.want)
		}
	}
}

func TestRateFields(t *testing.T) {
	s, err := Parse("rate(15 minutes)")
	if err != nil || s.Kind != Rate || s.Value != 15 || s.Unit != "minutes" {
		t.Fatalf("got %+v, %v", s, err)
	}
	s, err = Parse("cron(0 12 * * ? *)")
	if err != nil || s.Kind != Cron || s.Fields != [6]string{"0", "12", "*", "*", "?", "*"} {
		t.Fatalf("got %+v, %v", s, err)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// is well formed: it prints back to the input and parses again the same.
func FuzzParse(f *testing.F) {
	f.Add("rate(5 minutes)")
	f.Add("cron(0 12 * * ? *)")
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			if !strings.Contains(err.Error(), "schedule ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if s.Kind == Rate {
			if s.Value <= 0 {
				t.Fatalf("accepted non-positive rate %q", expr)
			}
			if s.String() != expr {
				t.Fatalf("rate %q printed as %q", expr, s.String())
			}
		} else if (s.Fields[2] == "?") == (s.Fields[4] == "?") {
			t.Fatalf("accepted %q without exactly one ?", expr)
		}
		again, err := Parse(s.String())
		if err != nil || again != s {
			t.Fatalf("%q → %q does not parse back the same: %+v, %v", expr, s.String(), again, err)
		}
	})
}
