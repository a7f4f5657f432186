package scoring

import (
	"strings"

	"github.com/footprint-oss/footprint/enrichers"
)

// Evidence is everything scoring reads: the facts blocks and accounts of a
// profile, the status of every source, and what the caller supplied.
//
// A source whose status is anything but ok or not_found (timeout,
// rate_limited, circuit_open, blocked, error, skipped) is missing evidence:
// it never counts as negative evidence and whatever it returned is ignored.
type Evidence struct {
	Email   *enrichers.EmailFacts
	Phone   *enrichers.PhoneFacts
	DNS     *enrichers.DNSFacts
	Domain  *enrichers.DomainFacts
	Company *enrichers.CompanyFacts
	Breach  *enrichers.BreachFacts
	// Accounts carry Match (identity resolution); an account without Match
	// counts with probability 0.
	Accounts []enrichers.Account
	// Sources is the status of every source by name. A source absent from
	// the map is treated as unknown: its facts count when present, its
	// silence never does.
	Sources map[string]enrichers.Status
	// Name and Country are what the caller supplied (Country: ISO 3166-1
	// alpha-2); both optional.
	Name    string
	Country string
}

// answered reports whether source gave a definitive answer (ok or
// not_found). Only then can its silence be read as absence.
func (ev Evidence) answered(source string) bool {
	st, ok := ev.Sources[source]
	return ok && (st == enrichers.StatusOK || st == enrichers.StatusNotFound)
}

// usable reports whether evidence from source may be used: the source is
// not known to have failed or been skipped.
func (ev Evidence) usable(source string) bool {
	st, ok := ev.Sources[source]
	return !ok || st == enrichers.StatusOK || st == enrichers.StatusNotFound
}

// account is a usable account with its match probability.
type account struct {
	*enrichers.Account
	m float64
}

// accounts returns the usable accounts, deduplicated by source and
// username (keeping the highest match probability), in input order.
func (ev Evidence) accounts() []account {
	idx := map[string]int{}
	var out []account
	for i := range ev.Accounts {
		a := &ev.Accounts[i]
		if !ev.usable(a.Source) {
			continue
		}
		m := 0.0
		if a.Match != nil {
			m = clamp01(a.Match.Probability)
		}
		k := a.Source + "\x00" + strings.ToLower(a.Username)
		if j, ok := idx[k]; ok {
			if m > out[j].m {
				out[j] = account{a, m}
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, account{a, m})
	}
	return out
}

// Facts-source accessors: a facts block counts only when its source is usable.

func (ev Evidence) email(p Params) *enrichers.EmailFacts {
	if ev.Email != nil && ev.usable(p.Sources.Email) {
		return ev.Email
	}
	return nil
}

func (ev Evidence) phone(p Params) *enrichers.PhoneFacts {
	if ev.Phone != nil && ev.usable(p.Sources.Phone) {
		return ev.Phone
	}
	return nil
}

func (ev Evidence) dns(p Params) *enrichers.DNSFacts {
	if ev.DNS != nil && ev.usable(p.Sources.DNS) {
		return ev.DNS
	}
	return nil
}

func (ev Evidence) domain(p Params) *enrichers.DomainFacts {
	if ev.Domain != nil && ev.usable(p.Sources.Domain) {
		return ev.Domain
	}
	return nil
}

func (ev Evidence) company(p Params) *enrichers.CompanyFacts {
	if ev.Company != nil && ev.usable(p.Sources.Company) {
		return ev.Company
	}
	return nil
}

// breach returns the breach facts and whether the breach source answered
// at all. A not_found answer without facts means zero breaches.
func (ev Evidence) breach(p Params) (*enrichers.BreachFacts, bool) {
	if ev.Breach != nil && ev.usable(p.Sources.Breach) {
		return ev.Breach, true
	}
	if ev.answered(p.Sources.Breach) {
		return &enrichers.BreachFacts{}, true
	}
	return nil, false
}

func clamp01(x float64) float64 {
	switch {
	case x != x: // NaN
		return 0
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
