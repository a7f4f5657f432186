package transport

import (
	"context"
	"maps"
	"sync"
	"time"
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
	first  map[*Limiter]TallyStart // each limiter's first token taken
}

// TallyStart is when a tally's first token of a limiter was taken, and the
// limiter's Granted count then (that token included).
type TallyStart struct {
	At      time.Time
	Granted int64
}

// NewTally returns an empty tally whose counts also go to parent (if not
// nil).
func NewTally(parent *Tally) *Tally {
	return &Tally{parent: parent, n: map[*Limiter]int64{}, first: map[*Limiter]TallyStart{}}
}

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
	start := TallyStart{At: time.Now(), Granted: l.Granted()}
	for ; t != nil; t = t.parent {
		t.mu.Lock()
		if t.n[l] == 0 {
			t.first[l] = start
		}
		t.n[l]++
		t.mu.Unlock()
	}
}

// First returns when the first token of each limiter was taken.
func (t *Tally) First() map[*Limiter]TallyStart {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.first)
}

// Counts returns a copy of the counts.
func (t *Tally) Counts() map[*Limiter]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.n)
}
