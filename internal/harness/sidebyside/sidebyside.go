// Package sidebyside benchmarks footprint's code next to a peer library
// doing the same work, in one run, so a speed target is a ratio that is
// re-measured rather than remembered.
package sidebyside

import (
	"syscall"
	"testing"
	"time"
)

// Compare runs ours and peer as sub-benchmarks "footprint" and peerName,
// each alone, reporting its process CPU time per call (cpu-ns/op); the
// second also reports cpu-ratio-apart, the peer's cpu-ns/op / ours. Then
// "ratio": both alternated in one loop, reporting peer time / our time
// (above 1: footprint is faster), and "cpu-ratio": the same in process CPU
// time (user + system, every thread, so the garbage collector's work too),
// over alternating blocks of 16 calls each. On a loaded machine wall time
// also counts the time other processes held the core; CPU time does not.
// When one side allocates much more than the other, the collector's
// background work that its allocations cause often runs during the other
// side's next block and is charged to it: cpu-ratio-apart, where each
// side's collections run within its own phase, is then the steadier CPU
// ratio.
func Compare(b *testing.B, peerName string, ours, peer func()) {
	b.Helper()
	var oursCPU float64 // cpu-ns/op of the last "footprint" run
	b.Run("footprint", func(b *testing.B) {
		b.ReportAllocs()
		c0, n := CPUTime(), 0
		for b.Loop() {
			ours()
			n++
		}
		oursCPU = float64(CPUTime()-c0) / float64(n)
		b.ReportMetric(oursCPU, "cpu-ns/op")
	})
	b.Run(peerName, func(b *testing.B) {
		b.ReportAllocs()
		c0, n := CPUTime(), 0
		for b.Loop() {
			peer()
			n++
		}
		peerCPU := float64(CPUTime()-c0) / float64(n)
		b.ReportMetric(peerCPU, "cpu-ns/op")
		if oursCPU > 0 {
			b.ReportMetric(peerCPU/oursCPU, "cpu-ratio-apart")
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
	b.Run("cpu-ratio", func(b *testing.B) {
		var cOurs, cPeer time.Duration
		for b.Loop() {
			c0 := CPUTime()
			for range 16 {
				ours()
			}
			c1 := CPUTime()
			for range 16 {
				peer()
			}
			cOurs, cPeer = cOurs+c1-c0, cPeer+CPUTime()-c1
		}
		b.ReportMetric(float64(cPeer)/float64(cOurs), "cpu-ratio")
	})
}

// CPUTime is the process's CPU time so far (user + system, every thread).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
