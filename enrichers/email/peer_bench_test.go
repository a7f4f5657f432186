package email

import (
	"context"
	"testing"

	emailverifier "github.com/AfterShip/email-verifier"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/harness/sidebyside"
)

// peerAddresses are what a checkout sees: people at free-mail providers and
// companies, a role account, a disposable address and a typo.
var peerAddresses = []string{
	"jane.doe@gmail.com", "john_walker91@yahoo.com", "m.bernard@acme-robotics.com", "info@acme-robotics.com",
	"x7@mailinator.com", "someone@gmial.com", "kowalski@student.uj.edu.pl", "li.wei@qq.com",
}

// BenchmarkEmailVsAfterShip runs the email source and AfterShip
// email-verifier v1.4.1's offline checks (syntax, free, role, disposable:
// Verify without its DNS and SMTP steps) on the same addresses, one after
// the other in one run, and reports ratio = AfterShip's time / ours (issue
// 21 target ≥ 0.5: the source does more, a typo hint and username guesses).
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
	peer := func() {
		for _, a := range peerAddresses {
			syn := v.ParseAddress(a)
			_ = v.IsFreeDomain(syn.Domain)
			_ = v.IsRoleAccount(syn.Username)
			_ = v.IsDisposable(syn.Domain)
		}
	}
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
