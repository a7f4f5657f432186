package engine_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// TestRecentMix: SourceInfo.Recent counts each source's answered calls by
// status over the last RecentWindow, sliding: calls older than the window
// drop out, and a source that made no call has none.
func TestRecentMix(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }

	ok := &fake{name: "okay"}
	missing := &fake{name: "missing", fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{NotFound: true}, nil
	}}
	broken := &fake{name: "broken", fails: 100, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return nil, &enrichers.SourceError{Source: "broken", Status: enrichers.StatusError, Err: context.Canceled}
	}}
	idle := &fake{name: "idle", inputs: []enrichers.Kind{enrichers.KindPhone}}
	e := newEngine(t, engine.Options{Now: now}, ok, missing, broken, idle)
	recent := func() map[string]map[enrichers.Status]int {
		out := map[string]map[enrichers.Status]int{}
		for _, s := range e.Sources() {
			out[s.Name] = s.Recent
		}
		return out
	}

	run(e, time.Second, engine.Request{})
	advance(2 * time.Minute)
	run(e, time.Second, engine.Request{})
	want := map[string]map[enrichers.Status]int{
		"okay":    {enrichers.StatusOK: 2},
		"missing": {enrichers.StatusNotFound: 2},
		"broken":  {enrichers.StatusError: 2},
		"idle":    nil,
	}
	if got := recent(); !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("after two lookups: %v, want %v", got, want)
	}
	// The first lookup leaves the window; the second is still in it.
	advance(engine.RecentWindow - time.Minute)
	want = map[string]map[enrichers.Status]int{
		"okay":    {enrichers.StatusOK: 1},
		"missing": {enrichers.StatusNotFound: 1},
		"broken":  {enrichers.StatusError: 1},
		"idle":    nil,
	}
	if got := recent(); !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("%v later: %v, want %v", engine.RecentWindow+time.Minute, got, want)
	}
	advance(engine.RecentWindow)
	for name, m := range recent() {
		if m != nil {
			t.Errorf("%s still counts %v a window later", name, m)
		}
	}
}
