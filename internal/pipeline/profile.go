package pipeline

import (
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/identity"
)

// Profile is footprint's answer: what was learned about the subject, and an
// honest status for every registered source.
type Profile struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Simulated is true when the evidence came from the simulated web.
	Simulated bool `json:"simulated"`
	// Complete is false when an applicable source gave no definitive answer
	// (timeout, rate limit, open circuit, bot wall, error).
	Complete bool    `json:"complete"`
	Subject  Subject `json:"subject"`

	Email   *enrichers.EmailFacts   `json:"email,omitempty"`
	Phone   *enrichers.PhoneFacts   `json:"phone,omitempty"`
	DNS     *enrichers.DNSFacts     `json:"dns,omitempty"`
	Domain  *enrichers.DomainFacts  `json:"domain,omitempty"`
	Company *enrichers.CompanyFacts `json:"company,omitempty"`
	Breach  *enrichers.BreachFacts  `json:"breach,omitempty"`

	Accounts []enrichers.Account `json:"accounts"`
	Sources  []SourceStatus      `json:"sources"`
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
}

func (s *Service) assemble(req *request, res *enrichers.Result) *Profile {
	now := s.now()
	p := &Profile{
		GeneratedAt: now.UTC().Truncate(time.Millisecond),
		Simulated:   s.cfg.Simulated,
		Complete:    res.Complete,
		Subject:     req.subject,
		Accounts:    []enrichers.Account{},
		Sources:     make([]SourceStatus, 0, len(res.Sources)),
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
			p.Accounts = append(p.Accounts, a)
		}
	}
	p.Accounts = s.resolve(req, p)
	for _, r := range res.Sources {
		st := SourceStatus{Name: r.Name, Status: r.Status, LatencyMS: r.Latency.Milliseconds(), Detail: r.Detail, Cached: r.Cached}
		if !r.FetchedAt.IsZero() {
			at := r.FetchedAt.UTC().Truncate(time.Millisecond)
			age := int64(now.Sub(r.FetchedAt) / time.Second)
			st.FetchedAt, st.AgeS = &at, &age
		}
		p.Sources = append(p.Sources, st)
	}
	return p
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

// resolve attaches a match probability to every account and drops those
// below the request's min_match (unless candidates were asked for).
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
	resolved := s.cfg.Identity.Resolve(sub, p.Accounts)
	kept := make([]enrichers.Account, 0, len(resolved))
	for _, a := range resolved {
		if a.Match.Probability >= req.minMatch {
			kept = append(kept, a)
		}
	}
	return kept
}
