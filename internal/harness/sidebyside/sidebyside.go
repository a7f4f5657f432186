// Package sidebyside benchmarks footprint's code next to a peer library
// doing the same work, in one run, so a speed target is a ratio that is
// re-measured rather than remembered.
package sidebyside

import (
	"testing"
	"time"
)

// Compare runs ours and peer as sub-benchmarks "footprint" and peerName,
// then "ratio": both alternated in one loop, reporting peer time / our time
// (above 1: footprint is faster).
func Compare(b *testing.B, peerName string, ours, peer func()) {
	b.Helper()
	b.Run("footprint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ours()
		}
	})
	b.Run(peerName, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			peer()
		}
	})
	b.Run("ratio", func(b *testing.B) {
		var tOurs, tPeer time.Duration
		for b.Loop() {
			t0 := time.Now()
			ours()
			t1 := time.Now()
			peer()
			tOurs, tPeer = tOurs+t1.Sub(t0), tPeer+time.Since(t1)
		}
		b.ReportMetric(float64(tPeer)/float64(tOurs), "ratio")
	})
}
