package normalize

import (
	"strings"
	"testing"
	"unicode"
)

func TestParseEmail(t *testing.T) {
	long64 := strings.Repeat("a", 64)
	label63 := strings.Repeat("b", 63)
	tests := []struct {
		in                 string
		address, canonical string
		provider           string
		literal            bool
		reason             string // non-empty: want an error containing it
	}{
		// Provider-aware canonical forms.
		{in: "Jane.Doe+promo@GoogleMail.com", address: "jane.doe+promo@googlemail.com", canonical: "janedoe@gmail.com", provider: "gmail"},
		{in: "jane.doe@gmail.com", address: "jane.doe@gmail.com", canonical: "janedoe@gmail.com", provider: "gmail"},
		{in: "J.A.N.E@gmail.com", address: "j.a.n.e@gmail.com", canonical: "jane@gmail.com", provider: "gmail"},
		{in: "jane+a+b@gmail.com", address: "jane+a+b@gmail.com", canonical: "jane@gmail.com", provider: "gmail"},
		{in: "jane.doe+x@outlook.com", address: "jane.doe+x@outlook.com", canonical: "jane.doe@outlook.com", provider: "outlook"},
		{in: "jane+x@hotmail.com", address: "jane+x@hotmail.com", canonical: "jane@hotmail.com", provider: "outlook"},
		{in: "jane+x@live.com", address: "jane+x@live.com", canonical: "jane@live.com", provider: "outlook"},
		{in: "jane+x@icloud.com", address: "jane+x@icloud.com", canonical: "jane@icloud.com", provider: "icloud"},
		{in: "jane+x@me.com", address: "jane+x@me.com", canonical: "jane@me.com", provider: "icloud"},
		{in: "jane+x@fastmail.com", address: "jane+x@fastmail.com", canonical: "jane@fastmail.com", provider: "fastmail"},
		{in: "jane+x@proton.me", address: "jane+x@proton.me", canonical: "jane@proton.me", provider: "proton"},
		{in: "jane+x@protonmail.com", address: "jane+x@protonmail.com", canonical: "jane@protonmail.com", provider: "proton"},
		{in: "jane+x@yahoo.com", address: "jane+x@yahoo.com", canonical: "jane+x@yahoo.com", provider: "yahoo"},
		{in: "jane-x@yahoo.com", address: "jane-x@yahoo.com", canonical: "jane-x@yahoo.com", provider: "yahoo"},
		{in: "jane+x@example.com", address: "jane+x@example.com", canonical: "jane+x@example.com"},
		{in: "jane.doe@example.com", address: "jane.doe@example.com", canonical: "jane.doe@example.com"},
		{in: "+x@gmail.com", address: "+x@gmail.com", canonical: "+x@gmail.com", provider: "gmail"},
		// Case and whitespace.
		{in: "  Jane@Example.COM  ", address: "jane@example.com", canonical: "jane@example.com"},
		{in: "\tJANE@EXAMPLE.COM\t", address: "jane@example.com", canonical: "jane@example.com"},
		// A line break is an error anywhere, never trimmed.
		{in: "\tJANE@EXAMPLE.COM\n", reason: "line break"},
		{in: "jane@example.com\r\n", reason: "line break"},
		{in: "jane\r\nBcc: x@example.com", reason: "line break"},
		{in: `"a\` + "\n" + `b"@example.com`, reason: "line break"},
		{in: "MiXeD.CaSe@Sub.Example.Org", address: "mixed.case@sub.example.org", canonical: "mixed.case@sub.example.org"},
		// Trailing dot on the domain.
		{in: "jane@example.com.", address: "jane@example.com", canonical: "jane@example.com"},
		{in: "jane@gmail.com.", address: "jane@gmail.com", canonical: "jane@gmail.com", provider: "gmail"},
		// IDN.
		{in: "jane@bücher.de", address: "jane@xn--bcher-kva.de", canonical: "jane@xn--bcher-kva.de"},
		{in: "jane@BÜCHER.de", address: "jane@xn--bcher-kva.de", canonical: "jane@xn--bcher-kva.de"},
		{in: "jane@xn--bcher-kva.de", address: "jane@xn--bcher-kva.de", canonical: "jane@xn--bcher-kva.de"},
		{in: "info@例え.jp", address: "info@xn--r8jz45g.jp", canonical: "info@xn--r8jz45g.jp"},
		{in: "user@münchen.example", address: "user@xn--mnchen-3ya.example", canonical: "user@xn--mnchen-3ya.example"},
		{in: "josé@example.com", address: "josé@example.com", canonical: "josé@example.com"},
		// Unusual but valid local parts.
		{in: "o'brien@example.ie", address: "o'brien@example.ie", canonical: "o'brien@example.ie"},
		{in: "a!#$%&*+-/=?^_`{|}~@example.com", address: "a!#$%&*+-/=?^_`{|}~@example.com", canonical: "a!#$%&*+-/=?^_`{|}~@example.com"},
		{in: "x@example.museum", address: "x@example.museum", canonical: "x@example.museum"},
		{in: "x@a-b.example.co.uk", address: "x@a-b.example.co.uk", canonical: "x@a-b.example.co.uk"},
		{in: "1234@example.com", address: "1234@example.com", canonical: "1234@example.com"},
		// Quoted local parts keep their case.
		{in: `"Jane Doe"@example.com`, address: `"Jane Doe"@example.com`, canonical: `"Jane Doe"@example.com`},
		{in: `"a@b"@example.com`, address: `"a@b"@example.com`, canonical: `"a@b"@example.com`},
		{in: `"a\"b"@example.com`, address: `"a\"b"@example.com`, canonical: `"a\"b"@example.com`},
		{in: `"a..b"@example.com`, address: `"a..b"@example.com`, canonical: `"a..b"@example.com`},
		{in: `"a b"@example.com`, address: `"a b"@example.com`, canonical: `"a b"@example.com`},
		// Quotes that protect nothing go, so the address deduplicates.
		{in: `"j.doe"@gmail.com`, address: "j.doe@gmail.com", canonical: "jdoe@gmail.com", provider: "gmail"},
		{in: `"Jane.Doe"@gmail.com`, address: "jane.doe@gmail.com", canonical: "janedoe@gmail.com", provider: "gmail"},
		{in: `"jane\.doe"@example.com`, address: "jane.doe@example.com", canonical: "jane.doe@example.com"},
		{in: `"test\test"@example.com`, address: "testtest@example.com", canonical: "testtest@example.com"},
		{in: `"\"quoted\""@example.com`, address: `"\"quoted\""@example.com`, canonical: `"\"quoted\""@example.com`},
		{in: `""@example.com`, address: `""@example.com`, canonical: `""@example.com`},
		// Unicode NFC first: a decomposed é is the composed one.
		{in: "jose\u0301@example.com", address: "josé@example.com", canonical: "josé@example.com"},
		{in: "jane@bu\u0308cher.de", address: "jane@xn--bcher-kva.de", canonical: "jane@xn--bcher-kva.de"},
		// Control characters are rejected, quoted, escaped or not.
		{in: "\"test\\\x00\"@iana.org", reason: "backslash"},
		{in: "\"test\\\x07\"@iana.org", reason: "backslash"},
		{in: "\"test\\\x7f\"@iana.org", reason: "backslash"},
		{in: "\"test\x00\"@iana.org", reason: "U+0000"},
		{in: "\"test\x7f\"@iana.org", reason: "U+007F"},
		{in: "\"a\tb\"@iana.org", reason: "U+0009"},
		{in: "\"test\\é\"@iana.org", reason: "backslash"},
		{in: "te\x00st@iana.org", reason: "U+0000"},
		// Unsafe Unicode in local parts.
		{in: "jane\u0085@example.com", reason: "U+0085"},      // C1 control (NEL)
		{in: "ja\u200bne@example.com", reason: "U+200B"},      // zero-width space
		{in: "ja\u200dne@example.com", reason: "U+200D"},      // zero-width joiner
		{in: "ja\u202ene@example.com", reason: "U+202E"},      // right-to-left override
		{in: "ja\u2066ne@example.com", reason: "U+2066"},      // left-to-right isolate
		{in: "\"ja\u202ene\"@example.com", reason: "U+202E"},  // quoted too
		{in: "ja\ue000ne@example.com", reason: "U+E000"},      // private use
		{in: "ja\U000F0000ne@example.com", reason: "U+F0000"}, // private use plane 15
		{in: "ja\ufdd0ne@example.com", reason: "U+FDD0"},      // noncharacter
		{in: "ja\uffffne@example.com", reason: "U+FFFF"},      // noncharacter
		{in: "ja\u00a0ne@example.com", reason: "U+00A0"},      // no-break space
		{in: "ja\u2028ne@example.com", reason: "U+2028"},      // line separator
		{in: "jane\ufeff@example.com", reason: "U+FEFF"},      // byte-order mark
		{in: "用户@例子.广告", address: "用户@xn--fsqu00a.xn--4rr70v", canonical: "用户@xn--fsqu00a.xn--4rr70v"},
		// Address literals.
		{in: "x@[127.0.0.1]", address: "x@[127.0.0.1]", canonical: "x@[127.0.0.1]", literal: true},
		{in: "x@[IPv6:::1]", address: "x@[IPv6:::1]", canonical: "x@[IPv6:::1]", literal: true},
		{in: "x@[IPv6:2001:DB8::1]", address: "x@[IPv6:2001:db8::1]", canonical: "x@[IPv6:2001:db8::1]", literal: true},
		{in: "x@[10.0.0.1]", address: "x@[10.0.0.1]", canonical: "x@[10.0.0.1]", literal: true},
		// Length limits.
		{in: long64 + "@example.com", address: long64 + "@example.com", canonical: long64 + "@example.com"},
		{in: long64 + "a@example.com", reason: "local part longer than 64"},
		{in: "x@" + label63 + ".com", address: "x@" + label63 + ".com", canonical: "x@" + label63 + ".com"},
		{in: "x@" + label63 + "b.com", reason: "not a valid host name"},
		{in: long64 + "@" + strings.Repeat(label63+".", 3) + "com", reason: "longer than"},
		// Invalid.
		{in: "", reason: "empty"},
		{in: "   ", reason: "empty"},
		{in: "not an email", reason: "missing @"},
		{in: "jane.example.com", reason: "missing @"},
		{in: "@example.com", reason: "missing local part"},
		{in: "jane@", reason: "missing domain"},
		{in: "jane@@example.com", reason: "@"},
		{in: "a@b@example.com", reason: "more than one @"},
		{in: "jane..doe@example.com", reason: "consecutive dots in local part"},
		{in: ".jane@example.com", reason: "starts with a dot"},
		{in: "jane.@example.com", reason: "ends with a dot"},
		{in: "jane doe@example.com", reason: "space"},
		{in: "jane@exa mple.com", reason: "space"},
		{in: "jane@example..com", reason: "consecutive dots in domain"},
		{in: "jane@.example.com", reason: "starts with a dot"},
		{in: "jane@localhost", reason: "at least two labels"},
		{in: "jane@example.123", reason: "numeric"},
		{in: "jane@-example.com", reason: "not a valid host name"},
		{in: "jane@example-.com", reason: "not a valid host name"},
		{in: "jane@exa_mple.com", reason: "not a valid host name"},
		{in: "jane(comment)@example.com", reason: "not allowed unquoted"},
		{in: "jane<x>@example.com", reason: "not allowed unquoted"},
		{in: `"unterminated@example.com`, reason: "unterminated"},
		{in: "x@[300.1.1.1]", reason: "address literal"},
		{in: "x@[IPv6:zz]", reason: "IPv6"},
		{in: "x@[127.0.0.1", reason: "unterminated"},
		{in: "jane@exam\x00ple.com", reason: "not a valid host name"},
		{in: "jane@example.com\xff", reason: "UTF-8"},
	}
	if len(tests) < 60 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseEmail(tt.in)
			if tt.reason != "" {
				if err == nil {
					t.Fatalf("want an error containing %q, got %+v", tt.reason, e)
				}
				ne, ok := err.(*Error)
				if !ok || ne.Field != "email" || !strings.Contains(ne.Reason, tt.reason) {
					t.Fatalf("error %v, want field email and a reason containing %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Address != tt.address || e.Canonical != tt.canonical || e.Provider != tt.provider || e.AddressLiteral != tt.literal {
				t.Fatalf("got %+v", e)
			}
			if e.Local+"@"+e.Domain != e.Address {
				t.Fatalf("local/domain do not add up: %+v", e)
			}
		})
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"Jane.Doe+promo@GoogleMail.com", `"a b"@x.com`, "x@[IPv6:::1]", "a@bücher.de", "a..b@x", "@", "",
		"\"test\\\x00\"@iana.org", "\"a\\\x7f\"@x.com", "ja\u202ene@x.com", "\"Jane.Doe\"@gmail.com", "jose\u0301@x.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEmail(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if len(e.Address) > maxAddress {
			t.Fatalf("address over %d bytes accepted", maxAddress)
		}
		// Never keeps a control, invisible or private-use character.
		for _, v := range []string{e.Address, e.Local, e.Canonical} {
			for _, r := range v {
				if unsafeRune(r) || unicode.IsControl(r) {
					t.Fatalf("%q kept %U", v, r)
				}
			}
		}
		// Normalizing is idempotent.
		e2, err := ParseEmail(e.Address)
		if err != nil {
			t.Fatalf("normalized %q does not parse: %v", e.Address, err)
		}
		if e2.Address != e.Address || e2.Canonical != e.Canonical {
			t.Fatalf("not idempotent: %q → %q / %q → %q", e.Address, e2.Address, e.Canonical, e2.Canonical)
		}
	})
}

func BenchmarkParseEmail(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEmail("Jane.Doe+promo@GoogleMail.com"); err != nil {
			b.Fatal(err)
		}
	}
}
