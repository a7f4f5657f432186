package calibrate

import (
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/footprint-oss/footprint/scoring/boost"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// FitSecond fits the identity model's second look on cases: every account
// base's additive part returns (base.Second is ignored) becomes a row of
// identity.LookFeatures, its outcome whether the account is the
// subject's. The trees minimise the log loss, which makes them calibrated
// on the cases they saw and a little overconfident on others; so with
// folds ≥ 2 the cases are split into that many folds (case i in fold
// i mod folds), each fold is predicted by trees fitted on the others, and
// a logistic recalibration (a·log-odds + b) fitted on those out-of-fold
// predictions is folded into the final trees (every value times a, b
// added to the bias), which keeps each prediction a sum of contributions.
func FitSecond(cases []IdentityCase, base identity.Model, p boost.Params, folds int) (*boost.Ensemble, error) {
	base.Second = nil
	type rows struct {
		x [][]float64
		y []bool
	}
	per := make([]rows, len(cases))
	eachCase(len(cases), min(runtime.GOMAXPROCS(0), 4), func(i int) {
		c := cases[i]
		accounts, x := base.LookRows(c.Subject, c.Accounts)
		per[i].x = x
		for _, a := range accounts {
			per[i].y = append(per[i].y, c.Truth(a.Source, a.Username))
		}
	})
	pool := func(keep func(i int) bool) ([][]float64, []bool) {
		var x [][]float64
		var y []bool
		for i, r := range per {
			if keep(i) {
				x = append(x, r.x...)
				y = append(y, r.y...)
			}
		}
		return x, y
	}
	names := identity.LookFeatures()
	x, y := pool(func(int) bool { return true })
	e, err := boost.Fit(names, x, y, p)
	if err != nil || folds < 2 {
		return e, err
	}
	var oof [][]float64
	var oy []bool
	for k := range folds {
		fx, fy := pool(func(i int) bool { return i%folds != k })
		fe, err := boost.Fit(names, fx, fy, p)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", k, err)
		}
		tx, ty := pool(func(i int) bool { return i%folds == k })
		for _, r := range tx {
			oof = append(oof, []float64{fe.LogOdds(r), 1})
		}
		oy = append(oy, ty...)
	}
	ab, err := FitLogistic(oof, oy, FitOptions{NoPenalty: []bool{true, true}})
	if err != nil {
		return nil, fmt.Errorf("recalibration: %w", err)
	}
	e.Bias = ab[0]*e.Bias + ab[1]
	for _, t := range e.Trees {
		for j := range t.Nodes {
			t.Nodes[j].V *= ab[0]
		}
	}
	return e, nil
}

// IdentityQuality is how a model does on cases: at p ≥ 0.5 (with the log
// loss over every returned account), the calibration of every returned
// account's probability, and the best recall any threshold reaches with a
// false share of at most 0.05 (issue 15's bar; the threshold is picked on
// these cases, which flatters every model alike).
type IdentityQuality struct {
	IdentityScore
	ECE, Brier, BaseRateBrier float64
	// ExpectedFalseShare is the false share at p ≥ 0.5 the probabilities
	// themselves promise (their mean 1 − p there): calibrated where the
	// decision is made when it is near FalseShare.
	ExpectedFalseShare        float64
	BestRecall, BestThreshold float64
	// Found is the share of the subject's accounts the lookups returned
	// at any probability: no threshold recalls more.
	Found float64
}

// MeasureIdentity re-resolves every case with m and measures it.
func MeasureIdentity(cases []IdentityCase, m identity.Model) IdentityQuality {
	type scored struct {
		p []float64
		y []bool
	}
	per := make([]scored, len(cases))
	tallies := make([]caseScore, len(cases))
	eachCase(len(cases), min(runtime.GOMAXPROCS(0), 4), func(i int) {
		per[i].p, per[i].y = resolved(cases[i], m)
		tallies[i] = tally(cases[i].Owned, per[i].p, per[i].y, 0.5)
	})
	var p []float64
	var y []bool
	owned := 0
	for i, s := range per {
		p = append(p, s.p...)
		y = append(y, s.y...)
		owned += cases[i].Owned
	}
	// Every case is resolved once, for the score at 0.5 as for the rest.
	q := IdentityQuality{IdentityScore: total(tallies), ECE: ECE(p, y), Brier: Brier(p, y), BaseRateBrier: BaseRateBrier(y)}
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return 0
	})
	above, doubt := 0, 0.0
	for _, v := range p {
		if v >= 0.5 {
			above++
			doubt += 1 - v
		}
	}
	if above > 0 {
		q.ExpectedFalseShare = doubt / float64(above)
	}
	tp, n := 0, 0
	if owned > 0 {
		q.Found = float64(trues(y)) / float64(owned)
	}
	for k, i := range order {
		n++
		if y[i] {
			tp++
		}
		// Only where the threshold can fall: between two probabilities.
		if k+1 < len(order) && p[order[k+1]] == p[i] {
			continue
		}
		if owned > 0 && float64(n-tp) <= 0.05*float64(n) && float64(tp)/float64(owned) > q.BestRecall {
			q.BestRecall, q.BestThreshold = float64(tp)/float64(owned), p[i]
		}
	}
	return q
}

// eachCase calls f for every case index on up to workers goroutines; f
// writes only its own slot, so the result does not depend on workers.
func eachCase(n, workers int, f func(i int)) {
	workers = max(1, min(workers, n))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}
