package scoring

import (
	"math"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func withFollowers(a enrichers.Account, n int64) enrichers.Account {
	a.Followers = &n
	return a
}

func TestTierAndScore(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, tc := range []struct {
		reach float64
		tier  string
		score float64
	}{
		{0, TierNone, 0},
		{9, TierNone, 100.0 / 7},
		{999, TierNone, 300.0 / 7},
		{1000, TierNano, 100 * math.Log10(1001) / 7},
		{9999, TierNano, 400.0 / 7},
		{10000, TierMicro, 100 * math.Log10(10001) / 7},
		{100000, TierMacro, 100 * math.Log10(100001) / 7},
		{1e6, TierMega, 100 * math.Log10(1e6+1) / 7},
		{1e9, TierMega, 100},
	} {
		if got := TierOf(tc.reach); got != tc.tier {
			t.Errorf("TierOf(%v) = %s, want %s", tc.reach, got, tc.tier)
		}
		if got := InfluenceScoreOf(tc.reach, p); math.Abs(got-tc.score) > 1e-3 {
			t.Errorf("InfluenceScoreOf(%v) = %v, want %v", tc.reach, got, tc.score)
		}
	}
}

func TestAccountReach(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, tc := range []struct {
		name   string
		a      enrichers.Account
		reach  float64
		signal string
		ok     bool
	}{
		{"followers", enrichers.Account{Followers: enrichers.Int64(500), Karma: enrichers.Int64(9e6)}, 500, "followers", true},
		{"karma", enrichers.Account{Karma: enrichers.Int64(20000)}, 20000 * p.Influence.KarmaScale, "karma", true},
		{"stars", enrichers.Account{Stars: enrichers.Int64(300)}, 300 * p.Influence.StarScale, "stars", true},
		{"negative", enrichers.Account{Followers: enrichers.Int64(-3)}, 0, "followers", true},
		{"none", enrichers.Account{}, 0, "", false},
	} {
		r, s, ok := AccountReach(&tc.a, p)
		if r != tc.reach || s != tc.signal || ok != tc.ok {
			t.Errorf("%s: %v %q %v, want %v %q %v", tc.name, r, s, ok, tc.reach, tc.signal, tc.ok)
		}
	}
}

func TestInfluenceExact(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, tc := range []struct {
		name       string
		accounts   []enrichers.Account
		pInf       float64
		exp        float64
		low, high  float64
		tier       string
		nEvidence  int
		statusDown string
	}{
		{"nothing", nil, 0, 0, 0, 0, TierNone, 0, ""},
		{"sure influencer", []enrichers.Account{withFollowers(acct("bluesky", "a", 1), 25000)}, 1, 25000, 25000, 25000, TierMicro, 1, ""},
		{"maybe influencer", []enrichers.Account{withFollowers(acct("bluesky", "a", 0.6), 50000)}, 0.6, 30000, 0, 50000, TierMicro, 1, ""},
		// Below MinMatch (0.5) an account is likelier a stranger's: its
		// followers never count in reach, score or tier (the demo's
		// unmatched "owen" accounts), but it is the subject's 3 times in
		// 10, so P(influencer) is 0.3; it is listed as a candidate.
		{"likely a stranger", []enrichers.Account{withFollowers(acct("bluesky", "owen", 0.3), 50000)}, 0.3, 0, 0, 0, TierNone, 1, ""},
		// Below CandidateMinMatch (0.01) it is not counted at all.
		{"surely a stranger", []enrichers.Account{withFollowers(acct("bluesky", "owen", 0.005), 5e6)}, 0, 0, 0, 0, TierNone, 0, ""},
		// A candidate and a match that reach the threshold only together:
		// P = .3 × .8; the reach is the match's alone.
		{"candidate completes a match", []enrichers.Account{withFollowers(acct("github", "a", 0.8), 6000), withFollowers(acct("mastodon", "b", 0.3), 5000)},
			0.24, 4800, 0, 6000, TierNano, 2, ""},
		// Two candidates each above the threshold: 1 − .8 × .9.
		{"two candidates", []enrichers.Account{withFollowers(acct("github", "a", 0.2), 20000), withFollowers(acct("bluesky", "b", 0.1), 90000)},
			0.28, 0, 0, 0, TierNone, 2, ""},
		// P(both) = .5×.5: 6000+6000 ≥ 10000 only together.
		{"two halves", []enrichers.Account{withFollowers(acct("github", "a", 0.5), 6000), withFollowers(acct("mastodon", "b", 0.5), 6000)},
			0.25, 6000, 0, 12000, TierNano, 2, ""},
		// P(a) + P(not a)·P(b): .6 + .4×.5
		{"either", []enrichers.Account{withFollowers(acct("github", "a", 0.6), 20000), withFollowers(acct("mastodon", "b", 0.5), 10000)},
			0.8, 17000, 0, 30000, TierMicro, 2, ""},
		{"failed source", []enrichers.Account{withFollowers(acct("bluesky", "a", 1), 25000)}, 0, 0, 0, 0, TierNone, 0, "bluesky"},
		{"unmatched", []enrichers.Account{withFollowers(acct("bluesky", "a", 0), 25000)}, 0, 0, 0, 0, TierNone, 0, ""},
	} {
		ev := Evidence{Accounts: tc.accounts}
		if tc.statusDown != "" {
			ev.Sources = map[string]enrichers.Status{tc.statusDown: enrichers.StatusRateLimited}
		}
		got := Influence(ev, p)
		if math.Abs(got.ProbabilityInfluencer-tc.pInf) > 1e-9 || math.Abs(got.Reach.Expected-tc.exp) > 1e-6 ||
			got.Reach.Low != tc.low || got.Reach.High != tc.high || got.Tier != tc.tier || len(got.Evidence) != tc.nEvidence {
			t.Errorf("%s: %+v, want p=%v exp=%v low=%v high=%v tier=%s", tc.name, got, tc.pInf, tc.exp, tc.low, tc.high, tc.tier)
		}
		if got.Score != InfluenceScoreOf(tc.exp, p) {
			t.Errorf("%s: score %v", tc.name, got.Score)
		}
	}
}

// TestInfluenceCandidatesNamed: a candidate counted in P(influencer) is
// listed in the evidence with its weight and a "candidate_" signal, and
// adds nothing to the reach; CandidateMinMatch 0 counts none.
func TestInfluenceCandidatesNamed(t *testing.T) {
	t.Parallel()
	ev := Evidence{Accounts: []enrichers.Account{withFollowers(acct("bluesky", "owen", 0.3), 50000), withFollowers(acct("github", "owen", 0.9), 100)}}
	got := Influence(ev, DefaultParams())
	want := []Contribution{
		{Source: "bluesky", Account: "owen", Signal: "candidate_followers", Contribution: 15000, Weight: 0.3},
		{Source: "github", Account: "owen", Signal: "followers", Contribution: 90, Weight: 0.9},
	}
	if len(got.Evidence) != len(want) {
		t.Fatalf("evidence %+v, want %+v", got.Evidence, want)
	}
	for i := range want {
		if got.Evidence[i] != want[i] {
			t.Errorf("evidence[%d] = %+v, want %+v", i, got.Evidence[i], want[i])
		}
	}
	if got.Reach.Expected != 90 || got.ProbabilityInfluencer != 0.3 {
		t.Errorf("reach %v, P %v; want 90, 0.3", got.Reach.Expected, got.ProbabilityInfluencer)
	}
	p := DefaultParams()
	p.Influence.CandidateMinMatch = 0
	if got := Influence(ev, p); got.ProbabilityInfluencer != 0 || len(got.Evidence) != 1 {
		t.Errorf("CandidateMinMatch 0: %+v, want P 0 and the match alone", got)
	}
}

// bruteTail is P(Σ Bᵢ rᵢ ≥ t) over every subset of items.
func bruteTail(items []reachItem, t float64) float64 {
	var p float64
	for mask := 0; mask < 1<<len(items); mask++ {
		w, r := 1.0, 0.0
		for i, it := range items {
			if mask&(1<<i) != 0 {
				w, r = w*it.m, r+it.r
			} else {
				w *= 1 - it.m
			}
		}
		if r >= t {
			p += w
		}
	}
	return p
}

// TestTailProbabilityExact: factoring out the accounts that reach the
// threshold alone gives the same P as enumerating every subset.
func TestTailProbabilityExact(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, tc := range []struct {
		name  string
		items []reachItem
	}{
		{"none", nil},
		{"big only", []reachItem{{0.3, 20000}, {0.5, 10000}}},
		{"small only, below together", []reachItem{{0.9, 3000}, {0.9, 4000}}},
		{"small only, above together", []reachItem{{0.5, 6000}, {0.4, 5000}, {0.7, 2000}}},
		{"mixed", []reachItem{{0.2, 50000}, {0.5, 6000}, {0.4, 5000}, {0.05, 9999}, {1, 0}}},
	} {
		brute := bruteTail(tc.items, p.Influence.Threshold)
		if got := tailProbability(tc.items, p); math.Abs(got-brute) > 1e-12 {
			t.Errorf("%s: %v, want %v", tc.name, got, brute)
		}
	}
}

// TestSmallTail: the branch and bound is exact against every subset, 20
// accounts included (beyond MaxExact, where the reach distribution
// samples), and past its budget falls back to the Monte-Carlo estimate.
func TestSmallTail(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	many := func(n int, r float64) []reachItem {
		out := make([]reachItem, n)
		for i := range out {
			out[i] = reachItem{m: 0.05 + 0.9*float64(i%7)/6, r: r + float64(i*37%500)}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		items []reachItem
	}{
		{"three", []reachItem{{0.5, 6000}, {0.4, 5000}, {0.7, 2000}}},
		{"exactly the threshold", []reachItem{{0.5, 2500}, {0.5, 2500}, {0.5, 5000}}},
		{"eighteen, about five needed", many(18, 1800)},
		{"twenty, few needed", many(20, 4000)},
	} {
		brute := bruteTail(tc.items, p.Influence.Threshold)
		if got := smallTail(tc.items, p); math.Abs(got-brute) > 1e-9 {
			t.Errorf("%s: %v, want %v", tc.name, got, brute)
		}
	}
	// 40 accounts of T/20 at 0.5: P(Binomial(40, .5) ≥ 20) = 0.5627; too
	// many branches, so sampled.
	var half []reachItem
	for range 40 {
		half = append(half, reachItem{0.5, p.Influence.Threshold / 20})
	}
	if got := smallTail(half, p); math.Abs(got-0.5627) > 0.015 {
		t.Errorf("past the budget: %v, want ≈ 0.5627", got)
	}
}

// TestInfluenceMonteCarlo: beyond MaxExact accounts the fixed-seed
// Monte-Carlo estimate is deterministic and close to exact enumeration.
func TestInfluenceMonteCarlo(t *testing.T) {
	t.Parallel()
	var accts []enrichers.Account
	for i := range 18 {
		accts = append(accts, withFollowers(acct("bluesky", "u"+string(rune('a'+i)), 0.1+0.04*float64(i)), int64(800+300*i)))
	}
	ev := Evidence{Accounts: accts}
	mc := DefaultParams()
	exact := DefaultParams()
	exact.Influence.MaxExact = 18
	a, b := Influence(ev, mc), Influence(ev, mc)
	if a.ProbabilityInfluencer != b.ProbabilityInfluencer || a.Reach != b.Reach {
		t.Fatal("Monte-Carlo is not deterministic")
	}
	e := Influence(ev, exact)
	if math.Abs(a.ProbabilityInfluencer-e.ProbabilityInfluencer) > 0.015 {
		t.Errorf("MC P = %v, exact %v", a.ProbabilityInfluencer, e.ProbabilityInfluencer)
	}
	if a.Reach.Expected != e.Reach.Expected {
		t.Errorf("expected reach differs: %v vs %v", a.Reach.Expected, e.Reach.Expected)
	}
	if math.Abs(a.Reach.Low-e.Reach.Low) > 1500 || math.Abs(a.Reach.High-e.Reach.High) > 1500 {
		t.Errorf("MC percentiles %v, exact %v", a.Reach, e.Reach)
	}
	if !(e.Reach.Low <= e.Reach.Expected && e.Reach.Expected <= e.Reach.High) {
		t.Errorf("percentiles do not bracket the mean: %+v", e.Reach)
	}
}

// TestInfluenceMonotone: a higher match probability or more followers
// never lowers P(influencer).
func TestInfluenceMonotone(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	prev := -1.0
	for _, m := range []float64{0, 0.2, 0.5, 0.8, 1} {
		ev := Evidence{Accounts: []enrichers.Account{withFollowers(acct("bluesky", "a", m), 7000), withFollowers(acct("github", "b", 0.5), 4000)}}
		got := Influence(ev, p).ProbabilityInfluencer
		if got < prev {
			t.Errorf("match %v: P = %v < %v", m, got, prev)
		}
		prev = got
	}
}
