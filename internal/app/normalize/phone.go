package normalize

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/footprint-oss/footprint/enrichers/numplan"
)

// Phone is a parsed phone number.
type Phone struct {
	E164        string
	Region      string // ISO 3166-1 alpha-2 of the number ("" if unknown)
	CountryCode int
	Valid       bool
	Possible    bool
	Number      *phonenumbers.PhoneNumber
}

// ValidCountry reports whether country is a region libphonenumber knows.
func ValidCountry(country string) bool {
	c := strings.ToUpper(strings.TrimSpace(country))
	return len(c) == 2 && phonenumbers.GetCountryCodeForRegion(c) != 0
}

// ParsePhone parses s, reading national numbers in region country.
func ParsePhone(s, country string) (Phone, error) {
	s = strings.TrimSpace(s)
	country = strings.ToUpper(strings.TrimSpace(country))
	if country != "" && !ValidCountry(country) {
		return Phone{}, &Error{Field: "country", Reason: "not an ISO 3166-1 alpha-2 region code"}
	}
	if s == "" {
		return Phone{}, &Error{Field: "phone", Reason: "is empty"}
	}
	if len(s) > 64 {
		return Phone{}, &Error{Field: "phone", Reason: "longer than 64 characters"}
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	region := country
	if region == "" {
		region = "ZZ"
	}
	if !strings.HasPrefix(s, "+") && country == "" {
		return Phone{}, &Error{Field: "phone", Reason: "national number without a country: use +<country code> or set country"}
	}
	n, err := numplan.Parse(s, region) // phonenumbers.Parse, without its extension scan for a plain +number
	if err != nil {
		return Phone{}, &Error{Field: "phone", Reason: phoneReason(err)}
	}
	// The region and the validity in one pass (numplan: libphonenumber's
	// answers without its regular expressions): for a calling code several
	// regions share (+1, +44, +7) finding the region already matches the
	// number against each region's patterns.
	// The national significant number is written once for all three.
	nsn := numplan.NSN(n)
	region, t := numplan.DescribeNSN(n, nsn)
	p := Phone{
		Number:      n,
		CountryCode: int(n.GetCountryCode()),
		Valid:       region != "" && t != phonenumbers.UNKNOWN, // phonenumbers.IsValidNumberForRegion(n, region)
		Possible:    numplan.Possible(n, nsn),
		Region:      region,
	}
	if n.GetExtension() == "" && n.GetRawInput() == "" {
		p.E164 = numplan.FormatNSN(n, nsn, phonenumbers.E164)
	} else {
		p.E164 = numplan.Format(n, phonenumbers.E164)
	}
	if p.Region == "ZZ" {
		p.Region = ""
	}
	return p, nil
}

func phoneReason(err error) string {
	switch err {
	case phonenumbers.ErrInvalidCountryCode:
		return "unknown country calling code"
	case phonenumbers.ErrNotANumber:
		return "not a phone number"
	case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
		return "too short to be a phone number"
	case phonenumbers.ErrNumTooLong:
		return "too long to be a phone number"
	}
	return "not a phone number"
}
