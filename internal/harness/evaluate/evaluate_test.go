package evaluate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/sim"
)

// outcome is one lookup whose person owns truth (source/username pairs)
// and got back accounts (source, username and match probability; a
// negative probability is an account without a match).
func outcome(truth []string, accounts ...any) Outcome {
	var o Outcome
	for i := 0; i < len(truth); i += 2 {
		o.Person.Truth.Accounts = append(o.Person.Truth.Accounts, sim.AccountRef{Source: truth[i], Username: truth[i+1]})
	}
	o.Profile = &pipeline.Profile{}
	for i := 0; i < len(accounts); i += 3 {
		a := enrichers.Account{Source: accounts[i].(string), Username: accounts[i+1].(string)}
		if p := accounts[i+2].(float64); p >= 0 {
			a.Match = &enrichers.Match{Probability: p}
		}
		o.Profile.Accounts = append(o.Profile.Accounts, a)
	}
	return o
}

// The expected values are computed by hand from the listed predictions.
func TestMatchCalibration(t *testing.T) {
	failed := outcome([]string{"github", "lost"}, "github", "lost", 0.95)
	failed.Err = errors.New("lookup failed")
	tests := []struct {
		name                         string
		outs                         []Outcome
		wantN                        int
		wantBase, wantBrier, wantECE float64
		wantBaseBrier, wantAUC       float64
		wantBins                     map[int][3]float64 // bin → count, mean p, true share
	}{
		{
			// p = .95 T, .95 F, .75 T, .25 F, .05 F, .25 T
			// Brier = (.0025 + .9025 + .0625 + .0625 + .0025 + .5625)/6 = 1.595/6
			// ECE = (2·|.95−.5| + 1·|.75−1| + 2·|.25−.5| + 1·|.05−0|)/6 = 1.7/6
			// AUC = (2.5 + 2 + 1.5)/9 over the 3×3 positive/negative pairs
			name: "mixed",
			outs: []Outcome{
				outcome([]string{"github", "jwalker", "reddit", "john_walker"},
					"github", "jwalker", 0.95,
					"hackernews", "jwalker", 0.95, // someone else's
					"reddit", "John_Walker", 0.75, // case-folded to the truth
					"bluesky", "jw.bsky.social", 0.25,
					"devto", "jw", 0.05,
					"github", "jwalker", 0.45, // returned twice: counted once, at 0.95
					"mastodon", "jw", -1.0, // no match probability: left out
				),
				failed, // left out, truth included
				outcome([]string{"reddit", "zed"}, "reddit", "zed", 0.25),
			},
			wantN: 6, wantBase: 0.5, wantBrier: 1.595 / 6, wantBaseBrier: 0.25, wantECE: 1.7 / 6, wantAUC: 6.0 / 9,
			wantBins: map[int][3]float64{9: {2, 0.95, 0.5}, 7: {1, 0.75, 1}, 2: {2, 0.25, 0.5}, 0: {1, 0.05, 0}},
		},
		{
			// four accounts at .25, one of them true: perfectly calibrated,
			// no better than the base rate, AUC 0.5 (all tied).
			// Brier = (.5625 + 3·.0625)/4 = .1875 = .25·.75
			name: "calibrated but uninformative",
			outs: []Outcome{outcome([]string{"github", "a"},
				"github", "a", 0.25, "reddit", "a", 0.25, "bluesky", "a", 0.25, "devto", "a", 0.25)},
			wantN: 4, wantBase: 0.25, wantBrier: 0.1875, wantBaseBrier: 0.1875, wantECE: 0, wantAUC: 0.5,
			wantBins: map[int][3]float64{2: {4, 0.25, 0.25}},
		},
		{
			// a true account at .9 and a wrong one at .1:
			// Brier = (.01 + .01)/2, ECE = (.1 + .1)/2
			name:  "confident and right",
			outs:  []Outcome{outcome([]string{"github", "a"}, "github", "a", 0.9, "reddit", "b", 0.1)},
			wantN: 2, wantBase: 0.5, wantBrier: 0.01, wantBaseBrier: 0.25, wantECE: 0.1, wantAUC: 1,
			wantBins: map[int][3]float64{9: {1, 0.9, 1}, 1: {1, 0.1, 0}},
		},
		{name: "only a failed lookup", outs: []Outcome{failed}},
		{name: "nothing returned", outs: []Outcome{outcome([]string{"github", "a"})}},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MatchCalibration(tt.outs)
			if c.Target != MatchTarget || c.N != tt.wantN {
				t.Fatalf("target %q n %d, want %q n %d", c.Target, c.N, MatchTarget, tt.wantN)
			}
			if tt.wantN == 0 {
				if len(c.Bins) != 0 {
					t.Errorf("bins %v for no account", c.Bins)
				}
				return
			}
			for _, m := range []struct {
				name      string
				got, want float64
			}{
				{"base rate", c.BaseRate, tt.wantBase},
				{"Brier", c.Brier, tt.wantBrier},
				{"base-rate Brier", c.BaseRateBrier, tt.wantBaseBrier},
				{"ECE", c.ECE, tt.wantECE},
				{"AUC", float64(c.AUC), tt.wantAUC},
			} {
				if !near(m.got, m.want) {
					t.Errorf("%s %v, want %v", m.name, m.got, m.want)
				}
			}
			if len(c.Bins) != 10 {
				t.Fatalf("%d bins, want 10", len(c.Bins))
			}
			for i, b := range c.Bins {
				w := tt.wantBins[i]
				if b.Count != int(w[0]) || !near(b.MeanPredicted, w[1]) || !near(b.Observed, w[2]) {
					t.Errorf("bin %d [%.1f, %.1f): count %d mean p %v true share %v, want %v", i, b.Lo, b.Hi, b.Count, b.MeanPredicted, b.Observed, w)
				}
			}
		})
	}
}

func TestSample(t *testing.T) {
	world := make([]sim.Person, 500)
	for i := range world {
		world[i].Email = fmt.Sprintf("p%d@example.org", i)
	}
	index := func(p sim.Person) int {
		var i int
		if _, err := fmt.Sscanf(p.Email, "p%d@example.org", &i); err != nil {
			t.Fatal(err)
		}
		return i
	}
	draw := func(m int, seed int64) []int {
		var out []int
		for _, p := range Sample(world, m, seed) {
			out = append(out, index(p))
		}
		return out
	}
	for _, tt := range []struct {
		m    int
		seed int64
	}{{1, 1}, {30, 1}, {30, 2}, {300, 4242}, {499, 7}} {
		got := draw(tt.m, tt.seed)
		if len(got) != tt.m {
			t.Fatalf("m %d seed %d: %d people", tt.m, tt.seed, len(got))
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != tt.m {
			t.Errorf("m %d seed %d: not distinct people in the world's order: %v", tt.m, tt.seed, got)
		}
		if again := draw(tt.m, tt.seed); !slices.Equal(got, again) {
			t.Errorf("m %d seed %d: a second draw differs", tt.m, tt.seed)
		}
		if tt.m < 400 && slices.Equal(got, draw(tt.m, tt.seed+1)) {
			t.Errorf("m %d: seeds %d and %d draw the same people", tt.m, tt.seed, tt.seed+1)
		}
		if tt.m > 1 && tt.m*4 <= len(world) && got[len(got)-1] < tt.m*2 {
			t.Errorf("m %d seed %d: the sample stays at the start of the world: %v", tt.m, tt.seed, got)
		}
	}
	if got := draw(500, 3); len(got) != 500 || got[0] != 0 || got[499] != 499 {
		t.Errorf("m = N must be the whole world, got %d people", len(got))
	}
	if got := Sample(world, 600, 3); len(got) != 500 {
		t.Errorf("m > N: %d people, want the whole world", len(got))
	}
	if got := Sample(world, 0, 3); len(got) != 0 {
		t.Errorf("m = 0: %d people", len(got))
	}
}
