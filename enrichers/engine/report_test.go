package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// onlyCache has nothing cached: in cache-only mode every lookup is a miss.
type onlyCache struct{}

func (onlyCache) Fetch(ctx context.Context, d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy,
	fetch func(context.Context) (*enrichers.Finding, error)) (*enrichers.Finding, bool, time.Time, error) {
	if p.Mode == engine.CacheOnly {
		return nil, false, time.Time{}, engine.ErrCacheMiss
	}
	f, err := fetch(ctx)
	return f, false, time.Now(), err
}

// TestReportCounts: the report counts the lookups footprint's own limiter
// held back (HeldBack) and the cache-only misses (CacheMisses), which the
// jobs and the cache-only check read instead of the Detail text; an
// upstream's own 429 is rate_limited too but never counts as held back.
func TestReportCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 5/s, burst 1: a second call within 60 ms is held back locally.
		local := &fake{name: "local", rate: 5, burst: 1, tmo: time.Second}
		e := newEngine(t, engine.Options{}, local)
		run(e, time.Second, engine.Request{})
		r := statusOf(t, run(e, 60*time.Millisecond, engine.Request{}), "local")
		if r.Status != enrichers.StatusRateLimited || r.HeldBack != 1 || r.CacheMisses != 0 {
			t.Errorf("held back locally: %+v, want rate_limited with HeldBack 1", r)
		}

		upstream := &fake{name: "upstream", rate: 100, burst: 100, tmo: time.Second,
			fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
				// Worded like a local refusal on purpose: only the count says which.
				return nil, &enrichers.SourceError{Source: "upstream", Status: enrichers.StatusRateLimited,
					Err: errors.New("HTTP 429: held back by footprint's own rate limit")}
			}}
		e = newEngine(t, engine.Options{}, upstream)
		r = statusOf(t, run(e, time.Second, engine.Request{}), "upstream")
		if r.Status != enrichers.StatusRateLimited || r.HeldBack != 0 || !strings.Contains(r.Detail, "held back") {
			t.Errorf("upstream 429: %+v, want rate_limited with HeldBack 0", r)
		}

		cached := &fake{name: "cached", rate: 100, burst: 100, tmo: time.Second, net: true}
		e = newEngine(t, engine.Options{Cache: onlyCache{}}, cached)
		r = statusOf(t, run(e, time.Second, engine.Request{Cache: engine.CachePolicy{Mode: engine.CacheOnly}}), "cached")
		if r.CacheMisses != 1 || r.HeldBack != 0 || cached.calls.Load() != 0 {
			t.Errorf("cache-only miss: %+v (%d calls), want CacheMisses 1 and no call", r, cached.calls.Load())
		}
	})
}

// TestReportFailed: Failed counts a source's failed calls, also when others
// answered and its status is ok.
func TestReportFailed(t *testing.T) {
	tests := []struct {
		name       string
		fail       []string // the usernames whose calls fail
		wantStatus enrichers.Status
		wantFailed int
	}{
		{"all answered", nil, enrichers.StatusOK, 0},
		{"one of three failed", []string{"b"}, enrichers.StatusOK, 1},
		{"all failed", []string{"a", "b", "c"}, enrichers.StatusError, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fake{name: "some", inputs: []enrichers.Kind{enrichers.KindUsername}, tmo: time.Second,
				fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
					for _, f := range tt.fail {
						if id.Value == f {
							return nil, errors.New("upstream broke")
						}
					}
					return &enrichers.Finding{}, nil
				}}
			e := newEngine(t, engine.Options{}, src)
			var ids []enrichers.Identifier
			for _, u := range []string{"a", "b", "c"} {
				ids = append(ids, enrichers.Identifier{Kind: enrichers.KindUsername, Value: u, Method: enrichers.MethodInput, Prior: 1})
			}
			r := statusOf(t, run(e, time.Second, engine.Request{Identifiers: ids}), "some")
			if r.Status != tt.wantStatus || r.Failed != tt.wantFailed || r.Calls != 3 {
				t.Errorf("%+v, want status %s with Failed %d of 3 calls", r, tt.wantStatus, tt.wantFailed)
			}
		})
	}
}
