package normalize

import (
	"errors"
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
