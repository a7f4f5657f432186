// Package phone is the offline phone source: numbering-plan intelligence
// from libphonenumber's metadata (validity, formats, region, geographic
// description, original carrier, line type, time zones).
package phone

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/numplan"
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
		Inline:      true,
		RatePerS:    100000,
		Burst:       100000,
		Timeout:     500 * time.Millisecond,
		TTL:         30 * 24 * time.Hour,
		NegativeTTL: 30 * 24 * time.Hour,
	}
}

// Warm makes libphonenumber load its time-zone data, numplan build every
// pattern's automaton and this package read its geocoding and carrier
// tables.
func (s *Source) Warm(ctx context.Context) error {
	numplan.Warm()
	geocodes()
	carriers()
	_, err := s.Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+14155552671"})
	return err
}

// Enrich implements enrichers.Enricher. id.Value is E.164, as the
// pipeline's normalization formatted it: the number is rebuilt from it
// (FromE164), not parsed a second time, so the facts describe the very
// number the subject's phone.e164 names.
func (*Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, nsn, err := fromE164(id.Value)
	if err != nil {
		return nil, fmt.Errorf("phone: %w", err)
	}
	// The string is the number's E.164 form and holds its national
	// significant number: neither is written again.
	return &enrichers.Finding{Phone: facts(n, nsn, id.Value)}, nil
}

// ErrNotE164 is FromE164's error for a string that is not +<digits> with a
// known country calling code.
var ErrNotE164 = errors.New("not an E.164 number with a known country calling code")

// FromE164 rebuilds the number phonenumbers.Format(n, E164) wrote, without
// parsing it again: the country calling code (calling codes are a prefix
// code, so at most one of the first one to three digits is one) and the
// national significant number, leading zeros kept as the Italian leading
// zero. Parsing "+440162475678" would read its 0 as the UK trunk prefix
// and describe +44162475678 instead.
func FromE164(s string) (*phonenumbers.PhoneNumber, error) {
	n, _, err := fromE164(s)
	return n, err
}

// fromE164 is FromE164, also returning the national significant number
// (numplan.NSN of the number): the part of s after the calling code.
func fromE164(s string) (n *phonenumbers.PhoneNumber, nsn string, err error) {
	if len(s) < 3 || len(s) > 18 || s[0] != '+' {
		return nil, "", ErrNotE164
	}
	digits := s[1:]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, "", ErrNotE164
		}
	}
	for l := 1; l <= 3 && l < len(digits); l++ {
		cc, _ := strconv.Atoi(digits[:l])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		nsn := digits[l:]
		nn, err := strconv.ParseUint(nsn, 10, 64)
		if err != nil {
			return nil, "", ErrNotE164
		}
		return numplan.Number(int32(cc), nsn, nn), nsn, nil
	}
	return nil, "", ErrNotE164
}

// Facts describes a parsed number. Validity is the line type's: a number
// is valid exactly when its region's metadata gives it a type, so region,
// validity and type are one pass over the region's patterns (numplan,
// which gives libphonenumber's answers without its regular expressions).
func Facts(n *phonenumbers.PhoneNumber) *enrichers.PhoneFacts {
	// The national significant number, written once for every answer.
	return facts(n, numplan.NSN(n), "")
}

// facts is Facts, given numplan.NSN(n) and, when known, n's E.164 form
// ("": it is written here).
func facts(n *phonenumbers.PhoneNumber, nsn, e164 string) *enrichers.PhoneFacts {
	plain := n.GetExtension() == "" && n.GetRawInput() == ""
	if !plain {
		e164 = "" // an extension is part of the E.164 form
	}
	format := func(f phonenumbers.PhoneNumberFormat) string {
		if plain {
			return numplan.FormatNSN(n, nsn, f)
		}
		return numplan.Format(n, f)
	}
	region, t := numplan.DescribeNSN(n, nsn)
	f := &enrichers.PhoneFacts{
		Valid:       t != phonenumbers.UNKNOWN,
		Possible:    numplan.Possible(n, nsn),
		E164:        e164,
		CountryCode: int(n.GetCountryCode()),
		LineType:    LineType(t),
	}
	if f.E164 == "" {
		f.E164 = format(phonenumbers.E164)
	}
	if plain {
		f.National, f.International = numplan.FormatsNSN(n, nsn)
	} else {
		f.National, f.International = format(phonenumbers.NATIONAL), format(phonenumbers.INTERNATIONAL)
	}
	if region != "ZZ" {
		f.Country = region
	}
	if !f.Valid {
		return f
	}
	// The place and the carrier are libphonenumber's English ones, looked
	// up in the tables this package embeds (prefixdata.go), the place
	// named by the region already found when the table has none: what
	// GetGeocodingForNumber(n, "en") and GetCarrierForNumber(n, "en")
	// answer (TestFactsAgreeWithLibphonenumber).
	f.Location = geocodes().locate(f.E164, region)
	f.Carrier = carriers().lookup(f.E164)
	if tz, err := phonenumbers.GetTimezonesForPrefix(f.E164); err == nil { // what GetTimezonesForNumber does, minus formatting again
		for _, z := range tz {
			if z != "" && z != "Etc/Unknown" {
				if f.TimeZones == nil {
					f.TimeZones = make([]string, 0, len(tz))
				}
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
