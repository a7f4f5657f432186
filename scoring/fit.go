package scoring

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// FitOptions controls FitLogistic.
type FitOptions struct {
	// L2 is the ridge penalty on every column not listed in NoPenalty.
	L2 float64
	// MaxIter bounds Newton iterations (default 50); Tol stops when the
	// largest step is smaller (default 1e-8).
	MaxIter int
	Tol     float64
	// Lower and Upper bound the coefficients (nil: unbounded; ±Inf per
	// column allowed). Bounded fits project each Newton step.
	Lower, Upper []float64
	// NoPenalty marks columns (intercepts) exempt from L2.
	NoPenalty []bool
	// Init is the starting point (default zeros).
	Init []float64
}

// FitLogistic fits P(y) = σ(X·β) by penalized Newton–Raphson (IRLS) with
// step halving. Rows of X include whatever intercept column the caller
// wants. It is deterministic.
func FitLogistic(X [][]float64, y []bool, opt FitOptions) ([]float64, error) {
	if len(X) == 0 || len(X) != len(y) {
		return nil, errors.New("scoring: fit: no samples or len(X) != len(y)")
	}
	d := len(X[0])
	for _, r := range X {
		if len(r) != d {
			return nil, errors.New("scoring: fit: ragged design matrix")
		}
	}
	if opt.MaxIter <= 0 {
		opt.MaxIter = 50
	}
	if opt.Tol <= 0 {
		opt.Tol = 1e-8
	}
	beta := make([]float64, d)
	copy(beta, opt.Init)
	project(beta, opt)
	pen := func(j int) float64 {
		if j < len(opt.NoPenalty) && opt.NoPenalty[j] {
			return 0
		}
		return opt.L2
	}
	objective := func(b []float64) float64 { // penalized log-likelihood
		var ll float64
		for i, r := range X {
			z := dot(r, b)
			// log σ(z) and log(1−σ(z)), stably
			if y[i] {
				ll -= softplus(-z)
			} else {
				ll -= softplus(z)
			}
		}
		for j, v := range b {
			ll -= 0.5 * pen(j) * v * v
		}
		return ll
	}
	cur := objective(beta)
	for range opt.MaxIter {
		g := make([]float64, d)
		H := make([][]float64, d)
		for j := range H {
			H[j] = make([]float64, d)
		}
		for i, r := range X {
			pr := sigmoid(dot(r, beta))
			w := math.Max(pr*(1-pr), 1e-10)
			res := b2f(y[i]) - pr
			for j, xj := range r {
				if xj == 0 {
					continue
				}
				g[j] += res * xj
				for k := j; k < d; k++ {
					H[j][k] += w * xj * r[k]
				}
			}
		}
		for j := range d {
			for k := 0; k < j; k++ {
				H[j][k] = H[k][j]
			}
			g[j] -= pen(j) * beta[j]
			H[j][j] += pen(j) + 1e-9
		}
		step, err := solve(H, g)
		if err != nil {
			return nil, err
		}
		t := 1.0
		var next []float64
		var val float64
		for range 30 {
			next = make([]float64, d)
			for j := range next {
				next[j] = beta[j] + t*step[j]
			}
			project(next, opt)
			if val = objective(next); val >= cur-1e-12 {
				break
			}
			t /= 2
		}
		var moved float64
		for j := range beta {
			moved = math.Max(moved, math.Abs(next[j]-beta[j]))
		}
		if val < cur-1e-12 {
			break // no ascent direction left (bounds active)
		}
		beta, cur = next, val
		if moved < opt.Tol {
			break
		}
	}
	return beta, nil
}

func project(b []float64, opt FitOptions) {
	for j := range b {
		if j < len(opt.Lower) && b[j] < opt.Lower[j] {
			b[j] = opt.Lower[j]
		}
		if j < len(opt.Upper) && b[j] > opt.Upper[j] {
			b[j] = opt.Upper[j]
		}
	}
}

func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves A x = b by Gaussian elimination with partial pivoting.
func solve(A [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	M := make([][]float64, n)
	for i := range M {
		M[i] = append(append([]float64{}, A[i]...), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(M[r][c]) > math.Abs(M[p][c]) {
				p = r
			}
		}
		if math.Abs(M[p][c]) < 1e-14 {
			return nil, fmt.Errorf("scoring: fit: singular system at column %d", c)
		}
		M[c], M[p] = M[p], M[c]
		for r := c + 1; r < n; r++ {
			f := M[r][c] / M[c][c]
			for k := c; k <= n; k++ {
				M[r][k] -= f * M[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := M[r][n]
		for k := r + 1; k < n; k++ {
			s -= M[r][k] * x[k]
		}
		x[r] = s / M[r][r]
	}
	return x, nil
}

// InterestSample is one labelled subject for FitInterests: the evidence
// and the subject's true interest category ids.
type InterestSample struct {
	Evidence  Evidence
	Interests []string
}

// FitInterests refits the interest model on labelled subjects: one
// unpenalized prior per category, and the shared kind weights and absence
// weight (bounded at ≥ 0 so that evidence only ever raises its categories).
// Every (subject, category) pair is one observation. A kind whose feature
// is zero in every sample keeps its current weight, and so does every kind
// named in hold (InterestFeatureNames, "absence" included): hand-set weights
// the data should not override (DefaultParams holds catalogue, website and
// industry; see SCORING.md). Params not fitted (lexicon, MaxShift,
// AbsenceCap, CompanyMatch) are kept.
func FitInterests(samples []InterestSample, p Params, l2 float64, hold ...string) (Params, error) {
	cats := Taxonomy()
	kinds := InterestFeatureNames()
	nc := len(cats)
	var X [][]float64
	var y []bool
	seen := make([]bool, len(kinds))
	for _, s := range samples {
		truth := map[string]bool{}
		for _, c := range s.Interests {
			truth[c] = true
		}
		feats := InterestFeatures(s.Evidence, p)
		for i, c := range cats {
			row := make([]float64, nc+len(kinds))
			row[i] = 1
			copy(row[nc:], feats[c.ID])
			for j, v := range feats[c.ID] {
				if v != 0 {
					seen[j] = true
				}
			}
			X = append(X, row)
			y = append(y, truth[c.ID])
		}
	}
	opt := FitOptions{L2: l2, NoPenalty: make([]bool, nc+len(kinds)), Lower: make([]float64, nc+len(kinds))}
	init := make([]float64, nc+len(kinds))
	for i, c := range cats {
		opt.NoPenalty[i] = true
		opt.Lower[i] = math.Inf(-1)
		if v, ok := p.Interest.Prior[c.ID]; ok {
			init[i] = v
		} else {
			init[i] = p.Interest.DefaultPrior
		}
	}
	for j, k := range kinds {
		if k == "absence" {
			init[nc+j] = p.Interest.Absence
		} else {
			init[nc+j] = p.Interest.Weights[k]
		}
	}
	opt.Init = init
	// Kinds never seen in the samples, and held kinds, keep their current
	// weight.
	opt.Upper = make([]float64, len(init))
	for j := range init {
		opt.Upper[j] = math.Inf(1)
		if j >= nc && (!seen[j-nc] || slices.Contains(hold, kinds[j-nc])) {
			opt.Lower[j], opt.Upper[j] = init[j], init[j]
		}
	}
	beta, err := FitLogistic(X, y, opt)
	if err != nil {
		return p, err
	}
	out := p
	out.Interest.Prior = make(map[string]float64, nc)
	out.Interest.Weights = make(map[string]float64, len(kinds))
	for i, c := range cats {
		out.Interest.Prior[c.ID] = round4(beta[i])
	}
	for j, k := range kinds {
		if k == "absence" {
			out.Interest.Absence = round4(beta[nc+j])
		} else {
			out.Interest.Weights[k] = round4(beta[nc+j])
		}
	}
	return out, nil
}

// RiskSample is one labelled subject for FitRisk.
type RiskSample struct {
	Evidence Evidence
	Now      time.Time
	Risky    bool
}

// FitRisk refits the risk intercept and weights (L2-penalized, intercept
// free). Each weight keeps the sign RiskSigns documents, so that a reason
// always pushes the way its description says; a feature that is zero in
// every sample keeps its current weight.
func FitRisk(samples []RiskSample, p Params, l2 float64) (Params, error) {
	names := RiskFeatureNames()
	var X [][]float64
	var y []bool
	seen := make([]bool, len(names))
	for _, s := range samples {
		x := RiskFeatures(s.Evidence, p, s.Now)
		for j, v := range x {
			if v != 0 {
				seen[j] = true
			}
		}
		X = append(X, append([]float64{1}, x...))
		y = append(y, s.Risky)
	}
	init := []float64{p.Risk.Intercept}
	for _, n := range names {
		init = append(init, p.Risk.Weights[n])
	}
	opt := FitOptions{L2: l2, NoPenalty: []bool{true}, Init: init}
	// Unseen features are pinned to their current weight.
	opt.Lower = make([]float64, len(init))
	opt.Upper = make([]float64, len(init))
	signs := RiskSigns()
	for j := range init {
		opt.Lower[j], opt.Upper[j] = math.Inf(-1), math.Inf(1)
		if j == 0 {
			continue
		}
		switch signs[names[j-1]] {
		case 1:
			opt.Lower[j] = 0
		case -1:
			opt.Upper[j] = 0
		}
		if !seen[j-1] {
			opt.Lower[j], opt.Upper[j] = init[j], init[j]
		}
	}
	beta, err := FitLogistic(X, y, opt)
	if err != nil {
		return p, err
	}
	out := p
	out.Risk.Weights = make(map[string]float64, len(names))
	out.Risk.Intercept = round4(beta[0])
	for j, n := range names {
		out.Risk.Weights[n] = round4(beta[j+1])
	}
	return out, nil
}

// RiskSigns is the direction each risk feature may push: +1 raises risk
// (weight ≥ 0), −1 lowers it (weight ≤ 0). FitRisk enforces it.
func RiskSigns() map[string]int {
	out := map[string]int{}
	for _, n := range RiskFeatureNames() {
		out[n] = 1
	}
	for _, n := range []string{RiskFootprintBreadth, RiskFootprintAge, RiskBreachHistory} {
		out[n] = -1
	}
	return out
}
