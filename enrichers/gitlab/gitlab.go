// Package gitlab is the GitLab source: a username is looked up with the
// public users API of gitlab.com (GET /api/v4/users?username=), then the
// public profile by id → name, bio, location, organization, job title,
// website and social links, followers, created date.
package gitlab

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "gitlab"

// DefaultBaseURL is gitlab.com's REST API.
const DefaultBaseURL = "https://gitlab.com/api/v4"

// Config configures the source.
type Config struct {
	Client  *transport.Client
	BaseURL string
}

// Source is the GitLab source.
type Source struct{ cfg Config }

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
)

// New returns the source. It does no I/O.
func New(cfg Config) *Source {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	return &Source{cfg: cfg}
}

// Describe implements enrichers.Enricher. gitlab.com allows unauthenticated
// API clients about 500 requests a minute per address; a lookup makes two.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "GitLab.com public profile by username: name, bio, location, organization, links, followers, created date.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindUsername},
		Network:     true,
		RatePerS:    8,
		Burst:       8,
		Timeout:     2500 * time.Millisecond,
		TTL:         3 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
		Settings: []enrichers.Setting{
			{Key: enrichers.SettingBaseURL, Doc: "API base URL (default " + DefaultBaseURL + "), e.g. a self-managed instance's /api/v4"},
		},
	}
}

// Applies skips usernames GitLab cannot have.
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	u := id.Value
	if u == "" || len(u) > 255 || strings.HasPrefix(u, "-") || strings.HasSuffix(u, ".") || strings.HasSuffix(u, ".git") {
		return false, "not a valid GitLab username"
	}
	for _, r := range u {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false, "not a valid GitLab username"
		}
	}
	return true, ""
}

type basicUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	State    string `json:"state"`
}

// User is the part of a GitLab user footprint reads.
type User struct {
	ID           int64  `json:"id"`
	Username     string `json:"username"`
	Name         string `json:"name"`
	State        string `json:"state"`
	Bot          bool   `json:"bot"`
	AvatarURL    string `json:"avatar_url"`
	WebURL       string `json:"web_url"`
	CreatedAt    string `json:"created_at"`
	Bio          string `json:"bio"`
	Location     string `json:"location"`
	Twitter      string `json:"twitter"`
	LinkedIn     string `json:"linkedin"`
	WebsiteURL   string `json:"website_url"`
	Organization string `json:"organization"`
	JobTitle     string `json:"job_title"`
	Followers    *int64 `json:"followers"`
	Following    *int64 `json:"following"`
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	var list []basicUser
	if _, err := s.cfg.Client.GetJSON(ctx, s.cfg.BaseURL+"/users?"+url.Values{"username": {id.Value}}.Encode(), nil, &list); err != nil {
		if errors.Is(err, transport.ErrNotFound) {
			return &enrichers.Finding{NotFound: true}, nil
		}
		return nil, err
	}
	var found *basicUser
	for i := range list {
		if strings.EqualFold(list[i].Username, id.Value) && list[i].State != "blocked" {
			found = &list[i]
			break
		}
	}
	if found == nil {
		return &enrichers.Finding{NotFound: true}, nil
	}
	var u User
	_, err := s.cfg.Client.GetJSON(ctx, s.cfg.BaseURL+"/users/"+strconv.FormatInt(found.ID, 10), nil, &u)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Username == "" {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: errors.New("answer is not a GitLab user")}
	}
	f := ToFinding(&u, id)
	f.Simulated = s.cfg.Client.Simulated()
	return f, nil
}

// ToFinding builds the account and the usernames it links.
func ToFinding(u *User, via enrichers.Identifier) *enrichers.Finding {
	a := enrichers.Account{
		Source: Name, Username: u.Username, URL: u.WebURL, DisplayName: strings.TrimSpace(u.Name),
		Bio: strings.TrimSpace(u.Bio), Location: strings.TrimSpace(u.Location), Company: strings.TrimSpace(u.Organization),
		JobTitle: strings.TrimSpace(u.JobTitle), Avatar: u.AvatarURL, Followers: u.Followers, Following: u.Following,
		Method: via.Method, Via: via,
	}
	if a.URL == "" {
		a.URL = "https://gitlab.com/" + u.Username
	}
	if t, err := time.Parse(time.RFC3339, u.CreatedAt); err == nil {
		a.CreatedAt = &t
	}
	if via.LinkedTo(Name) {
		a.Verified = true
	}
	if w := strings.TrimSpace(u.WebsiteURL); w != "" {
		if !strings.Contains(w, "://") {
			w = "https://" + w
		}
		a.Website = w
		a.Links = append(a.Links, w)
	}
	if t := strings.TrimPrefix(strings.TrimSpace(u.Twitter), "@"); t != "" {
		a.Links = append(a.Links, "https://x.com/"+t)
	}
	if l := strings.TrimSpace(u.LinkedIn); l != "" {
		a.Links = append(a.Links, "https://www.linkedin.com/in/"+l)
	}
	f := &enrichers.Finding{Identifiers: links.Usernames(Name, 0.9, a.Links, nil)}
	f.Accounts = []enrichers.Account{a}
	return f
}
