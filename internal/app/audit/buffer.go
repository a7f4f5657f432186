package audit

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Buffer puts a durable Store behind an in-memory queue, so an API call
// appends its entry without waiting for a disk or database write: Run
// writes the queue every FlushEvery (default 1 s) in one transaction. The
// crash window is therefore up to FlushEvery of entries (plus one write in
// flight); Find and Prune write the queue first, so they see every entry
// appended before them. Run also deletes entries older than Retention
// every PruneEvery (default 1 h).
type Buffer struct {
	store      Store
	flushEvery time.Duration
	retention  time.Duration
	pruneEvery time.Duration
	max        int
	log        *slog.Logger
	now        func() time.Time

	mu      sync.Mutex
	pending []Entry
	// spare is the array of the batch written last, cleared, kept for the
	// queue after next: a flush takes it instead of making a new one, so a
	// busy server does not allocate a fresh array of a second's entries at
	// every flush (which the runtime returns to the system and faults in
	// again).
	spare []Entry
	wmu   sync.Mutex // one write to the store at a time, in order
}

// BufferConfig configures a Buffer.
type BufferConfig struct {
	FlushEvery time.Duration
	// Retention: entries older are pruned (0: kept forever).
	Retention  time.Duration
	PruneEvery time.Duration
	// MaxPending bounds the queue (default 100 000); past it Append writes
	// synchronously.
	MaxPending int
	Logger     *slog.Logger
	Now        func() time.Time
}

// NewBuffer wraps store.
func NewBuffer(store Store, cfg BufferConfig) *Buffer {
	b := &Buffer{store: store, flushEvery: cfg.FlushEvery, retention: cfg.Retention, pruneEvery: cfg.PruneEvery,
		max: cfg.MaxPending, log: cfg.Logger, now: cfg.Now}
	if b.flushEvery <= 0 {
		b.flushEvery = time.Second
	}
	if b.pruneEvery <= 0 {
		b.pruneEvery = time.Hour
	}
	if b.max <= 0 {
		b.max = 100_000
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

var _ Store = (*Buffer)(nil)

// Append implements Store: it queues es.
func (b *Buffer) Append(ctx context.Context, es ...Entry) error {
	b.mu.Lock()
	b.queue(es)
	full := len(b.pending) >= b.max
	b.mu.Unlock()
	if full {
		return b.Flush(ctx)
	}
	return nil
}

// Queuer is a Store that can take an entry into memory without writing
// it (Buffer): its caller needs no deadline, and Appends only when
// TryQueue reports false.
type Queuer interface {
	TryQueue(e Entry) bool
}

var _ Queuer = (*Buffer)(nil)

// TryQueue queues e if the queue has room for it, and reports whether it
// did: it never writes to the store, so it needs no deadline. The queue
// keeps e's slices (Subjects, Sources): the caller hands them over and
// must not change them after (Append copies them instead). When it
// reports false nothing was queued, and the caller Appends (which writes
// the full queue).
func (b *Buffer) TryQueue(e Entry) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending)+1 >= b.max {
		return false
	}
	b.pending = append(b.pending, e)
	return true
}

// queue appends copies of es to the queue; b.mu is held.
func (b *Buffer) queue(es []Entry) {
	for _, e := range es {
		e.Subjects = slices.Clone(e.Subjects)
		e.Sources = slices.Clone(e.Sources)
		b.pending = append(b.pending, e)
	}
}

// Flush writes the queue to the store.
func (b *Buffer) Flush(ctx context.Context) error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	es := b.pending
	// The next batch is likely about as long: room for it, and half as
	// much again, up front, so that a request queueing its entry does
	// not copy the whole queue into a grown slice (a batch a little
	// longer than the last would, at every flush). The last batch's
	// array serves when it has that room and is not more than twice it
	// (a burst's array is let go).
	want := min(len(es)+len(es)/2, b.max)
	if spare := b.spare; cap(spare) >= want && cap(spare) <= 2*want {
		b.pending = spare
	} else {
		b.pending = make([]Entry, 0, want)
	}
	b.spare = nil
	b.mu.Unlock()
	if len(es) == 0 {
		return nil
	}
	if err := b.store.Append(ctx, es...); err != nil {
		b.mu.Lock()
		b.pending = append(es, b.pending...)
		b.mu.Unlock()
		return err
	}
	clear(es) // the entries' slices were handed over with them
	b.mu.Lock()
	b.spare = es[:0]
	b.mu.Unlock()
	return nil
}

// Find implements Store.
func (b *Buffer) Find(ctx context.Context, q Query) ([]Entry, error) {
	if err := b.Flush(ctx); err != nil {
		return nil, err
	}
	return b.store.Find(ctx, q)
}

// Prune implements Store.
func (b *Buffer) Prune(ctx context.Context, before time.Time) (int, error) {
	if err := b.Flush(ctx); err != nil {
		return 0, err
	}
	return b.store.Prune(ctx, before)
}

// Run flushes every FlushEvery and prunes every PruneEvery (and once at
// start) until ctx is done, then flushes a last time.
func (b *Buffer) Run(ctx context.Context) {
	flush := time.NewTicker(b.flushEvery)
	defer flush.Stop()
	prune := time.NewTicker(b.pruneEvery)
	defer prune.Stop()
	b.prune(ctx)
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := b.Flush(fctx); err != nil {
				b.log.Error("audit entries lost at shutdown", "err", err)
			}
			cancel()
			return
		case <-flush.C:
			if err := b.Flush(ctx); err != nil && !errors.Is(err, context.Canceled) {
				b.log.Warn("audit entries not written yet (kept for the next try)", "err", err)
			}
		case <-prune.C:
			b.prune(ctx)
		}
	}
}

func (b *Buffer) prune(ctx context.Context) {
	if b.retention <= 0 {
		return
	}
	n, err := b.Prune(ctx, b.now().Add(-b.retention))
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("audit retention: prune failed", "err", err)
		}
		return
	}
	if n > 0 {
		b.log.Info("audit retention: entries deleted", "deleted", n)
	}
}
