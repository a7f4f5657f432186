package calibrate

import (
	"math"
	"slices"
	"time"

	"github.com/footprint-oss/footprint/scoring"
)

// InterestSample is one labelled subject for FitInterests: the evidence
// and the subject's true interest category ids.
type InterestSample struct {
	Evidence  scoring.Evidence
	Interests []string
}

// FitInterests refits the interest model on labelled subjects: one
// unpenalized prior per category, and the shared kind weights and absence
// weight (bounded at ≥ 0 so that evidence only ever raises its categories).
// Every (subject, category) pair is one observation. A kind whose feature
// is zero in every sample keeps its current weight, and so does every kind
// named in hold (scoring.InterestFeatureNames, "absence" included): hand-set weights
// the data should not override (scoring.DefaultParams holds catalogue, website and
// industry; see SCORING.md). Params not fitted (lexicon, MaxShift,
// AbsenceCap, CompanyMatch) are kept.
func FitInterests(samples []InterestSample, p scoring.Params, l2 float64, hold ...string) (scoring.Params, error) {
	cats := scoring.Taxonomy()
	kinds := scoring.InterestFeatureNames()
	nc := len(cats)
	var X [][]float64
	var y []bool
	seen := make([]bool, len(kinds))
	for _, s := range samples {
		truth := map[string]bool{}
		for _, c := range s.Interests {
			truth[c] = true
		}
		feats := scoring.InterestFeatures(s.Evidence, p)
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
	Evidence scoring.Evidence
	Now      time.Time
	Risky    bool
}

// FitRisk refits the risk intercept and weights (L2-penalized, intercept
// free). Each weight keeps the sign scoring.RiskSigns documents, so that a reason
// always pushes the way its description says; a feature that is zero in
// every sample keeps its current weight, and so does every feature named
// in hold (hand-set weights the data should not override; SCORING.md).
func FitRisk(samples []RiskSample, p scoring.Params, l2 float64, hold ...string) (scoring.Params, error) {
	names := scoring.RiskFeatureNames()
	var X [][]float64
	var y []bool
	seen := make([]bool, len(names))
	for _, s := range samples {
		x := scoring.RiskFeatures(s.Evidence, p, s.Now)
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
	signs := scoring.RiskSigns()
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
		if !seen[j-1] || slices.Contains(hold, names[j-1]) {
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

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
