package dev

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// TestCronRunnerFiresOnSchedule: a rate(1 minute) job fires once a minute
// of its clock (here 600 times faster than the wall clock, the way
// SST_DEV_TIME_SCALE speeds it up), each time with EventBridge's scheduled
// event, recorded with its source. No firing is skipped, however late the
// jobs finish.
func TestCronRunnerFiresOnSchedule(t *testing.T) {
	h, err := NewHistory(newRuntime(t, 10*time.Second), filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fired := &firings{inv: h}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var logs []string
	r := &CronRunner{Src: CronSource{Cron: "Tick", Rule: "dev-app-Tick", Function: "node", Schedule: "rate(1 minute)"}, Inv: fired,
		Region: "us-east-1", Account: "123456789012", Clock: ScaledClock{Start: time.Now(), Scale: 600}, Log: func(s string) { logs = append(logs, s) }}
	go func() { defer close(done); r.Run(ctx) }()
	waitFor(t, "three firings", func() bool { return len(h.Records()) >= 3 })
	// Jobs run concurrently, as EventBridge's async invokes do: records
	// come in the order they finish, and one still running when the test
	// stops is cancelled, so the event checks read what finished by now
	// and the schedule check reads every firing the runner started.
	records := h.Records()
	cancel()
	<-done
	for _, rec := range records {
		if rec.Source != "cron Tick" || rec.Error != nil {
			t.Errorf("record %s: source %q, error %v", rec.ID, rec.Source, rec.Error)
		}
		var ev struct {
			DetailType string          `json:"detail-type"`
			Source     string          `json:"source"`
			Account    string          `json:"account"`
			Region     string          `json:"region"`
			Time       time.Time       `json:"time"`
			Resources  []string        `json:"resources"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(rec.Request, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || ev.Account != "123456789012" || ev.Region != "us-east-1" ||
			strings.Join(ev.Resources, ",") != "arn:aws:events:us-east-1:123456789012:rule/dev-app-Tick" || string(ev.Detail) != "{}" {
			t.Errorf("event %s", rec.Request)
		}
	}
	times := fired.sorted()
	if len(times) < 3 {
		t.Errorf("%d firings, want at least 3", len(times))
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d != time.Minute {
			t.Errorf("firings %s apart, want 1m: %v", d, times)
		}
	}
	if len(logs) > 0 {
		t.Errorf("unexpected log: %v", logs)
	}
}

// firings notes the event time of every invocation a runner starts, before
// passing it on.
type firings struct {
	inv   Invoker
	mu    sync.Mutex
	times []time.Time
}

func (f *firings) Invoke(ctx context.Context, fnID string, payload []byte, source string) (*Result, error) {
	var ev struct {
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.times = append(f.times, ev.Time)
	f.mu.Unlock()
	return f.inv.Invoke(ctx, fnID, payload, source)
}

func (f *firings) sorted() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.SortedFunc(slices.Values(f.times), time.Time.Compare)
}

func TestCronSourcesFromTheManifest(t *testing.T) {
	m := &manifest.Manifest{Stacks: []manifest.Stack{{Constructs: []manifest.Construct{
		{ID: "Tick", Type: "Cron", Data: map[string]string{manifest.CronSchedule: "rate(1 minute)", manifest.CronJob: "Tick_job", manifest.CronRuleName: "dev-app-Tick"}},
		{ID: "Off", Type: "Cron", Data: map[string]string{manifest.CronSchedule: "rate(1 minute)", manifest.CronJob: "Off_job", manifest.CronDisabled: "true"}},
	}}}}
	got, err := CronSources(m)
	if err != nil || len(got) != 1 || got[0] != (CronSource{Cron: "Tick", Rule: "dev-app-Tick", Function: "Tick_job", Schedule: "rate(1 minute)"}) {
		t.Errorf("got %+v, %v", got, err)
	}
	m.Stacks[0].Constructs[0].Data[manifest.CronSchedule] = "every minute"
	if _, err := CronSources(m); err == nil || !strings.Contains(err.Error(), "cron Tick: manifest") {
		t.Errorf("bad schedule: %v", err)
	}
}

// TestCronTargetInput: a target's Input replaces the scheduled event, its
// InputPath selects part of it, as EventBridge does; a path sst dev cannot
// follow is said and the whole event passed.
func TestCronTargetInput(t *testing.T) {
	ev := ScheduledEvent(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), "us-east-1", "123456789012", "dev-app-Tick")
	for _, c := range []struct {
		src  CronSource
		want string
	}{
		{CronSource{Input: `{"job":"cleanup","days":7}`}, `{"job":"cleanup","days":7}`},
		{CronSource{InputPath: "$.detail"}, `{}`},
		{CronSource{InputPath: "$.detail-type"}, `"Scheduled Event"`},
		{CronSource{InputPath: "$"}, ""},
	} {
		got, err := c.src.payload(ev)
		if err != nil {
			t.Errorf("%+v: %v", c.src, err)
			continue
		}
		if c.want == "" {
			whole, _ := json.Marshal(ev)
			c.want = string(whole)
		}
		if string(got) != c.want {
			t.Errorf("%+v: payload %s, want %s", c.src, got, c.want)
		}
	}
	if _, err := (CronSource{InputPath: "$.detail.missing"}).payload(ev); err == nil || !strings.Contains(err.Error(), `the event has no "missing"`) {
		t.Errorf("missing key: %v", err)
	}

	m := &manifest.Manifest{Stacks: []manifest.Stack{{Constructs: []manifest.Construct{
		{ID: "Tick", Type: "Cron", Data: map[string]string{manifest.CronSchedule: "rate(1 minute)", manifest.CronJob: "Tick_job", manifest.CronInput: `{"job":"cleanup"}`}},
	}}}}
	if got, err := CronSources(m); err != nil || got[0].Input != `{"job":"cleanup"}` {
		t.Errorf("got %+v, %v", got, err)
	}
	m.Stacks[0].Constructs[0].Data[manifest.CronInput] = `{job}`
	if _, err := CronSources(m); err == nil || !strings.Contains(err.Error(), "cron Tick: the target's Input is not JSON") {
		t.Errorf("bad Input: %v", err)
	}
	if _, err := jsonPath("$.detail[0]"); err == nil || !strings.Contains(err.Error(), "a path of keys ($.detail.id) only") {
		t.Errorf("bad InputPath: %v", err)
	}
}
