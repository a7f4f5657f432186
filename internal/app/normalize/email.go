// Package normalize validates and normalizes the subject's identifiers:
// email addresses (RFC 5321/5322 practical syntax, IDN, provider-aware
// canonical form) and phone numbers (E.164 via libphonenumber data).
package normalize

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Error is a validation failure of one input field.
type Error struct{ Field, Reason string }

func (e *Error) Error() string { return e.Field + ": " + e.Reason }

func emailErr(format string, args ...any) error {
	return &Error{Field: "email", Reason: fmt.Sprintf(format, args...)}
}

// Email is a validated, normalized email address.
type Email struct {
	// Address is the trimmed address, in Unicode NFC, with the domain
	// lowercased and in ASCII (IDNA), without a trailing dot; the local part
	// is lowercased unless it is quoted, and unquoted when it does not need
	// the quotes ("Jane.Doe" → jane.doe).
	Address       string
	Local         string
	Domain        string
	DomainUnicode string
	// Canonical is the provider-aware canonical form: what the mailbox is
	// (gmail dots and +tags removed, +tags removed where the provider
	// supports sub-addressing). Equal to Address for unknown providers.
	Canonical string
	// Provider names a known mailbox provider ("" when unknown).
	Provider string
	// AddressLiteral is set for domains like [127.0.0.1] or [IPv6:::1].
	AddressLiteral bool
}

// Limits from RFC 5321 §4.5.3.1.
const (
	maxLocal   = 64
	maxAddress = 254
	maxLabel   = 63
	maxDomain  = 253
)

var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false), idna.StrictDomainName(true), idna.VerifyDNSLength(true))

// ParseEmail validates and normalizes s.
func ParseEmail(s string) (Email, error) {
	// A line break is never part of an address, nor something to trim: it
	// is how header injection starts.
	if strings.ContainsAny(s, "\r\n") {
		return Email{}, emailErr("contains a line break")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return Email{}, emailErr("is empty")
	}
	if !utf8.ValidString(s) {
		return Email{}, emailErr("is not valid UTF-8")
	}
	if !isASCII(s) {
		s = norm.NFC.String(s)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Email{}, emailErr("missing @")
	}
	local, domain := s[:at], s[at+1:]
	if local == "" {
		return Email{}, emailErr("missing local part before @")
	}
	if domain == "" {
		return Email{}, emailErr("missing domain after @")
	}
	quoted := strings.HasPrefix(local, `"`)
	if quoted {
		if err := checkQuoted(local); err != nil {
			return Email{}, err
		}
		// Quotes that protect nothing go: "Jane.Doe" is jane.doe.
		if u := unquote(local); checkDotAtom(u) == nil {
			local, quoted = strings.ToLower(u), false
		}
	} else {
		if strings.ContainsRune(local, '@') {
			return Email{}, emailErr("more than one @ outside a quoted local part")
		}
		if err := checkDotAtom(local); err != nil {
			return Email{}, err
		}
		local = strings.ToLower(local)
	}
	if len(local) > maxLocal {
		return Email{}, emailErr("local part longer than %d characters", maxLocal)
	}
	e := Email{Local: local}
	if strings.HasPrefix(domain, "[") {
		lit, err := parseLiteral(domain)
		if err != nil {
			return Email{}, err
		}
		e.Domain, e.DomainUnicode, e.AddressLiteral = lit, lit, true
	} else {
		d, du, err := parseDomain(domain)
		if err != nil {
			return Email{}, err
		}
		e.Domain, e.DomainUnicode = d, du
	}
	e.Address = e.Local + "@" + e.Domain
	if len(e.Address) > maxAddress {
		return Email{}, emailErr("address longer than %d characters", maxAddress)
	}
	e.Provider, e.Canonical = canonical(e.Local, e.Domain, quoted)
	if e.Canonical == "" {
		e.Canonical = e.Address
	}
	return e, nil
}

// atext is RFC 5322 atext plus UTF-8 (RFC 6531).
func isAtext(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r >= 0x80:
		return r != utf8.RuneError
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}

func checkDotAtom(local string) error {
	switch {
	case strings.HasPrefix(local, "."):
		return emailErr("local part starts with a dot")
	case strings.HasSuffix(local, "."):
		return emailErr("local part ends with a dot")
	case strings.Contains(local, ".."):
		return emailErr("consecutive dots in local part")
	}
	if local == "" {
		return emailErr("missing local part before @")
	}
	for _, r := range local {
		if r == '.' {
			continue
		}
		if r == ' ' || r == '\t' {
			return emailErr("local part contains a space (quote it)")
		}
		if unsafeRune(r) {
			return emailErr("local part contains %U, a control, invisible or private-use character", r)
		}
		if !isAtext(r) {
			return emailErr("local part contains %q, which is not allowed unquoted", r)
		}
	}
	return nil
}

// unsafeRune reports whether r may not appear in a local part even when
// UTF-8 is allowed (RFC 6531): controls (C0, DEL, C1), format characters
// (zero-width, bidi overrides), private-use, surrogate, unassigned and
// noncharacter code points, and separators other than the ASCII space
// (line and paragraph separators, no-break spaces), as
// python-email-validator rejects them.
func unsafeRune(r rune) bool {
	if r < 0x80 {
		return r < 0x20 || r == 0x7f
	}
	if r >= 0xfdd0 && r <= 0xfdef || r&0xfffe == 0xfffe {
		return true // noncharacters
	}
	// Controls, format characters, separators, private use and unassigned
	// code points are in none of these categories.
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// unquote returns the content of a checked quoted local part, its
// quoted-pairs resolved.
func unquote(local string) string {
	inner := local[1 : len(local)-1]
	if !strings.Contains(inner, `\`) {
		return inner
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' {
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String()
}

func checkQuoted(local string) error {
	if len(local) < 2 || !strings.HasSuffix(local, `"`) {
		return emailErr("unterminated quoted local part")
	}
	inner := local[1 : len(local)-1]
	for i := 0; i < len(inner); {
		r, size := utf8.DecodeRuneInString(inner[i:])
		switch {
		case r == '\\':
			// RFC 5321 quoted-pairSMTP: a backslash escapes printable
			// ASCII only, never a control character.
			if i+1 >= len(inner) {
				return emailErr("quoted local part ends with a backslash")
			}
			if c := inner[i+1]; c < 0x20 || c > 0x7e {
				return emailErr("backslash before a character that is not printable ASCII in quoted local part")
			}
			size = 2
		case r == '"':
			return emailErr("unescaped quote inside a quoted local part")
		case unsafeRune(r):
			return emailErr("control, invisible or private-use character %U in quoted local part", r)
		}
		i += size
	}
	return nil
}

func parseLiteral(d string) (string, error) {
	if !strings.HasSuffix(d, "]") {
		return "", emailErr("unterminated address literal")
	}
	inner := d[1 : len(d)-1]
	if v6, ok := strings.CutPrefix(inner, "IPv6:"); ok {
		a, err := netip.ParseAddr(v6)
		if err != nil || !a.Is6() {
			return "", emailErr("invalid IPv6 address literal")
		}
		return "[IPv6:" + a.String() + "]", nil
	}
	a, err := netip.ParseAddr(inner)
	if err != nil || !a.Is4() {
		return "", emailErr("invalid address literal (use [1.2.3.4] or [IPv6:...])")
	}
	return "[" + a.String() + "]", nil
}

func parseDomain(d string) (ascii, unicode string, err error) {
	return parseDomainVia(d, true)
}

// parseDomainVia is parseDomain; with plainFast, a plain host name
// (plainHost) skips IDNA, which returns it unchanged but for case
// (TestPlainHostsSkipIDNA and FuzzPlainHostsSkipIDNA compare both ways).
func parseDomainVia(d string, plainFast bool) (ascii, unicode string, err error) {
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", "", emailErr("missing domain after @")
	}
	if strings.ContainsAny(d, " \t") {
		return "", "", emailErr("domain contains a space")
	}
	if strings.Contains(d, "..") {
		return "", "", emailErr("consecutive dots in domain")
	}
	if strings.HasPrefix(d, ".") {
		return "", "", emailErr("domain starts with a dot")
	}
	plain := plainFast && plainHost(d)
	if plain {
		ascii = strings.ToLower(d)
	} else {
		if err := checkALabels(d); err != nil {
			return "", "", err
		}
		ascii, err = idnaProfile.ToASCII(d)
		if err != nil {
			return "", "", emailErr("domain is not a valid host name")
		}
		ascii = strings.ToLower(ascii)
	}
	if len(ascii) > maxDomain {
		return "", "", emailErr("domain longer than %d characters", maxDomain)
	}
	labels := 0
	var tld string
	for l := range strings.SplitSeq(ascii, ".") {
		labels++
		tld = l
		if len(l) > maxLabel {
			return "", "", emailErr("domain label longer than %d characters", maxLabel)
		}
		if strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "", "", emailErr("domain label starts or ends with a hyphen")
		}
	}
	if labels < 2 {
		return "", "", emailErr("domain needs at least two labels (like example.com)")
	}
	if strings.Trim(tld, "0123456789") == "" {
		return "", "", emailErr("top-level domain is numeric")
	}
	if plain {
		return ascii, ascii, nil
	}
	unicode, err = idna.Display.ToUnicode(ascii)
	if err != nil {
		unicode = ascii
	}
	return ascii, unicode, nil
}

// plainHost reports whether d is a host name IDNA maps to itself but for
// case: ASCII letters, digits, hyphens and dots only, labels of 1 to
// maxLabel characters that neither start nor end with a hyphen nor have
// two in their third and fourth places (as "xn--" A-labels do), maxDomain
// in all. Anything else goes through IDNA.
func plainHost(d string) bool {
	if len(d) > maxDomain {
		return false
	}
	start := 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '.' {
			l := d[start:i]
			if len(l) == 0 || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' || (len(l) >= 4 && l[2] == '-' && l[3] == '-') {
				return false
			}
			start = i + 1
			continue
		}
		switch c := d[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
		default:
			return false
		}
	}
	return true
}

// checkALabels refuses "xn--" labels that are not valid IDNA 2008 A-labels.
// idna decodes "xn--gmail-" to "gmail" without complaint, which would look up
// a different, real domain; a valid A-label decodes to a U-label that has a
// non-ASCII rune and encodes back to the same label.
func checkALabels(d string) error {
	for l := range strings.SplitSeq(d, ".") {
		if len(l) < 4 || !strings.EqualFold(l[:4], "xn--") {
			continue
		}
		u, err := idnaProfile.ToUnicode(l)
		if err == nil {
			var back string
			back, err = idnaProfile.ToASCII(u)
			if err == nil && (!strings.EqualFold(back, l) || isASCII(u)) {
				err = fmt.Errorf("not an A-label")
			}
		}
		if err != nil {
			return emailErr("domain label %q is not a valid internationalized (xn--) label", l)
		}
	}
	return nil
}

// provider describes how a mailbox provider treats local parts.
type provider struct {
	name      string
	canonical string // domain used in the canonical form ("" = keep)
	dropDots  bool
	plusTags  bool
}

// providerOf is the declarative table of known providers, by domain.
func providerOf(domain string) (provider, bool) {
	switch domain {
	case "gmail.com", "googlemail.com":
		return provider{name: "gmail", canonical: "gmail.com", dropDots: true, plusTags: true}, true
	case "outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "live.co.uk", "outlook.de", "outlook.fr":
		return provider{name: "outlook", plusTags: true}, true
	case "icloud.com", "me.com", "mac.com":
		return provider{name: "icloud", plusTags: true}, true
	case "fastmail.com", "fastmail.fm":
		return provider{name: "fastmail", plusTags: true}, true
	case "proton.me", "protonmail.com", "protonmail.ch", "pm.me":
		return provider{name: "proton", plusTags: true}, true
	case "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "rocketmail.com":
		// Yahoo uses "-" disposable addresses, not "+" tags: never strip.
		return provider{name: "yahoo"}, true
	}
	return provider{}, false
}

func canonical(local, domain string, quoted bool) (name, canon string) {
	p, ok := providerOf(domain)
	if !ok {
		return "", ""
	}
	if quoted {
		return p.name, ""
	}
	l := local
	if p.plusTags {
		if i := strings.IndexByte(l, '+'); i > 0 {
			l = l[:i]
		}
	}
	if p.dropDots {
		l = strings.ReplaceAll(l, ".", "")
	}
	dom := domain
	if p.canonical != "" {
		dom = p.canonical
	}
	if l == "" {
		return p.name, ""
	}
	return p.name, l + "@" + dom
}
