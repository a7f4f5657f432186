package scoring

import (
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ptrTime(t time.Time) *time.Time { return &t }

func match(p float64) *enrichers.Match {
	return &enrichers.Match{Probability: p, Method: "test"}
}

// acct builds an account with a match probability.
func acct(source, user string, m float64) enrichers.Account {
	return enrichers.Account{Source: source, Username: user, Match: match(m)}
}

// allOK marks every named source ok.
func allOK(names ...string) map[string]enrichers.Status {
	out := map[string]enrichers.Status{}
	for _, n := range names {
		out[n] = enrichers.StatusOK
	}
	return out
}

func probOf(ints []Interest, id string) float64 {
	for _, in := range ints {
		if in.ID == id {
			return in.Probability
		}
	}
	return -1
}

func priorProb(p Params, id string) float64 {
	v, ok := p.Interest.Prior[id]
	if !ok {
		v = p.Interest.DefaultPrior
	}
	return round4(sigmoid(v))
}
