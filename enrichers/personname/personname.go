// Package personname is footprint's one meaning of "the same name" and
// its one name comparator. Sources use it to search by name and to build
// usernames from one (names, mastodon, catalogue, Identifier.Key); scoring
// uses it to weigh names as evidence (scoring/identity's match
// probabilities, scoring's verification name_match). It lives here, under
// the plugin API, rather than in scoring, because the plugin API itself
// (Identifier.Key) and the sources need it and must not import scoring; it
// is a pure leaf package (no network, no state), so scoring can import it.
//
// A name is read as words (Words): lower case; accents and other Latin
// marks folded to ASCII (José → jose, Łukasz → lukasz, Groß → gross);
// letters of other scripts kept as they are. An apostrophe joins ("O'Brien"
// → obrien, "D'Angelo" → dangelo: people and sites drop it, and the
// username is obrien); a hyphen, like a space or any other non-letter,
// separates ("García-López" → garcia lopez: either part is used alone,
// and the hyphen is often written as a space). Word order never matters.
//
// Two names are the same name when they have the same words (Same, Key).
// Similarity grades names that are not the same: a word matches another
// word exactly (1), as its initial (0.7: "J." for Jane), as a prefix (0.8:
// Chris, Christopher) or one typo away in words of five letters or more
// (0.8: Jonathan, Jonathon).
package personname

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s and folds Latin letters to ASCII: combining marks are
// removed (é → e) and the letters that do not decompose are spelled out
// (ß → ss, æ → ae, ø → o, ł → l). Other characters are kept. Use it for
// text compared with names (an email's local part, a location).
func Fold(s string) string {
	if ascii(s) { // most names and local parts: nothing to decompose
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := special(r); ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// special spells out the Latin letters that NFD does not decompose.
func special(r rune) (string, bool) {
	switch r {
	case 'ß':
		return "ss", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'ø':
		return "o", true
	case 'ł':
		return "l", true
	case 'đ', 'ð':
		return "d", true
	case 'þ':
		return "th", true
	case 'ı':
		return "i", true
	}
	return "", false
}

// isApostrophe reports the marks that join the parts of one name word.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', 'ʻ':
		return true
	}
	return false
}

// Words reads a name as its words: folded (see Fold), apostrophes
// dropped, split at every other non-letter ("José O'Brien-Díaz" → [jose
// obrien diaz]).
func Words(full string) []string {
	folded := strings.Map(func(r rune) rune {
		if isApostrophe(r) {
			return -1
		}
		return r
	}, Fold(full))
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) })
}

// WordCount is len(Words(full)), counted without building the words (a
// name's word count is asked for every account a lookup scores).
func WordCount(full string) int {
	if !ascii(full) {
		full = Fold(full)
	}
	n, in := 0, false
	for _, r := range full {
		switch {
		case isApostrophe(r): // dropped: it joins what is around it
		case unicode.IsLetter(r):
			if !in {
				n, in = n+1, true
			}
		default:
			in = false
		}
	}
	return n
}

// Tokens is the words of a name that a username can be built from: Words
// without the words of non-Latin scripts ("José O'Brien-Díaz" → [jose
// obrien diaz]; "Иван Petrov" → [petrov]).
func Tokens(full string) []string {
	return slices.DeleteFunc(Words(full), func(w string) bool {
		return strings.ContainsFunc(w, func(r rune) bool { return r >= utf8.RuneSelf })
	})
}

// Key is a name's words in sorted order, "" for no words: two names are
// the same name when their keys are equal and not empty. Compare many
// names with one by computing its key once.
func Key(full string) string {
	if ascii(full) {
		if k, ok := asciiKey(full); ok {
			return k
		}
	}
	w := Words(full)
	slices.Sort(w)
	return strings.Join(w, " ")
}

// asciiKey is Key for an ASCII name (most are) of a few words, with its
// words found and sorted on the stack and the key made in one allocation
// (a key is asked for every name identifier a lookup pools); false when
// the name is too long for the stack.
func asciiKey(s string) (string, bool) {
	type span struct{ start, end int }
	var (
		letters [96]byte // the words' letters, lowercased, one after another
		spans   [8]span  // each word's letters
	)
	if len(s) > len(letters) {
		return "", false
	}
	b, n, in := letters[:0], 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '`': // apostrophes: dropped, joining what is around them
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z':
		default:
			in = false
			continue
		}
		if !in {
			if n == len(spans) {
				return "", false
			}
			spans[n] = span{len(b), len(b)}
			n, in = n+1, true
		}
		b = append(b, c)
		spans[n-1].end = len(b)
	}
	if n == 0 {
		return "", true
	}
	word := func(sp span) []byte { return b[sp.start:sp.end] }
	for i := 1; i < n; i++ { // insertion sort: a name has a few words
		for j := i; j > 0 && bytes.Compare(word(spans[j]), word(spans[j-1])) < 0; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	var out [len(letters) + len(spans)]byte
	k := out[:0]
	for i, sp := range spans[:n] {
		if i > 0 {
			k = append(k, ' ')
		}
		k = append(k, b[sp.start:sp.end]...)
	}
	return string(k), true
}

// Same reports whether two full names have the same words in any order,
// ignoring case, accents and punctuation ("Jiménez Jorge" and "jorge
// jimenez" are the same name; "Jorge J." and "Jorge" are not).
func Same(a, b string) bool {
	ka := Key(a)
	return ka != "" && ka == Key(b)
}

// Searchable reports whether a name is worth a name search: a first and a
// last word at least (one word would match everyone), with the reason
// when it is not.
func Searchable(name string) (bool, string) {
	if len(Words(name)) < 2 {
		return false, "not a full name"
	}
	return true, ""
}

// Word match scores of Similarity.
const (
	matchInitial = 0.7 // "j" for jane
	matchPrefix  = 0.8 // chris for christopher
	matchTypo    = 0.8 // jonathon for jonathan (words of 5+ letters)
)

// Similarity grades how alike two names are, in [0,1]: each word of a
// scores its best match among the words of b (same word 1, a prefix or
// one typo in a word of 5+ letters 0.8, an initial 0.7), and the sum is
// divided by the longer name's word count. The same name scores 1
// ("Doe, Jane" and "jane doe"), "Jane D." against "Jane Doe" 0.85, "Jane"
// 0.5, a name without words 0.
func Similarity(a, b string) float64 {
	return similarity(Words(a), Words(b))
}

func similarity(ta, tb []string) float64 {
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	hit := 0.0
	for _, x := range ta {
		best := 0.0
		for _, y := range tb {
			best = max(best, wordMatch(x, y))
		}
		hit += best
	}
	return hit / float64(max(len(ta), len(tb)))
}

// wordMatch scores two words of names.
func wordMatch(x, y string) float64 {
	switch {
	case x == y:
		return 1
	case initial(x) || initial(y):
		if firstRune(x) == firstRune(y) {
			return matchInitial
		}
		return 0
	case strings.HasPrefix(x, y) || strings.HasPrefix(y, x):
		return matchPrefix
	case utf8.RuneCountInString(x) >= 5 && utf8.RuneCountInString(y) >= 5 && editDistance1(x, y):
		return matchTypo
	}
	return 0
}

// Part reports whether display is part of name: every word of display is
// a word of name or its initial, display has fewer words and does not
// start with an initial ("Jane", "Jane D." for Jane Doe; not "J. D.").
func Part(display, name string) bool {
	td, tn := Words(display), Words(name)
	if len(td) == 0 || len(td) >= len(tn) {
		return false
	}
	for _, x := range td {
		if !slices.ContainsFunc(tn, func(y string) bool {
			return x == y || initial(x) && firstRune(x) == firstRune(y)
		}) {
			return false
		}
	}
	return !initial(td[0])
}

// SpellsUsername reports whether a one-word display name is only the
// username again (ignoring case, accents, separators and a bluesky
// handle's domain): "jane_doe" for janedoe is, "jane doe" is a name.
func SpellsUsername(display, username string) bool {
	if strings.ContainsFunc(strings.TrimSpace(display), unicode.IsSpace) {
		return false
	}
	// A Bluesky handle is read without its domain (jane.doe.bsky.social
	// spells jane.doe), as identity's handle() reads it.
	u := strings.TrimSuffix(username, ".bsky.social")
	key := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, Fold(s))
	}
	d := key(display)
	return d != "" && d == key(u)
}

func initial(w string) bool { return utf8.RuneCountInString(w) == 1 }

func firstRune(w string) rune {
	r, _ := utf8.DecodeRuneInString(w)
	return r
}

// editDistance1 reports whether a and b differ by at most one insertion,
// deletion or substitution.
func editDistance1(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i, j, diff := 0, 0, 0
	for i < len(ra) && j < len(rb) {
		if ra[i] == rb[j] {
			i++
			j++
			continue
		}
		diff++
		if diff > 1 {
			return false
		}
		if len(ra) == len(rb) {
			j++
		}
		i++
	}
	return diff+(len(ra)-i) <= 1
}

// Variants returns the usernames most often built from a full name, most
// common first; nil unless the name has a first and a last part. A name of
// three or more words is read both ways: the last word as the surname, and
// every word after the first as one (van den Berg, de Vries, García
// Márquez), as people with such surnames usually keep them whole.
func Variants(full string) []string {
	toks := Tokens(full)
	if len(toks) < 2 {
		return nil
	}
	f := toks[0]
	lasts := []string{toks[len(toks)-1]}
	if len(toks) > 2 {
		lasts = append(lasts, strings.Join(toks[1:], ""))
	}
	if len(f) < 2 || len(lasts[0]) < 2 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range lasts {
		for _, v := range []string{f + l, f + "." + l, f + "_" + l, f + "-" + l, f[:1] + l, f + l[:1], l + f} {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}
