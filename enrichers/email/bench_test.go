package email

import (
	"context"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/harness/sidebyside"
)

// peerAddresses are what a checkout sees: people at free-mail providers and
// companies, a role account, a disposable address and a typo.
var peerAddresses = []string{
	"jane.doe@gmail.com", "john_walker91@yahoo.com", "m.bernard@acme-robotics.com", "info@acme-robotics.com",
	"x7@mailinator.com", "someone@gmial.com", "kowalski@student.uj.edu.pl", "li.wei@qq.com",
}

// BenchmarkEmailSource is the email source alone on peerAddresses, in the
// package's test binary, which does not link AfterShip email-verifier
// (its benchmarks build with -tags peer): the first half of
// tools/email-peer-ratio.sh. cpu-ns/op is process CPU time per pass over
// the addresses (the garbage collector's included).
func BenchmarkEmailSource(b *testing.B) {
	s := New()
	if err := s.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	ids := make([]enrichers.Identifier, len(peerAddresses))
	for i, a := range peerAddresses {
		ids[i] = enrichers.Identifier{Kind: enrichers.KindEmail, Value: a}
	}
	cpuLoop(b, func() {
		for _, id := range ids {
			if _, err := s.Enrich(context.Background(), id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuLoop runs f b.N times and reports allocations and cpu-ns/op, the
// process CPU time (every thread: the garbage collector's too) per call.
func cpuLoop(b *testing.B, f func()) {
	b.Helper()
	b.ReportAllocs()
	c0 := sidebyside.CPUTime()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	b.ReportMetric(float64(sidebyside.CPUTime()-c0)/float64(n), "cpu-ns/op")
}
