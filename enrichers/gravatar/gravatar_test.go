package gravatar

import (
	"context"
	"net/http"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	tt "github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

const (
	email = "talves@ember-play.de"
	hash  = "d8d7de1939907b8a0e15a4e0d82a586c8f063b421067a6741025f13472f74275"
	path  = "/api.gravatar.com/v3/profiles/" + hash
)

func TestHash(t *testing.T) {
	for _, in := range []string{email, "  TAlves@Ember-Play.DE "} {
		if got := Hash(in); got != hash {
			t.Errorf("Hash(%q) = %s", in, got)
		}
	}
}

func TestEnrich(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{path: {File: "testdata/found.200.json"}})
	src := New(Config{Client: srv.Client(Name), APIKey: "key-1"})
	id := enrichers.Identifier{Kind: enrichers.KindEmail, Value: email, Method: "input", Prior: 1}
	f, err := src.Enrich(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Accounts) != 1 {
		t.Fatalf("%+v", f)
	}
	a := f.Accounts[0]
	if a.Username != "thiagoalves" || a.DisplayName != "Thiago" || a.Company != "Ember Play GmbH" || a.Method != "email_hash" || !a.Verified ||
		a.URL != "https://gravatar.com/thiagoalves" || a.Bio == "" {
		t.Errorf("account %+v", a)
	}
	if len(f.Identifiers) != 1 {
		t.Fatalf("identifiers %+v", f.Identifiers)
	}
	want := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "thiago_alves", Method: "linked_from:gravatar", Platform: "mastodon", Prior: LinkPrior}
	if f.Identifiers[0] != want {
		t.Errorf("identifier %+v, want %+v", f.Identifiers[0], want)
	}
	if got := srv.Requests()[0].Header.Get("Authorization"); got != "Bearer key-1" {
		t.Errorf("authorization %q", got)
	}
}

func TestNotFound(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{path: {Status: http.StatusNotFound, File: "testdata/notfound.404.json"}})
	f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindEmail, Value: email})
	if err != nil || !f.NotFound {
		t.Fatalf("%+v %v", f, err)
	}
	if h := srv.Requests()[0].Header.Get("Authorization"); h != "" {
		t.Errorf("keyless request sent %q", h)
	}
}

func TestFailures(t *testing.T) {
	tt.CheckFailures(t, path, func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return New(Config{Client: c}).Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindEmail, Value: email})
	})
}

func TestNotAProfile(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{path: {Body: `{"error":"x"}`}})
	_, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindEmail, Value: email})
	if enrichers.StatusOf(err) != enrichers.StatusError {
		t.Fatal(err)
	}
}

func TestDescribeKeyRaisesLimit(t *testing.T) {
	if New(Config{}).Describe().RatePerS >= New(Config{APIKey: "k"}).Describe().RatePerS {
		t.Error("a key should raise the rate")
	}
}
