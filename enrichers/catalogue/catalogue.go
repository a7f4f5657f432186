// Package catalogue turns a declarative list of public profile sites
// (sites.json, checked against sites.schema.json's rules at start-up) into
// sources: one enrichers.Enricher per entry, so every site gets its own
// limiter and breaker. Adding a site needs no Go code: a URL template,
// presence/absence rules, bot-wall markers and field extractors (JSON
// paths or goquery selectors).
package catalogue

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/footprint-oss/footprint/enrichers"
)

var (
	//go:embed sites.json
	builtin []byte
	//go:embed sites.schema.json
	schemaJSON []byte
)

// Builtin returns the catalogue shipped with footprint.
func Builtin() []byte { return builtin }

// Site is one catalogue entry.
type Site struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Format is "json" (an API) or "html" (a profile page).
	Format string `json:"format"`
	// URL is fetched, with {username} (as given) or {username_lower}.
	URL string `json:"url"`
	// ProfileURL is the human profile link returned in the account (default URL).
	ProfileURL string            `json:"profile_url,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	// UsernamePattern: usernames not matching it are skipped.
	UsernamePattern string `json:"username_pattern,omitempty"`
	// MaxLength is the site's longest username. A guessed username that is
	// longer is looked up cut to this length (sebastian_schulz79 →
	// sebastian_schul on a 15-character site): a person whose handle does
	// not fit usually keeps its beginning. 0: no such rewriting.
	MaxLength int `json:"max_length,omitempty"`
	// HandleDomain, when set, makes usernames domain handles, as Bluesky
	// names accounts: a bare username is a subdomain of it (jay →
	// jay.bsky.social, MaxLength applying to the bare part), a username
	// with a dot is a full handle (a custom domain) looked up as is, and
	// accounts are reported under the full handle, in lower case.
	HandleDomain   string   `json:"handle_domain,omitempty"`
	Absent         Rules    `json:"absent"`
	Present        Rules    `json:"present,omitempty"`
	BotWallMarkers []string `json:"bot_wall_markers,omitempty"`
	Fields         Fields   `json:"fields"`
	// CreatedFormat is "unix", "rfc3339" or a Go time layout.
	CreatedFormat string `json:"created_format,omitempty"`
	// Tags are interest category ids the site implies (scoring taxonomy).
	Tags []string `json:"tags,omitempty"`
	// VerifiedLinks marks sites whose profile links are verified by the
	// site itself (keybase's signed proofs): stronger evidence.
	VerifiedLinks bool `json:"verified_links,omitempty"`
	// Search, when set, makes the site answer a person's full name too,
	// through its own keyless name search (json sites only).
	Search    *Search `json:"search,omitempty"`
	RatePerS  float64 `json:"rate_per_s"`
	Burst     int     `json:"burst"`
	TimeoutMS int     `json:"timeout_ms"`
	Examples  struct {
		Claimed   string `json:"claimed"`
		Unclaimed string `json:"unclaimed"`
	} `json:"examples"`

	re *regexp.Regexp
}

// Search is a site's name search. Results whose display name is exactly
// the searched name (any word order, accents folded) become usernames to
// look up on the site (method name_search); the rest, namesakes by a looser
// match included, are ignored.
type Search struct {
	// URL is fetched with {query}: the name, query-escaped.
	URL string `json:"url"`
	// Results is the JSON path of the results (`*` for every element of a
	// list); Username and DisplayName are read from each result.
	Results     string    `json:"results"`
	Username    Extractor `json:"username"`
	DisplayName Extractor `json:"display_name"`
	// MaxMatches is the most exact-name results still worth looking up:
	// a name more people carry says nothing about which one is the
	// subject (default enrichers.MaxNameMatches).
	MaxMatches int `json:"max_matches,omitempty"`
}

// Rules decide presence or absence of an account.
type Rules struct {
	// Status codes that mean "no such account" (404 and 410 always do).
	Status []int `json:"status,omitempty"`
	// JSONNull: a body of `null` means absent.
	JSONNull bool `json:"json_null,omitempty"`
	// JSONEquals: path → value (compared as text) that means absent/present.
	JSONEquals map[string]string `json:"json_equals,omitempty"`
	// Markers are substrings of the body.
	Markers []string `json:"markers,omitempty"`
	// Selectors are CSS selectors that must match at least one element.
	Selectors []string `json:"selectors,omitempty"`
	// FinalURLContains: a redirect ending at such a URL (a login page).
	FinalURLContains []string `json:"final_url_contains,omitempty"`
}

func (r Rules) empty() bool {
	return len(r.Status) == 0 && !r.JSONNull && len(r.JSONEquals) == 0 && len(r.Markers) == 0 &&
		len(r.Selectors) == 0 && len(r.FinalURLContains) == 0
}

// Extractor reads one field: Path for JSON (dotted, numeric indices, `*`
// for every element), Selector (+ Attr, default the text) for HTML, an
// optional Transform applied to the value as read, an optional Regex whose
// first group is kept, and an optional Template that the value is put into
// at {value} (a bare GitHub username → https://github.com/{value}, so it
// reads as a link).
type Extractor struct {
	Path     string `json:"path,omitempty"`
	Selector string `json:"selector,omitempty"`
	Attr     string `json:"attr,omitempty"`
	// Transform names a function of transform: "html_unescape" for a
	// site that HTML-escapes a value inside its JSON (Reddit's icon_img
	// has &amp; between its query parameters).
	Transform string `json:"transform,omitempty"`
	Regex     string `json:"regex,omitempty"`
	Template  string `json:"template,omitempty"`

	re *regexp.Regexp
}

// transform returns the function Extractor.Transform names (nil for ""
// or an unknown name), applied to a value as read, before Regex and
// Template.
func transform(name string) func(string) string {
	switch name {
	case "html_unescape":
		return html.UnescapeString
	}
	return nil
}

// Fields are the profile fields a site can yield.
type Fields struct {
	DisplayName *Extractor `json:"display_name,omitempty"`
	Bio         *Extractor `json:"bio,omitempty"`
	Location    *Extractor `json:"location,omitempty"`
	Website     *Extractor `json:"website,omitempty"`
	Avatar      *Extractor `json:"avatar,omitempty"`
	Followers   *Extractor `json:"followers,omitempty"`
	Following   *Extractor `json:"following,omitempty"`
	Karma       *Extractor `json:"karma,omitempty"`
	CreatedAt   *Extractor `json:"created_at,omitempty"`
	Links       *Extractor `json:"links,omitempty"`
	Tags        *Extractor `json:"tags,omitempty"`
}

func (f *Fields) each(fn func(name string, e *Extractor) error) error {
	for _, p := range []struct {
		n string
		e *Extractor
	}{{"display_name", f.DisplayName}, {"bio", f.Bio}, {"location", f.Location}, {"website", f.Website},
		{"avatar", f.Avatar}, {"followers", f.Followers}, {"following", f.Following}, {"karma", f.Karma},
		{"created_at", f.CreatedAt}, {"links", f.Links}, {"tags", f.Tags}} {
		if p.e != nil {
			if err := fn(p.n, p.e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Catalogue is a validated list of sites.
type Catalogue struct {
	Sites []*Site
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// Load parses and validates a catalogue. Every problem is reported with
// the entry and field it concerns.
func Load(data []byte, validTags func(string) bool) (*Catalogue, error) {
	if err := validateSchema(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var doc struct {
		Sites []*Site `json:"sites"`
	}
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	var errs []error
	seen := map[string]bool{}
	for i, s := range doc.Sites {
		bad := func(field, format string, args ...any) {
			errs = append(errs, fmt.Errorf("catalogue: sites[%d] (%s).%s: %s", i, s.Name, field, fmt.Sprintf(format, args...)))
		}
		if !namePattern.MatchString(s.Name) {
			bad("name", "must match %s", namePattern)
		}
		if seen[s.Name] {
			bad("name", "duplicate")
		}
		seen[s.Name] = true
		if s.Description == "" {
			bad("description", "required")
		}
		if s.Format != "json" && s.Format != "html" {
			bad("format", `must be "json" or "html"`)
		}
		if !strings.Contains(s.URL, "{username}") && !strings.Contains(s.URL, "{username_lower}") {
			bad("url", "needs {username} or {username_lower}")
		} else if u, err := url.Parse(strings.NewReplacer("{username}", "x", "{username_lower}", "x").Replace(s.URL)); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("url", "must be an https URL")
		}
		if s.UsernamePattern != "" {
			re, err := regexp.Compile(s.UsernamePattern)
			if err != nil {
				bad("username_pattern", "%v", err)
			}
			s.re = re
		}
		if s.Absent.empty() {
			bad("absent", "needs at least one rule (status codes 404/410 are implied; add what else means absent)")
		}
		if s.Format == "json" && (len(s.Absent.Selectors) > 0 || len(s.Present.Selectors) > 0) {
			bad("absent", "selectors are for html sites")
		}
		if err := s.Fields.each(func(name string, e *Extractor) error {
			switch {
			case s.Format == "json" && e.Path == "":
				bad("fields."+name, "json sites need a path")
			case s.Format == "html" && e.Selector == "":
				bad("fields."+name, "html sites need a selector")
			}
			if e.Selector != "" && !validSelector(e.Selector) {
				bad("fields."+name+".selector", "invalid CSS selector %q", e.Selector)
			}
			if e.Regex != "" {
				re, err := regexp.Compile(e.Regex)
				if err != nil {
					bad("fields."+name+".regex", "%v", err)
				}
				e.re = re
			}
			if e.Template != "" && !strings.Contains(e.Template, "{value}") {
				bad("fields."+name+".template", "needs {value}")
			}
			if e.Transform != "" && transform(e.Transform) == nil {
				bad("fields."+name+".transform", "unknown transform %q", e.Transform)
			}
			return nil
		}); err != nil {
			errs = append(errs, err)
		}
		for _, sel := range append(slices.Clone(s.Absent.Selectors), s.Present.Selectors...) {
			if !validSelector(sel) {
				bad("absent/present.selectors", "invalid CSS selector %q", sel)
			}
		}
		switch s.CreatedFormat {
		case "", "unix", "rfc3339":
		default:
			if _, err := time.Parse(s.CreatedFormat, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).Format(s.CreatedFormat)); err != nil {
				bad("created_format", "not a Go time layout")
			}
		}
		for _, t := range s.Tags {
			if validTags != nil && !validTags(t) {
				bad("tags", "%q is not an interest category id", t)
			}
		}
		if q := s.Search; q != nil {
			if s.Format != "json" {
				bad("search", "only json sites can search")
			}
			if !strings.Contains(q.URL, "{query}") {
				bad("search.url", "needs {query}")
			} else if u, err := url.Parse(strings.ReplaceAll(q.URL, "{query}", "x")); err != nil || u.Scheme != "https" || u.Host == "" {
				bad("search.url", "must be an https URL")
			}
			for _, f := range []struct {
				name string
				e    *Extractor
			}{{"username", &q.Username}, {"display_name", &q.DisplayName}} {
				name, e := f.name, f.e
				if e.Path == "" {
					bad("search."+name, "needs a path")
				}
				if e.Regex != "" {
					re, err := regexp.Compile(e.Regex)
					if err != nil {
						bad("search."+name+".regex", "%v", err)
					}
					e.re = re
				}
				if e.Transform != "" && transform(e.Transform) == nil {
					bad("search."+name+".transform", "unknown transform %q", e.Transform)
				}
			}
			if q.MaxMatches == 0 {
				q.MaxMatches = enrichers.MaxNameMatches
			}
		}
		if s.RatePerS <= 0 || s.RatePerS > 100 {
			bad("rate_per_s", "must be in (0, 100]")
		}
		if s.Burst < 1 {
			bad("burst", "must be ≥ 1")
		}
		if s.TimeoutMS < 100 || s.TimeoutMS > 30000 {
			bad("timeout_ms", "must be in [100, 30000]")
		}
		if s.Examples.Claimed == "" || s.Examples.Unclaimed == "" {
			bad("examples", "needs a claimed and an unclaimed username (the fixtures test uses them)")
		}
	}
	if len(doc.Sites) == 0 {
		errs = append(errs, errors.New("catalogue: no sites"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Catalogue{Sites: doc.Sites}, nil
}

func validSelector(sel string) bool {
	_, err := cascadia.Compile(sel)
	return err == nil
}

// validateSchema checks data against sites.schema.json (structure, types,
// ranges); Load then checks what a schema cannot (selectors and regexes
// compile, tags exist, names are unique).
func validateSchema(data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	sch, err := jsonschema.UnmarshalJSON(strings.NewReader(string(schemaJSON)))
	if err != nil {
		return fmt.Errorf("catalogue: schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sites.schema.json", sch); err != nil {
		return fmt.Errorf("catalogue: schema: %w", err)
	}
	compiled, err := c.Compile("sites.schema.json")
	if err != nil {
		return fmt.Errorf("catalogue: schema: %w", err)
	}
	if err := compiled.Validate(doc); err != nil {
		return fmt.Errorf("catalogue: does not match sites.schema.json: %w", err)
	}
	return nil
}
