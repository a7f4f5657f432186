// Package numplan answers three of libphonenumber's questions about a
// parsed number — its region, its type (and so its validity) and its
// national and international formats — with the library's own metadata
// and rules, but with each number pattern matched by a small deterministic
// automaton over digits, built once per pattern on first use.
//
// nyaruka/phonenumbers, for the same answers, builds every pattern's
// anchored source string and looks it up in a locked map of compiled
// regular expressions on every test, matches each type's pattern twice
// (isNumberMatchingDesc, then isNumberPossibleForDesc again), and for a
// calling code shared by several regions (+1, +44, +7) tests the number
// region by region, then again for its type. The answers here are the
// library's (TestAgreesWithLibphonenumber compares them over every example
// number of every region and type and numbers made from them); the library
// is still what parses numbers and holds the metadata.
//
// It is a leaf helper: pure functions over the library's embedded
// metadata, no I/O. The tables are built once per process, on first use.
package numplan

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// desc is one PhoneNumberDesc: its pattern and its possible lengths.
type desc struct {
	m       *matcher
	lengths []int32
}

// matches is libphonenumber's isNumberMatchingDesc: a possible length
// (when the desc lists any) and the whole national pattern.
func (d *desc) matches(nsn string) bool {
	if d == nil {
		return false
	}
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			if int(l) == len(nsn) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return d.m.Full(nsn)
}

// format is one NumberFormat.
type format struct {
	full     *matcher // the pattern, matched whole
	leading  *matcher // the last (most detailed) leading-digits pattern; nil if none
	source   string   // the pattern, for the replacement
	intlRule string   // the format
	natRule  string   // the format with the national prefix formatting rule in its first group
	intl     template // intlRule, read once
	nat      template // natRule, read once
	// groups is the pattern read as a run of digit groups, (\d{2})(\d{3,4})
	// (every pattern in the metadata is one); nil if it is not one.
	groups []span
	once   sync.Once
	re     *regexp.Regexp
}

// span is one group of a pattern: between min and max digits.
type span struct{ min, max int }

// apply is the regexp's ReplaceAllString(nsn, rule) for a number the
// pattern matches whole (f.full.Full(nsn)). For a run of digit groups the
// groups' bounds are computed, not searched for: on a string the pattern
// matches whole, the regexp's preferred match is the whole string with
// each greedy group as long as the groups after it allow. The rule is
// then written by the rule's template (read once, as ExpandString reads
// it).
func (f *format) apply(nsn string, national bool) string {
	var buf [64]byte
	return string(f.appendApply(buf[:0], nsn, national))
}

// appendApply appends what apply returns to dst.
func (f *format) appendApply(dst []byte, nsn string, national bool) []byte {
	rule, tmpl := f.intlRule, f.intl
	if national {
		rule, tmpl = f.natRule, f.nat
	}
	if f.groups == nil || len(f.groups) > maxGroups {
		return append(dst, f.regexp().ReplaceAllString(nsn, rule)...)
	}
	var m [2 + 2*maxGroups]int
	match := m[:2+2*len(f.groups)]
	match[0], match[1] = 0, len(nsn)
	rest := 0 // the fewest digits the groups after this one take
	for _, g := range f.groups {
		rest += g.min
	}
	at := 0
	for i, g := range f.groups {
		rest -= g.min
		n := min(g.max, len(nsn)-at-rest)
		match[2+2*i], match[3+2*i] = at, at+n
		at += n
	}
	if tmpl.ok {
		return tmpl.expand(dst, nsn, match)
	}
	return f.regexp().ExpandString(dst, rule, nsn, match)
}

// regexp is the pattern compiled, on first use: only a rule or a pattern
// apply does not read itself needs it (none of the metadata's:
// TestEveryRuleIsATemplate, TestDigitGroups).
func (f *format) regexp() *regexp.Regexp {
	f.once.Do(func() { f.re = regexp.MustCompile(f.source) })
	return f.re
}

// maxGroups bounds the groups apply computes on the stack.
const maxGroups = 8

// digitGroups reads a pattern made only of digit groups, (\d)(\d{3})(\d{2,4}),
// as their lengths; nil for any other pattern.
func digitGroups(p string) []span {
	var out []span
	for p != "" {
		if !strings.HasPrefix(p, `(\d`) {
			return nil
		}
		p = p[len(`(\d`):]
		g := span{1, 1}
		if strings.HasPrefix(p, "{") {
			end := strings.IndexByte(p, '}')
			if end < 0 {
				return nil
			}
			lo, hi, ranged := strings.Cut(p[1:end], ",")
			var err error
			if g.min, err = strconv.Atoi(lo); err != nil {
				return nil
			}
			g.max = g.min
			if ranged {
				if g.max, err = strconv.Atoi(hi); err != nil || g.max < g.min {
					return nil
				}
			}
			p = p[end+1:]
		}
		if !strings.HasPrefix(p, ")") {
			return nil
		}
		p = p[1:]
		out = append(out, g)
	}
	return out
}

// region is one PhoneMetadata.
type region struct {
	id       string
	leading  *matcher // leading digits that claim a number for this region; nil if none
	general  desc
	special  [8]desc // premium rate, toll free, shared cost, voip, personal, pager, UAN, voicemail
	fixed    desc
	mobile   desc
	same     bool     // the same mobile and fixed-line pattern
	npParse  *matcher // national prefix for parsing; nil if none
	national []*format
	intl     []*format
}

// specialTypes are the types of region.special, in the order
// libphonenumber tests them.
var specialTypes = [8]phonenumbers.PhoneNumberType{
	phonenumbers.PREMIUM_RATE, phonenumbers.TOLL_FREE, phonenumbers.SHARED_COST, phonenumbers.VOIP,
	phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL,
}

// numberType is libphonenumber's getNumberTypeHelper.
func (r *region) numberType(nsn string) phonenumbers.PhoneNumberType {
	if !r.general.matches(nsn) {
		return phonenumbers.UNKNOWN
	}
	for i := range r.special {
		if r.special[i].matches(nsn) {
			return specialTypes[i]
		}
	}
	if r.fixed.matches(nsn) {
		if r.same || r.mobile.matches(nsn) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	}
	if !r.same && r.mobile.matches(nsn) {
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

type tables struct {
	regions  map[string]*region
	nonGeo   map[int32]*region // by calling code, region "001"
	matchers []*matcher        // every pattern, once (for tests)
	// possible holds, per calling code, the national significant number
	// lengths (bit l: length l, up to maxTabledLength) libphonenumber's
	// IsPossibleNumber accepts: its answer depends on nothing else.
	possible map[int32]uint32
}

// maxTabledLength is the longest national significant number whose
// possibility is tabled (phonenumbers.MAX_LENGTH_FOR_NSN); longer ones ask
// the library.
const maxTabledLength = phonenumbers.MAX_LENGTH_FOR_NSN

// plan is the library's metadata turned into tables, once; read-only after.
var plan = sync.OnceValue(load)

func load() *tables {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		// The library's own init parsed the same embedded data and would
		// have panicked first.
		panic("numplan: " + err.Error())
	}
	t := &tables{regions: map[string]*region{}, nonGeo: map[int32]*region{}}
	matchers := map[string]*matcher{}
	match := func(p string) *matcher {
		m, ok := matchers[p]
		if !ok {
			m = newMatcher(p)
			matchers[p] = m
			t.matchers = append(t.matchers, m)
		}
		return m
	}
	mkDesc := func(d *phonenumbers.PhoneNumberDesc) desc {
		if d == nil {
			return desc{m: match(""), lengths: []int32{-1}}
		}
		return desc{m: match(d.GetNationalNumberPattern()), lengths: d.PossibleLength}
	}
	formats := map[*phonenumbers.NumberFormat]*format{}
	mkFormats := func(nfs []*phonenumbers.NumberFormat) []*format {
		out := make([]*format, 0, len(nfs))
		for _, nf := range nfs {
			f, ok := formats[nf]
			if !ok {
				f = &format{full: match(nf.GetPattern()), source: nf.GetPattern(), intlRule: nf.GetFormat(), natRule: nf.GetFormat(),
					groups: digitGroups(nf.GetPattern())}
				if lds := nf.GetLeadingDigitsPattern(); len(lds) > 0 {
					f.leading = match(lds[len(lds)-1])
				}
				if npfr := nf.GetNationalPrefixFormattingRule(); npfr != "" {
					if loc := phonenumbers.FIRST_GROUP_PATTERN.FindStringIndex(f.natRule); loc != nil {
						f.natRule = f.natRule[:loc[0]] + npfr + f.natRule[loc[1]:]
					}
				}
				f.intl, f.nat = parseTemplate(f.intlRule), parseTemplate(f.natRule)
				formats[nf] = f
			}
			out = append(out, f)
		}
		return out
	}
	for _, md := range coll.GetMetadata() {
		r := &region{
			id:      md.GetId(),
			general: mkDesc(md.GetGeneralDesc()),
			special: [8]desc{
				mkDesc(md.GetPremiumRate()), mkDesc(md.GetTollFree()), mkDesc(md.GetSharedCost()), mkDesc(md.GetVoip()),
				mkDesc(md.GetPersonalNumber()), mkDesc(md.GetPager()), mkDesc(md.GetUan()), mkDesc(md.GetVoicemail()),
			},
			fixed:    mkDesc(md.GetFixedLine()),
			mobile:   mkDesc(md.GetMobile()),
			same:     md.GetSameMobileAndFixedLinePattern(),
			national: mkFormats(md.GetNumberFormat()),
		}
		if ld := md.GetLeadingDigits(); ld != "" {
			r.leading = match(ld)
		}
		if np := md.GetNationalPrefixForParsing(); np != "" {
			r.npParse = match(np)
		}
		r.intl = r.national
		if intl := md.GetIntlNumberFormat(); len(intl) > 0 {
			r.intl = mkFormats(intl)
		}
		if r.id == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			t.nonGeo[md.GetCountryCode()] = r
		} else {
			t.regions[r.id] = r
		}
	}
	t.possible = possibleLengths()
	return t
}

// possibleLengths asks the library, for every calling code it supports,
// which national significant number lengths are possible: a number of
// each length, 1 followed by zeros (IsPossibleNumber reads only the
// calling code and the length).
func possibleLengths() map[int32]uint32 {
	codes := phonenumbers.GetSupportedCallingCodes()
	out := make(map[int32]uint32, len(codes))
	for cc := range codes {
		cc32 := int32(cc)
		var mask uint32
		nn := uint64(1)
		for l := 1; l <= maxTabledLength; l++ {
			n := &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}
			if phonenumbers.IsPossibleNumber(n) {
				mask |= 1 << l
			}
			nn *= 10
		}
		out[cc32] = mask
	}
	return out
}

// Warm builds every pattern's automaton now (about a quarter of a second
// of CPU), so that no lookup pays for its region's patterns on first use.
func Warm() {
	for _, m := range plan().matchers {
		m.once.Do(m.build)
	}
}

// metadata is libphonenumber's getMetadataForRegionOrCallingCode.
func (t *tables) metadata(cc int32, regionCode string) *region {
	if regionCode == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		return t.nonGeo[cc]
	}
	return t.regions[regionCode]
}

// Parse is phonenumbers.Parse(s, defaultRegion). An international number
// written as '+', digits and the separators space, '-', '.', '(' and ')' —
// as most numbers arrive — is read here: such a string holds no extension
// (every extension form needs a letter, '#', '~', ';' or ','), so the
// library would only take its calling code and keep the rest, unless the
// rest starts with the region's national prefix (then, and for every other
// string, the library parses it).
func Parse(s, defaultRegion string) (*phonenumbers.PhoneNumber, error) {
	if n := parseInternational(s); n != nil {
		return n, nil
	}
	return phonenumbers.Parse(s, defaultRegion)
}

// parseInternational reads the common case of Parse, or returns nil.
func parseInternational(s string) *phonenumbers.PhoneNumber {
	if len(s) < 2 || len(s) > phonenumbers.MAX_INPUT_STRING_LENGTH || s[0] != '+' {
		return nil
	}
	var buf [32]byte
	ds := buf[:0]
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if len(ds) == len(buf) {
				return nil // too long for a number: the library says why
			}
			ds = append(ds, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return nil
		}
	}
	if len(ds) <= phonenumbers.MIN_LENGTH_FOR_NSN || ds[0] == '0' {
		return nil
	}
	for l := 1; l <= phonenumbers.MAX_LENGTH_COUNTRY_CODE && l < len(ds); l++ {
		cc, _ := strconv.Atoi(string(ds[:l]))
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 {
			continue
		}
		nsn := ds[l:]
		if len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN || len(nsn) > phonenumbers.MAX_LENGTH_FOR_NSN {
			return nil
		}
		r := plan().metadata(int32(cc), regions[0])
		if r == nil || (r.npParse != nil && r.npParse.Prefix(string(nsn))) {
			return nil // a national prefix after the calling code: the library decides
		}
		nn, err := strconv.ParseUint(string(nsn), 10, 64)
		if err != nil {
			return nil
		}
		return Number(int32(cc), string(nsn), nn)
	}
	return nil
}

// Number is the number of calling code cc whose national significant
// number is nsn (digits; nn is their value), its leading zeros kept as
// libphonenumber keeps them (ItalianLeadingZero, NumberOfLeadingZeros when
// more than one, at most all but the last digit), built in one allocation.
func Number(cc int32, nsn string, nn uint64) *phonenumbers.PhoneNumber {
	b := &struct {
		n       phonenumbers.PhoneNumber
		cc      int32
		nn      uint64
		italian bool
		zeros   int32
	}{cc: cc, nn: nn}
	b.n.CountryCode, b.n.NationalNumber = &b.cc, &b.nn
	z := 0
	for z < len(nsn)-1 && nsn[z] == '0' {
		z++
	}
	if z > 0 {
		b.italian = true
		b.n.ItalianLeadingZero = &b.italian
		if z > 1 {
			b.zeros = int32(z)
			b.n.NumberOfLeadingZeros = &b.zeros
		}
	}
	return &b.n
}

// NSN is phonenumbers.GetNationalSignificantNumber(n).
func NSN(n *phonenumbers.PhoneNumber) string {
	nn := n.GetNationalNumber()
	if n.GetItalianLeadingZero() && n.GetNumberOfLeadingZeros() > 0 {
		z := min(int(n.GetNumberOfLeadingZeros()), phonenumbers.MAX_LENGTH_FOR_NSN)
		b := make([]byte, z, z+20)
		for i := range b {
			b[i] = '0'
		}
		return string(strconv.AppendUint(b, nn, 10))
	}
	return strconv.FormatUint(nn, 10)
}

// Possible is phonenumbers.IsPossibleNumber(n); nsn is NSN(n).
func Possible(n *phonenumbers.PhoneNumber, nsn string) bool {
	if len(nsn) <= maxTabledLength {
		if mask, ok := plan().possible[n.GetCountryCode()]; ok {
			return mask&(1<<len(nsn)) != 0
		}
	}
	return phonenumbers.IsPossibleNumber(n)
}

// Describe returns the region and the type of n in one pass: what
// phonenumbers.GetRegionCodeForNumber(n) and phonenumbers.GetNumberType(n)
// return. The number is valid (phonenumbers.IsValidNumber) exactly when
// the type is not UNKNOWN.
func Describe(n *phonenumbers.PhoneNumber) (regionCode string, t phonenumbers.PhoneNumberType) {
	return DescribeNSN(n, NSN(n))
}

// DescribeNSN is Describe(n) for nsn = NSN(n), computed once by a caller
// that needs it for more than one answer.
func DescribeNSN(n *phonenumbers.PhoneNumber, nsn string) (regionCode string, t phonenumbers.PhoneNumberType) {
	cc := n.GetCountryCode()
	regions := phonenumbers.GetRegionCodesForCountryCode(int(cc))
	if len(regions) == 0 {
		return "", phonenumbers.UNKNOWN
	}
	tb := plan()
	if len(regions) == 1 {
		r := tb.metadata(cc, regions[0])
		if r == nil {
			return regions[0], phonenumbers.UNKNOWN
		}
		return regions[0], r.numberType(nsn)
	}
	for _, code := range regions {
		r := tb.regions[code]
		if r == nil {
			continue
		}
		if r.leading != nil {
			if r.leading.Prefix(nsn) {
				return code, r.numberType(nsn)
			}
		} else if t := r.numberType(nsn); t != phonenumbers.UNKNOWN {
			return code, t
		}
	}
	return "", phonenumbers.UNKNOWN
}

// Format is phonenumbers.Format(n, f) for E164, NATIONAL and INTERNATIONAL
// formats of a number without an extension or raw input (as Parse and
// FromE164-style construction leave it); anything else goes to the
// library.
func Format(n *phonenumbers.PhoneNumber, f phonenumbers.PhoneNumberFormat) string {
	if n.GetExtension() != "" || n.GetRawInput() != "" ||
		(f != phonenumbers.E164 && f != phonenumbers.NATIONAL && f != phonenumbers.INTERNATIONAL) {
		return phonenumbers.Format(n, f)
	}
	return FormatNSN(n, NSN(n), f)
}

// FormatNSN is Format(n, f) for nsn = NSN(n) and a number without an
// extension or raw input, in E164, NATIONAL or INTERNATIONAL format.
func FormatNSN(n *phonenumbers.PhoneNumber, nsn string, f phonenumbers.PhoneNumberFormat) string {
	cc := n.GetCountryCode()
	if f == phonenumbers.E164 {
		return withCallingCode(cc, "", nsn)
	}
	r := formatsOf(cc)
	if r == nil {
		return formatWithout(n, nsn, f)
	}
	if f == phonenumbers.NATIONAL {
		return firstFormat(r.national, nsn, true)
	}
	return withCallingCode(cc, " ", firstFormat(r.intl, nsn, false))
}

// FormatsNSN is FormatNSN's NATIONAL and INTERNATIONAL answers at once:
// where a region formats numbers alike in both (it has no international
// formats of its own, as most do not), the number's format is found once.
func FormatsNSN(n *phonenumbers.PhoneNumber, nsn string) (national, international string) {
	cc := n.GetCountryCode()
	r := formatsOf(cc)
	if r == nil {
		return formatWithout(n, nsn, phonenumbers.NATIONAL), formatWithout(n, nsn, phonenumbers.INTERNATIONAL)
	}
	nat := matchFormat(r.national, nsn)
	intl := nat // the same list (its first element) unless the region has international formats
	if len(r.intl) != len(r.national) || len(r.intl) > 0 && &r.intl[0] != &r.national[0] {
		intl = matchFormat(r.intl, nsn)
	}
	// Both are written into one buffer and made one string, of which
	// each is a part.
	var buf [96]byte
	b := nat.appendFormatted(buf[:0], nsn, true)
	split := len(b)
	b = intl.appendFormatted(appendCallingCode(b, cc, " "), nsn, false)
	both := string(b)
	return both[:split], both[split:]
}

// appendFormatted appends nsn written by f (nsn itself when f is nil: no
// format matched).
func (f *format) appendFormatted(dst []byte, nsn string, national bool) []byte {
	if f == nil {
		return append(dst, nsn...)
	}
	return f.appendApply(dst, nsn, national)
}

// formatsOf is the metadata of calling code cc's main region, nil when
// there is none (formatWithout then answers).
func formatsOf(cc int32) *region {
	regions := phonenumbers.GetRegionCodesForCountryCode(int(cc))
	if len(regions) == 0 {
		return nil
	}
	return plan().metadata(cc, regions[0])
}

// formatWithout is the NATIONAL or INTERNATIONAL form of a number whose
// calling code has no metadata here: the bare number for a code without a
// region, the library's own answer for a gap in its metadata.
func formatWithout(n *phonenumbers.PhoneNumber, nsn string, f phonenumbers.PhoneNumberFormat) string {
	if len(phonenumbers.GetRegionCodesForCountryCode(int(n.GetCountryCode()))) == 0 {
		return nsn
	}
	return phonenumbers.Format(n, f)
}

// matchFormat is the first of formats nsn matches, or nil.
func matchFormat(formats []*format, nsn string) *format {
	for _, fm := range formats {
		if (fm.leading == nil || fm.leading.Prefix(nsn)) && fm.full.Full(nsn) {
			return fm
		}
	}
	return nil
}

// firstFormat is nsn written by the first of formats it matches (nsn
// itself when none does).
func firstFormat(formats []*format, nsn string, national bool) string {
	if fm := matchFormat(formats, nsn); fm != nil {
		return fm.apply(nsn, national)
	}
	return nsn
}

// withCallingCode is "+" cc sep rest, written in one allocation.
func withCallingCode(cc int32, sep, rest string) string {
	var buf [48]byte
	return string(append(appendCallingCode(buf[:0], cc, sep), rest...))
}

// appendCallingCode appends "+" cc sep.
func appendCallingCode(dst []byte, cc int32, sep string) []byte {
	dst = strconv.AppendInt(append(dst, '+'), int64(cc), 10)
	return append(dst, sep...)
}
