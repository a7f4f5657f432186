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
	//go:embed lists/academic.txt.gz
	academicGz []byte
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
	// popular are the registrable domains of the most linked web sites
	// and the mail providers with a Majestic rank under 100 000.
	popular domainSet
	// academic are universities' and schools' mail domains (swot).
	academic domainSet
	roles    domainSet
	typo     typoTargets
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
		Inline:      true,
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
		if l.academic, err = readGzSet(academicGz); err != nil {
			s.err = fmt.Errorf("email: academic list: %w", err)
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
	disposable = l.isDisposable(domain)
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
	facts := enrichers.EmailFacts{Valid: true, Domain: domain}
	f := &facts
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
		f.Disposable = l.isDisposable(domain)
		free := l.free.has(domain) || l.providers.has(domain)
		f.FreeProvider = !f.Disposable && free
		if f.Valid && !free && !l.popular.has(domain) && !l.academic.has(domain) && !l.knownParent(domain) {
			f.TypoSuggestion = l.typo.suggest(domain)
		}
	}
	var buf [maxIdentifiers]enrichers.Identifier
	ids := buf[:0]
	if !literal {
		ids = append(ids, enrichers.Identifier{Kind: enrichers.KindDomain, Value: domain, Method: enrichers.MethodEmailDomain, Prior: 1})
	}
	// A disposable address's local part is throwaway, but a mistyped
	// provider (gmal.com for gmail.com) is on the disposable lists only
	// because typo-squatters catch its mail: the local part is still the
	// one the person chose. The names source builds the usernames people
	// make of the name it spells (katharina.schafer → schaferkatharina).
	if !f.RoleAccount && (!f.Disposable || f.TypoSuggestion != "") {
		ids = appendGuesses(ids, local, guessAll)
	}
	return newFinding(facts, ids), nil
}

// maxIdentifiers is the most identifiers an address yields: its domain,
// the local part, three spellings of it, two digit handles and a name.
const maxIdentifiers = 8

// newFinding returns a finding of facts and ids in one allocation: the
// finding, its facts and a copy of the identifiers.
func newFinding(facts enrichers.EmailFacts, ids []enrichers.Identifier) *enrichers.Finding {
	var (
		out *enrichers.Finding
		f   *enrichers.EmailFacts
		dst []enrichers.Identifier
	)
	// One size per count but 7, which takes 8's size class (a finding
	// is 176 bytes, an identifier 88; the allocator rounds up to its size
	// classes, so the one allocation is never larger than the two were).
	switch n := len(ids); {
	case n <= 1:
		r := new(findingOf[[1]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	case n == 2:
		r := new(findingOf[[2]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	case n == 3:
		r := new(findingOf[[3]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	case n == 4:
		r := new(findingOf[[4]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	case n == 5:
		r := new(findingOf[[5]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	case n == 6:
		r := new(findingOf[[6]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	default:
		r := new(findingOf[[maxIdentifiers]enrichers.Identifier])
		out, f, dst = &r.finding, &r.facts, r.ids[:n]
	}
	*f = facts
	out.Email = f
	if len(ids) > 0 {
		copy(dst, ids)
		out.Identifiers = dst
	}
	return out
}

// findingOf is a finding, its facts and room for its identifiers (an
// array type), allocated together.
type findingOf[A any] struct {
	finding enrichers.Finding
	facts   enrichers.EmailFacts
	ids     A
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
	return appendGuesses(nil, local, guessUsernames)
}

// DigitGuesses derives, from a local part that spells a first and a last
// name followed by two digits (jane.doe87, jane_doe87: often a birth
// year), the shorter handles people build with the same digits: jdoe87
// and jane87. The local part's own spellings are UsernameGuesses'; nil for
// any other local part.
func DigitGuesses(local string) []enrichers.Identifier {
	return appendGuesses(nil, local, guessDigits)
}

// NameFromLocal reads a local part that spells a first and a last name
// with one separator (jane.doe, jane_doe87, jane-doe+news) as that name
// ("jane doe"); "" for anything else (janedoe, j.doe, a.b.c).
func NameFromLocal(local string) string {
	first, last, _, ok := nameParts(local)
	if !ok {
		return ""
	}
	return first + " " + last
}

// What appendGuesses derives.
const (
	guessUsernames = 1 << iota
	guessDigits
	guessName
	guessAll = guessUsernames | guessDigits | guessName
)

// appendGuesses appends what the local part suggests, in this order: the
// usernames (UsernameGuesses), the digit handles (DigitGuesses) and the
// name (NameFromLocal). The new strings share one allocation.
func appendGuesses(dst []enrichers.Identifier, local string, what int) []enrichers.Identifier {
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	type pending struct {
		kind       enrichers.Kind
		method     enrichers.Method
		prior      float64
		start, end int
	}
	var (
		arena [512]byte
		buf   = arena[:0]
		out   [8]pending
		n     int
	)
	add := func(kind enrichers.Kind, method enrichers.Method, prior float64, start int) {
		out[n] = pending{kind, method, prior, start, len(buf)}
		n++
	}
	if what&guessUsernames != 0 && usernameLike(local) {
		dst = append(dst, enrichers.Identifier{Kind: enrichers.KindUsername, Value: local, Method: enrichers.MethodUsernameGuess, Prior: guessPrior})
		// Platforms allow different separators, so a handle "jane.doe" is
		// "jane-doe" on one, "jane_doe" or "janedoe" on another.
		if strings.ContainsAny(local, "._-") {
		next:
			for _, sep := range [...]string{"", "_", "-", "."} {
				start := len(buf)
				for i := 0; i < len(local); i++ {
					switch c := local[i]; c {
					case '.', '_', '-':
						buf = append(buf, sep...)
					default:
						buf = append(buf, c)
					}
				}
				v := buf[start:]
				if string(v) == local {
					buf = buf[:start]
					continue
				}
				for _, p := range out[:n] {
					if string(buf[p.start:p.end]) == string(v) {
						buf = buf[:start]
						continue next
					}
				}
				add(enrichers.KindUsername, enrichers.MethodUsernameGuess, variantPrior, start)
			}
		}
	}
	first, last, digits, ok := nameParts(local)
	if ok && what&guessDigits != 0 && len(digits) == 2 {
		start := len(buf)
		buf = append(append(append(buf, first[0]), last...), digits...)
		add(enrichers.KindUsername, enrichers.MethodUsernameGuess, digitPrior, start)
		start = len(buf)
		buf = append(append(buf, first...), digits...)
		add(enrichers.KindUsername, enrichers.MethodUsernameGuess, digitPrior, start)
	}
	if ok && what&guessName != 0 {
		start := len(buf)
		buf = append(append(append(buf, first...), ' '), last...)
		add(enrichers.KindName, "email_local", variantPrior, start)
	}
	if n == 0 {
		return dst
	}
	all := string(buf)
	for _, p := range out[:n] {
		dst = append(dst, enrichers.Identifier{Kind: p.kind, Value: all[p.start:p.end], Method: p.method, Prior: p.prior})
	}
	return dst
}

// usernameLike reports whether a local part (without its +tag) can be a
// username as it is: 3 to 30 of a-z, 0-9, '.', '_' and '-'.
func usernameLike(local string) bool {
	if len(local) < 3 || len(local) > 30 {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// nameParts reads a local part (+tag removed or not) as a first and a last
// name of two or more letters a-z, joined by one '.', '_' or '-', and the
// digits that follow them (jane_doe87 → jane, doe, 87).
func nameParts(local string) (first, last, digits string, ok bool) {
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	letters := strings.TrimRightFunc(local, func(r rune) bool { return r >= '0' && r <= '9' })
	digits = local[len(letters):]
	sep := -1
	for i := 0; i < len(letters); i++ {
		switch c := letters[i]; {
		case c == '.' || c == '_' || c == '-':
			if sep >= 0 {
				return "", "", "", false
			}
			sep = i
		case c < 'a' || c > 'z':
			return "", "", "", false
		}
	}
	if sep < 2 || len(letters)-sep-1 < 2 {
		return "", "", "", false
	}
	return letters[:sep], letters[sep+1:], digits, true
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
// registrable domain, is on a disposable list. A public suffix is never
// disposable (every address under edu.pl is not), and a known mailbox
// provider wins over the lists.
//
// The parents are walked first, and the public suffix list is read only
// when one of them is listed (most domains are on no list): the nearest
// listed parent decides, since every one beyond it is shorter still.
func (l *lists) isDisposable(domain string) bool {
	listed := ""
	// A single label is never listed: it cannot be at or under a
	// registrable domain, which has a dot.
	for d := domain; strings.IndexByte(d, '.') >= 0; d = d[strings.IndexByte(d, '.')+1:] {
		if l.disposable.has(d) || l.wildcard.has(d) {
			listed = d
			break
		}
	}
	if listed == "" {
		return false
	}
	reg := registrable(domain)
	return reg != "" && len(listed) >= len(reg) && !l.providers.has(reg)
}

// knownParent reports whether the registrable domain of domain, when it
// is not domain itself, is known to receive mail (l.known): mail.gmail.com
// is no typo. A domain of one dot is its own registrable domain or a
// public suffix, so the public suffix list is read only for longer ones.
func (l *lists) knownParent(domain string) bool {
	if strings.Count(domain, ".") < 2 {
		return false
	}
	reg := registrable(domain)
	return reg != domain && l.known(reg)
}

// known reports whether domain is known to receive mail without looking
// at DNS (the source is offline): it is a free-mail provider, a listed real
// provider, a popular site or an academic domain. A typo hint never points
// such a domain, or a subdomain of one, elsewhere.
func (l *lists) known(domain string) bool {
	return domain != "" && (l.free.has(domain) || l.providers.has(domain) || l.popular.has(domain) || l.academic.has(domain))
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
