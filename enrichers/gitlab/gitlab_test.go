package gitlab

import (
	"context"
	"net/http"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	tt "github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

const (
	search  = "/gitlab.com/api/v4/users"
	profile = "/gitlab.com/api/v4/users/188390"
)

func id(u string) enrichers.Identifier {
	return enrichers.Identifier{Kind: enrichers.KindUsername, Value: u, Method: "username_guess", Prior: 0.8}
}

func TestEnrich(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{search: {File: "testdata/users.200.json"}, profile: {File: "testdata/user.200.json"}})
	f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), id("thiago_alves"))
	if err != nil {
		t.Fatal(err)
	}
	a := f.Accounts[0]
	if a.Username != "thiago_alves" || a.DisplayName != "Thiago Alves" || a.Location != "Rio de Janeiro" || a.Company != "Ember Play GmbH" ||
		a.Followers == nil || *a.Followers != 2 || a.CreatedAt == nil || a.Method != "username_guess" || a.Verified {
		t.Fatalf("%+v", a)
	}
	if got := srv.Requests()[0].URL.Query().Get("username"); got != "thiago_alves" {
		t.Errorf("username=%q", got)
	}
}

func TestLinks(t *testing.T) {
	u := &User{Username: "jdoe", WebsiteURL: "github.com/jdoe", Twitter: "@jdoe_x"}
	f := ToFinding(u, id("jdoe"))
	if f.Accounts[0].Website != "https://github.com/jdoe" || len(f.Accounts[0].Links) != 2 {
		t.Fatalf("%+v", f.Accounts[0])
	}
	if len(f.Identifiers) == 0 || f.Identifiers[0].Platform != "github" || f.Identifiers[0].Value != "jdoe" {
		t.Fatalf("%+v", f.Identifiers)
	}
}

func TestNotFound(t *testing.T) {
	for name, r := range map[string]map[string]tt.Route{
		"empty list":   {search: {Body: `[]`}},
		"blocked user": {search: {Body: `[{"id":5,"username":"thiago_alves","state":"blocked"}]`}},
		"profile gone": {search: {File: "testdata/users.200.json"}, profile: {Status: http.StatusNotFound, File: "testdata/user.404.json"}},
	} {
		srv := tt.New(t, r)
		f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), id("thiago_alves"))
		if err != nil || !f.NotFound {
			t.Errorf("%s: %+v %v", name, f, err)
		}
	}
}

func TestFailures(t *testing.T) {
	tt.CheckFailures(t, search, func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return New(Config{Client: c}).Enrich(ctx, id("thiago_alves"))
	})
}

func TestApplies(t *testing.T) {
	s := New(Config{})
	for v, want := range map[string]bool{"thiago_alves": true, "a.b-c": true, "-x": false, "x.git": false, "x y": false, "x.": false} {
		if ok, _ := s.Applies(enrichers.Identifier{Kind: enrichers.KindUsername, Value: v}); ok != want {
			t.Errorf("%q: %v", v, ok)
		}
	}
}
