package all_test

import (
	"context"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

func TestRegisterListsEverySourceOnce(t *testing.T) {
	reg := engine.NewRegistry()
	if err := all.Register(reg, all.Deps{}); err != nil {
		t.Fatal(err)
	}
	if reg.Len() < 17 {
		t.Fatalf("%d sources registered", reg.Len())
	}
	e, err := engine.New(reg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.Sources() {
		if s.Description.Description == "" || len(s.Inputs) == 0 || s.Timeout <= 0 || s.RatePerS <= 0 {
			t.Errorf("%s: incomplete self-description %+v", s.Name, s.Description)
		}
		if s.Network && float64(s.Burst) > max(1, s.RatePerS) {
			t.Errorf("%s: burst %d above its rate %.2f/s: an upstream enforcing that rate would throttle us", s.Name, s.Burst, s.RatePerS)
		}
	}
}

// BenchmarkOfflineLookup is one email+phone lookup through the whole
// pipeline with only the offline sources.
func BenchmarkOfflineLookup(b *testing.B) {
	reg := engine.NewRegistry()
	if err := all.Register(reg, all.Deps{}); err != nil {
		b.Fatal(err)
	}
	e, err := engine.New(reg, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	svc := pipeline.New(e, pipeline.Config{})
	in := pipeline.Input{Email: "Jane.Doe+promo@GoogleMail.com", Phone: "(415) 555-2671", Country: "US",
		Options: pipeline.Options{Sources: []string{"email", "phone"}}}
	if err := e.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Enrich(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAddressLiteralsAndLocalNamesAreNeverFetched: the email's domain feeds
// the website, dns and rdap sources; for address literals and local names
// none of them may go anywhere (the website source is also SSRF-guarded at
// dial time, see enrichers/transport/netguard).
func TestAddressLiteralsAndLocalNamesAreNeverFetched(t *testing.T) {
	reg := engine.NewRegistry()
	if err := all.Register(reg, all.Deps{Resolver: "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(reg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := pipeline.New(e, pipeline.Config{})
	checked := 0
	for _, addr := range []string{"x@[127.0.0.1]", "x@[IPv6:::1]", "x@localhost", "x@intranet"} {
		prof, err := svc.Enrich(context.Background(), pipeline.Input{Email: addr, Options: pipeline.Options{Sources: []string{"email", "website", "dns", "rdap"}}})
		if err != nil {
			continue // rejected as input: nothing fetched either
		}
		checked++
		for _, s := range prof.Sources {
			if s.Name == "email" {
				continue
			}
			if s.Status != enrichers.StatusSkipped {
				t.Errorf("%s: %s read %s (%s): it must not be looked up", addr, s.Name, s.Status, s.Detail)
			}
		}
	}
	if checked < 2 {
		t.Fatalf("only %d addresses accepted as input: the test checks nothing", checked)
	}
}
