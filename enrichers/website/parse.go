package website

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/charset"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
)

// Page kinds.
const (
	KindOrganization = "organization"
	KindPerson       = "person"
)

// Limits on what one page can contribute.
const (
	maxKeywords = 20
	maxLinks    = 30
	maxText     = 1000
)

// Page is what Parse reads from a homepage.
type Page struct {
	// Kind is KindOrganization (JSON-LD Organization or a subtype),
	// KindPerson (JSON-LD Person and no Organization, or og:type profile)
	// or "" when the page does not say.
	Kind    string                 `json:"kind,omitempty"`
	Company enrichers.CompanyFacts `json:"company"`
	// Person is the JSON-LD Person's name on a personal site.
	Person   string `json:"person,omitempty"`
	JobTitle string `json:"job_title,omitempty"`
	// MeLinks are links the page asserts are the same entity as itself:
	// rel=me links, and the Person's sameAs.
	MeLinks []string `json:"me_links,omitempty"`
}

// socialHosts are the hosts whose links count as social profiles.
var socialHosts = []string{
	"github.com", "gitlab.com", "linkedin.com", "x.com", "twitter.com", "facebook.com", "mastodon.social",
	"bsky.app", "keybase.io", "reddit.com", "news.ycombinator.com", "dev.to", "instagram.com", "youtube.com",
}

// parkedMarkers are (lowercased) body markers of parked or for-sale domains.
var parkedMarkers = []string{
	"this domain may be for sale", "domain is for sale", "buy this domain", "domain for sale",
	"this domain is parked", "sedoparking.com", "sedo.com/search", "parkingcrew.net", "bodis.com", "parklogic",
	"above.com/marketplace", "hugedomains.com", "afternic.com",
}

// genericTitleParts are title fragments that are not a name.
var genericTitleParts = map[string]bool{
	"home": true, "homepage": true, "home page": true, "welcome": true, "official site": true, "official website": true,
	"startseite": true, "accueil": true, "inicio": true, "página inicial": true, "index": true, "main page": true,
}

// Parse reads a homepage. contentType is the response's Content-Type (for
// the charset); pageURL resolves relative links and fills Company.URL.
// It never fails: a page it cannot read yields an empty Page.
func Parse(body []byte, contentType, pageURL string) *Page {
	p := &Page{Company: enrichers.CompanyFacts{URL: pageURL}}
	base, _ := url.Parse(pageURL)
	doc, err := goquery.NewDocumentFromReader(utf8Reader(body, contentType))
	if err != nil {
		return p
	}
	c := &p.Company

	var ld ldData
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		ld.add(s.Text())
	})

	meta := func(attr, key string) string {
		var v string
		doc.Find("meta[" + attr + "]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if a, _ := s.Attr(attr); strings.EqualFold(strings.TrimSpace(a), key) {
				v, _ = s.Attr("content")
				v = clean(v)
				return v == ""
			}
			return true
		})
		return v
	}

	ogType := strings.ToLower(meta("property", "og:type"))
	hcard := hCardName(doc)
	switch {
	case ld.org != nil:
		p.Kind = KindOrganization
	case ld.person != nil || ogType == "profile" || hcard != "":
		p.Kind = KindPerson
	}

	// Name.
	switch {
	case ld.org != nil && ld.org.name != "":
		c.Name = ld.org.name
	case p.Kind == KindPerson:
		// A personal site has no organization name.
	case meta("property", "og:site_name") != "":
		c.Name = meta("property", "og:site_name")
	default:
		c.Name = cleanTitle(doc.Find("title").First().Text())
	}
	if ld.person != nil {
		p.Person = ld.person.name
		p.JobTitle = ld.person.jobTitle
	}
	if p.Kind == KindPerson && p.Person == "" {
		p.Person = firstNonEmpty(hcard, meta("property", "og:site_name"), cleanTitle(doc.Find("title").First().Text()))
	}

	// Description.
	var ldDesc string
	if ld.org != nil {
		ldDesc = ld.org.description
	} else if ld.person != nil {
		ldDesc = ld.person.description
	}
	c.Description = truncate(firstNonEmpty(ldDesc, meta("name", "description"), meta("property", "og:description")), maxText)

	// Language.
	lang, _ := doc.Find("html").First().Attr("lang")
	if lang == "" {
		lang = meta("http-equiv", "content-language")
	}
	if lang == "" {
		lang = meta("property", "og:locale")
	}
	c.Language = primaryLang(lang)

	// Keywords.
	var kws []string
	kws = append(kws, splitKeywords(meta("name", "keywords"))...)
	if ld.org != nil {
		kws = append(kws, ld.org.keywords...)
	} else if ld.person != nil {
		kws = append(kws, ld.person.keywords...)
	}
	c.Keywords = normKeywords(kws)

	// Industry: a JSON-LD industry, else a title tagline that is also one
	// of the site's keywords ("Brightwell – Softwareentwicklung").
	if p.Kind != KindPerson {
		if ld.org != nil && ld.org.industry != "" {
			c.Industry = ld.org.industry
		} else {
			c.Industry = titleIndustry(doc.Find("title").First().Text(), c.Keywords)
		}
	}

	// Social links and rel=me.
	var social, me []string
	for _, n := range []*ldNode{ld.org, ld.person} {
		if n == nil || (n == ld.person && p.Kind != KindPerson) {
			continue // a founder's or author's profiles are not the company's
		}
		for _, l := range n.sameAs {
			if u := absURL(base, l); u != "" {
				if isSocial(u) {
					social = append(social, u)
				}
				if n == ld.person && p.Kind == KindPerson {
					me = append(me, u)
				}
			}
		}
	}
	doc.Find("a[href], link[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		u := absURL(base, href)
		if u == "" {
			return
		}
		rel, _ := s.Attr("rel")
		isMe := hasToken(rel, "me")
		if isMe && !sameSite(base, u) {
			me = append(me, u)
		}
		if isSocial(u) && (goquery.NodeName(s) == "a" || isMe) {
			social = append(social, u)
		}
	})
	c.SocialLinks = dedupe(social, maxLinks)
	p.MeLinks = dedupe(me, maxLinks)

	// Parked pages say nothing about a company. A page that declares an
	// Organization is not parked, whatever it says about domains for sale
	// (a registrar's homepage).
	if p.Kind != KindOrganization && isParked(body) {
		*c = enrichers.CompanyFacts{URL: c.URL, Language: c.Language, Parked: true}
		p.Kind, p.Person, p.JobTitle, p.MeLinks = "", "", "", nil
	}
	return p
}

// hCardName returns the name of the page's first microformats2 h-card
// that describes a person (its p-name is not also its p-org); "" when none.
func hCardName(doc *goquery.Document) string {
	card := doc.Find(".h-card").First()
	if card.Length() == 0 || card.Closest(".h-entry").Length() > 0 {
		return ""
	}
	name := card.Find(".p-name").AddSelection(card.Filter(".p-name")).First()
	if name.Length() == 0 || name.HasClass("p-org") || card.HasClass("p-org") {
		return ""
	}
	return truncate(clean(name.Text()), 200)
}

// utf8Reader decodes body to UTF-8 using the Content-Type charset, a BOM
// or a <meta charset>, falling back to windows-1252 for invalid UTF-8.
func utf8Reader(body []byte, contentType string) io.Reader {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" || enc == nil {
		return bytes.NewReader(body)
	}
	return enc.NewDecoder().Reader(bytes.NewReader(body))
}

// ldNode is the part of a JSON-LD node footprint reads.
type ldNode struct {
	name, description, jobTitle, industry string
	keywords, sameAs                      []string
}

type ldData struct {
	org, person *ldNode
}

// add reads one JSON-LD script: an object, an array of objects, or an
// object with @graph. The first Organization and first Person win.
func (d *ldData) add(text string) {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(text)), &v); err != nil {
		return
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, y := range x {
				walk(y, depth+1)
			}
		case map[string]any:
			if g, ok := x["@graph"]; ok {
				walk(g, depth+1)
			}
			types := strings.Join(strs(x["@type"]), " ")
			switch {
			case isOrgType(types) && d.org == nil:
				d.org = node(x)
			case hasToken(types, "Person") && d.person == nil:
				d.person = node(x)
			}
		}
	}
	walk(v, 0)
}

func node(m map[string]any) *ldNode {
	n := &ldNode{
		name:        clean(first(strs(m["name"]))),
		description: clean(first(strs(m["description"]))),
		jobTitle:    clean(first(strs(m["jobTitle"]))),
		industry:    truncate(clean(first(strs(m["industry"]))), 200),
		sameAs:      strs(m["sameAs"]),
	}
	for _, k := range strs(m["keywords"]) {
		n.keywords = append(n.keywords, splitKeywords(k)...)
	}
	return n
}

// isOrgType matches schema.org Organization and its common subtypes.
func isOrgType(types string) bool {
	for _, t := range strings.Fields(types) {
		t = strings.TrimPrefix(strings.TrimPrefix(t, "https://schema.org/"), "http://schema.org/")
		switch t {
		case "Organization", "Corporation", "LocalBusiness", "OnlineBusiness", "OnlineStore", "NGO", "NewsMediaOrganization",
			"EducationalOrganization", "GovernmentOrganization", "MedicalOrganization", "SportsOrganization",
			"ProfessionalService", "Store", "Airline", "Consortium", "FundingScheme", "LibrarySystem", "ResearchOrganization":
			return true
		}
	}
	return false
}

// strs flattens a JSON-LD value to strings: a string, an array of strings,
// or objects with @id / url / name.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, y := range x {
			out = append(out, strs(y)...)
		}
		return out
	case map[string]any:
		for _, k := range []string{"@value", "url", "@id", "name"} {
			if s, ok := x[k].(string); ok {
				return []string{s}
			}
		}
	}
	return nil
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func isParked(body []byte) bool {
	head := body
	if len(head) > 256<<10 {
		head = head[:256<<10]
	}
	lower := bytes.ToLower(head)
	for _, m := range parkedMarkers {
		if bytes.Contains(lower, []byte(m)) {
			return true
		}
	}
	return false
}

// cleanTitle drops " | Home"-style parts of a <title> and keeps the name.
func cleanTitle(t string) string {
	t = clean(t)
	if t == "" {
		return ""
	}
	parts := []string{t}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " • ", ": "} {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && !genericTitleParts[strings.ToLower(p)] {
			return truncate(p, 200)
		}
	}
	return ""
}

// titleIndustry returns the part of a title after its name when that part
// is one of the site's keywords; "" otherwise.
func titleIndustry(title string, keywords []string) string {
	title = clean(title)
	for _, sep := range []string{" – ", " — ", " - ", " | ", " · "} {
		parts := strings.Split(title, sep)
		if len(parts) < 2 {
			continue
		}
		for _, part := range parts[1:] {
			part = strings.TrimSpace(part)
			for _, k := range keywords {
				if part != "" && strings.EqualFold(part, k) {
					return truncate(part, 200)
				}
			}
		}
	}
	return ""
}

// sameSite reports whether raw points at the page's own host.
func sameSite(base *url.URL, raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && base != nil && strings.EqualFold(strings.TrimPrefix(u.Hostname(), "www."), strings.TrimPrefix(base.Hostname(), "www."))
}

// primaryLang returns the primary language subtag of a BCP 47 tag (or a
// locale like en_US), lowercased; "" when it does not look like one.
func primaryLang(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	tag = strings.ToLower(tag)
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, r := range tag {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return tag
}

func splitKeywords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' })
}

// normKeywords trims, lowercases and dedupes keywords, keeping at most
// maxKeywords in page order.
func normKeywords(kws []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range kws {
		k = strings.ToLower(clean(k))
		if k == "" || utf8.RuneCountInString(k) > 64 || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
		if len(out) == maxKeywords {
			break
		}
	}
	return out
}

// absURL resolves href against base and returns it when it is an http(s)
// URL without credentials; "" otherwise.
func absURL(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || len(href) > 2048 {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	if !utf8.ValidString(u.String()) {
		return ""
	}
	return u.String()
}

// isSocial reports whether u is a profile-ish link on a known social host:
// share buttons and intents are not.
func isSocial(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if !hostIn(host, socialHosts...) {
		return false
	}
	if _, _, ok := links.ProfileFromURL(raw); ok {
		return true
	}
	if !hostIn(host, "linkedin.com", "facebook.com", "instagram.com", "youtube.com") {
		// A host links.ProfileFromURL knows: anything else there is a
		// repository, a post or a search, not a profile.
		return false
	}
	path := strings.ToLower(u.Path)
	if p := strings.Trim(path, "/"); p == "" || strings.Count(p, "/") > 1 || p == "watch" || p == "results" {
		return false // the platform's home page, a video, or deeper than a profile
	}
	for _, s := range []string{"/share", "/sharer", "/intent", "sharearticle", "/dialog/", "/embed"} {
		if strings.Contains(path, s) {
			return false
		}
	}
	return true
}

// hostIn reports whether host is one of hosts or a subdomain of one.
func hostIn(host string, hosts ...string) bool {
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// dedupe keeps the first of each URL (compared without a trailing slash
// and case-insensitively), at most n.
func dedupe(xs []string, n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		k := strings.ToLower(strings.TrimSuffix(x, "/"))
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, x)
		if len(out) == n {
			break
		}
	}
	return out
}

// clean collapses whitespace and drops invalid UTF-8.
func clean(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
