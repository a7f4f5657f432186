package pipeline

import (
	"testing"

	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/scoring"
)

// TestCacheOnlyWithNothingCached: options.cache "only" with nothing cached
// used to answer complete: true and verdict approve although nothing was
// checked (issue 22).
func TestCacheOnlyWithNothingCached(t *testing.T) {
	f := newFastFixture(t)
	ctx := t.Context()
	only := Input{Email: "jane@acme.example", Options: Options{Cache: string(engine.CacheOnly)}}
	p, err := f.svc.Enrich(ctx, only)
	if err != nil {
		t.Fatal(err)
	}
	if p.Complete || p.Risk.Verdict != scoring.VerdictReview || len(p.Risk.Reasons) == 0 || p.Risk.Reasons[0].Code != ReasonNotChecked {
		t.Fatalf("nothing cached: complete %v, verdict %s, reasons %+v; want incomplete, review, %s first",
			p.Complete, p.Risk.Verdict, p.Risk.Reasons, ReasonNotChecked)
	}
	if f.calls.Load() != 0 {
		t.Fatalf("cache only called a source %d times", f.calls.Load())
	}

	// Once the evidence is cached, cache-only answers as a normal lookup.
	if _, err := f.svc.Enrich(ctx, Input{Email: "jane@acme.example"}); err != nil {
		t.Fatal(err)
	}
	p, err = f.svc.Enrich(ctx, only)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Complete {
		t.Errorf("cached: complete false; sources %+v", p.Sources)
	}
	for _, r := range p.Risk.Reasons {
		if r.Code == ReasonNotChecked {
			t.Errorf("cached evidence still reported as not checked")
		}
	}
}
