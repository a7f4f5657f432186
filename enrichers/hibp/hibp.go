// Package hibp is the Have I Been Pwned source: how many known breaches
// include the email and when the first one happened. It needs an API key
// (sources.hibp.api_key) and stays disabled — reported skipped — until one
// is configured.
package hibp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "hibp"

// DefaultBaseURL is the HIBP API v3.
const DefaultBaseURL = "https://haveibeenpwned.com/api/v3"

// Config configures the source.
type Config struct {
	Client  *transport.Client
	BaseURL string
	APIKey  string
	// RatePerMinute is the key's plan limit (default 10, the smallest plan).
	RatePerMinute float64
}

// Source is the HIBP source.
type Source struct{ cfg Config }

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Keyed    = (*Source)(nil)
)

// New returns the source. It does no I/O.
func New(cfg Config) *Source {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = 10
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	return &Source{cfg: cfg}
}

// HasKey implements enrichers.Keyed.
func (s *Source) HasKey() bool { return s.cfg.APIKey != "" }

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Have I Been Pwned: number of breaches including the email and the first breach date. Needs an API key.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindEmail},
		Network:     true,
		RatePerS:    s.cfg.RatePerMinute / 60,
		Burst:       1,
		Timeout:     3 * time.Second,
		TTL:         7 * 24 * time.Hour,
		NegativeTTL: 3 * 24 * time.Hour,
		RequiresKey: true,
		Settings: []enrichers.Setting{
			{Key: enrichers.SettingAPIKey, Doc: "API key (sent as hibp-api-key); the source is off without one"},
			{Key: enrichers.SettingBaseURL, Doc: "API base URL (default " + DefaultBaseURL + ")"},
		},
	}
}

// Breach is the part of a breach footprint reads.
type Breach struct {
	Name       string `json:"Name"`
	BreachDate string `json:"BreachDate"`
	IsSpamList bool   `json:"IsSpamList"`
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if !s.HasKey() {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusSkipped, Err: errors.New("no API key configured")}
	}
	var list []Breach
	u := s.cfg.BaseURL + "/breachedaccount/" + url.PathEscape(id.Value) + "?truncateResponse=false"
	_, err := s.cfg.Client.GetJSON(ctx, u, http.Header{"Hibp-Api-Key": {s.cfg.APIKey}}, &list)
	if errors.Is(err, transport.ErrNotFound) {
		// HIBP answers 404 when the address is in no breach: evidence too.
		return &enrichers.Finding{NotFound: true, Breach: &enrichers.BreachFacts{Count: 0}}, nil
	}
	if err != nil {
		return nil, err
	}
	f := &enrichers.Finding{Breach: Summarize(list), Simulated: s.cfg.Client.Simulated()}
	return f, nil
}

// Summarize counts breaches and finds the earliest breach date.
func Summarize(list []Breach) *enrichers.BreachFacts {
	b := &enrichers.BreachFacts{Count: len(list)}
	for _, br := range list {
		b.Names = append(b.Names, br.Name)
		t, err := time.Parse("2006-01-02", br.BreachDate)
		if err != nil {
			continue
		}
		if b.FirstBreach == nil || t.Before(*b.FirstBreach) {
			b.FirstBreach = &t
		}
	}
	sort.Strings(b.Names)
	return b
}
