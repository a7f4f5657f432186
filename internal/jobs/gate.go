package jobs

import (
	"context"
	"sync"
)

// Gate bounds the work admitted at once. Acquire blocks until a slot is free
// or ctx is done; every successful Acquire is paired with one Release.
type Gate interface {
	Acquire(ctx context.Context) error
	Release()
}

// PriorityGate is a counting semaphore shared by live lookups and batch
// rows where live callers win: batch holders never take more than
// capacity−reserved slots, and a freed slot goes to a waiting live caller
// before any batch waiter. So a live lookup finds a slot at once unless
// other live lookups hold reserved+ slots, and with reserved = 0 it waits at
// most for one batch holder to finish.
type PriorityGate struct {
	mu          sync.Mutex
	capacity    int
	batchMax    int
	inUse       int
	batchInUse  int
	liveWaiters []chan struct{}
	batchWait   []chan struct{}
}

// NewPriorityGate returns a gate of capacity slots of which reserved are
// never used by batch work. capacity < 1 is taken as 1; reserved is clamped
// to [0, capacity−1] so batch work can always make progress.
func NewPriorityGate(capacity, reserved int) *PriorityGate {
	capacity = max(capacity, 1)
	reserved = min(max(reserved, 0), capacity-1)
	return &PriorityGate{capacity: capacity, batchMax: capacity - reserved}
}

// Live returns the gate's view for live lookups.
func (g *PriorityGate) Live() Gate { return gateView{g: g, batch: false} }

// Batch returns the gate's view for batch rows (Config.Gate).
func (g *PriorityGate) Batch() Gate { return gateView{g: g, batch: true} }

// InUse reports the slots held, in total and by batch work.
func (g *PriorityGate) InUse() (total, batch int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inUse, g.batchInUse
}

type gateView struct {
	g     *PriorityGate
	batch bool
}

func (v gateView) Acquire(ctx context.Context) error { return v.g.acquire(ctx, v.batch) }
func (v gateView) Release()                          { v.g.release(v.batch) }

func (g *PriorityGate) canTake(batch bool) bool {
	if g.inUse >= g.capacity {
		return false
	}
	return !batch || (g.batchInUse < g.batchMax && len(g.liveWaiters) == 0)
}

func (g *PriorityGate) take(batch bool) {
	g.inUse++
	if batch {
		g.batchInUse++
	}
}

func (g *PriorityGate) acquire(ctx context.Context, batch bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	if g.canTake(batch) {
		g.take(batch)
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	q := &g.liveWaiters
	if batch {
		q = &g.batchWait
	}
	*q = append(*q, ch)
	g.mu.Unlock()

	select {
	case <-ch: // granted: release() counted the slot for us
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		for i, c := range *q {
			if c == ch {
				*q = append((*q)[:i], (*q)[i+1:]...)
				g.mu.Unlock()
				return ctx.Err()
			}
		}
		g.mu.Unlock()
		// Granted while giving up: hand the slot back.
		g.release(batch)
		return ctx.Err()
	}
}

func (g *PriorityGate) release(batch bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inUse--
	if batch {
		g.batchInUse--
	}
	if g.inUse < 0 || g.batchInUse < 0 {
		panic("jobs: PriorityGate released more than acquired")
	}
	for g.inUse < g.capacity {
		switch {
		case len(g.liveWaiters) > 0:
			ch := g.liveWaiters[0]
			g.liveWaiters = g.liveWaiters[1:]
			g.take(false)
			close(ch)
		case len(g.batchWait) > 0 && g.batchInUse < g.batchMax:
			ch := g.batchWait[0]
			g.batchWait = g.batchWait[1:]
			g.take(true)
			close(ch)
		default:
			return
		}
	}
}
