package calibrate

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring"
)

// TestFitInterests: on synthetic subjects whose bios mention their
// interests, the fit raises the bio weight and learns the base rates.
func TestFitInterests(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	bio := map[string]string{"pets": "dogs", "travel": "hiking", "music_audio": "guitar"}
	var samples []InterestSample
	for i := range 600 {
		var truth []string
		var words string
		for c, w := range bio {
			if r.Float64() < 0.3 {
				truth = append(truth, c)
				if r.Float64() < 0.7 {
					words += w + ", "
				}
			} else if r.Float64() < 0.02 {
				words += w + ", "
			}
		}
		a := acct("bluesky", "u", 1, words)
		samples = append(samples, InterestSample{
			Evidence:  scoring.Evidence{Accounts: []enrichers.Account{a}, Sources: map[string]enrichers.Status{"bluesky": enrichers.StatusOK}},
			Interests: truth,
		})
		_ = i
	}
	p := scoring.DefaultParams()
	p.Interest.Weights[scoring.KindBio] = 0.1
	fit, err := FitInterests(samples, p, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Interest.Weights[scoring.KindBio] < 2 {
		t.Errorf("bio weight %v, want a strong signal", fit.Interest.Weights[scoring.KindBio])
	}
	// A held kind keeps its weight although the data has it; the rest is
	// still fitted.
	held, err := FitInterests(samples, p, 0.01, scoring.KindBio)
	if err != nil {
		t.Fatal(err)
	}
	if held.Interest.Weights[scoring.KindBio] != 0.1 || held.Interest.Prior["pets"] == p.Interest.Prior["pets"] {
		t.Errorf("held fit: bio weight %v (want 0.1), pets prior %v", held.Interest.Weights[scoring.KindBio], held.Interest.Prior["pets"])
	}
	for _, w := range fit.Interest.Weights {
		if w < 0 {
			t.Errorf("negative weight %v", fit.Interest.Weights)
		}
	}
	if fit.Interest.Absence < 0 {
		t.Errorf("negative absence %v", fit.Interest.Absence)
	}
	// Never-seen categories get a very low prior; seen ones ≈ 30 %.
	if fit.Interest.Prior["automotive"] > -5 {
		t.Errorf("prior of an absent category %v", fit.Interest.Prior["automotive"])
	}
	// Fitted probabilities are calibrated in-sample.
	var ps []float64
	var ys []bool
	for _, s := range samples {
		ints := scoring.Interests(s.Evidence, fit)
		for c := range bio {
			ps = append(ps, probOf(ints, c))
			has := false
			for _, x := range s.Interests {
				has = has || x == c
			}
			ys = append(ys, has)
		}
	}
	if e := ECE(ps, ys); e > 0.05 {
		t.Errorf("ECE after fit = %v", e)
	}
	if a := AUC(ps, ys); a < 0.8 {
		t.Errorf("AUC after fit = %v", a)
	}
}

// TestFitRisk: the fit learns that disposable emails are risky and keeps
// the weights of features never seen.
func TestFitRisk(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 9))
	var samples []RiskSample
	for range 2000 {
		risky := r.Float64() < 0.1
		disp := r.Float64() < map[bool]float64{true: 0.5, false: 0.02}[risky]
		samples = append(samples, RiskSample{
			Evidence: scoring.Evidence{Email: &enrichers.EmailFacts{Valid: true, Disposable: disp}},
			Now:      testNow, Risky: risky,
		})
	}
	p := scoring.DefaultParams()
	fit, err := FitRisk(samples, p, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	// log LR of disposable ≈ log(.5/.02) - log(.5/.98) ≈ 3.9
	if w := fit.Risk.Weights[scoring.RiskDisposableEmail]; math.Abs(w-3.9) > 0.6 {
		t.Errorf("disposable weight %v, want ≈ 3.9", w)
	}
	if fit.Risk.Weights[scoring.RiskPhoneVoIP] != p.Risk.Weights[scoring.RiskPhoneVoIP] {
		t.Errorf("unseen feature weight changed: %v", fit.Risk.Weights[scoring.RiskPhoneVoIP])
	}
	// Held, a seen feature keeps its weight too, and the others move.
	held, err := FitRisk(samples, p, 0.01, scoring.RiskDisposableEmail)
	if err != nil {
		t.Fatal(err)
	}
	if held.Risk.Weights[scoring.RiskDisposableEmail] != p.Risk.Weights[scoring.RiskDisposableEmail] || held.Risk.Intercept == p.Risk.Intercept {
		t.Errorf("held fit: disposable %v (was %v), intercept %v (was %v)", held.Risk.Weights[scoring.RiskDisposableEmail],
			p.Risk.Weights[scoring.RiskDisposableEmail], held.Risk.Intercept, p.Risk.Intercept)
	}
}

// TestFitRiskSigns: weights keep their documented direction even when the
// data say otherwise.
func TestFitRiskSigns(t *testing.T) {
	t.Parallel()
	var samples []RiskSample
	for i := range 400 {
		// Typo domains only among the safe: an unconstrained fit would go negative.
		samples = append(samples, RiskSample{
			Evidence: scoring.Evidence{Email: &enrichers.EmailFacts{Valid: true, TypoSuggestion: map[bool]string{true: "gmail.com"}[i%3 == 0]}},
			Now:      testNow, Risky: i%3 != 0 && i%5 == 0,
		})
	}
	fit, err := FitRisk(samples, scoring.DefaultParams(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	for code, sign := range scoring.RiskSigns() {
		if w := fit.Risk.Weights[code]; w*float64(sign) < 0 {
			t.Errorf("%s weight %v has the wrong sign", code, w)
		}
	}
	for code, w := range scoring.DefaultParams().Risk.Weights {
		if w*float64(scoring.RiskSigns()[code]) < 0 {
			t.Errorf("default %s weight %v has the wrong sign", code, w)
		}
	}
}

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// acct builds an account with a match probability and a bio.
func acct(source, user string, m float64, bio string) enrichers.Account {
	return enrichers.Account{Source: source, Username: user, Bio: bio, Match: &enrichers.Match{Probability: m, Method: "test"}}
}

func probOf(ints []scoring.Interest, id string) float64 {
	for _, in := range ints {
		if in.ID == id {
			return in.Probability
		}
	}
	return -1
}
