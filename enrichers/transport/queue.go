package transport

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// Background callers of a limiter (batch rows) wait for its tokens in a
// queue, in turn: a call's later request first (a WebFinger's account
// lookup, once its first request went out), then by place (the time the
// work first asked, WithPlace: the oldest batch row first, whichever job
// it belongs to). Only the head of the queue takes tokens, and it takes
// each one when it sends the request, never ahead: a token is never held
// while its request waits for something else, so requests never leave
// faster than the rate, whatever the bucket's burst. Live callers are not
// in the queue: they reserve the next token directly (waitBucket), ahead
// of every background caller.
//
// A background caller whose turn cannot come before its deadline (more
// callers ahead of it than tokens due by then) is refused at once, and a
// batch row so refused waits for its turn with no budget running and
// holding no enrichment slot (AwaitTurn), then runs again: its turn is
// kept for it (a hold) until its request comes, for at most holdFor.

// place is a background caller's place in the limiters' queues.
type place struct{ at time.Time }

type placeKey struct{}

// WithPlace gives the work under ctx a place in every limiter's queue of
// background callers, taken now, unless ctx has one already: a batch row
// takes one when it starts, and keeps it while it waits and runs again,
// so the rows that waited longest are served first.
func WithPlace(ctx context.Context) context.Context {
	if _, ok := ctx.Value(placeKey{}).(*place); ok {
		return ctx
	}
	return context.WithValue(ctx, placeKey{}, &place{at: time.Now()})
}

func placeOf(ctx context.Context) *place {
	p, _ := ctx.Value(placeKey{}).(*place)
	return p
}

// bgWaiter is one background caller in a limiter's queue.
type bgWaiter struct {
	pl   *place
	cont bool // a later request of an admitted call
	seq  uint64
}

func (w *bgWaiter) before(o *bgWaiter) bool {
	if w.cont != o.cont {
		return w.cont
	}
	if !w.pl.at.Equal(o.pl.at) {
		return w.pl.at.Before(o.pl.at)
	}
	return w.seq < o.seq
}

// holdFor is how long a turn AwaitTurn gave stays kept for its caller (the
// queue waits behind it meanwhile): enough to take an enrichment slot and
// run the cached sources again; a caller that comes later is still first
// by its place.
const holdFor = time.Second

// turnLead is how early AwaitTurn returns before the token is due, so the
// row is back when it is: its Take waits for the rest.
const turnLead = 50 * time.Millisecond

// enqueue puts a background caller of ctx in l's queue.
func (l *Limiter) enqueue(ctx context.Context) *bgWaiter {
	pl := placeOf(ctx)
	if pl == nil {
		pl = &place{at: time.Now()}
	}
	a, _ := ctx.Value(admissionKey{}).(*admission)
	w := &bgWaiter{pl: pl, cont: a != nil && a.lim == l && !a.unused.Load()}
	l.qmu.Lock()
	defer l.qmu.Unlock()
	l.qseq++
	w.seq = l.qseq
	i, _ := slices.BinarySearchFunc(l.queue, w, func(e, t *bgWaiter) int {
		if e.before(t) {
			return -1
		}
		return 1
	})
	l.queue = slices.Insert(l.queue, i, w)
	return w
}

// leave takes w out of the queue.
func (l *Limiter) leave(w *bgWaiter) {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	if i := slices.Index(l.queue, w); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
	}
	l.wakeQueueLocked()
}

func (l *Limiter) wakeQueueLocked() {
	if l.qwake != nil {
		close(l.qwake)
		l.qwake = nil
	}
}

// turn waits until w heads the queue and no other caller's turn is kept,
// or until w's own kept turn.
// It fails at once when more callers are ahead of w than tokens are due
// before ctx's deadline, and when ctx ends.
func (l *Limiter) turn(ctx context.Context, w *bgWaiter) error {
	deadline, hasDeadline := ctx.Deadline()
	for {
		now := time.Now()
		l.qmu.Lock()
		i := slices.Index(l.queue, w)
		kept := l.hold != nil && now.Before(l.holdUntil)
		// A call's later request does not wait for a kept turn: its
		// first request is out already.
		held := kept && l.hold != w.pl && !w.cont
		if (i == 0 && !held) || (kept && l.hold == w.pl) {
			// The head, or the caller whose turn is kept for it.
			l.qmu.Unlock()
			return nil
		}
		ahead := i
		if held {
			ahead++
		}
		if perS := float64(l.lim.Load().Limit()); hasDeadline && perS > 0 && perS != float64(rate.Inf) {
			due := time.Duration(float64(ahead) / perS * float64(time.Second))
			if now.Add(due).After(deadline) {
				l.qmu.Unlock()
				return fmt.Errorf("%d background callers ahead, their tokens are due after the deadline", ahead)
			}
		}
		if l.qwake == nil {
			l.qwake = make(chan struct{})
		}
		wake := l.qwake
		var expire <-chan time.Time
		var t *time.Timer
		if held {
			t = time.NewTimer(l.holdUntil.Sub(now))
			expire = t.C
		}
		l.qmu.Unlock()
		select {
		case <-wake:
		case <-expire:
		case <-ctx.Done():
		}
		if t != nil {
			t.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// ready waits until w heads the queue (turn) and a token for it is due
// within lead. Until then it only sleeps, so a caller that arrives and
// goes first (a call's later request, a kept turn) still does. It fails
// at once when the token is due after ctx's deadline.
func (l *Limiter) ready(ctx context.Context, w *bgWaiter, lead time.Duration) error {
	for {
		if err := l.turn(ctx, w); err != nil {
			return err
		}
		d := l.nextBackgroundToken()
		if d <= lead {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
			return fmt.Errorf("no token to spare for background work before the deadline (next in %s)", d.Round(time.Millisecond))
		}
		l.qmu.Lock()
		if l.qwake == nil {
			l.qwake = make(chan struct{})
		}
		wake := l.qwake
		l.qmu.Unlock()
		t := time.NewTimer(d - lead)
		select {
		case <-t.C:
		case <-wake:
		case <-ctx.Done():
		}
		t.Stop()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// tookTurn is called when the head of the queue, w, took its token: a
// turn kept for it is used.
func (l *Limiter) tookTurn(w *bgWaiter) {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	if l.hold == w.pl {
		l.hold = nil
	}
}

// AwaitTurn waits, under ctx and with no deadline of its own, until the
// background work under ctx (a batch row that a token was refused within
// its budget) heads l's queue and l's next token for it is due, then keeps
// that turn for it (for holdFor) and returns ctx with its place
// (WithPlace): the row runs again, and its request takes the token when it
// goes out. No token is taken here: a token taken ahead of its request
// would let requests bunch up behind it, past the upstream's rate. A nil
// limiter returns at once.
func (l *Limiter) AwaitTurn(ctx context.Context) (context.Context, error) {
	ctx = WithPlace(ctx)
	if l == nil {
		return ctx, nil
	}
	w := l.enqueue(ctx)
	defer l.leave(w)
	if err := l.ready(ctx, w, turnLead); err != nil {
		return ctx, err
	}
	if err := l.waitPause(ctx); err != nil {
		return ctx, err
	}
	l.qmu.Lock()
	l.hold, l.holdUntil = w.pl, time.Now().Add(holdFor)
	l.qmu.Unlock()
	return ctx, nil
}

// Unhold gives up a turn AwaitTurn kept for the work under ctx, if it
// was not used (the row ran again without asking l).
func (l *Limiter) Unhold(ctx context.Context) {
	if l == nil {
		return
	}
	pl := placeOf(ctx)
	l.qmu.Lock()
	defer l.qmu.Unlock()
	if pl != nil && l.hold == pl {
		l.hold = nil
		l.wakeQueueLocked()
	}
}

// nextBackgroundToken is how long until a background caller may take a
// token: of the in-process bucket, the time it holds one above the live
// reserve; of a shared bucket, what its last answer to a background take
// said.
func (l *Limiter) nextBackgroundToken() time.Duration {
	lim, reserve := l.lim.Load(), 0.0
	if l.shared != nil {
		if _, down := l.shared.Fallback(); !down {
			return time.Until(time.Unix(0, l.nextBackground.Load()))
		}
		lim, reserve = l.fallbackBucket()
	} else {
		l.mu.Lock()
		reserve = l.reserve
		l.mu.Unlock()
	}
	perS := float64(lim.Limit())
	if perS <= 0 || perS == float64(rate.Inf) {
		return 0
	}
	tokens := lim.TokensAt(time.Now())
	if tokens >= 1+reserve {
		return 0
	}
	return time.Duration((1 + reserve - tokens) / perS * float64(time.Second))
}
