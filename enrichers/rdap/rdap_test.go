package rdap

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// upstream replays recorded RDAP answers at the paths the real registries
// use (the client rewrites https://HOST/PATH to SERVER/HOST/PATH).
type upstream struct {
	srv       *httptest.Server
	bootstrap atomic.Int32
	paths     []string
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	fixture := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.paths = append(u.paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/rdap+json")
		switch r.URL.Path {
		case "/data.iana.org/rdap/dns.json":
			u.bootstrap.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"services":[[["example","test"],["http://insecure.example/","https://rdap.example-registry.test/v1"]],[["com"],["https://rdap.verisign.com/com/v1/"]]]}`))
		case "/rdap.verisign.com/com/v1/domain/google.com":
			_, _ = w.Write(fixture("verisign.com.200.json"))
		case "/rdap.verisign.com/com/v1/domain/fresh-deals-2026.com":
			_, _ = w.Write(fixture("young.com.200.json"))
		case "/rdap.nic.fr/domain/exemple-societe.fr":
			_, _ = w.Write(fixture("nicfr.fr.200.json"))
		case "/rdap.example-registry.test/v1/domain/shop.example":
			_, _ = w.Write(fixture("young.com.200.json"))
		case "/rdap.verisign.com/com/v1/domain/throttled.com":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/rdap.verisign.com/com/v1/domain/down.com":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/rdap.verisign.com/com/v1/domain/garbage.com":
			_, _ = w.Write([]byte(`{"objectClassName":"domain","events":[`))
		case "/rdap.verisign.com/com/v1/domain/empty.com":
			_, _ = w.Write([]byte(`{"objectClassName":"domain","ldhName":"EMPTY.COM"}`))
		case "/rdap.verisign.com/com/v1/domain/entity.com":
			_, _ = w.Write([]byte(`{"objectClassName":"entity","handle":"X"}`))
		case "/rdap.verisign.com/com/v1/domain/walled.com":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write(fixtureBotWall(t))
		case "/rdap.verisign.com/com/v1/domain/huge.com":
			_, _ = w.Write([]byte(`{"objectClassName":"domain","x":"` + strings.Repeat("a", 3<<20) + `"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(fixture("verisign.com.404.json"))
		}
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func fixtureBotWall(t *testing.T) []byte {
	b, err := os.ReadFile("../transport/testdata/cloudflare_challenge.html")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (u *upstream) source() *Source {
	base, _ := url.Parse(u.srv.URL)
	c := transport.New(transport.Config{Source: Name, Upstream: base})
	return New(Config{Client: c, Now: func() time.Time { return now }})
}

func TestEnrich(t *testing.T) {
	up := newUpstream(t)
	src := up.source()
	day := func(s string) *time.Time { t, _ := time.Parse(time.RFC3339, s); return &t }
	tests := []struct {
		domain   string
		want     *enrichers.DomainFacts
		notFound bool
		status   enrichers.Status
	}{
		{domain: "google.com", want: &enrichers.DomainFacts{Registered: day("1997-09-15T04:00:00Z"), Expires: day("2028-09-14T04:00:00Z"), Registrar: "MarkMonitor Inc.", AgeDays: 10660}},
		{domain: "mail.google.com", want: &enrichers.DomainFacts{Registered: day("1997-09-15T04:00:00Z"), Expires: day("2028-09-14T04:00:00Z"), Registrar: "MarkMonitor Inc.", AgeDays: 10660}},
		{domain: "fresh-deals-2026.com", want: &enrichers.DomainFacts{Registered: day("2026-11-10T17:31:02Z"), Expires: day("2027-11-10T17:31:02Z"), Registrar: "NameCheap, Inc.", AgeDays: 11}},
		{domain: "exemple-societe.fr", want: &enrichers.DomainFacts{Registered: day("2003-06-18T22:00:00Z"), Expires: day("2027-06-18T22:00:00Z"), Registrar: "OVH", AgeDays: 8557}},
		{domain: "unregistered-name.com", notFound: true},
		{domain: "throttled.com", status: enrichers.StatusRateLimited},
		{domain: "down.com", status: enrichers.StatusError},
		{domain: "garbage.com", status: enrichers.StatusError},
		{domain: "empty.com", status: enrichers.StatusError},
		{domain: "entity.com", status: enrichers.StatusError},
		{domain: "walled.com", status: enrichers.StatusBlocked},
		{domain: "huge.com", status: enrichers.StatusError},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			f, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindDomain, Value: tt.domain})
			if tt.status != "" {
				if got := enrichers.StatusOf(err); got != tt.status {
					t.Fatalf("status %s (%v), want %s", got, err, tt.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.NotFound != tt.notFound {
				t.Fatalf("not_found %v", f.NotFound)
			}
			if tt.want == nil {
				return
			}
			g := f.Domain
			if g == nil || !g.Registered.Equal(*tt.want.Registered) || !g.Expires.Equal(*tt.want.Expires) || g.Registrar != tt.want.Registrar || g.AgeDays != tt.want.AgeDays {
				t.Fatalf("got %+v, want %+v", g, tt.want)
			}
		})
	}
	if n := up.bootstrap.Load(); n != 0 {
		t.Errorf("covered TLDs fetched the bootstrap %d times", n)
	}
}

func TestRetryAfterIsReported(t *testing.T) {
	src := newUpstream(t).source()
	_, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindDomain, Value: "throttled.com"})
	se, ok := err.(*enrichers.SourceError)
	if !ok || se.RetryAfter != 7*time.Second || !se.Retryable {
		t.Fatalf("%#v", err)
	}
}

func TestUnknownTLDRefreshesBootstrapOnce(t *testing.T) {
	up := newUpstream(t)
	src := up.source()
	for range 3 {
		f, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindDomain, Value: "shop.example"})
		if err != nil || f.Domain == nil || f.Domain.Registrar != "NameCheap, Inc." {
			t.Fatalf("%+v %v", f, err)
		}
	}
	// A TLD the live registry does not list either: skipped, no refetch.
	_, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindDomain, Value: "example.zz"})
	if got := enrichers.StatusOf(err); got != enrichers.StatusSkipped {
		t.Fatalf("unknown TLD: %s (%v)", got, err)
	}
	if n := up.bootstrap.Load(); n != 1 {
		t.Fatalf("bootstrap fetched %d times, want 1", n)
	}
	for _, p := range up.paths {
		if strings.Contains(p, "insecure.example") {
			t.Fatalf("used the plain-http service: %s", p)
		}
	}
}

func TestApplies(t *testing.T) {
	src := New(Config{})
	for v, want := range map[string]bool{"example.com": true, "a.b.example.co.uk": true, "[10.0.0.1]": false, "localhost": false, "com": false} {
		if ok, why := src.Applies(enrichers.Identifier{Kind: enrichers.KindDomain, Value: v}); ok != want {
			t.Errorf("%s: applies %v (%s)", v, ok, why)
		}
	}
}

func TestParseBootstrapEmbedded(t *testing.T) {
	m, err := ParseBootstrap(embeddedBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	for _, tld := range []string{"com", "net", "org", "io", "de", "uk", "fr"} {
		if !strings.HasPrefix(m[tld], "https://") || !strings.HasSuffix(m[tld], "/") {
			t.Errorf("%s: %q", tld, m[tld])
		}
	}
	if _, err := ParseBootstrap([]byte(`{"services":[]}`)); err == nil {
		t.Error("empty bootstrap accepted")
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, name := range []string{"verisign.com.200.json", "nicfr.fr.200.json", "young.com.200.json", "verisign.com.404.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		facts, err := ParseJSON(b, now)
		if err == nil && (facts == nil || facts.AgeDays < 0) {
			t.Fatalf("bad facts %+v", facts)
		}
	})
}
