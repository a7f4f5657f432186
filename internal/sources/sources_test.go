package sources_test

import (
	"context"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/pipeline"
	"github.com/footprint-oss/footprint/internal/sources"
)

func TestRegisterListsEverySourceOnce(t *testing.T) {
	reg := enrichers.NewRegistry()
	if err := sources.Register(reg, sources.Deps{}); err != nil {
		t.Fatal(err)
	}
	if reg.Len() < 17 {
		t.Fatalf("%d sources registered", reg.Len())
	}
	e, err := enrichers.NewEngine(reg, enrichers.Options{})
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
	reg := enrichers.NewRegistry()
	if err := sources.Register(reg, sources.Deps{}); err != nil {
		b.Fatal(err)
	}
	e, err := enrichers.NewEngine(reg, enrichers.Options{})
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
