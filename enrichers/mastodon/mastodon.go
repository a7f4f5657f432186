// Package mastodon is the Mastodon source: a username (user or
// user@instance) is resolved with WebFinger (RFC 7033) on its instance,
// then the public account is read from the instance's REST API
// (/api/v1/accounts/lookup) → display name, note, fields (links, with the
// instance's rel=me verification), followers, created date, hashtags.
//
// Instances named in found links are hosts derived from user content: the
// composition root gives this source an SSRF-guarded client.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/personname"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "mastodon"

// DefaultInstance is asked about bare usernames.
const DefaultInstance = "mastodon.social"

// Config configures the source.
type Config struct {
	Client *transport.Client
	// Instance is asked about usernames without an instance (default
	// mastodon.social).
	Instance string
}

// Source is the Mastodon source.
type Source struct{ cfg Config }

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
)

// New returns the source. It does no I/O.
func New(cfg Config) *Source {
	if cfg.Instance == "" {
		cfg.Instance = DefaultInstance
	}
	return &Source{cfg: cfg}
}

// Describe implements enrichers.Enricher. mastodon.social allows 300 API
// requests per 5 minutes per address (1/s); a username lookup makes two, a
// name search one.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Mastodon account by username (WebFinger, then the instance's public API) or by full name (the instance's account search): name, note, verified links, followers, created date.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindUsername, enrichers.KindName},
		Network:     true,
		RatePerS:    1,
		Burst:       1,
		Timeout:     2500 * time.Millisecond,
		TTL:         3 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
	}
}

// Applies accepts user or user@instance with a plausible username, and
// full names (a search for one word would match everyone).
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if id.Kind == enrichers.KindName {
		return personname.Searchable(id.Value)
	}
	user, inst := s.split(id.Value)
	if !validUser(user) {
		return false, "not a valid Mastodon username"
	}
	if inst == "" || !strings.Contains(inst, ".") || net.ParseIP(inst) != nil {
		return false, "not a Mastodon instance host"
	}
	return true, ""
}

func (s *Source) split(v string) (user, instance string) {
	v = strings.TrimPrefix(v, "@")
	user, instance, ok := strings.Cut(v, "@")
	if !ok {
		instance = s.cfg.Instance
	}
	return user, strings.ToLower(instance)
}

func validUser(u string) bool {
	if u == "" || len(u) > 30 {
		return false
	}
	for _, r := range u {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

type jrd struct {
	Subject string   `json:"subject"`
	Aliases []string `json:"aliases"`
	Links   []struct {
		Rel  string `json:"rel"`
		Type string `json:"type"`
		Href string `json:"href"`
	} `json:"links"`
}

// Account is the part of a Mastodon account footprint reads.
type Account struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Acct           string `json:"acct"`
	DisplayName    string `json:"display_name"`
	Note           string `json:"note"`
	URL            string `json:"url"`
	Avatar         string `json:"avatar"`
	Bot            bool   `json:"bot"`
	CreatedAt      string `json:"created_at"`
	FollowersCount int64  `json:"followers_count"`
	FollowingCount int64  `json:"following_count"`
	StatusesCount  int64  `json:"statuses_count"`
	Fields         []struct {
		Name       string  `json:"name"`
		Value      string  `json:"value"`
		VerifiedAt *string `json:"verified_at"`
	} `json:"fields"`
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if id.Kind == enrichers.KindName {
		return s.searchName(ctx, id)
	}
	user, inst := s.split(id.Value)
	var w jrd
	q := url.Values{"resource": {"acct:" + user + "@" + inst}}
	_, err := s.cfg.Client.GetJSON(ctx, "https://"+inst+"/.well-known/webfinger?"+q.Encode(), http.Header{"Accept": {"application/jrd+json, application/json"}}, &w)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	// The subject may name the canonical account (case, moved domains).
	acct := strings.TrimPrefix(w.Subject, "acct:")
	cu, cinst, ok := strings.Cut(acct, "@")
	if !ok || !validUser(cu) {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: fmt.Errorf("WebFinger answer has no usable subject %q", w.Subject)}
	}
	if !strings.EqualFold(cinst, inst) {
		// The account lives on another domain (WebFinger delegation): only
		// follow it on the same instance to stay within this host.
		cu = user
	}
	var a Account
	_, err = s.cfg.Client.GetJSON(ctx, "https://"+inst+"/api/v1/accounts/lookup?"+url.Values{"acct": {cu}}.Encode(), nil, &a)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if a.Username == "" {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: errors.New("answer is not a Mastodon account")}
	}
	f := ToFinding(&a, inst, id)
	f.Simulated = s.cfg.Client.Simulated()
	return f, nil
}

// shortcodes are custom emoji in display names ("Jane Doe :verified:").
var shortcodes = regexp.MustCompile(`:[A-Za-z0-9_]+:`)

// searchName asks the default instance's account search (public without a
// token as long as it neither resolves remote accounts nor pages) for id's
// name. Accounts whose display name is exactly that name are returned as
// found by name_search, the name's prior shared among them; none is
// not_found, more than enrichers.MaxNameMatches found with nothing attributed.
func (s *Source) searchName(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	inst := s.cfg.Instance
	q := url.Values{"q": {id.Value}, "type": {"accounts"}, "limit": {"10"}}
	var res struct {
		Accounts []Account `json:"accounts"`
	}
	_, err := s.cfg.Client.GetJSON(ctx, "https://"+inst+"/api/v2/search?"+q.Encode(), nil, &res)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	var hits []Account
	name := personname.Key(id.Value)
	for _, a := range res.Accounts {
		if display := shortcodes.ReplaceAllString(a.DisplayName, " "); a.Username != "" && name != "" && validUser(a.Username) && personname.Key(display) == name && !personname.SpellsUsername(display, a.Username) {
			hits = append(hits, a)
		}
	}
	switch {
	case len(hits) == 0:
		return &enrichers.Finding{NotFound: true}, nil
	case len(hits) > enrichers.MaxNameMatches:
		return &enrichers.Finding{Simulated: s.cfg.Client.Simulated()}, nil
	}
	prior := id.EffectivePrior()
	f := &enrichers.Finding{Simulated: s.cfg.Client.Simulated()}
	for i := range hits {
		a := &hits[i]
		home := inst
		if _, remote, ok := strings.Cut(a.Acct, "@"); ok && remote != "" {
			home = strings.ToLower(remote) // a remote account the instance knows
		}
		acct := a.Username
		if home != DefaultInstance {
			acct += "@" + home
		}
		via := enrichers.Identifier{Kind: enrichers.KindUsername, Value: acct, Method: enrichers.MethodNameSearch,
			Origin: Name, Platform: Name, Prior: prior / float64(len(hits))}
		g := ToFinding(a, home, via)
		f.Accounts = append(f.Accounts, g.Accounts...)
		f.Identifiers = append(f.Identifiers, g.Identifiers...)
	}
	return f, nil
}

// ToFinding builds the account and the usernames its fields link.
func ToFinding(a *Account, instance string, via enrichers.Identifier) *enrichers.Finding {
	acc := enrichers.Account{
		Source: Name, Username: a.Username, URL: a.URL, DisplayName: strings.TrimSpace(a.DisplayName),
		Avatar: a.Avatar, Followers: enrichers.Int64(a.FollowersCount), Following: enrichers.Int64(a.FollowingCount),
		Method: via.Method, Via: via,
	}
	if instance != DefaultInstance {
		acc.Username = a.Username + "@" + instance
	}
	if t, err := time.Parse(time.RFC3339, a.CreatedAt); err == nil {
		acc.CreatedAt = &t
	}
	if via.LinkedTo(Name) {
		acc.Verified = true
	}
	note, tags := noteText(a.Note)
	acc.Bio, acc.Tags = note, tags
	f := &enrichers.Finding{}
	for _, fl := range a.Fields {
		href := fieldLink(fl.Value)
		if strings.EqualFold(strings.TrimSpace(fl.Name), "location") && href == "" {
			acc.Location = strings.TrimSpace(htmlText(fl.Value))
			continue
		}
		if href == "" {
			continue
		}
		acc.Links = append(acc.Links, href)
		if acc.Website == "" && strings.EqualFold(strings.TrimSpace(fl.Name), "website") {
			acc.Website = href
		}
		prior := 0.9
		if fl.VerifiedAt != nil {
			prior = 0.97 // the instance checked a rel=me link back
		}
		f.Identifiers = append(f.Identifiers, links.Usernames(Name, prior, []string{href}, nil)...)
	}
	f.Accounts = []enrichers.Account{acc}
	return f
}

// noteText returns the note as plain text and its hashtags.
func noteText(h string) (string, []string) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(h))
	if err != nil {
		return "", nil
	}
	var tags []string
	doc.Find("a.hashtag, a[rel~=tag]").Each(func(_ int, s *goquery.Selection) {
		t := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s.Text()), "#"))
		if t != "" {
			tags = append(tags, t)
		}
	})
	doc.Find("br").ReplaceWithHtml("\n")
	doc.Find("p").Each(func(_ int, s *goquery.Selection) { s.AppendHtml("\n") })
	return strings.TrimSpace(doc.Text()), tags
}

func htmlText(h string) string {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(h))
	if err != nil {
		return h
	}
	return doc.Text()
}

// fieldLink returns the URL of a field whose value is a link.
func fieldLink(h string) string {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(h))
	if err != nil {
		return ""
	}
	href, _ := doc.Find("a[href]").First().Attr("href")
	if u, err := url.Parse(href); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return href
}
