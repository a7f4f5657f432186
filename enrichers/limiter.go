package enrichers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a source's token bucket plus an adaptive pause: when the
// upstream answers 429 with Retry-After, every caller of that source waits
// (or gives up) until the pause ends.
//
// Background callers (batch jobs, see WithBackground) never queue ahead of
// live lookups: they take a token only when the bucket holds more than its
// live reserve, so a live lookup that arrives finds tokens at once, and
// while live lookups use the whole rate background callers wait.
type Limiter struct {
	lim *rate.Limiter
	// reserve is the number of tokens background callers leave in the
	// bucket for live ones.
	reserve float64

	mu          sync.Mutex
	pausedUntil time.Time
}

// NewLimiter returns a limiter allowing r events per second with burst b.
func NewLimiter(r rate.Limit, b int) *Limiter {
	return &Limiter{lim: rate.NewLimiter(r, b)}
}

// WithLiveReserve sets the share (0–1) of the burst that background
// callers leave to live ones; at least one token of the burst stays
// available to background callers. It returns l.
func (l *Limiter) WithLiveReserve(share float64) *Limiter {
	b := float64(l.lim.Burst())
	l.reserve = max(0, min(share*b, b-1))
	return l
}

type backgroundKey struct{}

// WithBackground marks work done under ctx as background (a batch job's
// rows): its source calls yield to live lookups at every rate limiter.
func WithBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// Background reports whether ctx carries background work.
func Background(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// PauseFor stops handing out tokens for d (an upstream's Retry-After).
func (l *Limiter) PauseFor(d time.Duration) {
	until := time.Now().Add(d)
	l.mu.Lock()
	if until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	l.mu.Unlock()
}

// Wait blocks until a token is available, as long as that happens before
// ctx's deadline; otherwise it returns an error at once without consuming a
// token, so the caller can report rate_limited instead of hanging.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := l.waitPause(ctx); err != nil {
		return err
	}
	if Background(ctx) {
		return l.waitBackground(ctx)
	}
	deadline, hasDeadline := ctx.Deadline()
	now := time.Now()
	r := l.lim.ReserveN(now, 1)
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
	if err := sleep(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
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
	return sleep(ctx, paused.Sub(now))
}

// waitBackground takes a token only from what exceeds the live reserve,
// sleeping until the bucket should hold that much, as long as ctx's
// deadline allows. It never reserves a future token, so it never delays a
// live caller.
func (l *Limiter) waitBackground(ctx context.Context) error {
	deadline, hasDeadline := ctx.Deadline()
	for {
		now := time.Now()
		l.mu.Lock()
		tokens := l.lim.TokensAt(now)
		if tokens >= 1+l.reserve && l.lim.AllowN(now, 1) {
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		perS := float64(l.lim.Limit())
		if perS <= 0 {
			return fmt.Errorf("rate limit exceeded")
		}
		d := time.Duration((1 + l.reserve - tokens) / perS * float64(time.Second))
		d = max(d, time.Millisecond)
		if hasDeadline && now.Add(d).After(deadline) {
			return fmt.Errorf("no token to spare for background work before the deadline (next in %s)", d.Round(time.Millisecond))
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
		if err := l.waitPause(ctx); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ErrLocalLimit marks a call footprint itself held back to stay within a
// source's rate limit. It is reported rate_limited but never counts against
// the source's breaker: the upstream was not even asked.
var ErrLocalLimit = errors.New("held back by footprint's own rate limit")

type tokensKey struct{}

// callTokens lets a source that makes several upstream requests in one call
// pay one token per request. The engine takes the first before calling.
type callTokens struct {
	lim     *Limiter
	prepaid atomic.Int32
}

func withTokens(ctx context.Context, lim *Limiter) context.Context {
	t := &callTokens{lim: lim}
	t.prepaid.Store(1)
	return context.WithValue(ctx, tokensKey{}, t)
}

// Acquire takes one token of the calling source's rate limit for one
// upstream request, waiting while ctx's deadline allows. The transport calls
// it before every HTTP request and the dns source before every query, so a
// source's rate_per_s is in upstream requests per second whatever the
// number of requests one lookup needs. The engine pays for the first
// request of each call; outside the engine (tests) it is free.
func Acquire(ctx context.Context) error {
	t, ok := ctx.Value(tokensKey{}).(*callTokens)
	if !ok {
		return nil
	}
	if t.prepaid.Add(-1) >= 0 {
		return nil
	}
	if err := t.lim.Wait(ctx); err != nil {
		return &SourceError{Status: StatusRateLimited, Err: fmt.Errorf("%w: %w", ErrLocalLimit, err)}
	}
	return nil
}
