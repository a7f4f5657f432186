package all_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// recorder is an upstream that answers 404 to everything and keeps what
// it was sent.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("{}"))
}

func (r *recorder) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

// sampleID is an identifier of kind k that any source taking k applies to.
func sampleID(k enrichers.Kind) enrichers.Identifier {
	v := map[enrichers.Kind]string{
		enrichers.KindEmail:    "jane.doe@example.com",
		enrichers.KindUsername: "janedoe",
		enrichers.KindDomain:   "example.com",
		enrichers.KindPhone:    "+14155552671",
		enrichers.KindName:     "Jane Doe",
		enrichers.KindImage:    "https://avatars.example.com/u/42.png?v=",
	}[k]
	return enrichers.Identifier{Kind: k, Value: v, Method: "input", Prior: 1}
}

// enrichOnce builds the sources with d and runs source name once on its
// first input kind; its result does not matter, only what it sent.
func enrichOnce(t *testing.T, d all.Deps, name string) {
	t.Helper()
	reg := engine.NewRegistry()
	if err := all.Register(reg, d); err != nil {
		t.Fatal(err)
	}
	src, _ := reg.Get(name)
	// A bound in case a source never returns, not a timed assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = src.Enrich(ctx, sampleID(src.Describe().Inputs[0]))
}

// TestDeclaredSettingsReachTheSource: every key a source declares in
// Description.Settings changes what it does, so that a key start-up
// accepts is never silently ignored. base_url moves its requests, and
// api_key goes out with them.
func TestDeclaredSettingsReachTheSource(t *testing.T) {
	reg := engine.NewRegistry()
	if err := all.Register(reg, all.Deps{}); err != nil {
		t.Fatal(err)
	}
	const key = "fp-test-key-5d1c"
	checked := 0
	for _, name := range reg.Names() {
		src, _ := reg.Get(name)
		desc := src.Describe()
		keys := map[string]string{}
		for _, s := range desc.Settings {
			if s.Key == enrichers.SettingAPIKey {
				keys[name] = key // a keyed source may not call out without one
			}
		}
		for _, s := range desc.Settings {
			t.Run(name+"/"+s.Key, func(t *testing.T) {
				rec := &recorder{}
				srv := httptest.NewServer(rec)
				defer srv.Close()
				switch s.Key {
				case enrichers.SettingBaseURL:
					enrichOnce(t, all.Deps{BaseURLs: map[string]string{name: srv.URL + "/custom-base/"}, Keys: keys}, name)
					reqs := rec.requests()
					if len(reqs) == 0 {
						t.Fatal("no request reached the configured base URL")
					}
					for _, r := range reqs {
						if !strings.HasPrefix(r.URL.Path, "/custom-base/") {
							t.Errorf("request %s is not under the configured base URL", r.URL)
						}
					}
				case enrichers.SettingAPIKey:
					u, _ := url.Parse(srv.URL)
					enrichOnce(t, all.Deps{Upstream: u, Keys: keys}, name)
					reqs := rec.requests()
					if len(reqs) == 0 {
						t.Fatal("no request with the key")
					}
					for _, r := range reqs {
						if !carries(r, key) {
							t.Errorf("request %s does not carry the API key", r.URL)
						}
					}
				case enrichers.SettingMaxPerLookup:
					// The engine plans at most that many of the source's
					// calls in one lookup.
					u, _ := url.Parse(srv.URL)
					reg := engine.NewRegistry()
					if err := all.Register(reg, all.Deps{Upstream: u}); err != nil {
						t.Fatal(err)
					}
					e, err := engine.New(reg, engine.Options{Sources: map[string]engine.SourceConfig{name: {MaxPerLookup: 2}}})
					if err != nil {
						t.Fatal(err)
					}
					in := src.Describe().Inputs[0]
					var ids []enrichers.Identifier
					for i := range 5 {
						id := sampleID(in)
						id.Value += strings.Repeat("x", i)
						ids = append(ids, id)
					}
					e.Run(context.Background(), engine.Request{Identifiers: ids, Only: []string{name}})
					if n := len(rec.requests()); n != 2 {
						t.Errorf("%d requests for 5 identifiers with max_per_lookup 2", n)
					}
				}
			})
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no source declares a setting: the test checks nothing")
	}
}

// carries reports whether the request sends v in a header or its query.
func carries(r *http.Request, v string) bool {
	for _, vs := range r.Header {
		for _, h := range vs {
			if strings.Contains(h, v) {
				return true
			}
		}
	}
	return strings.Contains(r.URL.RawQuery, v)
}
