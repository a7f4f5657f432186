package privacy_test

import (
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
)

// BenchmarkCachedLookupSuppressionCheck measures a repeat lookup (the
// memo and the fast path answer it) with the privacy store in PostgreSQL:
// "store" asks the store whether the subject is suppressed on every
// lookup (as before the list was kept in memory, and as replicas on
// PostgreSQL without Redis still do), "memory" asks the replica's copy.
// Needs FOOTPRINT_TEST_DATABASE_URL and FOOTPRINT_TEST_REDIS_URL.
//
//	go test ./internal/app/privacy -run '^$' -bench CachedLookupSuppressionCheck -count 6
func BenchmarkCachedLookupSuppressionCheck(b *testing.B) {
	st, err := privacy.OpenPostgres(b.Context(), pgtest.New(b))
	if err != nil {
		b.Fatal(err)
	}
	in := pipeline.Input{Email: "jane.doe@gmail.com"}
	for _, mode := range []struct {
		name     string
		inMemory bool
	}{{"store", false}, {"memory", true}} {
		w := newWorldWith(b, 1, worldOptions{redis: true, store: st, inMemory: mode.inMemory, reload: time.Hour})
		r := w.replicas[0]
		// A suppressed subject besides, so the list is not empty.
		other, err := r.priv.Identify("someone.else@example.com", "", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := r.priv.Suppress(b.Context(), other, "", "bench"); err != nil {
			b.Fatal(err)
		}
		lookup(b, r, in) // remembered from now on
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			calls := w.calls.n.Load()
			for b.Loop() {
				if p := lookup(b, r, in); p.Suppressed {
					b.Fatal("suppressed")
				}
			}
			b.ReportMetric(float64(w.calls.n.Load()-calls)/float64(b.N), "store-calls/op")
		})
	}
}
