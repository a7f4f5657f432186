// Package personname compares people's names the way profiles write them:
// folded to lowercase ASCII words, so accents, case, punctuation and word
// order do not matter. Sources that search by name (and the names source,
// which builds usernames from one) share it.
package personname

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Tokens folds a name to lowercase ASCII letters, split into words
// ("José  O'Brien-Díaz" → [jose obriendiaz]).
func Tokens(full string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, full)
	if err != nil {
		folded = full
	}
	var out []string
	for _, w := range strings.Fields(strings.ToLower(folded)) {
		var b strings.Builder
		for _, r := range w {
			if r >= 'a' && r <= 'z' {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}

// Key is a name's folded words in sorted order, "" for no words: two
// names are the same name when their keys are equal and not empty.
// Compare many names with one by computing its key once.
func Key(full string) string {
	t := Tokens(full)
	slices.Sort(t)
	return strings.Join(t, " ")
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
	if len(Tokens(name)) < 2 {
		return false, "not a full name"
	}
	return true, ""
}
