package evaluate

import (
	"slices"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/calibrate"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// ScoreCase is what one lookup's scores were computed from, with the
// person's truth: enough to compute (and refit) the scores again, on the
// accounts another identity model resolves, without enriching again. Its
// Evidence holds the accounts as the run resolved them; Rescore replaces
// them.
type ScoreCase struct {
	Evidence   scoring.Evidence
	Now        time.Time
	Risky      bool
	Influencer bool
	Interests  []string
}

// scoreCaseOf is the ScoreCase of an outcome (made with candidates
// included, so the profile's accounts are every resolved account, as
// scoring saw them).
func scoreCaseOf(o Outcome) ScoreCase {
	p := o.Profile
	st := make(map[string]enrichers.Status, len(p.Sources))
	for _, s := range p.Sources {
		st[s.Name] = s.Status
	}
	return ScoreCase{
		Evidence: p.Evidence(p.Accounts, st),
		Now:      p.GeneratedAt,
		Risky:    o.Person.Truth.Risky, Influencer: o.Person.Truth.Influencer,
		Interests: slices.Clone(o.Person.Truth.Interests),
	}
}

// Rescore returns the score cases with their accounts resolved again by m
// (each case's subject and accounts from its identity case, as ReadAll
// pairs them).
func Rescore(ics []calibrate.IdentityCase, scs []ScoreCase, m identity.Model) []ScoreCase {
	out := make([]ScoreCase, len(scs))
	for i, sc := range scs {
		sc.Evidence.Accounts = m.Resolve(ics[i].Subject, ics[i].Accounts)
		out[i] = sc
	}
	return out
}

// ScoreCalibrations measures the influencer and risk probabilities the
// params give the score cases (the same measures as Scores).
func ScoreCalibrations(scs []ScoreCase, p scoring.Params) []Calibration {
	var fp, rp []float64
	var fy, ry []bool
	for _, sc := range scs {
		fp = append(fp, scoring.Influence(sc.Evidence, p).ProbabilityInfluencer)
		fy = append(fy, sc.Influencer)
		rp = append(rp, scoring.Risk(sc.Evidence, p, sc.Now).Probability)
		ry = append(ry, sc.Risky)
	}
	return []Calibration{measure("influencer", fp, fy), measure("risky", rp, ry)}
}

// RiskSamples are the score cases as calibrate.FitRisk takes them.
func RiskSamples(scs []ScoreCase) []calibrate.RiskSample {
	out := make([]calibrate.RiskSample, len(scs))
	for i, sc := range scs {
		out[i] = calibrate.RiskSample{Evidence: sc.Evidence, Now: sc.Now, Risky: sc.Risky}
	}
	return out
}
