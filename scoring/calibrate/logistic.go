package calibrate

import (
	"errors"
	"fmt"
	"math"
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
		return nil, errors.New("calibrate: fit: no samples or len(X) != len(y)")
	}
	d := len(X[0])
	for _, r := range X {
		if len(r) != d {
			return nil, errors.New("calibrate: fit: ragged design matrix")
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
			return nil, fmt.Errorf("calibrate: fit: singular system at column %d", c)
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

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
