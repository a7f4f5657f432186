package catalogue

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/scoring"
)

func validTag(id string) bool {
	for _, c := range scoring.Taxonomy() {
		if c.ID == id {
			return true
		}
	}
	return false
}

func builtinCatalogue(t testing.TB) *Catalogue {
	t.Helper()
	c, err := Load(Builtin(), validTag)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixtureServer serves testdata/<site>/claimed.* for the claimed example
// and unclaimed.* for anything else; the status is in the file name.
func fixtureServer(t *testing.T, s *Site) *httptest.Server {
	t.Helper()
	load := func(kind string) (int, []byte) {
		m, _ := filepath.Glob(filepath.Join("testdata", s.Name, kind+".*"))
		if len(m) != 1 {
			t.Fatalf("%s: want one %s fixture, found %v", s.Name, kind, m)
		}
		parts := strings.Split(filepath.Base(m[0]), ".")
		status, err := strconv.Atoi(parts[1])
		if err != nil {
			t.Fatalf("%s: fixture name %s needs a status", s.Name, m[0])
		}
		b, err := os.ReadFile(m[0])
		if err != nil {
			t.Fatal(err)
		}
		return status, b
	}
	cs, cb := load("claimed")
	us, ub := load("unclaimed")
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := "text/html; charset=utf-8"
		if s.Format == "json" {
			ct = "application/json; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		if strings.Contains(strings.ToLower(r.URL.RequestURI()), strings.ToLower(s.Examples.Claimed)) {
			w.WriteHeader(cs)
			_, _ = w.Write(cb)
			return
		}
		w.WriteHeader(us)
		_, _ = w.Write(ub)
	}))
}

func sourceFor(t *testing.T, s *Site, srv *httptest.Server) *Source {
	u, _ := url.Parse(srv.URL)
	c := &Catalogue{Sites: []*Site{s}}
	return c.Sources(func(name string, markers []string) *transport.Client {
		return transport.New(transport.Config{Source: name, Upstream: u, BotWallMarkers: markers})
	})[0].(*Source)
}

func TestEverySiteAgainstItsFixtures(t *testing.T) {
	// What each claimed fixture must yield.
	want := map[string]struct {
		display   string
		reach     bool // followers or karma
		createdYr int
		links     bool
	}{
		"keybase":    {"Chris Coyne", false, 2013, true},
		"bluesky":    {"Jay 🦋", true, 2022, false},
		"hackernews": {"", true, 2006, false},
		"reddit":     {"spez", true, 2005, false},
		"devto":      {"Ben Halpern", false, 2015, true},
		"codeberg":   {"Otto Richter", true, 2019, false},
		"lichess":    {"Thibault Duplessis", true, 2010, true},
		"chesscom":   {"Hikaru Nakamura", true, 2014, false},
		"dockerhub":  {"Docker Samples", false, 2016, false},
		"pypi":       {"Donald Stufft", false, 2011, false},
		"letterboxd": {"David Ehrlich", true, 0, false},
		"lastfm":     {"Richard Jones", false, 2002, false},
		"itchio":     {"leafo", false, 0, false},
		"steam":      {"Rabscuttle", false, 0, false},
		"medium":     {"Ev Williams", true, 0, false},
	}
	// The avatar URL each claimed fixture must yield, as the avatar
	// source will fetch it (Reddit's escaped ampersands undone).
	wantAvatar := map[string]string{
		"keybase": "https://s3.amazonaws.com/keybase_processed_uploads/6b1a5f3c0e7d9a2b4c8e1f0a3d5b7c9e_360_360.jpg",
		"reddit":  "https://styles.redditmedia.com/t5_3k30p/styles/profileIcon_snoo1d4e5f6a-7b8c-4d9e-a0b1-c2d3e4f5a6b7-headshot.png?width=256&height=256&crop=256:256,smart&s=2f9c41d0e0a3b5c7d8e9f0a1b2c3d4e5f6a7b8c9",
	}
	c := builtinCatalogue(t)
	if len(c.Sites) < 15 {
		t.Fatalf("catalogue has %d sites, want ≥ 15", len(c.Sites))
	}
	for _, s := range c.Sites {
		t.Run(s.Name, func(t *testing.T) {
			w, ok := want[s.Name]
			if !ok {
				t.Fatalf("no expectations for %s: add them here", s.Name)
			}
			srv := fixtureServer(t, s)
			defer srv.Close()
			src := sourceFor(t, s, srv)
			id := enrichers.Identifier{Kind: enrichers.KindUsername, Value: s.Examples.Claimed, Method: "username_guess", Prior: 1}
			f, err := src.Enrich(context.Background(), id)
			if err != nil {
				t.Fatalf("claimed: %v", err)
			}
			if f.NotFound || len(f.Accounts) != 1 {
				t.Fatalf("claimed: %+v", f)
			}
			a := f.Accounts[0]
			wantUser := s.Examples.Claimed
			if s.HandleDomain != "" {
				wantUser += "." + s.HandleDomain // jay.bsky.social, as Bluesky names it
			}
			if a.Source != s.Name || a.Username != wantUser || a.URL == "" || a.Method != "username_guess" {
				t.Fatalf("account identity: %+v", a)
			}
			if w.display != "" && a.DisplayName != w.display {
				t.Errorf("display name %q, want %q", a.DisplayName, w.display)
			}
			if av, ok := wantAvatar[s.Name]; ok && a.Avatar != av {
				t.Errorf("avatar %q, want %q", a.Avatar, av)
			}
			if w.reach && a.Followers == nil && a.Karma == nil {
				t.Errorf("no followers or karma extracted")
			}
			if w.createdYr != 0 && (a.CreatedAt == nil || a.CreatedAt.Year() != w.createdYr) {
				t.Errorf("created %v, want year %d", a.CreatedAt, w.createdYr)
			}
			if w.links && len(a.Links) == 0 {
				t.Errorf("no links extracted")
			}
			// A link is only worth extracting as one other sources can
			// follow (a bare username is not).
			if w.links && len(f.Identifiers) == 0 {
				t.Errorf("links %q name no profile to look up", a.Links)
			}
			for _, tag := range s.Tags {
				if !slices.Contains(a.Tags, tag) {
					t.Errorf("tag %s missing", tag)
				}
			}
			un := enrichers.Identifier{Kind: enrichers.KindUsername, Value: s.Examples.Unclaimed, Method: "username_guess", Prior: 1}
			f, err = src.Enrich(context.Background(), un)
			if err != nil || !f.NotFound {
				t.Fatalf("unclaimed: %+v, %v", f, err)
			}
		})
	}
}

func TestFailuresAreNeverNotFound(t *testing.T) {
	cf := `<html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>`
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   enrichers.Status
	}{
		{"429", 429, map[string]string{"Retry-After": "30"}, "", enrichers.StatusRateLimited},
		{"challenge", 403, map[string]string{"Server": "cloudflare", "Content-Type": "text/html"}, cf, enrichers.StatusBlocked},
		{"5xx", 500, nil, "oops", enrichers.StatusError},
		{"400 without the absence marker", 400, map[string]string{"Content-Type": "application/json"}, `{"error":"InvalidRequest","message":"bad actor"}`, enrichers.StatusError},
		{"oversized", 200, map[string]string{"Content-Type": "application/json"}, `{"a":"` + strings.Repeat("x", 3<<20) + `"}`, enrichers.StatusError},
		{"malformed", 200, map[string]string{"Content-Type": "application/json"}, `{"displayName":`, enrichers.StatusError},
	}
	c := builtinCatalogue(t)
	var bluesky *Site
	for _, s := range c.Sites {
		if s.Name == "bluesky" {
			bluesky = s
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := sourceFor(t, bluesky, srv).Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindUsername, Value: "jay"})
			var se *enrichers.SourceError
			if !errors.As(err, &se) || se.Status != tt.want {
				t.Fatalf("err = %v, want status %s", err, tt.want)
			}
		})
	}
}

func TestLoadRejectsBrokenCatalogues(t *testing.T) {
	base := `{"name":"x1","description":"d","format":"json","url":"https://x.example/{username}","absent":{"status":[404]},"fields":{},"rate_per_s":1,"burst":1,"timeout_ms":1000,"examples":{"claimed":"a","unclaimed":"b"}`
	tests := []struct {
		name, json, want string
	}{
		{"unknown field", `{"sites":[` + base + `,"colour":"red"}]}`, "'colour' not allowed"},
		{"bad name", `{"sites":[` + strings.Replace(base, `"x1"`, `"X 1"`, 1) + `}]}`, "/sites/0/name"},
		{"no username in url", `{"sites":[` + strings.Replace(base, "{username}", "u", 1) + `}]}`, "/sites/0/url"},
		{"http url", `{"sites":[` + strings.Replace(base, "https://", "http://", 1) + `}]}`, "https"},
		{"no absent rule", `{"sites":[` + strings.Replace(base, `"absent":{"status":[404]}`, `"absent":{}`, 1) + `}]}`, ".absent"},
		{"json field without path", `{"sites":[` + strings.Replace(base, `"fields":{}`, `"fields":{"bio":{"selector":"p"}}`, 1) + `}]}`, "fields.bio"},
		{"bad regex", `{"sites":[` + base + `,"username_pattern":"("}]}`, "username_pattern"},
		{"bad tag", `{"sites":[` + base + `,"tags":["religion"]}]}`, "tags"},
		{"bad rate", `{"sites":[` + strings.Replace(base, `"rate_per_s":1`, `"rate_per_s":0`, 1) + `}]}`, "rate_per_s"},
		{"duplicate", `{"sites":[` + base + `},` + base + `}]}`, "duplicate"},
		{"bad selector", `{"sites":[` + strings.Replace(strings.Replace(base, `"json"`, `"html"`, 1), `"fields":{}`, `"fields":{"bio":{"selector":"p[["}}`, 1) + `}]}`, "invalid CSS selector"},
		{"empty", `{"sites":[]}`, "minItems"},
		{"search without query", `{"sites":[` + base + `,"search":{"url":"https://x.example/s","results":"r.*","username":{"path":"u"},"display_name":{"path":"n"}}}]}`, "search"},
		{"search on html", `{"sites":[` + strings.Replace(base, `"json"`, `"html"`, 1) + `,"search":{"url":"https://x.example/s?q={query}","results":"r.*","username":{"path":"u"},"display_name":{"path":"n"}}}]}`, "only json sites can search"},
		{"search bad regex", `{"sites":[` + base + `,"search":{"url":"https://x.example/s?q={query}","results":"r.*","username":{"path":"u","regex":"("},"display_name":{"path":"n"}}}]}`, "search.username.regex"},
		{"unknown transform", `{"sites":[` + strings.Replace(base, `"fields":{}`, `"fields":{"avatar":{"path":"icon","transform":"url_unescape"}}`, 1) + `}]}`, "/sites/0/fields/avatar/transform"},
		{"template without value", `{"sites":[` + strings.Replace(base, `"fields":{}`, `"fields":{"links":{"path":"gh","template":"https://github.com/"}}`, 1) + `}]}`, "fields.links.template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.json), validTag)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestTransforms: an extractor's transform applies to the value as read,
// before its regex and template; without one the value is kept as the
// site wrote it.
func TestTransforms(t *testing.T) {
	const escaped = `{"icon_img":"https://styles.redditmedia.com/t5_1/styles/profileIcon_x.png?width=256&amp;height=256&amp;crop=256:256,smart&amp;s=ab12","bio":"Tom &amp; Jerry &lt;3 &#39;cats&#39;"}`
	tests := []struct {
		name string
		e    Extractor
		want string
	}{
		{"reddit icon_img", Extractor{Path: "icon_img", Transform: "html_unescape"},
			"https://styles.redditmedia.com/t5_1/styles/profileIcon_x.png?width=256&height=256&crop=256:256,smart&s=ab12"},
		{"no transform keeps the escapes", Extractor{Path: "icon_img"},
			"https://styles.redditmedia.com/t5_1/styles/profileIcon_x.png?width=256&amp;height=256&amp;crop=256:256,smart&amp;s=ab12"},
		{"entities in text", Extractor{Path: "bio", Transform: "html_unescape"}, "Tom & Jerry <3 'cats'"},
		{"before the regex", Extractor{Path: "icon_img", Transform: "html_unescape", Regex: `[?&]s=([^&]+)$`}, "ab12"},
		{"before the template", Extractor{Path: "bio", Transform: "html_unescape", Regex: `^Tom & (\w+)`, Template: "https://x.example/{value}"}, "https://x.example/Jerry"},
	}
	p, err := parse("json", []byte(escaped))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			if e.Regex != "" {
				e.re = regexp.MustCompile(e.Regex)
			}
			if got := p.text(&e); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	f.Add("json", `{"them":[{"profile":{"full_name":"A"}}],"data":{"total_karma":"1.2k"}}`, "them.*.profile.full_name")
	f.Add("html", `<div class="a">1,234 followers</div>`, "div.a")
	f.Fuzz(func(t *testing.T, format, body, path string) {
		if format != "json" {
			format = "html"
		}
		p, err := parse(format, []byte(body))
		if err != nil {
			return
		}
		e := &Extractor{Path: path}
		if format == "html" {
			if !validSelector(path) {
				return
			}
			e = &Extractor{Selector: path}
		}
		_ = p.all(e)
		_ = p.number(e)
		_ = p.time(e, "unix")
		_ = p.matches(Rules{JSONNull: true, Markers: []string{"x"}}, []byte(body), "")
	})
}

func TestLongGuessesAreCutToTheSiteMaximum(t *testing.T) {
	c := builtinCatalogue(t)
	var hn *Site
	for _, s := range c.Sites {
		if s.Name == "hackernews" {
			hn = s
		}
	}
	if hn == nil || hn.MaxLength != 15 {
		t.Fatalf("hackernews site %+v", hn)
	}
	src := &Source{site: hn}
	tests := []struct {
		value, method, platform string
		want                    string // looked up; "" when skipped
	}{
		{"sebastian_schulz79", "username_guess", "", "sebastian_schul"},
		{"rodriguesvalentina", "username_guess", "", "rodriguesvalent"},
		{"elizabeth_w_xyz", "username_guess", "", "elizabeth_w_xyz"},  // exactly 15
		{"abcdefghijklmn_op", "username_guess", "", "abcdefghijklmn"}, // no trailing separator
		// A link to this site names an exact account; a link to another
		// platform's account is a guess here.
		{"sebastian_schulz79", "linked_from:keybase", "hackernews", ""},
		{"rodriguesvalentina", "linked_from:gravatar", "github", "rodriguesvalent"},
		{"sebastian_schulz79", "input", "", ""},
		{"sebastian.schulz", "username_guess", "", ""}, // still not a valid HN name
	}
	for _, tt := range tests {
		id := enrichers.Identifier{Kind: enrichers.KindUsername, Value: tt.value, Method: enrichers.Method(tt.method), Platform: tt.platform}
		ok, _ := src.Applies(id)
		if ok != (tt.want != "") || (ok && hn.username(id) != tt.want) {
			t.Errorf("%s (%s): applies %v, looks up %q; want %q", tt.value, tt.method, ok, hn.username(id), tt.want)
		}
	}
	// The account found is the one looked up.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/sebastian_schul.json") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"sebastian_schul","created":1300000000,"karma":12}`))
	}))
	defer srv.Close()
	f, err := sourceFor(t, hn, srv).Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindUsername, Value: "sebastian_schulz79", Method: "username_guess", Prior: 0.6})
	if err != nil || len(f.Accounts) != 1 || f.Accounts[0].Username != "sebastian_schul" || !strings.HasSuffix(f.Accounts[0].URL, "id=sebastian_schul") {
		t.Fatalf("%+v %v", f, err)
	}
}
