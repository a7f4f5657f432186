package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// mapCache is a read-through cache that never expires, enough to drive the
// engine's memo.
type mapCache struct {
	mu sync.Mutex
	m  map[string]*enrichers.Finding
	at time.Time
}

func (c *mapCache) Fetch(ctx context.Context, d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy,
	fetch func(context.Context) (*enrichers.Finding, error)) (*enrichers.Finding, bool, time.Time, error) {
	k := d.Name + "/" + id.Key()
	c.mu.Lock()
	f, ok := c.m[k]
	c.mu.Unlock()
	if ok && p.Mode != engine.CacheRefresh {
		return f, true, c.at, nil
	}
	f, err := fetch(ctx)
	if err != nil {
		return nil, false, time.Time{}, err
	}
	c.mu.Lock()
	c.m[k] = f
	c.mu.Unlock()
	return f, false, c.at, nil
}

// TestMemo: a repeat lookup is answered from the memo (no cache read, no
// source call, the same MemoID), max_age older than the evidence and
// refresh go past it, ForgetMemo drops it, and an incomplete result is
// never remembered. The source's TTL is an hour, so the memo (MemoTTL)
// is what ends first; TestMemoExpiry covers when it ends.
func TestMemo(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := now
	fail := false
	src := &fake{name: "net", net: true, tmo: time.Second, ttl: time.Hour, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		if fail {
			return nil, errors.New("down")
		}
		return &enrichers.Finding{}, nil
	}}
	c := &countingCache{mapCache: mapCache{m: map[string]*enrichers.Finding{}, at: now}}
	e := newEngine(t, engine.Options{Cache: c, Now: func() time.Time { return clock }}, src)
	req := engine.Request{Identifiers: []enrichers.Identifier{email}}
	ctx := context.Background()
	// run runs r and says how many cache reads and source calls it took.
	run := func(r engine.Request) (res *engine.Result, reads int, calls int64) {
		r0, c0 := c.readCount(), src.calls.Load()
		res = e.Run(ctx, r)
		return res, c.readCount() - r0, src.calls.Load() - c0
	}

	first, reads, calls := run(req)
	if !first.Complete || reads != 1 || calls != 1 || first.MemoID == 0 {
		t.Fatalf("first run: complete %v, %d reads, %d calls, memo id %d", first.Complete, reads, calls, first.MemoID)
	}
	// A repeat is answered from the memo: neither the cache nor the
	// source is asked, and sources read cached with no latency.
	r, reads, calls := run(req)
	if reads != 0 || calls != 0 || r.MemoID != first.MemoID || !r.Sources[0].Cached || r.Sources[0].Latency != 0 {
		t.Fatalf("repeat: %d reads, %d calls, memo id %d (first %d), %+v", reads, calls, r.MemoID, first.MemoID, r.Sources[0])
	}
	// A max_age the evidence is within still reads the memo; one it is
	// older than misses it (the cache answers); max_age 0 and refresh
	// never read it.
	clock = now.Add(time.Minute)
	if r, reads, _ = run(engine.Request{Identifiers: req.Identifiers, Cache: engine.CachePolicy{HasMaxAge: true, MaxAge: 2 * time.Minute}}); reads != 0 || r.MemoID != first.MemoID {
		t.Fatalf("max_age 2m, evidence 1m old: %d reads, memo id %d, want the memo's", reads, r.MemoID)
	}
	if r, reads, calls = run(engine.Request{Identifiers: req.Identifiers, Cache: engine.CachePolicy{HasMaxAge: true, MaxAge: 30 * time.Second}}); reads != 1 || calls != 0 || r.MemoID == first.MemoID {
		t.Fatalf("max_age 30s, evidence 1m old: %d reads, %d calls, memo id %d; want the cache's answer", reads, calls, r.MemoID)
	}
	if _, reads, _ = run(engine.Request{Identifiers: req.Identifiers, Cache: engine.CachePolicy{HasMaxAge: true}}); reads != 1 {
		t.Fatalf("max_age 0: %d reads, want the memo passed by", reads)
	}
	refreshed, _, calls := run(engine.Request{Identifiers: req.Identifiers, Cache: engine.CachePolicy{Mode: engine.CacheRefresh}})
	if calls != 1 {
		t.Fatalf("refresh: %d calls", calls)
	}
	// The refreshed result is the one remembered now.
	if r, reads, calls = run(req); reads != 0 || calls != 0 || r.MemoID != refreshed.MemoID {
		t.Fatalf("after refresh: %d reads, %d calls, memo id %d, want %d", reads, calls, r.MemoID, refreshed.MemoID)
	}
	// ForgetMemo drops it.
	e.ForgetMemo()
	if e.Remembered(req) != nil {
		t.Fatal("remembered after ForgetMemo")
	}
	if _, reads, _ = run(req); reads != 1 {
		t.Fatalf("after ForgetMemo: %d reads, want the cache asked", reads)
	}
	// An incomplete result is never remembered.
	other := engine.Request{Identifiers: []enrichers.Identifier{{Kind: enrichers.KindEmail, Value: "b@example.com", Method: enrichers.MethodInput, Prior: 1}}}
	fail = true
	if r, _, _ := run(other); r.Complete || r.MemoID != 0 {
		t.Fatalf("failing source: complete %v, memo id %d", r.Complete, r.MemoID)
	}
	fail = false
	if e.Remembered(other) != nil {
		t.Fatal("incomplete result was remembered")
	}
	if _, _, calls = run(other); calls != 1 {
		t.Fatalf("after an incomplete result: %d calls, want the source asked", calls)
	}
}

// TestMemoExpiry: a remembered result lives until the earliest of its
// findings' expiry (fetched_at + the source's TTL) and MemoTTL, on the
// engine's clock: a hit an instant before, a miss (the cache asked) at it.
func TestMemoExpiry(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		ttl     time.Duration // the source's
		fetched time.Duration // evidence age when remembered
		lives   time.Duration // from the run
	}{
		{"MemoTTL caps a long TTL", time.Hour, 0, engine.MemoTTL},
		{"a TTL shorter than MemoTTL", 2 * time.Minute, 0, 2 * time.Minute},
		{"cached evidence expires sooner", 2 * time.Minute, 90 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := now
			src := &fake{name: "net", net: true, tmo: time.Second, ttl: tt.ttl}
			c := &countingCache{mapCache: mapCache{m: map[string]*enrichers.Finding{}, at: now.Add(-tt.fetched)}}
			e := newEngine(t, engine.Options{Cache: c, Now: func() time.Time { return clock }}, src)
			req := engine.Request{Identifiers: []enrichers.Identifier{email}}
			first := e.Run(context.Background(), req)
			if first.MemoID == 0 || c.readCount() != 1 {
				t.Fatalf("first run: memo id %d, %d reads", first.MemoID, c.readCount())
			}
			clock = now.Add(tt.lives - time.Nanosecond)
			if r := e.Run(context.Background(), req); r.MemoID != first.MemoID || c.readCount() != 1 {
				t.Fatalf("just before expiry: memo id %d (want %d), %d reads", r.MemoID, first.MemoID, c.readCount())
			}
			clock = now.Add(tt.lives)
			if e.Remembered(req) != nil {
				t.Fatal("remembered at expiry")
			}
			if r := e.Run(context.Background(), req); r.MemoID == first.MemoID || c.readCount() != 2 {
				t.Fatalf("at expiry: memo id %d (first %d), %d reads; want the cache asked", r.MemoID, first.MemoID, c.readCount())
			}
		})
	}
}

func TestMemoDisabledWithoutCache(t *testing.T) {
	src := &fake{name: "net", tmo: time.Second}
	e := newEngine(t, engine.Options{}, src)
	e.Run(context.Background(), engine.Request{Identifiers: []enrichers.Identifier{email}})
	e.Run(context.Background(), engine.Request{Identifiers: []enrichers.Identifier{email}})
	if src.calls.Load() != 2 {
		t.Fatalf("without a cache nothing is remembered: %d calls", src.calls.Load())
	}
}

// countingCache counts the engine's cache reads.
type countingCache struct {
	mapCache
	reads int
}

func (c *countingCache) readCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

func (c *countingCache) Fetch(ctx context.Context, d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy,
	fetch func(context.Context) (*enrichers.Finding, error)) (*enrichers.Finding, bool, time.Time, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.mapCache.Fetch(ctx, d, id, p, fetch)
}

// Background runs (batch rows) read the memo but never fill it.
func TestMemoNotFilledByBackgroundWork(t *testing.T) {
	src := &fake{name: "net", net: true, tmo: time.Second, ttl: time.Hour, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{}, nil
	}}
	c := &countingCache{mapCache: mapCache{m: map[string]*enrichers.Finding{}, at: time.Now()}}
	e := newEngine(t, engine.Options{Cache: c}, src)
	req := engine.Request{Identifiers: []enrichers.Identifier{email}}
	bg := transport.WithBackground(context.Background())

	e.Run(bg, req)
	e.Run(bg, req)
	if c.reads != 2 {
		t.Fatalf("background repeat: %d cache reads, want 2 (no memo)", c.reads)
	}
	e.Run(context.Background(), req) // live: remembered
	e.Run(context.Background(), req) // from the memo
	e.Run(bg, req)                   // background reads the memo too
	if c.reads != 3 {
		t.Fatalf("%d cache reads, want 3", c.reads)
	}
}

// Offline sources are recomputed, never cached.
func TestOfflineSourcesBypassTheCache(t *testing.T) {
	c := &countingCache{mapCache: mapCache{m: map[string]*enrichers.Finding{}, at: time.Now()}}
	off := &fake{name: "offline", tmo: time.Second, ttl: time.Hour}
	on := &fake{name: "online", net: true, tmo: time.Second, ttl: time.Hour}
	e := newEngine(t, engine.Options{Cache: c, MemoEntries: -1}, off, on)
	req := engine.Request{Identifiers: []enrichers.Identifier{email}}
	e.Run(context.Background(), req)
	e.Run(context.Background(), req)
	if c.reads != 2 || off.calls.Load() != 2 || on.calls.Load() != 1 {
		t.Fatalf("%d cache reads, offline called %d times, online %d; want 2, 2, 1", c.reads, off.calls.Load(), on.calls.Load())
	}
}

// TestRememberedKeyThenRunMissed: a miss's key serves the run that
// follows; the result is remembered under it (or under the key RunMissed
// computes when given none), so the next lookup is a hit.
func TestRememberedKeyThenRunMissed(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	src := &fake{name: "net", net: true, tmo: time.Second, ttl: time.Hour, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{}, nil
	}}
	c := &mapCache{m: map[string]*enrichers.Finding{}, at: now}
	e := newEngine(t, engine.Options{Cache: c, Now: func() time.Time { return now }}, src)
	for i, k := range []string{"a@example.com", "b@example.com"} {
		req := engine.Request{Identifiers: []enrichers.Identifier{{Kind: enrichers.KindEmail, Value: k, Method: enrichers.MethodInput, Prior: 1}}}
		res, mk := e.RememberedKey(req)
		if res != nil || mk == (engine.MemoKey{}) {
			t.Fatalf("%s: first lookup: %v, key %v", k, res, mk)
		}
		if i == 1 {
			mk = engine.MemoKey{} // not computed: RunMissed computes it
		}
		if r := e.RunMissed(context.Background(), req, mk); !r.Complete {
			t.Fatalf("%s: run incomplete", k)
		}
		if res, again := e.RememberedKey(req); res == nil || res.MemoID == 0 || again == (engine.MemoKey{}) {
			t.Fatalf("%s: not remembered after RunMissed", k)
		}
	}
	// Without a cache there is no memo and no key.
	plain := newEngine(t, engine.Options{}, src)
	if res, mk := plain.RememberedKey(engine.Request{Identifiers: []enrichers.Identifier{email}}); res != nil || mk != (engine.MemoKey{}) {
		t.Fatalf("no memo: %v %v", res, mk)
	}
}

// TestMemoSkipsInlineOnlyRuns: a run of inline sources only (offline,
// microseconds) is recomputed, never remembered, as the cache never holds
// an offline finding; a run that selects any other source is remembered,
// the inline sources' findings with it.
func TestMemoSkipsInlineOnlyRuns(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		req        engine.Request
		remembered bool
	}{
		{"every source", engine.Request{}, true},
		{"inline only (options.sources)", engine.Request{Only: []string{"inline"}}, false},
		{"inline only (exclude_sources)", engine.Request{Exclude: []string{"net", "offline"}}, false},
		{"inline only (the others skipped)", engine.Request{Skip: map[string]string{"net": "suppressed", "offline": "suppressed"}}, false},
		{"an offline source that is not inline", engine.Request{Only: []string{"inline", "offline"}}, true},
		{"a network source", engine.Request{Only: []string{"inline", "net"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inline := &fake{name: "inline", inline: true, tmo: time.Second, ttl: time.Hour}
			offline := &fake{name: "offline", tmo: time.Second, ttl: time.Hour}
			net := &fake{name: "net", net: true, tmo: time.Second, ttl: time.Hour}
			c := &mapCache{m: map[string]*enrichers.Finding{}, at: now}
			e := newEngine(t, engine.Options{Cache: c, Now: func() time.Time { return now }}, inline, offline, net)
			req := tc.req
			req.Identifiers = []enrichers.Identifier{email}
			res, mk := e.RememberedKey(req)
			if res != nil || (mk != engine.MemoKey{}) != tc.remembered {
				t.Fatalf("first lookup: %v, key computed %v, want %v", res, mk != engine.MemoKey{}, tc.remembered)
			}
			for range 2 {
				if r := e.RunMissed(context.Background(), req, engine.MemoKey{}); !r.Complete || (r.MemoID != 0) != tc.remembered {
					t.Fatalf("run: complete %v, memo id %d", r.Complete, r.MemoID)
				}
			}
			if got := e.Remembered(req) != nil; got != tc.remembered {
				t.Fatalf("remembered %v, want %v", got, tc.remembered)
			}
			if n := inline.calls.Load(); n != 2 {
				t.Fatalf("inline source called %d times, want 2 (RunMissed runs)", n)
			}
		})
	}
}
