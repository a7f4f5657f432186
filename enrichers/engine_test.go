package enrichers_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// fake is a configurable test source.
type fake struct {
	name   string
	inputs []enrichers.Kind
	rate   float64
	burst  int
	tmo    time.Duration
	fails  uint32
	open   time.Duration
	ttl    time.Duration
	net    bool // a network source (only those go through the cache)
	calls  atomic.Int64
	fn     func(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error)
}

var _ enrichers.Enricher = (*fake)(nil)

func (f *fake) Describe() enrichers.Description {
	in := f.inputs
	if in == nil {
		in = []enrichers.Kind{enrichers.KindEmail}
	}
	d := enrichers.Description{Name: f.name, Description: "fake " + f.name, Version: 1, Inputs: in,
		RatePerS: f.rate, Burst: f.burst, Timeout: f.tmo, TTL: f.ttl, Network: f.net,
		Breaker: enrichers.BreakerSettings{Failures: f.fails, OpenFor: f.open}}
	if d.RatePerS == 0 {
		d.RatePerS = 1e6
		d.Burst = 1e6
	}
	return d
}

func (f *fake) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	f.calls.Add(1)
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

func newEngine(t testing.TB, opts enrichers.Options, srcs ...enrichers.Enricher) *enrichers.Engine {
	t.Helper()
	reg := enrichers.NewRegistry()
	reg.Register(srcs...)
	e, err := enrichers.NewEngine(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func run(e *enrichers.Engine, budget time.Duration, req enrichers.Request) *enrichers.Result {
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	if req.Identifiers == nil {
		req.Identifiers = []enrichers.Identifier{email}
	}
	return e.Run(ctx, req)
}

func statusOf(t *testing.T, res *enrichers.Result, name string) enrichers.SourceReport {
	t.Helper()
	for _, r := range res.Sources {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("source %q not in result", name)
	return enrichers.SourceReport{}
}

func TestConcurrentFanOut(t *testing.T) {
	const n, each = 6, 120 * time.Millisecond
	var srcs []enrichers.Enricher
	for i := range n {
		srcs = append(srcs, &fake{name: fmt.Sprintf("s%d", i), tmo: time.Second, fn: sleepFor(each)})
	}
	e := newEngine(t, enrichers.Options{}, srcs...)
	start := time.Now()
	res := run(e, 5*time.Second, enrichers.Request{})
	took := time.Since(start)
	// Sequential would take n*each; concurrent takes about each. Compare as
	// a ratio so a slow machine does not flake.
	if took >= time.Duration(n)*each/2 {
		t.Fatalf("fan-out took %s, want well under the sum %s", took, time.Duration(n)*each)
	}
	if !res.Complete {
		t.Fatal("want complete")
	}
	for _, r := range res.Sources {
		if r.Status != enrichers.StatusOK {
			t.Errorf("%s: status %s", r.Name, r.Status)
		}
	}
}

func TestHungSourceUnderBudget(t *testing.T) {
	hung := &fake{name: "hung", tmo: 10 * time.Second, fn: func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
		<-ctx.Done() // well-behaved: returns when ctx is done
		return nil, ctx.Err()
	}}
	stuck := &fake{name: "stuck", tmo: 10 * time.Second, fn: func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
		time.Sleep(2 * time.Second) // badly behaved: ignores ctx
		return &enrichers.Finding{}, nil
	}}
	fast := &fake{name: "fast", tmo: time.Second}
	e := newEngine(t, enrichers.Options{}, hung, stuck, fast)
	start := time.Now()
	res := run(e, 250*time.Millisecond, enrichers.Request{})
	took := time.Since(start)
	if took > time.Second {
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
}

func TestSourceTimeoutShorterThanBudget(t *testing.T) {
	slow := &fake{name: "slow", tmo: 50 * time.Millisecond, fn: sleepFor(time.Second)}
	e := newEngine(t, enrichers.Options{}, slow)
	res := run(e, 2*time.Second, enrichers.Request{})
	r := statusOf(t, res, "slow")
	if r.Status != enrichers.StatusTimeout {
		t.Fatalf("status %s", r.Status)
	}
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
			// 5/s, burst 1: the second call needs to wait 200ms.
			src := &fake{name: "limited", rate: 5, burst: 1, tmo: time.Second}
			e := newEngine(t, enrichers.Options{}, src)
			for i, want := range tt.want {
				res := run(e, tt.budget, enrichers.Request{})
				if got := statusOf(t, res, "limited").Status; got != want {
					t.Fatalf("call %d: status %s, want %s", i, got, want)
				}
			}
		})
	}
}

func TestEveryUpstreamRequestPaysItsToken(t *testing.T) {
	// 5/s, burst 4 (3 after the engine's burst headroom): a source making
	// 3 requests per call spends the burst in one call, so a second call
	// within 60ms is held back — and being held back locally never trips
	// the breaker.
	src := &fake{name: "multi", rate: 5, burst: 4, tmo: time.Second, fails: 1, open: time.Minute,
		fn: func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
			for range 3 {
				if err := enrichers.Acquire(ctx); err != nil {
					return nil, err
				}
			}
			return &enrichers.Finding{}, nil
		}}
	e := newEngine(t, enrichers.Options{}, src)
	if got := statusOf(t, run(e, 60*time.Millisecond, enrichers.Request{}), "multi").Status; got != enrichers.StatusOK {
		t.Fatalf("first call: %s", got)
	}
	if got := statusOf(t, run(e, 60*time.Millisecond, enrichers.Request{}), "multi").Status; got != enrichers.StatusRateLimited {
		t.Fatalf("second call: %s", got)
	}
	if got := statusOf(t, run(e, 2*time.Second, enrichers.Request{}), "multi").Status; got != enrichers.StatusOK {
		t.Fatalf("third call, with time to wait: %s (breaker tripped by a local limit?)", got)
	}
	if err := enrichers.Acquire(context.Background()); err != nil {
		t.Fatalf("outside the engine Acquire is free: %v", err)
	}
}

func TestRetryAfterPausesTheSource(t *testing.T) {
	var n atomic.Int64
	src := &fake{name: "throttled", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		if n.Add(1) == 1 {
			return nil, &enrichers.SourceError{Source: "throttled", Status: enrichers.StatusRateLimited, RetryAfter: 5 * time.Second, Err: errors.New("429")}
		}
		return &enrichers.Finding{}, nil
	}}
	e := newEngine(t, enrichers.Options{}, src)
	if got := statusOf(t, run(e, time.Second, enrichers.Request{}), "throttled").Status; got != enrichers.StatusRateLimited {
		t.Fatalf("first: %s", got)
	}
	// Within the Retry-After window, the source is not called at all.
	if got := statusOf(t, run(e, time.Second, enrichers.Request{}), "throttled").Status; got != enrichers.StatusRateLimited {
		t.Fatalf("second: %s", got)
	}
	if c := src.calls.Load(); c != 1 {
		t.Fatalf("source called %d times during Retry-After", c)
	}
}

func TestBreakerOpensAndHalfOpens(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	src := &fake{name: "flaky", tmo: time.Second, fails: 3, open: 150 * time.Millisecond,
		fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
			if fail.Load() {
				return nil, errors.New("upstream 503")
			}
			return &enrichers.Finding{}, nil
		}}
	e := newEngine(t, enrichers.Options{}, src)
	for i := range 3 {
		if got := statusOf(t, run(e, time.Second, enrichers.Request{}), "flaky").Status; got != enrichers.StatusError {
			t.Fatalf("call %d: %s", i, got)
		}
	}
	before := src.calls.Load()
	if got := statusOf(t, run(e, time.Second, enrichers.Request{}), "flaky").Status; got != enrichers.StatusCircuitOpen {
		t.Fatalf("after 3 failures: %s", got)
	}
	if src.calls.Load() != before {
		t.Fatal("open breaker still called the source")
	}
	if st := e.Sources()[0].BreakerState; st != "open" {
		t.Fatalf("breaker state %s", st)
	}
	fail.Store(false)
	time.Sleep(200 * time.Millisecond)
	if st := e.Sources()[0].BreakerState; st != "half_open" {
		t.Fatalf("breaker state after open_for: %s", st)
	}
	if got := statusOf(t, run(e, time.Second, enrichers.Request{}), "flaky").Status; got != enrichers.StatusOK {
		t.Fatalf("half-open probe: %s", got)
	}
	if st := e.Sources()[0].BreakerState; st != "closed" {
		t.Fatalf("breaker state after a good probe: %s", st)
	}
}

func TestNotFoundAndBudgetDoNotTripTheBreaker(t *testing.T) {
	src := &fake{name: "nf", tmo: time.Second, fails: 1, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{NotFound: true}, nil
	}}
	slow := &fake{name: "slow", tmo: 5 * time.Second, fails: 1, fn: sleepFor(time.Second)}
	e := newEngine(t, enrichers.Options{}, src, slow)
	for range 3 {
		res := run(e, 50*time.Millisecond, enrichers.Request{})
		if got := statusOf(t, res, "nf").Status; got != enrichers.StatusNotFound {
			t.Fatalf("nf: %s", got)
		}
		if got := statusOf(t, res, "slow").Status; got != enrichers.StatusTimeout {
			t.Fatalf("slow: %s", got)
		}
	}
	time.Sleep(50 * time.Millisecond) // let the abandoned calls return
	for _, s := range e.Sources() {
		if s.BreakerState != "closed" {
			t.Errorf("%s: breaker %s; not_found and the request budget must not count", s.Name, s.BreakerState)
		}
	}
}

func TestPanickingSourceIsIsolated(t *testing.T) {
	boom := &fake{name: "boom", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		panic("kaboom")
	}}
	ok := &fake{name: "ok", tmo: time.Second}
	e := newEngine(t, enrichers.Options{}, boom, ok)
	res := run(e, time.Second, enrichers.Request{})
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
	e := newEngine(t, enrichers.Options{}, first, second)
	res := run(e, time.Second, enrichers.Request{})
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
	e := newEngine(t, enrichers.Options{Sources: map[string]enrichers.SourceConfig{"off": {Enabled: &no}}},
		phoneOnly, excluded, off, skipper, kept)
	res := run(e, time.Second, enrichers.Request{Exclude: []string{"excluded"}})
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
	reg := enrichers.NewRegistry()
	reg.Register(&fake{name: "a"})
	_, err := enrichers.NewEngine(reg, enrichers.Options{Sources: map[string]enrichers.SourceConfig{"b": {}}})
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
	reg := enrichers.NewRegistry()
	reg.Register(&fake{name: "a"}, &fake{name: "a"})
}

func BenchmarkEngineNoop10(b *testing.B) {
	var srcs []enrichers.Enricher
	for i := range 10 {
		srcs = append(srcs, &fake{name: fmt.Sprintf("noop%d", i), tmo: time.Second})
	}
	e := newEngine(b, enrichers.Options{}, srcs...)
	ctx := context.Background()
	req := enrichers.Request{Identifiers: []enrichers.Identifier{email}}
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
			var n atomic.Int64
			src := &fake{name: "flaky", tmo: 100 * time.Millisecond, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
				if n.Add(1) == 1 {
					return nil, &enrichers.SourceError{Source: "flaky", Status: enrichers.StatusError, Retryable: true, RetryAfter: 50 * time.Millisecond, Err: errors.New("HTTP 503")}
				}
				return &enrichers.Finding{}, nil
			}}
			e := newEngine(t, enrichers.Options{}, src)
			if got := statusOf(t, run(e, tt.budget, enrichers.Request{}), "flaky").Status; got != tt.want {
				t.Fatalf("status %s, want %s", got, tt.want)
			}
			if src.calls.Load() != tt.calls {
				t.Fatalf("%d calls, want %d", src.calls.Load(), tt.calls)
			}
		})
	}
}

func TestReusedUsername(t *testing.T) {
	byEmail := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "a@example.com", Method: enrichers.MethodInput, Prior: 1}
	byLink := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "bob@fosstodon.org", Method: enrichers.LinkedFrom("github"), Platform: "mastodon", Prior: 0.9}
	byName := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "cosmicowl207", Method: enrichers.MethodUsernameGuess, Prior: 0.8}
	tests := []struct {
		via      enrichers.Identifier
		username string
		want     string // "" for none
		prior    float64
	}{
		{byEmail, "cosmicowl207", "cosmicowl207", 0.9},       // a GitHub login found by email search
		{byEmail, "quietbadger723", "quietbadger723", 0.9},   // a Gravatar slug
		{byLink, "bob@fosstodon.org", "bob", 0.81},           // a Mastodon account on another instance
		{byName, "CosmicOwl207", "", 0},                      // found by that very username
		{byEmail, "6f1ed002ab5595859014ebf0951522d9", "", 0}, // a hash, not a handle
		{byEmail, "ab", "", 0},
		{byEmail, "-x-", "", 0},
		{byEmail, "jane doe", "", 0},
	}
	for _, tt := range tests {
		id, ok := enrichers.ReusedUsername(tt.via, enrichers.Account{Source: "s", Username: tt.username})
		if ok != (tt.want != "") || id.Value != tt.want {
			t.Errorf("%s via %s: %+v %v, want %q", tt.username, tt.via.Method, id, ok, tt.want)
			continue
		}
		if ok && (id.Kind != enrichers.KindUsername || id.Method != enrichers.MethodUsernameGuess || id.Platform != "" || math.Abs(id.Prior-tt.prior) > 1e-9) {
			t.Errorf("%s: identifier %+v, want a plain guess with prior %v", tt.username, id, tt.prior)
		}
	}
}

func TestFoundUsernameLookedUpElsewhere(t *testing.T) {
	// An account found by email search: its username is tried on the other
	// username sources in the next round.
	search := &fake{name: "search", tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "search", Username: "cosmicowl207", Method: enrichers.MethodEmailSearch}}}, nil
	}}
	var got []string
	other := &fake{name: "other", inputs: []enrichers.Kind{enrichers.KindUsername}, tmo: time.Second,
		fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
			got = append(got, id.Value+"|"+id.Origin+"|"+string(id.Method))
			return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "other", Username: id.Value}}}, nil
		}}
	e := newEngine(t, enrichers.Options{}, search, other)
	res := run(e, time.Second, enrichers.Request{})
	if res.Rounds != 2 || len(got) != 1 || got[0] != "cosmicowl207|search|username_guess" {
		t.Fatalf("rounds %d, second round got %v", res.Rounds, got)
	}
}
