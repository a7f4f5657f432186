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

func TestMemo(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := now
	fail := false
	src := &fake{name: "net", net: true, tmo: time.Second, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		if fail {
			return nil, errors.New("down")
		}
		return &enrichers.Finding{}, nil
	}}
	c := &mapCache{m: map[string]*enrichers.Finding{}, at: now}
	e := newEngine(t, engine.Options{Cache: c, Now: func() time.Time { return clock }}, src)
	req := engine.Request{Identifiers: []enrichers.Identifier{email}}
	calls := func() int64 { return src.calls.Load() }

	if r := e.Run(context.Background(), req); !r.Complete || calls() != 1 {
		t.Fatalf("first run: complete %v, %d calls", r.Complete, calls())
	}
	// A repeat is answered from the memo: no fetch, sources read cached.
	r := e.Run(context.Background(), req)
	if calls() != 1 || !r.Sources[0].Cached || r.Sources[0].Latency != 0 {
		t.Fatalf("repeat: %d calls, %+v", calls(), r.Sources[0])
	}
	// max_age older than the evidence misses the memo; max_age 0 and
	// refresh go upstream.
	clock = now.Add(time.Minute)
	r = e.Run(context.Background(), engine.Request{Identifiers: req.Identifiers, Cache: engine.CachePolicy{HasMaxAge: true, MaxAge: 30 * time.Second}})
	if calls() != 1 {
		t.Fatalf("max_age: the mapCache serves it, but the memo must not have been used blindly (%d calls)", calls())
	}
	_ = r
	e.Run(context.Background(), engine.Request{Identifiers: req.Identifiers, Cache: engine.CachePolicy{Mode: engine.CacheRefresh}})
	if calls() != 2 {
		t.Fatalf("refresh: %d calls", calls())
	}
	// Past MemoTTL the memo is not used (the cache is asked again).
	clock = now.Add(engine.MemoTTL + time.Minute)
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
	e.Run(context.Background(), req)
	if calls() != 3 {
		t.Fatalf("after MemoTTL: %d calls", calls())
	}
	// ForgetMemo drops it.
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
	e.ForgetMemo()
	e.Run(context.Background(), req)
	if calls() != 4 {
		t.Fatalf("after ForgetMemo: %d calls", calls())
	}
	// An incomplete result is never remembered.
	other := engine.Request{Identifiers: []enrichers.Identifier{{Kind: enrichers.KindEmail, Value: "b@example.com", Method: enrichers.MethodInput, Prior: 1}}}
	fail = true
	if r := e.Run(context.Background(), other); r.Complete {
		t.Fatal("failing source reported complete")
	}
	fail = false
	before := calls()
	e.Run(context.Background(), other)
	if calls() != before+1 {
		t.Fatalf("incomplete result was remembered")
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
