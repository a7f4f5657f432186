// Package names is the offline source that turns a person's full name into
// the usernames people most often build from it (janedoe, jane.doe,
// jane_doe, jdoe, …), so username sources can look them up in the next
// round. The guesses are weak evidence: identity resolution weighs what the
// platforms return for them (display name, location, cross-links).
package names

import (
	"context"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/personname"
)

// Name is the source name.
const Name = "names"

// variantPrior scales the name's own prior for each username built from it:
// people reuse a name-based handle often, but far from always.
const variantPrior = 0.5

// Source is the names source.
type Source struct{}

var _ enrichers.Enricher = Source{}

// New returns the source.
func New() Source { return Source{} }

// Describe implements enrichers.Enricher.
func (Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Offline: usernames commonly built from the person's full name, as low-prior guesses for username sources.",
		Version:     2,
		Inputs:      []enrichers.Kind{enrichers.KindName},
		Network:     false,
		Inline:      true,
		RatePerS:    100000,
		Burst:       100000,
		Timeout:     100 * time.Millisecond,
		TTL:         30 * 24 * time.Hour,
		NegativeTTL: 30 * 24 * time.Hour,
	}
}

// Enrich implements enrichers.Enricher.
func (Source) Enrich(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	vs := Variants(id.Value)
	if len(vs) == 0 {
		return &enrichers.Finding{NotFound: true}, nil
	}
	prior := id.EffectivePrior()
	f := &enrichers.Finding{}
	for _, v := range vs {
		f.Identifiers = append(f.Identifiers, enrichers.Identifier{
			Kind: enrichers.KindUsername, Value: v, Method: enrichers.MethodUsernameGuess, Prior: prior * variantPrior,
		})
	}
	return f, nil
}

// Variants returns the usernames most often built from a full name, most
// common first; nil unless the name has a first and a last part. A name of
// three or more words is read both ways: the last word as the surname, and
// every word after the first as one (van den Berg, de Vries, García
// Márquez), as people with such surnames usually keep them whole.
func Variants(full string) []string {
	toks := Tokens(full)
	if len(toks) < 2 {
		return nil
	}
	f := toks[0]
	lasts := []string{toks[len(toks)-1]}
	if len(toks) > 2 {
		lasts = append(lasts, strings.Join(toks[1:], ""))
	}
	if len(f) < 2 || len(lasts[0]) < 2 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range lasts {
		for _, v := range []string{f + l, f + "." + l, f + "_" + l, f + "-" + l, f[:1] + l, f + l[:1], l + f} {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// Tokens is personname.Tokens: a name's ASCII-folded words
// ("José  O'Brien-Díaz" → [jose obrien diaz]).
func Tokens(full string) []string { return personname.Tokens(full) }
