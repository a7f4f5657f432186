package phone

import (
	"context"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/harness/sidebyside"
)

// peerNumbers are E.164 numbers as the pipeline hands them to the source:
// mobiles, fixed lines with a location, a toll-free and an invalid one.
var peerNumbers = []string{
	"+14155552671", "+447400123456", "+442079460000", "+493012345678",
	"+33612345678", "+819012345678", "+18002530000", "+440162475678",
}

// nyarukaFacts computes the source's facts with nyaruka/phonenumbers
// directly, as a caller of the library would: parse, then ask each question.
func nyarukaFacts(s string) *enrichers.PhoneFacts {
	n, err := phonenumbers.Parse(s, "ZZ")
	if err != nil {
		return nil
	}
	return libraryFacts(n)
}

// libraryFacts asks the library each of the source's questions about n.
func libraryFacts(n *phonenumbers.PhoneNumber) *enrichers.PhoneFacts {
	f := &enrichers.PhoneFacts{
		Valid:         phonenumbers.IsValidNumber(n),
		Possible:      phonenumbers.IsPossibleNumber(n),
		E164:          phonenumbers.Format(n, phonenumbers.E164),
		National:      phonenumbers.Format(n, phonenumbers.NATIONAL),
		International: phonenumbers.Format(n, phonenumbers.INTERNATIONAL),
		CountryCode:   int(n.GetCountryCode()),
		LineType:      LineType(phonenumbers.GetNumberType(n)),
		Country:       phonenumbers.GetRegionCodeForNumber(n),
	}
	if f.Valid {
		f.Location, _ = phonenumbers.GetGeocodingForNumber(n, "en")
		f.Carrier, _ = phonenumbers.GetCarrierForNumber(n, "en")
		f.TimeZones, _ = phonenumbers.GetTimezonesForNumber(n)
	}
	return f
}

// BenchmarkPhoneVsNyaruka runs the phone source and nyaruka/phonenumbers
// computing the same facts on the same numbers, one after the other in one
// run, and reports ratio = nyaruka's time / ours (issue 21 target ≥ 1.0).
func BenchmarkPhoneVsNyaruka(b *testing.B) {
	s := New()
	if err := s.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	ids := make([]enrichers.Identifier, len(peerNumbers))
	for i, n := range peerNumbers {
		ids[i] = enrichers.Identifier{Kind: enrichers.KindPhone, Value: n}
	}
	ours := func() {
		for _, id := range ids {
			if _, err := s.Enrich(context.Background(), id); err != nil {
				b.Fatal(err)
			}
		}
	}
	peer := func() {
		for _, n := range peerNumbers {
			if nyarukaFacts(n) == nil {
				b.Fatal(n)
			}
		}
	}
	sidebyside.Compare(b, "nyaruka", ours, peer)
}
