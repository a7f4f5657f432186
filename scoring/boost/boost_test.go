package boost

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// xorData is an outcome no additive model can learn: likely when exactly
// one of a and b is high; c is noise.
func xorData(n int, seed uint64) ([][]float64, []bool) {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([][]float64, n)
	y := make([]bool, n)
	for i := range x {
		a, b, c := r.Float64(), r.Float64(), r.Float64()
		x[i] = []float64{a, b, c}
		p := 0.1
		if (a > 0.5) != (b > 0.5) {
			p = 0.9
		}
		y[i] = r.Float64() < p
	}
	return x, y
}

func logLoss(e *Ensemble, x [][]float64, y []bool) float64 {
	s := 0.0
	for i, r := range x {
		q := 1 / (1 + math.Exp(-e.LogOdds(r)))
		if y[i] {
			s -= math.Log(q)
		} else {
			s -= math.Log(1 - q)
		}
	}
	return s / float64(len(x))
}

func TestFitLearnsAnInteraction(t *testing.T) {
	x, y := xorData(4000, 1)
	p := Params{Rounds: 60, Rate: 0.2, Depth: 3, MinLeaf: 20, Lambda: 1, Bins: 32}
	e, err := Fit([]string{"a", "b", "c"}, x, y, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	tx, ty := xorData(2000, 2)
	// The best possible log loss is the entropy of 0.1/0.9 (0.325); a
	// model that misses the interaction stays near log 2 (0.693).
	if ll := logLoss(e, tx, ty); ll > 0.38 {
		t.Errorf("held-out log loss %.3f, want ≤ 0.38", ll)
	}
	for _, c := range []struct {
		x    []float64
		want bool
	}{{[]float64{0.9, 0.1, 0.5}, true}, {[]float64{0.1, 0.9, 0.5}, true}, {[]float64{0.9, 0.9, 0.5}, false}, {[]float64{0.1, 0.1, 0.5}, false}} {
		if got := e.LogOdds(c.x) > 0; got != c.want {
			t.Errorf("LogOdds(%v) = %.2f, want positive %v", c.x, e.LogOdds(c.x), c.want)
		}
	}
	again, _ := Fit([]string{"a", "b", "c"}, x, y, p)
	if !reflect.DeepEqual(e, again) {
		t.Error("two fits on the same data differ")
	}
}

func TestContributionsSumToThePrediction(t *testing.T) {
	x, y := xorData(2000, 3)
	e, err := Fit([]string{"a", "b", "c"}, x, y, Params{Rounds: 30, Rate: 0.1, Depth: 4, MinLeaf: 10, Lambda: 1, Bins: 16})
	if err != nil {
		t.Fatal(err)
	}
	noise := 0.0
	for _, r := range x[:200] {
		base, per := e.Contributions(r)
		sum := base
		for _, v := range per {
			sum += v
		}
		if d := math.Abs(sum - e.LogOdds(r)); d > 1e-9 {
			t.Fatalf("contributions sum to %.6f, prediction %.6f", sum, e.LogOdds(r))
		}
		noise += math.Abs(per[2])
	}
	_, per := e.Contributions([]float64{0.9, 0.1, 0.5})
	if per[0] <= 0 && per[1] <= 0 {
		t.Errorf("neither a nor b raises a likely row: %v", per)
	}
	if noise/200 > 0.2 {
		t.Errorf("the noise feature moves predictions by %.2f on average", noise/200)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	x, y := xorData(500, 4)
	e, err := Fit([]string{"a", "b", "c"}, x, y, Params{Rounds: 5, Rate: 0.1, Depth: 2, MinLeaf: 10, Lambda: 1, Bins: 8})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Ensemble
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, r := range x[:50] {
		if back.LogOdds(r) != e.LogOdds(r) {
			t.Fatal("the decoded ensemble predicts otherwise")
		}
	}
}

func TestValidate(t *testing.T) {
	leaf := Node{F: -1, V: 0.1}
	for _, c := range []struct {
		name string
		e    Ensemble
		ok   bool
	}{
		{"leaf only", Ensemble{Features: []string{"a"}, Trees: []Tree{{Nodes: []Node{leaf}}}}, true},
		{"split", Ensemble{Features: []string{"a"}, Trees: []Tree{{Nodes: []Node{{F: 0, T: 1, L: 1, R: 2}, leaf, leaf}}}}, true},
		{"empty tree", Ensemble{Features: []string{"a"}, Trees: []Tree{{}}}, false},
		{"unknown feature", Ensemble{Features: []string{"a"}, Trees: []Tree{{Nodes: []Node{{F: 1, L: 1, R: 2}, leaf, leaf}}}}, false},
		{"cycle", Ensemble{Features: []string{"a"}, Trees: []Tree{{Nodes: []Node{{F: 0, L: 0, R: 1}, leaf}}}}, false},
		{"child out of range", Ensemble{Features: []string{"a"}, Trees: []Tree{{Nodes: []Node{{F: 0, L: 1, R: 5}, leaf}}}}, false},
		{"NaN threshold", Ensemble{Features: []string{"a"}, Trees: []Tree{{Nodes: []Node{{F: 0, T: math.NaN(), L: 1, R: 2}, leaf, leaf}}}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.e.Validate(); (err == nil) != c.ok {
				t.Errorf("Validate() = %v, want ok %v", err, c.ok)
			}
		})
	}
}

func TestFitRejects(t *testing.T) {
	good := DefaultParams()
	for _, c := range []struct {
		name string
		x    [][]float64
		y    []bool
		p    Params
	}{
		{"no rows", nil, nil, good},
		{"lengths differ", [][]float64{{1}}, []bool{true, false}, good},
		{"short row", [][]float64{{1}, {}}, []bool{true, false}, good},
		{"NaN", [][]float64{{1}, {math.NaN()}}, []bool{true, false}, good},
		{"one outcome", [][]float64{{1}, {2}}, []bool{true, true}, good},
		{"no rounds", [][]float64{{1}, {2}}, []bool{true, false}, Params{Rate: 0.1, Depth: 1, MinLeaf: 1, Bins: 4}},
		{"too many bins", [][]float64{{1}, {2}}, []bool{true, false}, Params{Rounds: 1, Rate: 0.1, Depth: 1, MinLeaf: 1, Bins: 300}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Fit([]string{"a"}, c.x, c.y, c.p); err == nil {
				t.Error("Fit accepted it")
			}
		})
	}
}
