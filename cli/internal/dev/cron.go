package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/internal/schedule"
	"github.com/sst-tf/sst/manifest"
)

// CronSource is a Cron whose job `sst dev` fires locally on its schedule
// (its deployed rule is DISABLED while sst dev runs).
type CronSource struct {
	// Cron is the construct id, Rule the physical rule name.
	Cron, Rule string
	// Function is the job's function id.
	Function string
	// Schedule is the rate(…) or cron(…) expression.
	Schedule string
	// Input, when set, is the JSON the target passes instead of the
	// event; InputPath the JSONPath ("$.detail") of the part it passes.
	Input, InputPath string
}

// Label is how the terminal, the history and the console name the source.
func (c CronSource) Label() string { return "cron " + c.Cron }

// CronSources lists the manifest's enabled crons.
func CronSources(m *manifest.Manifest) ([]CronSource, error) {
	var out []CronSource
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			if c.Type != "Cron" || c.Data[manifest.CronJob] == "" || c.Data[manifest.CronDisabled] == "true" {
				continue
			}
			src := CronSource{Cron: c.ID, Rule: c.Data[manifest.CronRuleName], Function: c.Data[manifest.CronJob], Schedule: c.Data[manifest.CronSchedule],
				Input: c.Data[manifest.CronInput], InputPath: c.Data[manifest.CronInputPath]}
			if _, err := schedule.Parse(src.Schedule); err != nil {
				return nil, fmt.Errorf("cron %s: manifest: %w (synthesize the app again: sst deploy)", c.ID, err)
			}
			if src.Input != "" && !json.Valid([]byte(src.Input)) {
				return nil, fmt.Errorf("cron %s: the target's Input is not JSON (EventBridge refuses it too): %s", c.ID, src.Input)
			}
			out = append(out, src)
		}
	}
	return out, nil
}

// Clock is the time a CronRunner fires by: the real one, a faster one
// (SST_DEV_TIME_SCALE) or a test's.
type Clock interface {
	Now() time.Time
	// After delivers once d has passed on this clock.
	After(d time.Duration) <-chan time.Time
}

// ScaledClock runs Scale times faster than the wall clock from Start; a
// Scale of 0 or 1 is the wall clock.
type ScaledClock struct {
	Start time.Time
	Scale float64
}

func (c ScaledClock) scale() float64 {
	if c.Scale <= 0 {
		return 1
	}
	return c.Scale
}

// Now is the scaled time.
func (c ScaledClock) Now() time.Time {
	return c.Start.Add(time.Duration(float64(time.Since(c.Start)) * c.scale()))
}

// After waits d of scaled time.
func (c ScaledClock) After(d time.Duration) <-chan time.Time {
	return time.After(time.Duration(float64(d) / c.scale()))
}

// CronRunner invokes a cron's job with EventBridge's scheduled event each
// time its schedule comes due, as the rule would. A job still running when
// the next firing comes due does not delay it: EventBridge invokes
// asynchronously too.
type CronRunner struct {
	Src CronSource
	Inv Invoker
	// Region and Account fill the event's fields and the rule's ARN.
	Region, Account string
	Clock           Clock
	Log             func(string)
}

// Run fires until ctx is done, and waits for the jobs it started.
func (c *CronRunner) Run(ctx context.Context) {
	sched, err := schedule.Parse(c.Src.Schedule)
	if err != nil {
		c.Log(err.Error())
		return
	}
	if _, err := jsonPath(c.Src.InputPath); err != nil {
		c.Log(fmt.Sprintf("the target's InputPath %v: the job gets the whole event", err))
		c.Src.InputPath = ""
	}
	var jobs sync.WaitGroup
	defer jobs.Wait()
	at, err := sched.Next(c.Clock.Now())
	for ; err == nil; at, err = sched.Next(at) {
		select {
		case <-ctx.Done():
			return
		case <-c.Clock.After(at.Sub(c.Clock.Now())):
		}
		payload, err := c.Src.payload(ScheduledEvent(at, c.Region, c.Account, c.Src.Rule))
		if err != nil {
			c.Log(fmt.Sprintf("the job did not run: %v", err))
			continue
		}
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			// A failed job is shown by the invocation line; EventBridge's
			// retries of an async invoke are not played locally.
			if _, err := c.Inv.Invoke(ctx, c.Src.Function, payload, c.Src.Label()); err != nil && ctx.Err() == nil {
				c.Log(fmt.Sprintf("the job did not run: %v", err))
			}
		}()
	}
	c.Log(err.Error())
}

// payload is what the rule's target passes for event: its Input as is,
// the part InputPath selects, or the event.
func (c CronSource) payload(event map[string]any) ([]byte, error) {
	if c.Input != "" {
		return []byte(c.Input), nil
	}
	var v any = event
	path, err := jsonPath(c.InputPath)
	if err != nil {
		return nil, err
	}
	for _, key := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("InputPath %s: the event has no %q", c.InputPath, key)
		}
		if v, ok = m[key]; !ok {
			return nil, fmt.Errorf("InputPath %s: the event has no %q", c.InputPath, key)
		}
	}
	return json.Marshal(v)
}

// jsonPath splits an InputPath of object keys ("$", "$.detail",
// "$.detail.id") into its keys; EventBridge's other JSONPath forms are not
// played locally and say so.
func jsonPath(p string) ([]string, error) {
	if p == "" || p == "$" {
		return nil, nil
	}
	rest, ok := strings.CutPrefix(p, "$.")
	if !ok || strings.ContainsAny(rest, "[]*'\"") || slices.Contains(strings.Split(rest, "."), "") {
		return nil, fmt.Errorf("%q: sst dev applies a path of keys ($.detail.id) only", p)
	}
	return strings.Split(rest, "."), nil
}

// ScheduledEvent is the event EventBridge delivers for a schedule firing
// at t.
func ScheduledEvent(t time.Time, region, account, rule string) map[string]any {
	return map[string]any{
		"version":     "0",
		"id":          newRequestID(),
		"detail-type": "Scheduled Event",
		"source":      "aws.events",
		"account":     account,
		"time":        t.UTC().Format(time.RFC3339),
		"region":      region,
		"resources":   []string{fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", region, account, rule)},
		"detail":      map[string]any{},
	}
}
