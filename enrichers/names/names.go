// Package names is the offline source that turns a person's full name into
// the usernames people most often build from it (janedoe, jane.doe,
// jane_doe, jdoe, …), so username sources can look them up in the next
// round. The guesses are weak evidence: identity resolution weighs what the
// platforms return for them (display name, location, cross-links).
package names

import (
	"context"
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

// Variants is personname.Variants: the usernames most often built from a
// full name, most common first.
func Variants(full string) []string { return personname.Variants(full) }

// Tokens is personname.Tokens: a name's ASCII-folded words
// ("José  O'Brien-Díaz" → [jose obrien diaz]).
func Tokens(full string) []string { return personname.Tokens(full) }
