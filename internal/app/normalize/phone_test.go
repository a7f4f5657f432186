package normalize

import (
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/phone"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, country string
		e164        string
		region      string
		valid       bool
		field       string // non-empty: want an error on this field
	}{
		// United States / Canada.
		{"(415) 555-2671", "US", "+14155552671", "US", true, ""},
		{"415.555.2671", "us", "+14155552671", "US", true, ""},
		{"+1 415 555 2671", "", "+14155552671", "US", true, ""},
		{"001 415 555 2671", "", "+14155552671", "US", true, ""},
		{"1-800-253-0000", "US", "+18002530000", "US", true, ""},
		{"+1 416 555 0123", "", "+14165550123", "CA", true, ""},
		// United Kingdom.
		{"07400 123456", "GB", "+447400123456", "GB", true, ""},
		{"+44 20 7946 0000", "", "+442079460000", "GB", true, ""},
		{"0044 7400 123456", "", "+447400123456", "GB", true, ""},
		// Germany.
		{"030 12345678", "DE", "+493012345678", "DE", true, ""},
		{"+49 151 23456789", "", "+4915123456789", "DE", true, ""},
		// France.
		{"06 12 34 56 78", "FR", "+33612345678", "FR", true, ""},
		{"+33 1 42 68 53 00", "", "+33142685300", "FR", true, ""},
		// Spain, Italy, Netherlands, Switzerland, Sweden, Poland.
		{"612 34 56 78", "ES", "+34612345678", "ES", true, ""},
		{"+39 312 345 6789", "", "+393123456789", "IT", true, ""},
		{"06 12345678", "NL", "+31612345678", "NL", true, ""},
		{"+41 44 668 18 00", "", "+41446681800", "CH", true, ""},
		{"070-123 45 67", "SE", "+46701234567", "SE", true, ""},
		{"+48 512 345 678", "", "+48512345678", "PL", true, ""},
		// Asia-Pacific.
		{"090-1234-5678", "JP", "+819012345678", "JP", true, ""},
		{"+61 412 345 678", "", "+61412345678", "AU", true, ""},
		{"0412 345 678", "AU", "+61412345678", "AU", true, ""},
		{"+91 98765 43210", "", "+919876543210", "IN", true, ""},
		{"+65 8123 4567", "", "+6581234567", "SG", true, ""},
		// Americas.
		{"(11) 96123-4567", "BR", "+5511961234567", "BR", true, ""},
		{"+52 55 1234 5678", "", "+525512345678", "MX", true, ""},
		// Africa.
		{"+27 82 123 4567", "", "+27821234567", "ZA", true, ""},
		{"0803 123 4567", "NG", "+2348031234567", "NG", true, ""},
		// Parsable but invalid: reported valid=false.
		{"+1 415 555", "", "+1415555", "", false, ""},
		{"12", "US", "+112", "", false, ""},
		{"+44 1234", "", "+441234", "", false, ""},
		{"+49 000 0000000", "", "+49000000000", "", false, ""},
		{"+999 123456789", "", "", "", false, "phone"},
		// Unparsable or unusable.
		{"", "US", "", "", false, "phone"},
		{"call me maybe", "US", "", "", false, "phone"},
		{"abc", "", "", "", false, "phone"},
		{"415 555 2671", "", "", "", false, "phone"},
		{"+", "", "", "", false, "phone"},
		{strings.Repeat("1", 80), "US", "", "", false, "phone"},
		{"415 555 2671", "XX", "", "", false, "country"},
		{"415 555 2671", "USA", "", "", false, "country"},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.country, func(t *testing.T) {
			p, err := ParsePhone(tt.in, tt.country)
			if tt.field != "" {
				ne, ok := err.(*Error)
				if !ok || ne.Field != tt.field || ne.Reason == "" {
					t.Fatalf("got %+v, %v; want an error on %s", p, err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.E164 != tt.e164 || p.Valid != tt.valid || (tt.region != "" && p.Region != tt.region) {
				t.Fatalf("got %s region=%s valid=%v", p.E164, p.Region, p.Valid)
			}
		})
	}
}

func TestValidCountry(t *testing.T) {
	for c, want := range map[string]bool{"US": true, "gb": true, " de ": true, "XX": false, "": false, "USA": false} {
		if got := ValidCountry(c); got != want {
			t.Errorf("ValidCountry(%q) = %v", c, got)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range [][2]string{{"(415) 555-2671", "US"}, {"+44 7400 123456", ""}, {"0044 20", ""}, {"abc", "DE"}, {"+", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, country string) {
		p, err := ParsePhone(s, country)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if !p.Valid {
			return
		}
		p2, err := ParsePhone(p.E164, "")
		if err != nil || p2.E164 != p.E164 || !p2.Valid {
			t.Fatalf("E.164 %q does not round-trip: %+v %v", p.E164, p2, err)
		}
	})
}

func BenchmarkParsePhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePhone("(415) 555-2671", "US"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPhoneSourceSharesE164: the phone source describes the number the
// subject's phone.e164 names, valid or not (issue 21: an invalid Isle of
// Man number came back as +44162475678 beside +440162475678).
func TestPhoneSourceSharesE164(t *testing.T) {
	for _, tt := range []struct{ in, country string }{
		{"01624 75678", "IM"}, {"01624 756789", "IM"}, {"020 7946 0000", "GB"}, {"06 1234 5678", "IT"},
		{"0612345678", "IT"}, {"(415) 555-2671", "US"}, {"+1 415 555", ""}, {"030 123", "DE"}, {"+800 1234 5678", ""},
	} {
		p, err := ParsePhone(tt.in, tt.country)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		n, err := phone.FromE164(p.E164)
		if err != nil {
			t.Fatalf("%s: %v", p.E164, err)
		}
		if f := phone.Facts(n); f.E164 != p.E164 || f.Valid != p.Valid {
			t.Errorf("%s %s: subject %s valid=%v, phone source %s valid=%v", tt.in, tt.country, p.E164, p.Valid, f.E164, f.Valid)
		}
	}
}
