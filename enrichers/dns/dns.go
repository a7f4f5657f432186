// Package dns is the mail-DNS source: MX (and null MX, RFC 7505), SPF and
// DMARC for the email's domain, asked of a configurable resolver with
// github.com/miekg/dns so that every answer code is visible (NXDOMAIN is a
// real "no such domain"; REFUSED is a throttling resolver, not an answer).
package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "dns"

// Config configures the source.
type Config struct {
	// Resolver is the host:port of the recursive resolver to ask. Empty:
	// the first nameserver of ResolvConf, read on first use.
	Resolver string
	// ResolvConf is the resolver configuration file (default /etc/resolv.conf).
	ResolvConf string
	// Limiter is the source's rate limiter: every query pays one token
	// (nil: no limit).
	Limiter *transport.Limiter
}

// Source is the DNS source.
type Source struct {
	cfg Config

	once     sync.Once
	resolver string
	err      error
}

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
	_ enrichers.Warmer   = (*Source)(nil)
)

// New returns the source. It does no I/O: the resolver configuration is
// read on first use (or by Warm).
func New(cfg Config) *Source {
	if cfg.ResolvConf == "" {
		cfg.ResolvConf = "/etc/resolv.conf"
	}
	return &Source{cfg: cfg}
}

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Mail DNS of the email's domain: MX or null MX, SPF and DMARC policy, from a configurable resolver.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindDomain},
		Network:     true,
		RatePerS:    50,
		Burst:       50,
		Timeout:     1500 * time.Millisecond,
		Breaker:     enrichers.BreakerSettings{Failures: 10, OpenFor: 10 * time.Second, HalfOpenRequests: 2},
		TTL:         6 * time.Hour,
		NegativeTTL: time.Hour,
	}
}

// Applies skips address literals and single-label names.
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if !enrichers.SubjectDomain(id) {
		return false, "only the email's own domain is looked up"
	}
	if net.ParseIP(strings.Trim(id.Value, "[]")) != nil {
		return false, "an address literal has no DNS"
	}
	if !strings.Contains(id.Value, ".") {
		return false, "not a fully qualified domain"
	}
	return true, ""
}

// Warm reads the resolver configuration.
func (s *Source) Warm(context.Context) error {
	_, err := s.server()
	return err
}

func (s *Source) server() (string, error) {
	s.once.Do(func() {
		if s.cfg.Resolver != "" {
			s.resolver = s.cfg.Resolver
			return
		}
		cc, err := mdns.ClientConfigFromFile(s.cfg.ResolvConf)
		if err != nil || len(cc.Servers) == 0 {
			s.err = fmt.Errorf("dns: no resolver configured and none in %s: %v", s.cfg.ResolvConf, err)
			return
		}
		s.resolver = net.JoinHostPort(cc.Servers[0], cc.Port)
	})
	return s.resolver, s.err
}

// answer is one query's result.
type answer struct {
	rrs   []mdns.RR
	nxdom bool
	err   error
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	srv, err := s.server()
	if err != nil {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: err}
	}
	domain := strings.TrimSuffix(strings.ToLower(id.Value), ".")
	qs := []struct {
		name  string
		qtype uint16
	}{{domain, mdns.TypeMX}, {domain, mdns.TypeTXT}, {"_dmarc." + domain, mdns.TypeTXT}}
	res := make([]answer, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Go(func() { res[i] = s.query(ctx, srv, q.name, q.qtype) })
	}
	wg.Wait()
	mx, txt, dmarc := res[0], res[1], res[2]
	for _, a := range []answer{mx, txt} {
		if a.err != nil {
			return nil, a.err
		}
	}
	facts := &enrichers.DNSFacts{MX: []string{}}
	if mx.nxdom {
		// The domain does not exist: a definitive answer, and evidence
		// (an address at a non-existent domain cannot receive mail).
		return &enrichers.Finding{NotFound: true, DNS: facts}, nil
	}
	type pref struct {
		host string
		pref uint16
	}
	var mxs []pref
	for _, rr := range mx.rrs {
		if m, ok := rr.(*mdns.MX); ok {
			mxs = append(mxs, pref{strings.ToLower(strings.TrimSuffix(m.Mx, ".")), m.Preference})
		}
	}
	slices.SortStableFunc(mxs, func(a, b pref) int { return int(a.pref) - int(b.pref) })
	for _, m := range mxs {
		facts.MX = append(facts.MX, m.host)
	}
	switch {
	case len(mxs) == 1 && mxs[0].host == "":
		facts.NullMX = true // RFC 7505: "0 ." — the domain accepts no mail
		facts.MX = []string{}
	case len(mxs) > 0:
		facts.HasMX = true
	default:
		// No MX: RFC 5321 falls back to the domain's address records.
		a := s.query(ctx, srv, domain, mdns.TypeA)
		if a.err != nil {
			return nil, a.err
		}
		facts.HasMX = hasType(a.rrs, mdns.TypeA)
		if !facts.HasMX {
			aaaa := s.query(ctx, srv, domain, mdns.TypeAAAA)
			if aaaa.err != nil {
				return nil, aaaa.err
			}
			facts.HasMX = hasType(aaaa.rrs, mdns.TypeAAAA)
		}
	}
	for _, t := range texts(txt.rrs) {
		if strings.HasPrefix(strings.ToLower(t), "v=spf1") {
			facts.SPF = t
			break
		}
	}
	if dmarc.err == nil {
		for _, t := range texts(dmarc.rrs) {
			if strings.HasPrefix(strings.ToLower(t), "v=dmarc1") {
				facts.DMARC = t
				facts.DMARCPolicy = DMARCPolicy(t)
				break
			}
		}
	}
	return &enrichers.Finding{DNS: facts}, nil
}

func hasType(rrs []mdns.RR, t uint16) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == t {
			return true
		}
	}
	return false
}

func texts(rrs []mdns.RR) []string {
	var out []string
	for _, rr := range rrs {
		if t, ok := rr.(*mdns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out
}

// DMARCPolicy returns the p= tag of a DMARC record, lowercased ("" when
// absent or not one of none, quarantine, reject).
func DMARCPolicy(record string) string {
	for _, tag := range strings.Split(record, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(tag), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "p") {
			switch v = strings.ToLower(strings.TrimSpace(v)); v {
			case "none", "quarantine", "reject":
				return v
			}
		}
	}
	return ""
}

// query asks srv one question over UDP, retrying over TCP when the answer
// is truncated. The deadline comes from ctx.
func (s *Source) query(ctx context.Context, srv, name string, qtype uint16) answer {
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	var a answer
	// One token of the source's rate limit per query (the TCP retry of a
	// truncated answer is part of it).
	if err := s.cfg.Limiter.Take(ctx, Name); err != nil {
		a.err = err
		return a
	}
	in, err := exchange(ctx, "udp", srv, m)
	if err == nil && in.Truncated {
		in, err = exchange(ctx, "tcp", srv, m)
	}
	if err != nil {
		a.err = classify(ctx, err)
		return a
	}
	switch in.Rcode {
	case mdns.RcodeSuccess:
		a.rrs = in.Answer
	case mdns.RcodeNameError:
		a.nxdom = true
	case mdns.RcodeRefused:
		a.err = &enrichers.SourceError{Source: Name, Status: enrichers.StatusRateLimited,
			Err: fmt.Errorf("resolver refused a %s query (throttled?)", mdns.TypeToString[qtype])}
	default:
		a.err = &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Retryable: true, RetryAfter: 100 * time.Millisecond,
			Err: fmt.Errorf("resolver answered %s to a %s query", mdns.RcodeToString[in.Rcode], mdns.TypeToString[qtype])}
	}
	return a
}

func exchange(ctx context.Context, network, srv string, m *mdns.Msg) (*mdns.Msg, error) {
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
		if c.Timeout <= 0 {
			return nil, context.DeadlineExceeded
		}
	}
	in, _, err := c.ExchangeContext(ctx, m, srv)
	return in, err
}

func classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &enrichers.SourceError{Source: Name, Status: enrichers.StatusTimeout, Err: err}
	}
	return &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: err}
}
