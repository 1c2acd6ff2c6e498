package build

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sst-tf/sst/internal/filelock"
)

// Scheduler runs the builds of one synthesis. Builds may be started before
// anyone asks for them (a speculative Start, while the jsii child starts);
// a Build of the same request joins the one in flight instead of starting
// a second, and one that finished is found in the build cache. Requests
// that differ only in Name (four routes on one Go package) share one
// compile and zip too, each stored under its own name as Build stores it.
// At most limit compiles or bundles run at once: a Go build already uses
// several cores, so more at once only adds contention.
//
// A Scheduler is for one synthesis, during which sources are not expected
// to change: a request built (or found in the cache) once, and a product
// made once, serve every later asker until Close.
type Scheduler struct {
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	calls    map[string]*call // by request
	products map[string]*productCall

	// makeProduct is job.make; tests count or stall it.
	makeProduct func(*job, context.Context) (*product, error)
	made        atomic.Int64
}

type call struct {
	done chan struct{}
	res  *Result
	err  error
}

type productCall struct {
	done chan struct{}
	name string // the function whose request made it, named by its errors
	p    *product
	err  error
}

// NewScheduler makes at most limit products at once; limit <= 0 means
// GOMAXPROCS.
func NewScheduler(limit int) *Scheduler {
	if limit <= 0 {
		limit = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		ctx:         ctx,
		cancel:      cancel,
		slots:       make(chan struct{}, limit),
		calls:       map[string]*call{},
		products:    map[string]*productCall{},
		makeProduct: (*job).make,
	}
}

// Start begins building r in the background. Nothing is reported: a
// request that cannot be built fails again, with its error, in the Build
// that asks for it, and one nobody asks for only cost the work (its
// artifact and cache record are the ones its own Build would write).
func (s *Scheduler) Start(r Request) {
	_, _ = s.start(r)
}

// Build is the package's Build, sharing work with the scheduler's other
// builds; ctx only bounds the wait, the build itself runs until Close.
func (s *Scheduler) Build(ctx context.Context, r Request) (*Result, error) {
	c, err := s.start(r)
	if err != nil {
		return nil, err
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start runs each distinct request once per scheduler (its result then
// serves every later asker, like a product).
func (s *Scheduler) start(r Request) (*call, error) {
	j, err := newJob(r)
	if err != nil {
		return nil, err
	}
	key := j.cache.path + "\x00" + j.productKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.calls[key]; ok {
		return c, nil
	}
	c := &call{done: make(chan struct{})}
	s.calls[key] = c
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		c.res, c.err = s.run(j)
		close(c.done)
	}()
	return c, nil
}

// Close stops the builds nobody waits for and returns once none runs.
func (s *Scheduler) Close() {
	s.cancel()
	s.wg.Wait()
}

func (s *Scheduler) run(j *job) (*Result, error) {
	if res, ok := j.cache.lookup(); ok {
		return res, nil
	}
	// Another process may be building this request (the CLI starts the
	// builds of the last synthesis while the app starts, and the app
	// starts them again): wait for it, then its record serves. Taken
	// before waiting for a slot, so the builds a process started first
	// are its to make.
	if unlock, err := filelock.Lock(j.cache.lockPath()); err == nil {
		defer unlock()
		if res, ok := j.cache.lookup(); ok {
			return res, nil
		}
	}
	p, err := s.product(j)
	if err != nil {
		return nil, err
	}
	return j.store(p)
}

// product makes j's product, or waits for the one another request of the
// same product is making or made.
func (s *Scheduler) product(j *job) (*product, error) {
	key := j.productKey()
	s.mu.Lock()
	pc, ok := s.products[key]
	if !ok {
		pc = &productCall{done: make(chan struct{}), name: j.r.Name}
		s.products[key] = pc
	}
	s.mu.Unlock()
	if !ok {
		pc.p, pc.err = s.make(j)
		close(pc.done)
	} else {
		select {
		case <-pc.done:
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
	}
	if pc.err == nil || pc.name == j.r.Name {
		return pc.p, pc.err
	}
	// The failure is the same for every function on this product; only
	// the function it names differs.
	var be *Error
	if errors.As(pc.err, &be) && be == pc.err {
		named := *be
		named.Function = j.r.Name
		return nil, &named
	}
	if errors.Is(pc.err, context.Canceled) {
		return nil, pc.err
	}
	// Any other error names the function it was made for in its text:
	// make this one's own, which fails again with its name.
	return s.make(j)
}

func (s *Scheduler) make(j *job) (*product, error) {
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case s.slots <- struct{}{}:
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
	defer func() { <-s.slots }()
	s.made.Add(1)
	return s.makeProduct(j, s.ctx)
}
