package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// stubSource is an offline enrichers.Enricher that finds one account.
type stubSource struct{ name string }

var _ enrichers.Enricher = stubSource{}

func (s stubSource) Describe() enrichers.Description {
	return enrichers.Description{Name: s.name, Description: "test profiles", Version: 1,
		Inputs: []enrichers.Kind{enrichers.KindEmail}, RatePerS: 100, Burst: 10, Timeout: time.Second}
}

func (stubSource) Enrich(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
	return &enrichers.Finding{Accounts: []enrichers.Account{{
		Username: "janedoe", URL: "https://profiles.test/janedoe", Method: "email_search", Verified: true,
	}}}, nil
}

// apiServer runs the real HTTP API (internal/app/api over the real pipeline,
// with one offline source) and records the request bodies it receives.
func apiServer(t *testing.T) (*httptest.Server, func() []map[string]any) {
	t.Helper()
	reg := engine.NewRegistry()
	reg.Register(stubSource{"profiles"}, stubSource{"others"})
	eng, err := engine.New(reg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{}, pipeline.New(eng, pipeline.Config{}))
	var mu sync.Mutex
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		mu.Lock()
		bodies = append(bodies, m)
		mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []map[string]any { mu.Lock(); defer mu.Unlock(); return bodies }
}

func TestLookupServer(t *testing.T) {
	srv, received := apiServer(t)
	code, out, errs := runCLI(t, nil, "lookup", "--server", srv.URL+"/",
		"--email", "Jane.Doe+promo@GoogleMail.com", "--phone", "(415) 555-2671", "--country", "US",
		"--name", "Jane Doe", "--sources", "profiles,others", "--exclude-sources", "others", "--timeout-ms", "2000", "--pretty")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var p struct {
		Subject struct {
			Email struct{ Canonical string }
			Phone struct{ E164 string }
			Name  string
		}
		Accounts []struct{ Source, Username string }
		Sources  []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if p.Subject.Email.Canonical != "janedoe@gmail.com" || p.Subject.Phone.E164 != "+14155552671" || p.Subject.Name != "Jane Doe" {
		t.Errorf("subject: %+v", p.Subject)
	}
	if len(p.Accounts) != 1 || p.Accounts[0].Username != "janedoe" || p.Accounts[0].Source != "profiles" {
		t.Errorf("accounts: %+v", p.Accounts)
	}
	status := map[string]string{}
	for _, s := range p.Sources {
		status[s.Name] = s.Status
	}
	if status["profiles"] != "ok" || status["others"] != "skipped" {
		t.Errorf("sources: %+v", p.Sources)
	}
	if !strings.HasPrefix(out, "{\n  \"") {
		t.Errorf("--pretty output is not indented: %.40q", out)
	}
	got := received()
	if len(got) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(got))
	}
	want := map[string]any{
		"email": "Jane.Doe+promo@GoogleMail.com", "phone": "(415) 555-2671", "country": "US", "name": "Jane Doe",
		"options": map[string]any{"sources": []any{"profiles", "others"}, "exclude_sources": []any{"others"}, "timeout_ms": 2000.0},
	}
	if g, w := mustJSON(t, got[0]), mustJSON(t, want); g != w {
		t.Errorf("request body:\n got %s\nwant %s", g, w)
	}

	// Without --pretty: one compact line.
	code, out, errs = runCLI(t, nil, "lookup", "--server", srv.URL, "--email", "jane@example.com")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "}\n") {
		t.Fatalf("exit %d, output %q, stderr %s", code, out, errs)
	}
	if b := received()[1]; mustJSON(t, b) != `{"email":"jane@example.com"}` {
		t.Errorf("minimal request body %s: empty fields and options must be left out", mustJSON(t, b))
	}
}

func TestLookupServerErrors(t *testing.T) {
	srv, _ := apiServer(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream proxy error", http.StatusBadGateway)
	}))
	t.Cleanup(broken.Close)

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invalid email (400)", []string{"--server", srv.URL, "--email", "not an email"}, 2, "email: missing @"},
		{"unknown source (422)", []string{"--server", srv.URL, "--email", "a@b.co", "--sources", "nope"}, 2, "unknown source"},
		{"budget out of range (400)", []string{"--server", srv.URL, "--email", "a@b.co", "--timeout-ms", "999999"}, 2, "options.timeout_ms"},
		{"not a URL", []string{"--server", "127.0.0.1:8080", "--email", "a@b.co"}, 2, "http:// or https://"},
		{"--demo with --server", []string{"--server", srv.URL, "--demo", "--email", "a@b.co"}, 2, "--demo configures the in-process lookup"},
		{"--config with --server", []string{"--server", srv.URL, "--config", "x.yaml", "--email", "a@b.co"}, 2, "--config"},
		{"server down", []string{"--server", downURL, "--email", "a@b.co"}, 1, "calling " + downURL},
		{"not a footprint answer", []string{"--server", broken.URL, "--email", "a@b.co"}, 1, "502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, append([]string{"lookup"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errs, tt.want) || out != "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q (want %q)", code, tt.code, out, errs, tt.want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
