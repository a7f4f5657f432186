package scoring

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestDefaultLexicon(t *testing.T) {
	t.Parallel()
	l := DefaultLexicon()
	f := DefaultLexiconFile()
	ids := map[string]bool{}
	for _, c := range Taxonomy() {
		ids[c.ID] = true
		lc, ok := f.Categories[c.ID]
		if !ok {
			t.Errorf("category %s has no lexicon entry", c.ID)
			continue
		}
		// English plus at least three more languages for every category.
		for _, lang := range []string{"en", "de", "fr", "es"} {
			if len(lc.Words[lang]) == 0 {
				t.Errorf("category %s has no %s words", c.ID, lang)
			}
		}
		if len(lc.Tags) == 0 || len(lc.Industries) == 0 {
			t.Errorf("category %s lacks tags or industries", c.ID)
		}
	}
	for _, c := range l.Categories() {
		if !ids[c] {
			t.Errorf("lexicon maps to %q, not a taxonomy id", c)
		}
	}
	if len(l.Terms()) < 500 {
		t.Errorf("only %d terms", len(l.Terms()))
	}
}

// specialCategories are the GDPR art. 9 special categories (and close
// synonyms) footprint never infers.
var specialCategories = []string{
	"health", "medical", "medicine", "healthy_living", "wellness", "fitness_health", "mental_health",
	"religion", "religion_spirituality", "spirituality", "faith",
	"politics", "news_politics", "political", "government",
	"ethnicity", "race", "ethnic", "nationality",
	"sexuality", "sexual_orientation", "lgbt", "lgbtq", "dating", "sex",
	"genetic", "biometric", "trade_union",
}

// specialTerms are words whose presence in the lexicon would infer a
// special category, in the lexicon's languages.
var specialTerms = []string{
	"health", "medical", "disease", "diabetes", "cancer", "therapy", "mental health", "depression", "pregnancy",
	"gesundheit", "krankheit", "sante", "maladie", "salud", "enfermedad",
	"religion", "church", "christian", "muslim", "islam", "jewish", "hindu", "buddhist", "bible", "prayer", "god",
	"kirche", "glaube", "eglise", "religion", "iglesia", "religion", "catholic", "katholisch", "catolico",
	"politics", "political", "democrat", "republican", "election", "socialist", "conservative", "liberal", "vote",
	"politik", "partei", "politique", "politica", "elecciones",
	"ethnicity", "ethnic", "race", "racial", "black lives", "latino", "immigrant",
	"sexuality", "gay", "lesbian", "queer", "lgbt", "lgbtq", "transgender", "bisexual", "pride", "dating",
	"union", "gewerkschaft", "syndicat", "sindicato",
}

func TestNoSpecialCategories(t *testing.T) {
	t.Parallel()
	special := map[string]bool{}
	for _, s := range specialCategories {
		special[s] = true
	}
	for _, c := range Taxonomy() {
		if special[c.ID] {
			t.Errorf("taxonomy id %q is a special category", c.ID)
		}
		for _, s := range specialCategories {
			if strings.Contains(strings.ToLower(c.ID+" "+c.Name+" "+c.IAB), strings.ReplaceAll(s, "_", " ")) && len(s) > 3 {
				t.Errorf("taxonomy category %+v mentions special category %q", c, s)
			}
		}
	}
	l := DefaultLexicon()
	for _, c := range l.Categories() {
		if special[c] {
			t.Errorf("lexicon maps a signal to special category %q", c)
		}
	}
	for _, term := range l.Terms() {
		words := normWords(term)
		for _, s := range specialTerms {
			sw := normWords(s)
			if slices.Equal(words, sw) || containsSeq(words, sw) {
				t.Errorf("lexicon term %q contains special-category word %q", term, s)
			}
		}
	}
	// A lexicon that tries to map to a special category is rejected.
	f := LexiconFile{Categories: map[string]LexiconCategory{"health": {Tags: map[string]float64{"yoga": 1}}}}
	if _, err := NewLexicon(f); err == nil {
		t.Error("NewLexicon accepted a special category")
	}
	f = LexiconFile{Platforms: map[string]map[string]float64{"x": {"politics": 0.5}}}
	if _, err := NewLexicon(f); err == nil {
		t.Error("NewLexicon accepted a platform mapped to a special category")
	}
}

func containsSeq(words, seq []string) bool {
	for i := 0; i+len(seq) <= len(words); i++ {
		if slices.Equal(words[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

func TestNewLexiconValidates(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]LexiconFile{
		"unknown category": {Categories: map[string]LexiconCategory{"nope": {}}},
		"zero strength":    {Categories: map[string]LexiconCategory{"pets": {Tags: map[string]float64{"dog": 0}}}},
		"strength above 1": {Categories: map[string]LexiconCategory{"pets": {Tags: map[string]float64{"dog": 1.5}}}},
		"empty phrase":     {Categories: map[string]LexiconCategory{"pets": {Words: map[string][]string{"en": {" - "}}}}},
	} {
		if _, err := NewLexicon(f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The embedded file round-trips.
	b, err := json.Marshal(DefaultLexiconFile())
	if err != nil {
		t.Fatal(err)
	}
	var f LexiconFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if _, err := NewLexicon(f); err != nil {
		t.Fatal(err)
	}
}

func TestPhraseMatch(t *testing.T) {
	t.Parallel()
	l := DefaultLexicon()
	for _, tc := range []struct {
		text string
		want []string // "phrase→cat" in order
	}{
		{"Into cars, classic cars and motorsport.", []string{"cars→automotive", "classic cars→automotive", "motorsport→automotive"}},
		{"FILM PHOTOGRAPHY enthusiast.", []string{"film photography→photography"}},
		{"Ich schreibe über Fußball und Kaffee.", []string{"fussball→sports", "kaffee→food_drink"}},
		{"Passionné de jeux vidéo et de randonnée.", []string{"jeux video→video_gaming", "randonnee→travel"}},
		{"Apasionado de fotografía callejera y mascotas.", []string{"fotografia callejera→photography", "mascotas→pets"}},
		{"Fan de développement logiciel", []string{"developpement logiciel→software_dev"}},
		{"music music MUSIC", []string{"music→music_audio"}},
		{"scarsdale carsharing", nil}, // word boundaries
		{"Hi!", nil},
		{"", nil},
	} {
		var got []string
		for _, m := range l.words.match(tc.text) {
			for _, h := range m.hits {
				got = append(got, m.phrase+"→"+h.cat)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("match(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestTagLookup(t *testing.T) {
	t.Parallel()
	l := DefaultLexicon()
	for _, tc := range []struct {
		tag       string
		cat       string
		strength  float64
		catalogue bool
	}{
		{"Rust", "software_dev", 0.7, false},
		{"#gamedev", "video_gaming", 1, false},
		{"jupyter notebook", "science", 0.6, false},
		{"c#", "video_gaming", 0.4, false},
		{"software_dev", "software_dev", 1, true},
		{"hobbies", "hobbies", 1, true},
	} {
		hs, cat := l.tag(tc.tag)
		i := slices.IndexFunc(hs, func(h hit) bool { return h.cat == tc.cat })
		if i < 0 || hs[i].strength != tc.strength || cat != tc.catalogue {
			t.Errorf("tag(%q) = %v, %v; want %s/%v catalogue=%v", tc.tag, hs, cat, tc.cat, tc.strength, tc.catalogue)
		}
	}
	if hs, _ := l.tag("makefile"); hs != nil {
		t.Errorf("tag(makefile) = %v, want nothing", hs)
	}
}
