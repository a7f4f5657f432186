// Package phone is the offline phone source: numbering-plan intelligence
// from libphonenumber's metadata (validity, formats, region, geographic
// description, original carrier, line type, time zones).
package phone

import (
	"context"
	"fmt"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/footprint-oss/footprint/enrichers"
)

// Name is the source name.
const Name = "phone"

// Source is the phone source.
type Source struct{}

var _ enrichers.Enricher = (*Source)(nil)

// New returns the source.
func New() *Source { return &Source{} }

// Describe implements enrichers.Enricher.
func (*Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Offline numbering-plan intelligence: validity, E.164 and display formats, region, location, original carrier, line type, time zones.",
		Version:     1,
		Inputs:      []enrichers.Kind{enrichers.KindPhone},
		Network:     false,
		RatePerS:    100000,
		Burst:       100000,
		Timeout:     500 * time.Millisecond,
		TTL:         30 * 24 * time.Hour,
		NegativeTTL: 30 * 24 * time.Hour,
	}
}

// Warm makes libphonenumber load its carrier, geocoding and time-zone data.
func (s *Source) Warm(ctx context.Context) error {
	_, err := s.Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+14155552671"})
	return err
}

// Enrich implements enrichers.Enricher. id.Value is E.164.
func (*Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, err := phonenumbers.Parse(id.Value, "ZZ")
	if err != nil {
		return nil, fmt.Errorf("phone: parse: %w", err)
	}
	return &enrichers.Finding{Phone: Facts(n)}, nil
}

// Facts describes a parsed number.
func Facts(n *phonenumbers.PhoneNumber) *enrichers.PhoneFacts {
	f := &enrichers.PhoneFacts{
		Valid:         phonenumbers.IsValidNumber(n),
		Possible:      phonenumbers.IsPossibleNumber(n),
		E164:          phonenumbers.Format(n, phonenumbers.E164),
		National:      phonenumbers.Format(n, phonenumbers.NATIONAL),
		International: phonenumbers.Format(n, phonenumbers.INTERNATIONAL),
		CountryCode:   int(n.GetCountryCode()),
		LineType:      LineType(phonenumbers.GetNumberType(n)),
	}
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "ZZ" {
		f.Country = r
	}
	if !f.Valid {
		f.LineType = "unknown"
		return f
	}
	if loc, err := phonenumbers.GetGeocodingForNumber(n, "en"); err == nil {
		f.Location = loc
	}
	if c, err := phonenumbers.GetCarrierForNumber(n, "en"); err == nil {
		f.Carrier = c
	}
	if tz, err := phonenumbers.GetTimezonesForNumber(n); err == nil {
		for _, z := range tz {
			if z != "" && z != "Etc/Unknown" {
				f.TimeZones = append(f.TimeZones, z)
			}
		}
	}
	return f
}

// LineType maps libphonenumber's number type to footprint's vocabulary.
func LineType(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE:
		return "fixed_line"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed_line_or_mobile"
	case phonenumbers.VOIP:
		return "voip"
	case phonenumbers.TOLL_FREE:
		return "toll_free"
	case phonenumbers.PREMIUM_RATE:
		return "premium_rate"
	case phonenumbers.SHARED_COST:
		return "shared_cost"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal_number"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "uan"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return "unknown"
}
