// Package deploy holds the parts of `sst deploy` and `sst remove` that do
// not need terraform: the dependency scheduler, deploy hashes and the
// outputs file. Keeping them apart from the driver makes them testable with
// fake stack runners.
package deploy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Node is one stack in the dependency graph.
type Node struct {
	Name      string
	DependsOn []string
}

// Status is how a stack ended up.
type Status int

const (
	// Done means the runner did its work (deployed or removed).
	Done Status = iota
	// Unchanged means the runner decided there was nothing to do.
	Unchanged
	// Failed means the runner returned an error.
	Failed
	// Blocked means the stack never ran because a stack it waits for
	// failed or was blocked itself.
	Blocked
)

func (s Status) String() string {
	return [...]string{"done", "unchanged", "failed", "blocked"}[s]
}

// Result is the outcome for one stack.
type Result struct {
	Name   string
	Status Status
	Err    error
	// BlockedBy names the failed stack that kept this one from running.
	BlockedBy string
	Duration  time.Duration
}

// RunFunc does the work for one stack. Returning Unchanged with a nil error
// marks it skipped; any error marks it failed.
type RunFunc func(ctx context.Context, name string) (Status, error)

// Schedule runs fn for every node once all the nodes it waits for have
// finished successfully, at most parallel at a time. With reverse set the
// edges flip: a stack runs only after every stack that depends on it, which
// is the order for destroying.
//
// Dependencies on stacks not in nodes are treated as satisfied: deploying a
// subset (`sst deploy Api`) assumes the rest is already deployed.
//
// A failure does not stop independent stacks; it marks everything that
// waits on the failed stack Blocked. Results come back in the order of
// nodes. A cancelled context blocks stacks that have not started.
func Schedule(ctx context.Context, nodes []Node, parallel int, reverse bool, fn RunFunc) ([]Result, error) {
	if parallel < 1 {
		parallel = 1
	}
	index := map[string]int{}
	for i, n := range nodes {
		if _, dup := index[n.Name]; dup {
			return nil, fmt.Errorf("stack %q is listed twice", n.Name)
		}
		index[n.Name] = i
	}
	// waits[i] are the nodes i waits for; next[i] are those waiting for i.
	waits := make([][]int, len(nodes))
	next := make([][]int, len(nodes))
	for i, n := range nodes {
		for _, d := range n.DependsOn {
			j, ok := index[d]
			if !ok || j == i {
				continue
			}
			if reverse {
				waits[j] = append(waits[j], i)
				next[i] = append(next[i], j)
			} else {
				waits[i] = append(waits[i], j)
				next[j] = append(next[j], i)
			}
		}
	}
	if cycle := findCycle(nodes, waits); cycle != nil {
		return nil, fmt.Errorf("stacks depend on each other in a cycle: %s", strings.Join(cycle, " → "))
	}

	results := make([]Result, len(nodes))
	pending := make([]int, len(nodes))
	for i := range nodes {
		results[i].Name = nodes[i].Name
		pending[i] = len(waits[i])
	}

	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, parallel)
		done = make([]bool, len(nodes))
	)
	var start func(i int)
	// finish records a result and releases or blocks the waiters; mu held.
	var finish func(i int)
	finish = func(i int) {
		done[i] = true
		ok := results[i].Status == Done || results[i].Status == Unchanged
		for _, j := range next[i] {
			if done[j] {
				continue
			}
			if !ok {
				cause := results[i].Name
				if results[i].Status == Blocked {
					cause = results[i].BlockedBy
				}
				results[j].Status = Blocked
				results[j].BlockedBy = cause
				finish(j)
				continue
			}
			pending[j]--
			if pending[j] == 0 {
				start(j)
			}
		}
	}
	start = func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var st Status
			var err error
			t0 := time.Now()
			if cerr := ctx.Err(); cerr != nil {
				st, err = Blocked, cerr
			} else {
				st, err = fn(ctx, nodes[i].Name)
			}
			mu.Lock()
			defer mu.Unlock()
			results[i].Duration = time.Since(t0)
			switch {
			case st == Blocked:
				results[i].Status, results[i].Err = Blocked, err
			case err != nil:
				results[i].Status, results[i].Err = Failed, err
			default:
				results[i].Status = st
			}
			finish(i)
		}()
	}
	mu.Lock()
	for i := range nodes {
		if pending[i] == 0 {
			start(i)
		}
	}
	mu.Unlock()
	wg.Wait()
	return results, nil
}

// findCycle returns the names on a dependency cycle, or nil.
func findCycle(nodes []Node, waits [][]int) []string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(nodes))
	var stack []int
	var cycle []string
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		stack = append(stack, i)
		deps := append([]int(nil), waits[i]...)
		sort.Ints(deps)
		for _, j := range deps {
			if color[j] == grey {
				for k := len(stack) - 1; k >= 0; k-- {
					if stack[k] == j {
						for _, s := range stack[k:] {
							cycle = append(cycle, nodes[s].Name)
						}
						cycle = append(cycle, nodes[j].Name)
						return true
					}
				}
			}
			if color[j] == white && visit(j) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
		return false
	}
	for i := range nodes {
		if color[i] == white && visit(i) {
			return cycle
		}
	}
	return nil
}
