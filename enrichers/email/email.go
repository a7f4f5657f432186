// Package email is the offline email-hygiene source: syntax, free-mail and
// disposable providers, role accounts and typo suggestions, from lists
// embedded at build time (see lists/SOURCES.md).
package email

//go:generate go run ./internal/gen lists

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/footprint-oss/footprint/enrichers"
)

var (
	//go:embed lists/disposable.txt.gz
	disposableGz []byte
	//go:embed lists/disposable_wildcard.txt
	wildcardTxt []byte
	//go:embed lists/free.txt.gz
	freeGz []byte
	//go:embed lists/providers.txt
	providersTxt []byte
	//go:embed lists/popular.txt
	popularTxt []byte
	//go:embed lists/roles.txt
	rolesTxt []byte
)

// Name is the source name.
const Name = "email"

// Source is the email-hygiene source. The embedded lists are decompressed
// once, on first use (not in New: constructors stay cheap).
type Source struct {
	once  sync.Once
	lists *lists
	err   error
}

type lists struct {
	disposable domainSet
	wildcard   domainSet
	free       domainSet
	// providers are real mailbox providers: they win over the disposable
	// lists (lists/providers.txt).
	providers domainSet
	// popular are the registrable domains of the most linked web sites.
	popular domainSet
	roles   domainSet
	typo    typoTargets
}

var _ enrichers.Enricher = (*Source)(nil)

// New returns the source.
func New() *Source { return &Source{} }

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Offline email hygiene: syntax, free-mail and disposable providers (165k+ domains), role accounts, typo suggestions.",
		Version:     4,
		Inputs:      []enrichers.Kind{enrichers.KindEmail},
		Network:     false,
		RatePerS:    100000,
		Burst:       100000,
		Timeout:     200 * time.Millisecond,
		TTL:         30 * 24 * time.Hour,
		NegativeTTL: 30 * 24 * time.Hour,
	}
}

func (s *Source) load() (*lists, error) {
	s.once.Do(func() {
		l := &lists{}
		var err error
		if l.disposable, err = readGzSet(disposableGz); err != nil {
			s.err = fmt.Errorf("email: disposable list: %w", err)
			return
		}
		if l.free, err = readGzSet(freeGz); err != nil {
			s.err = fmt.Errorf("email: free list: %w", err)
			return
		}
		l.wildcard = readTextSet(wildcardTxt)
		l.providers = readTextSet(providersTxt)
		l.popular = readTextSet(popularTxt)
		l.roles = readTextSet(rolesTxt)
		l.typo = newTypoTargets(topProviders())
		s.lists = l
	})
	return s.lists, s.err
}

// Warm loads the embedded lists.
func (s *Source) Warm(context.Context) error {
	_, err := s.load()
	return err
}

// Classify reports whether domain is a free-mail or a disposable provider
// (the website source skips both).
func (s *Source) Classify(domain string) (free, disposable bool) {
	l, err := s.load()
	if err != nil {
		return false, false
	}
	disposable = l.isDisposable(domain, registrable(domain))
	return !disposable && (l.free.has(domain) || l.providers.has(domain)), disposable
}

// DisposableCount is the number of disposable domains embedded.
func (s *Source) DisposableCount() (int, error) {
	l, err := s.load()
	if err != nil {
		return 0, err
	}
	return l.disposable.len(), nil
}

// Enrich implements enrichers.Enricher. The identifier is already
// syntactically valid (the pipeline normalized it).
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l, err := s.load()
	if err != nil {
		return nil, err
	}
	at := strings.LastIndexByte(id.Value, '@')
	if at < 0 {
		return &enrichers.Finding{Email: &enrichers.EmailFacts{Valid: false, Reason: "missing @"}}, nil
	}
	local, domain := id.Value[:at], id.Value[at+1:]
	f := &enrichers.EmailFacts{Valid: true, Domain: domain}
	literal := strings.HasPrefix(domain, "[")
	if literal {
		f.Reason = "address literal: deliverable only to a raw IP address"
	} else if tld := SpecialUse(domain); tld != "" {
		// Syntactically fine, but no mail is ever delivered there.
		f.Valid = false
		f.Reason = "special-use domain (." + tld + ", RFC 6761/6762/7686): never receives mail"
	}
	f.RoleAccount = l.isRole(local)
	if !literal {
		reg := registrable(domain)
		f.Disposable = l.isDisposable(domain, reg)
		f.FreeProvider = !f.Disposable && (l.free.has(domain) || l.providers.has(domain))
		if f.Valid && !l.known(domain, reg) {
			f.TypoSuggestion = l.typo.suggest(domain)
		}
	}
	out := &enrichers.Finding{Email: f}
	if !literal {
		out.Identifiers = []enrichers.Identifier{{Kind: enrichers.KindDomain, Value: domain, Method: enrichers.MethodEmailDomain, Prior: 1}}
	}
	// A disposable address's local part is throwaway, but a mistyped
	// provider (gmal.com for gmail.com) is on the disposable lists only
	// because typo-squatters catch its mail: the local part is still the
	// one the person chose.
	if !f.RoleAccount && (!f.Disposable || f.TypoSuggestion != "") {
		out.Identifiers = append(out.Identifiers, UsernameGuesses(local)...)
		out.Identifiers = append(out.Identifiers, DigitGuesses(local)...)
		if n := NameFromLocal(local); n != "" {
			// The names source builds the usernames people make of it
			// (katharina.schafer → schaferkatharina, kschafer).
			out.Identifiers = append(out.Identifiers, enrichers.Identifier{Kind: enrichers.KindName, Value: n, Method: "email_local", Prior: variantPrior})
		}
	}
	return out, nil
}

// Priors of username guesses derived from the local part: people often
// reuse it as a username, less often in another platform's alphabet.
const (
	guessPrior   = 0.8
	variantPrior = 0.6
	// digitPrior is for handles built from the name the local part spells
	// and its digits: as likely as a variant of the name itself.
	digitPrior = 0.5
)

// UsernameGuesses derives candidate usernames from an email local part: the
// part itself (without a +tag) when it can be a username, and its
// dotless and underscore spellings for platforms that do not allow dots.
func UsernameGuesses(local string) []enrichers.Identifier {
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if len(local) < 3 || len(local) > 30 || strings.HasPrefix(local, `"`) {
		return nil
	}
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return nil
		}
	}
	out := make([]enrichers.Identifier, 1, 4)
	out[0] = enrichers.Identifier{Kind: enrichers.KindUsername, Value: local, Method: enrichers.MethodUsernameGuess, Prior: guessPrior}
	// Platforms allow different separators, so a handle "jane.doe" is
	// "jane-doe" on one, "jane_doe" or "janedoe" on another.
	if strings.ContainsAny(local, "._-") {
		var seen [5]string
		seen[0] = local
		n := 1
	next:
		for _, sep := range [...]string{"", "_", "-", "."} {
			v := replaceSeparators(local, sep)
			for _, s := range seen[:n] {
				if s == v {
					continue next
				}
			}
			seen[n] = v
			n++
			out = append(out, enrichers.Identifier{Kind: enrichers.KindUsername, Value: v, Method: enrichers.MethodUsernameGuess, Prior: variantPrior})
		}
	}
	return out
}

// replaceSeparators writes local with each '.', '_' and '-' replaced by
// sep ("" drops them).
func replaceSeparators(local, sep string) string {
	b := make([]byte, 0, len(local))
	for i := 0; i < len(local); i++ {
		switch c := local[i]; c {
		case '.', '_', '-':
			b = append(b, sep...)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// DigitGuesses derives, from a local part that spells a first and a last
// name followed by two digits (jane.doe87, jane_doe87: often a birth
// year), the shorter handles people build with the same digits: jdoe87
// and jane87. The local part's own spellings are UsernameGuesses'; nil for
// any other local part.
func DigitGuesses(local string) []enrichers.Identifier {
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	letters := strings.TrimRightFunc(local, func(r rune) bool { return r >= '0' && r <= '9' })
	digits := local[len(letters):]
	n := NameFromLocal(local)
	if len(digits) != 2 || n == "" {
		return nil
	}
	first, last, _ := strings.Cut(n, " ")
	var out []enrichers.Identifier
	for _, v := range []string{first[:1] + last + digits, first + digits} {
		out = append(out, enrichers.Identifier{Kind: enrichers.KindUsername, Value: v, Method: enrichers.MethodUsernameGuess, Prior: digitPrior})
	}
	return out
}

// NameFromLocal reads a local part that spells a first and a last name
// with one separator (jane.doe, jane_doe87, jane-doe+news) as that name
// ("jane doe"); "" for anything else (janedoe, j.doe, a.b.c).
func NameFromLocal(local string) string {
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	local = strings.TrimRightFunc(local, func(r rune) bool { return r >= '0' && r <= '9' })
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(parts) != 2 || strings.Count(local, ".")+strings.Count(local, "_")+strings.Count(local, "-") != 1 {
		return ""
	}
	for _, p := range parts {
		if len(p) < 2 {
			return ""
		}
		for _, r := range p {
			if r < 'a' || r > 'z' {
				return ""
			}
		}
	}
	return parts[0] + " " + parts[1]
}

// registrable is domain's registrable part under the public suffix list
// (mail.example.co.uk → example.co.uk); "" when domain is itself a public
// suffix (edu.pl, ddns.net) or not under one.
func registrable(domain string) string {
	reg, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return ""
	}
	return reg
}

// isDisposable reports whether domain, or a parent of it down to its
// registrable domain reg, is on a disposable list. A public suffix is never
// disposable (every address under edu.pl is not), and a known mailbox
// provider wins over the lists.
func (l *lists) isDisposable(domain, reg string) bool {
	if reg == "" || l.providers.has(reg) {
		return false
	}
	for d := domain; ; {
		if l.disposable.has(d) || l.wildcard.has(d) {
			return true
		}
		if len(d) <= len(reg) {
			return false
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
}

// known reports whether domain is known to receive mail without looking
// at DNS (the source is offline): it, or its registrable domain, is a
// free-mail provider, a listed real provider or a popular site. A typo
// hint never points such a domain elsewhere.
func (l *lists) known(domain, reg string) bool {
	for _, d := range [...]string{domain, reg} {
		if d != "" && (l.free.has(d) || l.providers.has(d) || l.popular.has(d)) {
			return true
		}
	}
	return false
}

// SpecialUse returns the special-use top-level domain of domain (RFC 6761
// invalid, localhost, test, example; RFC 6762 local; RFC 7686 onion; and
// arpa), "" for any other domain. Mail is never delivered to them.
func SpecialUse(domain string) string {
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	switch tld {
	case "invalid", "localhost", "test", "example", "local", "onion", "arpa":
		return tld
	}
	return ""
}

// isRole reports whether local (without its +tag) names a function, not a
// person: lists/roles.txt, AfterShip email-verifier's role list (MIT) less
// common first names.
func (l *lists) isRole(local string) bool {
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; c >= 'A' && c <= 'Z' {
			local = strings.ToLower(local)
			break
		}
	}
	return l.roles.has(local)
}
