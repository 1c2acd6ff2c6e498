package sst

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sst-tf/sst/internal/build"
)

// Runtime is what a function's handler runs on. The zero value detects it
// from the handler (Go package, Node/TypeScript file or Python file).
// Values read from configuration convert directly, sst.Runtime(s); an
// unknown one fails synth naming the function.
type Runtime string

// The runtimes a function can ask for.
const (
	// RuntimeGo builds a Go main package into a bootstrap binary for
	// provided.al2023.
	RuntimeGo       Runtime = build.RuntimeGo
	RuntimeNodejs18 Runtime = build.RuntimeNodejs18
	RuntimeNodejs20 Runtime = build.RuntimeNodejs20
	RuntimeNodejs22 Runtime = build.RuntimeNodejs22
	// Python handlers ship their source directory as is.
	RuntimePython39  Runtime = build.RuntimePython39
	RuntimePython310 Runtime = build.RuntimePython310
	RuntimePython311 Runtime = build.RuntimePython311
	RuntimePython312 Runtime = build.RuntimePython312
	RuntimePython313 Runtime = build.RuntimePython313
)

// Architecture is the instruction set a function runs on.
type Architecture string

// The architectures Lambda offers.
const (
	// ArchArm64 is Graviton, the default: cheaper per millisecond.
	ArchArm64  Architecture = "arm64"
	ArchX86_64 Architecture = "x86_64"
)

func (a Architecture) valid() bool { return a == ArchArm64 || a == ArchX86_64 }

// archArm64V2 is how SST v2 spelled arm64 (CDK's "ARM_64" lower-cased);
// ported apps keep working with it.
const archArm64V2 Architecture = "arm_64"

// Tracing is a function's AWS X-Ray tracing mode.
type Tracing string

// The tracing modes, spelled as SST v2 wrote them.
const (
	// TracingDisabled (the zero value's meaning) leaves tracing off.
	// SST v2 defaulted to active; see the README's SST v2 table.
	TracingDisabled Tracing = "disabled"
	// TracingActive samples and records invocations in X-Ray.
	TracingActive Tracing = "active"
	// TracingPassThrough traces only requests an upstream service sampled.
	TracingPassThrough Tracing = "pass_through"
)

// lambdaMode is the mode's name in Lambda's TracingConfig, "" for none.
func (t Tracing) lambdaMode() string {
	switch t {
	case TracingActive:
		return "Active"
	case TracingPassThrough:
		return "PassThrough"
	}
	return ""
}

func (t Tracing) valid() bool {
	return t == "" || t == TracingDisabled || t == TracingActive || t == TracingPassThrough
}

// retiredRuntimes are SST v2 runtime names Lambda no longer runs or no
// longer lets anyone create or update: deploying one would fail at AWS,
// so synth refuses it with the runtime to use instead.
var retiredRuntimes = map[Runtime]Runtime{
	"nodejs": RuntimeNodejs20, "nodejs4.3": RuntimeNodejs20, "nodejs6.10": RuntimeNodejs20,
	"nodejs8.10": RuntimeNodejs20, "nodejs10.x": RuntimeNodejs20, "nodejs12.x": RuntimeNodejs20,
	"nodejs14.x": RuntimeNodejs20, "nodejs16.x": RuntimeNodejs20,
	"python2.7": RuntimePython312, "python3.6": RuntimePython312, "python3.7": RuntimePython312,
	"python3.8": RuntimePython312,
}

// runtimeGo1x is SST v2's name for Go handlers; SST v2 itself already
// deployed them on provided.al2023, as sst.RuntimeGo does.
const runtimeGo1x Runtime = "go1.x"

// RemovalPolicy says what `sst remove` does with a data store (a table,
// bucket, database or user pool). The zero value takes the app's
// Defaults.RemovalPolicy, whose zero value is RemovalDestroy.
type RemovalPolicy string

// The removal policies.
const (
	// RemovalDestroy deletes the store and everything in it.
	RemovalDestroy RemovalPolicy = "destroy"
	// RemovalRetain keeps the store in AWS: `sst remove` only forgets it.
	RemovalRetain RemovalPolicy = "retain"
)

func (p RemovalPolicy) valid() bool { return p == RemovalDestroy || p == RemovalRetain }

// removalPolicy resolves a construct's RemovalPolicy against the app's
// default, reporting a value that is neither policy.
func (a *App) removalPolicy(where string, p RemovalPolicy) RemovalPolicy {
	p = cmp.Or(p, a.defaults.RemovalPolicy, RemovalDestroy)
	if !p.valid() {
		a.errorf("%s: RemovalPolicy %q: use sst.RemovalDestroy (%q) or sst.RemovalRetain (%q)", where, p, RemovalDestroy, RemovalRetain)
	}
	return p
}

// Day is 24 hours, the unit of CloudWatch log retention.
const Day = 24 * time.Hour

// Days is n days, for retention props: LogRetention: sst.Days(14).
func Days(n int) time.Duration { return time.Duration(n) * Day }

// checkDuration is nil when d lies in [lo, hi] and is a whole number of
// unit (AWS takes these values as integers of that unit), else an error
// naming prop, its value and the allowed range.
func checkDuration(prop string, d, lo, hi, unit time.Duration) error {
	if d >= lo && d <= hi && d%unit == 0 {
		return nil
	}
	return fmt.Errorf("%s %s: must be %s–%s in whole %s%s", prop, formatDuration(d), formatDuration(lo), formatDuration(hi), unitName(unit), bareNumberHint(d, unitExpr(unit)))
}

// bareNumberHint explains a duration of a few nanoseconds: an untyped
// number such as Timeout: 30, which Go reads as 30ns (these props were
// plain numbers of seconds or days once).
func bareNumberHint(d time.Duration, unit string) string {
	if d <= 0 || d >= time.Microsecond || unit == "" {
		return ""
	}
	return fmt.Sprintf(" (a bare number is nanoseconds: write %d * %s)", int64(d), unit)
}

// unitExpr is how Go code spells unit.
func unitExpr(unit time.Duration) string {
	switch unit {
	case Day:
		return "sst.Day"
	case time.Hour:
		return "time.Hour"
	case time.Minute:
		return "time.Minute"
	case time.Second:
		return "time.Second"
	}
	return ""
}

// seconds is d in whole seconds, as the AWS APIs take most durations.
func seconds(d time.Duration) float64 { return float64(d / time.Second) }

// logRetentionDays are the retention periods CloudWatch Logs accepts.
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// checkRetention is nil when d is 0 (keep logs forever) or one of
// CloudWatch's retention periods; days is d in days.
func checkRetention(prop string, d time.Duration) (days int, err error) {
	if d == 0 {
		return 0, nil
	}
	if d%Day == 0 {
		days = int(d / Day)
		for _, ok := range logRetentionDays {
			if days == ok {
				return days, nil
			}
		}
	}
	allowed := make([]string, len(logRetentionDays))
	for i, n := range logRetentionDays {
		allowed[i] = strconv.Itoa(n)
	}
	return 0, fmt.Errorf("%s %s: CloudWatch keeps logs for %s or %s days: use sst.Days(n) with one of those, or 0 to keep them forever%s",
		prop, formatDuration(d), strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1], bareNumberHint(d, "sst.Day"))
}

// formatDuration writes d as Go does without trailing zero units ("12h",
// not "12h0m0s"), adding the days when it is a whole number of them.
func formatDuration(d time.Duration) string {
	s := d.String() // "12h0m0s", "10m0s", "1h30m0s", "1m30s", "0s"
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if d >= 2*Day && d%Day == 0 {
		s += fmt.Sprintf(" (%d days)", d/Day)
	}
	return s
}

func unitName(unit time.Duration) string {
	switch unit {
	case Day:
		return "days"
	case time.Hour:
		return "hours"
	case time.Minute:
		return "minutes"
	case time.Second:
		return "seconds"
	}
	return "multiples of " + unit.String()
}
