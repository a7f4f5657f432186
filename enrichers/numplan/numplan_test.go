package numplan

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// numbers returns libphonenumber's example number of every type of every
// region and non-geographic calling code, and numbers made from each (last
// digits changed, one digit more and one less, a leading zero), plus
// random national numbers of every length for every calling code: valid,
// invalid, too short and too long ones, in regions that share a calling
// code and in those that don't.
func numbers(t *testing.T, randomPerCode int) []*phonenumbers.PhoneNumber {
	variantsEvery := 1
	if testing.Short() || raceEnabled {
		variantsEvery = 5
	}
	t.Helper()
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	var examples []*phonenumbers.PhoneNumber
	for r := range phonenumbers.GetSupportedRegions() {
		for _, ty := range types {
			if n := phonenumbers.GetExampleNumberForType(r, ty); n != nil {
				examples = append(examples, n)
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if n := phonenumbers.GetExampleNumberForNonGeoEntity(cc); n != nil {
			examples = append(examples, n)
		}
	}
	if len(examples) < 1000 {
		t.Fatalf("only %d example numbers", len(examples))
	}
	mk := func(cc int32, nsn string) *phonenumbers.PhoneNumber {
		nn, err := strconv.ParseUint(nsn, 10, 64)
		if err != nil || nsn == "" {
			return nil
		}
		n := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}
		z := 0
		for z < len(nsn)-1 && nsn[z] == '0' {
			z++
		}
		if z > 0 {
			yes, zz := true, int32(z)
			n.ItalianLeadingZero = &yes
			if z > 1 {
				n.NumberOfLeadingZeros = &zz
			}
		}
		return n
	}
	out := slices.Clone(examples)
	for i, n := range examples {
		if i%variantsEvery != 0 {
			continue
		}
		nsn := phonenumbers.GetNationalSignificantNumber(n)
		cc := n.GetCountryCode()
		for _, v := range []string{
			nsn[:len(nsn)-1] + string('0'+(nsn[len(nsn)-1]-'0'+3)%10),
			nsn + "7", nsn[:len(nsn)-1], "0" + nsn, "00" + nsn,
		} {
			if m := mk(cc, v); m != nil {
				out = append(out, m)
			}
		}
	}
	rng := rand.New(rand.NewPCG(21, 21))
	codes := phonenumbers.GetSupportedCallingCodes()
	for _, cc := range slices.Sorted(func(yield func(int) bool) {
		for c := range codes {
			if !yield(c) {
				return
			}
		}
	}) {
		for range randomPerCode {
			l := 3 + rng.IntN(14)
			b := make([]byte, l)
			for i := range b {
				b[i] = byte('0' + rng.IntN(10))
			}
			if m := mk(int32(cc), string(b)); m != nil {
				out = append(out, m)
			}
		}
	}
	return out
}

// TestAgreesWithLibphonenumber: Describe, Format and FormatsNSN give the
// library's answers for every number above.
func TestAgreesWithLibphonenumber(t *testing.T) {
	per := 60
	if testing.Short() || raceEnabled {
		per = 2
	}
	valid := 0
	all := numbers(t, per)
	for _, n := range all {
		wantRegion, wantType := phonenumbers.GetRegionCodeForNumber(n), phonenumbers.GetNumberType(n)
		region, ty := Describe(n)
		if region != wantRegion || ty != wantType {
			t.Errorf("+%d %s: Describe = %q, %v; library %q, %v", n.GetCountryCode(), NSN(n), region, ty, wantRegion, wantType)
		}
		if ty != phonenumbers.UNKNOWN {
			valid++
		}
		if got, want := NSN(n), phonenumbers.GetNationalSignificantNumber(n); got != want {
			t.Errorf("NSN = %q, library %q", got, want)
		}
		for _, f := range []phonenumbers.PhoneNumberFormat{phonenumbers.E164, phonenumbers.NATIONAL, phonenumbers.INTERNATIONAL} {
			if got, want := Format(n, f), phonenumbers.Format(n, f); got != want {
				t.Errorf("+%d %s format %v: %q, library %q", n.GetCountryCode(), NSN(n), f, got, want)
			}
		}
		if n.GetExtension() == "" && n.GetRawInput() == "" {
			nat, intl := FormatsNSN(n, NSN(n))
			if wantNat, wantIntl := phonenumbers.Format(n, phonenumbers.NATIONAL), phonenumbers.Format(n, phonenumbers.INTERNATIONAL); nat != wantNat || intl != wantIntl {
				t.Errorf("+%d %s: FormatsNSN = %q, %q; library %q, %q", n.GetCountryCode(), NSN(n), nat, intl, wantNat, wantIntl)
			}
		}
		if got, want := Possible(n, NSN(n)), phonenumbers.IsPossibleNumber(n); got != want {
			t.Errorf("+%d %s: Possible = %v, library %v", n.GetCountryCode(), NSN(n), got, want)
		}
	}
	t.Logf("%d numbers, %d valid", len(all), valid)
	if valid < 1000 {
		t.Errorf("only %d of %d numbers valid: the sample misses valid numbers", valid, len(all))
	}
}

// TestPossibleEveryLength: Possible gives IsPossibleNumber's answer for
// national significant numbers of every length from 1 to 19 digits (past
// the tabled 17 too), with and without leading zeros, for every supported
// calling code and for codes the library does not know; and Number builds
// the number the library's own fields describe.
func TestPossibleEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	codes := slices.Collect(func(yield func(int) bool) {
		for c := range phonenumbers.GetSupportedCallingCodes() {
			if !yield(c) {
				return
			}
		}
	})
	slices.Sort(codes)
	codes = append(codes, 0, 999, 2000)
	checked := 0
	for _, cc := range codes {
		for l := 1; l <= 19; l++ {
			for _, zeros := range []int{0, 1, 3} {
				if zeros >= l {
					continue
				}
				b := make([]byte, l)
				for i := range b {
					b[i] = byte('1' + rng.IntN(9))
				}
				for i := range zeros {
					b[i] = '0'
				}
				nsn := string(b)
				nn, err := strconv.ParseUint(nsn, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				n := Number(int32(cc), nsn, nn)
				if got := phonenumbers.GetNationalSignificantNumber(n); got != nsn {
					t.Fatalf("+%d %s: Number's NSN is %q", cc, nsn, got)
				}
				if n.GetCountryCode() != int32(cc) || n.GetNationalNumber() != nn {
					t.Fatalf("+%d %s: Number = %v", cc, nsn, n)
				}
				if got, want := Possible(n, NSN(n)), phonenumbers.IsPossibleNumber(n); got != want {
					t.Errorf("+%d %s (%d digits): Possible = %v, library %v", cc, nsn, l, got, want)
				}
				checked++
			}
		}
	}
	t.Logf("%d numbers", checked)
}

// TestMatcher checks the automaton against package regexp on patterns
// with what libphonenumber's use: alternation, classes, counted repeats,
// optional groups, and a pattern that matches nothing but the empty string.
func TestMatcher(t *testing.T) {
	patterns := []string{
		`[2-9]\d{9}`, `(?:2(?:0[1-9]|1[02-9])|3[0-8])\d{5,6}`, `1(?:[2-9]\d{3})?`, ``, `\d{2}|(?:3|5)\d{4,}`,
		`7(?:[1-57-9]\d\d|6(?:[0-35-9]\d|4[0-8]))\d{5}`, `[^0]\d+`, `(\d{3})(\d{3})(\d{4})`,
	}
	inputs := []string{"", "0", "1", "12", "1234", "2015550123", "20155501234", "301234567", "3012345678",
		"71234567890", "7640123456", "764912345", "35555", "12345", "1a", "٣٢"}
	for _, p := range patterns {
		m := newMatcher(p)
		for _, s := range inputs {
			if got, want := m.Full(s), m.regexps().full.MatchString(s); got != want {
				t.Errorf("%q Full(%q) = %v, regexp %v", p, s, got, want)
			}
			if got, want := m.Prefix(s), m.regexps().prefix.MatchString(s); got != want {
				t.Errorf("%q Prefix(%q) = %v, regexp %v", p, s, got, want)
			}
		}
		if p != "" && m.next == nil {
			t.Errorf("%q: no automaton", p)
		}
	}
}

// TestEveryPatternHasAnAutomaton: no metadata pattern falls back to
// package regexp but those with an assertion ($ in some national prefixes
// for parsing), none for more than maxStates states.
func TestEveryPatternHasAnAutomaton(t *testing.T) {
	ms := plan().matchers
	if len(ms) < 1000 {
		t.Fatalf("only %d patterns", len(ms))
	}
	Warm()
	most := 0
	for _, m := range ms {
		if m.next == nil && !strings.ContainsAny(m.pattern, "^$") {
			t.Errorf("%q: matched by regexp, not an automaton", m.pattern)
		}
		most = max(most, len(m.next))
	}
	t.Logf("%d patterns, largest automaton %d states", len(ms), most)
}

// TestParseAgreesWithLibphonenumber: Parse returns what the library's Parse
// does (the same number, or its error) for numbers written in every way
// the fast path reads and many it leaves to the library.
func TestParseAgreesWithLibphonenumber(t *testing.T) {
	step := 4 // every 4th number, about 1 700, each written 15 ways
	if testing.Short() || raceEnabled {
		step = 50
	}
	var inputs []string
	all := numbers(t, 4)
	for i := 0; i < len(all); i += step {
		n := all[i]
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		cc := strconv.Itoa(int(n.GetCountryCode()))
		nsn := phonenumbers.GetNationalSignificantNumber(n)
		inputs = append(inputs, e164,
			phonenumbers.Format(n, phonenumbers.INTERNATIONAL),
			"+"+cc+" ("+nsn[:min(3, len(nsn))]+") "+nsn[min(3, len(nsn)):]+")",
			"+ "+cc+"."+nsn, "+"+cc+"-0"+nsn, "+"+cc+" 1"+nsn, "+"+cc+" 8"+nsn,
			e164+" ext 12", e164+"#", e164+",,3", e164+";ext=9", "++"+cc+nsn, "+0"+nsn, "+"+cc,
			phonenumbers.Format(n, phonenumbers.NATIONAL))
	}
	inputs = append(inputs, "+", "+1", "+12", "+999 123", "+1 (", "+44 7400 123456 x", "+1 800 FLOWERS",
		"+1234567890123456789012345678901234567", "+٤٤٧٤٠٠١٢٣٤٥٦")
	fast := 0
	for _, s := range inputs {
		for _, region := range []string{"ZZ", "GB"}[:1+len(s)%2] {
			want, werr := phonenumbers.Parse(s, region)
			got, err := Parse(s, region)
			if (err != nil) != (werr != nil) || err != nil && err != werr {
				t.Errorf("Parse(%q, %s) error %v, library %v", s, region, err, werr)
				continue
			}
			if err == nil && got.String() != want.String() {
				t.Errorf("Parse(%q, %s) = %v, library %v", s, region, got, want)
			}
		}
		if parseInternational(s) != nil {
			fast++
		}
	}
	t.Logf("%d inputs, %d read without the library", len(inputs), fast)
	if fast < len(inputs)/4 {
		t.Errorf("only %d of %d inputs took the fast path", fast, len(inputs))
	}
}

// TestDigitGroups: every format pattern in the metadata is read as a run
// of digit groups, so that no format is searched for by the regexp.
func TestDigitGroups(t *testing.T) {
	for _, tt := range []struct {
		p    string
		want []span
	}{
		{`(\d{3})(\d{4})`, []span{{3, 3}, {4, 4}}},
		{`(\d)(\d{2,4})`, []span{{1, 1}, {2, 4}}},
		{`(\d{3})-(\d{4})`, nil},
		{`(\d{3})(\d{4}`, nil},
		{`(\d{4,3})`, nil},
		{`(\d+)`, nil},
		{`([2-9]\d{2})`, nil},
	} {
		if got := digitGroups(tt.p); !slices.Equal(got, tt.want) {
			t.Errorf("digitGroups(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
	n := 0
	for _, r := range plan().regions {
		for _, f := range slices.Concat(r.national, r.intl) {
			n++
			if f.groups == nil || len(f.groups) > maxGroups {
				t.Errorf("region %s: format %q is searched for by the regexp", r.id, f.source)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d formats", n)
	}
}
