// Package github is the GitHub source: the user whose public email is the
// subject's (user search), or the user with a given username, then the
// profile (followers, repositories, created_at, bio, blog, company,
// location) and the languages and topics of their public repositories.
//
// Default limits are GitHub's real unauthenticated ones (60 core requests
// an hour, 10 searches a minute); a token (sources.github.api_key) raises
// them to 5 000 an hour and 30 searches a minute. A primary-rate-limit 403
// (X-RateLimit-Remaining: 0) reads rate_limited with the reset as
// Retry-After, never blocked or not_found.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "github"

// DefaultBaseURL is GitHub's REST API.
const DefaultBaseURL = "https://api.github.com"

// GitHub's published limits for REST clients, per hour (core) and per
// minute (search), without and with a token.
const (
	corePerHourKeyless  = 60
	corePerHourToken    = 5000
	searchPerMinKeyless = 10
	searchPerMinToken   = 30
)

// Config configures the source.
type Config struct {
	Client  *transport.Client
	BaseURL string
	// Token (optional) is a personal access token: higher rate limits.
	Token string
	// SearchPerMin overrides GitHub's published search limit (searches a
	// minute; 0: 10 without a token, 30 with one), for an upstream that
	// limits nothing, such as the simulated web.
	SearchPerMin float64
	// SearchLimiter (optional) is the limiter of the search limit; New
	// sets its rate. The composition root hands out one shared with the
	// other replicas (transport.Limiters), so that their searches together
	// stay within GitHub's; nil: one of the source's own.
	SearchLimiter *transport.Limiter
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Source is the GitHub source. Its rate_per_s is the core limit (every
// request); searches also take a token of the stricter search limit.
type Source struct {
	cfg    Config
	search *transport.Limiter
}

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
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	perMin, burst := float64(searchPerMinKeyless), 1
	if cfg.Token != "" {
		perMin = searchPerMinToken
	}
	if cfg.SearchPerMin > 0 {
		perMin, burst = cfg.SearchPerMin, max(1, int(cfg.SearchPerMin/60))
	}
	r := rate.Limit(perMin / 60 * transport.LimiterHeadroom)
	search := cfg.SearchLimiter
	if search == nil {
		search = transport.NewLimiter(r, burst)
	} else {
		search.Set(r, burst, 0)
	}
	return &Source{cfg: cfg, search: search}
}

// Describe implements enrichers.Enricher. The rate is GitHub's core limit
// in requests per second (a lookup makes two or three requests).
func (s *Source) Describe() enrichers.Description {
	perHour := float64(corePerHourKeyless)
	if s.cfg.Token != "" {
		perHour = corePerHourToken
	}
	perS := perHour / 3600
	return enrichers.Description{
		Name:        Name,
		Description: "GitHub user by public email (search) or username: profile, followers, repositories, their languages and topics. Token optional (higher limits).",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindEmail, enrichers.KindUsername},
		Network:     true,
		RatePerS:    perS,
		Burst:       1,
		Timeout:     3 * time.Second,
		TTL:         3 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
		Settings: []enrichers.Setting{
			{Key: enrichers.SettingAPIKey, Doc: "personal access token, sent as a bearer token: 5000 requests an hour and 30 searches a minute instead of 60 and 10"},
			{Key: enrichers.SettingBaseURL, Doc: "API base URL (default " + DefaultBaseURL + "), e.g. a GitHub Enterprise server's /api/v3"},
		},
	}
}

// Applies skips usernames GitHub cannot have (1–39 alphanumerics or single
// hyphens, not at either end).
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if id.Kind == enrichers.KindUsername && !ValidLogin(id.Value) {
		return false, "not a valid GitHub username"
	}
	return true, ""
}

// ValidLogin reports whether s can be a GitHub login.
func ValidLogin(s string) bool {
	if s == "" || len(s) > 39 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (s *Source) header() http.Header {
	h := http.Header{"Accept": {"application/vnd.github+json"}, "X-Github-Api-Version": {"2022-11-28"}}
	if s.cfg.Token != "" {
		h.Set("Authorization", "Bearer "+s.cfg.Token)
	}
	return h
}

// get fetches a JSON document, turning GitHub's rate-limit 403s into
// rate_limited errors.
func (s *Source) get(ctx context.Context, u string, v any) error {
	resp, err := s.cfg.Client.GetJSON(ctx, u, s.header(), v)
	if err == nil || resp == nil {
		return err
	}
	var se *enrichers.SourceError
	if errors.As(err, &se) && (resp.Status == http.StatusForbidden || resp.Status == http.StatusTooManyRequests) {
		if wait, limited := rateLimited(resp.Header, s.cfg.Now()); limited {
			return &enrichers.SourceError{Source: Name, Status: enrichers.StatusRateLimited, RetryAfter: wait,
				Err: fmt.Errorf("GitHub %s rate limit exhausted (HTTP %d)", resp.Header.Get("X-Ratelimit-Resource"), resp.Status)}
		}
	}
	return err
}

// rateLimited reads GitHub's rate-limit headers on a 403/429: primary
// limit (remaining 0, wait until reset) or secondary (Retry-After).
func rateLimited(h http.Header, now time.Time) (time.Duration, bool) {
	if ra, ok := transport.RetryAfter(h.Get("Retry-After"), now); ok {
		return ra, true
	}
	if h.Get("X-Ratelimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now), time.Second), true
		}
		return time.Minute, true
	}
	return 0, false
}

type searchResult struct {
	TotalCount int `json:"total_count"`
	Items      []struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"items"`
}

// User is the part of a GitHub user footprint reads.
type User struct {
	Login       string  `json:"login"`
	Type        string  `json:"type"`
	HTMLURL     string  `json:"html_url"`
	AvatarURL   string  `json:"avatar_url"`
	Name        *string `json:"name"`
	Company     *string `json:"company"`
	Blog        string  `json:"blog"`
	Location    *string `json:"location"`
	Bio         *string `json:"bio"`
	Twitter     *string `json:"twitter_username"`
	PublicRepos int64   `json:"public_repos"`
	Followers   int64   `json:"followers"`
	Following   int64   `json:"following"`
	CreatedAt   string  `json:"created_at"`
}

// Repo is the part of a repository footprint reads.
type Repo struct {
	Name     string   `json:"name"`
	Fork     bool     `json:"fork"`
	Language *string  `json:"language"`
	Topics   []string `json:"topics"`
	Stars    int64    `json:"stargazers_count"`
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	login, method := id.Value, id.Method
	if id.Kind == enrichers.KindEmail {
		if err := s.search.Wait(ctx); err != nil {
			return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusRateLimited,
				Err: fmt.Errorf("search limit: %w: %w", transport.ErrLocalLimit, err)}
		}
		var sr searchResult
		q := url.Values{"q": {id.Value + " in:email"}, "per_page": {"5"}}
		if err := s.get(ctx, s.cfg.BaseURL+"/search/users?"+q.Encode(), &sr); err != nil {
			return nil, err
		}
		// Only a single, unambiguous user account counts.
		var users []string
		for _, it := range sr.Items {
			if it.Type == "" || it.Type == "User" {
				users = append(users, it.Login)
			}
		}
		if len(users) != 1 {
			return &enrichers.Finding{NotFound: true}, nil
		}
		login, method = users[0], enrichers.MethodEmailSearch
	}
	var u User
	err := s.get(ctx, s.cfg.BaseURL+"/users/"+url.PathEscape(login), &u)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Login == "" {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: errors.New("answer is not a GitHub user")}
	}
	if u.Type == "Organization" && id.Kind == enrichers.KindUsername {
		// An organisation is not a person's account.
		return &enrichers.Finding{NotFound: true}, nil
	}
	var repos []Repo
	if u.PublicRepos > 0 {
		q := url.Values{"per_page": {"100"}, "sort": {"pushed"}, "type": {"owner"}}
		if err := s.get(ctx, s.cfg.BaseURL+"/users/"+url.PathEscape(u.Login)+"/repos?"+q.Encode(), &repos); err != nil && !errors.Is(err, transport.ErrNotFound) {
			return nil, err
		}
	}
	f := ToFinding(&u, repos, id, method)
	f.Simulated = s.cfg.Client.Simulated()
	return f, nil
}

// ToFinding builds the account and the usernames it links.
func ToFinding(u *User, repos []Repo, via enrichers.Identifier, method enrichers.Method) *enrichers.Finding {
	a := enrichers.Account{
		Source: Name, Username: u.Login, URL: u.HTMLURL, Avatar: u.AvatarURL,
		DisplayName: deref(u.Name), Bio: deref(u.Bio), Location: deref(u.Location),
		Company: strings.TrimPrefix(deref(u.Company), "@"), Website: normBlog(u.Blog),
		Followers: enrichers.Int64(u.Followers), Following: enrichers.Int64(u.Following),
		Repos: enrichers.Int64(u.PublicRepos), Method: method, Via: via,
	}
	if a.URL == "" {
		a.URL = "https://github.com/" + u.Login
	}
	if t, err := time.Parse(time.RFC3339, u.CreatedAt); err == nil {
		a.CreatedAt = &t
	}
	if via.LinkedTo(Name) {
		a.Verified = true
	}
	var stars int64
	weight := map[string]int{}
	for _, r := range repos {
		if r.Fork {
			continue
		}
		stars += r.Stars
		if r.Language != nil && *r.Language != "" {
			weight[strings.ToLower(*r.Language)]++
		}
		for _, t := range r.Topics {
			weight[strings.ToLower(t)]++
		}
	}
	if len(repos) > 0 {
		a.Stars = enrichers.Int64(stars)
	}
	a.Tags = topTags(weight, 20)
	f := &enrichers.Finding{}
	if a.Website != "" {
		a.Links = append(a.Links, a.Website)
	}
	if u.Twitter != nil && *u.Twitter != "" {
		a.Links = append(a.Links, "https://x.com/"+*u.Twitter)
	}
	// Links on the profile: written by the owner, not verified.
	f.Identifiers = links.Usernames(Name, 0.9, a.Links, nil)
	if len(strings.Fields(a.DisplayName)) >= 2 && method == enrichers.MethodEmailSearch {
		f.Identifiers = append(f.Identifiers, enrichers.Identifier{Kind: enrichers.KindName, Value: a.DisplayName, Method: enrichers.LinkedFrom(Name), Prior: 0.97})
	}
	f.Accounts = []enrichers.Account{a}
	return f
}

// topTags returns the n most frequent tags, most frequent first.
func topTags(weight map[string]int, n int) []string {
	tags := make([]string, 0, len(weight))
	for t := range weight {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool {
		if weight[tags[i]] != weight[tags[j]] {
			return weight[tags[i]] > weight[tags[j]]
		}
		return tags[i] < tags[j]
	})
	return slices.Clip(tags[:min(n, len(tags))])
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// normBlog makes the free-text blog field a URL.
func normBlog(b string) string {
	b = strings.TrimSpace(b)
	if b == "" {
		return ""
	}
	if !strings.Contains(b, "://") {
		b = "https://" + b
	}
	if u, err := url.Parse(b); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return b
}
