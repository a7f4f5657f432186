package identity

import (
	"fmt"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

// crowdedLookup is a lookup the size of one at 100 000 people (about 70
// accounts): the subject's accounts among strangers holding the guessed
// handles and the name.
func crowdedLookup() (Subject, []enrichers.Account) {
	sub, accounts := lookup()
	platforms := []string{"bluesky", "devto", "github", "gitlab", "hackernews", "keybase", "mastodon", "reddit"}
	for i := range 67 {
		src := platforms[i%len(platforms)]
		accounts = append(accounts, acct(src, fmt.Sprintf("jane%d", i/len(platforms)), enrichers.MethodNameSearch, func(a *enrichers.Account) {
			a.DisplayName = []string{"Jane Doe", "Jane Smith", "J. Doe", ""}[i%4]
			a.Location = []string{"", "Boston", "Lyon"}[i%3]
			a.Bio = fmt.Sprintf("notes %d", i%5)
			a.Links = []string{fmt.Sprintf("https://%s.example/jane%d", platforms[(i+1)%len(platforms)], i/len(platforms))}
			a.Via = enrichers.Identifier{Kind: enrichers.KindName, Platform: src, Prior: 0.1}
		}))
	}
	return sub, accounts
}

// BenchmarkResolve compares the additive model alone with the second look
// on top of it, on one crowded lookup: read the two as a ratio.
func BenchmarkResolve(b *testing.B) {
	sub, accounts := crowdedLookup()
	for _, c := range []struct {
		name   string
		second bool
	}{{"additive", false}, {"second-look", true}} {
		m := DefaultModel()
		if !c.second {
			m.Second = nil
		} else if m.Second == nil {
			b.Fatal("no second look shipped")
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				m.Resolve(sub, accounts)
			}
		})
	}
}

// BenchmarkDecodeSecondLook is what decoding the embedded second look
// costs, once per process (shippedSecond).
func BenchmarkDecodeSecondLook(b *testing.B) {
	for b.Loop() {
		if defaultSecond() == nil {
			b.Fatal("no second look shipped")
		}
	}
}
