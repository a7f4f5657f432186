package normalize

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestInvalidALabels: an xn-- label that is not a valid IDNA 2008 A-label
// used to be decoded to a different, real domain (issue 22).
func TestInvalidALabels(t *testing.T) {
	tests := []struct {
		in   string
		want string // normalized domain, "" for an error
	}{
		{"lena@xn--cobalt-advisory-.de", ""},
		{"x@xn--gmail-.com", ""},
		{"x@XN--GMAIL-.com", ""},
		{"x@mail.xn--abc-.example", ""},
		{"x@xn--zz.com", ""},
		{"x@xn--.com", ""},
		{"x@xn--a-ecp.ru", ""},
		{"x@xn--mnchen-3ya.de", "xn--mnchen-3ya.de"},
		{"x@XN--MNCHEN-3YA.de", "xn--mnchen-3ya.de"},
		{"x@münchen.de", "xn--mnchen-3ya.de"},
		{"x@bücher.xn--bcher-kva.com", "xn--bcher-kva.xn--bcher-kva.com"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e, err := ParseEmail(tc.in)
			if tc.want == "" {
				var ne *Error
				if !errors.As(err, &ne) || ne.Field != "email" || !strings.Contains(ne.Reason, "xn--") {
					t.Fatalf("ParseEmail(%q) = %+v, %v; want an email error naming the label", tc.in, e, err)
				}
				return
			}
			if err != nil || e.Domain != tc.want {
				t.Fatalf("ParseEmail(%q) = %q, %v; want %q", tc.in, e.Domain, err, tc.want)
			}
		})
	}
}

// plainDomains are host names made of what plainHost looks at: letters of
// both cases, digits, hyphens, dots and a few others, labels of every
// length around the limits.
func plainDomains(n int) []string {
	rng := rand.New(rand.NewPCG(5, 5))
	const alphabet = "abcxyzABCXYZ0189-._-"
	out := []string{"example.com", "EXAMPLE.COM", "a.b", "xn--80ak6aa92e.com", "XN--80AK6AA92E.com", "ab--cd.com", "a-.com", "-a.com",
		"1.2", "a.123", "a..b", "a.b.", strings.Repeat("a", 63) + ".com", strings.Repeat("a", 64) + ".com",
		strings.Repeat("abcdefghi.", 25) + "com", strings.Repeat("abcdefghi.", 26) + "com", "mail.gmail.com", "x_y.com"}
	for range n {
		labels := 1 + rng.IntN(4)
		var b strings.Builder
		for l := range labels {
			if l > 0 {
				b.WriteByte('.')
			}
			size := 1 + rng.IntN(8)
			if rng.IntN(10) == 0 {
				size = 60 + rng.IntN(6)
			}
			for range size {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestPlainHostsSkipIDNA: the plain host fast path answers exactly what
// IDNA answers, errors included.
func TestPlainHostsSkipIDNA(t *testing.T) {
	plain := 0
	for _, d := range plainDomains(20000) {
		if plainHost(strings.TrimSuffix(d, ".")) {
			plain++
		}
		checkPlainHost(t, d)
	}
	if plain < 2000 {
		t.Fatalf("only %d plain host names: the sample misses the fast path", plain)
	}
}

func checkPlainHost(t *testing.T, d string) {
	t.Helper()
	a1, u1, err1 := parseDomainVia(d, true)
	a2, u2, err2 := parseDomainVia(d, false)
	if a1 != a2 || u1 != u2 || fmt.Sprint(err1) != fmt.Sprint(err2) {
		t.Errorf("%q: fast path %q %q %v; IDNA %q %q %v", d, a1, u1, err1, a2, u2, err2)
	}
}

func FuzzPlainHostsSkipIDNA(f *testing.F) {
	for _, d := range plainDomains(50) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) { checkPlainHost(t, d) })
}
