package phone

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/footprint-oss/footprint/enrichers"
)

// naiveFacts is what Facts computed before it shared the line type with
// validity: each question asked of libphonenumber on its own.
func naiveFacts(n *phonenumbers.PhoneNumber) (valid, possible bool, e164, national, intl, region string, t phonenumbers.PhoneNumberType) {
	return phonenumbers.IsValidNumber(n), phonenumbers.IsPossibleNumber(n),
		phonenumbers.Format(n, phonenumbers.E164), phonenumbers.Format(n, phonenumbers.NATIONAL),
		phonenumbers.Format(n, phonenumbers.INTERNATIONAL), phonenumbers.GetRegionCodeForNumber(n), phonenumbers.GetNumberType(n)
}

// exampleNumbers are libphonenumber's example numbers of every region and
// type, and each one shortened and lengthened by a digit (mostly invalid).
func exampleNumbers() []*phonenumbers.PhoneNumber {
	var out []*phonenumbers.PhoneNumber
	regions := make([]string, 0, 256)
	for r := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	for _, r := range regions {
		for t := phonenumbers.FIXED_LINE; t <= phonenumbers.VOICEMAIL; t++ {
			n := phonenumbers.GetExampleNumberForType(r, t)
			if n == nil {
				continue
			}
			out = append(out, n)
			for _, s := range []string{phonenumbers.Format(n, phonenumbers.E164)[:len(phonenumbers.Format(n, phonenumbers.E164))-1], phonenumbers.Format(n, phonenumbers.E164) + "7"} {
				if m, err := phonenumbers.Parse(s, "ZZ"); err == nil {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// TestFromE164RoundTrip: the number rebuilt from its E.164 string formats
// to the same string and has the same facts as the parsed one, for every
// example number of libphonenumber and its invalid neighbours.
func TestFromE164RoundTrip(t *testing.T) {
	nums := exampleNumbers()
	if len(nums) < 2000 {
		t.Fatalf("only %d example numbers", len(nums))
	}
	for _, n := range nums {
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		m, err := FromE164(e164)
		if err != nil {
			t.Errorf("%s: %v", e164, err)
			continue
		}
		v1, p1, e1, nat1, int1, r1, t1 := naiveFacts(n)
		v2, p2, e2, nat2, int2, r2, t2 := naiveFacts(m)
		if v1 != v2 || p1 != p2 || e1 != e2 || nat1 != nat2 || int1 != int2 || r1 != r2 || t1 != t2 {
			t.Errorf("%s: parsed %v %v %s %s %s %s %v, rebuilt %v %v %s %s %s %s %v", e164, v1, p1, e1, nat1, int1, r1, t1, v2, p2, e2, nat2, int2, r2, t2)
		}
		f := Facts(m)
		if f.Valid != v1 || f.Possible != p1 || f.E164 != e164 || (v1 && f.LineType != LineType(t1)) || (!v1 && f.LineType != "unknown") {
			t.Errorf("%s: Facts %+v, want valid=%v possible=%v type=%v", e164, f, v1, p1, t1)
		}
	}
}

func TestFromE164(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = error
	}{
		{"+14155552671", "+14155552671"},
		{"+440162475678", "+440162475678"}, // an invalid IM number keeps its 0
		{"+390612345678", "+390612345678"}, // Italian leading zero
		{"+3900012345", "+3900012345"},     // several leading zeros
		{"+80012345678", "+80012345678"},   // non-geographic
		{"+999123", ""},                    // no such calling code
		{"14155552671", ""},
		{"+1415555267a", ""},
		{"+", ""},
		{"+1", ""},
		{"+1234567890123456789", ""},
	}
	for _, tt := range tests {
		n, err := FromE164(tt.in)
		got := ""
		if err == nil {
			got = phonenumbers.Format(n, phonenumbers.E164)
		}
		if got != tt.want {
			t.Errorf("FromE164(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFactsUnchangedForParsed(t *testing.T) {
	n, err := phonenumbers.Parse("+442079460000", "ZZ")
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromE164("+442079460000")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := Facts(n), Facts(m); !reflect.DeepEqual(a, b) {
		t.Fatalf("parsed %+v, rebuilt %+v", a, b)
	}
}

// TestSourceAnswersFacts: the source, which takes the national
// significant number and the E.164 form from the string it is given
// instead of writing them again, answers what Facts answers for the
// number rebuilt from that string, for every example number of
// libphonenumber and invalid neighbours of each (one digit changed, one
// added, one dropped).
func TestSourceAnswersFacts(t *testing.T) {
	src := New()
	for _, n := range exampleNumbers() {
		e := phonenumbers.Format(n, phonenumbers.E164)
		last := e[len(e)-1]
		for _, e164 := range []string{e, e[:len(e)-1] + string('0'+(last-'0'+3)%10), e + "7", e[:len(e)-1]} {
			m, err := FromE164(e164)
			if err != nil {
				continue
			}
			got, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindPhone, Value: e164})
			if err != nil {
				t.Fatalf("%s: %v", e164, err)
			}
			if want := Facts(m); !reflect.DeepEqual(got.Phone, want) {
				t.Errorf("%s:\n source %+v\n Facts  %+v", e164, *got.Phone, *want)
			}
		}
	}
}
