package github

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	tt "github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const email = "carlos.dominguez@nimbus-voyages.co.uk"

func routes() map[string]tt.Route {
	return map[string]tt.Route{
		"/api.github.com/search/users":                 {File: "testdata/search.200.json"},
		"/api.github.com/users/carlos-dominguez":       {File: "testdata/user_carlos.200.json"},
		"/api.github.com/users/carlos-dominguez/repos": {File: "testdata/repos_carlos.200.json"},
		"/api.github.com/users/thiago-alves":           {File: "testdata/user.200.json"},
		"/api.github.com/users/thiago-alves/repos":     {File: "testdata/repos.200.json"},
		"/api.github.com/users/nobody-here-x":          {Status: http.StatusNotFound, File: "testdata/user.404.json"},
		"/api.github.com/users/acme-corp":              {Body: `{"login":"acme-corp","type":"Organization","public_repos":0,"followers":5}`},
	}
}

func newSource(t *testing.T) (*Source, *tt.Server) {
	srv := tt.New(t, routes())
	return New(Config{Client: srv.Client(Name), Now: func() time.Time { return now }}), srv
}

func TestEmailSearch(t *testing.T) {
	src, srv := newSource(t)
	f, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindEmail, Value: email, Method: "input", Prior: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := f.Accounts[0]
	if a.Username != "carlos-dominguez" || a.Method != "email_search" || a.Followers == nil || a.CreatedAt == nil {
		t.Fatalf("%+v", a)
	}
	q := srv.Requests()[0].URL.Query().Get("q")
	if q != email+" in:email" {
		t.Errorf("search q=%q", q)
	}
	if got := srv.Requests()[0].Header.Get("Accept"); got != "application/vnd.github+json" {
		t.Errorf("accept %q", got)
	}
}

func TestUsername(t *testing.T) {
	src, _ := newSource(t)
	via := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago-alves", Method: "linked_from:mastodon", Platform: Name, Prior: 0.97}
	f, err := src.Enrich(context.Background(), via)
	if err != nil {
		t.Fatal(err)
	}
	a := f.Accounts[0]
	if a.DisplayName != "Thiago" || *a.Followers != 420 || a.Company != "Ember Play GmbH" || !a.Verified ||
		a.Website != "https://gitlab.com/thiago_alves" || a.Method != "linked_from:mastodon" || a.Stars == nil {
		t.Fatalf("%+v", a)
	}
	if len(a.Tags) == 0 || a.Tags[0] == "" {
		t.Errorf("tags %v", a.Tags)
	}
	// The blog links to GitLab: a username for the gitlab source.
	want := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago_alves", Method: "linked_from:github", Platform: "gitlab", Prior: 0.9}
	if !slices.Contains(f.Identifiers, want) {
		t.Errorf("identifiers %+v", f.Identifiers)
	}
}

func TestNotFound(t *testing.T) {
	for _, id := range []enrichers.Identifier{
		{Kind: enrichers.KindUsername, Value: "nobody-here-x"},
		{Kind: enrichers.KindUsername, Value: "acme-corp"}, // an organisation
		{Kind: enrichers.KindEmail, Value: "nobody@example.com"},
	} {
		srv := tt.New(t, map[string]tt.Route{
			"/api.github.com/search/users":        {Body: `{"total_count":0,"incomplete_results":false,"items":[]}`},
			"/api.github.com/users/nobody-here-x": {Status: http.StatusNotFound, File: "testdata/user.404.json"},
			"/api.github.com/users/acme-corp":     {Body: `{"login":"acme-corp","type":"Organization","public_repos":0}`},
		})
		f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), id)
		if err != nil || !f.NotFound {
			t.Errorf("%s: %+v %v", id.Value, f, err)
		}
	}
}

func TestPrimaryRateLimit403IsRateLimited(t *testing.T) {
	reset := now.Add(90 * time.Second).Unix()
	srv := tt.New(t, map[string]tt.Route{"/api.github.com/users/thiago-alves": {Status: http.StatusForbidden,
		Body:   `{"message":"API rate limit exceeded for 192.0.2.1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`,
		Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(reset, 10), "X-RateLimit-Resource": "core"}}})
	src := New(Config{Client: srv.Client(Name), Now: func() time.Time { return now }})
	_, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago-alves"})
	se, ok := err.(*enrichers.SourceError)
	if !ok || se.Status != enrichers.StatusRateLimited || se.RetryAfter != 90*time.Second {
		t.Fatalf("%#v", err)
	}
	// A plain 403 (no rate-limit headers) stays blocked.
	srv.Set("/api.github.com/users/thiago-alves", tt.Route{Status: http.StatusForbidden, Body: `{"message":"Forbidden"}`})
	_, err = src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago-alves"})
	if enrichers.StatusOf(err) != enrichers.StatusBlocked {
		t.Fatal(err)
	}
}

func TestFailures(t *testing.T) {
	tt.CheckFailures(t, "/api.github.com/users/thiago-alves", func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return New(Config{Client: c}).Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago-alves"})
	})
	tt.CheckFailures(t, "/api.github.com/search/users", func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return New(Config{Client: c}).Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindEmail, Value: email})
	})
}

func TestDefaultLimitsAreGitHubsUnauthenticatedOnes(t *testing.T) {
	d := New(Config{}).Describe()
	if perHour := d.RatePerS * 3600; perHour > 60.0001 {
		t.Errorf("keyless budget %.1f requests/hour, GitHub allows 60", perHour)
	}
	if New(Config{Token: "t"}).Describe().RatePerS <= d.RatePerS {
		t.Error("a token should raise the rate")
	}
}

func TestValidLogin(t *testing.T) {
	for s, want := range map[string]bool{"octocat": true, "a-b": true, "-ab": false, "ab-": false, "a--b": false, "a_b": false, "": false, "a.b": false} {
		if ValidLogin(s) != want {
			t.Errorf("%q", s)
		}
	}
}

// GitHub's search limit (10 a minute without a token) holds back a second
// search that would wait past the deadline; SearchPerMin, for an upstream
// that limits nothing, lets it through.
func TestSearchLimit(t *testing.T) {
	search := func(src *Source) error {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err := src.Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindEmail, Value: email, Method: "input", Prior: 1})
		return err
	}
	srv := tt.New(t, routes())
	published := New(Config{Client: srv.Client(Name), Now: func() time.Time { return now }})
	if err := search(published); err != nil {
		t.Fatal(err)
	}
	var se *enrichers.SourceError
	if err := search(published); !errors.As(err, &se) || se.Status != enrichers.StatusRateLimited {
		t.Fatalf("second search within the published limit: %v, want rate_limited", err)
	}
	lifted := New(Config{Client: srv.Client(Name), Now: func() time.Time { return now }, SearchPerMin: 600000})
	for i := range 5 {
		if err := search(lifted); err != nil {
			t.Fatalf("search %d with the limit lifted: %v", i, err)
		}
	}
}
