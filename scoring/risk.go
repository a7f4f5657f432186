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
)

// riskFeatureDesc describes every feature, in feature order.
var riskFeatureDesc = [...]struct{ code, desc string }{
	{RiskDisposableEmail, "the email address is at a disposable-mail provider"},
	{RiskInvalidEmail, "the email address is not valid"},
	{RiskTypoDomain, "the email domain looks like a typo of a common provider"},
	{RiskRoleAccount, "the email address is a role account (info@, admin@)"},
	{RiskNoMX, "the email domain does not accept mail (no MX, A or AAAA)"},
	{RiskNullMX, "the email domain declares it accepts no mail (null MX)"},
	{RiskYoungDomain, "the email domain was registered very recently (on top of new_domain)"},
	{RiskNewDomain, "the email domain was registered less than a year ago"},
	{RiskNoFootprint, "no online account was found although the account sources answered"},
	{RiskFootprintBreadth, "online accounts that probably belong to the subject (log2(1+n))"},
	{RiskYoungFootprint, "the oldest trace of the subject is very recent"},
	{RiskFootprintAge, "years since the oldest trace of the subject (log2(1+years))"},
	{RiskPhoneInvalid, "the phone number is not valid"},
	{RiskPhoneVoIP, "the phone number is a VoIP number"},
	{RiskPhoneCountryMismatch, "the phone's country differs from the stated or email country"},
	{RiskNameMismatch, "the names on the subject's accounts differ from the supplied name (1 − name match)"},
	{RiskBreachHistory, "the email address appears in past data breaches (log2(1+count))"},
	{RiskNoBreaches, "the breach source knows no breach of this address"},
}

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
	set := func(code string, v float64) {
		for i, f := range riskFeatureDesc {
			if f.code == code {
				x[i] = v
				return
			}
		}
	}
	b := func(c bool) float64 {
		if c {
			return 1
		}
		return 0
	}
	if e := ev.email(p); e != nil {
		set(RiskDisposableEmail, b(e.Disposable))
		set(RiskInvalidEmail, b(!e.Valid))
		set(RiskTypoDomain, b(e.TypoSuggestion != ""))
		set(RiskRoleAccount, b(e.RoleAccount))
	}
	if d := ev.dns(p); d != nil {
		set(RiskNullMX, b(d.NullMX))
		set(RiskNoMX, b(!d.NullMX && !d.HasMX))
	}
	if d := ev.domain(p); d != nil {
		if age, ok := domainAgeDays(d.Registered, d.AgeDays, now); ok {
			set(RiskYoungDomain, b(age < float64(rp.YoungDomainDays)))
			set(RiskNewDomain, b(age < float64(rp.NewDomainDays)))
		}
	}
	n := 0
	for _, a := range ev.accounts() {
		if a.m >= rp.FootprintMatch {
			n++
		}
	}
	if n > 0 {
		set(RiskFootprintBreadth, math.Log2(1+float64(n)))
	} else if answeredAccountSources(ev, p) >= max(rp.MinAnswered, 1) {
		set(RiskNoFootprint, 1)
	}
	if first := firstSeen(ev, p, now); first != nil {
		days := now.Sub(*first).Hours() / 24
		set(RiskYoungFootprint, b(days < float64(rp.YoungFootprintDays)))
		set(RiskFootprintAge, math.Log2(1+days/365.25))
	}
	if ph := ev.phone(p); ph != nil {
		set(RiskPhoneInvalid, b(!ph.Valid))
		set(RiskPhoneVoIP, b(ph.Valid && strings.EqualFold(ph.LineType, "voip")))
		if ph.Valid && ph.Country != "" {
			refs := referenceCountries(ev, p)
			if len(refs) > 0 && !slices.Contains(refs, strings.ToUpper(ph.Country)) {
				set(RiskPhoneCountryMismatch, 1)
			}
		}
	}
	if nm := nameMatch(ev, p); nm != nil {
		set(RiskNameMismatch, 1-*nm)
	}
	if br, ok := ev.breach(p); ok {
		if br.Count > 0 {
			set(RiskBreachHistory, math.Log2(1+float64(br.Count)))
		} else {
			set(RiskNoBreaches, 1)
		}
	}
	return x
}

// Risk scores identity risk with a logistic model over RiskFeatures.
func Risk(ev Evidence, p Params, now time.Time) RiskScore {
	x := RiskFeatures(ev, p, now)
	z := p.Risk.Intercept
	var reasons []Reason
	for i, f := range riskFeatureDesc {
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

// RiskSigns is the direction each risk feature may push: +1 raises risk
// (weight ≥ 0), −1 lowers it (weight ≤ 0). calibrate.FitRisk enforces it.
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
