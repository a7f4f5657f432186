package evaluate

import (
	"strings"

	"github.com/footprint-oss/footprint/scoring/calibrate"
)

// IdentityCases collects the cases of a run (made with candidates
// included) for calibrate.FitIdentity. Only the facts the request gave are
// used for the subject; the truth is the person's accounts in the
// simulated world, compared by Key.
func IdentityCases(outs []Outcome) []calibrate.IdentityCase {
	var cases []calibrate.IdentityCase
	for _, o := range outs {
		if o.Profile == nil {
			continue
		}
		truth := map[string]bool{}
		for _, a := range o.Person.Truth.Accounts {
			truth[Key(a.Source, a.Username)] = true
		}
		c := calibrate.IdentityCase{
			Truth: func(source, username string) bool { return truth[Key(source, username)] },
			Owned: len(truth),
		}
		p := o.Profile
		c.Subject.Name = p.Subject.Name
		if e := p.Subject.Email; e != nil {
			local, _, _ := strings.Cut(e.Address, "@")
			c.Subject.EmailLocal, c.Subject.EmailDomain = local, e.Domain
			c.Subject.OwnDomain = p.Email != nil && p.Email.Valid && !p.Email.FreeProvider && !p.Email.Disposable
		}
		if p.Subject.Country != "" {
			c.Subject.Countries = append(c.Subject.Countries, p.Subject.Country)
		}
		if ph := p.Subject.Phone; ph != nil && ph.Region != "" && ph.Region != p.Subject.Country {
			c.Subject.Countries = append(c.Subject.Countries, ph.Region)
		}
		c.Accounts = p.Accounts
		cases = append(cases, c)
	}
	return cases
}
