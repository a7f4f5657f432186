package phone

import (
	"context"
	"slices"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func TestEnrichTable(t *testing.T) {
	tests := []struct {
		e164, country, lineType string
		valid                   bool
		location, carrier, tz   string
	}{
		{"+14155552671", "US", "fixed_line_or_mobile", true, "San Francisco, CA", "", "America/Los_Angeles"},
		{"+447400123456", "GB", "mobile", true, "", "", "Europe/London"},
		{"+442079460000", "GB", "fixed_line", true, "London", "", "Europe/London"},
		{"+493012345678", "DE", "fixed_line", true, "Berlin", "", "Europe/Berlin"},
		{"+4915123456789", "DE", "mobile", true, "", "", "Europe/Berlin"},
		{"+33612345678", "FR", "mobile", true, "", "", "Europe/Paris"},
		{"+34612345678", "ES", "mobile", true, "", "", "Europe/Madrid"},
		{"+393123456789", "IT", "mobile", true, "", "", "Europe/Rome"},
		{"+61412345678", "AU", "mobile", true, "", "", ""},
		{"+819012345678", "JP", "mobile", true, "", "", "Asia/Tokyo"},
		{"+5511961234567", "BR", "mobile", true, "", "", ""},
		{"+919876543210", "IN", "mobile", true, "", "", "Asia/Calcutta"},
		{"+18002530000", "US", "toll_free", true, "", "", ""},
		{"+19002530000", "US", "premium_rate", true, "", "", ""},
		{"+445612345678", "GB", "voip", true, "", "", ""},
		{"+31612345678", "NL", "mobile", true, "", "", "Europe/Amsterdam"},
		{"+1415555", "", "unknown", false, "", "", ""},
	}
	s := New()
	for _, tt := range tests {
		t.Run(tt.e164, func(t *testing.T) {
			f, err := s.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindPhone, Value: tt.e164})
			if err != nil {
				t.Fatal(err)
			}
			p := f.Phone
			if p.Valid != tt.valid || p.LineType != tt.lineType || (tt.valid && p.Country != tt.country) {
				t.Fatalf("got %+v", p)
			}
			if tt.location != "" && p.Location != tt.location {
				t.Errorf("location %q, want %q", p.Location, tt.location)
			}
			if tt.tz != "" && !slices.Contains(p.TimeZones, tt.tz) {
				t.Errorf("time zones %v, want %s", p.TimeZones, tt.tz)
			}
			if tt.valid && (p.National == "" || p.International == "" || p.E164 != tt.e164) {
				t.Errorf("formats %+v", p)
			}
		})
	}
}

func TestCarrier(t *testing.T) {
	// A UK Vodafone mobile range from libphonenumber's carrier data.
	f, err := New().Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+447711123456"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Phone.Carrier == "" {
		t.Fatalf("no carrier for a UK mobile: %+v", f.Phone)
	}
}

func BenchmarkPhoneEnrich(b *testing.B) {
	s := New()
	id := enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+14155552671"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Enrich(context.Background(), id); err != nil {
			b.Fatal(err)
		}
	}
}
