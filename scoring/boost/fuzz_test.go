package boost

import (
	"encoding/json"
	"testing"
)

// FuzzEnsemble: whatever JSON decodes into an ensemble that Validate
// accepts predicts and explains any row of its width without panicking,
// and its contributions sum to its prediction.
func FuzzEnsemble(f *testing.F) {
	f.Add(`{"features":["a"],"bias":0.5,"trees":[{"nodes":[{"f":0,"t":1,"l":1,"r":2,"v":0},{"f":-1,"v":-1},{"f":-1,"v":2}]}]}`, 0.5)
	f.Add(`{"features":["a","b"],"trees":[{"nodes":[{"f":1,"l":2,"r":1}]}]}`, 3.0)
	f.Add(`{"features":[],"trees":[{"nodes":[{"f":-1,"v":1}]}]}`, 0.0)
	f.Fuzz(func(t *testing.T, data string, v float64) {
		var e Ensemble
		if json.Unmarshal([]byte(data), &e) != nil || e.Validate() != nil {
			return
		}
		// The sum is checked where rounding cannot swamp it: values of the
		// size a fitted model holds (a file may hold any finite number).
		small := abs(e.Bias) < 1e6 && abs(v) < 1e6
		for _, t := range e.Trees {
			for _, n := range t.Nodes {
				small = small && abs(n.V) < 1e6
			}
		}
		x := make([]float64, len(e.Features))
		for i := range x {
			x[i] = v
		}
		lo := e.LogOdds(x)
		base, per := e.Contributions(x)
		sum := base
		for _, c := range per {
			sum += c
		}
		if small && abs(sum-lo) > 1e-6*float64(1+len(e.Trees)) {
			t.Errorf("contributions sum to %v, prediction %v", sum, lo)
		}
	})
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
