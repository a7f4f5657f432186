package scoring

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Risk reason codes; each is one feature of the risk model.
const (
	RiskDisposableEmail      = "disposable_email"
	RiskInvalidEmail         = "invalid_email"
	RiskTypoDomain           = "typo_domain"
	RiskRoleAccount          = "role_account"
	RiskNoMX                 = "no_mx"
	RiskNullMX               = "null_mx"
	RiskYoungDomain          = "young_domain"
	RiskNewDomain            = "new_domain"
	RiskNoFootprint          = "no_footprint"
	RiskFootprintBreadth     = "footprint_breadth"
	RiskYoungFootprint       = "young_footprint"
	RiskFootprintAge         = "footprint_age"
	RiskPhoneInvalid         = "phone_invalid"
	RiskPhoneVoIP            = "phone_voip"
	RiskPhoneCountryMismatch = "phone_country_mismatch"
	RiskNameMismatch         = "name_mismatch"
	RiskBreachHistory        = "breach_history"
	RiskNoBreaches           = "no_breaches"
	RiskSignalsOverlap       = "signals_overlap"
)

// Indices of the risk features in RiskFeatures vectors.
const (
	fDisposableEmail = iota
	fInvalidEmail
	fTypoDomain
	fRoleAccount
	fNoMX
	fNullMX
	fYoungDomain
	fNewDomain
	fNoFootprint
	fFootprintBreadth
	fYoungFootprint
	fFootprintAge
	fPhoneInvalid
	fPhoneVoIP
	fPhoneCountryMismatch
	fNameMismatch
	fBreachHistory
	fNoBreaches
	fSignalsOverlap
	riskFeatureCount
)

// riskFeatureDesc describes every feature, in feature order.
var riskFeatureDesc = [riskFeatureCount]struct{ code, desc string }{
	fDisposableEmail:      {RiskDisposableEmail, "the email address is at a disposable-mail provider"},
	fInvalidEmail:         {RiskInvalidEmail, "the email address is not valid"},
	fTypoDomain:           {RiskTypoDomain, "the email domain looks like a typo of a common provider"},
	fRoleAccount:          {RiskRoleAccount, "the email address is a role account (info@, admin@)"},
	fNoMX:                 {RiskNoMX, "the email domain does not accept mail (no MX, A or AAAA)"},
	fNullMX:               {RiskNullMX, "the email domain declares it accepts no mail (null MX)"},
	fYoungDomain:          {RiskYoungDomain, "the email domain was registered very recently (on top of new_domain)"},
	fNewDomain:            {RiskNewDomain, "the email domain was registered less than a year ago"},
	fNoFootprint:          {RiskNoFootprint, "no online account was found although the account sources answered"},
	fFootprintBreadth:     {RiskFootprintBreadth, "how many of the subject's online accounts were found: their expected number, the sum of every found account's match probability, candidates (include_candidates) too (log2(1+n))"},
	fYoungFootprint:       {RiskYoungFootprint, "the oldest trace of the subject is very recent"},
	fFootprintAge:         {RiskFootprintAge, "years since the oldest trace of the subject (log2(1+years))"},
	fPhoneInvalid:         {RiskPhoneInvalid, "the phone number is not valid"},
	fPhoneVoIP:            {RiskPhoneVoIP, "the phone number is a VoIP number"},
	fPhoneCountryMismatch: {RiskPhoneCountryMismatch, "the phone's country differs from the stated or email country"},
	fNameMismatch:         {RiskNameMismatch, "the names on the subject's accounts differ from the supplied name (1 − name match)"},
	fBreachHistory:        {RiskBreachHistory, "the email address appears in past data breaches (log2(1+count))"},
	fNoBreaches:           {RiskNoBreaches, "the breach source knows no breach of this address"},
	fSignalsOverlap:       {RiskSignalsOverlap, "several warning signs at once: each beyond the first adds less, as they share a cause (count − 1)"},
}

// overlapping are the warning signs counted by signals_overlap (a name
// mismatch counts when the names differ by half or more).
var overlapping = [...]int{fDisposableEmail, fNewDomain, fPhoneVoIP, fPhoneCountryMismatch, fYoungFootprint}

// RiskFeatureNames lists the risk features (reason codes) in the order of
// RiskFeatures vectors.
func RiskFeatureNames() []string {
	out := make([]string, len(riskFeatureDesc))
	for i, f := range riskFeatureDesc {
		out[i] = f.code
	}
	return out
}

// Verdicts.
const (
	VerdictApprove = "approve"
	VerdictReview  = "review"
	VerdictDecline = "decline"
)

// RiskScore is the probability that the identity is risky (fake,
// throw-away or synthetic), with the reasons.
type RiskScore struct {
	Probability float64 `json:"probability"`
	// Score = 100 × Probability, rounded to 0.1.
	Score   float64  `json:"score"`
	Verdict string   `json:"verdict"`
	Reasons []Reason `json:"reasons"`
}

// Reason is one feature's contribution in log-odds: positive raises the
// risk, negative lowers it.
type Reason struct {
	Code         string  `json:"code"`
	Description  string  `json:"description"`
	Contribution float64 `json:"contribution"`
}

// RiskFeatures returns the risk model's feature vector (columns:
// RiskFeatureNames). A feature whose source is missing or failed is 0.
func RiskFeatures(ev Evidence, p Params, now time.Time) []float64 {
	rp := p.Risk
	x := make([]float64, len(riskFeatureDesc))
	b := func(c bool) float64 {
		if c {
			return 1
		}
		return 0
	}
	if e := ev.email(p); e != nil {
		x[fDisposableEmail] = b(e.Disposable)
		x[fInvalidEmail] = b(!e.Valid)
		x[fTypoDomain] = b(e.TypoSuggestion != "")
		x[fRoleAccount] = b(e.RoleAccount)
	}
	if d := ev.dns(p); d != nil {
		x[fNullMX] = b(d.NullMX)
		x[fNoMX] = b(!d.NullMX && !d.HasMX)
	}
	if d := ev.domain(p); d != nil {
		if age, ok := domainAgeDays(d.Registered, d.AgeDays, now); ok {
			x[fYoungDomain] = b(age < float64(rp.YoungDomainDays))
			x[fNewDomain] = b(age < float64(rp.NewDomainDays))
		}
	}
	// Breadth is the expected number of the subject's accounts found (the
	// sum of the match probabilities), not a count over a threshold: how
	// many accounts pass 0.5 depends on how crowded the web is (fewer
	// guesses pass it among more strangers), their expected number much
	// less (docs/IDENTITY.md, eighth round).
	n, expected := 0, 0.0
	for _, a := range ev.accounts() {
		expected += a.m
		if a.m >= rp.FootprintMatch {
			n++
		}
	}
	x[fFootprintBreadth] = math.Log2(1 + expected)
	if n == 0 && answeredAccountSources(ev, p) >= max(rp.MinAnswered, 1) {
		x[fNoFootprint] = 1
	}
	if first := firstSeen(ev, p, now); first != nil {
		days := now.Sub(*first).Hours() / 24
		x[fYoungFootprint] = b(days < float64(rp.YoungFootprintDays))
		x[fFootprintAge] = math.Log2(1 + days/365.25)
	}
	if ph := ev.phone(p); ph != nil {
		x[fPhoneInvalid] = b(!ph.Valid)
		x[fPhoneVoIP] = b(ph.Valid && strings.EqualFold(ph.LineType, "voip"))
		if ph.Valid && ph.Country != "" {
			refs := referenceCountries(ev, p)
			if len(refs) > 0 && !slices.Contains(refs, strings.ToUpper(ph.Country)) {
				x[fPhoneCountryMismatch] = 1
			}
		}
	}
	if nm := nameMatch(ev, p); nm != nil {
		x[fNameMismatch] = 1 - *nm
	}
	if br, ok := ev.breach(p); ok {
		if br.Count > 0 {
			x[fBreachHistory] = math.Log2(1 + float64(br.Count))
		} else {
			x[fNoBreaches] = 1
		}
	}
	// The warning signs are not independent: a throw-away identity tends
	// to show several (in the simulated web all are drawn from one latent
	// risk), so adding their weights over-counts when several fire.
	k := 0
	for _, f := range overlapping {
		if x[f] > 0 {
			k++
		}
	}
	if x[fNameMismatch] >= 0.5 {
		k++
	}
	x[fSignalsOverlap] = float64(max(k-1, 0))
	return x
}

// Risk scores identity risk with a logistic model over RiskFeatures.
func Risk(ev Evidence, p Params, now time.Time) RiskScore {
	x := RiskFeatures(ev, p, now)
	z := p.Risk.Intercept
	var reasons []Reason
	for i, f := range riskFeatureDesc {
		if x[i] == 0 { // most are: a weight times 0 adds nothing
			continue
		}
		c := p.Risk.Weights[f.code] * x[i]
		z += c
		if c = round4(c); c != 0 {
			reasons = append(reasons, Reason{Code: f.code, Description: f.desc, Contribution: c})
		}
	}
	sort.SliceStable(reasons, func(i, j int) bool {
		return math.Abs(reasons[i].Contribution) > math.Abs(reasons[j].Contribution)
	})
	if reasons == nil {
		reasons = []Reason{}
	}
	prob := round4(sigmoid(z))
	return RiskScore{Probability: prob, Score: math.Round(prob*1000) / 10, Verdict: VerdictOf(prob, p), Reasons: reasons}
}

// VerdictOf maps a risk probability to a verdict with the Params thresholds.
func VerdictOf(prob float64, p Params) string {
	switch {
	case prob >= p.Risk.Decline:
		return VerdictDecline
	case prob < p.Risk.Approve:
		return VerdictApprove
	}
	return VerdictReview
}

func domainAgeDays(reg *time.Time, ageDays int, now time.Time) (float64, bool) {
	if reg != nil && !reg.IsZero() {
		return math.Max(now.Sub(*reg).Hours()/24, 0), true
	}
	if ageDays > 0 {
		return float64(ageDays), true
	}
	return 0, false
}

// answeredAccountSources counts sources other than the facts sources that
// answered definitively.
func answeredAccountSources(ev Evidence, p Params) int {
	facts := [...]string{p.Sources.Email, p.Sources.Phone, p.Sources.DNS, p.Sources.Domain, p.Sources.Company, p.Sources.Breach}
	n := 0
	for name := range ev.Sources {
		if !slices.Contains(facts[:], name) && ev.answered(name) {
			n++
		}
	}
	return n
}

// referenceCountries are the countries the phone is compared with: the
// supplied country and the email domain's country-code TLD.
func referenceCountries(ev Evidence, p Params) []string {
	refs := make([]string, 0, 2)
	if c := strings.ToUpper(strings.TrimSpace(ev.Country)); len(c) == 2 {
		refs = append(refs, c)
	}
	if e := ev.email(p); e != nil {
		if c := ccTLDCountry(e.Domain); c != "" {
			refs = append(refs, c)
		}
	}
	return refs
}

// ccTLDCountry maps a domain's country-code TLD to its ISO country ("uk"
// → GB); "" for generic TLDs and ccTLDs used generically (.io, .co, .me,
// .tv, .ai ...).
func ccTLDCountry(domain string) string {
	i := strings.LastIndexByte(domain, '.')
	if i < 0 {
		return ""
	}
	tld := strings.ToLower(domain[i+1:])
	if len(tld) != 2 {
		return ""
	}
	switch tld {
	case "io", "co", "me", "tv", "ai", "fm", "ly", "gg", "to", "cc", "ws", "eu", "su", "nu", "sh", "ac", "am", "im":
		return ""
	case "uk":
		return "GB"
	}
	return strings.ToUpper(tld)
}

// RiskHandSet names the risk features whose weights are set by hand, not
// fitted (SCORING.md): the simulated web draws them independently of risk
// (typo_domain, role_account), young_footprint carries footprint_age's
// signal, and young_domain sits on top of new_domain. calibrate.FitRisk
// holds them when passed.
func RiskHandSet() []string {
	return []string{RiskTypoDomain, RiskRoleAccount, RiskYoungDomain, RiskFootprintAge}
}

// RiskSigns is the direction each risk feature may push: +1 raises risk
// (weight ≥ 0), −1 lowers it (weight ≤ 0; signals_overlap only takes back
// part of what the overlapping signs added). calibrate.FitRisk enforces it.
func RiskSigns() map[string]int {
	out := map[string]int{}
	for _, n := range RiskFeatureNames() {
		out[n] = 1
	}
	for _, n := range []string{RiskFootprintBreadth, RiskFootprintAge, RiskBreachHistory, RiskSignalsOverlap} {
		out[n] = -1
	}
	return out
}
