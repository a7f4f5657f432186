package metrics_test

import (
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/metrics"
)

// BenchmarkCachedLookup measures instrumentation on the cheapest path: a
// repeat POST /v1/enrich answered by the memo and the fast path, through
// the API, with metrics off and on (request observer, source-call
// counters). The two services answer alternately, so load on a shared
// machine hits both alike; it reports each one's ns per lookup and their
// ratio.
//
//	go test ./internal/app/metrics -run '^$' -bench CachedLookup -count 6
func BenchmarkCachedLookup(b *testing.B) {
	off := newWorld(b, 20, worldOptions{})
	on := newWorld(b, 20, worldOptions{m: metrics.New("bench")})
	req := body(off.sim.People()[0].Email)
	off.post(b, req) // remembered from now on
	on.post(b, req)
	var tOff, tOn time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		off.post(b, req)
		mid := time.Now()
		on.post(b, req)
		tOn += time.Since(mid)
		tOff += mid.Sub(start)
		n++
	}
	b.ReportMetric(float64(tOff.Nanoseconds())/float64(n), "off-ns/lookup")
	b.ReportMetric(float64(tOn.Nanoseconds())/float64(n), "on-ns/lookup")
	b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
}

// BenchmarkObserveCachedLookup is the instrumentation of one cached lookup
// alone: the request observer and one call counter per source that
// answered (the memo reports every source it remembers).
func BenchmarkObserveCachedLookup(b *testing.B) {
	m := metrics.New("bench")
	sources := []string{"github", "gitlab", "gravatar", "rdap", "dns", "mastodon", "website", "reddit", "keybase", "bluesky", "devto", "dockerhub"}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sources {
			m.ObserveCall(s, "ok", 0, true)
		}
		m.ObserveRequest("/v1/enrich", "POST", 200, time.Millisecond)
	}
}
