package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
)

// Limiter is a source's token bucket plus an adaptive pause: when the
// upstream answers 429 with Retry-After, every caller of that source waits
// (or gives up) until the pause ends.
//
// It is one layer of the source's transport stack: the source's HTTP
// client (Config.Limiter) takes one token per request it sends, a retry
// pays again, and a source that talks another protocol (the dns source)
// calls Take before every query. The engine shares the same limiter: it
// sets its rate from the source's effective configuration, admits every
// call (Admit: the first request's token, waited for under the request's
// budget before the source's own timeout starts) and pauses it on a 429.
//
// Background callers (batch jobs, see WithBackground) never queue ahead of
// live lookups: they take a token only when the bucket holds more than its
// live reserve, so a live lookup that arrives finds tokens at once, and
// while live lookups use the whole rate background callers wait. Among
// themselves they wait in turn, oldest first, and take each token as their
// request leaves (queue.go).
type Limiter struct {
	// lim is the token bucket; Set swaps in a new, full one.
	lim atomic.Pointer[rate.Limiter]

	mu sync.Mutex
	// reserve is the number of tokens background callers leave in the
	// bucket for live ones; reserveShare is the share it was set from.
	reserve      float64
	reserveShare float64
	pausedUntil  time.Time

	// With a shared store (Limiters.WithShared), the bucket that binds is
	// source's bucket in shared, global across replicas; lim only carries
	// its rate and burst. While shared is unreachable, fallback (this
	// replica's share of lim) binds instead.
	source   string
	shared   SharedBuckets
	fallback atomic.Pointer[fallbackBucket]
	// fellBack is set while tokens came from fallback since the last
	// shared take.
	fellBack atomic.Bool
	// nextLive (unix nanoseconds) is a lower bound on when the shared
	// bucket's next live token can be due, learnt from its last answer:
	// Redis's arrival time never moves back while it matters, so a live
	// caller whose budget ends before it is refused here, without a
	// round trip.
	nextLive atomic.Int64
	// nextBackground (unix nanoseconds) is when the shared bucket's last
	// answer to a background take said to ask again (AwaitTurn).
	nextBackground atomic.Int64
	// granted counts the tokens Take granted (Granted).
	granted atomic.Int64

	// The queue of background callers (queue.go): qmu guards it, qwake
	// is closed when it changes; hold is the place whose turn AwaitTurn
	// keeps until holdUntil.
	qmu       sync.Mutex
	queue     []*bgWaiter
	qseq      uint64
	qwake     chan struct{}
	hold      *place
	holdUntil time.Time
}

// SharedBuckets keeps every source's token bucket in a store shared by the
// replicas of one deployment (Redis: internal/app/limits), so that their
// requests to a source together stay within its rate, and spreads an
// upstream's Retry-After learned by one replica to all of them.
type SharedBuckets interface {
	// Take asks for one token of source's bucket (t's rate and burst).
	// A live take is granted the next token even when it lies in the
	// future, as long as it comes within t.MaxWait (Wait is then how long
	// to sleep before using it); a background take is granted only a
	// token present now beyond t.Keep tokens, which stay for live takes,
	// and otherwise Wait says when to ask again. While the source is
	// paused nothing is granted: Paused is set and Wait is what remains
	// of the pause. An error means the store did not answer.
	Take(ctx context.Context, source string, t SharedTake) (SharedGrant, error)
	// Pause stops every replica taking source's tokens for d.
	Pause(ctx context.Context, source string, d time.Duration) error
	// Fallback reports whether the store is unreachable and, if so, the
	// share (0–1] of every rate this replica may use on its own: one over
	// the replicas seen recently, never the whole rate when others may
	// be running.
	Fallback() (share float64, down bool)
}

// SharedTake is one request for a token of a shared bucket.
type SharedTake struct {
	Rate    rate.Limit
	Burst   int
	Live    bool
	Keep    float64       // background takes: tokens left for live ones
	MaxWait time.Duration // live takes: the furthest future token taken
	// Resync marks the first take after this replica used its fallback
	// share: the shared bucket may have filled up meanwhile while the
	// upstream's did not, so it is taken as empty before this take.
	Resync bool
}

// SharedGrant is the answer of SharedBuckets.Take.
type SharedGrant struct {
	OK     bool
	Wait   time.Duration
	Paused bool
}

// fallbackBucket is this replica's share of a limiter's bucket, used while
// the shared store is unreachable.
type fallbackBucket struct {
	base    *rate.Limiter // the bucket it is a share of
	share   float64
	lim     *rate.Limiter
	reserve float64
}

// NewLimiter returns a limiter allowing r events per second with burst b.
// A limiter of rate 0 and burst 0 refuses every token.
func NewLimiter(r rate.Limit, b int) *Limiter {
	l := &Limiter{}
	l.lim.Store(rate.NewLimiter(r, b))
	return l
}

// LimiterHeadroom keeps us a little under each source's published rate, so
// that clock skew between our token bucket and the upstream's never makes
// the upstream throttle us. Bunched arrivals are covered by a burst
// headroom (the engine's); 5 % of the rate is enough for the clocks, and
// every percent kept back is a percent of every quota a batch job cannot
// use.
const LimiterHeadroom = 0.95

// WithLiveReserve sets the share (0–1) of the burst that background
// callers leave to live ones; at least one token of the burst stays
// available to background callers. It returns l.
func (l *Limiter) WithLiveReserve(share float64) *Limiter {
	b := float64(l.lim.Load().Burst())
	l.mu.Lock()
	l.reserve = reserveOf(share, b)
	l.reserveShare = share
	l.mu.Unlock()
	return l
}

// reserveOf is the live reserve of a bucket of burst b: share of it, but
// at least one token stays available to background callers.
func reserveOf(share, b float64) float64 { return max(0, min(share*b, b-1)) }

// Set replaces the bucket by a full one of rate r and burst b, with a
// live reserve of liveReserve (a share, as WithLiveReserve). The engine
// calls it once, before any request, with the source's effective
// configuration.
func (l *Limiter) Set(r rate.Limit, b int, liveReserve float64) {
	l.lim.Store(rate.NewLimiter(r, b))
	l.nextLive.Store(0)
	l.WithLiveReserve(liveReserve)
}

// Limit is the rate in tokens per second.
func (l *Limiter) Limit() rate.Limit { return l.lim.Load().Limit() }

// Burst is the bucket size.
func (l *Limiter) Burst() int { return l.lim.Load().Burst() }

type backgroundKey struct{}

// WithBackground marks work done under ctx as background (a batch job's
// rows): its upstream requests yield to live lookups at every rate
// limiter. It is a priority, not a token: nothing is paid in advance.
func WithBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// Background reports whether ctx carries background work.
func Background(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// ErrLocalLimit marks a call footprint itself held back to stay within a
// source's rate limit. It is reported rate_limited but never counts against
// the source's breaker: the upstream was not even asked.
var ErrLocalLimit = errors.New("held back by footprint's own rate limit")

// PauseFor stops handing out tokens for d (an upstream's Retry-After). With
// a shared store the pause reaches every replica: each learns it on its
// next take; ctx bounds telling the store.
func (l *Limiter) PauseFor(ctx context.Context, d time.Duration) {
	l.pauseLocal(d)
	if l.shared != nil {
		if _, down := l.shared.Fallback(); !down {
			_ = l.shared.Pause(ctx, l.source, d)
		}
	}
}

// pauseLocal pauses this replica's takes for d.
func (l *Limiter) pauseLocal(d time.Duration) {
	until := time.Now().Add(d)
	l.mu.Lock()
	if until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	l.mu.Unlock()
}

// Take takes one token for one upstream request of source, waiting while
// ctx's deadline allows; otherwise it returns a rate_limited
// *enrichers.SourceError wrapping ErrLocalLimit. The first request of a
// call the engine admitted (Admit) uses the admission's token instead. A
// nil limiter is free.
func (l *Limiter) Take(ctx context.Context, source string) error {
	if l == nil {
		return nil
	}
	if a, ok := ctx.Value(admissionKey{}).(*admission); ok && a.lim == l && a.unused.CompareAndSwap(true, false) {
		return nil
	}
	if err := l.Wait(ctx); err != nil {
		return &enrichers.SourceError{Source: source, Status: enrichers.StatusRateLimited, Err: fmt.Errorf("%w: %w", ErrLocalLimit, err)}
	}
	l.granted.Add(1)
	tallyFrom(ctx).add(l)
	return nil
}

// Granted counts the tokens Take granted (to every caller: live lookups,
// every job's rows), for the share a job's ETA can count on.
func (l *Limiter) Granted() int64 { return l.granted.Load() }

// AdmitBefore is Admit, waiting for the token only until by (then
// refused: rate_limited, ErrLocalLimit); the returned context keeps ctx's
// own deadline. The engine admits background calls so, by when the source's
// whole timeout still fits in the row's budget: a call's later requests
// (a WebFinger's account lookup) then have the time to wait for their
// tokens, and a row whose turn comes later waits for it outside its budget
// (AwaitTurn) instead of spending it here.
func (l *Limiter) AdmitBefore(ctx context.Context, source string, by time.Time) (context.Context, error) {
	if l == nil {
		return ctx, nil
	}
	wctx, cancel := context.WithDeadline(ctx, by)
	defer cancel()
	if err := l.Take(wctx, source); err != nil {
		return ctx, err
	}
	a := &admission{lim: l}
	a.unused.Store(true)
	return context.WithValue(ctx, admissionKey{}, a), nil
}

type admissionKey struct{}

// admission is the token the engine took for a call's first upstream
// request.
type admission struct {
	lim    *Limiter
	unused atomic.Bool
}

// Admit takes, under ctx (the request's budget), the token of one call's
// first upstream request, and returns ctx carrying it: the limiter layer
// of the call's transport lets that request through without waiting
// again, and every further request pays its own token. The engine admits
// each call before the source's own timeout starts, so waiting for the
// rate limit never eats into the time a source has to answer, and a
// source that is never called (it does not apply, its breaker is open)
// costs nothing beyond its admission. A nil limiter admits everything.
func (l *Limiter) Admit(ctx context.Context, source string) (context.Context, error) {
	if l == nil {
		return ctx, nil
	}
	if err := l.Take(ctx, source); err != nil {
		return ctx, err
	}
	a := &admission{lim: l}
	a.unused.Store(true)
	return context.WithValue(ctx, admissionKey{}, a), nil
}

// Wait blocks until a token is available, as long as that happens before
// ctx's deadline; otherwise it returns an error at once without consuming a
// token, so the caller can report rate_limited instead of hanging. With a
// shared store the token comes from the bucket shared by every replica;
// while the store is unreachable, from this replica's share of it.
func (l *Limiter) Wait(ctx context.Context) error {
	if Background(ctx) {
		w := l.enqueue(ctx)
		defer l.leave(w)
		if err := l.ready(ctx, w, 0); err != nil {
			return err
		}
		if err := l.wait(ctx); err != nil {
			return err
		}
		l.tookTurn(w)
		return nil
	}
	return l.wait(ctx)
}

// wait is Wait once a background caller's turn came.
func (l *Limiter) wait(ctx context.Context) error {
	if err := l.waitPause(ctx); err != nil {
		return err
	}
	if l.shared != nil {
		if _, down := l.shared.Fallback(); !down {
			if answered, err := l.waitShared(ctx); answered {
				return err
			}
		}
		lim, reserve := l.fallbackBucket()
		l.fellBack.Store(true)
		return l.waitBucket(ctx, lim, reserve)
	}
	l.mu.Lock()
	reserve := l.reserve
	l.mu.Unlock()
	return l.waitBucket(ctx, l.lim.Load(), reserve)
}

// waitBucket takes a token of the in-process bucket lim, background
// callers leaving reserve tokens in it.
func (l *Limiter) waitBucket(ctx context.Context, lim *rate.Limiter, reserve float64) error {
	if Background(ctx) {
		return l.waitBackground(ctx, lim, reserve)
	}
	deadline, hasDeadline := ctx.Deadline()
	now := time.Now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("rate limit exceeded")
	}
	d := r.DelayFrom(now)
	if d == 0 {
		return nil
	}
	if hasDeadline && now.Add(d).After(deadline) {
		r.CancelAt(now)
		return fmt.Errorf("next token in %s, after the deadline", d.Round(time.Millisecond))
	}
	if err := Sleep(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// useMargin is the part of its budget a live caller keeps for using a
// token of a shared bucket (at most a quarter of what remains).
const useMargin = 100 * time.Millisecond

// noDeadlineWait is the furthest future token a live caller with no
// deadline reserves in a shared bucket.
const noDeadlineWait = time.Hour

// waitShared takes a token of the shared bucket. answered is false when
// the store did not answer (the caller falls back to this replica's
// share); a token reserved in the store is never refunded, so a caller
// that gives up while sleeping for it wastes it rather than exceed the
// rate.
func (l *Limiter) waitShared(ctx context.Context) (answered bool, err error) {
	lim := l.lim.Load()
	switch {
	case lim.Limit() == rate.Inf:
		return true, nil
	case lim.Limit() <= 0 || lim.Burst() <= 0:
		return true, fmt.Errorf("rate limit exceeded")
	}
	live := !Background(ctx)
	for {
		maxWait := noDeadlineWait
		if deadline, ok := ctx.Deadline(); ok {
			if maxWait = time.Until(deadline); maxWait <= 0 {
				return true, context.DeadlineExceeded
			}
			// A token due at the very deadline cannot be used: the
			// request would not even leave. Reserving it would waste a
			// token of every replica's bucket, so a live caller leaves
			// itself useMargin of its budget to send the request.
			maxWait -= min(maxWait/4, useMargin)
		}
		l.mu.Lock()
		keep := l.reserve
		l.mu.Unlock()
		asked := time.Now()
		if next := time.Unix(0, l.nextLive.Load()); live && asked.Add(maxWait).Before(next) {
			return true, fmt.Errorf("next token in %s, after the deadline", next.Sub(asked).Round(time.Millisecond))
		}
		resync := l.fellBack.Load()
		g, err := l.shared.Take(ctx, l.source, SharedTake{Rate: lim.Limit(), Burst: lim.Burst(), Live: live, Keep: keep, MaxWait: maxWait, Resync: resync})
		if err == nil && resync {
			l.fellBack.Store(false)
		}
		if err == nil && !live {
			l.nextBackground.Store(asked.Add(g.Wait).UnixNano())
		}
		if err == nil && live && !g.Paused {
			// Redis measured the wait from its now, at or after asked.
			next := asked.Add(g.Wait).UnixNano()
			for cur := l.nextLive.Load(); next > cur && !l.nextLive.CompareAndSwap(cur, next); cur = l.nextLive.Load() {
			}
		}
		switch {
		case err != nil && ctx.Err() != nil:
			return true, ctx.Err()
		case err != nil:
			return false, nil
		case g.Paused:
			l.pauseLocal(g.Wait)
			if err := l.waitPause(ctx); err != nil {
				return true, err
			}
		case g.OK:
			if g.Wait > 0 {
				if err := Sleep(ctx, g.Wait); err != nil {
					return true, err
				}
			}
			return true, nil
		case live || g.Wait > maxWait:
			what := "next token"
			if !live {
				what = "no token to spare for background work before the deadline; next"
			}
			return true, fmt.Errorf("%s in %s, after the deadline", what, g.Wait.Round(time.Millisecond))
		default:
			if err := Sleep(ctx, max(g.Wait, time.Millisecond)); err != nil {
				return true, err
			}
		}
	}
}

// fallbackBucket is the in-process bucket used while the shared store is
// unreachable: share (one over the replicas seen recently) of the rate
// and of the burst, empty when it starts — the shared bucket may have
// been spent a moment ago. A limiter that refuses every token still does.
func (l *Limiter) fallbackBucket() (*rate.Limiter, float64) {
	base := l.lim.Load()
	share, _ := l.shared.Fallback()
	share = min(max(share, 0), 1)
	if base.Limit() <= 0 || base.Burst() <= 0 || base.Limit() == rate.Inf {
		l.mu.Lock()
		defer l.mu.Unlock()
		return base, l.reserve
	}
	if f := l.fallback.Load(); f != nil && f.base == base && f.share == share {
		return f.lim, f.reserve
	}
	b := max(1, int(float64(base.Burst())*share))
	lim := rate.NewLimiter(base.Limit()*rate.Limit(share), b)
	lim.AllowN(time.Now(), b)
	l.mu.Lock()
	f := &fallbackBucket{base: base, share: share, lim: lim, reserve: reserveOf(l.reserveShare, float64(b))}
	l.mu.Unlock()
	if !l.fallback.CompareAndSwap(l.fallback.Load(), f) {
		// Another caller built it at the same time: use theirs.
		if g := l.fallback.Load(); g != nil {
			return g.lim, g.reserve
		}
	}
	return f.lim, f.reserve
}

// waitPause waits out an upstream's Retry-After pause, or fails at once
// when it lasts past ctx's deadline.
func (l *Limiter) waitPause(ctx context.Context) error {
	l.mu.Lock()
	paused := l.pausedUntil
	l.mu.Unlock()
	now := time.Now()
	if !paused.After(now) {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && paused.After(deadline) {
		return fmt.Errorf("upstream asked us to wait %s", paused.Sub(now).Round(time.Millisecond))
	}
	return Sleep(ctx, paused.Sub(now))
}

// waitBackground takes a token only from what exceeds the live reserve,
// sleeping until the bucket should hold that much, as long as ctx's
// deadline allows. It never reserves a future token, so it never delays a
// live caller.
func (l *Limiter) waitBackground(ctx context.Context, lim *rate.Limiter, reserve float64) error {
	deadline, hasDeadline := ctx.Deadline()
	for {
		now := time.Now()
		l.mu.Lock()
		tokens := lim.TokensAt(now)
		if tokens >= 1+reserve && lim.AllowN(now, 1) {
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		perS := float64(lim.Limit())
		if perS <= 0 {
			return fmt.Errorf("rate limit exceeded")
		}
		d := time.Duration((1 + reserve - tokens) / perS * float64(time.Second))
		d = max(d, time.Millisecond)
		if hasDeadline && now.Add(d).After(deadline) {
			return fmt.Errorf("no token to spare for background work before the deadline (next in %s)", d.Round(time.Millisecond))
		}
		if err := Sleep(ctx, d); err != nil {
			return err
		}
		if err := l.waitPause(ctx); err != nil {
			return err
		}
	}
}

// Sleep waits d, or until ctx is done (then it returns ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Limiters holds one limiter per source name. The composition root
// creates it, builds each network source's client with For(name) and
// hands it to the engine, which sets every limiter's rate from the
// source's effective configuration (until then a limiter refuses every
// token, so a forgotten one fails closed). A nil *Limiters hands out nil
// limiters: no limit (tests).
type Limiters struct {
	mu     sync.Mutex
	m      map[string]*Limiter
	shared SharedBuckets
}

// NewLimiters returns an empty set.
func NewLimiters() *Limiters { return &Limiters{m: map[string]*Limiter{}} }

// WithShared makes every limiter of ls take its tokens from source's bucket
// in shared, global across the replicas using the same store, and falls
// back to this replica's share while the store is unreachable. Call it
// before the first For. It returns ls.
func (ls *Limiters) WithShared(shared SharedBuckets) *Limiters {
	ls.mu.Lock()
	ls.shared = shared
	ls.mu.Unlock()
	return ls
}

// For returns source's limiter, creating it (refusing every token until
// Set) on first use.
func (ls *Limiters) For(source string) *Limiter {
	if ls == nil {
		return nil
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.m[source]
	if l == nil {
		l = NewLimiter(0, 0)
		l.source, l.shared = source, ls.shared
		ls.m[source] = l
	}
	return l
}

// Get returns source's limiter, or nil when none was created.
func (ls *Limiters) Get(source string) *Limiter {
	if ls == nil {
		return nil
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.m[source]
}

// limited is the rate-limit layer of a source's transport stack: one token
// per request the client sends. Redirect hops of that request (the client
// sets req.Response on them) are part of the request and pay nothing.
type limited struct {
	source string
	lim    *Limiter
	next   http.RoundTripper
}

func (t *limited) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Response == nil {
		if err := t.lim.Take(req.Context(), t.source); err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
	}
	return t.next.RoundTrip(req)
}
