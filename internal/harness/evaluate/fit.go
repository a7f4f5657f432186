package evaluate

import (
	"encoding/gob"
	"io"
	"strings"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/identity"

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

// storedCase is an IdentityCase as written by WriteCases: the truth as the
// keys (Key) of the person's accounts.
type storedCase struct {
	Subject  identity.Subject
	Accounts []enrichers.Account
	Truth    []string
	Owned    int
	// Score is what the scores were computed from and the person's
	// truth, its accounts left out (they are Accounts); nil in files
	// written before it was stored.
	Score *ScoreCase
}

// WriteCases stores the identity cases of a run (made with candidates
// included), so that the model can be refitted many times without
// enriching again (eval --cases-out, --fit-from).
func WriteCases(w io.Writer, outs []Outcome) error {
	var cs []storedCase
	for _, o := range outs {
		if o.Profile == nil {
			continue
		}
		var truth []string
		for _, a := range o.Person.Truth.Accounts {
			truth = append(truth, Key(a.Source, a.Username))
		}
		c := IdentityCases([]Outcome{o})[0]
		sc := scoreCaseOf(o)
		sc.Evidence.Accounts = nil
		cs = append(cs, storedCase{Subject: c.Subject, Accounts: c.Accounts, Truth: truth, Owned: c.Owned, Score: &sc})
	}
	return gob.NewEncoder(w).Encode(cs)
}

// ReadCases reads the identity cases WriteCases wrote.
func ReadCases(r io.Reader) ([]calibrate.IdentityCase, error) {
	ics, _, err := ReadAll(r)
	return ics, err
}

// ReadAll reads what WriteCases wrote: the identity cases and, for each,
// its score case with the accounts as the run resolved them. The score
// cases are nil when the file was written before they were stored.
func ReadAll(r io.Reader) ([]calibrate.IdentityCase, []ScoreCase, error) {
	var cs []storedCase
	if err := gob.NewDecoder(r).Decode(&cs); err != nil {
		return nil, nil, err
	}
	out := make([]calibrate.IdentityCase, len(cs))
	scs := make([]ScoreCase, len(cs))
	for i, c := range cs {
		truth := map[string]bool{}
		for _, k := range c.Truth {
			truth[k] = true
		}
		out[i] = calibrate.IdentityCase{Subject: c.Subject, Accounts: c.Accounts, Owned: c.Owned,
			Truth: func(source, username string) bool { return truth[Key(source, username)] }}
		if c.Score == nil {
			scs = nil
			continue
		}
		if scs != nil {
			scs[i] = *c.Score
			scs[i].Evidence.Accounts = c.Accounts
		}
	}
	return out, scs, nil
}
