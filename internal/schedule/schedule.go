// Package schedule validates EventBridge schedule expressions, rate(...)
// and cron(...), the way AWS does, so a mistake fails synth with a message
// saying what to write instead of failing halfway through a deploy.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind tells a rate from a cron expression.
type Kind int

const (
	Rate Kind = iota + 1
	Cron
)

// Schedule is a parsed expression.
type Schedule struct {
	Kind Kind
	// Value and Unit of a rate; Unit is "minute(s)", "hour(s)" or "day(s)".
	Value int
	Unit  string
	// Fields of a cron: minutes, hours, day-of-month, month, day-of-week, year.
	Fields [6]string
}

// String is the expression as EventBridge takes it.
func (s Schedule) String() string {
	if s.Kind == Rate {
		return fmt.Sprintf("rate(%d %s)", s.Value, s.Unit)
	}
	return "cron(" + strings.Join(s.Fields[:], " ") + ")"
}

// Error is a schedule AWS would reject.
type Error struct {
	Expr   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("schedule %q: %s", e.Expr, e.Reason) }

// Parse validates expr: "rate(5 minutes)", "rate(1 day)",
// "cron(0 12 * * ? *)".
func Parse(expr string) (Schedule, error) {
	fail := func(format string, args ...any) (Schedule, error) {
		return Schedule{}, &Error{Expr: expr, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(expr, expr[len("rate("):len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(expr, expr[len("cron("):len(expr)-1])
	}
	return fail(`write "rate(<n> <unit>)", e.g. "rate(5 minutes)", or "cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)", e.g. "cron(0 12 * * ? *)"`)
}

var units = map[string]bool{"minute": true, "hour": true, "day": true}

func parseRate(expr, body string) (Schedule, error) {
	fail := func(format string, args ...any) (Schedule, error) {
		return Schedule{}, &Error{Expr: expr, Reason: fmt.Sprintf(format, args...)}
	}
	parts := strings.Split(body, " ")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return fail(`a rate is "rate(<n> <unit>)" with one space, e.g. "rate(1 minute)" or "rate(5 minutes)"`)
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil || n <= 0 || strings.HasPrefix(parts[0], "+") || (len(parts[0]) > 1 && parts[0][0] == '0') {
		return fail("the value %q must be a positive whole number, e.g. rate(5 minutes)", parts[0])
	}
	unit := parts[1]
	singular := strings.TrimSuffix(unit, "s")
	if !units[singular] {
		return fail("unit %q: use minute(s), hour(s) or day(s)", unit)
	}
	if n == 1 && unit != singular {
		return fail("a value of 1 takes the singular unit: rate(1 %s)", singular)
	}
	if n != 1 && unit == singular {
		return fail("a value of %d takes the plural unit: rate(%d %ss)", n, n, singular)
	}
	return Schedule{Kind: Rate, Value: n, Unit: unit}, nil
}

// field describes one cron position: its name, range, names and the
// special characters AWS allows there.
type field struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i (JAN=1, SUN=1)
	special  string   // "?LW#" subset
}

var fields = [6]field{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

const cronShape = "cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>), e.g. cron(0 12 * * ? *)"

func parseCron(expr, body string) (Schedule, error) {
	fail := func(format string, args ...any) (Schedule, error) {
		return Schedule{}, &Error{Expr: expr, Reason: fmt.Sprintf(format, args...)}
	}
	parts := strings.Fields(body)
	if len(parts) != 6 {
		hint := ""
		if len(parts) == 5 {
			hint = " (a Unix crontab has 5; AWS adds a year and needs ? in day-of-month or day-of-week)"
		}
		return fail("has %d fields, AWS cron expressions have 6%s: %s", len(parts), hint, cronShape)
	}
	var s Schedule
	s.Kind = Cron
	for i, p := range parts {
		if err := checkField(fields[i], p); err != nil {
			return fail("%s field %q: %s", fields[i].name, p, err)
		}
		s.Fields[i] = p
	}
	dom, dow := parts[2] == "?", parts[4] == "?"
	switch {
	case dom && dow:
		return fail("day-of-month and day-of-week are both ?: exactly one of them must be ?, e.g. cron(0 12 * * ? *)")
	case !dom && !dow:
		return fail("one of day-of-month (%q) and day-of-week (%q) must be ?: AWS cannot combine them, e.g. cron(0 12 * * ? *) or cron(0 12 ? * MON-FRI *)", parts[2], parts[4])
	}
	return s, nil
}

func checkField(f field, p string) error {
	if p == "?" {
		if !strings.Contains(f.special, "?") {
			return fmt.Errorf("? is allowed only in day-of-month and day-of-week")
		}
		return nil
	}
	// L, W and # stand alone: AWS does not allow them in lists or ranges.
	if strings.ContainsAny(p, "LW#") && !isNamed(f, p) {
		return checkSpecial(f, p)
	}
	for _, item := range strings.Split(p, ",") {
		if err := checkItem(f, item); err != nil {
			return err
		}
	}
	return nil
}

// isNamed reports whether p only holds month or weekday names, which may
// contain L, W or # letters without being the wildcards (JUL, WED).
func isNamed(f field, p string) bool {
	if len(f.names) == 0 {
		return false
	}
	for _, item := range strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == '-' || r == '/' }) {
		if _, ok := lookup(f, item); !ok {
			if _, err := strconv.Atoi(item); err != nil {
				return false
			}
		}
	}
	return !strings.Contains(p, "#")
}

func checkSpecial(f field, p string) error {
	switch f.name {
	case "day-of-month":
		switch {
		case p == "L" || p == "LW":
			return nil
		case strings.HasSuffix(p, "W"):
			n, err := strconv.Atoi(strings.TrimSuffix(p, "W"))
			if err != nil || n < 1 || n > 31 || strings.HasPrefix(p, "0") {
				return fmt.Errorf("the suffix W takes one day 1–31 before it, e.g. 15W (the weekday nearest the 15th)")
			}
			return nil
		}
		return fmt.Errorf("use L (last day), LW (last weekday) or <day>W (weekday nearest that day); L and W cannot be combined with lists or ranges")
	case "day-of-week":
		if p == "L" {
			return nil
		}
		if d, ok := strings.CutSuffix(p, "L"); ok {
			if _, err := weekday(f, d); err != nil {
				return fmt.Errorf("<day>L is the last such weekday of the month, e.g. 6L or FRIL: %v", err)
			}
			return nil
		}
		if d, k, ok := strings.Cut(p, "#"); ok {
			if _, err := weekday(f, d); err != nil {
				return fmt.Errorf("<day>#<n> is the nth such weekday of the month, e.g. 2#1 or MON#1: %v", err)
			}
			n, err := strconv.Atoi(k)
			if err != nil || n < 1 || n > 5 || len(k) != 1 {
				return fmt.Errorf("the n in <day>#<n> must be 1–5")
			}
			return nil
		}
		return fmt.Errorf("use L, <day>L or <day>#<n>; they cannot be combined with lists or ranges")
	}
	return fmt.Errorf("the special characters L, W and # are allowed only in day-of-month and day-of-week")
}

func weekday(f field, s string) (int, error) {
	if v, ok := lookup(f, s); ok {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 7 || len(s) != 1 {
		return 0, fmt.Errorf("%q is not a weekday (1–7 or SUN–SAT)", s)
	}
	return n, nil
}

func checkItem(f field, item string) error {
	if item == "" {
		return fmt.Errorf("empty list item")
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || strings.HasPrefix(step, "+") {
			return fmt.Errorf("the step after / must be a positive whole number, e.g. 0/15")
		}
	}
	if base == "*" {
		return nil
	}
	lo, hi, isRange := strings.Cut(base, "-")
	a, err := value(f, lo)
	if err != nil {
		return err
	}
	if isRange {
		b, err := value(f, hi)
		if err != nil {
			return err
		}
		if b < a {
			return fmt.Errorf("range %s runs backwards", base)
		}
	}
	return nil
}

func value(f field, s string) (int, error) {
	if v, ok := lookup(f, s); ok {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		if len(f.names) > 0 {
			return 0, fmt.Errorf("%q is not a number %d–%d or a name %s–%s", s, f.min, f.max, f.names[0], f.names[len(f.names)-1])
		}
		return 0, fmt.Errorf("%q is not a number %d–%d", s, f.min, f.max)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Errorf("%d is out of range %d–%d", n, f.min, f.max)
	}
	return n, nil
}

func lookup(f field, s string) (int, bool) {
	for i, n := range f.names {
		if strings.EqualFold(n, s) {
			return f.min + i, true
		}
	}
	return 0, false
}
