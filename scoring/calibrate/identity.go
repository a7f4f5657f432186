package calibrate

import (
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// IdentityCase is one person's candidate accounts with what identity
// resolution knows about the person, for refitting the model without
// fetching anything again. Truth reports whether an account the model
// returns is really the person's.
type IdentityCase struct {
	Subject  identity.Subject
	Accounts []enrichers.Account
	Truth    func(source, username string) bool
	// Owned is how many accounts the person really has (found or not):
	// the denominator of recall.
	Owned int
}

// IdentityScore is a model's performance on cases at one threshold, plus
// its log loss over every candidate (the fitting objective).
type IdentityScore struct {
	Recall, FalseShare, LogLoss float64
}

// ScoreIdentity re-resolves every case with m.
func ScoreIdentity(cases []IdentityCase, m identity.Model, threshold float64) IdentityScore {
	var sc IdentityScore
	var ps []float64
	var ys []bool
	var owned, rec, ret, wrong int
	// Cases are resolved on a few goroutines, each into its own slot, and
	// read in order: the result does not depend on scheduling.
	resolved := make([][]enrichers.Account, len(cases))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), 4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(cases); i += workers {
				resolved[i] = m.Resolve(cases[i].Subject, cases[i].Accounts)
			}
		}()
	}
	wg.Wait()
	for i, c := range cases {
		owned += c.Owned
		for _, a := range resolved[i] {
			p := a.Match.Probability
			y := c.Truth(a.Source, a.Username)
			ps, ys = append(ps, p), append(ys, y)
			if p < threshold {
				continue
			}
			ret++
			if y {
				rec++
			} else {
				wrong++
			}
		}
	}
	if owned > 0 {
		sc.Recall = float64(rec) / float64(owned)
	}
	if ret > 0 {
		sc.FalseShare = float64(wrong) / float64(ret)
	}
	if len(ps) > 0 {
		sc.LogLoss = LogLoss(ps, ys)
	}
	return sc
}

// FitIdentity fits the model's parameters to cases by coordinate descent on
// the log loss (a proper scoring rule, so the fitted probabilities are
// calibrated, not merely tuned for one threshold). It starts from base and
// returns the fitted model.
func FitIdentity(cases []IdentityCase, base identity.Model) identity.Model {
	m := base
	// Parameters left at 0 (off) start from 1 (no effect), so that the
	// fit can turn them on; the derived ratios start from what they refine.
	for _, p := range []*float64{&m.PriorScale, &m.UncorroboratedLR, &m.NamePartLR, &m.SamePlatformLR,
		&m.UnlinkedLR, &m.NamesakeLR, &m.LanguageMatchLR, &m.LanguageClashLR, &m.HandleSharedLR, &m.CrowdedHandleLR, &m.EmployerLR, &m.OtherHandleLR,
		&m.PhotoMatchLR, &m.PhotoDifferLR, &m.LinkClashLR} {
		if *p == 0 {
			*p = 1
		}
	}
	if m.CrowdBias == 0 {
		m.CrowdBias = -0.1 // steps are relative: start off zero
	}
	if m.GuessCrowdBias == 0 {
		m.GuessCrowdBias = -0.1
	}
	if m.PhotoPoolWeight == 0 {
		m.PhotoPoolWeight = 0.3
	}
	if m.NameMatchDerivedLR == 0 {
		m.NameMatchDerivedLR = m.NameMatchLR
	}
	if m.TopicAloneLR == 0 {
		m.TopicAloneLR = m.TopicMatchLR
	}
	params := []*float64{&m.Bias, &m.NamesBias, &m.ReusedBias, &m.PriorScale, &m.ReuseGivenOwner, &m.NameMatchLR, &m.NameMismatchLR,
		&m.LocationMatchLR, &m.LocationClashLR, &m.LinkToDomainLR, &m.LinkToAccountLR, &m.LocalPartNameLR,
		&m.PlainLink, &m.VerifiedLink, &m.EmailMatch, &m.UncorroboratedLR, &m.TopicMatchLR, &m.TopicClashLR, &m.NameMatchDerivedLR, &m.NamePartLR, &m.NameSearch, &m.SamePlatformLR,
		&m.TopicAloneLR, &m.UnlinkedLR, &m.LanguageMatchLR, &m.LanguageClashLR, &m.NamesakeLR, &m.HandleSharedLR, &m.CrowdedHandleLR, &m.CrowdBias, &m.GuessCrowdBias, &m.EmployerLR, &m.OtherHandleLR,
		&m.PhotoMatchLR, &m.PhotoDifferLR, &m.PhotoPoolWeight, &m.LinkClashLR}
	// Each platform's bias is fitted through a slot of its own, copied into
	// the model's map before every evaluation.
	plats := slices.Sorted(maps.Keys(platforms(cases)))
	pb := make([]float64, len(plats))
	for i, s := range plats {
		pb[i] = m.PlatformBias[s]
	}
	additive := map[*float64]bool{&m.Bias: true, &m.NamesBias: true, &m.ReusedBias: true}
	for i := range pb {
		params = append(params, &pb[i])
		additive[&pb[i]] = true
	}
	sync := func() {
		mb := make(map[string]float64, len(plats))
		for i, s := range plats {
			if pb[i] != 0 {
				mb[s] = pb[i]
			}
		}
		m.PlatformBias = mb
	}
	loss := func() float64 { sync(); return ScoreIdentity(cases, m, 0.5).LogLoss }
	best := loss()
	for pass := 0; pass < 4; pass++ {
		improved := false
		for _, p := range params {
			for _, step := range []float64{0.5, 0.2, 0.05} {
				for _, dir := range []float64{1, -1} {
					for {
						old := *p
						if additive[p] {
							*p = old + dir*step*2 // biases move in log-odds
						} else {
							*p = old * (1 + dir*step)
						}
						if !valid(m) {
							*p = old
							break
						}
						if l := loss(); l < best-1e-6 {
							best, improved = l, true
							continue
						}
						*p = old
						break
					}
				}
			}
		}
		if !improved {
			break
		}
	}
	sync()
	return m
}

// platforms are the platforms of the cases' username guesses and
// name-search hits: the ones a platform bias can apply to.
func platforms(cases []IdentityCase) map[string]bool {
	out := map[string]bool{}
	for _, c := range cases {
		for _, a := range c.Accounts {
			if a.Method == enrichers.MethodUsernameGuess || a.Method == enrichers.MethodNameSearch {
				out[a.Source] = true
			}
		}
	}
	return out
}

func valid(m identity.Model) bool {
	for _, b := range m.PlatformBias {
		if math.Abs(b) >= 3 {
			return false
		}
	}
	for _, p := range []float64{m.ReuseGivenOwner, m.PlainLink, m.VerifiedLink, m.EmailMatch, m.NameSearch} {
		if p <= 0.01 || p >= 0.995 {
			return false
		}
	}
	for _, lr := range []float64{m.HandleSharedLR, m.CrowdedHandleLR, m.NamesakeLR, m.TopicAloneLR, m.UnlinkedLR, m.LanguageMatchLR, m.LanguageClashLR, m.SamePlatformLR, m.NamePartLR, m.NameMatchDerivedLR, m.TopicMatchLR, m.TopicClashLR, m.UncorroboratedLR, m.NameMatchLR, m.NameMismatchLR, m.LocationMatchLR, m.LocationClashLR, m.LinkToDomainLR, m.LinkToAccountLR, m.LocalPartNameLR, m.EmployerLR, m.OtherHandleLR, m.PhotoMatchLR, m.PhotoDifferLR, m.LinkClashLR} {
		if lr < 0.01 || lr > 200 {
			return false
		}
	}
	// Keep the parameters meaningful: a verified link is at least as strong
	// as a plain one, matches raise and mismatches lower, part of a name is
	// weaker evidence than the whole name.
	return m.VerifiedLink >= m.PlainLink && m.NameMatchLR >= 1 && m.NameMismatchLR <= 1 && m.LocationMatchLR >= 1 &&
		m.LocationClashLR <= 1 && m.LinkToDomainLR >= 1 && m.LinkToAccountLR >= 1 && m.LocalPartNameLR >= 1 && m.UncorroboratedLR <= 1 && m.SamePlatformLR <= 1 && m.TopicMatchLR >= 1 && m.TopicClashLR <= 1 &&
		m.TopicAloneLR >= 1 && m.UnlinkedLR <= 1 && m.NamesakeLR <= 1 && m.HandleSharedLR <= 1 && m.LanguageMatchLR >= 1 && m.LanguageClashLR <= 1 &&
		m.NamePartLR <= m.NameMatchLR && m.NamePartLR >= m.NameMismatchLR &&
		m.PriorScale > 0.1 && m.PriorScale < 5 && m.Bias > -6 && m.Bias < 6 && m.EmployerLR >= 1 && math.Abs(m.NamesBias) < 6 && math.Abs(m.ReusedBias) < 6 && m.CrowdBias <= 0 && m.CrowdBias > -4 && m.GuessCrowdBias <= 0 && m.GuessCrowdBias > -4 &&
		// The same photo raises, another lowers, and no more than a
		// cross-link: a photo can be copied, a link is the owner's.
		m.PhotoMatchLR >= 1 && m.PhotoMatchLR <= m.LinkToAccountLR && m.PhotoDifferLR <= 1 && m.PhotoDifferLR >= 0.1 &&
		// Pooling counts at most all of the other account's evidence.
		m.PhotoPoolWeight > 0 && m.PhotoPoolWeight <= 1 &&
		// Links to another profile on a platform lower.
		m.LinkClashLR <= 1
}
