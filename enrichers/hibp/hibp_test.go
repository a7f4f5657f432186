package hibp

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
	tt "github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

const (
	email = "julesbertrand@gmail.com"
	path  = "/haveibeenpwned.com/api/v3/breachedaccount/" + email
)

func id() enrichers.Identifier { return enrichers.Identifier{Kind: enrichers.KindEmail, Value: email} }

func TestEnrich(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{path: {File: "testdata/breached.200.json"}})
	f, err := New(Config{Client: srv.Client(Name), APIKey: "secret"}).Enrich(context.Background(), id())
	if err != nil {
		t.Fatal(err)
	}
	if f.Breach == nil || f.Breach.Count != 1 || f.Breach.FirstBreach == nil || !f.Breach.FirstBreach.Equal(time.Date(2008, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", f.Breach)
	}
	r := srv.Requests()[0]
	if r.Header.Get("hibp-api-key") != "secret" || r.URL.Query().Get("truncateResponse") != "false" {
		t.Errorf("request %v %v", r.Header, r.URL)
	}
}

func TestNoBreach(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{path: {Status: http.StatusNotFound, Body: ""}})
	f, err := New(Config{Client: srv.Client(Name), APIKey: "secret"}).Enrich(context.Background(), id())
	if err != nil || !f.NotFound || f.Breach == nil || f.Breach.Count != 0 {
		t.Fatalf("%+v %v", f, err)
	}
}

func TestKeyless(t *testing.T) {
	s := New(Config{})
	if s.HasKey() || !s.Describe().RequiresKey {
		t.Fatal("keyless source must be disabled")
	}
	_, err := s.Enrich(context.Background(), id())
	if enrichers.StatusOf(err) != enrichers.StatusSkipped {
		t.Fatal(err)
	}
	// Disabled by the engine with the reason.
	reg := engine.NewRegistry()
	reg.Register(s)
	e, err := engine.New(reg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info := e.Sources()[0]; info.Enabled || info.DisabledReason == "" {
		t.Errorf("%+v", info)
	}
}

func TestUnauthorizedIsBlocked(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{path: {Status: http.StatusUnauthorized, Body: `{"statusCode":401,"message":"Access denied due to invalid hibp-api-key."}`}})
	_, err := New(Config{Client: srv.Client(Name), APIKey: "wrong"}).Enrich(context.Background(), id())
	if enrichers.StatusOf(err) != enrichers.StatusBlocked {
		t.Fatal(err)
	}
}

func TestFailures(t *testing.T) {
	tt.CheckFailures(t, path, func(ctx context.Context, c *transport.Client) (*enrichers.Finding, error) {
		return New(Config{Client: c, APIKey: "k"}).Enrich(ctx, id())
	})
}

func TestSummarize(t *testing.T) {
	b := Summarize([]Breach{{Name: "B", BreachDate: "2019-01-02"}, {Name: "A", BreachDate: "2012-06-05"}, {Name: "C", BreachDate: "bad"}})
	if b.Count != 3 || b.FirstBreach.Year() != 2012 || b.Names[0] != "A" {
		t.Fatalf("%+v", b)
	}
}
