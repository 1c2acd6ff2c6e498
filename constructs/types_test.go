package sst

import (
	"strings"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0s",
		time.Second:             "1s",
		1500 * time.Millisecond: "1.5s",
		10 * time.Minute:        "10m",
		90 * time.Second:        "1m30s",
		12 * time.Hour:          "12h",
		90 * time.Minute:        "1h30m",
		24 * time.Hour:          "24h",
		14 * Day:                "336h (14 days)",
		-time.Second:            "-1s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestCheckDuration(t *testing.T) {
	if err := checkDuration("Timeout", 15*time.Minute, time.Second, 15*time.Minute, time.Second); err != nil {
		t.Errorf("15m: %v", err)
	}
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "Timeout 0s: must be 1s–15m in whole seconds"},
		{15*time.Minute + time.Second, "Timeout 15m1s: must be 1s–15m in whole seconds"},
		{2500 * time.Millisecond, "Timeout 2.5s: must be 1s–15m in whole seconds"},
	} {
		err := checkDuration("Timeout", tt.d, time.Second, 15*time.Minute, time.Second)
		if err == nil || err.Error() != tt.want {
			t.Errorf("checkDuration(%v) = %v, want %q", tt.d, err, tt.want)
		}
	}
}

func TestCheckRetention(t *testing.T) {
	for d, days := range map[time.Duration]int{0: 0, Days(1): 1, Days(14): 14, Days(3653): 3653} {
		if got, err := checkRetention("LogRetention", d); err != nil || got != days {
			t.Errorf("checkRetention(%v) = %d, %v; want %d", d, got, err, days)
		}
	}
	for _, d := range []time.Duration{Days(2), 36 * time.Hour, time.Hour, -Days(1)} {
		_, err := checkRetention("LogRetention", d)
		if err == nil || !strings.Contains(err.Error(), "LogRetention "+formatDuration(d)+": CloudWatch keeps logs for 1, 3, 5") || !strings.Contains(err.Error(), "sst.Days(n)") {
			t.Errorf("checkRetention(%v) = %v", d, err)
		}
	}
}

// Typed props stay convertible from configuration strings and keep the
// values AWS and the manifest use.
func TestTypedPropsAreTheirStrings(t *testing.T) {
	pairs := map[string]string{
		string(RuntimeNodejs20):  "nodejs20.x",
		string(RuntimePython312): "python3.12",
		string(RuntimeGo):        "go",
		string(ArchArm64):        "arm64",
		string(ArchX86_64):       "x86_64",
		string(RemovalRetain):    "retain",
		string(RemovalDestroy):   "destroy",
	}
	for got, want := range pairs {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	if !RemovalPolicy("retain").valid() || RemovalPolicy("keep").valid() || !Architecture("x86_64").valid() || Architecture("arm").valid() {
		t.Error("valid() disagrees with the constants")
	}
}
