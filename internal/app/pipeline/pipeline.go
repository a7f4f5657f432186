// Package pipeline is footprint's data path in one place: validate and
// normalize the request, fan out to the sources, resolve identities, score,
// and assemble the profile. The HTTP API, the CLI and batch jobs all call
// Service.Enrich; none of them knows a concrete source.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/normalize"
	"github.com/footprint-oss/footprint/internal/app/subject"
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// Limits of a request's options.
const (
	DefaultTimeout = 3 * time.Second
	MaxTimeout     = 30 * time.Second
	MinTimeout     = 10 * time.Millisecond
)

// Input is an enrichment request, as the API and the CLI receive it.
type Input struct {
	Email   string  `json:"email,omitempty"`
	Phone   string  `json:"phone,omitempty"`
	Name    string  `json:"name,omitempty"`
	Country string  `json:"country,omitempty"`
	Options Options `json:"options,omitzero"`
}

// Options tune one request.
type Options struct {
	// TimeoutMS is the overall budget (default 3000, max 30000).
	TimeoutMS *int `json:"timeout_ms,omitempty"`
	// Sources restricts the run to these sources; ExcludeSources removes some.
	Sources        []string `json:"sources,omitempty"`
	ExcludeSources []string `json:"exclude_sources,omitempty"`
	// MinMatch is the match probability below which found accounts are
	// candidates (default 0.5); IncludeCandidates returns them too.
	MinMatch          *float64 `json:"min_match,omitempty"`
	IncludeCandidates bool     `json:"include_candidates,omitempty"`
	// MaxAgeS accepts only cached evidence younger than this (0 refreshes);
	// Cache is default, refresh or only.
	MaxAgeS *int   `json:"max_age_s,omitempty"`
	Cache   string `json:"cache,omitempty"`
	// MinProbability hides interests below it (default 0.2; 0 returns
	// every category).
	MinProbability *float64 `json:"min_probability,omitempty"`
	// Purpose is why the lookup is made (fraud_prevention,
	// identity_verification, marketing, analytics; default: the API key's
	// or the configured default). It decides which sources may be called
	// and which score blocks are returned.
	Purpose string `json:"purpose,omitempty"`
}

// DefaultMinProbability is the default options.min_probability.
const DefaultMinProbability = 0.2

// DefaultMinMatch is the default options.min_match.
const DefaultMinMatch = 0.5

// FieldError names one unusable input field.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// InputError is a request the pipeline cannot use. Status is 400 for invalid
// values and 422 for well-formed requests that cannot be served (an unknown
// source name, every source excluded).
type InputError struct {
	Status int
	Errors []FieldError
}

func (e *InputError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Reason
	}
	return strings.Join(parts, "; ")
}

// Config configures a Service.
type Config struct {
	DefaultTimeout time.Duration
	MaxTimeout     time.Duration
	// Simulated marks every profile as built from the simulated web.
	Simulated bool
	Logger    *slog.Logger
	Now       func() time.Time
	// Identity is the identity-resolution model (default: identity.DefaultModel()).
	Identity *identity.Model
	// Scoring are the score models' parameters (default: scoring.DefaultParams()).
	Scoring *scoring.Params
	// Privacy gives lookups their purpose and suppression check (nil:
	// none).
	Privacy Privacy
}

// Service runs the data path.
type Service struct {
	engine *engine.Engine
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	// fast answers repeat lookups (see fastpath.go).
	fast *fastCache
	// network names the engine's network sources (skipped for a
	// suppressed subject).
	network []string
	// priors are the interests of a lookup with no interest signal (every
	// category at its base rate, with that as its evidence), most likely
	// first: computed once, since they depend on the scoring parameters
	// only.
	priors []scoring.Interest
}

// New returns a Service over engine. It does no I/O.
func New(eng *engine.Engine, cfg Config) *Service {
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = DefaultTimeout
	}
	if cfg.MaxTimeout <= 0 {
		cfg.MaxTimeout = MaxTimeout
	}
	s := &Service{engine: eng, cfg: cfg, log: cfg.Logger, now: cfg.Now, fast: newFastCache(fastEntries)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.network = s.networkSources()
	if cfg.Identity == nil {
		m := identity.DefaultModel()
		s.cfg.Identity = &m
	}
	if cfg.Scoring == nil {
		p := scoring.DefaultParams()
		s.cfg.Scoring = &p
	}
	s.priors = withPriorEvidence(scoring.Interests(scoring.Evidence{}, *s.cfg.Scoring))
	return s
}

// Engine returns the underlying engine (for /v1/sources).
func (s *Service) Engine() *engine.Engine { return s.engine }

// request is a validated, normalized Input.
type request struct {
	subject Subject
	local   string
	// minMatch is -1 when candidates are included.
	minMatch float64
	minProb  float64
	ids      []enrichers.Identifier
	timeout  time.Duration
	engine   engine.Request
	// email and phone are the normalized identifiers (nil when absent),
	// for the suppression check.
	email *normalize.Email
	phone *normalize.Phone
	// purpose applies to the lookup ("" without Config.Privacy);
	// suppressed: the subject is on the suppression list.
	purpose    Purpose
	suppressed bool
	// hashes are the subject's hashes (hashed: computed, by a
	// SubjectHasher), set once by hashSubject.
	hashes []subject.Hash
	hashed bool
	// own holds what the fields above point to, in the request's one
	// allocation.
	own struct {
		ids          [4]enrichers.Identifier
		email        normalize.Email
		phone        normalize.Phone
		subjectEmail SubjectEmail
		subjectPhone SubjectPhone
	}
}

// Enrich validates in, runs every applicable source within the request's
// budget and returns the profile. Its only errors are *InputError (the
// caller's fault) and ctx errors when the caller went away; a failing source
// never makes Enrich fail.
func (s *Service) Enrich(ctx context.Context, in Input) (*Profile, error) {
	// A lookup of inline sources only is never remembered (the engine's
	// memo, on which the fast path stands, recomputes it), so it asks
	// the fast path nothing. A purpose or suppression only takes sources
	// away: inline by its options, inline once validated.
	var k fastKey
	fast := !s.engine.Inline(engine.Request{Only: in.Options.Sources, Exclude: in.Options.ExcludeSources})
	if fast {
		k = s.fast.keyOf(in)
		if p, err := s.fastAnswer(ctx, k); p != nil || err != nil {
			return p, err
		}
	}
	req, err := s.validate(in)
	if err != nil {
		return nil, err
	}
	s.hashSubject(req)
	sup, err := s.suppressed(ctx, req)
	if err != nil {
		return nil, err
	}
	if sup {
		req = s.suppressedRequest(req)
	}
	res, mk := s.engine.RememberedKey(req.engine)
	if res != nil {
		p := s.assemble(req, res)
		if fast {
			s.remember(k, req, res, p)
		}
		return p, nil
	}
	rctx := ctx
	if fast && !s.engine.Inline(req.engine) { // inline by its options: inline still
		// Keep a small margin of the budget for assembling the
		// response. (A run of inline sources only never waits, so it
		// needs no timer.)
		margin := min(req.timeout/20, 20*time.Millisecond)
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, req.timeout-margin)
		defer cancel()
	}
	res = s.engine.RunMissed(rctx, req.engine, mk)
	s.track(ctx, req, res)
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, ctx.Err()
	}
	p := s.assemble(req, res)
	markCacheOnly(req, p)
	return p, nil
}

func (s *Service) validate(in Input) (*request, error) {
	var errs []FieldError
	bad := func(field, reason string) { errs = append(errs, FieldError{Field: field, Reason: reason}) }
	req := &request{timeout: s.cfg.DefaultTimeout, minMatch: DefaultMinMatch}
	req.ids = req.own.ids[:0]

	country := strings.ToUpper(strings.TrimSpace(in.Country))
	if country != "" && !normalize.ValidCountry(country) {
		bad("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 region code", in.Country))
		country = ""
	}
	req.subject.Country = country
	req.subject.Name = strings.TrimSpace(in.Name)
	if req.subject.Name != "" {
		req.ids = append(req.ids, enrichers.Identifier{Kind: enrichers.KindName, Value: req.subject.Name, Method: enrichers.MethodInput, Prior: 1})
	}

	if strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.Phone) == "" {
		bad("email", "at least one of email or phone is required")
	}
	if strings.TrimSpace(in.Email) != "" {
		e, err := normalize.ParseEmail(in.Email)
		if err != nil {
			bad("email", reasonOf(err))
		} else {
			req.local = e.Local
			req.own.email = e
			req.email = &req.own.email
			req.own.subjectEmail = SubjectEmail{Address: e.Address, Canonical: e.Canonical, Domain: e.Domain, Provider: e.Provider}
			req.subject.Email = &req.own.subjectEmail
			req.ids = append(req.ids, enrichers.Identifier{Kind: enrichers.KindEmail, Value: e.Address, Method: enrichers.MethodInput, Prior: 1})
			// The domain's sources start in the first round, and run even
			// when options.sources leaves the email source out. An address
			// literal has no domain to look up.
			if !strings.HasPrefix(e.Domain, "[") {
				req.ids = append(req.ids, enrichers.Identifier{Kind: enrichers.KindDomain, Value: e.Domain, Method: enrichers.MethodEmailDomain, Prior: 1})
			}
		}
	}
	if strings.TrimSpace(in.Phone) != "" {
		p, err := normalize.ParsePhone(in.Phone, country)
		if err != nil {
			var ne *normalize.Error
			field := "phone"
			if errors.As(err, &ne) && ne.Field != "" {
				field = ne.Field
			}
			bad(field, reasonOf(err))
		} else {
			req.own.subjectPhone = SubjectPhone{E164: p.E164, Region: p.Region, Valid: p.Valid}
			req.subject.Phone = &req.own.subjectPhone
			req.own.phone = p
			req.phone = &req.own.phone
			req.ids = append(req.ids, enrichers.Identifier{Kind: enrichers.KindPhone, Value: p.E164, Method: enrichers.MethodInput, Prior: 1})
		}
	}
	optErrs, unusable, policy := s.checkOptions(in.Options, req)
	errs = append(errs, optErrs...)
	if len(errs) > 0 {
		return nil, &InputError{Status: 400, Errors: errs}
	}
	if len(unusable) > 0 {
		return nil, &InputError{Status: 422, Errors: unusable}
	}
	req.engine = engine.Request{Identifiers: req.ids, Only: in.Options.Sources, Exclude: in.Options.ExcludeSources, Cache: policy}
	if len(req.purpose.DeniedSources) > 0 {
		req.engine.Skip = make(map[string]string, len(req.purpose.DeniedSources))
		for _, n := range req.purpose.DeniedSources {
			req.engine.Skip[n] = "denied for purpose " + req.purpose.Name
		}
	}
	return req, nil
}

// ValidateOptions checks options on their own, as Enrich would: the
// result is nil or an *InputError (400 for unusable values, 422 for
// unknown sources). Batch jobs check their options once, at creation.
func (s *Service) ValidateOptions(o Options) error {
	errs, unusable, _ := s.checkOptions(o, &request{})
	switch {
	case len(errs) > 0:
		return &InputError{Status: 400, Errors: errs}
	case len(unusable) > 0:
		return &InputError{Status: 422, Errors: unusable}
	}
	return nil
}

// checkOptions applies o to req. It returns the options' bad values (400)
// and, when there are none, the unknown or contradictory source names (422).
func (s *Service) checkOptions(o Options, req *request) (errs, unusable []FieldError, policy engine.CachePolicy) {
	bad := func(field, reason string) { errs = append(errs, FieldError{Field: field, Reason: reason}) }
	if t := o.TimeoutMS; t != nil {
		d := time.Duration(*t) * time.Millisecond
		switch {
		case d < MinTimeout:
			bad("options.timeout_ms", fmt.Sprintf("must be at least %d", MinTimeout.Milliseconds()))
		case d > s.cfg.MaxTimeout:
			bad("options.timeout_ms", fmt.Sprintf("must be at most %d", s.cfg.MaxTimeout.Milliseconds()))
		default:
			req.timeout = d
		}
	}
	if m := o.MinMatch; m != nil {
		if *m < 0 || *m > 1 {
			bad("options.min_match", "must be between 0 and 1")
		} else {
			req.minMatch = *m
		}
	}
	if o.IncludeCandidates {
		req.minMatch = -1
	}
	req.minProb = DefaultMinProbability
	if m := o.MinProbability; m != nil {
		if *m < 0 || *m > 1 {
			bad("options.min_probability", "must be between 0 and 1")
		} else {
			req.minProb = *m
		}
	}

	switch mode := engine.CacheMode(o.Cache); mode {
	case "", engine.CacheDefault, engine.CacheRefresh, engine.CacheOnly:
		policy.Mode = mode
	default:
		bad("options.cache", `must be "default", "refresh" or "only"`)
	}
	if m := o.MaxAgeS; m != nil {
		if *m < 0 {
			bad("options.max_age_s", "must be ≥ 0")
		} else {
			policy.MaxAge, policy.HasMaxAge = time.Duration(*m)*time.Second, true
		}
	}
	if s.cfg.Privacy != nil {
		if p, ok := s.cfg.Privacy.Purpose(o.Purpose); ok {
			req.purpose = p
		} else {
			bad("options.purpose", fmt.Sprintf("unknown purpose %q", o.Purpose))
		}
	} else if o.Purpose != "" {
		bad("options.purpose", "no purposes are configured on this server")
	}
	if len(errs) > 0 {
		return errs, nil, policy
	}

	for _, f := range [...]struct {
		field string
		names []string
	}{{"options.sources", o.Sources}, {"options.exclude_sources", o.ExcludeSources}} {
		field, names := f.field, f.names
		for i, n := range names {
			if !s.engine.Has(n) {
				unusable = append(unusable, FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Reason: fmt.Sprintf("unknown source %q (see GET /v1/sources)", n)})
			}
		}
	}
	if len(unusable) == 0 && len(o.Sources) > 0 {
		left := slices.DeleteFunc(slices.Clone(o.Sources), func(n string) bool { return slices.Contains(o.ExcludeSources, n) })
		if len(left) == 0 {
			unusable = append(unusable, FieldError{Field: "options.exclude_sources", Reason: "excludes every source named in options.sources"})
		}
	}
	if len(unusable) > 1 {
		slices.SortFunc(unusable, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	}
	return nil, unusable, policy
}

func reasonOf(err error) string {
	var ne *normalize.Error
	if errors.As(err, &ne) {
		return ne.Reason
	}
	return err.Error()
}
