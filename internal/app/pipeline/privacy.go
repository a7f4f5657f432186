package pipeline

import (
	"context"
	"errors"
	"slices"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/normalize"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Privacy is what the pipeline asks of the deployment's privacy rules
// (package privacy implements it): the purpose of each lookup and whether
// its subject is suppressed. Config.Privacy nil: no purposes, nothing
// suppressed (tools and tests).
type Privacy interface {
	// Purpose returns the rules of the named purpose ("": the configured
	// default); false for a name that is not configured.
	Purpose(name string) (Purpose, bool)
	// Suppressed reports whether the subject (its normalized email and
	// phone, nil when absent) is on the suppression list.
	Suppressed(ctx context.Context, email *normalize.Email, phone *normalize.Phone) (bool, error)
	// Track records what a lookup of the subject used (the evidence cache
	// keys its engine run reached), so an erasure finds all of it.
	Track(ctx context.Context, email *normalize.Email, phone *normalize.Phone, res *engine.Result) error
}

// SubjectHasher is an optional part of a Privacy whose suppression check
// is by subject hashes (package privacy's is). With it the pipeline hashes
// a lookup's subject once, when the request is validated
// (SubjectHashes), checks every answer to it with SuppressedHashes (the
// fast path's repeats included) and hands the hashes on with the profile
// (Profile.SubjectHashes) for the audit trail, instead of each step
// hashing the subject again.
type SubjectHasher interface {
	// SubjectHashes are the hashes of the normalized email and phone (nil
	// when absent), email first.
	SubjectHashes(email *normalize.Email, phone *normalize.Phone) []subject.Hash
	// SuppressedHashes is Suppressed for the subject with these hashes.
	SuppressedHashes(ctx context.Context, hashes []subject.Hash) (bool, error)
}

// Purpose is what one purpose allows a lookup.
type Purpose struct {
	Name string
	// DeniedSources are never called for this purpose (skipped, "denied
	// for purpose <name>").
	DeniedSources []string
	// Outputs are the score blocks the profile may carry (Output*); the
	// others are withheld: left out of the JSON and named in "withheld".
	Outputs []string
}

// Outputs a purpose may allow.
const (
	OutputInterests    = "interests"
	OutputInfluence    = "influence"
	OutputRisk         = "risk"
	OutputVerification = "verification"
)

// AllOutputs lists every gated output, in the profile's order.
var AllOutputs = []string{OutputInterests, OutputInfluence, OutputRisk, OutputVerification}

// SkipSuppressed is the detail of every network source of a suppressed
// lookup.
const SkipSuppressed = "suppressed"

// ErrPrivacyUnavailable: the suppression list could not be read, so the
// lookup was not run (a subject is never looked up unless it is known not
// to be suppressed).
var ErrPrivacyUnavailable = errors.New("the suppression list is unavailable")

// privacyErr wraps a store failure.
type privacyErr struct{ err error }

func (e *privacyErr) Error() string { return ErrPrivacyUnavailable.Error() + ": " + e.err.Error() }
func (e *privacyErr) Unwrap() []error {
	return []error{ErrPrivacyUnavailable, e.err}
}

// Withholds reports whether p leaves output o out.
func (p *Profile) Withholds(o string) bool { return slices.Contains(p.Withheld, o) }

// suppressed asks Config.Privacy about req's subject.
func (s *Service) suppressed(ctx context.Context, req *request) (bool, error) {
	if s.cfg.Privacy == nil {
		return false, nil
	}
	var ok bool
	var err error
	if sh, hashing := s.cfg.Privacy.(SubjectHasher); hashing && req.hashed {
		ok, err = sh.SuppressedHashes(ctx, req.hashes)
	} else {
		ok, err = s.cfg.Privacy.Suppressed(ctx, req.email, req.phone)
	}
	if err != nil {
		return false, &privacyErr{err}
	}
	return ok, nil
}

// hashSubject sets req's subject hashes when the privacy rules hash
// subjects (SubjectHasher). It runs once, before req is shared (the fast
// path keeps it for repeats): a request is never written afterwards.
func (s *Service) hashSubject(req *request) {
	if sh, ok := s.cfg.Privacy.(SubjectHasher); ok {
		req.hashes, req.hashed = sh.SubjectHashes(req.email, req.phone), true
	}
}

// networkSources names the engine's network sources.
func (s *Service) networkSources() []string {
	var out []string
	if s.engine == nil {
		return nil
	}
	for _, si := range s.engine.Sources() {
		if si.Network {
			out = append(out, si.Name)
		}
	}
	return out
}

// suppressedRequest is req with every network source skipped.
func (s *Service) suppressedRequest(req *request) *request {
	r := *req
	r.suppressed = true
	r.engine.Skip = make(map[string]string, len(s.network))
	for _, n := range s.network {
		r.engine.Skip[n] = SkipSuppressed
	}
	return &r
}

// gate applies the request's purpose (and suppression) to p: withheld
// outputs are emptied and named.
func gate(req *request, p *Profile) {
	p.Purpose, p.Suppressed = req.purpose.Name, req.suppressed
	if req.purpose.Name == "" && !req.suppressed {
		return
	}
	if req.suppressed {
		p.Accounts = []enrichers.Account{}
	}
	for _, o := range AllOutputs {
		if !withholds(req, o) {
			continue
		}
		if p.Withheld == nil {
			p.Withheld = make([]string, 0, len(AllOutputs))
		}
		p.Withheld = append(p.Withheld, o)
		switch o {
		case OutputInterests:
			p.Interests = nil
		case OutputInfluence:
			p.Influence = zeroOf(p.Influence)
		case OutputRisk:
			p.Risk = zeroOf(p.Risk)
		case OutputVerification:
			p.Verification = zeroOf(p.Verification)
		}
	}
}

func zeroOf[T any](T) (z T) { return z }

// withholds reports whether req's purpose (or the subject's suppression)
// withholds output o: gate empties it, so it is not computed either.
func withholds(req *request, o string) bool {
	if req.purpose.Name == "" && !req.suppressed {
		return false
	}
	return req.suppressed || !slices.Contains(req.purpose.Outputs, o)
}

// track tells Config.Privacy what a run of req used; a failure is logged,
// not the lookup's (the cache writes of the run failed alike).
func (s *Service) track(ctx context.Context, req *request, res *engine.Result) {
	if s.cfg.Privacy == nil {
		return
	}
	if err := s.cfg.Privacy.Track(ctx, req.email, req.phone, res); err != nil {
		s.log.Warn("privacy: subject index not updated", "err", err)
	}
}
