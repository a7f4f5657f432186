// Package calibrate fits footprint's probability models to labelled data
// and measures how well their probabilities mean what they say.
//
// Metrics (Brier, BaseRateBrier, LogLoss, ECE, AUC, Reliability) take
// predictions p ∈ [0,1] and outcomes y. Fitting comes in two kinds:
// FitLogistic, the penalized Newton–Raphson fit under the linear models of
// package scoring (FitInterests, FitRisk); and FitIdentity, a coordinate
// descent on the log loss of the likelihood-ratio model of package
// scoring/identity, scored by ScoreIdentity. Nothing here runs at request
// time: cmd/footprint's eval and the tests call it, and the fitted numbers
// are written back into DefaultParams and identity.DefaultModel by hand
// (see SCORING.md and docs/IDENTITY.md).
package calibrate

import (
	"math"
	"sort"
)

// Calibration metrics over predictions p ∈ [0,1] and outcomes y. All
// return NaN for empty input (and AUC for a single class).

// Brier is the mean squared error of the predictions.
func Brier(p []float64, y []bool) float64 {
	if len(p) == 0 || len(p) != len(y) {
		return math.NaN()
	}
	var s float64
	for i := range p {
		d := p[i] - b2f(y[i])
		s += d * d
	}
	return s / float64(len(p))
}

// BaseRateBrier is the Brier score of always predicting the base rate
// (mean of y): the score to beat. Skill = 1 − Brier/BaseRateBrier.
func BaseRateBrier(y []bool) float64 {
	if len(y) == 0 {
		return math.NaN()
	}
	r := float64(trues(y)) / float64(len(y))
	return r * (1 - r)
}

// LogLoss is the mean negative log likelihood of the outcomes (natural
// log), with predictions clamped to [1e-4, 1−1e-4] so that one confident
// mistake costs at most ln 10⁴ ≈ 9.2.
func LogLoss(p []float64, y []bool) float64 {
	if len(p) == 0 || len(p) != len(y) {
		return math.NaN()
	}
	var s float64
	for i := range p {
		s += logLoss(p[i], y[i])
	}
	return s / float64(len(p))
}

func logLoss(p float64, y bool) float64 {
	p = min(max(p, 1e-4), 1-1e-4)
	if y {
		return -math.Log(p)
	}
	return -math.Log(1 - p)
}

// Bin is one bin of a reliability diagram.
type Bin struct {
	Lo            float64 `json:"lo"`
	Hi            float64 `json:"hi"`
	Count         int     `json:"count"`
	MeanPredicted float64 `json:"mean_predicted"`
	Observed      float64 `json:"observed"`
}

// Reliability bins predictions into n equal-width bins over [0,1] (the
// last bin includes 1) and reports each bin's mean prediction and observed
// frequency. Empty bins have Count 0 and NaN-free zero means.
func Reliability(p []float64, y []bool, n int) []Bin {
	if n <= 0 {
		n = 10
	}
	bins := make([]Bin, n)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/float64(n), float64(i+1)/float64(n)
	}
	if len(p) != len(y) {
		return bins
	}
	for i, v := range p {
		x := v
		if math.IsNaN(x) {
			x = 0
		}
		k := min(int(math.Floor(math.Max(0, math.Min(1, x))*float64(n))), n-1)
		bins[k].Count++
		bins[k].MeanPredicted += v
		bins[k].Observed += b2f(y[i])
	}
	for i := range bins {
		if c := bins[i].Count; c > 0 {
			bins[i].MeanPredicted /= float64(c)
			bins[i].Observed /= float64(c)
		}
	}
	return bins
}

// ECE is the expected calibration error over 10 equal-width bins:
// Σ_bins (count/N) × |mean predicted − observed|.
func ECE(p []float64, y []bool) float64 {
	if len(p) == 0 || len(p) != len(y) {
		return math.NaN()
	}
	var s float64
	for _, b := range Reliability(p, y, 10) {
		s += float64(b.Count) * math.Abs(b.MeanPredicted-b.Observed)
	}
	return s / float64(len(p))
}

// AUC is the area under the ROC curve, computed from ranks (Mann–Whitney U;
// ties get average ranks): the probability that a random positive scores
// higher than a random negative, ties counting half.
func AUC(p []float64, y []bool) float64 {
	if len(p) != len(y) {
		return math.NaN()
	}
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	var npos, nneg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && p[idx[j]] == p[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if y[idx[k]] {
				rankSum += avg
			}
		}
		i = j
	}
	for _, v := range y {
		if v {
			npos++
		} else {
			nneg++
		}
	}
	if npos == 0 || nneg == 0 {
		return math.NaN()
	}
	return (rankSum - npos*(npos+1)/2) / (npos * nneg)
}

// trues counts the true outcomes in y.
func trues(y []bool) int {
	n := 0
	for _, v := range y {
		if v {
			n++
		}
	}
	return n
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
