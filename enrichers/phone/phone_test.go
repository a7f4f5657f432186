package phone

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/nyaruka/phonenumbers"

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

// TestFactsAgreeWithLibphonenumber: the source's facts are what the library
// answers when asked each question directly (libraryFacts), for the example
// number of every type of every region and numbers made from each (last
// digit changed, one digit more, one less).
func TestFactsAgreeWithLibphonenumber(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	var e164s []string
	for _, r := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		for _, ty := range types {
			n := phonenumbers.GetExampleNumberForType(r, ty)
			if n == nil {
				continue
			}
			e := phonenumbers.Format(n, phonenumbers.E164)
			last := e[len(e)-1]
			e164s = append(e164s, e, e[:len(e)-1]+string('0'+(last-'0'+3)%10), e+"7", e[:len(e)-1])
		}
	}
	if len(e164s) < 4000 {
		t.Fatalf("only %d numbers", len(e164s))
	}
	located, carried := 0, 0
	for _, e := range e164s {
		n, err := FromE164(e)
		if err != nil {
			continue
		}
		got, want := Facts(n), libraryFacts(n)
		if want.Country == "ZZ" {
			want.Country = ""
		}
		want.TimeZones = slices.DeleteFunc(want.TimeZones, func(z string) bool { return z == "" || z == "Etc/Unknown" })
		if len(want.TimeZones) == 0 {
			want.TimeZones = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", e, *got, *want)
		}
		if got.Location != "" {
			located++
		}
		if got.Carrier != "" {
			carried++
		}
	}
	t.Logf("%d numbers, %d with a location, %d with a carrier", len(e164s), located, carried)
}
