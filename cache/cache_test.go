package cache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

func TestNewValidatesSecret(t *testing.T) {
	if _, err := New(Config{Secret: []byte("short")}); err == nil {
		t.Fatal("New accepted a 5-byte secret")
	}
}

// TestTTL: an entry is a hit until its TTL, then (past the stale window)
// fetched again; inside the stale window a request with time to spare
// refreshes synchronously.
func TestTTL(t *testing.T) {
	for _, tc := range []struct {
		name      string
		advance   time.Duration
		wantCalls int64
		wantTag   string
		cached    bool
	}{
		{"fresh", 59 * time.Minute, 1, "1", true},
		{"at ttl, in stale window, budget to spare", time.Hour, 2, "2", false},
		{"past stale window", 91 * time.Minute, 2, "2", false},
		{"far past", 48 * time.Hour, 2, "2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			c := newTestCache(t, Config{}, clk)
			f := &fetcher{}
			d := src("ttl")
			mustFetch(t, c, d, email, def, f)
			clk.Advance(tc.advance)
			got, cached := mustFetch(t, c, d, email, def, f)
			if f.calls.Load() != tc.wantCalls || tag(got) != tc.wantTag || cached != tc.cached {
				t.Errorf("after %v: calls=%d tag=%s cached=%v, want %d %s %v", tc.advance,
					f.calls.Load(), tag(got), cached, tc.wantCalls, tc.wantTag, tc.cached)
			}
		})
	}
}

// TestFetchedAt: Fetch reports when the evidence was fetched, by the
// injected clock, for a fetch and for a hit.
func TestFetchedAt(t *testing.T) {
	clk := newClock()
	c := newTestCache(t, Config{}, clk)
	f := &fetcher{}
	_, _, at, err := c.Fetch(t.Context(), src("at"), email, def, f.fetch)
	if err != nil || !at.Equal(t0) {
		t.Fatalf("fetch: at=%v err=%v", at, err)
	}
	clk.Advance(time.Minute)
	_, cached, at, err := c.Fetch(t.Context(), src("at"), email, def, f.fetch)
	if err != nil || !cached || !at.Equal(t0) {
		t.Fatalf("hit: cached=%v at=%v err=%v", cached, at, err)
	}
}

// storedEntry reads and decodes the L1 entry of d/id.
func storedEntry(t *testing.T, c *Cache, d enrichers.Description, id enrichers.Identifier) *entry {
	t.Helper()
	b, err := c.l1.Get(c.keys.Key(d, id))
	if err != nil {
		t.Fatalf("L1 has no entry for %s: %v", d.Name, err)
	}
	e, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestNegativeTTL: not_found is stored with the source's negative TTL (or
// a derived one), positive findings with the TTL; each with a stale window
// of half its TTL, capped by StaleMax.
func TestNegativeTTL(t *testing.T) {
	notFound := func(int64) (*enrichers.Finding, error) { return &enrichers.Finding{NotFound: true}, nil }
	for _, tc := range []struct {
		name      string
		d         enrichers.Description
		staleMax  time.Duration
		f         func(int64) (*enrichers.Finding, error)
		wantTTL   time.Duration
		wantStale time.Duration
	}{
		{"positive", enrichers.Description{Name: "a", TTL: time.Hour, NegativeTTL: 10 * time.Minute}, 0, nil, time.Hour, 30 * time.Minute},
		{"not_found", enrichers.Description{Name: "b", TTL: time.Hour, NegativeTTL: 10 * time.Minute}, 0, notFound, 10 * time.Minute, 5 * time.Minute},
		{"not_found, no negative ttl", enrichers.Description{Name: "c", TTL: 5 * time.Hour}, 0, notFound, 30 * time.Minute, 15 * time.Minute},
		{"not_found, long ttl: capped at 1h", enrichers.Description{Name: "d", TTL: 7 * 24 * time.Hour}, 0, notFound, time.Hour, 30 * time.Minute},
		{"not_found, no ttls", enrichers.Description{Name: "e"}, 0, notFound, 10 * time.Minute, 5 * time.Minute},
		{"positive, no ttl", enrichers.Description{Name: "f"}, 0, nil, time.Hour, 30 * time.Minute},
		{"stale window capped", enrichers.Description{Name: "g", TTL: 30 * 24 * time.Hour}, 2 * time.Hour, nil, 30 * 24 * time.Hour, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCache(t, Config{StaleMax: tc.staleMax}, nil)
			f := &fetcher{f: tc.f}
			mustFetch(t, c, tc.d, email, def, f)
			e := storedEntry(t, c, tc.d, email)
			if ttl := e.ExpiresAt.Sub(e.FetchedAt); ttl != tc.wantTTL {
				t.Errorf("ttl = %v, want %v", ttl, tc.wantTTL)
			}
			if stale := e.StaleUntil.Sub(e.ExpiresAt); stale != tc.wantStale {
				t.Errorf("stale window = %v, want %v", stale, tc.wantStale)
			}
		})
	}

	// And behaviourally: a not_found hit until its negative TTL, then a
	// refetch, while a positive finding of the same source is still fresh.
	clk := newClock()
	c := newTestCache(t, Config{}, clk)
	d := src("neg")
	nf := &fetcher{f: notFound}
	pos := &fetcher{}
	mustFetch(t, c, d, email, def, nf)
	mustFetch(t, c, d, phone, def, pos)
	clk.Advance(9 * time.Minute)
	if got, cached := mustFetch(t, c, d, email, def, nf); !cached || !got.NotFound {
		t.Fatalf("not_found at 9m: cached=%v got=%+v", cached, got)
	}
	clk.Advance(2 * time.Minute)
	mustFetch(t, c, d, email, def, nf)
	mustFetch(t, c, d, phone, def, pos)
	if nf.calls.Load() != 2 || pos.calls.Load() != 1 {
		t.Fatalf("at 11m: not_found fetched %d times (want 2), positive %d (want 1)", nf.calls.Load(), pos.calls.Load())
	}
}

// TestNeverCached: errors, partial results (a finding with an error), a
// nil finding and cancelled fetches are returned but never stored.
func TestNeverCached(t *testing.T) {
	partial := &enrichers.Finding{Accounts: []enrichers.Account{{Source: "github", Username: "half"}}}
	boom := &enrichers.SourceError{Source: "x", Status: enrichers.StatusRateLimited, Err: errors.New("429")}
	for _, tc := range []struct {
		name string
		f    func(int64) (*enrichers.Finding, error)
	}{
		{"error", func(int64) (*enrichers.Finding, error) { return nil, boom }},
		{"partial result with error", func(int64) (*enrichers.Finding, error) { return partial, boom }},
		{"not_found with error", func(int64) (*enrichers.Finding, error) { return &enrichers.Finding{NotFound: true}, boom }},
		{"nil finding, nil error", func(int64) (*enrichers.Finding, error) { return nil, nil }},
		{"cancelled", func(int64) (*enrichers.Finding, error) { return nil, context.Canceled }},
		{"timeout", func(int64) (*enrichers.Finding, error) { return nil, context.DeadlineExceeded }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCache(t, Config{}, nil)
			d := src("never")
			f := &fetcher{f: tc.f}
			for i := range 3 {
				got, cached, _, err := c.Fetch(t.Context(), d, email, def, f.fetch)
				if err == nil || got != nil || cached {
					t.Fatalf("call %d: got=%v cached=%v err=%v, want the error only", i, got, cached, err)
				}
			}
			if f.calls.Load() != 3 {
				t.Errorf("fetch called %d times, want 3 (nothing cached)", f.calls.Load())
			}
			if _, err := c.l1.Get(c.keys.Key(d, email)); err == nil {
				t.Error("L1 holds an entry")
			}
			if c.Count("l1", d.Name, "sets") != 0 {
				t.Error("l1 sets counted")
			}
		})
	}
	// The error passes through unchanged, so the engine can classify it.
	c := newTestCache(t, Config{}, nil)
	f := &fetcher{f: func(int64) (*enrichers.Finding, error) { return nil, boom }}
	if _, _, _, err := c.Fetch(t.Context(), src("pass"), email, def, f.fetch); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the source's", err)
	}
}

// TestMaxAge: evidence older than max_age is not used; max_age 0 always
// refetches.
func TestMaxAge(t *testing.T) {
	for _, tc := range []struct {
		name    string
		age     time.Duration
		p       engine.CachePolicy
		refetch bool
	}{
		{"no max_age", 10 * time.Minute, def, false},
		{"younger than max_age", 10 * time.Minute, engine.CachePolicy{Mode: engine.CacheDefault, MaxAge: 15 * time.Minute, HasMaxAge: true}, false},
		{"exactly max_age", 10 * time.Minute, engine.CachePolicy{Mode: engine.CacheDefault, MaxAge: 10 * time.Minute, HasMaxAge: true}, false},
		{"older than max_age", 10 * time.Minute, engine.CachePolicy{Mode: engine.CacheDefault, MaxAge: 5 * time.Minute, HasMaxAge: true}, true},
		{"max_age 0 refreshes", 0, engine.CachePolicy{Mode: engine.CacheDefault, HasMaxAge: true}, true},
		{"MaxAge 0 without HasMaxAge is unset", 10 * time.Minute, engine.CachePolicy{Mode: engine.CacheDefault}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			c := newTestCache(t, Config{}, clk)
			d := src("maxage")
			f := &fetcher{}
			mustFetch(t, c, d, email, def, f)
			clk.Advance(tc.age)
			got, cached := mustFetch(t, c, d, email, tc.p, f)
			wantCalls := int64(1)
			if tc.refetch {
				wantCalls = 2
			}
			if f.calls.Load() != wantCalls || cached == tc.refetch {
				t.Errorf("calls=%d cached=%v, want calls=%d", f.calls.Load(), cached, wantCalls)
			}
			if tc.refetch {
				if tag(got) != "2" {
					t.Errorf("got evidence %s, want the refetched 2", tag(got))
				}
				// The refetch replaced the entry: a default read is a hit on it.
				if got, cached := mustFetch(t, c, d, email, def, f); !cached || tag(got) != "2" {
					t.Errorf("after refetch: cached=%v tag=%s", cached, tag(got))
				}
			}
		})
	}
	// Too-old evidence is not served as stale either, even when the
	// refetch fails: the caller asked for nothing older.
	clk := newClock()
	c := newTestCache(t, Config{}, clk)
	d := src("maxage-fail")
	mustFetch(t, c, d, email, def, &fetcher{})
	clk.Advance(70 * time.Minute) // past TTL, in the stale window
	fail := &fetcher{f: func(int64) (*enrichers.Finding, error) { return nil, errors.New("down") }}
	p := engine.CachePolicy{Mode: engine.CacheDefault, MaxAge: time.Hour, HasMaxAge: true}
	if got, _, _, err := c.Fetch(t.Context(), d, email, p, fail.fetch); err == nil {
		t.Errorf("served %v older than max_age", got)
	}
	if c.Count("all", d.Name, "too_old") != 1 {
		t.Errorf("too_old = %d, want 1", c.Count("all", d.Name, "too_old"))
	}
}

// TestPolicies: default reads through, refresh skips reads but writes,
// only never calls the source.
func TestPolicies(t *testing.T) {
	refresh := engine.CachePolicy{Mode: engine.CacheRefresh}
	only := engine.CachePolicy{Mode: engine.CacheOnly}
	d := src("policy")

	t.Run("only: miss", func(t *testing.T) {
		c := newTestCache(t, Config{}, nil)
		f := &fetcher{}
		got, cached, _, err := c.Fetch(t.Context(), d, email, only, f.fetch)
		if !isCacheMiss(err) || got != nil || cached {
			t.Fatalf("got=%v cached=%v err=%v, want ErrCacheMiss", got, cached, err)
		}
		if f.calls.Load() != 0 {
			t.Fatal("only called the source")
		}
		if c.Count("all", d.Name, "misses") != 1 {
			t.Error("miss not counted")
		}
	})
	t.Run("only: hit, stale hit, expired miss", func(t *testing.T) {
		clk := newClock()
		c := newTestCache(t, Config{}, clk)
		f := &fetcher{}
		mustFetch(t, c, d, email, def, f)
		if got, cached := mustFetch(t, c, d, email, only, f); !cached || tag(got) != "1" {
			t.Fatalf("fresh: cached=%v tag=%s", cached, tag(got))
		}
		clk.Advance(80 * time.Minute) // stale
		if got, cached := mustFetch(t, c, d, email, only, f); !cached || tag(got) != "1" {
			t.Fatalf("stale: cached=%v tag=%s", cached, tag(got))
		}
		clk.Advance(20 * time.Minute) // past the stale window
		if _, _, _, err := c.Fetch(t.Context(), d, email, only, f.fetch); !isCacheMiss(err) {
			t.Fatalf("expired: err=%v, want ErrCacheMiss", err)
		}
		if _, _, _, err := c.Fetch(t.Context(), d, phone, only, f.fetch); !isCacheMiss(err) {
			t.Fatalf("other id: err=%v, want ErrCacheMiss", err)
		}
		if f.calls.Load() != 1 {
			t.Fatalf("only called the source: %d calls", f.calls.Load())
		}
	})
	t.Run("only with max_age 0", func(t *testing.T) {
		c := newTestCache(t, Config{}, nil)
		f := &fetcher{}
		mustFetch(t, c, d, email, def, f)
		p := engine.CachePolicy{Mode: engine.CacheOnly, HasMaxAge: true}
		if _, _, _, err := c.Fetch(t.Context(), d, email, p, f.fetch); !isCacheMiss(err) || f.calls.Load() != 1 {
			t.Fatalf("err=%v calls=%d, want ErrCacheMiss without a call", err, f.calls.Load())
		}
	})
	t.Run("refresh", func(t *testing.T) {
		c := newTestCache(t, Config{}, nil)
		f := &fetcher{}
		mustFetch(t, c, d, email, def, f)
		got, cached := mustFetch(t, c, d, email, refresh, f)
		if cached || tag(got) != "2" {
			t.Fatalf("refresh: cached=%v tag=%s, want a new fetch", cached, tag(got))
		}
		got, cached = mustFetch(t, c, d, email, def, f)
		if !cached || tag(got) != "2" {
			t.Fatalf("default after refresh: cached=%v tag=%s, want the refreshed entry", cached, tag(got))
		}
		if f.calls.Load() != 2 {
			t.Fatalf("calls = %d", f.calls.Load())
		}
	})
	t.Run("default: stale evidence beats an upstream failure", func(t *testing.T) {
		clk := newClock()
		c := newTestCache(t, Config{}, clk)
		mustFetch(t, c, d, email, def, &fetcher{})
		clk.Advance(70 * time.Minute)
		fail := &fetcher{f: func(int64) (*enrichers.Finding, error) { return nil, errors.New("down") }}
		got, cached, at, err := c.Fetch(t.Context(), d, email, def, fail.fetch)
		if err != nil || !cached || tag(got) != "1" || !at.Equal(t0) {
			t.Fatalf("got=%s cached=%v at=%v err=%v, want the stale entry", tag(got), cached, at, err)
		}
	})
}

// gate is a fetch that blocks until released, counting calls and the
// most that ran at once; each call reports its number on entered.
type gate struct {
	release chan struct{}
	entered chan int64
	calls   atomic.Int64
	running atomic.Int64
	maxRun  atomic.Int64
}

func newGate() *gate { return &gate{release: make(chan struct{}), entered: make(chan int64, 128)} }

func (g *gate) fetch(ctx context.Context) (*enrichers.Finding, error) {
	n := g.calls.Add(1)
	r := g.running.Add(1)
	defer g.running.Add(-1)
	for {
		m := g.maxRun.Load()
		if r <= m || g.maxRun.CompareAndSwap(m, r) {
			break
		}
	}
	select {
	case g.entered <- n:
	default: // nobody is counting this many calls
	}
	select {
	case <-g.release:
		return found(100 + n), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hangGuard bounds a wait for a signal, so a broken test fails with a
// message instead of hanging; a passing run never comes near it.
const hangGuard = 30 * time.Second

// await receives from ch, or fails the test after hangGuard.
func await[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("no %s within %v", what, hangGuard)
		panic("unreachable")
	}
}

// The tests below that wait on background work run in a synctest bubble
// (cache, clock and goroutines inside it): synctest.Wait returns once
// every goroutine of the test is blocked, so "the refresh has started" or
// "the followers have joined the flight" is a fact, not a sleep.

// TestStaleWhileRevalidate: past its TTL, within the stale window, a
// request short of time gets the stale entry at once; one background
// refresh replaces it, however many requests see it stale.
func TestStaleWhileRevalidate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		c := newTestCache(t, Config{TightBudget: time.Hour}, clk)
		d := src("swr")
		mustFetch(t, c, d, email, def, &fetcher{})
		clk.Advance(75 * time.Minute)

		g := newGate()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // < TightBudget: tight
		defer cancel()
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				got, cached, at, err := c.Fetch(ctx, d, email, def, g.fetch)
				if err != nil || !cached || tag(got) != "1" || !at.Equal(t0) {
					t.Errorf("stale read: tag=%s cached=%v at=%v err=%v", tag(got), cached, at, err)
				}
			})
		}
		wg.Wait() // every caller returned while the refresh is still blocked
		synctest.Wait()
		if n := g.calls.Load(); n != 1 {
			t.Errorf("background refreshes started = %d, want 1", n)
		}
		if n := c.Count("all", d.Name, "stale_hits"); n != 20 {
			t.Errorf("stale_hits = %d, want 20", n)
		}
		if n := c.Count("all", d.Name, "refreshes_queued"); n != 1 {
			t.Errorf("refreshes_queued = %d, want 1", n)
		}
		close(g.release)
		synctest.Wait()
		if got, _, ok := c.peek(d, email, def); !ok || tag(got) != "101" {
			t.Errorf("after the refresh: peek = %s, %v, want the refreshed 101", tag(got), ok)
		}
		if g.calls.Load() != 1 {
			t.Errorf("background refreshes = %d, want 1", g.calls.Load())
		}
		// A request with time to spare waits for a synchronous refresh instead.
		clk.Advance(75 * time.Minute)
		f := &fetcher{}
		if got, cached := mustFetch(t, c, d, email, def, f); cached || tag(got) != "1" {
			t.Errorf("relaxed request: cached=%v tag=%s, want a synchronous fetch", cached, tag(got))
		}
	})
}

// TestRefreshPoolBounded: background refreshes run on at most
// RefreshWorkers goroutines; beyond RefreshQueue waiting, they are dropped.
func TestRefreshPoolBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		c := newTestCache(t, Config{TightBudget: time.Hour, RefreshWorkers: 2, RefreshQueue: 3}, clk)
		d := src("pool")
		const n = 12
		ids := make([]enrichers.Identifier, n)
		for i := range ids {
			ids[i] = enrichers.Identifier{Kind: enrichers.KindUsername, Value: "user" + strings.Repeat("x", i), Method: "input"}
			mustFetch(t, c, d, ids[i], def, &fetcher{})
		}
		clk.Advance(75 * time.Minute)
		g := newGate()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		for _, id := range ids {
			if _, cached, _, err := c.Fetch(ctx, d, id, def, g.fetch); err != nil || !cached {
				t.Fatalf("stale read: cached=%v err=%v", cached, err)
			}
		}
		synctest.Wait()
		if r := g.running.Load(); r != 2 {
			t.Errorf("%d refreshes running, want both workers busy", r)
		}
		queued, dropped := c.Count("all", d.Name, "refreshes_queued"), c.Count("all", d.Name, "refreshes_dropped")
		if queued+dropped != n || queued > 2+3 || dropped < n-(2+3) {
			t.Errorf("queued=%d dropped=%d of %d, want at most workers+queue=5 queued", queued, dropped, n)
		}
		close(g.release)
		synctest.Wait()
		if calls := g.calls.Load(); calls != queued {
			t.Errorf("%d refreshes ran, want the %d queued", calls, queued)
		}
		if m := g.maxRun.Load(); m > 2 {
			t.Errorf("%d refreshes ran at once, want ≤ 2 workers", m)
		}
	})
}

// TestCloseCancelsRefresh: Close does not wait out a hanging refresh.
func TestCloseCancelsRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newClock()
		c := newTestCache(t, Config{TightBudget: time.Hour}, clk)
		d := src("close")
		d.Timeout = time.Hour // the refresh's own deadline: 2h
		mustFetch(t, c, d, email, def, &fetcher{})
		clk.Advance(75 * time.Minute)
		g := newGate() // never released
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if _, _, _, err := c.Fetch(ctx, d, email, def, g.fetch); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if g.running.Load() != 1 {
			t.Fatal("the background refresh is not running")
		}
		done := make(chan struct{})
		go func() { _ = c.Close(); close(done) }()
		// In the bubble time moves only when every goroutine is blocked:
		// a Close that waited for the refresh would let the fake clock run
		// to this timer (long before the refresh's 2h deadline).
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("Close waited for a hanging refresh")
		}
	})
}

// TestSingleFlight: 100 concurrent identical gets make one fetch.
func TestSingleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestCache(t, Config{}, nil)
		d := src("sf")
		const n = 100
		g := newGate()
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				got, _, _, err := c.Fetch(t.Context(), d, email, def, g.fetch)
				if err != nil || tag(got) != "101" {
					t.Errorf("tag=%s err=%v", tag(got), err)
				}
			})
		}
		synctest.Wait() // all n callers are in the cache: fetching or waiting for the fetch
		if g.calls.Load() != 1 {
			t.Errorf("%d fetches under way for %d identical gets, want 1", g.calls.Load(), n)
		}
		close(g.release)
		wg.Wait()
		if g.calls.Load() != 1 {
			t.Fatalf("%d fetches for %d identical gets, want 1", g.calls.Load(), n)
		}
		if got := c.Count("all", d.Name, "merged"); got != n-1 {
			t.Errorf("merged = %d, want %d (every caller but the one fetching)", got, n-1)
		}
	})
}

// TestSingleFlightFollowerCancel: a follower whose ctx ends stops waiting;
// the flight goes on for the others.
func TestSingleFlightFollowerCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestCache(t, Config{}, nil)
		d := src("sf-cancel")
		g := newGate()
		done := make(chan error, 1)
		go func() {
			_, _, _, err := c.Fetch(t.Context(), d, email, def, g.fetch)
			done <- err
		}()
		synctest.Wait()
		if g.calls.Load() != 1 {
			t.Fatal("the leader is not fetching")
		}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		if _, _, _, err := c.Fetch(ctx, d, email, def, g.fetch); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("follower err = %v, want its deadline", err)
		}
		close(g.release)
		if err := <-done; err != nil {
			t.Fatalf("leader: %v", err)
		}
		if g.calls.Load() != 1 {
			t.Fatalf("calls = %d", g.calls.Load())
		}
	})
}

// TestCorruptL1: corrupt and old-version bytes in L1 are a miss, not an
// error: the source is asked again and the entry is overwritten.
func TestCorruptL1(t *testing.T) {
	for name, b := range corruptions(t) {
		t.Run(name, func(t *testing.T) {
			c := newTestCache(t, Config{}, nil)
			d := src("corrupt")
			key := c.keys.Key(d, email)
			if err := c.l1.Set(key, b); err != nil {
				t.Fatal(err)
			}
			if _, _, ok := c.peek(d, email, def); ok {
				t.Fatal("corrupt bytes read as an entry")
			}
			f := &fetcher{}
			got, cached := mustFetch(t, c, d, email, def, f)
			if cached || f.calls.Load() != 1 || tag(got) != "1" {
				t.Fatalf("cached=%v calls=%d tag=%s, want a fetch", cached, f.calls.Load(), tag(got))
			}
			if c.Count("l1", d.Name, "corrupt") != 1 {
				t.Errorf("l1 corrupt = %d, want 1", c.Count("l1", d.Name, "corrupt"))
			}
			if got, cached := mustFetch(t, c, d, email, def, f); !cached || tag(got) != "1" {
				t.Errorf("after refetch: cached=%v tag=%s, want the overwritten entry", cached, tag(got))
			}
		})
	}
}

// TestPurgeL1: Purge removes every source's entries of the subject and
// nothing else.
func TestPurgeL1(t *testing.T) {
	c := newTestCache(t, Config{}, nil)
	ds := []enrichers.Description{src("github"), src("gravatar"), src("hibp")}
	other := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "bob@example.com", Method: "input"}
	for _, d := range ds {
		for _, id := range []enrichers.Identifier{email, phone, other} {
			mustFetch(t, c, d, id, def, &fetcher{})
		}
	}
	// Purge by bare identifiers (no provenance) reaches the input entries.
	bare := []enrichers.Identifier{{Kind: email.Kind, Value: email.Value}, {Kind: phone.Kind, Value: phone.Value}}
	if _, err := c.Purge(t.Context(), ds, bare); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, id := range []enrichers.Identifier{email, phone} {
			if _, err := c.l1.Get(c.keys.Key(d, id)); err == nil {
				t.Errorf("%s/%s survived Purge", d.Name, id.Kind)
			}
			f := &fetcher{}
			if _, cached := mustFetch(t, c, d, id, def, f); cached || f.calls.Load() != 1 {
				t.Errorf("%s/%s: cached after Purge", d.Name, id.Kind)
			}
		}
		if _, err := c.l1.Get(c.keys.Key(d, other)); err != nil {
			t.Errorf("%s: another subject's entry was purged", d.Name)
		}
	}
	if _, err := c.Purge(t.Context(), nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestStats: counters move with hits, misses, stale hits, too-old entries,
// sets and corrupt entries.
func TestStats(t *testing.T) {
	synctest.Test(t, testStats)
}

func testStats(t *testing.T) {
	clk := newClock()
	c := newTestCache(t, Config{TightBudget: time.Hour}, clk)
	d := src("stats")
	f := &fetcher{}
	mustFetch(t, c, d, email, def, f)                                                            // miss, set
	mustFetch(t, c, d, email, def, f)                                                            // hit
	mustFetch(t, c, d, email, def, f)                                                            // hit
	mustFetch(t, c, d, email, engine.CachePolicy{Mode: engine.CacheDefault, HasMaxAge: true}, f) // refresh: miss, set
	clk.Advance(2 * time.Minute)
	mustFetch(t, c, d, email, engine.CachePolicy{Mode: engine.CacheDefault, MaxAge: time.Minute, HasMaxAge: true}, f) // too old: miss, set
	clk.Advance(70 * time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, cached, _, err := c.Fetch(ctx, d, email, def, f.fetch); err != nil || !cached { // stale hit + refresh
		t.Fatal(cached, err)
	}
	synctest.Wait()                             // the background refresh is done
	if _, _, ok := c.peek(d, email, def); !ok { // hit
		t.Fatal("no fresh entry after the background refresh")
	}
	mustFetch(t, c, d, email, def, f) // hit
	_ = c.l1.Set(c.keys.Key(d, phone), []byte("junk"))
	mustFetch(t, c, d, phone, def, f) // corrupt, miss, set

	want := map[[2]string]int64{
		{"all", "hits"}: 3, {"all", "misses"}: 4, {"all", "stale_hits"}: 1, {"all", "too_old"}: 1,
		{"all", "refreshes_queued"}: 1,
		{"l1", "hits"}:              5, {"l1", "misses"}: 1, {"l1", "corrupt"}: 1, {"l1", "sets"}: 5,
	}
	for k, v := range want {
		if got := c.Count(k[0], d.Name, k[1]); got != v {
			t.Errorf("%s/%s = %d, want %d", k[0], k[1], got, v)
		}
	}
	var sum int64
	for _, ct := range c.Stats() {
		if ct.Source == d.Name {
			sum += ct.Value
		}
	}
	if sum == 0 {
		t.Error("Stats() lists no counters of the source")
	}
	if c.Ready(t.Context()) != nil {
		t.Error("Ready without Redis should be nil")
	}
}

// TestL1KeysHaveNoPII: what lands in L1 is keyed by hashes only.
func TestL1KeysHaveNoPII(t *testing.T) {
	c := newTestCache(t, Config{}, nil)
	user := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "alice_handle", Method: "linked_from:gravatar"}
	for _, d := range []enrichers.Description{src("github"), src("phone")} {
		for _, id := range []enrichers.Identifier{email, phone, user} {
			mustFetch(t, c, d, id, def, &fetcher{})
		}
	}
	it := c.l1.Iterator()
	n := 0
	for it.SetNext() {
		e, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		n++
		assertNoPII(t, e.Key())
	}
	if n != 6 {
		t.Fatalf("L1 holds %d entries, want 6", n)
	}
}

func assertNoPII(t *testing.T, key string) {
	t.Helper()
	if !strings.HasPrefix(key, keyPrefix) {
		t.Errorf("key %q lacks the versioned prefix", key)
	}
	low := strings.ToLower(key)
	for _, raw := range []string{"alice", "example", "4155550123", "+1415", "@", "github", "phone", "email", "username"} {
		if strings.Contains(low, raw) {
			t.Errorf("key %q contains %q", key, raw)
		}
	}
}

// TestProvenanceKeyed: the same username reached by different means is
// cached separately — sources stamp the identifier's Method on what they
// find, so a guess's finding must not answer a verified link.
func TestProvenanceKeyed(t *testing.T) {
	c := newTestCache(t, Config{}, nil)
	d := src("github")
	guess := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "alice", Method: "username_guess"}
	link := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "alice", Method: "linked_from:gravatar", Platform: "github"}
	stamp := func(id enrichers.Identifier) *fetcher {
		return &fetcher{f: func(int64) (*enrichers.Finding, error) {
			return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "github", Username: "alice", Method: id.Method}}}, nil
		}}
	}
	fg, fl := stamp(guess), stamp(link)
	mustFetch(t, c, d, guess, def, fg)
	got, cached := mustFetch(t, c, d, link, def, fl)
	if cached || fl.calls.Load() != 1 || got.Accounts[0].Method != link.Method {
		t.Fatalf("link served the guess's finding (cached=%v method=%s)", cached, got.Accounts[0].Method)
	}
	if got, cached := mustFetch(t, c, d, guess, def, fg); !cached || got.Accounts[0].Method != guess.Method {
		t.Fatalf("guess: cached=%v method=%s", cached, got.Accounts[0].Method)
	}
	// The prior is not provenance: it does not split the cache.
	p := guess
	p.Prior = 0.3
	if _, cached := mustFetch(t, c, d, p, def, fg); !cached {
		t.Error("a different prior missed the cache")
	}
}
