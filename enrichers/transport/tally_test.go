package transport_test

import (
	"context"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/transport"
)

// TestTallyCountsTokensTaken: a tally counts each token work under it took
// — a request's, an admission's — once (spending the admission takes
// none), also in its parent; waiting for a turn takes none; work outside
// it counts nowhere.
func TestTallyCountsTokensTaken(t *testing.T) {
	a, b := transport.NewLimiter(100, 100), transport.NewLimiter(100, 100)
	job := transport.NewTally(nil)
	row := transport.NewTally(job)
	ctx := transport.WithTally(context.Background(), row)

	if err := a.Take(ctx, "a"); err != nil { // a request: 1
		t.Fatal(err)
	}
	actx, err := a.Admit(ctx, "a") // an admission: 1 ...
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Take(actx, "a"); err != nil { // ... spent by the first request: 0
		t.Fatal(err)
	}
	pctx, err := b.AwaitTurn(ctx) // a turn: 0 ...
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Take(pctx, "b"); err != nil { // ... its request: 1
		t.Fatal(err)
	}
	if err := b.Take(context.Background(), "b"); err != nil { // outside the tally
		t.Fatal(err)
	}
	for name, tl := range map[string]*transport.Tally{"row": row, "job": job} {
		if got := tl.Counts(); len(got) != 2 || got[a] != 2 || got[b] != 1 {
			t.Errorf("%s: a %d, b %d (%d limiters), want a 2, b 1", name, got[a], got[b], len(got))
		}
	}
}
