package transport

import (
	"context"
	"sync"
)

// Tally counts the tokens a piece of work took, per limiter: a batch row
// (and, through its parent, the job), so the job's ETA can be estimated
// from the binding source's rate before its rows' throughput is measured.
// Work under WithTally counts every token its requests take and its
// admissions (spending an admitted token takes none). A Tally is safe for concurrent use.
type Tally struct {
	parent *Tally
	mu     sync.Mutex
	n      map[*Limiter]int64
}

// NewTally returns an empty tally whose counts also go to parent (if not
// nil).
func NewTally(parent *Tally) *Tally { return &Tally{parent: parent, n: map[*Limiter]int64{}} }

type tallyKey struct{}

// WithTally makes tokens taken under ctx count in t.
func WithTally(ctx context.Context, t *Tally) context.Context {
	return context.WithValue(ctx, tallyKey{}, t)
}

func tallyFrom(ctx context.Context) *Tally {
	t, _ := ctx.Value(tallyKey{}).(*Tally)
	return t
}

func (t *Tally) add(l *Limiter) {
	for ; t != nil; t = t.parent {
		t.mu.Lock()
		t.n[l]++
		t.mu.Unlock()
	}
}

// Counts returns a copy of the counts.
func (t *Tally) Counts() map[*Limiter]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[*Limiter]int64, len(t.n))
	for l, n := range t.n {
		out[l] = n
	}
	return out
}
