package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/nyaruka/phonenumbers"
)

// phoneGen builds valid numbers from libphonenumber's example numbers by
// varying their trailing digits and keeping only valid ones of the asked
// line type.
type phoneGen struct {
	examples map[string]map[string]string // region → type → E.164 example
}

func phoneTypes() map[string]phonenumbers.PhoneNumberType {
	return map[string]phonenumbers.PhoneNumberType{
		"mobile": phonenumbers.MOBILE, "fixed_line": phonenumbers.FIXED_LINE, "voip": phonenumbers.VOIP,
	}
}

func newPhoneGen() *phoneGen {
	pg := &phoneGen{examples: map[string]map[string]string{}}
	for _, c := range countries() {
		pg.examples[c.code] = map[string]string{}
		for name, t := range phoneTypes() {
			if n := phonenumbers.GetExampleNumberForType(c.code, t); n != nil {
				pg.examples[c.code][name] = phonenumbers.Format(n, phonenumbers.E164)
			}
		}
	}
	return pg
}

func (pg *phoneGen) hasVoIP(region string) bool { return pg.examples[region]["voip"] != "" }

func (pg *phoneGen) voipRegions() []string {
	var out []string
	for _, c := range countries() {
		if pg.hasVoIP(c.code) {
			out = append(out, c.code)
		}
	}
	slices.Sort(out)
	return out
}

// number returns a valid E.164 number of the region and line type.
func (pg *phoneGen) number(rng *rand.Rand, region, typ string) string {
	ex := pg.examples[region][typ]
	if ex == "" {
		ex = pg.examples[region]["mobile"]
		typ = "mobile"
	}
	want := phoneTypes()[typ]
	for range 200 {
		b := []byte(ex)
		k := min(6, len(b)-5)
		for i := len(b) - k; i < len(b); i++ {
			b[i] = byte('0' + rng.IntN(10))
		}
		n, err := phonenumbers.Parse(string(b), "")
		if err != nil || !phonenumbers.IsValidNumberForRegion(n, region) {
			continue
		}
		got := phonenumbers.GetNumberType(n)
		if got == want || (got == phonenumbers.FIXED_LINE_OR_MOBILE && want != phonenumbers.VOIP) {
			return string(b)
		}
	}
	return ex
}
