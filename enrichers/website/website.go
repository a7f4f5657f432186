// Package website is the "website" source: it fetches the homepage of the
// subject's email domain and reads what the site says about its owner — a
// company (JSON-LD Organization, Open Graph, <title>, meta tags) or a person
// (JSON-LD Person, rel=me links) — plus whether the domain is parked.
//
// The domain comes from user input, so every fetch is guarded: the source
// checks the URL with netguard.CheckURL before any I/O, and the client the
// composition root passes in dials through netguard.Dialer and follows
// redirects through netguard.CheckRedirect. A refusal is reported as
// blocked ("refused: <reason>").
package website

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/enrichers/transport/netguard"
)

// Name is the source name.
const Name = "website"

// Priors of usernames linked from a personal site.
const (
	// PriorMe is for rel=me links and a JSON-LD Person's sameAs: the site
	// owner asserts the profile is theirs.
	PriorMe = 0.9
)

// DefaultPlatforms are the platforms whose usernames the source emits for
// the next round: those footprint has a source for.
var DefaultPlatforms = []string{"github", "gitlab", "mastodon", "bluesky", "keybase", "reddit", "hackernews", "devto", "codeberg", "lichess", "chesscom"}

// Config configures the source.
type Config struct {
	// Client is the source's HTTP client. The composition root builds it
	// with DialContext: netguard.Dialer(...) and CheckRedirect:
	// netguard.CheckRedirect.
	Client *transport.Client
	// Skip reports domains not worth fetching (free-mail providers,
	// disposable domains); nil skips none. It keeps this package free of
	// the email package.
	Skip func(domain string) (skip bool, reason string)
	// Platforms limits the usernames emitted from a personal site to these
	// sources (default DefaultPlatforms).
	Platforms []string
}

// Source is the website source.
type Source struct {
	cfg       Config
	platforms map[string]bool
}

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
)

// New builds the source. It does no I/O. cfg.Client is required.
func New(cfg Config) *Source {
	if cfg.Client == nil {
		panic("website: Config.Client is nil")
	}
	if cfg.Platforms == nil {
		cfg.Platforms = DefaultPlatforms
	}
	s := &Source{cfg: cfg, platforms: map[string]bool{}}
	for _, p := range cfg.Platforms {
		s.platforms[p] = true
	}
	return s
}

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name: Name,
		Description: "Reads the homepage of the email's domain: company name, description, language, keywords and " +
			"social links (JSON-LD, Open Graph, meta tags), parked/for-sale pages, and on a personal site the " +
			"owner's rel=me profiles as usernames to look up. Skips free-mail and disposable domains; SSRF-guarded.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindDomain},
		Network:     true,
		RatePerS:    2,
		Burst:       2,
		Timeout:     2500 * time.Millisecond,
		TTL:         7 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
	}
}

// Applies implements enrichers.Applier: it skips IP literals, local-only
// names and whatever Config.Skip rejects.
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if !enrichers.SubjectDomain(id) {
		return false, "only the email's own domain is looked up"
	}
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(id.Value)), ".")
	if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil {
		return false, "an IP address, not a domain"
	}
	if d == "localhost" || strings.HasSuffix(d, ".localhost") {
		return false, "localhost"
	}
	if err := netguard.CheckURL(&url.URL{Scheme: "https", Host: d, Path: "/"}); err != nil {
		return false, "not a public domain: " + reason(err)
	}
	if s.cfg.Skip != nil {
		if skip, why := s.cfg.Skip(d); skip {
			if why == "" {
				why = "domain skipped"
			}
			return false, why
		}
	}
	return true, ""
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(id.Value)), ".")
	apex := &url.URL{Scheme: "https", Host: d, Path: "/"}
	if err := netguard.CheckURL(apex); err != nil {
		return nil, s.refused(err)
	}
	pageURL := apex.String()
	resp, err := s.cfg.Client.Get(ctx, pageURL, nil)
	if err != nil && connectionFailed(ctx, resp, err) && !strings.HasPrefix(d, "www.") {
		// No site at the apex (no address, refused connection, bad
		// certificate): many sites live only at www. Never after an HTTP
		// answer such as a 404.
		www := &url.URL{Scheme: "https", Host: "www." + d, Path: "/"}
		if cerr := netguard.CheckURL(www); cerr == nil {
			pageURL = www.String()
			resp, err = s.cfg.Client.Get(ctx, pageURL, nil)
		}
	}
	if err != nil {
		if errors.Is(err, transport.ErrNotFound) {
			return &enrichers.Finding{NotFound: true, Simulated: s.cfg.Client.Simulated()}, nil
		}
		if _, ok := netguard.IsRefusal(err); ok {
			return nil, s.refused(err)
		}
		return nil, err
	}
	ct := resp.Header.Get("Content-Type")
	if ct != "" && !strings.Contains(strings.ToLower(ct), "html") && !strings.HasPrefix(strings.ToLower(ct), "text/plain") {
		return nil, enrichers.NewSourceError(Name, enrichers.StatusError, "homepage of %s is not HTML (%s)", d, ct)
	}
	if !s.cfg.Client.Simulated() && resp.URL != nil {
		pageURL = resp.URL.String() // after redirects
	}
	page := Parse(resp.Body, ct, pageURL)
	f := s.finding(page)
	f.Simulated = s.cfg.Client.Simulated()
	return f, nil
}

// finding turns a parsed page into evidence: always CompanyFacts (on a
// personal site without a company name, so a person is never reported as a
// company), and — unless the page is an Organization's, whose accounts are
// the company's, not the person's — the usernames the owner links with
// rel=me or a JSON-LD Person's sameAs, for the next round.
func (s *Source) finding(p *Page) *enrichers.Finding {
	c := p.Company
	f := &enrichers.Finding{Company: &c}
	if p.Kind == KindOrganization {
		return f
	}
	f.Identifiers = links.Usernames(Name, PriorMe, p.MeLinks, func(platform string) bool { return s.platforms[platform] })
	for i := range f.Identifiers {
		f.Identifiers[i].Origin = Name
	}
	return f
}

// refused reports a fetch the SSRF guard refused as skipped: the domain
// does not apply (it is, or resolves to, an address footprint never
// fetches). It is not the site blocking us, and it never counts against the
// breaker: a stream of hostile emails must not switch the source off.
func (s *Source) refused(err error) error {
	return &enrichers.SourceError{Source: Name, Status: enrichers.StatusSkipped, Err: fmt.Errorf("refused: %s: %w", reason(err), err)}
}

func reason(err error) string {
	if ge, ok := netguard.IsRefusal(err); ok {
		return ge.Reason
	}
	return err.Error()
}

// connectionFailed reports whether the request never got an HTTP answer
// for a reason other than a timeout, the caller giving up or the guard.
func connectionFailed(ctx context.Context, resp *transport.Response, err error) bool {
	if resp != nil || ctx.Err() != nil {
		return false
	}
	if _, ok := netguard.IsRefusal(err); ok {
		return false
	}
	var se *enrichers.SourceError
	if !errors.As(err, &se) || se.Status != enrichers.StatusError {
		return false
	}
	var (
		ue *url.Error
		oe *net.OpError
		de *net.DNSError
	)
	return errors.As(err, &oe) || errors.As(err, &de) || (errors.As(err, &ue) && !ue.Timeout())
}
