package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// recorder is an Observer that writes down what it is told.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) ObserveCall(source string, status enrichers.Status, _ time.Duration, cached bool) {
	r.add("call %s %s cached=%v", source, status, cached)
}

func (r *recorder) ObserveAttempt(source string, attempt int, status enrichers.Status, _ time.Duration) {
	r.add("attempt %s #%d %s", source, attempt, status)
}

func (r *recorder) ObserveAdmission(source string, background bool, _ time.Duration, refused bool) {
	r.add("admission %s background=%v refused=%v", source, background, refused)
}

func (r *recorder) ObserveBreaker(source, from, to string) {
	r.add("breaker %s %s→%s", source, from, to)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// TestObserver: the Observer hears of every admission (live or
// background, refused or not), every upstream attempt (numbered, the retry
// included, not a call the limiter held back), every call, and every
// breaker transition.
func TestObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n int
		src := &fake{name: "flaky", rate: 5, burst: 1, tmo: 100 * time.Millisecond, fails: 2, open: time.Minute,
			fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
				n++
				return nil, &enrichers.SourceError{Source: "flaky", Status: enrichers.StatusError, Retryable: n == 1, RetryAfter: 200 * time.Millisecond, Err: errors.New("HTTP 503")}
			}}
		rec := &recorder{}
		e := newEngine(t, engine.Options{Observer: rec}, src)

		// A retryable 503, retried (the second attempt waits for its token),
		// fails again: two failures open the breaker.
		run(e, 2*time.Second, engine.Request{})
		want := []string{
			"admission flaky background=false refused=false",
			"attempt flaky #1 error",
			"admission flaky background=false refused=false",
			"breaker flaky closed→open",
			"attempt flaky #2 error",
			"call flaky error cached=false",
		}
		if got := rec.take(); !slices.Equal(got, want) {
			t.Errorf("first run:\n got %q\nwant %q", got, want)
		}
		if got := e.BreakerStates()["flaky"]; got != "open" {
			t.Errorf("BreakerStates = %q, want open", got)
		}

		// Background work with no token left in time is refused: no attempt.
		ctx, cancel := context.WithTimeout(transport.WithBackground(context.Background()), 10*time.Millisecond)
		defer cancel()
		e.Run(ctx, engine.Request{Identifiers: []enrichers.Identifier{email}})
		want = []string{
			"admission flaky background=true refused=true",
			"call flaky rate_limited cached=false",
		}
		if got := rec.take(); !slices.Equal(got, want) {
			t.Errorf("background run:\n got %q\nwant %q", got, want)
		}
	})
}

// timings is an Observer that keeps the latencies it is told.
type timings struct {
	recorder
	attempts, calls []time.Duration
}

func (r *timings) ObserveCall(_ string, _ enrichers.Status, d time.Duration, _ bool) {
	r.mu.Lock()
	r.calls = append(r.calls, d)
	r.mu.Unlock()
}

func (r *timings) ObserveAttempt(_ string, _ int, _ enrichers.Status, d time.Duration) {
	r.mu.Lock()
	r.attempts = append(r.attempts, d)
	r.mu.Unlock()
}

// TestObservedLatencies: each attempt's latency is its own (the retry's
// wait is not in it), a call's spans its attempts and the wait between
// them, and the source's report says when the call ended; for a network
// source and an inline one alike.
func TestObservedLatencies(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n int
				src := &fake{name: "slow", rate: 100, burst: 10, tmo: time.Second, fails: 5, open: time.Minute, inline: inline,
					fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
						n++
						time.Sleep(30 * time.Millisecond)
						if n == 1 {
							return nil, &enrichers.SourceError{Source: "slow", Status: enrichers.StatusError, Retryable: true, RetryAfter: 200 * time.Millisecond, Err: errors.New("HTTP 503")}
						}
						return &enrichers.Finding{}, nil
					}}
				rec := &timings{}
				e := newEngine(t, engine.Options{Observer: rec}, src)
				start := time.Now()
				res := run(e, 2*time.Second, engine.Request{})
				want := []time.Duration{30 * time.Millisecond, 30 * time.Millisecond}
				if !slices.Equal(rec.attempts, want) {
					t.Errorf("attempt latencies %v, want %v", rec.attempts, want)
				}
				if len(rec.calls) != 1 || rec.calls[0] < 260*time.Millisecond || rec.calls[0] > 300*time.Millisecond {
					t.Errorf("call latencies %v, want one of 260–300ms (two attempts and the wait)", rec.calls)
				}
				if r := statusOf(t, res, "slow"); r.Status != enrichers.StatusOK || !r.FetchedAt.Equal(start.Add(rec.calls[0])) {
					t.Errorf("report %+v, want ok, fetched when the call ended (%v after the start)", r, rec.calls[0])
				}
			})
		})
	}
}
