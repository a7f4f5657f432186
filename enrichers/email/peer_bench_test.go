//go:build peer

// The peer, AfterShip email-verifier, builds a 31 MB map of disposable
// domains when its package initializes: every binary that links it
// carries that heap, whose marking taxes whatever else runs there. Its
// benchmarks are therefore in this file only, built with -tags peer, so
// the email package's own test binary (and BenchmarkEmailSource) never
// links it. tools/email-peer-ratio.sh compares the two binaries.

package email

import (
	"context"
	"testing"

	emailverifier "github.com/AfterShip/email-verifier"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/harness/sidebyside"
)

// afterShipChecks runs AfterShip email-verifier v1.4.1's offline checks
// (syntax, free, role, disposable: Verify without its DNS and SMTP steps)
// on every address of peerAddresses.
func afterShipChecks(v *emailverifier.Verifier) {
	for _, a := range peerAddresses {
		syn := v.ParseAddress(a)
		_ = v.IsFreeDomain(syn.Domain)
		_ = v.IsRoleAccount(syn.Username)
		_ = v.IsDisposable(syn.Domain)
	}
}

// BenchmarkAfterShip is the peer alone, in a binary without the email
// source's lists in its heap: the other half of tools/email-peer-ratio.sh
// (BenchmarkEmailSource is the first). cpu-ns/op is process CPU time per
// pass over peerAddresses (the garbage collector's included).
func BenchmarkAfterShip(b *testing.B) {
	v := emailverifier.NewVerifier()
	afterShipChecks(v)
	cpuLoop(b, func() { afterShipChecks(v) })
}

// BenchmarkEmailVsAfterShip runs the email source and AfterShip's offline
// checks on the same addresses, one after the other in one process, and
// reports ratio = AfterShip's time / ours. In one process the source pays
// for marking AfterShip's 31 MB map (about 40 % of its CPU time here) and
// AfterShip for the source's lists: the fair ratio (issue 21 target ≥
// 0.5) is tools/email-peer-ratio.sh's, each side in its own process.
func BenchmarkEmailVsAfterShip(b *testing.B) {
	s := New()
	if err := s.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	v := emailverifier.NewVerifier()
	ids := make([]enrichers.Identifier, len(peerAddresses))
	for i, a := range peerAddresses {
		ids[i] = enrichers.Identifier{Kind: enrichers.KindEmail, Value: a}
	}
	ours := func() {
		for _, id := range ids {
			if _, err := s.Enrich(context.Background(), id); err != nil {
				b.Fatal(err)
			}
		}
	}
	peer := func() { afterShipChecks(v) }
	sidebyside.Compare(b, "aftership", ours, peer)
}

// BenchmarkListLookups compares the list lookups alone: free, disposable
// and role for each address.
func BenchmarkListLookups(b *testing.B) {
	l, err := New().load()
	if err != nil {
		b.Fatal(err)
	}
	v := emailverifier.NewVerifier()
	b.Run("footprint", func(b *testing.B) {
		for b.Loop() {
			for _, a := range peerAddresses {
				at := lastAt(a)
				local, domain := a[:at], a[at+1:]
				_ = l.free.has(domain)
				_ = l.isDisposable(domain)
				_ = l.isRole(local)
			}
		}
	})
	b.Run("aftership", func(b *testing.B) {
		for b.Loop() {
			for _, a := range peerAddresses {
				at := lastAt(a)
				_ = v.IsFreeDomain(a[at+1:])
				_ = v.IsDisposable(a[at+1:])
				_ = v.IsRoleAccount(a[:at])
			}
		}
	})
}

func lastAt(a string) int {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			return i
		}
	}
	return -1
}
