package enrichers_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// Initials is a tiny offline source: it turns a person's name into the
// username "first initial + last name" (Jane Doe → jdoe), a guess for the
// username sources of the next round.
type Initials struct{}

var _ enrichers.Enricher = Initials{} // a compile-time interface guard

// Describe says what the source is and what it needs: the registry, the
// config loader, /v1/sources and the cache all read it.
func (Initials) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        "initials",
		Description: "Guesses the username 'first initial + last name' from a full name.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindName},
		Network:     false, // offline: no rate limit, never cached
		RatePerS:    1000,
		Burst:       1000,
		Timeout:     100 * time.Millisecond,
	}
}

// Enrich answers for one identifier. It returns a Finding, NotFound when
// it positively knows there is nothing, or an error (a *SourceError when
// the caller should branch on the status).
func (Initials) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	parts := strings.Fields(strings.ToLower(id.Value))
	if len(parts) < 2 {
		return &enrichers.Finding{NotFound: true}, nil
	}
	guess := parts[0][:1] + parts[len(parts)-1]
	return &enrichers.Finding{Identifiers: []enrichers.Identifier{{
		Kind:   enrichers.KindUsername,
		Value:  guess,
		Method: enrichers.MethodUsernameGuess,
		// A guess is weaker than what it was derived from.
		Prior: id.EffectivePrior() * 0.5,
	}}}, nil
}

// A source author writes an Enricher: Describe and Enrich. The engine
// (enrichers/engine) calls it; here it is called directly, as its tests do.
func Example() {
	name := enrichers.Identifier{Kind: enrichers.KindName, Value: "Jane Doe", Method: enrichers.MethodInput}
	f, err := Initials{}.Enrich(context.Background(), name)
	if err != nil {
		fmt.Println("error:", enrichers.StatusOf(err))
		return
	}
	for _, id := range f.Identifiers {
		fmt.Printf("%s %s (%s, prior %.1f)\n", id.Kind, id.Value, id.Method, id.Prior)
	}
	// Output:
	// username jdoe (username_guess, prior 0.5)
}

// A link found on a profile carries the source it was found on.
func ExampleLinkedFrom() {
	m := enrichers.LinkedFrom("github")
	from, ok := m.LinkSource()
	fmt.Println(m, m.IsLink(), from, ok)
	fmt.Println(enrichers.MethodUsernameGuess.IsLink())
	// Output:
	// linked_from:github true github true
	// false
}
