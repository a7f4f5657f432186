// Package rdap is the domain-registration source: when the email's domain
// was registered, when it expires and through which registrar, from the
// registry's RDAP service (RFC 9083) found through IANA's bootstrap
// registry (RFC 9224). A snapshot of the bootstrap data is embedded; TLDs it
// does not cover trigger one refresh from IANA.
package rdap

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "rdap"

// BootstrapURL is IANA's RDAP bootstrap registry for domain names.
const BootstrapURL = "https://data.iana.org/rdap/dns.json"

//go:embed bootstrap.json
var embeddedBootstrap []byte

// Config configures the source.
type Config struct {
	// Client is the source's HTTP client.
	Client *transport.Client
	// BootstrapTTL is how long a fetched bootstrap registry is used before
	// it may be fetched again (default 24h).
	BootstrapTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Source is the RDAP source.
type Source struct {
	cfg Config

	mu        sync.Mutex
	embedded  map[string]string // tld → base URL
	live      map[string]string
	fetchedAt time.Time
}

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
)

// New returns the source. It does no I/O.
func New(cfg Config) *Source {
	if cfg.BootstrapTTL <= 0 {
		cfg.BootstrapTTL = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Source{cfg: cfg}
}

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Domain registration date, expiry and registrar from the registry's RDAP service (IANA bootstrap) → domain age.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindDomain},
		Network:     true,
		RatePerS:    4,
		Burst:       4,
		Timeout:     2500 * time.Millisecond,
		TTL:         7 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
	}
}

// Applies skips address literals and names without a registrable domain.
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if !enrichers.SubjectDomain(id) {
		return false, "only the email's own domain is looked up"
	}
	if net.ParseIP(strings.Trim(id.Value, "[]")) != nil {
		return false, "an address literal has no registration"
	}
	if _, err := Registrable(id.Value); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// Registrable returns the registrable domain (eTLD+1) of name:
// mail.example.co.uk → example.co.uk.
func Registrable(name string) (string, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	d, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return "", fmt.Errorf("no registrable domain in %q", name)
	}
	return d, nil
}

// Bootstrap is the RFC 9224 bootstrap registry format.
type Bootstrap struct {
	Services [][][]string `json:"services"`
}

// ParseBootstrap returns tld → RDAP base URL (the first https URL of each
// service, ending in "/").
func ParseBootstrap(b []byte) (map[string]string, error) {
	var bs Bootstrap
	if err := json.Unmarshal(b, &bs); err != nil {
		return nil, fmt.Errorf("rdap bootstrap: %w", err)
	}
	out := map[string]string{}
	for _, svc := range bs.Services {
		if len(svc) < 2 {
			continue
		}
		base := ""
		for _, u := range svc[1] {
			if strings.HasPrefix(u, "https://") {
				base = u
				break
			}
		}
		if base == "" && len(svc[1]) > 0 {
			base = svc[1][0]
		}
		if base == "" {
			continue
		}
		if !strings.HasSuffix(base, "/") {
			base += "/"
		}
		for _, tld := range svc[0] {
			out[strings.ToLower(tld)] = base
		}
	}
	if len(out) == 0 {
		return nil, errors.New("rdap bootstrap: no services")
	}
	return out, nil
}

// lookupBase returns the RDAP base URL for domain, refreshing the bootstrap
// from IANA when neither the embedded snapshot nor a fresh live copy covers
// its TLD.
func (s *Source) lookupBase(ctx context.Context, domain string) (string, error) {
	// Longest matching label suffix wins (RFC 9224 §4).
	find := func(m map[string]string) string {
		labels := strings.Split(domain, ".")
		for i := 1; i < len(labels); i++ {
			if b, ok := m[strings.Join(labels[i:], ".")]; ok {
				return b
			}
		}
		return ""
	}
	s.mu.Lock()
	if s.embedded == nil {
		m, err := ParseBootstrap(embeddedBootstrap)
		if err != nil {
			s.mu.Unlock()
			return "", err
		}
		s.embedded = m
	}
	if b := find(s.live); b != "" && s.cfg.Now().Sub(s.fetchedAt) < s.cfg.BootstrapTTL {
		s.mu.Unlock()
		return b, nil
	}
	if b := find(s.embedded); b != "" {
		s.mu.Unlock()
		return b, nil
	}
	stale := s.live != nil && s.cfg.Now().Sub(s.fetchedAt) < s.cfg.BootstrapTTL
	s.mu.Unlock()
	if stale {
		// Fetched recently and the TLD is not there: it has no RDAP.
		return "", nil
	}
	resp, err := s.cfg.Client.Get(ctx, BootstrapURL, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return "", fmt.Errorf("fetching the IANA bootstrap registry: %w", err)
	}
	m, err := ParseBootstrap(resp.Body)
	if err != nil {
		return "", &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: err}
	}
	s.mu.Lock()
	s.live, s.fetchedAt = m, s.cfg.Now()
	s.mu.Unlock()
	return find(m), nil
}

// domainObject is the part of an RDAP domain response footprint reads.
type domainObject struct {
	ObjectClassName string   `json:"objectClassName"`
	LDHName         string   `json:"ldhName"`
	Status          []string `json:"status"`
	Events          []struct {
		Action string `json:"eventAction"`
		Date   string `json:"eventDate"`
	} `json:"events"`
	Entities []entity `json:"entities"`
}

type entity struct {
	Roles      []string          `json:"roles"`
	VCardArray []json.RawMessage `json:"vcardArray"`
	PublicIDs  []struct {
		Type       string `json:"type"`
		Identifier string `json:"identifier"`
	} `json:"publicIds"`
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	domain, err := Registrable(id.Value)
	if err != nil {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusSkipped, Err: err}
	}
	base, err := s.lookupBase(ctx, domain)
	if err != nil {
		return nil, err
	}
	if base == "" {
		tld := domain[strings.LastIndex(domain, ".")+1:]
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusSkipped,
			Err: fmt.Errorf("the .%s registry offers no RDAP service", tld)}
	}
	var obj domainObject
	_, err = s.cfg.Client.GetJSON(ctx, base+"domain/"+domain, http.Header{"Accept": {"application/rdap+json, application/json"}}, &obj)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	facts, err := parse(&obj, s.cfg.Now())
	if err != nil {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: err}
	}
	return &enrichers.Finding{Domain: facts, Simulated: s.cfg.Client.Simulated()}, nil
}

// ParseJSON parses an RDAP domain response body.
func ParseJSON(body []byte, now time.Time) (*enrichers.DomainFacts, error) {
	var obj domainObject
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("malformed RDAP JSON: %w", err)
	}
	return parse(&obj, now)
}

// parse extracts registration facts from an RDAP domain object.
func parse(obj *domainObject, now time.Time) (*enrichers.DomainFacts, error) {
	if obj.ObjectClassName != "" && obj.ObjectClassName != "domain" {
		return nil, fmt.Errorf("RDAP answer is a %q object, not a domain", obj.ObjectClassName)
	}
	f := &enrichers.DomainFacts{}
	for _, ev := range obj.Events {
		t, ok := parseTime(ev.Date)
		if !ok {
			continue
		}
		switch strings.ToLower(ev.Action) {
		case "registration":
			f.Registered = &t
		case "expiration":
			f.Expires = &t
		}
	}
	for _, e := range obj.Entities {
		if !hasRole(e.Roles, "registrar") {
			continue
		}
		f.Registrar = vcardFN(e.VCardArray)
		break
	}
	if f.Registered == nil && f.Expires == nil && f.Registrar == "" {
		return nil, errors.New("RDAP answer has no registration events or registrar")
	}
	if f.Registered != nil {
		f.AgeDays = max(0, int(now.Sub(*f.Registered).Hours()/24))
	}
	return f, nil
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func hasRole(roles []string, want string) bool {
	for _, r := range roles {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}

// vcardFN returns the fn property of a jCard (RFC 7095):
// ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Name"], …]].
func vcardFN(arr []json.RawMessage) string {
	if len(arr) < 2 {
		return ""
	}
	var props [][]json.RawMessage
	if err := json.Unmarshal(arr[1], &props); err != nil {
		return ""
	}
	for _, p := range props {
		if len(p) < 4 {
			continue
		}
		var name, val string
		if json.Unmarshal(p[0], &name) != nil || !strings.EqualFold(name, "fn") {
			continue
		}
		if json.Unmarshal(p[3], &val) == nil {
			return strings.TrimSpace(val)
		}
	}
	return ""
}
