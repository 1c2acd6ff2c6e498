package deploy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a fake stack runner that logs start/finish order and fails
// or skips the stacks it is told to.
type recorder struct {
	mu      sync.Mutex
	events  []string
	running int
	peak    int
	fail    map[string]bool
	skip    map[string]bool
	delay   time.Duration
}

func (r *recorder) run(ctx context.Context, name string) (Status, error) {
	r.mu.Lock()
	r.events = append(r.events, "start "+name)
	r.running++
	r.peak = max(r.peak, r.running)
	r.mu.Unlock()
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
	r.events = append(r.events, "end "+name)
	if r.fail[name] {
		return Failed, errors.New("boom")
	}
	if r.skip[name] {
		return Unchanged, nil
	}
	return Done, nil
}

func (r *recorder) index(ev string) int {
	for i, e := range r.events {
		if e == ev {
			return i
		}
	}
	return -1
}

// before asserts a finished before b started.
func (r *recorder) before(t *testing.T, a, b string) {
	t.Helper()
	ea, sb := r.index("end "+a), r.index("start "+b)
	if ea < 0 || sb < 0 || ea > sb {
		t.Errorf("%s must finish before %s starts; events: %v", a, b, r.events)
	}
}

func byName(rs []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

// A diamond: Web and Api both need DB; Edge needs Web and Api.
var diamond = []Node{
	{Name: "Edge", DependsOn: []string{"Web", "Api"}},
	{Name: "Web", DependsOn: []string{"DB"}},
	{Name: "Api", DependsOn: []string{"DB"}},
	{Name: "DB"},
	{Name: "Solo"},
}

func TestScheduleOrder(t *testing.T) {
	r := &recorder{delay: 20 * time.Millisecond}
	res, err := Schedule(context.Background(), diamond, 4, false, r.run)
	if err != nil {
		t.Fatal(err)
	}
	r.before(t, "DB", "Web")
	r.before(t, "DB", "Api")
	r.before(t, "Web", "Edge")
	r.before(t, "Api", "Edge")
	if r.peak < 2 {
		t.Errorf("independent stacks did not run in parallel (peak %d): %v", r.peak, r.events)
	}
	for i, x := range res {
		if x.Name != diamond[i].Name || x.Status != Done {
			t.Errorf("result %d = %+v", i, x)
		}
	}
}

func TestScheduleReverse(t *testing.T) {
	r := &recorder{}
	if _, err := Schedule(context.Background(), diamond, 2, true, r.run); err != nil {
		t.Fatal(err)
	}
	r.before(t, "Edge", "Web")
	r.before(t, "Edge", "Api")
	r.before(t, "Web", "DB")
	r.before(t, "Api", "DB")
}

func TestScheduleBound(t *testing.T) {
	var nodes []Node
	for _, n := range strings.Fields("a b c d e f g h") {
		nodes = append(nodes, Node{Name: n})
	}
	r := &recorder{delay: 10 * time.Millisecond}
	if _, err := Schedule(context.Background(), nodes, 3, false, r.run); err != nil {
		t.Fatal(err)
	}
	if r.peak > 3 {
		t.Errorf("peak concurrency %d > 3", r.peak)
	}
}

func TestScheduleFailureBlocksDependentsOnly(t *testing.T) {
	r := &recorder{fail: map[string]bool{"Web": true}}
	res, err := Schedule(context.Background(), diamond, 4, false, r.run)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(res)
	want := map[string]Status{"DB": Done, "Web": Failed, "Api": Done, "Edge": Blocked, "Solo": Done}
	for n, st := range want {
		if got[n].Status != st {
			t.Errorf("%s: status %v, want %v", n, got[n].Status, st)
		}
	}
	if got["Edge"].BlockedBy != "Web" {
		t.Errorf("Edge blocked by %q, want Web", got["Edge"].BlockedBy)
	}
	if got["Web"].Err == nil {
		t.Error("failed stack has no error")
	}
	if r.index("start Edge") >= 0 {
		t.Error("Edge ran although Web failed")
	}
}

func TestScheduleBlockedTransitively(t *testing.T) {
	r := &recorder{fail: map[string]bool{"DB": true}}
	res, _ := Schedule(context.Background(), diamond, 4, false, r.run)
	got := byName(res)
	for _, n := range []string{"Web", "Api", "Edge"} {
		if got[n].Status != Blocked || got[n].BlockedBy != "DB" {
			t.Errorf("%s = %+v, want blocked by DB", n, got[n])
		}
	}
	if got["Solo"].Status != Done {
		t.Errorf("independent Solo = %v", got["Solo"].Status)
	}
}

func TestScheduleUnchangedSatisfiesDependents(t *testing.T) {
	r := &recorder{skip: map[string]bool{"DB": true}}
	res, _ := Schedule(context.Background(), diamond, 4, false, r.run)
	got := byName(res)
	if got["DB"].Status != Unchanged || got["Edge"].Status != Done {
		t.Errorf("results %+v", res)
	}
}

func TestScheduleSubsetIgnoresMissingDeps(t *testing.T) {
	r := &recorder{}
	res, err := Schedule(context.Background(), []Node{{Name: "Api", DependsOn: []string{"DB"}}}, 1, false, r.run)
	if err != nil || res[0].Status != Done {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestScheduleCycle(t *testing.T) {
	nodes := []Node{{Name: "A", DependsOn: []string{"B"}}, {Name: "B", DependsOn: []string{"C"}}, {Name: "C", DependsOn: []string{"A"}}}
	_, err := Schedule(context.Background(), nodes, 1, false, (&recorder{}).run)
	if err == nil || !strings.Contains(err.Error(), "cycle") || !strings.Contains(err.Error(), "A") {
		t.Fatalf("err = %v", err)
	}
}

func TestScheduleCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Schedule(ctx, diamond, 2, false, (&recorder{}).run)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != Blocked {
			t.Errorf("%s ran after cancel: %v", r.Name, r.Status)
		}
	}
}
