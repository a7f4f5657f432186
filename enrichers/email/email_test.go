package email

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func enrich(t testing.TB, s *Source, addr string) *enrichers.Finding {
	t.Helper()
	f, err := s.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindEmail, Value: addr})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestEnrichTable(t *testing.T) {
	s := New()
	tests := []struct {
		addr                   string
		disposable, free, role bool
		typo                   string
	}{
		{"admin@mailinator.com", true, false, true, ""},
		{"someone@gmial.com", true, false, false, "gmail.com"},
		{"someone@gmail.con", false, false, false, "gmail.com"},
		{"jane@hotmial.com", true, false, false, "hotmail.com"},
		{"jane@yaho.com", true, false, false, "yahoo.com"},
		{"jane@outlok.com", true, false, false, "outlook.com"},
		{"jane@gmail.com", false, true, false, ""},
		{"jane@googlemail.com", false, true, false, ""},
		{"jane@yahoo.com", false, true, false, ""},
		{"jane@gmx.de", false, true, false, ""},
		{"jane@gmx.at", false, true, false, ""},
		{"jane@web.de", false, true, false, ""},
		{"info@acme-robotics.com", false, false, true, ""},
		{"noreply+x@acme-robotics.com", false, false, true, ""},
		{"jane.doe@acme-robotics.com", false, false, false, ""},
		{"x@guerrillamail.com", true, false, false, ""},
		{"x@yopmail.com", true, false, false, ""},
		{"jane@gnail.con", false, false, false, "gmail.com"},
		{"x@10minutemail.com", true, false, false, ""},
		{"x@sub.mailinator.com", true, false, false, ""},
		{"postmaster@example.org", false, false, true, ""},
		{"support@protonmail.com", false, true, true, ""},
		// Issue 21: real mail domains the upstream lists called disposable.
		{"jane@zoho.com", false, true, false, ""},
		{"jane@email.com", false, true, false, ""}, // and no "did you mean gmail.com"
		{"jane@hushmail.com", false, true, false, ""},
		{"jane@yandex.net", false, true, false, ""},
		{"5551234567@tmomail.net", false, true, false, ""},
		{"jane@inbox.com", false, true, false, ""},
		{"jane@sify.com", false, true, false, ""},
		{"jane@bigmir.net", false, true, false, ""},
		{"jane@139.com", false, true, false, ""},
		{"jane@189.cn", false, true, false, ""},
		{"jane@hush.com", false, true, false, ""},
		{"jane@mail.ua", false, true, false, ""},  // no "did you mean mail.ru"
		{"jane@love.com", false, true, false, ""}, // no "did you mean live.com"
		// A public suffix on a list never makes its registrants disposable.
		{"jan.kowalski@pw.edu.pl", false, false, false, ""},
		{"jan.kowalski@student.uj.edu.pl", false, false, false, ""},
		{"jan@host.ddns.net", false, false, false, ""},
		{"jan@shop.pp.ua", false, false, false, ""},
		// ... but a subdomain of a listed registrable domain is.
		{"x@a.b.mailinator.com", true, false, false, ""},
		// Typo hints never redirect real domains.
		{"jane@al.com", false, false, false, ""},
		{"jane@uol.com", false, false, false, ""},
		{"jane@goal.com", false, false, false, ""},
		{"jane@gq.com", false, false, false, ""},
		{"jane@hotmart.com", false, false, false, ""},
		{"jane@aol.cm", true, false, false, "aol.com"}, // a typo-squat: listed and hinted
		// Roles from the maintained list; first names are not roles.
		{"accountspayable@acme-robotics.com", false, false, true, ""},
		{"payroll@acme-robotics.com", false, false, true, ""},
		{"unsubscribe@acme-robotics.com", false, false, true, ""},
		{"www@acme-robotics.com", false, false, true, ""},
		{"Staff@acme-robotics.com", false, false, true, ""},
		{"dean@acme-robotics.com", false, false, false, ""},
		{"alexa@acme-robotics.com", false, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			f := enrich(t, s, tt.addr).Email
			if !f.Valid || f.Disposable != tt.disposable || f.FreeProvider != tt.free || f.RoleAccount != tt.role || f.TypoSuggestion != tt.typo {
				t.Fatalf("got %+v", f)
			}
		})
	}
}

// TestPopularDomainsNotDisposable pins examples of the popular-domain
// pruning (lists/SOURCES.md): real sites, providers and academic domains
// the upstream lists called disposable are not, nor is a subdomain of one;
// the popular throwaway services of lists/popular_disposable.txt stay
// disposable.
func TestPopularDomainsNotDisposable(t *testing.T) {
	s := New()
	for _, d := range []string{
		"aver.com", "onmilwaukee.com", "sdf.org", "blogos.com", // mail providers of email-providers' common.json
		"1utar.my", "edubuzz.org", "ittvt.edu.it", "lsmu.com", // academic (swot)
		"ox.ac.uk", "student.uj.edu.pl", "mit.edu", "stud.uni-hannover.de", "afternic.com", // and untouched ones
	} {
		if f := enrich(t, s, "jane@"+d).Email; f.Disposable || f.TypoSuggestion != "" {
			t.Errorf("%s: %+v", d, f)
		}
	}
	l, err := s.load()
	if err != nil {
		t.Fatal(err)
	}
	really := readTextSet(mustRead(t, "lists/popular_disposable.txt"))
	if really.len() < 15 {
		t.Fatalf("only %d popular disposable services", really.len())
	}
	for i := range really.len() {
		d := really.at(i)
		if !l.isDisposable(d) || l.popular.has(d) || l.academic.has(d) {
			t.Errorf("%s is a popular throwaway service: it must stay disposable and off the popular lists", d)
		}
	}
}

// TestRankedTopDomainsNotDisposable: no domain among the top 10 000 of the
// Majestic Million (testdata/majestic_top10k.tsv.gz), nor an address at
// its registrable domain, is disposable unless popular_disposable.txt
// lists it as a real throwaway service, with the reason.
func TestRankedTopDomainsNotDisposable(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(mustRead(t, "testdata/majestic_top10k.tsv.gz")))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	really := readTextSet(mustRead(t, "lists/popular_disposable.txt"))
	s := New()
	n, listed := 0, 0
	for _, line := range strings.Split(string(text), "\n") {
		rank, d, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if n++; rank != strconv.Itoa(n) {
			t.Fatalf("line %q: rank %s, want %d", line, rank, n)
		}
		reg := registrable(d)
		doms := []string{d}
		if reg != "" && reg != d {
			doms = append(doms, reg)
		}
		for _, dom := range doms {
			if _, disposable := s.Classify(dom); disposable {
				if !really.has(dom) && !really.has(reg) {
					t.Errorf("rank %s: %s is called disposable and is not on popular_disposable.txt", rank, dom)
				} else {
					listed++
				}
			}
		}
	}
	if n != 10000 {
		t.Fatalf("%d ranked domains, want 10 000", n)
	}
	t.Logf("%d ranked domains, %d disposable ones all on popular_disposable.txt", n, listed)
}

func TestDomainIdentifierAndLiterals(t *testing.T) {
	s := New()
	f := enrich(t, s, "jane@acme-robotics.com")
	if len(f.Identifiers) != 2 || f.Identifiers[0].Kind != enrichers.KindDomain || f.Identifiers[0].Value != "acme-robotics.com" || f.Identifiers[1].Value != "jane" {
		t.Fatalf("identifiers %+v", f.Identifiers)
	}
	lit := enrich(t, s, "x@[127.0.0.1]")
	if len(lit.Identifiers) != 0 {
		t.Fatal("an address literal must never become a domain to fetch")
	}
	if lit.Email.Reason == "" {
		t.Fatal("address literal should say why it is odd")
	}
}

func TestUsernameGuessesByKindOfAddress(t *testing.T) {
	s := New()
	for _, tt := range []struct {
		addr  string
		guess bool
	}{
		{"susan962@gmail.com", true},
		{"susan962@gmal.com", true}, // a typo of gmail.com, listed as disposable
		{"susan962@yaho.com", true},
		{"susan962@mailinator.com", false},
		{"x8kq2m@yopmail.com", false},
		{"info@acme-robotics.com", false},
	} {
		got := false
		for _, id := range enrich(t, s, tt.addr).Identifiers {
			if id.Kind == enrichers.KindUsername {
				got = true
			}
		}
		if got != tt.guess {
			t.Errorf("%s: username guesses %v, want %v", tt.addr, got, tt.guess)
		}
	}
}

func TestNameFromLocal(t *testing.T) {
	for _, tt := range []struct{ local, want string }{
		{"katharina.schafer", "katharina schafer"},
		{"jane_doe87", "jane doe"},
		{"jane-doe+news", "jane doe"},
		{"janedoe", ""},
		{"j.doe", ""},
		{"jane.m.doe", ""},
		{"jane..doe", ""},
		{".jane", ""},
		{"jane.d0e", ""},
		{"Jane.Doe", ""}, // local parts reach the source lowercased
	} {
		if got := NameFromLocal(tt.local); got != tt.want {
			t.Errorf("NameFromLocal(%q) = %q, want %q", tt.local, got, tt.want)
		}
	}
	var names []string
	for _, id := range enrich(t, New(), "katharina.schafer@example.com").Identifiers {
		if id.Kind == enrichers.KindName {
			names = append(names, id.Value)
			if id.Prior <= 0 || id.Prior >= 1 {
				t.Errorf("prior %v", id.Prior)
			}
		}
	}
	if len(names) != 1 || names[0] != "katharina schafer" {
		t.Fatalf("name identifiers %v", names)
	}
}

func TestSpecialUseNotDeliverable(t *testing.T) {
	s := New()
	for _, tt := range []struct {
		addr  string
		valid bool
	}{
		{"jane@mail.invalid", false}, {"jane@box.localhost", false}, {"jane@printer.local", false},
		{"jane@shop.test", false}, {"jane@www.example", false}, {"jane@abc.onion", false},
		{"jane@1.in-addr.arpa", false}, {"jane@example.com", true}, {"jane@testing.com", true},
	} {
		f := enrich(t, s, tt.addr).Email
		if f.Valid != tt.valid || (!tt.valid && !strings.Contains(f.Reason, "special-use")) || f.TypoSuggestion != "" {
			t.Errorf("%s: %+v", tt.addr, f)
		}
	}
}

// TestListsPruned pins the pruning gen does: no public suffix and no
// popular or listed real provider is on a disposable list, and no common
// first name is a role.
func TestListsPruned(t *testing.T) {
	s := New()
	l, err := s.load()
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []domainSet{l.disposable, l.wildcard} {
		for i := range set.len() {
			d := set.at(i)
			if registrable(d) == "" {
				t.Errorf("public suffix %q on a disposable list", d)
			}
		}
	}
	if l.academic.len() < 20000 || l.popular.len() < 700 {
		t.Errorf("only %d academic and %d popular domains", l.academic.len(), l.popular.len())
	}
	for _, known := range []domainSet{l.popular, l.providers, l.academic} {
		for i := range known.len() {
			d := known.at(i)
			if l.isDisposable(d) {
				t.Errorf("popular, academic or real provider %q is disposable", d)
			}
			if !l.known(d) {
				t.Errorf("%q is not known to receive mail: it may get a typo hint", d)
			}
		}
	}
	// The whole source, for the smaller lists (known domains get no hint).
	for _, known := range []domainSet{l.popular, l.providers} {
		for i := range known.len() {
			d := known.at(i)
			if f := enrich(t, s, "jane@"+d).Email; f.TypoSuggestion != "" || f.Disposable {
				t.Errorf("popular or real provider %q: %+v", d, f)
			}
		}
	}
	names := readTextSet(mustRead(t, "testdata/first_names.txt"))
	if names.len() < 500 {
		t.Fatalf("only %d first names", names.len())
	}
	for i := range names.len() {
		if n := names.at(i); l.isRole(n) {
			t.Errorf("first name %q is a role", n)
		}
	}
	if l.roles.len() < 800 {
		t.Errorf("only %d roles", l.roles.len())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestListSize(t *testing.T) {
	n, err := New().DisposableCount()
	if err != nil {
		t.Fatal(err)
	}
	if n < 100000 {
		t.Fatalf("disposable list has %d domains, want ≥ 100000", n)
	}
}

func TestOSADistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"gmial.com", "gmail.com", 1}, {"gmail.com", "gmail.com", 0}, {"gmal.com", "gmail.com", 1}, {"abc", "", 3}, {"ca", "abc", 3}} {
		if got := osaDistance(tt.a, tt.b, 3); got != tt.d {
			t.Errorf("osa(%q,%q)=%d want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

func BenchmarkEmailEnrich(b *testing.B) {
	s := New()
	enrich(b, s, "warm@up.com")
	id := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "jane.doe@acme-robotics.com"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Enrich(context.Background(), id); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDigitGuesses(t *testing.T) {
	tests := []struct {
		local string
		want  []string
	}{
		{"john.walker91", []string{"jwalker91", "john91"}},
		{"manon_bernard76+news", []string{"mbernard76", "manon76"}},
		{"john.walker", nil},    // no digits
		{"john.walker123", nil}, // not two digits
		{"johnwalker91", nil},   // no name to read
		{"j.walker91", nil},     // an initial is no first name
		{"john.walker.91", nil}, // three parts
	}
	for _, tt := range tests {
		checkGuesses(t, "DigitGuesses", DigitGuesses, tt.local, tt.want)
	}
}

func TestUsernameGuesses(t *testing.T) {
	tests := []struct {
		local string
		want  []string
	}{
		{"jane.doe", []string{"jane.doe", "janedoe", "jane_doe", "jane-doe"}},
		{"jane_doe", []string{"jane_doe", "janedoe", "jane-doe", "jane.doe"}},
		{"j.doe-x", []string{"j.doe-x", "jdoex", "j_doe_x", "j-doe-x", "j.doe.x"}},
		{"jdoe92+news", []string{"jdoe92"}},
		{"jd", nil},
		{`"odd local"`, nil},
		{"josé", nil},
	}
	for _, tt := range tests {
		checkGuesses(t, "UsernameGuesses", UsernameGuesses, tt.local, tt.want)
	}
}

// checkGuesses runs a guesser on a local part: the usernames in order, each
// a username_guess with a prior in (0, 1).
func checkGuesses(t *testing.T, name string, guess func(string) []enrichers.Identifier, local string, want []string) {
	t.Helper()
	var got []string
	for _, id := range guess(local) {
		got = append(got, id.Value)
		if id.Kind != enrichers.KindUsername || id.Method != "username_guess" || id.Prior <= 0 || id.Prior >= 1 {
			t.Errorf("%q: bad identifier %+v", local, id)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s(%q) = %v, want %v", name, local, got, want)
	}
}

// disposableByRegistrable is isDisposable as the issue states it: look
// the registrable domain up first, then walk from the domain down to it.
func (l *lists) disposableByRegistrable(domain string) bool {
	reg := registrable(domain)
	if reg == "" || l.providers.has(reg) {
		return false
	}
	for d := domain; ; {
		if l.disposable.has(d) || l.wildcard.has(d) {
			return true
		}
		i := strings.IndexByte(d, '.')
		if len(d) <= len(reg) || i < 0 {
			return false
		}
		d = d[i+1:]
	}
}

// TestDisposableWalkFirst: isDisposable, which reads the public suffix
// list only for a domain with a listed parent, answers as the plain
// definition does for every listed domain, a subdomain of each, every
// provider, popular and academic domain, and the public suffixes that
// gen removed.
func TestDisposableWalkFirst(t *testing.T) {
	l, err := New().load()
	if err != nil {
		t.Fatal(err)
	}
	var domains []string
	for _, set := range []domainSet{l.disposable, l.wildcard, l.providers, l.popular, l.academic, l.free} {
		for i := range set.len() {
			domains = append(domains, set.at(i), "mail."+set.at(i))
		}
	}
	domains = append(domains, "edu.pl", "pw.edu.pl", "student.uj.edu.pl", "x.ddns.net", "co.uk", "a.b.c.mailinator.com", "com")
	yes := 0
	for _, d := range domains {
		got, want := l.isDisposable(d), l.disposableByRegistrable(d)
		if got != want {
			t.Errorf("%s: %v, want %v", d, got, want)
		}
		if got {
			yes++
		}
	}
	t.Logf("%d domains, %d disposable", len(domains), yes)
	// Lists with what gen prunes: public suffixes, a listed provider.
	odd := &lists{disposable: newDomainSet([]string{"edu.pl", "ddns.net", "mailinator.com", "zoho.com"}),
		providers: newDomainSet([]string{"zoho.com"})}
	for d, want := range map[string]bool{"pw.edu.pl": false, "edu.pl": false, "x.ddns.net": false, "a.mailinator.com": true, "mail.zoho.com": false} {
		if got := odd.isDisposable(d); got != want || odd.disposableByRegistrable(d) != want {
			t.Errorf("%s: %v, want %v", d, got, want)
		}
	}
}

// TestMinEditsBound: the histogram bound the typo check skips providers
// by is never above the edit distance it stands in for, so it never
// changes a hint.
func TestMinEditsBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	const alphabet = "abcdegilmot.-09"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	edit := func(s string) string { // one random edit of s
		b := []byte(s)
		i := rng.IntN(len(b) + 1)
		switch rng.IntN(4) {
		case 0:
			return string(b[:i]) + word(1) + string(b[i:])
		case 1:
			if i < len(b) {
				return string(b[:i]) + string(b[i+1:])
			}
		case 2:
			if i < len(b) {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		case 3:
			if i+1 < len(b) {
				b[i], b[i+1] = b[i+1], b[i]
			}
		}
		return string(b)
	}
	tight := 0
	for n := range 200000 {
		a := word(1 + rng.IntN(20))
		b := word(1 + rng.IntN(20))
		if n%2 == 0 {
			p := topProviders()[rng.IntN(len(topProviders()))]
			a, b = p, p
			for range 1 + rng.IntN(3) {
				b = edit(b)
			}
		}
		ha, hb := histogramOf(a), histogramOf(b)
		bound, d := minEdits(&ha, &hb), osaDistance(a, b, maxTypoLen)
		if bound > d {
			t.Fatalf("%q, %q: bound %d above the distance %d", a, b, bound, d)
		}
		if bound == d {
			tight++
		}
	}
	t.Logf("the bound was the distance in %d of 200 000 pairs", tight)
}
