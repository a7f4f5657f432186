package calibrate

import (
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"

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
	return scoreIdentity(cases, m, threshold, min(runtime.GOMAXPROCS(0), 4))
}

// caseScore is what one re-resolved case adds to an IdentityScore.
type caseScore struct {
	owned, rec, ret, wrong, n int
	loss                      float64 // summed over the case's accounts
}

// scoreIdentity is ScoreIdentity on workers goroutines. Each case is
// resolved into its own slot and the slots are summed in case order, so the
// result is the same, bit for bit, whatever the number of workers.
func scoreIdentity(cases []IdentityCase, m identity.Model, threshold float64, workers int) IdentityScore {
	per := make([]caseScore, len(cases))
	eachCase(len(cases), workers, func(i int) {
		p, y := resolved(cases[i], m)
		per[i] = tally(cases[i].Owned, p, y, threshold)
	})
	return total(per)
}

// total sums the cases' scores in order.
func total(per []caseScore) IdentityScore {
	var t caseScore
	for _, c := range per {
		t.owned += c.owned
		t.rec += c.rec
		t.ret += c.ret
		t.wrong += c.wrong
		t.n += c.n
		t.loss += c.loss
	}
	var sc IdentityScore
	if t.owned > 0 {
		sc.Recall = float64(t.rec) / float64(t.owned)
	}
	if t.ret > 0 {
		sc.FalseShare = float64(t.wrong) / float64(t.ret)
	}
	if t.n > 0 {
		sc.LogLoss = t.loss / float64(t.n)
	}
	return sc
}

// resolved re-resolves one case: each returned account's probability and
// whether it is the subject's.
func resolved(c IdentityCase, m identity.Model) ([]float64, []bool) {
	out := m.Resolve(c.Subject, c.Accounts)
	p, y := make([]float64, len(out)), make([]bool, len(out))
	for i, a := range out {
		p[i], y[i] = a.Match.Probability, c.Truth(a.Source, a.Username)
	}
	return p, y
}

// tally scores one case's resolved accounts at threshold.
func tally(owned int, p []float64, y []bool, threshold float64) caseScore {
	s := caseScore{owned: owned}
	for i := range p {
		s.n++
		s.loss += logLoss(p[i], y[i])
		if p[i] < threshold {
			continue
		}
		s.ret++
		if y[i] {
			s.rec++
		} else {
			s.wrong++
		}
	}
	return s
}

// FitIdentity fits the model's parameters to cases by coordinate descent on
// the log loss (a proper scoring rule, so the fitted probabilities are
// calibrated, not merely tuned for one threshold). It starts from base and
// returns the fitted model. It fits the additive model: the returned model
// has no second look (base.Second is dropped), whose inputs are the
// additive model's answers; fit one on top of it with FitSecond.
func FitIdentity(cases []IdentityCase, base identity.Model) identity.Model {
	return FitIdentityProgress(cases, base, nil)
}

// FitIdentityProgress is FitIdentity calling progress (when not nil) with
// the log loss after each pass over the parameters.
func FitIdentityProgress(cases []IdentityCase, base identity.Model, progress func(pass int, logLoss float64)) identity.Model {
	m, _ := FitIdentityOnly(cases, base, nil, progress)
	return m
}

// FitIdentityOnly is FitIdentityProgress fitting only the parameters named
// in only (Model field names, "PlatformBias.<source>" for one platform's
// bias; nil or empty: every parameter); the others keep base's values. An
// unknown name is an error. Fitting only what a change touches costs a
// fraction of a full refit (each parameter costs evaluations of every case).
func FitIdentityOnly(cases []IdentityCase, base identity.Model, only []string, progress func(pass int, logLoss float64)) (identity.Model, error) {
	m := base
	m.Second = nil // see FitIdentity
	type param struct {
		name string
		p    *float64
	}
	params := []param{{"Bias", &m.Bias}, {"NamesBias", &m.NamesBias}, {"ReusedBias", &m.ReusedBias}, {"PriorScale", &m.PriorScale},
		{"ReuseGivenOwner", &m.ReuseGivenOwner}, {"NameMatchLR", &m.NameMatchLR}, {"NameMismatchLR", &m.NameMismatchLR},
		{"LocationMatchLR", &m.LocationMatchLR}, {"LocationClashLR", &m.LocationClashLR}, {"LinkToDomainLR", &m.LinkToDomainLR},
		{"LinkToAccountLR", &m.LinkToAccountLR}, {"LocalPartNameLR", &m.LocalPartNameLR}, {"PlainLink", &m.PlainLink},
		{"VerifiedLink", &m.VerifiedLink}, {"EmailMatch", &m.EmailMatch}, {"UncorroboratedLR", &m.UncorroboratedLR},
		{"TopicMatchLR", &m.TopicMatchLR}, {"TopicClashLR", &m.TopicClashLR}, {"NameMatchDerivedLR", &m.NameMatchDerivedLR},
		{"NamePartLR", &m.NamePartLR}, {"NameSearch", &m.NameSearch}, {"SamePlatformLR", &m.SamePlatformLR},
		{"TopicAloneLR", &m.TopicAloneLR}, {"UnlinkedLR", &m.UnlinkedLR}, {"LanguageMatchLR", &m.LanguageMatchLR},
		{"LanguageClashLR", &m.LanguageClashLR}, {"NamesakeLR", &m.NamesakeLR}, {"HandleSharedLR", &m.HandleSharedLR},
		{"CrowdedHandleLR", &m.CrowdedHandleLR}, {"CrowdBias", &m.CrowdBias}, {"GuessCrowdBias", &m.GuessCrowdBias},
		{"EmployerLR", &m.EmployerLR}, {"OtherHandleLR", &m.OtherHandleLR}, {"PhotoMatchLR", &m.PhotoMatchLR},
		{"PhotoDifferLR", &m.PhotoDifferLR}, {"PhotoPoolWeight", &m.PhotoPoolWeight}, {"LinkClashLR", &m.LinkClashLR},
		{"EmailHandleDigitsLR", &m.EmailHandleDigitsLR}, {"LinkedNameMatchLR", &m.LinkedNameMatchLR}}
	// Each platform's bias is fitted through a slot of its own, copied into
	// the model's map before every evaluation.
	plats := slices.Sorted(maps.Keys(platforms(cases)))
	pb := make([]float64, len(plats))
	for i, s := range plats {
		pb[i] = m.PlatformBias[s]
		params = append(params, param{"PlatformBias." + s, &pb[i]})
	}
	additive := map[*float64]bool{&m.Bias: true, &m.NamesBias: true, &m.ReusedBias: true}
	for i := range pb {
		additive[&pb[i]] = true
	}
	if len(only) > 0 {
		var keep []param
		for _, name := range only {
			i := slices.IndexFunc(params, func(p param) bool { return p.name == name })
			if i < 0 {
				return base, fmt.Errorf("calibrate: no identity parameter %q to fit", name)
			}
			keep = append(keep, params[i])
		}
		params = keep
	}
	fitted := func(p *float64) bool { return slices.ContainsFunc(params, func(q param) bool { return q.p == p }) }
	// Parameters left at 0 (off) start from 1 (no effect), so that the
	// fit can turn them on; the derived ratios start from what they refine.
	for _, p := range []*float64{&m.PriorScale, &m.UncorroboratedLR, &m.NamePartLR, &m.SamePlatformLR,
		&m.UnlinkedLR, &m.NamesakeLR, &m.LanguageMatchLR, &m.LanguageClashLR, &m.HandleSharedLR, &m.CrowdedHandleLR, &m.EmployerLR, &m.OtherHandleLR,
		&m.PhotoMatchLR, &m.PhotoDifferLR, &m.LinkClashLR, &m.EmailHandleDigitsLR} {
		if *p == 0 && fitted(p) {
			*p = 1
		}
	}
	if m.CrowdBias == 0 && fitted(&m.CrowdBias) {
		m.CrowdBias = -0.1 // steps are relative: start off zero
	}
	if m.GuessCrowdBias == 0 && fitted(&m.GuessCrowdBias) {
		m.GuessCrowdBias = -0.1
	}
	if m.PhotoPoolWeight == 0 && fitted(&m.PhotoPoolWeight) {
		m.PhotoPoolWeight = 0.3
	}
	if m.NameMatchDerivedLR == 0 && fitted(&m.NameMatchDerivedLR) {
		m.NameMatchDerivedLR = m.NameMatchLR
	}
	if m.TopicAloneLR == 0 && fitted(&m.TopicAloneLR) {
		m.TopicAloneLR = m.TopicMatchLR
	}
	if m.LinkedNameMatchLR == 0 && fitted(&m.LinkedNameMatchLR) {
		m.LinkedNameMatchLR = m.NameMatchLR
	}
	sync := func() {
		mb := make(map[string]float64, len(plats))
		for i, s := range plats {
			if pb[i] != 0 {
				mb[s] = pb[i]
			}
		}
		for s, b := range base.PlatformBias {
			if !slices.Contains(plats, s) && b != 0 {
				mb[s] = b // a platform none of the cases guessed on keeps its bias
			}
		}
		m.PlatformBias = mb
	}
	// A bio's topics and language do not depend on the parameters: read
	// them once for the whole fit (the returned model gets the model's own
	// readers back).
	topics, language := m.Topics, m.Language
	m.Topics, m.Language = memoTopics(cases, topics), memoLanguage(cases, language)
	loss := func() float64 { sync(); return ScoreIdentity(cases, m, 0.5).LogLoss }
	best := loss()
	// Coarse to fine: the first pass looks far, the later ones refine
	// (each step size costs at least two evaluations per parameter).
	for pass, steps := range [][]float64{{0.5, 0.2, 0.05}, {0.2, 0.05}, {0.05}, {0.05}, {0.05}, {0.05}} {
		improved, start := false, best
		for _, pr := range params {
			p := pr.p
			for _, step := range steps {
				for _, dir := range []float64{1, -1} {
					moved := false
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
							best, improved, moved = l, true, true
							continue
						}
						*p = old
						break
					}
					if moved {
						// The step just failed in this direction from a
						// point the other direction came from: going back
						// cannot be better.
						break
					}
				}
			}
		}
		if progress != nil {
			progress(pass, best)
		}
		if !improved || pass > 0 && start-best < 1e-5 {
			break // what is left is noise
		}
	}
	sync()
	m.Topics, m.Language = topics, language
	return m, nil
}

// memoTopics returns topics answering from a table read once for every
// account of cases (nil when topics is nil). The table is only read after
// it is built, so the resolutions running in parallel may share it.
func memoTopics(cases []IdentityCase, topics func(string, []string) map[string]bool) func(string, []string) map[string]bool {
	if topics == nil {
		return nil
	}
	// The key joins the tags only: an account has none or one tag in the
	// common case, which Join returns without building a string, and the
	// fit asks for every account at every evaluation.
	type key struct{ text, tags string }
	keyOf := func(text string, tags []string) key { return key{text, strings.Join(tags, "\x00")} }
	table := map[key]map[string]bool{}
	for _, c := range cases {
		for _, a := range c.Accounts {
			text := a.Bio + " " + a.JobTitle
			if k := keyOf(text, a.Tags); table[k] == nil {
				table[k] = topics(text, a.Tags)
			}
		}
	}
	return func(text string, tags []string) map[string]bool {
		if t, ok := table[keyOf(text, tags)]; ok {
			return t
		}
		return topics(text, tags)
	}
}

// memoLanguage is memoTopics for the language of a bio.
func memoLanguage(cases []IdentityCase, language func(string) (string, bool)) func(string) (string, bool) {
	if language == nil {
		return nil
	}
	type detected struct {
		lang string
		ok   bool
	}
	table := map[string]detected{}
	for _, c := range cases {
		for _, a := range c.Accounts {
			if _, ok := table[a.Bio]; !ok {
				l, ok := language(a.Bio)
				table[a.Bio] = detected{l, ok}
			}
		}
	}
	return func(text string) (string, bool) {
		if d, ok := table[text]; ok {
			return d.lang, d.ok
		}
		return language(text)
	}
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
		m.LinkClashLR <= 1 &&
		// The email's own username with its digits raises (0: off); a
		// name on a linked profile raises, no more than a name elsewhere.
		(m.EmailHandleDigitsLR == 0 || m.EmailHandleDigitsLR >= 1 && m.EmailHandleDigitsLR <= 200) &&
		(m.LinkedNameMatchLR == 0 || m.LinkedNameMatchLR >= 1 && m.LinkedNameMatchLR <= m.NameMatchLR)
}
