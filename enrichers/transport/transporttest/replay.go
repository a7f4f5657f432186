// Package transporttest replays recorded upstream answers for source
// tests: an httptest server that answers the paths a source requests
// (https://HOST/PATH arrives as /HOST/PATH through transport's upstream
// rewrite) from fixtures, plus the failure modes every network source must
// classify the same way (429 with Retry-After, 5xx, malformed body, bot
// wall, oversized body).
package transporttest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Route is one recorded answer.
type Route struct {
	Status int
	// File is a fixture path relative to the test's package directory.
	File string
	// Body is used when File is empty.
	Body   string
	Header map[string]string
}

// Server replays routes keyed by "/HOST/PATH" (query string ignored unless
// the key contains "?"). Unknown paths answer 404 with an empty JSON object.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string]Route
	requests []*http.Request
}

// New starts a replay server, closed at the end of the test.
func New(t testing.TB, routes map[string]Route) *Server {
	t.Helper()
	s := &Server{routes: map[string]Route{}}
	for k, r := range routes {
		if r.File != "" {
			b, err := os.ReadFile(r.File)
			if err != nil {
				t.Fatalf("fixture: %v", err)
			}
			r.Body = string(b)
		}
		s.routes[k] = r
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Set replaces the answer for key.
func (s *Server) Set(key string, r Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[key] = r
}

// Requests returns the requests received so far.
func (s *Server) Requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	rt, ok := s.routes[r.URL.Path+"?"+r.URL.RawQuery]
	if !ok {
		rt, ok = s.routes[r.URL.Path]
	}
	s.mu.Unlock()
	if !ok {
		rt = Route{Status: http.StatusNotFound, Body: "{}"}
	}
	ct := "application/json; charset=utf-8"
	if strings.HasPrefix(strings.TrimSpace(rt.Body), "<") {
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	for k, v := range rt.Header {
		w.Header().Set(k, v)
	}
	if rt.Status == 0 {
		rt.Status = http.StatusOK
	}
	w.WriteHeader(rt.Status)
	_, _ = w.Write([]byte(rt.Body))
}

// Client returns a source client whose requests go to the server.
func (s *Server) Client(source string) *transport.Client {
	u, _ := url.Parse(s.URL)
	return transport.New(transport.Config{Source: source, Upstream: u})
}

// Failure is one failure mode and the status a source must report for it.
type Failure struct {
	Name   string
	Route  Route
	Status enrichers.Status
}

// Failures are the failure modes every network source must classify.
func Failures() []Failure {
	return []Failure{
		{"429 with Retry-After", Route{Status: http.StatusTooManyRequests, Body: `{"message":"slow down"}`, Header: map[string]string{"Retry-After": "30"}}, enrichers.StatusRateLimited},
		{"429 without Retry-After", Route{Status: http.StatusTooManyRequests, Body: `{}`}, enrichers.StatusRateLimited},
		{"500", Route{Status: http.StatusInternalServerError, Body: `{"error":"internal"}`}, enrichers.StatusError},
		{"503", Route{Status: http.StatusServiceUnavailable, Body: `upstream unavailable`}, enrichers.StatusError},
		{"malformed JSON", Route{Status: http.StatusOK, Body: `{"truncated": [1, 2`}, enrichers.StatusError},
		{"bot wall", Route{Status: http.StatusForbidden, File: botWallFixture()}, enrichers.StatusBlocked},
		{"oversized body", Route{Status: http.StatusOK, Body: `{"x":"` + strings.Repeat("a", transport.DefaultMaxBody+10) + `"}`}, enrichers.StatusError},
	}
}

func botWallFixture() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "cloudflare_challenge.html")
}

// CheckFailures serves each failure mode at key and checks that call (one
// Enrich through a fresh client) reports the expected status — never
// not_found, never a finding.
func CheckFailures(t *testing.T, key string, call func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error)) {
	t.Helper()
	for _, f := range Failures() {
		t.Run(f.Name, func(t *testing.T) {
			srv := New(t, map[string]Route{key: f.Route})
			fnd, err := call(context.Background(), srv.Client("test"))
			if got := enrichers.StatusOf(err); got != f.Status {
				t.Fatalf("status %s (%v), want %s", got, err, f.Status)
			}
			if fnd != nil {
				t.Fatalf("finding %+v alongside an error", fnd)
			}
		})
	}
}
