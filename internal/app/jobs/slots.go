package jobs

import (
	"context"
	"sync"
)

// fairSlots are the enrichment slots shared by the running jobs: at most
// size rows are enriched at once, and each running job may hold at most its
// fair share of them (size / running jobs, at least one), so one job's rows
// cannot take every slot while another job's rows wait. Rows waiting for a
// rate-limit token hold no slot (see Manager.enrich).
type fairSlots struct {
	size int

	mu    sync.Mutex
	used  int
	held  map[*run]int  // slots held per registered run
	freed chan struct{} // made by a waiter; closed (and dropped) when a slot is freed or the share changes
}

func newFairSlots(size int) *fairSlots {
	return &fairSlots{size: size, held: map[*run]int{}}
}

// join registers a running job; leave unregisters it. The share of the
// others changes with it.
func (f *fairSlots) join(r *run) {
	f.mu.Lock()
	if _, ok := f.held[r]; !ok {
		f.held[r] = 0
	}
	f.wakeLocked()
	f.mu.Unlock()
}

func (f *fairSlots) leave(r *run) {
	f.mu.Lock()
	delete(f.held, r)
	f.wakeLocked()
	f.mu.Unlock()
}

// wakeLocked wakes the waiters, if any (no channel is made per release
// when nobody waits).
func (f *fairSlots) wakeLocked() {
	if f.freed != nil {
		close(f.freed)
		f.freed = nil
	}
}

// share is the slots one registered job may hold; f.mu is held.
func (f *fairSlots) shareLocked() int {
	return max(1, f.size/max(1, len(f.held)))
}

// acquire waits for a slot r may take, or for ctx to end.
func (f *fairSlots) acquire(ctx context.Context, r *run) error {
	for {
		f.mu.Lock()
		if f.used < f.size && f.held[r] < f.shareLocked() {
			f.used++
			f.held[r]++
			f.mu.Unlock()
			return nil
		}
		if f.freed == nil {
			f.freed = make(chan struct{})
		}
		wait := f.freed
		f.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *fairSlots) release(r *run) {
	f.mu.Lock()
	f.used--
	if _, ok := f.held[r]; ok {
		f.held[r]--
	}
	f.wakeLocked()
	f.mu.Unlock()
}
