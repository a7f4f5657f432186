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
