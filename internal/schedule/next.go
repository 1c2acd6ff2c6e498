package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Next is when the schedule fires after t (EventBridge evaluates cron
// expressions in UTC, to the minute). A rate fires every Value units from
// t, the previous firing or the start: EventBridge counts a rate from when
// the rule was created, which a local scheduler cannot know. It fails for
// a cron that never fires again (a year in the past).
func (s Schedule) Next(t time.Time) (time.Time, error) {
	if s.Kind == Rate {
		unit := time.Minute
		switch strings.TrimSuffix(s.Unit, "s") {
		case "hour":
			unit = time.Hour
		case "day":
			unit = 24 * time.Hour
		}
		return t.Add(time.Duration(s.Value) * unit), nil
	}
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	end := t.AddDate(5, 0, 0)
	for t.Before(end) {
		switch {
		case !s.matches(5, t.Year()):
			t = time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
		case !s.matches(3, int(t.Month())):
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case !s.matches(1, t.Hour()):
			t = t.Truncate(time.Hour).Add(time.Hour)
		case !s.matches(0, t.Minute()):
			t = t.Add(time.Minute)
		default:
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s does not fire again after %s", s, t.Format(time.DateOnly))
}

func (s Schedule) dayMatches(t time.Time) bool {
	if s.Fields[2] == "?" {
		return s.weekdayMatches(t)
	}
	return s.monthDayMatches(t)
}

// matches reports whether v is in field i's lists, ranges and steps.
func (s Schedule) matches(i, v int) bool {
	f, p := fields[i], s.Fields[i]
	for _, item := range strings.Split(p, ",") {
		base, step, hasStep := strings.Cut(item, "/")
		lo, hi := f.min, f.max
		if base != "*" {
			a, b, isRange := strings.Cut(base, "-")
			lo, _ = value(f, a)
			hi = lo
			if isRange {
				hi, _ = value(f, b)
			} else if hasStep {
				hi = f.max
			}
		}
		n := 1
		if hasStep {
			n, _ = strconv.Atoi(step)
		}
		if v >= lo && v <= hi && (v-lo)%n == 0 {
			return true
		}
	}
	return false
}

func lastDay(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (s Schedule) monthDayMatches(t time.Time) bool {
	p, day, last := s.Fields[2], t.Day(), lastDay(t)
	switch {
	case p == "L":
		return day == last
	case p == "LW":
		return day == nearestWeekday(t, last)
	case strings.HasSuffix(p, "W"):
		n, _ := strconv.Atoi(strings.TrimSuffix(p, "W"))
		return day == nearestWeekday(t, min(n, last))
	}
	return s.matches(2, day)
}

// nearestWeekday is the weekday nearest day n of t's month, within the
// month (the W of cron).
func nearestWeekday(t time.Time, n int) int {
	d := time.Date(t.Year(), t.Month(), n, 0, 0, 0, 0, time.UTC)
	switch d.Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == lastDay(t) {
			return n - 2
		}
		return n + 1
	}
	return n
}

func (s Schedule) weekdayMatches(t time.Time) bool {
	f, p := fields[4], s.Fields[4]
	wd := int(t.Weekday()) + 1 // SUN=1
	switch {
	case p == "L":
		return wd == 7
	case strings.HasSuffix(p, "L") && !isNamed(f, p):
		d, _ := weekday(f, strings.TrimSuffix(p, "L"))
		return wd == d && t.Day()+7 > lastDay(t)
	case strings.Contains(p, "#"):
		ds, ks, _ := strings.Cut(p, "#")
		d, _ := weekday(f, ds)
		k, _ := strconv.Atoi(ks)
		return wd == d && (t.Day()-1)/7+1 == k
	}
	return s.matches(4, wd)
}
