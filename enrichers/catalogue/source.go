package catalogue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/personname"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Source is one catalogue site as a source.
type Source struct {
	site   *Site
	client *transport.Client
}

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
)

// Sources returns one source per site. clientFor builds the site's HTTP
// client (one per source); it receives the site's bot-wall markers.
func (c *Catalogue) Sources(clientFor func(name string, botWallMarkers []string) *transport.Client) []enrichers.Enricher {
	out := make([]enrichers.Enricher, 0, len(c.Sites))
	for _, s := range c.Sites {
		out = append(out, &Source{site: s, client: clientFor(s.Name, s.BotWallMarkers)})
	}
	return out
}

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	inputs := []enrichers.Kind{enrichers.KindUsername}
	if s.site.Search != nil {
		inputs = append(inputs, enrichers.KindName)
	}
	return enrichers.Description{
		Name:        s.site.Name,
		Description: s.site.Description,
		Version:     2,
		Inputs:      inputs,
		Network:     true,
		RatePerS:    s.site.RatePerS,
		Burst:       s.site.Burst,
		Timeout:     time.Duration(s.site.TimeoutMS) * time.Millisecond,
		TTL:         7 * 24 * time.Hour,
		NegativeTTL: 24 * time.Hour,
	}
}

// Applies skips usernames the site cannot have, and names that are not a
// full name (a search for one word would match everyone).
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if id.Kind == enrichers.KindName {
		return personname.Searchable(id.Value)
	}
	if s.site.re != nil && !s.site.re.MatchString(s.site.username(id)) {
		return false, "username does not fit the site's username rules"
	}
	return true, ""
}

// username is the username looked up for id: a guess longer than the
// site's MaxLength is cut to it (and of a trailing separator). A link to
// an account on this site, or the client's input, names an exact account
// and is never rewritten; a username linked on another platform is a
// guess here.
func (s *Site) username(id enrichers.Identifier) string {
	u := id.Value
	if s.HandleDomain != "" && strings.Contains(u, ".") {
		return strings.ToLower(u) // a full handle
	}
	if s.MaxLength > 0 && len(u) > s.MaxLength && id.Method != enrichers.MethodInput && !id.LinkedTo(s.Name) {
		u = strings.TrimRight(u[:s.MaxLength], "._-")
	}
	if s.HandleDomain != "" {
		u = strings.ToLower(u) + "." + s.HandleDomain
	}
	return u
}

func expand(tmpl, username string) string {
	return strings.NewReplacer("{username}", url.PathEscape(username), "{username_lower}", url.PathEscape(strings.ToLower(username))).Replace(tmpl)
}

// Enrich implements enrichers.Enricher.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if id.Kind == enrichers.KindName {
		return s.searchName(ctx, id)
	}
	site := s.site
	username := site.username(id)
	resp, err := s.client.Get(ctx, expand(site.URL, username), site.headers())
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	var se *enrichers.SourceError
	if err != nil {
		// A status the site uses for "no such account" (bluesky answers
		// 400). Never for 429s or bot walls: those keep their status.
		if errors.As(err, &se) && se.Status == enrichers.StatusError && resp != nil && containsInt(site.Absent.Status, resp.Status) {
			if len(site.Absent.Markers) == 0 || containsAny(resp.Body, site.Absent.Markers) {
				return &enrichers.Finding{NotFound: true}, nil
			}
		}
		return nil, err
	}
	page, err := parse(site.Format, resp.Body)
	if err != nil {
		return nil, &enrichers.SourceError{Source: site.Name, Status: enrichers.StatusError, Err: err}
	}
	finalURL := ""
	if resp.URL != nil {
		finalURL = resp.URL.String()
	}
	if page.matches(site.Absent, resp.Body, finalURL) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if !site.Present.empty() && !page.matches(site.Present, resp.Body, finalURL) {
		return nil, &enrichers.SourceError{Source: site.Name, Status: enrichers.StatusError,
			Err: errors.New("page has neither the presence nor the absence markers (site changed?)")}
	}
	a := enrichers.Account{
		Source: site.Name, Username: username, Method: id.Method, Via: id,
		URL: expand(firstNonEmpty(site.ProfileURL, site.URL), username),
	}
	f := site.Fields
	a.DisplayName = page.text(f.DisplayName)
	a.Bio = page.text(f.Bio)
	a.Location = page.text(f.Location)
	a.Website = page.text(f.Website)
	a.Avatar = page.text(f.Avatar)
	a.Followers = page.number(f.Followers)
	a.Following = page.number(f.Following)
	a.Karma = page.number(f.Karma)
	a.CreatedAt = page.time(f.CreatedAt, site.CreatedFormat)
	a.Links = page.all(f.Links)
	// Profiles a bio mentions are links too (a Bluesky description, a
	// Hacker News about text: neither has a field for them).
	for _, l := range links.InText(a.Bio) {
		if !slices.Contains(a.Links, l) {
			a.Links = append(a.Links, l)
		}
	}
	a.Tags = append(append([]string{}, site.Tags...), page.all(f.Tags)...)
	if id.LinkedTo(site.Name) {
		a.Verified = true
	}
	prior := 0.9
	if site.VerifiedLinks {
		prior = 0.97
	}
	return &enrichers.Finding{
		Accounts:    []enrichers.Account{a},
		Identifiers: links.Usernames(site.Name, prior, append(slices.Clone(a.Links), a.Website), nil),
	}, nil
}

func (site *Site) headers() map[string][]string {
	h := make(map[string][]string, len(site.Headers)+1)
	for k, v := range site.Headers {
		h[k] = []string{v}
	}
	if site.Format == "json" {
		h["Accept"] = []string{"application/json"}
	}
	return h
}

// searchName asks the site's name search for id's name. Results that carry
// exactly that name become usernames on this site (method name_search),
// each with the name's prior shared among them: of k namesakes at most one
// is the subject. No exact result is not_found; more than MaxMatches is a
// name too common to point at anyone, reported found with nothing to look
// up.
func (s *Source) searchName(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	site, q := s.site, s.site.Search
	resp, err := s.client.Get(ctx, strings.ReplaceAll(q.URL, "{query}", url.QueryEscape(id.Value)), site.headers())
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true}, nil
	}
	if err != nil {
		return nil, err
	}
	doc, err := parse("json", resp.Body)
	if err != nil {
		return nil, &enrichers.SourceError{Source: site.Name, Status: enrichers.StatusError, Err: err}
	}
	var users []string
	key := personname.Key(id.Value)
	for _, r := range jsonPath(doc.json, q.Results) {
		p := &page{json: r}
		u, name := p.text(&q.Username), p.text(&q.DisplayName)
		if u == "" || key == "" || personname.Key(name) != key || personname.SpellsUsername(name, u) || slices.Contains(users, u) {
			continue
		}
		if site.re != nil && !site.re.MatchString(u) {
			continue
		}
		users = append(users, u)
	}
	switch {
	case len(users) == 0:
		return &enrichers.Finding{NotFound: true}, nil
	case len(users) > q.MaxMatches:
		return &enrichers.Finding{}, nil
	}
	prior := id.EffectivePrior()
	f := &enrichers.Finding{}
	for _, u := range users {
		f.Identifiers = append(f.Identifiers, enrichers.Identifier{
			Kind: enrichers.KindUsername, Value: u, Method: enrichers.MethodNameSearch, Platform: site.Name,
			Prior: prior / float64(len(users)),
		})
	}
	return f, nil
}

// page is a parsed JSON document or HTML page.
type page struct {
	json any
	doc  *goquery.Document
}

func parse(format string, body []byte) (*page, error) {
	if format == "json" {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, fmt.Errorf("malformed JSON: %w", err)
		}
		return &page{json: v}, nil
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("malformed HTML: %w", err)
	}
	return &page{doc: doc}, nil
}

func (p *page) matches(r Rules, body []byte, finalURL string) bool {
	if r.JSONNull && p.json == nil && p.doc == nil {
		return true
	}
	for path, want := range r.JSONEquals {
		for _, v := range jsonPath(p.json, path) {
			if fmt.Sprint(v) == want {
				return true
			}
		}
	}
	if containsAny(body, r.Markers) {
		return true
	}
	if p.doc != nil {
		for _, sel := range r.Selectors {
			if p.doc.Find(sel).Length() > 0 {
				return true
			}
		}
	}
	for _, frag := range r.FinalURLContains {
		if strings.Contains(finalURL, frag) {
			return true
		}
	}
	return false
}

// values returns every value an extractor yields, as text.
func (p *page) values(e *Extractor) []string {
	if e == nil {
		return nil
	}
	var raw []string
	if p.json != nil || e.Path != "" {
		for _, v := range jsonPath(p.json, e.Path) {
			switch x := v.(type) {
			case nil:
			case string:
				raw = append(raw, x)
			case float64:
				raw = append(raw, strconv.FormatFloat(x, 'f', -1, 64))
			default:
				raw = append(raw, fmt.Sprint(x))
			}
		}
	} else if p.doc != nil {
		p.doc.Find(e.Selector).Each(func(_ int, s *goquery.Selection) {
			if e.Attr != "" {
				if v, ok := s.Attr(e.Attr); ok {
					raw = append(raw, v)
				}
				return
			}
			raw = append(raw, s.Text())
		})
	}
	out := raw[:0]
	for _, v := range raw {
		if t := transform(e.Transform); t != nil {
			v = t(v)
		}
		v = strings.Join(strings.Fields(v), " ")
		if e.re != nil {
			m := e.re.FindStringSubmatch(v)
			if m == nil {
				continue
			}
			if len(m) > 1 {
				v = m[1]
			} else {
				v = m[0]
			}
		}
		if v != "" && e.Template != "" {
			v = strings.ReplaceAll(e.Template, "{value}", url.PathEscape(v))
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (p *page) text(e *Extractor) string {
	if v := p.values(e); len(v) > 0 {
		return truncate(v[0], 1000)
	}
	return ""
}

func (p *page) all(e *Extractor) []string {
	v := p.values(e)
	if len(v) > 50 {
		v = v[:50]
	}
	return v
}

var numberRe = regexp.MustCompile(`^([0-9][0-9.,]*)\s*([kKmM]?)`)

// number reads "1,234", "1.2k", "3M" and plain numbers.
func (p *page) number(e *Extractor) *int64 {
	s := p.text(e)
	if s == "" {
		return nil
	}
	m := numberRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil
	}
	digits := m[1]
	mult := 1.0
	switch strings.ToLower(m[2]) {
	case "k":
		mult = 1e3
	case "m":
		mult = 1e6
	}
	if mult == 1 {
		digits = strings.NewReplacer(",", "", ".", "").Replace(digits)
	} else {
		digits = strings.ReplaceAll(digits, ",", ".")
	}
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return nil
	}
	return enrichers.Int64(int64(f * mult))
}

func (p *page) time(e *Extractor, format string) *time.Time {
	s := p.text(e)
	if s == "" {
		return nil
	}
	var t time.Time
	var err error
	switch format {
	case "unix":
		var f float64
		f, err = strconv.ParseFloat(s, 64)
		if f > 1e11 { // milliseconds
			f /= 1000
		}
		t = time.Unix(int64(f), 0).UTC()
	case "", "rfc3339":
		t, err = time.Parse(time.RFC3339, s)
	default:
		t, err = time.Parse(format, s)
	}
	if err != nil || t.Year() < 1990 {
		return nil
	}
	return &t
}

// jsonPath walks a dotted path; `*` fans out over arrays and objects.
func jsonPath(v any, path string) []any {
	cur := []any{v}
	if path == "" {
		return cur
	}
	for _, seg := range strings.Split(path, ".") {
		var next []any
		for _, c := range cur {
			switch x := c.(type) {
			case map[string]any:
				if seg == "*" {
					for _, y := range x {
						next = append(next, y)
					}
				} else if y, ok := x[seg]; ok {
					next = append(next, y)
				}
			case []any:
				if seg == "*" {
					next = append(next, x...)
				} else if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(x) {
					next = append(next, x[i])
				}
			}
		}
		cur = next
	}
	return cur
}

func containsAny(body []byte, markers []string) bool {
	for _, m := range markers {
		if m != "" && bytes.Contains(body, []byte(m)) {
			return true
		}
	}
	return false
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
