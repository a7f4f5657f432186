// Package evaluate runs footprint's pipeline over a simulated population
// and measures it against the population's ground truth: identity
// resolution (which found accounts are the person's) and, with scoring, the
// calibration of every probability. `footprint eval` and the end-to-end
// tests use it.
package evaluate

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/sim"
)

// Outcome is one person's lookup.
type Outcome struct {
	Person  sim.Person
	Profile *pipeline.Profile
	Err     error
}

// Enricher is the data path (a *pipeline.Service).
type Enricher interface {
	Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error)
}

// Run enriches every person with at most concurrency lookups in flight,
// sending their email, phone and country, and their name when withName is
// set (as a checkout or CRM caller usually can). Candidates are always
// included so that metrics can use any threshold.
func Run(ctx context.Context, svc Enricher, people []sim.Person, concurrency int, opts pipeline.Options, withName bool) []Outcome {
	if concurrency < 1 {
		concurrency = 1
	}
	opts.IncludeCandidates = true
	out := make([]Outcome, len(people))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, p := range people {
		out[i].Person = p
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			in := pipeline.Input{Email: p.Email, Phone: p.Phone, Country: p.Country, Options: opts}
			if withName {
				in.Name = p.Name
			}
			out[i].Profile, out[i].Err = svc.Enrich(ctx, in)
		}()
	}
	wg.Wait()
	return out
}

// Sample draws m distinct people from world, the same m for the same seed,
// in the world's order: the people `footprint eval --world N --people M`
// enriches. m ≥ len(world) returns the whole world.
func Sample(world []sim.Person, m int, seed int64) []sim.Person {
	if m >= len(world) {
		return slices.Clone(world)
	}
	if m <= 0 {
		return nil
	}
	// A partial Fisher–Yates shuffle of the indexes on a stream of its own,
	// so the sample does not depend on how the world was drawn from seed.
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5a3b1e5a3b1e))
	idx := make([]int, len(world))
	for i := range idx {
		idx[i] = i
	}
	for i := range m {
		j := i + rng.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	idx = idx[:m]
	slices.Sort(idx)
	out := make([]sim.Person, m)
	for i, k := range idx {
		out[i] = world[k]
	}
	return out
}

// AccountMetrics measures identity resolution at one threshold.
type AccountMetrics struct {
	Threshold float64 `json:"threshold"`
	// TrueAccounts is how many accounts the population really has;
	// Recovered how many of them came back with p ≥ Threshold.
	TrueAccounts int     `json:"true_accounts"`
	Recovered    int     `json:"recovered"`
	Recall       float64 `json:"recall"`
	// Returned is how many accounts came back with p ≥ Threshold; Wrong
	// how many of those belong to someone else.
	Returned   int     `json:"returned"`
	Wrong      int     `json:"wrong"`
	FalseShare float64 `json:"false_share"`
	// Errors counts lookups that failed outright.
	Errors int `json:"errors"`
	// Incomplete counts, by "source:status", the lookups in which a source
	// gave no definitive answer (timeout, rate_limited, circuit_open,
	// blocked, error), and by "source:partly_failed" those in which it
	// answered but some of its calls failed: what it would have found is
	// missing from recall.
	Incomplete map[string]int `json:"incomplete,omitempty"`
	// BySource breaks recall and errors down by platform.
	BySource map[string]*SourceMetrics `json:"by_source"`
}

// incomplete counts one lookup under key in Incomplete.
func (m *AccountMetrics) incomplete(key string) {
	if m.Incomplete == nil {
		m.Incomplete = map[string]int{}
	}
	m.Incomplete[key]++
}

// SourceMetrics is identity resolution on one platform.
type SourceMetrics struct {
	TrueAccounts int `json:"true_accounts"`
	// Found is how many true accounts came back at any probability.
	Found     int `json:"found"`
	Recovered int `json:"recovered"`
	Wrong     int `json:"wrong"`
}

// Key normalizes (source, username) so the pipeline's accounts and the
// simulation's truth compare equal.
func Key(source, username string) string {
	u := strings.ToLower(username)
	u = strings.TrimSuffix(u, ".bsky.social")
	u = strings.TrimPrefix(u, "@")
	if i := strings.IndexByte(u, '@'); i > 0 { // mastodon acct user@instance
		u = u[:i]
	}
	return source + "\x00" + u
}

// MatchCalibration measures the match probabilities themselves: over every
// account a lookup returned (candidates included, as Run requests them),
// the probability that it is the subject's against the population's truth.
// An account returned twice counts once, at its highest probability (as
// Accounts counts it); an account without a match probability and failed
// lookups are left out.
func MatchCalibration(outs []Outcome) Calibration {
	var p []float64
	var y []bool
	for _, o := range outs {
		if o.Err != nil || o.Profile == nil {
			continue
		}
		truth := map[string]bool{}
		for _, a := range o.Person.Truth.Accounts {
			truth[Key(a.Source, a.Username)] = true
		}
		seen := map[string]int{} // key → index in p
		for _, a := range o.Profile.Accounts {
			if a.Match == nil {
				continue
			}
			k := Key(a.Source, a.Username)
			if i, ok := seen[k]; ok {
				p[i] = max(p[i], a.Match.Probability)
				continue
			}
			seen[k] = len(p)
			p = append(p, a.Match.Probability)
			y = append(y, truth[k])
		}
	}
	return measure(MatchTarget, p, y)
}

// MatchTarget names the match-probability calibration in reports and
// reliability diagrams.
const MatchTarget = "identity match (every returned account)"

// Accounts computes identity-resolution metrics at threshold.
func Accounts(outs []Outcome, threshold float64) AccountMetrics {
	m := AccountMetrics{Threshold: threshold, BySource: map[string]*SourceMetrics{}}
	src := func(name string) *SourceMetrics {
		if m.BySource[name] == nil {
			m.BySource[name] = &SourceMetrics{}
		}
		return m.BySource[name]
	}
	for _, o := range outs {
		truth := map[string]bool{}
		for _, a := range o.Person.Truth.Accounts {
			k := Key(a.Source, a.Username)
			if !truth[k] {
				src(a.Source).TrueAccounts++
			}
			truth[k] = true
		}
		m.TrueAccounts += len(truth)
		if o.Err != nil || o.Profile == nil {
			m.Errors++
			continue
		}
		for _, s := range o.Profile.Sources {
			switch s.Status {
			case enrichers.StatusOK, enrichers.StatusNotFound, enrichers.StatusSkipped:
				// Answered, but some of its calls may have failed:
				// the lookup still missed what those would have found.
				if s.Failed > 0 {
					m.incomplete(s.Name + ":partly_failed")
				}
			default:
				m.incomplete(s.Name + ":" + string(s.Status))
			}
		}

		got, any := map[string]bool{}, map[string]bool{}
		for _, a := range o.Profile.Accounts {
			k := Key(a.Source, a.Username)
			if truth[k] && !any[k] {
				src(a.Source).Found++
			}
			any[k] = true
			if a.Match == nil || a.Match.Probability < threshold {
				continue
			}
			if got[k] {
				continue
			}
			got[k] = true
			m.Returned++
			if truth[k] {
				m.Recovered++
				src(a.Source).Recovered++
			} else {
				m.Wrong++
				src(a.Source).Wrong++
			}
		}
	}
	if m.TrueAccounts > 0 {
		m.Recall = float64(m.Recovered) / float64(m.TrueAccounts)
	}
	if m.Returned > 0 {
		m.FalseShare = float64(m.Wrong) / float64(m.Returned)
	}
	return m
}
