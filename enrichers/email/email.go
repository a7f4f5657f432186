// Package email is the offline email-hygiene source: syntax, free-mail and
// disposable providers, role accounts and typo suggestions, from lists
// embedded at build time (see lists/SOURCES.md).
package email

//go:generate go run ./internal/gen lists

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

var (
	//go:embed lists/disposable.txt.gz
	disposableGz []byte
	//go:embed lists/disposable_wildcard.txt
	wildcardTxt []byte
	//go:embed lists/free.txt.gz
	freeGz []byte
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
	wildcard   map[string]struct{}
	free       domainSet
}

var _ enrichers.Enricher = (*Source)(nil)

// New returns the source.
func New() *Source { return &Source{} }

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:        Name,
		Description: "Offline email hygiene: syntax, free-mail and disposable providers (165k+ domains), role accounts, typo suggestions.",
		Version:     3,
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
		l.wildcard = map[string]struct{}{}
		for _, d := range strings.Fields(string(wildcardTxt)) {
			l.wildcard[d] = struct{}{}
		}
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
	return l.free.has(domain), l.isDisposable(domain)
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
	}
	f.Disposable = l.isDisposable(domain)
	f.FreeProvider = l.free.has(domain)
	f.FreeProvider = f.FreeProvider && !f.Disposable
	f.RoleAccount = isRole(local)
	if !literal && !slices.Contains(topProviders(), domain) && !f.FreeProvider {
		f.TypoSuggestion = suggest(domain)
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
	out := []enrichers.Identifier{{Kind: enrichers.KindUsername, Value: local, Method: enrichers.MethodUsernameGuess, Prior: guessPrior}}
	// Platforms allow different separators, so a handle "jane.doe" is
	// "jane-doe" on one, "jane_doe" or "janedoe" on another.
	if strings.ContainsAny(local, "._-") {
		seen := map[string]bool{local: true}
		for _, sep := range []string{"", "_", "-", "."} {
			v := strings.NewReplacer(".", sep, "_", sep, "-", sep).Replace(local)
			if !seen[v] {
				seen[v] = true
				out = append(out, enrichers.Identifier{Kind: enrichers.KindUsername, Value: v, Method: enrichers.MethodUsernameGuess, Prior: variantPrior})
			}
		}
	}
	return out
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

func (l *lists) isDisposable(domain string) bool {
	if l.disposable.has(domain) {
		return true
	}
	// A subdomain of a listed or wildcard domain is disposable too.
	for d := domain; ; {
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
		if !strings.Contains(d, ".") {
			return false
		}
		if l.disposable.has(d) {
			return true
		}
		if _, ok := l.wildcard[d]; ok {
			return true
		}
	}
}

// roleLocals are local parts that name a function, not a person.
func roleLocals() []string {
	return []string{
		"abuse", "accounting", "accounts", "admin", "administrator", "billing", "careers", "contact", "customerservice",
		"dev", "devnull", "dns", "enquiries", "feedback", "finance", "ftp", "hello", "help", "helpdesk", "hostmaster",
		"hr", "info", "inquiries", "it", "jobs", "legal", "mail", "mailer-daemon", "marketing", "media", "news",
		"newsletter", "no-reply", "noc", "noreply", "office", "orders", "postmaster", "press", "privacy", "recruiting",
		"root", "sales", "security", "service", "shop", "support", "sysadmin", "team", "tech", "test", "webmaster",
	}
}

func isRole(local string) bool {
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return slices.Contains(roleLocals(), strings.ToLower(local))
}
