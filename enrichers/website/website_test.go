package website

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/enrichers/transport/netguard"
	"github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func domainID(d string) enrichers.Identifier {
	return enrichers.Identifier{Kind: enrichers.KindDomain, Value: d, Method: "input", Prior: 1}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseGolden checks the parsed page of every fixture against
// testdata/golden/<fixture>.json; run with -update to rewrite them.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		t.Run(name, func(t *testing.T) {
			ct := "text/html; charset=utf-8"
			if name == "latin1" {
				ct = "text/html" // the charset comes from the page's own meta tag
			}
			got, err := json.MarshalIndent(Parse(fixture(t, name+".html"), ct, "https://"+name+".example/"), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(got) != string(want) {
				t.Errorf("parsed page differs from %s (run go test -update and review the diff):\n%s", golden, got)
			}
		})
	}
}

// TestParseSimulatedWeb pins what the parser must read from the pages the
// simulated web renders (internal/harness/sim renderSite).
func TestParseSimulatedWeb(t *testing.T) {
	c := Parse(fixture(t, "sim_company.html"), "text/html; charset=utf-8", "https://brightwell.de/")
	want := enrichers.CompanyFacts{
		Name:        "Brightwell GmbH",
		Description: "Brightwell – Softwareentwicklung. Wir sind Ihr Partner für Cloud, Datenbanken und IT-Sicherheit.",
		Language:    "de",
		Industry:    "Softwareentwicklung",
		Keywords:    []string{"softwareentwicklung", "cloud", "datenbanken", "it-sicherheit"},
		SocialLinks: []string{"https://www.linkedin.com/company/brightwell", "https://x.com/brightwell", "https://github.com/brightwell-gmbh"},
		URL:         "https://brightwell.de/",
	}
	if c.Kind != KindOrganization || !reflect.DeepEqual(c.Company, want) {
		t.Errorf("company page:\n got %s %+v\nwant %+v", c.Kind, c.Company, want)
	}

	p := Parse(fixture(t, "sim_personal.html"), "text/html; charset=utf-8", "https://priyaraman.dev/")
	if p.Kind != KindPerson || p.Person != "Priya Raman" || p.JobTitle != "Backend Engineer" || p.Company.Name != "" {
		t.Errorf("personal page: %+v", p)
	}
	if p.Company.Language != "en" || len(p.Company.Keywords) != 3 || len(p.MeLinks) != 5 || len(p.Company.SocialLinks) != 5 {
		t.Errorf("personal page: %+v", p)
	}

	k := Parse(fixture(t, "sim_parked.html"), "", "https://gmial.com/")
	if !k.Company.Parked || k.Company.Name != "" || k.Company.Description != "" {
		t.Errorf("parked page: %+v", k.Company)
	}

	h := Parse(fixture(t, "sim_placeholder.html"), "", "https://northgateholdings.biz/")
	if h.Company.Name != "Northgate Holdings Ltd" || h.Company.Description != "Northgate Holdings – coming soon." || h.Company.Parked {
		t.Errorf("placeholder page: %+v", h.Company)
	}
}

func TestCleanTitle(t *testing.T) {
	for in, want := range map[string]string{
		"Home | Acme":                       "Acme",
		"Acme | Home":                       "Acme",
		"Acme – Software":                   "Acme",
		"Welcome - Fjordline Tours":         "Fjordline Tours",
		"  Acme\n\tCorp  ":                  "Acme Corp",
		"Startseite | Brightwell GmbH":      "Brightwell GmbH",
		"Home":                              "",
		"":                                  "",
		"Acme: Widgets for everyone | Home": "Acme",
	} {
		if got := cleanTitle(in); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func newSource(c *transport.Client) *Source {
	return New(Config{Client: c, Skip: func(d string) (bool, string) {
		if d == "gmail.com" {
			return true, "free-mail provider"
		}
		return false, ""
	}})
}

func TestEnrich(t *testing.T) {
	srv := transporttest.New(t, map[string]transporttest.Route{
		"/brightwell.de/":        {File: "testdata/sim_company.html"},
		"/kestrel-analytics.io/": {File: "testdata/company_jsonld.html"},
		"/priyaraman.dev/":       {File: "testdata/sim_personal.html"},
		"/sannedevries.nl/":      {File: "testdata/personal_relme.html"},
		"/gmial.com/":            {File: "testdata/sim_parked.html"},
		"/acmewidgets.net/":      {File: "testdata/parked_sedo.html"},
		"/lefevre.fr/":           {File: "testdata/latin1.html", Header: map[string]string{"Content-Type": "text/html"}},
		"/gone.example/":         {Status: http.StatusNotFound, File: "testdata/not_found.html"},
		"/www.gone.example/":     {File: "testdata/sim_company.html"},
		"/walled.example/":       {Status: http.StatusServiceUnavailable, File: "testdata/cloudflare.html", Header: map[string]string{"Server": "cloudflare"}},
		"/json.example/":         {Body: `{"hello":"world"}`},
	})
	s := newSource(srv.Client(Name))
	ctx := context.Background()

	t.Run("company", func(t *testing.T) {
		f, err := s.Enrich(ctx, domainID("kestrel-analytics.io"))
		if err != nil {
			t.Fatal(err)
		}
		c := f.Company
		if c == nil || c.Name != "Kestrel Analytics, Inc." || c.Language != "en" || c.URL != "https://kestrel-analytics.io/" || !f.Simulated {
			t.Fatalf("finding %+v / %+v", f, c)
		}
		if len(f.Identifiers) != 0 || len(f.Accounts) != 0 {
			t.Errorf("a company page emitted %+v %+v", f.Identifiers, f.Accounts)
		}
		for _, l := range c.SocialLinks {
			if strings.Contains(l, "intent") || strings.Contains(l, "sharer") || strings.Contains(l, "shareArticle") || l == "https://github.com/" {
				t.Errorf("share/home link kept: %s", l)
			}
		}
	})

	t.Run("personal site", func(t *testing.T) {
		f, err := s.Enrich(ctx, domainID("sannedevries.nl"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, id := range f.Identifiers {
			if id.Kind != enrichers.KindUsername || id.Prior != PriorMe || id.Method != "linked_from:website" || id.Origin != Name {
				t.Errorf("identifier %+v", id)
			}
			got[id.Platform] = id.Value
		}
		want := map[string]string{"mastodon": "sanne@hachyderm.io", "github": "sannedv", "keybase": "sannedv", "reddit": "sannedv", "devto": "sannedv"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("identifiers %v, want %v", got, want)
		}
		if f.Company == nil || f.Company.Name != "" || f.Company.Language != "nl" {
			t.Errorf("company %+v", f.Company)
		}
	})

	t.Run("simulated personal site", func(t *testing.T) {
		f, err := s.Enrich(ctx, domainID("priyaraman.dev"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, id := range f.Identifiers {
			got[id.Platform] = id.Value
		}
		want := map[string]string{"github": "priyaraman", "mastodon": "priya_r", "hackernews": "praman", "bluesky": "priyaraman"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("identifiers %v, want %v (no x: footprint has no x source)", got, want)
		}
	})

	t.Run("simulated company", func(t *testing.T) {
		f, err := s.Enrich(ctx, domainID("brightwell.de"))
		if err != nil || f.Company == nil || f.Company.Name != "Brightwell GmbH" || len(f.Identifiers) != 0 {
			t.Fatalf("%+v %v", f, err)
		}
	})

	t.Run("parked", func(t *testing.T) {
		for _, d := range []string{"gmial.com", "acmewidgets.net"} {
			f, err := s.Enrich(ctx, domainID(d))
			if err != nil || f.Company == nil || !f.Company.Parked || f.Company.Name != "" {
				t.Errorf("%s: %+v %v", d, f, err)
			}
		}
	})

	t.Run("non-UTF-8", func(t *testing.T) {
		f, err := s.Enrich(ctx, domainID("lefevre.fr"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Company.Name != "Société Lefèvre & Fils" || !strings.Contains(f.Company.Description, "Besançon depuis 1952 – fenêtres") {
			t.Errorf("company %+v", f.Company)
		}
	})

	t.Run("404 is not found, no www fallback", func(t *testing.T) {
		before := len(srv.Requests())
		f, err := s.Enrich(ctx, domainID("gone.example"))
		if err != nil || !f.NotFound {
			t.Fatalf("%+v %v", f, err)
		}
		if n := len(srv.Requests()) - before; n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})

	t.Run("bot wall is blocked", func(t *testing.T) {
		f, err := s.Enrich(ctx, domainID("walled.example"))
		if st := enrichers.StatusOf(err); st != enrichers.StatusBlocked || f != nil {
			t.Fatalf("status %s (%v), finding %+v", st, err, f)
		}
	})

	t.Run("not HTML", func(t *testing.T) {
		_, err := s.Enrich(ctx, domainID("json.example"))
		if st := enrichers.StatusOf(err); st != enrichers.StatusError {
			t.Fatalf("status %s (%v)", st, err)
		}
	})
}

func TestEnrichOversized(t *testing.T) {
	srv := transporttest.New(t, map[string]transporttest.Route{"/megacorp.example/": {File: "testdata/oversized.html"}})
	u, _ := url.Parse(srv.URL)
	s := newSource(transport.New(transport.Config{Source: Name, Upstream: u, MaxBody: 256 << 10}))
	f, err := s.Enrich(context.Background(), domainID("megacorp.example"))
	if st := enrichers.StatusOf(err); st != enrichers.StatusError || f != nil {
		t.Fatalf("status %s (%v), finding %+v", st, err, f)
	}
}

func TestEnrichFailures(t *testing.T) {
	transporttest.CheckFailures(t, "/example.com/", func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return newSource(c).Enrich(ctx, domainID("example.com"))
	})
}

// refuseApex fails connections for the apex host, as when it has no
// address, and passes everything else to the real transport.
type refuseApex struct {
	apex  string
	calls atomic.Int32
}

func (r *refuseApex) RoundTrip(req *http.Request) (*http.Response, error) {
	r.calls.Add(1)
	if strings.HasPrefix(req.URL.Path, "/"+r.apex+"/") {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestEnrichWWWFallback(t *testing.T) {
	srv := transporttest.New(t, map[string]transporttest.Route{"/www.brightwell.de/": {File: "testdata/sim_company.html"}})
	u, _ := url.Parse(srv.URL)
	rt := &refuseApex{apex: "brightwell.de"}
	s := newSource(transport.New(transport.Config{Source: Name, Upstream: u, Base: rt}))
	f, err := s.Enrich(context.Background(), domainID("brightwell.de"))
	if err != nil || f.Company == nil || f.Company.Name != "Brightwell GmbH" || f.Company.URL != "https://www.brightwell.de/" {
		t.Fatalf("%+v %v", f, err)
	}
	if n := rt.calls.Load(); n != 2 {
		t.Errorf("%d round trips, want 2", n)
	}
}

// countingRT records that the network was reached.
type countingRT struct{ calls atomic.Int32 }

func (c *countingRT) RoundTrip(*http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return nil, errors.New("network reached")
}

func TestEnrichRefusesBeforeNetwork(t *testing.T) {
	rt := &countingRT{}
	s := newSource(transport.New(transport.Config{Source: Name, Base: rt}))
	for _, d := range []string{"169.254.169.254", "127.0.0.1", "[::1]", "10.0.0.1", "2130706433", "localhost", "metadata.google.internal", "db.internal", "printer.local", "intranet", "evil.com:8080"} {
		f, err := s.Enrich(context.Background(), domainID(d))
		var se *enrichers.SourceError
		if !errors.As(err, &se) || se.Status != enrichers.StatusSkipped || !strings.Contains(err.Error(), "refused: ") || f != nil {
			t.Errorf("%s: %+v %v", d, f, err)
		}
		var ge *netguard.Error
		if !errors.As(err, &ge) {
			t.Errorf("%s: %v does not wrap a *netguard.Error", d, err)
		}
	}
	if n := rt.calls.Load(); n != 0 {
		t.Errorf("network reached %d times", n)
	}
}

type staticResolver map[string]string

func (r staticResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	if ip, ok := r[host]; ok {
		return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestEnrichGuardedClient wires the client the way the composition root
// does and checks that a name resolving inward (DNS rebinding) and a
// redirect to a loopback address both come back blocked, with the inner
// server never reached.
func TestEnrichGuardedClient(t *testing.T) {
	var innerHits atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		innerHits.Add(1)
		_, _ = w.Write([]byte("<title>secret</title>"))
	}))
	defer inner.Close()

	t.Run("rebinding", func(t *testing.T) {
		c := transport.New(transport.Config{
			Source:        Name,
			DialContext:   netguard.Dialer(netguard.Options{Resolver: staticResolver{"rebind.example": "127.0.0.1"}, DialTimeout: time.Second}),
			CheckRedirect: netguard.CheckRedirect,
		})
		_, err := newSource(c).Enrich(context.Background(), domainID("rebind.example"))
		if st := enrichers.StatusOf(err); st != enrichers.StatusSkipped || !strings.Contains(err.Error(), "refused: loopback address") {
			t.Fatalf("status %s: %v", st, err)
		}
	})

	t.Run("redirect", func(t *testing.T) {
		outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, inner.URL+"/latest/meta-data/", http.StatusFound)
		}))
		defer outer.Close()
		u, _ := url.Parse(outer.URL)
		c := transport.New(transport.Config{Source: Name, Upstream: u, CheckRedirect: netguard.CheckRedirect})
		_, err := newSource(c).Enrich(context.Background(), domainID("redirector.example"))
		if st := enrichers.StatusOf(err); st != enrichers.StatusSkipped || !strings.Contains(err.Error(), "refused: ") {
			t.Fatalf("status %s: %v", st, err)
		}
	})
	if n := innerHits.Load(); n != 0 {
		t.Errorf("inner server reached %d times", n)
	}
}

func TestApplies(t *testing.T) {
	s := newSource(transport.New(transport.Config{Source: Name}))
	for d, want := range map[string]bool{
		"example.com":     true,
		"Example.COM.":    true,
		"gmail.com":       false,
		"127.0.0.1":       false,
		"::1":             false,
		"[::1]":           false,
		"localhost":       false,
		"foo.localhost":   false,
		"corp.internal":   false,
		"2130706433":      false,
		"169.254.169.254": false,
	} {
		ok, reason := s.Applies(domainID(d))
		if ok != want || (!ok && reason == "") {
			t.Errorf("Applies(%q) = %v %q, want %v", d, ok, reason, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	d := New(Config{Client: transport.New(transport.Config{})}).Describe()
	if d.Name != "website" || d.Version != 1 || !d.Network || d.RatePerS != 2 || d.Burst != 2 ||
		d.Timeout != 2500*time.Millisecond || d.TTL != 7*24*time.Hour || d.NegativeTTL != 24*time.Hour ||
		!reflect.DeepEqual(d.Inputs, []enrichers.Kind{enrichers.KindDomain}) || d.Description == "" {
		t.Errorf("%+v", d)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"sim_company.html", "company_jsonld.html", "personal_relme.html", "latin1.html", "parked_sedo.html"} {
		f.Add(fixture(f, name), "text/html; charset=utf-8")
	}
	f.Add([]byte(`<script type="application/ld+json">[[[{"@graph":[{"@type":["Person"],"sameAs":{"@id":1}}]}]]]</script>`), "")
	f.Add([]byte("<html lang=\"\xff\"><title>\x00</title>"), "text/html; charset=shift_jis")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		p := Parse(body, ct, "https://example.com/")
		c := p.Company
		if len(c.Keywords) > maxKeywords || len(c.SocialLinks) > maxLinks || len(p.MeLinks) > maxLinks {
			t.Fatalf("limits exceeded: %+v", p)
		}
		for _, s := range append(append([]string{c.Name, c.Description, c.Language, p.Person}, c.Keywords...), c.SocialLinks...) {
			if !utf8Valid(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if c.Parked && (c.Name != "" || p.Kind != "") {
			t.Fatalf("parked page with facts: %+v", p)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }
