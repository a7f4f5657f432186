package scoring

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// lexiconJSON is the default lexicon: see its "about" field and SCORING.md.
//
//go:embed lexicon.json
var lexiconJSON []byte

// LexiconFile is the JSON form of a lexicon (lexicon.json).
type LexiconFile struct {
	Version int    `json:"version"`
	About   string `json:"about,omitempty"`
	// Platforms: having an account on a platform at all → category → strength.
	Platforms map[string]map[string]float64 `json:"platforms"`
	// Categories by category id.
	Categories map[string]LexiconCategory `json:"categories"`
}

// LexiconCategory is the signals of one category.
type LexiconCategory struct {
	// Tags: lower-cased repo languages/topics, hashtags, catalogue tags →
	// strength in (0,1].
	Tags map[string]float64 `json:"tags"`
	// Words: phrases by language (en, de, fr, es, ...), strength 1.
	Words map[string][]string `json:"words"`
	// Industries: company industry labels (any language), strength 1.
	Industries []string `json:"industries"`
}

// Lexicon maps signals to interest categories. It is immutable once built.
type Lexicon struct {
	tags       map[string][]hit
	words      phraseTable
	industries phraseTable
	platforms  map[string][]hit
	categories map[string]bool
}

// hit is one category a signal points to, with its strength.
type hit struct {
	cat      string
	strength float64
}

// phraseTable matches normalized multi-word phrases, longest first.
type phraseTable struct {
	phrases  map[string][]hit
	maxWords int
}

var defaultLexicon = sync.OnceValues(func() (*Lexicon, error) {
	var f LexiconFile
	if err := json.Unmarshal(lexiconJSON, &f); err != nil {
		return nil, err
	}
	return NewLexicon(f)
})

// DefaultLexicon returns the embedded lexicon (lexicon.json). It panics if
// the embedded file is invalid, which TestDefaultLexicon rules out.
func DefaultLexicon() *Lexicon {
	l, err := defaultLexicon()
	if err != nil {
		panic("scoring: embedded lexicon.json: " + err.Error())
	}
	return l
}

// DefaultLexiconFile returns a copy of the embedded lexicon's JSON form.
func DefaultLexiconFile() LexiconFile {
	var f LexiconFile
	_ = json.Unmarshal(lexiconJSON, &f) // validated by DefaultLexicon's test
	return f
}

// NewLexicon validates f and builds a lexicon. Every category must be a
// taxonomy id (so never a special category), every strength in (0,1].
func NewLexicon(f LexiconFile) (*Lexicon, error) {
	valid := map[string]bool{}
	for _, c := range Taxonomy() {
		valid[c.ID] = true
	}
	l := &Lexicon{
		tags:       map[string][]hit{},
		words:      phraseTable{phrases: map[string][]hit{}},
		industries: phraseTable{phrases: map[string][]hit{}},
		platforms:  map[string][]hit{},
		categories: valid,
	}
	check := func(cat string, s float64, what string) error {
		if !valid[cat] {
			return fmt.Errorf("lexicon: %s: unknown category %q", what, cat)
		}
		if !(s > 0 && s <= 1) {
			return fmt.Errorf("lexicon: %s → %s: strength %v not in (0,1]", what, cat, s)
		}
		return nil
	}
	for src, m := range f.Platforms {
		for cat, s := range m {
			if err := check(cat, s, "platform "+src); err != nil {
				return nil, err
			}
			l.platforms[src] = append(l.platforms[src], hit{cat, s})
		}
	}
	for cat, c := range f.Categories {
		if err := check(cat, 1, "category"); err != nil {
			return nil, err
		}
		for t, s := range c.Tags {
			if err := check(cat, s, "tag "+t); err != nil {
				return nil, err
			}
			k := normTag(t)
			l.tags[k] = append(l.tags[k], hit{cat, s})
		}
		for _, ws := range c.Words {
			for _, w := range ws {
				if err := l.words.add(w, cat); err != nil {
					return nil, err
				}
			}
		}
		for _, w := range c.Industries {
			if err := l.industries.add(w, cat); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range []map[string][]hit{l.tags, l.words.phrases, l.industries.phrases, l.platforms} {
		for k, hs := range m {
			sort.Slice(hs, func(i, j int) bool { return hs[i].cat < hs[j].cat })
			m[k] = hs
		}
	}
	return l, nil
}

func (t *phraseTable) add(phrase, cat string) error {
	words := normWords(phrase)
	if len(words) == 0 {
		return fmt.Errorf("lexicon: empty phrase %q in %s", phrase, cat)
	}
	k := strings.Join(words, " ")
	for _, h := range t.phrases[k] {
		if h.cat == cat {
			return nil // the same phrase in two languages
		}
	}
	t.phrases[k] = append(t.phrases[k], hit{cat, 1})
	t.maxWords = max(t.maxWords, len(words))
	return nil
}

// phraseMatch is one phrase found in a text.
type phraseMatch struct {
	phrase string
	hits   []hit
}

// match finds the table's phrases in text: greedy, left to right, longest
// phrase first, each span used once ("film photography" is photography, not
// also movies). Each distinct phrase is reported once, in order of first
// appearance.
func (t *phraseTable) match(text string) []phraseMatch {
	words := normWords(text)
	var out []phraseMatch
	seen := map[string]bool{}
	for i := 0; i < len(words); {
		n := min(t.maxWords, len(words)-i)
		for ; n > 0; n-- {
			k := strings.Join(words[i:i+n], " ")
			if hs, ok := t.phrases[k]; ok {
				if !seen[k] {
					seen[k] = true
					out = append(out, phraseMatch{k, hs})
				}
				break
			}
		}
		i += max(n, 1)
	}
	return out
}

// Tag returns the categories a tag points to. A tag that is itself a
// category id (catalogue tags) is reported with catalogue=true.
func (l *Lexicon) tag(t string) (hs []hit, catalogue bool) {
	k := normTag(t)
	if hs, ok := l.tags[k]; ok {
		return hs, false
	}
	if l.categories[k] {
		return []hit{{k, 1}}, true
	}
	return nil, false
}

// Categories returns every category id the lexicon maps any signal to,
// sorted.
func (l *Lexicon) Categories() []string {
	set := map[string]bool{}
	for _, m := range []map[string][]hit{l.tags, l.words.phrases, l.industries.phrases, l.platforms} {
		for _, hs := range m {
			for _, h := range hs {
				set[h.cat] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Terms returns every tag, phrase and industry label of the lexicon
// (normalized), for audits such as TestNoSpecialCategories.
func (l *Lexicon) Terms() []string {
	var out []string
	for k := range l.tags {
		out = append(out, k)
	}
	for k := range l.words.phrases {
		out = append(out, k)
	}
	for k := range l.industries.phrases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func normTag(t string) string {
	return strings.TrimLeft(strings.ToLower(strings.TrimSpace(t)), "#")
}

// normWords lower-cases s, folds Latin diacritics (é→e, ß→ss) and splits it
// into words of letters and digits.
func normWords(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := foldRune(r); ok {
			b.WriteString(f)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

func foldRune(r rune) (string, bool) {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return "a", true
	case 'æ':
		return "ae", true
	case 'ç':
		return "c", true
	case 'è', 'é', 'ê', 'ë':
		return "e", true
	case 'ì', 'í', 'î', 'ï':
		return "i", true
	case 'ñ':
		return "n", true
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
		return "o", true
	case 'œ':
		return "oe", true
	case 'ù', 'ú', 'û', 'ü':
		return "u", true
	case 'ý', 'ÿ':
		return "y", true
	case 'ß':
		return "ss", true
	}
	return "", false
}

// TopicsOf returns the interest categories a profile's own words point to:
// phrases of its bio and its tags (repo languages and topics, hashtags).
// Tags a site implies for every member (catalogue category tags) are left
// out, so two strangers on one platform do not share topics by default.
// Identity resolution compares topics across a person's accounts.
func (l *Lexicon) TopicsOf(bio string, tags []string) map[string]bool {
	out := map[string]bool{}
	for _, m := range l.words.match(bio) {
		for _, h := range m.hits {
			out[h.cat] = true
		}
	}
	for _, t := range tags {
		if hs, catalogue := l.tag(t); !catalogue {
			for _, h := range hs {
				out[h.cat] = true
			}
		}
	}
	return out
}
