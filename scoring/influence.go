package scoring

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/footprint-oss/footprint/enrichers"
)

// InfluenceScore summarizes the subject's reach.
type InfluenceScore struct {
	// Score = 100 × log10(1 + Reach.Expected) / ScoreDecades, capped at 100
	// (with 7 decades: 10 → 14, 1k → 43, 10k → 57, 100k → 71, 10M → 100).
	Score float64 `json:"score"`
	// Tier of the expected reach: none (<1k), nano (1k–10k), micro
	// (10k–100k), macro (100k–1M), mega (≥1M).
	Tier string `json:"tier"`
	// ProbabilityInfluencer = P(true total reach ≥ Threshold), each account
	// being the subject's independently with its match probability.
	ProbabilityInfluencer float64 `json:"probability_influencer"`
	Reach                 Reach   `json:"reach"`
	// Evidence: each account's expected reach (match × reach), in
	// follower equivalents, with its match probability as the weight.
	// Only accounts at or above Params.Influence.MinMatch count: a
	// stranger's followers never make the subject influential.
	Evidence []Contribution `json:"evidence"`
}

// Reach is the distribution of the subject's total reach: its mean and its
// 10th and 90th percentiles.
type Reach struct {
	Expected float64 `json:"expected"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// Tiers.
const (
	TierNone  = "none"
	TierNano  = "nano"
	TierMicro = "micro"
	TierMacro = "macro"
	TierMega  = "mega"
)

// TierOf returns the tier of a reach.
func TierOf(reach float64) string {
	switch {
	case reach >= 1e6:
		return TierMega
	case reach >= 1e5:
		return TierMacro
	case reach >= 1e4:
		return TierMicro
	case reach >= 1e3:
		return TierNano
	}
	return TierNone
}

// InfluenceScoreOf maps a reach to the 0–100 score.
func InfluenceScoreOf(reach float64, p Params) float64 {
	d := p.Influence.ScoreDecades
	if d <= 0 {
		d = 7
	}
	return round4(math.Min(100, 100*math.Log10(1+math.Max(reach, 0))/d))
}

// AccountReach is an account's reach in follower equivalents: followers
// when the platform exposes them, else karma × KarmaScale, else stars ×
// StarScale; ok is false when the account exposes none of them.
func AccountReach(a *enrichers.Account, p Params) (reach float64, signal string, ok bool) {
	switch {
	case a.Followers != nil:
		return float64(max(*a.Followers, 0)), "followers", true
	case a.Karma != nil:
		return float64(max(*a.Karma, 0)) * p.Influence.KarmaScale, "karma", true
	case a.Stars != nil:
		return float64(max(*a.Stars, 0)) * p.Influence.StarScale, "stars", true
	}
	return 0, "", false
}

// reachItem is one account that may add to the subject's reach.
type reachItem struct {
	m, r float64
}

// Influence scores reach over the accounts that are probably the
// subject's. Accounts from failed sources count for nothing.
//
// Reach, score and tier count the accounts at or above MinMatch only (a
// stranger's followers never make the subject influential), but the
// probability of being an influencer also counts the candidates at or
// above CandidateMinMatch, each with its match probability: an
// influencer's own big account is often found and left a candidate in a
// crowded web, and leaving it out made the probability too low for them
// (docs/IDENTITY.md, eighth round). Candidates are listed in the evidence
// with the signal prefixed "candidate_".
func Influence(ev Evidence, p Params) InfluenceScore {
	var items, all []reachItem
	contrib := map[Contribution]float64{}
	for _, a := range ev.accounts() {
		r, sig, ok := AccountReach(a.Account, p)
		if !ok || a.m <= 0 {
			continue
		}
		switch {
		case a.m >= p.Influence.MinMatch:
			items = append(items, reachItem{a.m, r})
		case p.Influence.CandidateMinMatch > 0 && a.m >= p.Influence.CandidateMinMatch && r > 0:
			sig = "candidate_" + sig
		default:
			continue
		}
		all = append(all, reachItem{a.m, r})
		contrib[Contribution{Source: a.Source, Account: a.Username, Signal: sig, Weight: round4(a.m)}] += a.m * r
	}
	d := reachDistribution(items, p)
	out := InfluenceScore{
		ProbabilityInfluencer: round4(tailProbability(all, p)),
		Reach:                 Reach{Expected: round4(d.mean), Low: d.quantile(0.1), High: d.quantile(0.9)},
		Evidence:              sortContributions(contrib),
	}
	out.Score = InfluenceScoreOf(d.mean, p)
	out.Tier = TierOf(d.mean)
	return out
}

// tailProbability is P(Σ Bᵢ rᵢ ≥ Threshold), Bᵢ ~ Bernoulli(mᵢ)
// independent. An account that reaches the threshold alone decides it
// whenever it is the subject's, so P(R < T) = Π over those (1 − mᵢ) ×
// P(the others' sum < T); the others are counted (smallTail) only when
// together they could reach T.
func tailProbability(items []reachItem, p Params) float64 {
	t := p.Influence.Threshold
	below := 1.0 // P(R < T)
	var small []reachItem
	sum := 0.0
	for _, it := range items {
		if it.r >= t {
			below *= 1 - it.m
			continue
		}
		small = append(small, it)
		sum += it.r
	}
	if sum >= t && below > 0 {
		below *= 1 - smallTail(small, p)
	}
	return clamp01(1 - below)
}

// tailNodes bounds smallTail's branches; beyond it the Monte-Carlo
// estimate is used.
const tailNodes = 1 << 16

// smallTail is P(Σ Bᵢ rᵢ ≥ Threshold) over accounts each below it, by
// branch and bound: the accounts are taken largest first, and a branch
// stops as soon as its sum reaches the threshold (whatever the others) or
// can no longer reach it, so the many small candidates of a crowded web
// cost little. Exact; past tailNodes branches it falls back to
// reachDistribution's Monte-Carlo estimate.
func smallTail(items []reachItem, p Params) float64 {
	t := p.Influence.Threshold
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b reachItem) int { return cmp.Compare(b.r, a.r) })
	rest := make([]float64, len(sorted)+1) // rest[i]: the reach of sorted[i:]
	for i := len(sorted) - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + sorted[i].r
	}
	nodes := 0
	var branch func(i int, sum, w float64) float64
	branch = func(i int, sum, w float64) float64 {
		switch {
		case sum >= t:
			return w
		case i == len(sorted) || sum+rest[i] < t*(1-1e-12) || nodes > tailNodes:
			return 0
		}
		nodes++
		it := sorted[i]
		return branch(i+1, sum+it.r, w*it.m) + branch(i+1, sum, w*(1-it.m))
	}
	v := branch(0, 0, 1)
	if nodes > tailNodes {
		return reachDistribution(items, p).tail(t)
	}
	return clamp01(v)
}

// dist is a discrete distribution of total reach.
type dist struct {
	v, w []float64 // values ascending, weights summing to 1
	mean float64
}

func (d dist) tail(t float64) float64 {
	var s float64
	for i, v := range d.v {
		if v >= t {
			s += d.w[i]
		}
	}
	return clamp01(s)
}

// quantile is the smallest value whose cumulative weight reaches q.
func (d dist) quantile(q float64) float64 {
	var s float64
	for i, v := range d.v {
		s += d.w[i]
		if s >= q-1e-12 {
			return v
		}
	}
	if len(d.v) == 0 {
		return 0
	}
	return d.v[len(d.v)-1]
}

// reachDistribution enumerates every subset of accounts (≤ MaxExact) or
// draws Samples subsets with a fixed seed.
func reachDistribution(items []reachItem, p Params) dist {
	var mean float64
	for _, it := range items {
		mean += it.m * it.r
	}
	acc := map[float64]float64{}
	maxExact := p.Influence.MaxExact
	if maxExact <= 0 || maxExact > 20 {
		maxExact = 16
	}
	if len(items) <= maxExact {
		for mask := 0; mask < 1<<len(items); mask++ {
			w, r := 1.0, 0.0
			for i, it := range items {
				if mask&(1<<i) != 0 {
					w *= it.m
					r += it.r
				} else {
					w *= 1 - it.m
				}
			}
			if w > 0 {
				acc[r] += w
			}
		}
	} else {
		n := max(p.Influence.Samples, 1000)
		rng := rand.New(rand.NewPCG(p.Influence.Seed, 0x9e3779b97f4a7c15))
		for range n {
			r := 0.0
			for _, it := range items {
				if rng.Float64() < it.m {
					r += it.r
				}
			}
			acc[r] += 1 / float64(n)
		}
	}
	d := dist{mean: mean}
	for v := range acc {
		d.v = append(d.v, v)
	}
	sort.Float64s(d.v)
	var tot float64
	for _, v := range d.v {
		tot += acc[v]
	}
	for _, v := range d.v {
		d.w = append(d.w, acc[v]/tot)
	}
	if len(d.v) == 0 {
		d.v, d.w = []float64{0}, []float64{1}
	}
	return d
}
