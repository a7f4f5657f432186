package pipeline

import (
	"math"
	"slices"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/subject"
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// Profile is footprint's answer: what was learned about the subject, and an
// honest status for every registered source.
type Profile struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Simulated is true when the evidence came from the simulated web.
	Simulated bool `json:"simulated"`
	// Complete is false when an applicable source gave no definitive answer
	// (timeout, rate limit, open circuit, bot wall, error).
	Complete bool `json:"complete"`
	// Purpose is the purpose the lookup ran under ("" without purposes).
	Purpose string `json:"purpose,omitempty"`
	// Suppressed: the subject is on the suppression list; nothing was
	// looked up upstream and nothing derived is returned.
	Suppressed bool `json:"suppressed,omitempty"`
	// Withheld names the score blocks the purpose (or the suppression)
	// leaves out.
	Withheld []string `json:"withheld,omitempty"`
	Subject  Subject  `json:"subject"`

	// Derived is what the evidence says; its fields are the profile's.
	Derived

	Sources []SourceStatus `json:"sources"`

	// fast is the fast-path entry this profile was answered from (nil:
	// none); it holds the JSON of the parts the profile shares with it.
	fast *fastEntry
	// subjects are the subject's hashes the privacy rules computed for
	// the lookup (SubjectHasher), nil without.
	subjects []subject.Hash
}

// SubjectHashes are the hashes of the profile's subject that the privacy
// rules computed for the lookup (see SubjectHasher), email first; nil when
// none were. Read only: profiles answered from the same request share
// them.
func (p *Profile) SubjectHashes() []subject.Hash { return p.subjects }

// Derived is the part of a profile derived from the evidence: the facts,
// the resolved accounts and the scores. Lookups answered from the same
// remembered evidence share it (read only).
type Derived struct {
	Email   *enrichers.EmailFacts   `json:"email,omitempty"`
	Phone   *enrichers.PhoneFacts   `json:"phone,omitempty"`
	DNS     *enrichers.DNSFacts     `json:"dns,omitempty"`
	Domain  *enrichers.DomainFacts  `json:"domain,omitempty"`
	Company *enrichers.CompanyFacts `json:"company,omitempty"`
	Breach  *enrichers.BreachFacts  `json:"breach,omitempty"`

	Accounts []enrichers.Account `json:"accounts"`

	// Scores, computed from the evidence (cached evidence included; a
	// repeat lookup reuses them, see fastpath.go), each explained by its
	// evidence.
	Interests    []scoring.Interest         `json:"interests"`
	Influence    scoring.InfluenceScore     `json:"influence"`
	Risk         scoring.RiskScore          `json:"risk"`
	Verification scoring.VerificationResult `json:"verification"`
}

// Subject is the normalized request.
type Subject struct {
	Email   *SubjectEmail `json:"email,omitempty"`
	Phone   *SubjectPhone `json:"phone,omitempty"`
	Name    string        `json:"name,omitempty"`
	Country string        `json:"country,omitempty"`
}

// SubjectEmail is the normalized email.
type SubjectEmail struct {
	Address   string `json:"address"`
	Canonical string `json:"canonical"`
	Domain    string `json:"domain"`
	Provider  string `json:"provider,omitempty"`
}

// SubjectPhone is the normalized phone.
type SubjectPhone struct {
	E164   string `json:"e164"`
	Region string `json:"region,omitempty"`
	Valid  bool   `json:"valid"`
}

// SourceStatus is one source's outcome for this request.
type SourceStatus struct {
	Name      string           `json:"name"`
	Status    enrichers.Status `json:"status"`
	LatencyMS int64            `json:"latency_ms"`
	Detail    string           `json:"detail,omitempty"`
	Cached    bool             `json:"cached"`
	FetchedAt *time.Time       `json:"fetched_at,omitempty"`
	AgeS      *int64           `json:"age_s,omitempty"`
	// HeldBack and CacheMisses are the engine's counts (SourceReport), for
	// the jobs and the cache-only check; not part of the response.
	HeldBack    int `json:"-"`
	CacheMisses int `json:"-"`
	// Failed is the engine's count of failed calls (SourceReport.Failed),
	// for eval's completeness check; not part of the response.
	Failed int `json:"-"`
}

// assemble builds the profile of one engine result.
func (s *Service) assemble(req *request, res *engine.Result) *Profile {
	now := s.now()
	p := &Profile{
		GeneratedAt: now.UTC().Truncate(time.Millisecond),
		Simulated:   s.cfg.Simulated,
		Complete:    res.Complete,
		Subject:     req.subject,
		Derived:     Derived{Accounts: []enrichers.Account{}},
		subjects:    req.hashes,
	}
	s.derive(req, res, p, now)
	gate(req, p)
	p.Sources = sourceStatuses(res.Sources, now)
	return p
}

// sourceStatuses reports every source's outcome, with the age of its
// evidence at now.
func sourceStatuses(reports []engine.SourceReport, now time.Time) []SourceStatus {
	out := make([]SourceStatus, 0, len(reports))
	// One backing array for the sources' timestamps and ages.
	type stamp struct {
		at  time.Time
		age int64
	}
	stamps := make([]stamp, len(reports))
	for i, r := range reports {
		st := SourceStatus{Name: r.Name, Status: r.Status, LatencyMS: r.Latency.Milliseconds(), Detail: r.Detail, Cached: r.Cached,
			HeldBack: r.HeldBack, CacheMisses: r.CacheMisses, Failed: r.Failed}
		if !r.FetchedAt.IsZero() {
			s := &stamps[i]
			s.at = r.FetchedAt.UTC().Truncate(time.Millisecond)
			s.age = int64(now.Sub(r.FetchedAt) / time.Second)
			st.FetchedAt, st.AgeS = &s.at, &s.age
		}
		out = append(out, st)
	}
	return out
}

// derive fills in the facts, the resolved accounts and the scores.
func (s *Service) derive(req *request, res *engine.Result, p *Profile, now time.Time) {
	var photos map[string]*enrichers.ImageFacts // photo URL → what the avatar source read
	for _, f := range res.Findings {
		if f.Finding.Image != nil && f.Identifier.Kind == enrichers.KindImage {
			if photos == nil {
				photos = map[string]*enrichers.ImageFacts{}
			}
			photos[f.Identifier.Value] = f.Finding.Image
		}
	}
	for _, f := range res.Findings {
		mergeFacts(p, f.Finding)
		if f.Finding.Simulated {
			p.Simulated = true
		}
		for _, a := range f.Finding.Accounts {
			if a.Source == "" {
				a.Source = f.Source
			}
			if a.Via.Kind == "" {
				a.Via = f.Identifier
			}
			if a.Avatar != "" {
				a.Photo = photos[a.Avatar]
			}
			p.Accounts = append(p.Accounts, a)
		}
	}
	all := s.resolve(req, p)
	statuses := make(map[string]enrichers.Status, len(res.Sources))
	for _, r := range res.Sources {
		statuses[r.Name] = r.Status
	}
	s.score(req, p, all, statuses, now)
	p.Accounts = make([]enrichers.Account, 0, len(all))
	for _, a := range all {
		if a.Match.Probability >= req.minMatch {
			p.Accounts = append(p.Accounts, a)
		}
	}
}

// mergeFacts keeps the first block of each kind; sources emit each kind of
// block for the subject's own identifiers only.
func mergeFacts(p *Profile, f *enrichers.Finding) {
	if p.Email == nil {
		p.Email = f.Email
	}
	if p.Phone == nil {
		p.Phone = f.Phone
	}
	if p.DNS == nil {
		p.DNS = f.DNS
	}
	if p.Domain == nil {
		p.Domain = f.Domain
	}
	if p.Company == nil {
		p.Company = f.Company
	}
	if p.Breach == nil {
		p.Breach = f.Breach
	}
}

// resolve attaches a match probability to every account (the caller drops
// those below the request's min_match unless candidates were asked for).
func (s *Service) resolve(req *request, p *Profile) []enrichers.Account {
	sub := identity.Subject{Name: req.subject.Name}
	if e := req.subject.Email; e != nil {
		sub.EmailLocal, sub.EmailDomain = req.local, e.Domain
		sub.OwnDomain = p.Email != nil && p.Email.Valid && !p.Email.FreeProvider && !p.Email.Disposable
	}
	if req.subject.Country != "" {
		sub.Countries = append(sub.Countries, req.subject.Country)
	}
	if ph := req.subject.Phone; ph != nil && ph.Region != "" && ph.Region != req.subject.Country {
		sub.Countries = append(sub.Countries, ph.Region)
	}
	return s.cfg.Identity.Resolve(sub, p.Accounts)
}

// Evidence is what p's scores are computed from: its facts and subject,
// accounts (every resolved account, candidates included) and each
// source's status. Eval stores it to compute the scores again.
func (p *Profile) Evidence(accounts []enrichers.Account, statuses map[string]enrichers.Status) scoring.Evidence {
	return scoring.Evidence{
		Email: p.Email, Phone: p.Phone, DNS: p.DNS, Domain: p.Domain, Company: p.Company, Breach: p.Breach,
		Accounts: accounts, Sources: statuses, Name: p.Subject.Name, Country: p.Subject.Country,
	}
}

// score computes interests, influence, risk and verification from the
// evidence. Every resolved account counts, weighted by its match
// probability (candidates included: they count for little).
func (s *Service) score(req *request, p *Profile, accounts []enrichers.Account, statuses map[string]enrichers.Status, now time.Time) {
	ev := p.Evidence(accounts, statuses)
	params := *s.cfg.Scoring
	// What the request's purpose withholds is not computed (gate names
	// it and leaves it empty).
	switch {
	case withholds(req, OutputInterests):
	case scoring.HasInterestSignal(ev, params):
		p.Interests = withPriorEvidence(scoring.InterestsAtLeast(ev, params, req.minProb))
	default:
		// Every category at its base rate: the ones at least minProb
		// lead the list computed once (most likely first).
		n := 0
		for n < len(s.priors) && s.priors[n].Probability >= req.minProb {
			n++
		}
		p.Interests = slices.Clone(s.priors[:n])
	}
	if p.Interests == nil {
		p.Interests = []scoring.Interest{}
	}
	if !withholds(req, OutputInfluence) {
		p.Influence = scoring.Influence(ev, params)
		p.Influence.Evidence = nonNil(p.Influence.Evidence)
	}
	if !withholds(req, OutputRisk) {
		p.Risk = scoring.Risk(ev, params, now)
		p.Risk.Reasons = nonNil(p.Risk.Reasons)
	}
	if !withholds(req, OutputVerification) {
		p.Verification = scoring.VerificationWith(ev, params, now)
	}
}

// withPriorEvidence gives every interest no signal moved the category's
// base rate as its evidence, and returns ints.
func withPriorEvidence(ints []scoring.Interest) []scoring.Interest {
	for i, in := range ints {
		if len(in.Evidence) == 0 {
			lo := math.Log(in.Probability / (1 - in.Probability))
			ints[i].Evidence = []scoring.Contribution{{Source: "prior", Signal: "base rate of the category; no signal for or against", Contribution: math.Round(lo*1e4) / 1e4}}
		}
	}
	return ints
}

// nonNil makes a list serialize as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
