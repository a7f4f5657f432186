// Package textlang guesses the language of a short profile text (a bio,
// an "about" line) from its function words: the articles, pronouns,
// prepositions and conjunctions every sentence of a language is made of.
// It knows a handful of European languages and answers only when the text
// says so clearly; a text with too few such words (a list of hashtags, a
// name, "Hi!") has no language.
package textlang

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Languages are the ISO 639-1 codes Detect can return.
func Languages() []string { return []string{"de", "en", "es", "fr", "it", "nl", "pt"} }

// functionWords returns, per language, frequent words that carry no topic.
// Words shared by two languages (de "in", es/it "con") are listed in both;
// they count for each and so decide nothing between them.
func functionWords() map[string][]string {
	return map[string][]string{
		"en": {"the", "and", "of", "to", "in", "for", "with", "about", "on", "at", "my", "me", "i", "is", "are", "am", "just", "into", "here", "from", "by", "or", "and", "sometimes", "mostly", "things", "other", "own", "opinions", "life", "love", "write", "passionate", "enthusiast", "living", "hi", "hello", "we", "our", "you", "your", "this", "that"},
		"de": {"und", "in", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "ich", "mit", "für", "von", "zu", "ist", "bin", "auf", "im", "über", "nicht", "auch", "oder", "aber", "an", "mein", "meine", "einfach", "hallo", "interessiert", "schreibe", "mehr", "sowie", "manchmal", "meistens", "leidenschaft", "hier", "bei"},
		"fr": {"et", "de", "me", "le", "la", "les", "des", "du", "un", "une", "je", "moi", "pour", "avec", "sur", "dans", "est", "suis", "pas", "ou", "mais", "mon", "ma", "mes", "juste", "salut", "bonjour", "passionné", "passionnée", "écris", "parfois", "surtout", "autres", "choses", "ici", "aussi", "au", "aux"},
		"es": {"y", "de", "me", "el", "la", "los", "las", "del", "un", "una", "yo", "con", "para", "sobre", "en", "es", "soy", "por", "pero", "mi", "mis", "solo", "hola", "apasionado", "apasionada", "escribo", "encanta", "aquí", "veces", "otras", "cosas", "sobre", "todo", "también", "muy"},
		"it": {"e", "il", "in", "me", "lo", "la", "gli", "le", "di", "da", "un", "una", "io", "con", "per", "su", "nel", "della", "sono", "non", "ma", "mio", "mia", "solo", "ciao", "appassionato", "appassionata", "scrivo", "volte", "altre", "cose", "anche", "qui"},
		"nl": {"en", "de", "het", "een", "ik", "met", "voor", "van", "op", "is", "ben", "niet", "ook", "maar", "mijn", "gewoon", "hallo", "hoi", "schrijf", "over", "soms", "meestal", "andere", "dingen", "hier", "bij"},
		"pt": {"e", "de", "o", "os", "as", "do", "da", "dos", "das", "um", "uma", "eu", "com", "para", "sobre", "em", "no", "na", "sou", "por", "mas", "meu", "minha", "só", "olá", "oi", "apaixonado", "apaixonada", "escrevo", "vezes", "outras", "coisas", "também", "aqui"},
	}
}

// Detector holds the word lists; build it once with New.
type Detector struct {
	words map[string][]string // word → languages
	langs []string            // Languages(), in a fixed order for ties
}

// New builds a Detector.
func New() *Detector {
	d := &Detector{words: map[string][]string{}, langs: Languages()}
	for lang, ws := range functionWords() {
		seen := map[string]bool{}
		for _, w := range ws {
			w = norm.NFC.String(w)
			if !seen[w] {
				seen[w] = true
				d.words[w] = append(d.words[w], lang)
			}
		}
	}
	return d
}

// Detect returns the language of text and true when at least two of its
// function words are of that language and it has more of them than any
// other language; otherwise "" and false.
func (d *Detector) Detect(text string) (string, bool) {
	counts := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(norm.NFC.String(text)), func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, l := range d.words[w] {
			counts[l]++
		}
	}
	best, bestN, second := "", 0, 0
	for _, l := range d.langs {
		switch n := counts[l]; {
		case n > bestN:
			best, bestN, second = l, n, bestN
		case n > second:
			second = n
		}
	}
	if bestN < 2 || bestN == second {
		return "", false
	}
	return best, true
}
