// Package all is the one file that lists every source footprint ships,
// in the order responses list them, and builds each network source's own
// HTTP client. Adding a source means adding it here.
package all

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"

	"github.com/footprint-oss/footprint/enrichers/avatar"
	"github.com/footprint-oss/footprint/enrichers/catalogue"
	"github.com/footprint-oss/footprint/enrichers/dns"
	"github.com/footprint-oss/footprint/enrichers/email"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/github"
	"github.com/footprint-oss/footprint/enrichers/gitlab"
	"github.com/footprint-oss/footprint/enrichers/gravatar"
	"github.com/footprint-oss/footprint/enrichers/hibp"
	"github.com/footprint-oss/footprint/enrichers/mastodon"
	"github.com/footprint-oss/footprint/enrichers/names"
	"github.com/footprint-oss/footprint/enrichers/phone"
	"github.com/footprint-oss/footprint/enrichers/rdap"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/enrichers/transport/netguard"
	"github.com/footprint-oss/footprint/enrichers/website"
	"github.com/footprint-oss/footprint/scoring"
)

// Deps are what network sources need from the composition root.
type Deps struct {
	// UserAgent identifies footprint to upstreams.
	UserAgent string
	// Upstream, when set, is the simulated web every network source talks
	// to (HTTP, and DNS over UDP at the same address).
	Upstream *url.URL
	// Catalogue is the site catalogue (default: the built-in one).
	Catalogue []byte
	// Keys are API keys by source name (github, gravatar, hibp).
	Keys map[string]string
	// BaseURLs override a source's API base URL by source name.
	BaseURLs map[string]string
	// Unlimited lifts the limits a source keeps itself besides its
	// engine rate (GitHub's search limit), for a simulated web that limits
	// nothing (eval, --demo); the engine's rates are lifted separately.
	Unlimited bool
	// Resolver is the DNS resolver (host:port) of the dns source; empty:
	// the system's (or the simulated web's when Upstream is set).
	Resolver string
	// Limiters gives every network source its rate limiter, the first
	// layer of its transport (one token per HTTP request or DNS query).
	// The same set goes to the engine, which sets each limiter's rate from
	// the source's effective configuration and admits every call through
	// it. Nil: no limits (tests).
	Limiters *transport.Limiters
}

// guardedClient builds the client of a source that fetches hosts derived
// from user input (the email's website, Mastodon instances named in
// profiles): every dial and redirect goes through the SSRF guard. Only the
// explicit simulated-web upstream is exempt.
// maxBody caps its response bodies (0: transport.DefaultMaxBody).
func (d Deps) guardedClient(name string, maxBody int64) *transport.Client {
	opts := netguard.Options{}
	if d.Upstream != nil {
		// The upstream is given as an address (or localhost); no lookup here.
		switch a, err := netip.ParseAddr(d.Upstream.Hostname()); {
		case err == nil:
			opts.Allow = append(opts.Allow, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		case d.Upstream.Hostname() == "localhost":
			opts.Allow = append(opts.Allow, netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128"))
		}
	}
	return transport.New(transport.Config{
		Source:        name,
		UserAgent:     d.UserAgent,
		Upstream:      d.Upstream,
		DialContext:   netguard.Dialer(opts),
		CheckRedirect: netguard.RedirectChecker(opts),
		Limiter:       d.Limiters.For(name),
		MaxBody:       maxBody,
	})
}

// client builds one source's HTTP client.
func (d Deps) client(name string, botWall []string) *transport.Client {
	return transport.New(transport.Config{
		Source:         name,
		UserAgent:      d.UserAgent,
		Upstream:       d.Upstream,
		BotWallMarkers: botWall,
		Limiter:        d.Limiters.For(name),
	})
}

func (d Deps) resolver() string {
	if d.Resolver == "" && d.Upstream != nil {
		return net.JoinHostPort(d.Upstream.Hostname(), d.Upstream.Port())
	}
	return d.Resolver
}

// Register adds every source to reg. It panics on a duplicate name and
// returns an error for an invalid catalogue.
func Register(reg *engine.Registry, d Deps) error {
	data := d.Catalogue
	if data == nil {
		data = catalogue.Builtin()
	}
	cat, err := catalogue.Load(data, isCategory)
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	mail := email.New()
	reg.Register(
		// Offline.
		mail,
		phone.New(),
		names.New(),
		// The email's domain.
		dns.New(dns.Config{Resolver: d.resolver(), Limiter: d.Limiters.For(dns.Name)}),
		rdap.New(rdap.Config{Client: d.client(rdap.Name, nil)}),
		website.New(website.Config{Client: d.guardedClient(website.Name, 0), Skip: func(domain string) (bool, string) {
			switch free, disposable := mail.Classify(domain); {
			case free:
				return true, "a free-mail provider's site says nothing about the person"
			case disposable:
				return true, "a disposable-mail provider"
			}
			return false, ""
		}}),
		// The email itself.
		gravatar.New(gravatar.Config{Client: d.client(gravatar.Name, nil), BaseURL: d.BaseURLs[gravatar.Name], APIKey: d.Keys[gravatar.Name]}),
		github.New(github.Config{Client: d.client(github.Name, nil), BaseURL: d.BaseURLs[github.Name], Token: d.Keys[github.Name], SearchPerMin: d.searchPerMin(),
			SearchLimiter: d.Limiters.For(github.Name + ".search")}),
		hibp.New(hibp.Config{Client: d.client(hibp.Name, nil), BaseURL: d.BaseURLs[hibp.Name], APIKey: d.Keys[hibp.Name]}),
		// Usernames.
		mastodon.New(mastodon.Config{Client: d.guardedClient(mastodon.Name, 0)}),
		gitlab.New(gitlab.Config{Client: d.client(gitlab.Name, nil), BaseURL: d.BaseURLs[gitlab.Name]}),
	)
	reg.Register(cat.Sources(d.client)...)
	// The photos of every account the sources above found: any host a
	// profile names, so through the SSRF guard, and at most an image's size.
	reg.Register(avatar.New(avatar.Config{Client: d.guardedClient(avatar.Name, avatar.MaxBytes)}))
	return nil
}

func isCategory(id string) bool {
	for _, c := range scoring.Taxonomy() {
		if c.ID == id {
			return true
		}
	}
	return false
}

// searchPerMin is GitHub's search limit for the github source (0: the
// published one).
func (d Deps) searchPerMin() float64 {
	if d.Unlimited {
		return 600000 // as the engine's lifted rates: 10 000 a second
	}
	return 0
}
