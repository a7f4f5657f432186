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
type Limiter struct {
	lim *rate.Limiter

	mu          sync.Mutex
	pausedUntil time.Time
}

// NewLimiter returns a limiter allowing r events per second with burst b.
func NewLimiter(r rate.Limit, b int) *Limiter {
	return &Limiter{lim: rate.NewLimiter(r, b)}
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
	deadline, hasDeadline := ctx.Deadline()
	l.mu.Lock()
	paused := l.pausedUntil
	l.mu.Unlock()
	now := time.Now()
	if paused.After(now) {
		if hasDeadline && paused.After(deadline) {
			return fmt.Errorf("upstream asked us to wait %s", paused.Sub(now).Round(time.Millisecond))
		}
		if err := sleep(ctx, paused.Sub(now)); err != nil {
			return err
		}
		now = time.Now()
	}
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
