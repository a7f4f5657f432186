package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestClassify(t *testing.T) {
	cf := fixture(t, "cloudflare_challenge.html")
	dd := fixture(t, "datadome_captcha.html")
	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		want      enrichers.Status // "" = success
		notFound  bool
		retryable bool
		retryMin  time.Duration
	}{
		{name: "ok", status: 200, body: `{"a":1}`, header: map[string]string{"Content-Type": "application/json"}},
		{name: "404", status: 404, notFound: true},
		{name: "410", status: 410, notFound: true},
		{name: "429 seconds", status: 429, header: map[string]string{"Retry-After": "7"}, want: enrichers.StatusRateLimited, retryable: true, retryMin: 7 * time.Second},
		{name: "429 date", status: 429, header: map[string]string{"Retry-After": date}, want: enrichers.StatusRateLimited, retryable: true, retryMin: 20 * time.Second},
		{name: "429 no header", status: 429, want: enrichers.StatusRateLimited},
		{name: "503", status: 503, want: enrichers.StatusError, retryable: true},
		{name: "502", status: 502, want: enrichers.StatusError, retryable: true},
		{name: "500", status: 500, want: enrichers.StatusError},
		{name: "400", status: 400, want: enrichers.StatusError},
		{name: "401", status: 401, want: enrichers.StatusBlocked},
		{name: "403 plain", status: 403, want: enrichers.StatusBlocked},
		{name: "403 cloudflare challenge", status: 403, header: map[string]string{"Server": "cloudflare", "Content-Type": "text/html", "cf-mitigated": "challenge"}, body: cf, want: enrichers.StatusBlocked},
		{name: "503 cloudflare page", status: 503, header: map[string]string{"Server": "cloudflare", "Content-Type": "text/html"}, body: cf, want: enrichers.StatusBlocked},
		{name: "200 captcha page", status: 200, header: map[string]string{"Content-Type": "text/html"}, body: dd, want: enrichers.StatusBlocked},
		{name: "json quoting captcha is not a wall", status: 200, header: map[string]string{"Content-Type": "application/json"}, body: `{"bio":"I build g-recaptcha solvers"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ua string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ua = r.UserAgent()
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := New(Config{Source: "test", UserAgent: "footprint-test/1 (+https://example.org)"})
			resp, err := c.Get(context.Background(), srv.URL+"/x", nil)
			if ua != "footprint-test/1 (+https://example.org)" {
				t.Errorf("User-Agent %q", ua)
			}
			switch {
			case tt.notFound:
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("err = %v, want ErrNotFound", err)
				}
			case tt.want == "":
				if err != nil || string(resp.Body) != tt.body {
					t.Fatalf("err = %v", err)
				}
			default:
				var se *enrichers.SourceError
				if !errors.As(err, &se) || se.Status != tt.want {
					t.Fatalf("err = %v, want status %s", err, tt.want)
				}
				if se.Retryable != tt.retryable || se.RetryAfter < tt.retryMin {
					t.Fatalf("retryable=%v after=%s, want %v ≥%s", se.Retryable, se.RetryAfter, tt.retryable, tt.retryMin)
				}
				if !strings.HasPrefix(se.Error(), "test: ") {
					t.Fatalf("error not prefixed by source: %v", se)
				}
			}
		})
	}
}

func TestNoRetryForPost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	_, err := New(Config{Source: "t"}).Do(context.Background(), http.MethodPost, srv.URL, nil, []byte("{}"))
	var se *enrichers.SourceError
	if !errors.As(err, &se) || se.Retryable {
		t.Fatalf("POST must not be marked retryable: %v", err)
	}
}

func TestBodyCapAndMalformedJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/big" {
			_, _ = w.Write([]byte(strings.Repeat("x", 4096)))
			return
		}
		_, _ = w.Write([]byte(`{"login": "jane", `))
	}))
	defer srv.Close()
	c := New(Config{Source: "t", MaxBody: 1024})
	_, err := c.Get(context.Background(), srv.URL+"/big", nil)
	if err == nil || !strings.Contains(err.Error(), "over 1024 bytes") {
		t.Fatalf("oversized body: %v", err)
	}
	var v map[string]any
	_, err = c.GetJSON(context.Background(), srv.URL+"/bad", nil, &v)
	var se *enrichers.SourceError
	if !errors.As(err, &se) || se.Status != enrichers.StatusError || !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatalf("malformed JSON: %v", err)
	}
}

func TestHungServerHonoursDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := New(Config{Source: "t"}).Get(ctx, srv.URL, nil)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err=%v after %s", err, time.Since(start))
	}
	if enrichers.StatusOf(err) != enrichers.StatusTimeout {
		t.Fatalf("status %s for %v", enrichers.StatusOf(err), err)
	}
}

// TestTimeoutIsAFallback: Config.Timeout bounds a call whose context has
// no deadline, and only those: a caller's longer deadline is honoured (it
// used to be cut at Timeout, and at a fixed 10 s wait for headers).
func TestTimeoutIsAFallback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(300 * time.Millisecond):
			_, _ = w.Write([]byte("late"))
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	c := New(Config{Source: "t", Timeout: 50 * time.Millisecond})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if resp, err := c.Get(ctx, srv.URL, nil); err != nil || string(resp.Body) != "late" {
		t.Fatalf("under a caller's 30 s deadline: %v, %v; want the late answer", resp, err)
	}

	_, err := c.Get(context.Background(), srv.URL, nil)
	if enrichers.StatusOf(err) != enrichers.StatusTimeout {
		t.Fatalf("without a deadline: status %s for %v, want timeout after Config.Timeout", enrichers.StatusOf(err), err)
	}
}

func TestUpstreamRewrite(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RequestURI()
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := New(Config{Source: "t", Upstream: u})
	if _, err := c.Get(context.Background(), "https://api.github.com/search/users?q=a%40b.co+in:email", nil); err != nil {
		t.Fatal(err)
	}
	if got != "/api.github.com/search/users?q=a%40b.co+in:email" {
		t.Fatalf("rewritten to %q", got)
	}
	if !c.Simulated() {
		t.Fatal("Simulated() = false")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"5", 5 * time.Second, true}, {"0", 0, true}, {"", 0, false}, {"soon", 0, false}, {"-3", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true}, {now.Add(-time.Hour).Format(http.TimeFormat), 0, true}} {
		got, ok := RetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %s, %v", tt.in, got, ok)
		}
	}
}
