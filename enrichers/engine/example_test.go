package engine_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// initials guesses "first initial + last name" from a full name (see the
// enrichers package example).
type initials struct{}

func (initials) Describe() enrichers.Description {
	return enrichers.Description{Name: "initials", Version: 1, Inputs: []enrichers.Kind{enrichers.KindName},
		RatePerS: 1000, Burst: 1000, Timeout: 100 * time.Millisecond}
}

func (initials) Enrich(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	parts := strings.Fields(strings.ToLower(id.Value))
	if len(parts) < 2 {
		return &enrichers.Finding{NotFound: true}, nil
	}
	return &enrichers.Finding{Identifiers: []enrichers.Identifier{{Kind: enrichers.KindUsername,
		Value: parts[0][:1] + parts[len(parts)-1], Method: enrichers.MethodUsernameGuess, Prior: 0.5}}}, nil
}

// profiles "knows" one account per username: a second-round source fed by
// what initials found.
type profiles struct{}

func (profiles) Describe() enrichers.Description {
	return enrichers.Description{Name: "profiles", Version: 1, Inputs: []enrichers.Kind{enrichers.KindUsername},
		RatePerS: 1000, Burst: 1000, Timeout: 100 * time.Millisecond}
}

func (profiles) Enrich(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "profiles", Username: id.Value, Method: id.Method, Via: id}}}, nil
}

// Register sources in one explicit list, build the engine (it validates
// the configuration and does no I/O), and run a request: round 1 asks
// initials about the name, round 2 asks profiles about the username it
// guessed. Every registered source is reported, with a status.
func Example() {
	reg := engine.NewRegistry()
	reg.Register(initials{}, profiles{})
	e, err := engine.New(reg, engine.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res := e.Run(ctx, engine.Request{Identifiers: []enrichers.Identifier{
		{Kind: enrichers.KindName, Value: "Jane Doe", Method: enrichers.MethodInput, Prior: 1},
	}})
	fmt.Println("rounds:", res.Rounds, "complete:", res.Complete)
	for _, s := range res.Sources {
		fmt.Println(s.Name, s.Status, s.Calls)
	}
	for _, f := range res.Findings {
		for _, a := range f.Finding.Accounts {
			fmt.Printf("%s/%s found by %s\n", a.Source, a.Username, a.Method)
		}
	}
	// Output:
	// rounds: 2 complete: true
	// initials ok 1
	// profiles ok 1
	// profiles/jdoe found by username_guess
}
