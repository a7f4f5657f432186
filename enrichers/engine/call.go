package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/redact"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// call runs one source for one identifier: cache → limiter → breaker →
// source with its own deadline, with panics turned into errors.
func (e *Engine) call(ctx context.Context, t task, p CachePolicy) (o outcome) {
	en := e.ordered[t.at]
	o.task = t
	// Without a tracer no span is started (a no-op tracer's would still
	// cost a context per call).
	var span trace.Span
	if e.tracer != nil {
		ctx, span = e.tracer.Start(ctx, en.span, e.spanOpts...)
	}
	start := e.now()
	var attempts int32
	// Offline sources answer in microseconds from embedded data: caching
	// them would only spend memory (and Redis round trips) on what is
	// cheaper to recompute.
	if e.cache == nil || !en.desc.Network {
		var n atomic.Int32 // on the stack: nothing else sees it
		o.finding, o.fetchedAt, o.err = e.fetch(ctx, en, t.id, &n, start)
		attempts = n.Load()
		o.latency = o.fetchedAt.Sub(start)
	} else {
		o.finding, o.cached, o.fetchedAt, attempts, o.err = e.cached(ctx, en, t.id, p)
		o.latency = e.now().Sub(start)
	}
	if span != nil {
		if span.IsRecording() {
			st := statusOfOutcome(o)
			span.SetAttributes(
				attribute.String("footprint.source", t.name),
				attribute.String("footprint.status", string(st)),
				attribute.Bool("footprint.cached", o.cached),
				attribute.Int("footprint.attempt", int(attempts)),
			)
			if o.err != nil && st != enrichers.StatusNotFound && st != enrichers.StatusSkipped {
				span.SetStatus(codes.Error, string(st))
			}
		}
		span.End()
	}
	return o
}

// cached is a network source's call through the evidence cache; it also
// returns the attempts made so far (the fetch may go on, refreshing, on a
// goroutine of the cache's).
func (e *Engine) cached(ctx context.Context, en *entry, id enrichers.Identifier, p CachePolicy) (*enrichers.Finding, bool, time.Time, int32, error) {
	var attempts atomic.Int32
	if p.Mode == "" {
		p.Mode = CacheDefault
	}
	f, cached, at, err := e.cache.Fetch(ctx, en.desc, id, p, func(ctx context.Context) (*enrichers.Finding, error) {
		f, _, err := e.fetch(ctx, en, id, &attempts, e.now())
		return f, err
	})
	return f, cached, at, attempts.Load(), err
}

// fetch makes the call's attempts, the first started at start, and
// returns when the last one ended.
func (e *Engine) fetch(ctx context.Context, en *entry, id enrichers.Identifier, attempts *atomic.Int32, start time.Time) (*enrichers.Finding, time.Time, error) {
	attempts.Add(1)
	f, end, err := e.observed(ctx, en, id, 1, start)
	if err == nil {
		return f, end, nil
	}
	var se *enrichers.SourceError
	if !errors.As(err, &se) || !se.Retryable {
		return f, end, err
	}
	// One retry, each attempt through the breaker and paying the limiter
	// again, only if the wait plus a full source timeout still fits in the
	// budget.
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < se.RetryAfter+en.desc.Timeout/2 {
		return f, end, err
	}
	if transport.Sleep(ctx, se.RetryAfter) != nil {
		return f, e.now(), err
	}
	attempts.Add(1)
	return e.observed(ctx, en, id, 2, e.now())
}

// observed is attempt n, started at start, told to the Observer; it
// returns when the attempt ended (one clock reading serves the attempt's
// latency and the call's). A call its limiter held back never reached the
// upstream and is not an attempt.
func (e *Engine) observed(ctx context.Context, en *entry, id enrichers.Identifier, n int, start time.Time) (*enrichers.Finding, time.Time, error) {
	f, err := e.attempt(ctx, en, id)
	end := e.now()
	if !errors.Is(err, transport.ErrLocalLimit) {
		e.observer.ObserveAttempt(en.desc.Name, n, statusOfOutcome(outcome{finding: f, err: err}), end.Sub(start))
	}
	return f, end, err
}

// attempt is one call: limiter → breaker → source with its own deadline,
// with panics turned into errors. A 429's Retry-After pauses the limiter.
func (e *Engine) attempt(ctx context.Context, en *entry, id enrichers.Identifier) (*enrichers.Finding, error) {
	name := en.desc.Name
	// The call's first token, waited for under the request's budget
	// before the source's own timeout starts; the transport's limiter
	// layer spends it on the first request and charges every further one.
	var err error
	if en.limiter != nil {
		waited := time.Now()
		dl, ok := ctx.Deadline()
		if ok && transport.Background(ctx) {
			// A batch row's call is admitted only while the source's
			// whole timeout still fits in the row's budget; a row whose
			// turn comes later waits for it outside the budget (see
			// internal/app/jobs).
			ctx, err = en.limiter.AdmitBefore(ctx, name, dl.Add(-en.desc.Timeout))
		} else {
			ctx, err = en.limiter.Admit(ctx, name)
		}
		e.observer.ObserveAdmission(name, transport.Background(ctx), time.Since(waited), err != nil)
		if err != nil {
			return nil, err
		}
	}
	f, err := en.breaker.Execute(func() (f *enrichers.Finding, err error) {
		// An inline source is a few microseconds of CPU that never
		// blocks (Description.Inline): it runs under the request's
		// budget, without a timer of its own, which would cost more
		// than its call.
		cctx := ctx
		if !en.inline {
			var cancel context.CancelFunc
			cctx, cancel = context.WithTimeout(ctx, en.desc.Timeout)
			defer cancel()
		}
		defer func() {
			if r := recover(); r != nil {
				e.log.Error("source panicked", "source", name, "panic", redact.String(fmt.Sprint(r)), "stack", string(debug.Stack()))
				f, err = nil, fmt.Errorf("%s: panic: %v", name, r)
			}
		}()
		f, err = en.src.Enrich(cctx, id)
		if err != nil && cctx.Err() != nil {
			if ctx.Err() != nil {
				// The request's budget ran out, not the source's own timeout.
				return nil, &enrichers.SourceError{Source: name, Status: enrichers.StatusTimeout, Err: enrichers.ErrBudget}
			}
			return nil, &enrichers.SourceError{Source: name, Status: enrichers.StatusTimeout,
				Err: fmt.Errorf("no answer within %s: %w", en.desc.Timeout, context.DeadlineExceeded)}
		}
		if err == nil && f == nil {
			err = fmt.Errorf("%s: returned neither a finding nor an error", name)
		}
		return f, err
	})
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, &enrichers.SourceError{Source: name, Status: enrichers.StatusCircuitOpen, Err: err}
	case err != nil:
		var se *enrichers.SourceError
		if errors.As(err, &se) && se.Status == enrichers.StatusRateLimited && se.RetryAfter > 0 && en.limiter != nil {
			en.limiter.PauseFor(ctx, se.RetryAfter)
		}
		return nil, err
	}
	return f, nil
}

// statusOf classifies an error of a call: enrichers.StatusOf, and skipped
// for a cache miss in "only" mode.
func statusOf(err error) enrichers.Status {
	if errors.Is(err, ErrCacheMiss) {
		return enrichers.StatusSkipped
	}
	return enrichers.StatusOf(err)
}

// countsAsFailure says whether err should count against the source's breaker:
// 5xx, 429, timeouts, bot walls and unexpected errors do; not-found does not
// (it is not an error at all), nor does the request's own budget running out,
// nor a source deciding on its own that it cannot answer (skipped), nor
// footprint's own rate limit holding the call back.
func countsAsFailure(err error) bool {
	if err == nil || errors.Is(err, enrichers.ErrBudget) || errors.Is(err, context.Canceled) || errors.Is(err, ErrCacheMiss) || errors.Is(err, transport.ErrLocalLimit) {
		return false
	}
	if se := (*enrichers.SourceError)(nil); errors.As(err, &se) && se.Status == enrichers.StatusSkipped {
		return false
	}
	return true
}
