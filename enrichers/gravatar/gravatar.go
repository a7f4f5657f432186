// Package gravatar is the Gravatar source: the public profile registered
// for the email (looked up by the SHA-256 hash of the address, Gravatar's
// REST API v3) → display name, location, about, job, company, and the
// accounts on other platforms the owner verified with Gravatar.
package gravatar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "gravatar"

// DefaultBaseURL is Gravatar's REST API.
const DefaultBaseURL = "https://api.gravatar.com/v3"

// LinkPrior is the prior given to usernames of accounts the owner verified
// with Gravatar: the profile was matched on the email hash, and Gravatar
// verified the owner controls each linked account.
const LinkPrior = 0.97

// Config configures the source.
type Config struct {
	Client *transport.Client
	// BaseURL overrides DefaultBaseURL.
	BaseURL string
	// APIKey (optional) is sent as a bearer token: Gravatar answers
	// keyless requests with a smaller rate limit.
	APIKey string
}

// Source is the Gravatar source.
type Source struct{ cfg Config }

var _ enrichers.Enricher = (*Source)(nil)

// New returns the source. It does no I/O.
func New(cfg Config) *Source {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	return &Source{cfg: cfg}
}

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	d := enrichers.Description{
		Name:        Name,
		Description: "Gravatar public profile by email hash: name, location, about, job and the accounts its owner verified.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindEmail},
		Network:     true,
		RatePerS:    2,
		Burst:       2,
		Timeout:     2 * time.Second,
		TTL:         3 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
		Settings: []enrichers.Setting{
			{Key: enrichers.SettingAPIKey, Doc: "API key, sent as a bearer token: 10 requests a second instead of 2"},
			{Key: enrichers.SettingBaseURL, Doc: "API base URL (default " + DefaultBaseURL + ")"},
		},
	}
	if s.cfg.APIKey != "" {
		d.RatePerS, d.Burst = 10, 10
	}
	return d
}

// Hash is Gravatar's profile identifier for an email: the hex SHA-256 of
// the trimmed, lowercased address.
func Hash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Profile is the part of a v3 profile footprint reads.
type Profile struct {
	Hash             string `json:"hash"`
	DisplayName      string `json:"display_name"`
	ProfileURL       string `json:"profile_url"`
	AvatarURL        string `json:"avatar_url"`
	Location         string `json:"location"`
	Description      string `json:"description"`
	JobTitle         string `json:"job_title"`
	Company          string `json:"company"`
	VerifiedAccounts []struct {
		ServiceType  string `json:"service_type"`
		ServiceLabel string `json:"service_label"`
		URL          string `json:"url"`
		IsHidden     bool   `json:"is_hidden"`
	} `json:"verified_accounts"`
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	h := http.Header{}
	if s.cfg.APIKey != "" {
		h.Set("Authorization", "Bearer "+s.cfg.APIKey)
	}
	var p Profile
	_, err := s.cfg.Client.GetJSON(ctx, s.cfg.BaseURL+"/profiles/"+Hash(id.Value), h, &p)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if p.Hash == "" && p.ProfileURL == "" {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: errors.New("answer is not a Gravatar profile")}
	}
	f := ToFinding(&p, id)
	f.Simulated = s.cfg.Client.Simulated()
	return f, nil
}

// ToFinding turns a profile into an account plus the usernames it links.
func ToFinding(p *Profile, via enrichers.Identifier) *enrichers.Finding {
	a := enrichers.Account{
		Source: Name, Username: slug(p.ProfileURL), URL: p.ProfileURL,
		DisplayName: strings.TrimSpace(p.DisplayName), Bio: strings.TrimSpace(p.Description),
		Location: strings.TrimSpace(p.Location), Company: strings.TrimSpace(p.Company), JobTitle: strings.TrimSpace(p.JobTitle), Avatar: p.AvatarURL,
		Method: enrichers.MethodEmailHash, Verified: true, Via: via,
	}
	if a.Username == "" {
		a.Username = p.Hash
	}
	for _, v := range p.VerifiedAccounts {
		if !v.IsHidden && v.URL != "" {
			a.Links = append(a.Links, v.URL)
		}
	}
	f := &enrichers.Finding{Identifiers: links.Usernames(Name, LinkPrior, a.Links, nil)}
	if names := strings.Fields(a.DisplayName); len(names) >= 2 {
		// The owner's full name: usernames are often built from it.
		f.Identifiers = append(f.Identifiers, enrichers.Identifier{Kind: enrichers.KindName, Value: a.DisplayName, Method: enrichers.LinkedFrom(Name), Prior: LinkPrior})
	}
	f.Accounts = []enrichers.Account{a}
	return f
}

// slug returns the last path segment of a profile URL
// (https://gravatar.com/janedoe → janedoe).
func slug(profileURL string) string {
	u := strings.TrimSuffix(profileURL, "/")
	if i := strings.LastIndex(u, "/"); i >= 0 && i < len(u)-1 && strings.Count(u, "/") >= 3 {
		return u[i+1:]
	}
	return ""
}
