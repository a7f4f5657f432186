package mastodon

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	tt "github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

const (
	wf     = "/mastodon.social/.well-known/webfinger"
	lookup = "/mastodon.social/api/v1/accounts/lookup"
)

func routes() map[string]tt.Route {
	return map[string]tt.Route{
		wf:     {File: "testdata/webfinger.200.json"},
		lookup: {File: "testdata/account.200.json"},
	}
}

func TestEnrich(t *testing.T) {
	srv := tt.New(t, routes())
	via := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago_alves", Method: "linked_from:gravatar", Platform: Name, Prior: 0.97}
	f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), via)
	if err != nil {
		t.Fatal(err)
	}
	a := f.Accounts[0]
	if a.Username != "thiago_alves" || a.DisplayName != "Thiago" || *a.Followers != 270 || a.CreatedAt == nil || !a.Verified ||
		a.Bio != "Mostly gaming, sometimes other things. #gamedev" || !slices.Equal(a.Tags, []string{"gamedev"}) {
		t.Fatalf("%+v", a)
	}
	if len(a.Links) != 2 {
		t.Errorf("links %v", a.Links)
	}
	want := []enrichers.Identifier{
		{Kind: enrichers.KindUsername, Value: "thiago-alves", Method: "linked_from:mastodon", Platform: "github", Prior: 0.97},
		{Kind: enrichers.KindUsername, Value: "thiago_alves", Method: "linked_from:mastodon", Platform: "gitlab", Prior: 0.9},
	}
	if !slices.Equal(f.Identifiers, want) {
		t.Errorf("identifiers\n got %+v\nwant %+v", f.Identifiers, want)
	}
	reqs := srv.Requests()
	if got := reqs[0].URL.Query().Get("resource"); got != "acct:thiago_alves@mastodon.social" {
		t.Errorf("webfinger resource %q", got)
	}
	if got := reqs[1].URL.Query().Get("acct"); got != "thiago_alves" {
		t.Errorf("lookup acct %q", got)
	}
}

func TestOtherInstance(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{
		"/fosstodon.org/.well-known/webfinger":  {Body: `{"subject":"acct:Bob@fosstodon.org"}`},
		"/fosstodon.org/api/v1/accounts/lookup": {Body: `{"id":"1","username":"Bob","acct":"Bob","display_name":"Bob","note":"","url":"https://fosstodon.org/@Bob","created_at":"2022-11-05T00:00:00.000Z","followers_count":3,"following_count":1,"fields":[]}`},
	})
	f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindUsername, Value: "bob@fosstodon.org"})
	if err != nil {
		t.Fatal(err)
	}
	if a := f.Accounts[0]; a.Username != "Bob@fosstodon.org" || a.URL != "https://fosstodon.org/@Bob" {
		t.Fatalf("%+v", a)
	}
}

func TestNotFound(t *testing.T) {
	for name, r := range map[string]map[string]tt.Route{
		"webfinger 404": {wf: {Status: http.StatusNotFound, Body: ""}},
		"lookup 404":    {wf: {File: "testdata/webfinger.200.json"}, lookup: {Status: http.StatusNotFound, File: "testdata/account.404.json"}},
	} {
		srv := tt.New(t, r)
		f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago_alves"})
		if err != nil || !f.NotFound {
			t.Errorf("%s: %+v %v", name, f, err)
		}
	}
}

func TestFailures(t *testing.T) {
	call := func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return New(Config{Client: c}).Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago_alves"})
	}
	tt.CheckFailures(t, wf, call)
}

func TestApplies(t *testing.T) {
	s := New(Config{})
	for v, want := range map[string]bool{"thiago_alves": true, "bob@fosstodon.org": true, "@bob@fosstodon.org": true, "thiago-alves": false, "bob@127.0.0.1": false, "bob@localhost": false, "": false} {
		if ok, why := s.Applies(enrichers.Identifier{Kind: enrichers.KindUsername, Value: v}); ok != want {
			t.Errorf("%q: %v (%s)", v, ok, why)
		}
	}
}

// TestNameSearch: the instance's account search for a full name returns
// the accounts carrying exactly that name (custom emoji aside), local and
// remote, as found by name_search with the name's prior shared among them;
// a longer name is someone else. No exact match is not_found.
func TestNameSearch(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{"/mastodon.social/api/v2/search": {File: "testdata/search.200.json"}})
	id := enrichers.Identifier{Kind: enrichers.KindName, Value: "Thiago Alves", Method: "input", Prior: 1}
	src := New(Config{Client: srv.Client(Name)})
	if ok, why := src.Applies(id); !ok {
		t.Fatal(why)
	}
	f, err := src.Enrich(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range f.Accounts {
		got = append(got, a.Username)
		if a.Method != enrichers.MethodNameSearch || a.Via.Platform != Name || a.Via.Value != a.Username || a.Via.Prior != 1.0/3 {
			t.Errorf("%s: method %q via %+v", a.Username, a.Method, a.Via)
		}
	}
	if want := []string{"thiago_alves", "thiago@fosstodon.org", "thiagoalves@hachyderm.io"}; !slices.Equal(got, want) {
		t.Fatalf("accounts %v, want %v", got, want)
	}
	q := srv.Requests()[0].URL.Query()
	if q.Get("q") != "Thiago Alves" || q.Get("type") != "accounts" || q.Has("resolve") || q.Has("offset") {
		t.Errorf("search query %v (no resolve or offset without a token)", q)
	}
	f, err = src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindName, Value: "Maria Souza", Prior: 1})
	if err != nil || !f.NotFound {
		t.Fatalf("no exact match: %+v, %v", f, err)
	}
	if ok, _ := src.Applies(enrichers.Identifier{Kind: enrichers.KindName, Value: "Thiago"}); ok {
		t.Error("a one-word name should not be searched")
	}
}
