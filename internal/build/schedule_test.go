package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/filelock"
)

// TestSchedulerShares builds, with real tools, four functions on one Go
// package and one Node function, each started speculatively and then
// asked for: one compile per distinct build, every function's artifact
// and record under its own name and byte for byte what Build makes alone;
// a speculative build of a handler that no longer exists reports nothing
// and leaves nothing.
func TestSchedulerShares(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	proj := t.TempDir()
	writeTree(t, proj, goFixture)
	writeTree(t, proj, map[string]string{"web/list.ts": "export const handler = async () => ({ statusCode: 200 });\n"})
	out := filepath.Join(proj, ".sst", "artifacts")
	req := func(name, handler string) Request {
		return Request{ProjectDir: proj, Handler: handler, OutDir: out, Name: name}
	}
	reqs := []Request{
		req("Api_GET_notes", "packages/functions/hello"), req("Api_POST_notes", "packages/functions/hello"),
		req("Api_GET_note", "packages/functions/hello"), req("Api_DELETE_note", "packages/functions/hello"),
		req("Api_GET_list", "web/list.handler"),
	}

	s := NewScheduler(2)
	s.Start(req("Gone", "packages/functions/deleted"))
	for _, r := range reqs {
		s.Start(r)
	}
	results := make([]*Result, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Build(context.Background(), r)
			if err != nil {
				t.Errorf("%s: %v", r.Name, err)
				return
			}
			results[i] = res
		}()
	}
	wg.Wait()
	s.Close()
	if t.Failed() {
		t.FailNow()
	}
	if got := s.made.Load(); got != 2 {
		t.Errorf("made %d products, want 2 (one Go compile, one bundle)", got)
	}

	alone := filepath.Join(t.TempDir(), "alone")
	for i, r := range reqs {
		res := results[i]
		checkHash(t, res)
		if !strings.HasPrefix(filepath.Base(res.ZipPath), r.Name+"-") {
			t.Errorf("%s: zip %s is not named after the function", r.Name, filepath.Base(res.ZipPath))
		}
		r.OutDir = alone
		want := mustBuild(t, r)
		if res.Hash != want.Hash || filepath.Base(res.ZipPath) != filepath.Base(want.ZipPath) ||
			res.Runtime != want.Runtime || res.Handler != want.Handler || strings.Join(res.Inputs, ",") != strings.Join(want.Inputs, ",") {
			t.Errorf("%s: scheduled %+v, alone %+v", r.Name, res, want)
		}
		if again := mustBuild(t, reqs[i]); !again.Cached || again.Hash != res.Hash {
			t.Errorf("%s: its record does not serve the next build: %+v", r.Name, again)
		}
	}
	for _, name := range artifacts(t, out) {
		if strings.HasPrefix(name, "Gone") || strings.HasPrefix(name, ".build-") {
			t.Errorf("left %s in the artifact dir", name)
		}
	}
}

// TestSchedulerFailure: a broken handler started speculatively and asked
// for by two functions compiles once; each function gets the error Build
// gives it alone, naming it and the handler, once.
func TestSchedulerFailure(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	proj := t.TempDir()
	writeTree(t, proj, goFixture)
	out := filepath.Join(t.TempDir(), "artifacts")
	req := func(name string) Request {
		return Request{ProjectDir: proj, Handler: "packages/broken", OutDir: out, Name: name}
	}
	s := NewScheduler(0)
	defer s.Close()
	s.Start(req("A"))
	s.Start(req("B"))
	for _, name := range []string{"A", "B"} {
		_, err := s.Build(context.Background(), req(name))
		_, alone := Build(context.Background(), req(name))
		if err == nil || alone == nil || err.Error() != alone.Error() {
			t.Fatalf("%s: scheduled error\n%v\nwant the one Build gives alone\n%v", name, err, alone)
		}
		var be *Error
		if !errors.As(err, &be) || be.Function != name || be.Handler != "packages/broken" || !errors.Is(err, ErrCompile) {
			t.Errorf("%s: %#v", name, err)
		}
		if n := strings.Count(err.Error(), "undefined: undefinedThing"); n != 1 {
			t.Errorf("%s: the compiler's error appears %d times:\n%v", name, n, err)
		}
	}
	if got := s.made.Load(); got != 1 {
		t.Errorf("compiled %d times, want 1", got)
	}
	if left := artifacts(t, out); len(left) != 1 || left[0] != ".locks" {
		t.Errorf("failed builds left %v (want only the lock directory)", left)
	}
}

// stalled replaces a scheduler's product maker with one that waits for
// release (or cancellation) and counts how many run at once.
type stalled struct {
	release  chan struct{}
	running  atomic.Int32
	peak     atomic.Int32
	started  chan string
	canceled atomic.Int32
}

func stall(s *Scheduler) *stalled {
	st := &stalled{release: make(chan struct{}), started: make(chan string, 100)}
	s.makeProduct = func(j *job, ctx context.Context) (*product, error) {
		n := st.running.Add(1)
		defer st.running.Add(-1)
		for {
			p := st.peak.Load()
			if n <= p || st.peak.CompareAndSwap(p, n) {
				break
			}
		}
		st.started <- j.r.Name
		select {
		case <-st.release:
			return j.make(ctx)
		case <-ctx.Done():
			st.canceled.Add(1)
			return nil, ctx.Err()
		}
	}
	return st
}

func nodeRequests(t *testing.T, n int) []Request {
	t.Helper()
	proj := t.TempDir()
	files := map[string]string{}
	var reqs []Request
	for i := range n {
		files[fmt.Sprintf("fn%d.ts", i)] = fmt.Sprintf("export const handler = async () => %d;\n", i)
		reqs = append(reqs, Request{ProjectDir: proj, Handler: fmt.Sprintf("fn%d.handler", i), OutDir: filepath.Join(proj, "out"), Name: fmt.Sprintf("Fn%d", i)})
	}
	writeTree(t, proj, files)
	return reqs
}

// TestSchedulerBound: six distinct builds on a limit of two run two at a
// time, and all finish.
func TestSchedulerBound(t *testing.T) {
	reqs := nodeRequests(t, 6)
	s := NewScheduler(2)
	defer s.Close()
	st := stall(s)
	for _, r := range reqs {
		s.Start(r)
	}
	<-st.started
	<-st.started
	select {
	case name := <-st.started:
		t.Fatalf("a third build (%s) started while two were running", name)
	case <-time.After(200 * time.Millisecond):
	}
	close(st.release)
	for _, r := range reqs {
		if _, err := s.Build(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if p := st.peak.Load(); p != 2 {
		t.Errorf("peak %d builds at once, want 2", p)
	}
	if got := s.made.Load(); got != 6 {
		t.Errorf("made %d, want 6", got)
	}
}

// TestSchedulerJoin: a Build of a request already in flight waits for it
// rather than building again; one asked for after it finished gets its
// result.
func TestSchedulerJoin(t *testing.T) {
	r := nodeRequests(t, 1)[0]
	s := NewScheduler(0)
	defer s.Close()
	st := stall(s)
	s.Start(r)
	<-st.started
	done := make(chan *Result)
	go func() {
		res, err := s.Build(context.Background(), r)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	select {
	case <-done:
		t.Fatal("Build returned while the build it should join was stalled")
	case <-time.After(100 * time.Millisecond):
	}
	close(st.release)
	first := <-done
	if first == nil {
		t.FailNow()
	}
	again, err := s.Build(context.Background(), r)
	if err != nil || again != first {
		t.Errorf("build after the first finished: %+v, %v; want its result %+v", again, err, first)
	}
	if got := s.made.Load(); got != 1 {
		t.Errorf("made %d, want 1", got)
	}
}

// TestSchedulerClose: Close stops a speculative build nobody asked for and
// returns once it stopped; it leaves no artifact.
func TestSchedulerClose(t *testing.T) {
	r := nodeRequests(t, 1)[0]
	s := NewScheduler(0)
	st := stall(s)
	s.Start(r)
	<-st.started
	s.Close()
	if st.canceled.Load() != 1 || st.running.Load() != 0 {
		t.Errorf("canceled %d, running %d after Close", st.canceled.Load(), st.running.Load())
	}
	if left := artifacts(t, r.OutDir); len(left) != 1 || left[0] != ".locks" {
		t.Errorf("left %v (want only the lock directory)", left)
	}
	if _, err := s.Build(context.Background(), r); !errors.Is(err, context.Canceled) {
		t.Errorf("Build after Close: %v, want context.Canceled", err)
	}
	if _, err := os.Stat(r.OutDir); err != nil {
		t.Fatal(err)
	}
}

// TestSchedulerWaitsForAnotherProcess: while another process holds a
// request's build lock (the CLI building what the app is about to ask
// for), the scheduler waits and then serves that build's record instead of
// making it again.
func TestSchedulerWaitsForAnotherProcess(t *testing.T) {
	r := nodeRequests(t, 1)[0]
	j, err := newJob(r)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := filelock.Lock(j.cache.lockPath())
	if err != nil {
		t.Fatal(err)
	}
	s := NewScheduler(0)
	defer s.Close()
	done := make(chan *Result)
	go func() {
		res, err := s.Build(context.Background(), r)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	select {
	case <-done:
		t.Fatal("Build did not wait for the lock another process holds")
	case <-time.After(200 * time.Millisecond):
	}
	other := mustBuild(t, r) // what the other process builds meanwhile
	unlock()
	res := <-done
	if res == nil || !res.Cached || res.Hash != other.Hash || s.made.Load() != 0 {
		t.Errorf("after the other process: %+v, made %d; want its cached build, none made", res, s.made.Load())
	}
}
