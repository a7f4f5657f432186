package engine_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// fake is a configurable test source. A fake with a rate is limited: like
// a source whose transport was built with its limiter, it pays one token
// per upstream request (requests per call, default 1).
type fake struct {
	name     string
	inputs   []enrichers.Kind
	rate     float64
	burst    int
	requests int
	tmo      time.Duration
	fails    uint32
	open     time.Duration
	ttl      time.Duration
	net      bool // a network source (only those go through the cache)
	inline   bool // Description.Inline
	calls    atomic.Int64
	sent     atomic.Int64 // upstream requests that passed the limiter
	lim      *transport.Limiter
	fn       func(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error)
}

var _ enrichers.Enricher = (*fake)(nil)

func (f *fake) Describe() enrichers.Description {
	in := f.inputs
	if in == nil {
		in = []enrichers.Kind{enrichers.KindEmail}
	}
	d := enrichers.Description{Name: f.name, Description: "fake " + f.name, Version: 1, Inputs: in,
		RatePerS: f.rate, Burst: f.burst, Timeout: f.tmo, TTL: f.ttl, Network: f.net || f.rate > 0, Inline: f.inline,
		Breaker: enrichers.BreakerSettings{Failures: f.fails, OpenFor: f.open}}
	if d.RatePerS == 0 {
		d.RatePerS = 1e6
		d.Burst = 1e6
	}
	return d
}

func (f *fake) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	f.calls.Add(1)
	for range max(f.requests, 1) {
		if err := f.lim.Take(ctx, f.name); err != nil {
			return nil, err
		}
		f.sent.Add(1)
	}
	if f.fn == nil {
		return &enrichers.Finding{}, nil
	}
	return f.fn(ctx, id)
}

func sleepFor(d time.Duration) func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
	return func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
		select {
		case <-time.After(d):
			return &enrichers.Finding{}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

var email = enrichers.Identifier{Kind: enrichers.KindEmail, Value: "a@example.com", Method: enrichers.MethodInput, Prior: 1}

// newEngine registers srcs, gives every limited fake its limiter (as
// enrichers/all builds each source's transport with one) and builds the
// engine over them.
func newEngine(t testing.TB, opts engine.Options, srcs ...enrichers.Enricher) *engine.Engine {
	t.Helper()
	reg := engine.NewRegistry()
	reg.Register(srcs...)
	if opts.Limiters == nil {
		opts.Limiters = transport.NewLimiters()
	}
	for _, s := range srcs {
		if f := asFake(s); f != nil && f.rate > 0 {
			f.lim = opts.Limiters.For(f.name)
		}
	}
	e, err := engine.New(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func asFake(s enrichers.Enricher) *fake {
	switch f := s.(type) {
	case *fake:
		return f
	case *skipFake:
		return &f.fake
	}
	return nil
}

func run(e *engine.Engine, budget time.Duration, req engine.Request) *engine.Result {
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	if req.Identifiers == nil {
		req.Identifiers = []enrichers.Identifier{email}
	}
	return e.Run(ctx, req)
}

func statusOf(t *testing.T, res *engine.Result, name string) engine.SourceReport {
	t.Helper()
	for _, r := range res.Sources {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("source %q not in result", name)
	return engine.SourceReport{}
}

func TestConcurrentFanOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, each = 6, 120 * time.Millisecond
		var srcs []enrichers.Enricher
		for i := range n {
			srcs = append(srcs, &fake{name: fmt.Sprintf("s%d", i), tmo: time.Second, fn: sleepFor(each)})
		}
		e := newEngine(t, engine.Options{}, srcs...)
		start := time.Now()
		res := run(e, 5*time.Second, engine.Request{})
		// In the bubble's clock: concurrent takes exactly one source's
		// time, sequential would take n of them.
		if took := time.Since(start); took != each {
			t.Fatalf("fan-out took %s, want %s (not the sum %s)", took, each, time.Duration(n)*each)
		}
		if !res.Complete {
			t.Fatal("want complete")
		}
		for _, r := range res.Sources {
			if r.Status != enrichers.StatusOK {
				t.Errorf("%s: status %s", r.Name, r.Status)
			}
		}
	})
}

// TestInlineSources: an inline source's call runs on the goroutine that
// called Run, every other source's on one of its own, and the inline call
// runs while the others are under way, not before them.
func TestInlineSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const each = 100 * time.Millisecond
		onCaller := map[string]*atomic.Bool{}
		src := func(name string, net, inline bool) *fake {
			onCaller[name] = &atomic.Bool{}
			return &fake{name: name, tmo: time.Second, net: net, inline: inline,
				fn: func(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
					buf := make([]byte, 64<<10)
					onCaller[name].Store(strings.Contains(string(buf[:runtime.Stack(buf, false)]), "engine.(*Engine).Run("))
					return sleepFor(each)(ctx, id)
				}}
		}
		e := newEngine(t, engine.Options{}, src("inl", false, true), src("offline", false, false), src("net", true, false), src("netinline", true, true))
		start := time.Now()
		res := run(e, 5*time.Second, engine.Request{})
		if took := time.Since(start); took != each {
			t.Errorf("the round took %s, want %s: the inline call did not overlap the others", took, each)
		}
		for name, want := range map[string]bool{"inl": true, "offline": false, "net": false, "netinline": false} {
			if got := onCaller[name].Load(); got != want {
				t.Errorf("%s ran on the caller's goroutine: %v, want %v", name, got, want)
			}
			if st := statusOf(t, res, name).Status; st != enrichers.StatusOK {
				t.Errorf("%s: status %s", name, st)
			}
		}
	})
}

// TestInline: a request is inline exactly when every source it selects
// runs on the caller's goroutine: an offline source that is not inline, or
// a network source, selected makes it not.
func TestInline(t *testing.T) {
	no := false
	mk := func(opts engine.Options) *engine.Engine {
		return newEngine(t, opts, &fake{name: "inl", inline: true}, &fake{name: "inl2", inline: true},
			&fake{name: "offline"}, &fake{name: "net", net: true}, &fake{name: "netinline", net: true, inline: true})
	}
	e := mk(engine.Options{})
	off := mk(engine.Options{Sources: map[string]engine.SourceConfig{"offline": {Enabled: &no}, "net": {Enabled: &no}, "netinline": {Enabled: &no}}})
	tests := []struct {
		name string
		e    *engine.Engine
		req  engine.Request
		want bool
	}{
		{"all sources", e, engine.Request{}, false},
		{"only inline ones", e, engine.Request{Only: []string{"inl", "inl2"}}, true},
		{"an offline source that is not inline", e, engine.Request{Only: []string{"inl", "offline"}}, false},
		{"a network source marked inline", e, engine.Request{Only: []string{"netinline"}}, false},
		{"the others excluded", e, engine.Request{Exclude: []string{"offline", "net", "netinline"}}, true},
		{"the others skipped", e, engine.Request{Skip: map[string]string{"offline": "x", "net": "x", "netinline": "x"}}, true},
		{"one left", e, engine.Request{Exclude: []string{"offline", "net"}}, false},
		{"the others disabled", off, engine.Request{}, true},
		{"a network source named, and excluded", e, engine.Request{Only: []string{"inl", "net"}, Exclude: []string{"net"}}, true},
		{"a network source named, and skipped", e, engine.Request{Only: []string{"net", "inl"}, Skip: map[string]string{"net": "x"}}, true},
		{"a network source named, and disabled", off, engine.Request{Only: []string{"inl", "net"}}, true},
		{"a network source named after inline ones", e, engine.Request{Only: []string{"inl", "inl2", "net"}}, false},
		{"no known source named", e, engine.Request{Only: []string{"nope"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Inline(tt.req); got != tt.want {
				t.Errorf("Inline = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHungSourceUnderBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := &fake{name: "hung", tmo: 10 * time.Second, fn: func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
			<-ctx.Done() // well-behaved: returns when ctx is done
			return nil, ctx.Err()
		}}
		release := make(chan struct{})
		stuck := &fake{name: "stuck", tmo: 10 * time.Second, fn: func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
			<-release // badly behaved: ignores ctx
			return &enrichers.Finding{}, nil
		}}
		defer func() { close(release); synctest.Wait() }()
		fast := &fake{name: "fast", tmo: time.Second}
		e := newEngine(t, engine.Options{}, hung, stuck, fast)
		start := time.Now()
		res := run(e, 250*time.Millisecond, engine.Request{})
		if took := time.Since(start); took != 250*time.Millisecond {
			t.Fatalf("run took %s with a 250ms budget", took)
		}
		if res.Complete {
			t.Fatal("want complete=false")
		}
		for name, want := range map[string]enrichers.Status{"hung": enrichers.StatusTimeout, "stuck": enrichers.StatusTimeout, "fast": enrichers.StatusOK} {
			if got := statusOf(t, res, name).Status; got != want {
				t.Errorf("%s: status %s, want %s", name, got, want)
			}
		}
	})
}

func TestSourceTimeoutShorterThanBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := &fake{name: "slow", tmo: 50 * time.Millisecond, fn: sleepFor(time.Second)}
		e := newEngine(t, engine.Options{}, slow)
		res := run(e, 2*time.Second, engine.Request{})
		r := statusOf(t, res, "slow")
		if r.Status != enrichers.StatusTimeout {
			t.Fatalf("status %s", r.Status)
		}
	})
}

func TestLimiterWaitVersusRateLimited(t *testing.T) {
	tests := []struct {
		name   string
		budget time.Duration
		want   []enrichers.Status
	}{
		{"waits when the budget allows", 2 * time.Second, []enrichers.Status{enrichers.StatusOK, enrichers.StatusOK}},
		{"rate_limited when it does not", 60 * time.Millisecond, []enrichers.Status{enrichers.StatusOK, enrichers.StatusRateLimited}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// 5/s, burst 1: the second call needs to wait 200ms.
				src := &fake{name: "limited", rate: 5, burst: 1, tmo: time.Second}
				e := newEngine(t, engine.Options{}, src)
				for i, want := range tt.want {
					res := run(e, tt.budget, engine.Request{})
					if got := statusOf(t, res, "limited").Status; got != want {
						t.Fatalf("call %d: status %s, want %s", i, got, want)
					}
				}
			})
		})
	}
}

// TestWaitingForTheLimitDoesNotEatTheTimeout: a call waits for its first
// token under the request's budget, and the source's own timeout starts
// when it has it.
func TestWaitingForTheLimitDoesNotEatTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 5/s, burst 1: the second call waits 1/(5×0.95)s ≈ 210ms for its
		// token, four times the source's 50ms timeout; the source then
		// answers in 40ms.
		src := &fake{name: "limited", rate: 5, burst: 1, tmo: 50 * time.Millisecond, fn: sleepFor(40 * time.Millisecond)}
		e := newEngine(t, engine.Options{}, src)
		for i := range 2 {
			start := time.Now()
			if got := statusOf(t, run(e, time.Second, engine.Request{}), "limited").Status; got != enrichers.StatusOK {
				t.Fatalf("call %d: %s after %s", i, got, time.Since(start))
			}
		}
	})
}

func TestEveryUpstreamRequestPaysItsToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 5/s, burst 4 (3 after the engine's burst headroom): a source
		// making 3 requests per call spends the burst in one call, so a
		// second call within 60ms is held back — and being held back
		// locally never trips the breaker.
		src := &fake{name: "multi", rate: 5, burst: 4, requests: 3, tmo: time.Second, fails: 1, open: time.Minute}
		e := newEngine(t, engine.Options{}, src)
		if got := statusOf(t, run(e, 60*time.Millisecond, engine.Request{}), "multi").Status; got != enrichers.StatusOK {
			t.Fatalf("first call: %s", got)
		}
		if got := statusOf(t, run(e, 60*time.Millisecond, engine.Request{}), "multi").Status; got != enrichers.StatusRateLimited {
			t.Fatalf("second call: %s", got)
		}
		if got := statusOf(t, run(e, 2*time.Second, engine.Request{}), "multi").Status; got != enrichers.StatusOK {
			t.Fatalf("third call, with time to wait: %s (breaker tripped by a local limit?)", got)
		}
		if got := src.sent.Load(); got != 6 {
			t.Fatalf("%d requests passed the limiter, want 6 (two calls of 3)", got)
		}
	})
}

// TestOnlyUpstreamRequestsPay: offline sources and sources that do not
// apply cost their limiter nothing, and the engine sets a source's limiter
// from its effective configuration.
func TestOnlyUpstreamRequestsPay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limits := transport.NewLimiters()
		skipper := &skipFake{fake{name: "skipper", rate: 0.01, burst: 1, tmo: time.Second}}
		offline := &fake{name: "offline", tmo: time.Second}
		e := newEngine(t, engine.Options{Limiters: limits, Sources: map[string]engine.SourceConfig{"skipper": {RatePerS: 2, Burst: 8}}}, skipper, offline)
		for range 3 {
			res := run(e, time.Second, engine.Request{})
			if got := statusOf(t, res, "skipper").Status; got != enrichers.StatusSkipped {
				t.Fatalf("skipper: %s", got)
			}
		}
		lim := limits.Get("skipper")
		if lim.Limit() != 2*transport.LimiterHeadroom || lim.Burst() != 6 {
			t.Fatalf("limiter %v/s burst %d, want the configured 2/s × %v and 8 × 0.75", lim.Limit(), lim.Burst(), transport.LimiterHeadroom)
		}
		// The whole burst is still there: the skipped calls took nothing.
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		for i := range lim.Burst() {
			if err := lim.Wait(ctx); err != nil {
				t.Fatalf("token %d: %v", i, err)
			}
		}
		if limits.Get("offline") != nil {
			t.Error("an offline source got a limiter")
		}
	})
}

func TestRetryAfterPausesTheSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int64
		src := &fake{name: "throttled", rate: 100, burst: 100, tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
			if n.Add(1) == 1 {
				return nil, &enrichers.SourceError{Source: "throttled", Status: enrichers.StatusRateLimited, RetryAfter: 5 * time.Second, Err: errors.New("429")}
			}
			return &enrichers.Finding{}, nil
		}}
		e := newEngine(t, engine.Options{}, src)
		if got := statusOf(t, run(e, time.Second, engine.Request{}), "throttled").Status; got != enrichers.StatusRateLimited {
			t.Fatalf("first: %s", got)
		}
		// Within the Retry-After window, no request leaves.
		if got := statusOf(t, run(e, time.Second, engine.Request{}), "throttled").Status; got != enrichers.StatusRateLimited {
			t.Fatalf("second: %s", got)
		}
		if c := src.sent.Load(); c != 1 {
			t.Fatalf("%d requests sent during Retry-After", c)
		}
		// After it, the source answers again.
		time.Sleep(5 * time.Second) // the bubble's clock: the Retry-After passes
		if got := statusOf(t, run(e, time.Second, engine.Request{}), "throttled").Status; got != enrichers.StatusOK {
			t.Fatalf("after the pause: %s", got)
		}
	})
}

func TestBreakerOpensAndHalfOpens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var fail atomic.Bool
		fail.Store(true)
		src := &fake{name: "flaky", tmo: time.Second, fails: 3, open: 150 * time.Millisecond,
			fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
				if fail.Load() {
					return nil, errors.New("upstream 503")
				}
				return &enrichers.Finding{}, nil
			}}
		e := newEngine(t, engine.Options{}, src)
		for i := range 3 {
			if got := statusOf(t, run(e, time.Second, engine.Request{}), "flaky").Status; got != enrichers.StatusError {
				t.Fatalf("call %d: %s", i, got)
			}
		}
		before := src.calls.Load()
		if got := statusOf(t, run(e, time.Second, engine.Request{}), "flaky").Status; got != enrichers.StatusCircuitOpen {
			t.Fatalf("after 3 failures: %s", got)
		}
		if src.calls.Load() != before {
			t.Fatal("open breaker still called the source")
		}
		if st := e.Sources()[0].BreakerState; st != "open" {
			t.Fatalf("breaker state %s", st)
		}
		fail.Store(false)
		time.Sleep(150*time.Millisecond + time.Nanosecond) // the bubble's clock: open_for passes
		if st := e.Sources()[0].BreakerState; st != "half_open" {
			t.Fatalf("breaker state after open_for: %s", st)
		}
		if got := statusOf(t, run(e, time.Second, engine.Request{}), "flaky").Status; got != enrichers.StatusOK {
			t.Fatalf("half-open probe: %s", got)
		}
		if st := e.Sources()[0].BreakerState; st != "closed" {
			t.Fatalf("breaker state after a good probe: %s", st)
		}
	})
}

func TestNotFoundAndBudgetDoNotTripTheBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &fake{name: "nf", tmo: time.Second, fails: 1, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
			return &enrichers.Finding{NotFound: true}, nil
		}}
		slow := &fake{name: "slow", tmo: 5 * time.Second, fails: 1, fn: sleepFor(time.Second)}
		e := newEngine(t, engine.Options{}, src, slow)
		for range 3 {
			res := run(e, 50*time.Millisecond, engine.Request{})
			if got := statusOf(t, res, "nf").Status; got != enrichers.StatusNotFound {
				t.Fatalf("nf: %s", got)
			}
			if got := statusOf(t, res, "slow").Status; got != enrichers.StatusTimeout {
				t.Fatalf("slow: %s", got)
			}
		}
		synctest.Wait() // the abandoned calls have returned
		for _, s := range e.Sources() {
			if s.BreakerState != "closed" {
				t.Errorf("%s: breaker %s; not_found and the request budget must not count", s.Name, s.BreakerState)
			}
		}
	})
}

func TestPanickingSourceIsIsolated(t *testing.T) {
	boom := &fake{name: "boom", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		panic("kaboom")
	}}
	ok := &fake{name: "ok", tmo: time.Second}
	e := newEngine(t, engine.Options{}, boom, ok)
	res := run(e, time.Second, engine.Request{})
	if r := statusOf(t, res, "boom"); r.Status != enrichers.StatusError {
		t.Fatalf("boom: %+v", r)
	}
	if r := statusOf(t, res, "ok"); r.Status != enrichers.StatusOK {
		t.Fatalf("ok: %+v", r)
	}
}

func TestSecondRoundFedByFirst(t *testing.T) {
	first := &fake{name: "first", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{Identifiers: []enrichers.Identifier{
			{Kind: enrichers.KindUsername, Value: "janedoe", Method: enrichers.LinkedFrom("first"), Prior: 0.9},
		}}, nil
	}}
	var got []string
	second := &fake{name: "second", inputs: []enrichers.Kind{enrichers.KindUsername}, tmo: time.Second,
		fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
			got = append(got, id.Value+"|"+id.Origin+"|"+string(id.Method))
			return &enrichers.Finding{Accounts: []enrichers.Account{{Username: id.Value}}}, nil
		}}
	e := newEngine(t, engine.Options{}, first, second)
	res := run(e, time.Second, engine.Request{})
	if res.Rounds != 2 {
		t.Fatalf("rounds = %d", res.Rounds)
	}
	if len(got) != 1 || got[0] != "janedoe|first|linked_from:first" {
		t.Fatalf("second round got %v", got)
	}
	if r := statusOf(t, res, "second"); r.Status != enrichers.StatusOK {
		t.Fatalf("second: %+v", r)
	}
}

func TestEverySourceListedOnce(t *testing.T) {
	phoneOnly := &fake{name: "phone", inputs: []enrichers.Kind{enrichers.KindPhone}}
	excluded := &fake{name: "excluded"}
	off := &fake{name: "off"}
	skipper := &skipFake{fake{name: "skipper"}}
	kept := &fake{name: "kept"}
	no := false
	e := newEngine(t, engine.Options{Sources: map[string]engine.SourceConfig{"off": {Enabled: &no}}},
		phoneOnly, excluded, off, skipper, kept)
	res := run(e, time.Second, engine.Request{Exclude: []string{"excluded"}})
	want := map[string]enrichers.Status{
		"phone": enrichers.StatusSkipped, "excluded": enrichers.StatusSkipped, "off": enrichers.StatusSkipped,
		"skipper": enrichers.StatusSkipped, "kept": enrichers.StatusOK,
	}
	if len(res.Sources) != len(want) {
		t.Fatalf("%d sources reported, want %d", len(res.Sources), len(want))
	}
	for _, r := range res.Sources {
		if r.Status != want[r.Name] {
			t.Errorf("%s: %s, want %s", r.Name, r.Status, want[r.Name])
		}
		if r.Status == enrichers.StatusSkipped && r.Detail == "" {
			t.Errorf("%s: skipped without a reason", r.Name)
		}
	}
	if !res.Complete {
		t.Error("skipped sources must not make a result incomplete")
	}
	if skipper.calls.Load() != 0 || excluded.calls.Load() != 0 || off.calls.Load() != 0 {
		t.Error("a skipped source was called")
	}
}

type skipFake struct{ fake }

func (s *skipFake) Applies(enrichers.Identifier) (bool, string) { return false, "free-mail domain" }

func TestUnknownSourceInConfig(t *testing.T) {
	reg := engine.NewRegistry()
	reg.Register(&fake{name: "a"})
	_, err := engine.New(reg, engine.Options{Sources: map[string]engine.SourceConfig{"b": {}}})
	if err == nil {
		t.Fatal("want an error for an unknown source name")
	}
}

func TestDuplicateRegistrationPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("want a panic")
		}
	}()
	reg := engine.NewRegistry()
	reg.Register(&fake{name: "a"}, &fake{name: "a"})
}

func BenchmarkEngineNoop10(b *testing.B) {
	var srcs []enrichers.Enricher
	for i := range 10 {
		srcs = append(srcs, &fake{name: fmt.Sprintf("noop%d", i), tmo: time.Second})
	}
	e := newEngine(b, engine.Options{}, srcs...)
	ctx := context.Background()
	req := engine.Request{Identifiers: []enrichers.Identifier{email}}
	b.ReportAllocs()
	for b.Loop() {
		if res := e.Run(ctx, req); !res.Complete {
			b.Fatal("incomplete")
		}
	}
}

func TestRetryOutsideTheBreaker(t *testing.T) {
	tests := []struct {
		name   string
		budget time.Duration
		want   enrichers.Status
		calls  int64
	}{
		{"retries when the budget allows", 2 * time.Second, enrichers.StatusOK, 2},
		{"no retry when it does not", 80 * time.Millisecond, enrichers.StatusError, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n atomic.Int64
				src := &fake{name: "flaky", rate: 100, burst: 100, tmo: 100 * time.Millisecond, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
					if n.Add(1) == 1 {
						return nil, &enrichers.SourceError{Source: "flaky", Status: enrichers.StatusError, Retryable: true, RetryAfter: 50 * time.Millisecond, Err: errors.New("HTTP 503")}
					}
					return &enrichers.Finding{}, nil
				}}
				e := newEngine(t, engine.Options{}, src)
				if got := statusOf(t, run(e, tt.budget, engine.Request{}), "flaky").Status; got != tt.want {
					t.Fatalf("status %s, want %s", got, tt.want)
				}
				if src.calls.Load() != tt.calls {
					t.Fatalf("%d calls, want %d", src.calls.Load(), tt.calls)
				}
				// A retry is an upstream request like any other: it pays.
				if src.sent.Load() != tt.calls {
					t.Fatalf("%d requests paid, want %d", src.sent.Load(), tt.calls)
				}
			})
		})
	}
}

func TestFoundUsernameLookedUpElsewhere(t *testing.T) {
	// An account found by email search: the identity rule the composition
	// root hands the engine turns its username into a guess for the other
	// username sources in the next round; without a rule, nothing is
	// derived.
	reuse := func(via enrichers.Identifier, a enrichers.Account) (enrichers.Identifier, bool) {
		return enrichers.Identifier{Kind: enrichers.KindUsername, Value: a.Username, Method: enrichers.MethodUsernameGuess, Prior: 0.9}, true
	}
	for _, tt := range []struct {
		name   string
		rule   func(enrichers.Identifier, enrichers.Account) (enrichers.Identifier, bool)
		rounds int
		want   []string
	}{
		{"with the rule", reuse, 2, []string{"cosmicowl207|search|username_guess"}},
		{"without", nil, 1, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			search := &fake{name: "search", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
				return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "search", Username: "cosmicowl207", Method: enrichers.MethodEmailSearch}}}, nil
			}}
			var got []string
			other := &fake{name: "other", inputs: []enrichers.Kind{enrichers.KindUsername}, tmo: time.Second,
				fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
					got = append(got, id.Value+"|"+id.Origin+"|"+string(id.Method))
					return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "other", Username: id.Value}}}, nil
				}}
			e := newEngine(t, engine.Options{ReusedUsername: tt.rule}, search, other)
			res := run(e, time.Second, engine.Request{})
			if res.Rounds != tt.rounds || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("rounds %d, second round got %v; want %d, %v", res.Rounds, got, tt.rounds, tt.want)
			}
		})
	}
}

// Every found account's photo is looked at, those found in the last round
// too (one more round, for photos only), at most MaxPerLookup of them.
func TestAccountPhotosLookedAt(t *testing.T) {
	for _, tt := range []struct {
		name string
		cap  int
		want string
	}{
		{"uncapped", 0, "[https://img/a.png https://img/b.png https://img/c.png]"},
		{"capped at 2: the likeliest first", 2, "[https://img/a.png https://img/b.png]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			search := &fake{name: "search", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
				return &enrichers.Finding{
					Accounts: []enrichers.Account{
						{Source: "search", Username: "a", Avatar: "https://img/a.png", Method: enrichers.MethodEmailSearch},
						{Source: "search", Username: "b", Avatar: "https://img/b.png", Method: enrichers.MethodEmailSearch},
						{Source: "search", Username: "nophoto", Method: enrichers.MethodEmailSearch},
					},
					Identifiers: []enrichers.Identifier{{Kind: enrichers.KindUsername, Value: "u", Method: enrichers.MethodUsernameGuess, Prior: 0.5}},
				}, nil
			}}
			user := &fake{name: "user", inputs: []enrichers.Kind{enrichers.KindUsername}, tmo: time.Second,
				fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
					return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "user", Username: id.Value, Avatar: "https://img/c.png"}}}, nil
				}}
			var mu sync.Mutex
			var got []string
			photo := &fake{name: "photo", inputs: []enrichers.Kind{enrichers.KindImage}, tmo: time.Second,
				fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
					mu.Lock()
					defer mu.Unlock()
					if id.Method != enrichers.MethodAvatar {
						t.Errorf("image identifier %+v", id)
					}
					got = append(got, id.Value)
					return &enrichers.Finding{Image: &enrichers.ImageFacts{Hash: 1}}, nil
				}}
			e := newEngine(t, engine.Options{MaxRounds: 2, Sources: map[string]engine.SourceConfig{"photo": {MaxPerLookup: tt.cap}}}, search, user, photo)
			res := run(e, time.Second, engine.Request{})
			slices.Sort(got)
			if fmt.Sprint(got) != tt.want {
				t.Fatalf("photos fetched %v, want %s", got, tt.want)
			}
			if r := statusOf(t, res, "photo"); r.Status != enrichers.StatusOK {
				t.Errorf("photo report %+v", r)
			}
		})
	}
}
