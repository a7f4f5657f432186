package personname

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Jane Doe", []string{"jane", "doe"}},
		{"Mary O'Brien", []string{"mary", "obrien"}},
		{"Mary O’Brien", []string{"mary", "obrien"}}, // typographic apostrophe
		{"Luca D'Angelo", []string{"luca", "dangelo"}},
		{"José O'Brien-Díaz", []string{"jose", "obrien", "diaz"}},
		{"Anne-Marie  Dupont", []string{"anne", "marie", "dupont"}},
		{"Jürgen Groß", []string{"jurgen", "gross"}},
		{"Łukasz Żółć", []string{"lukasz", "zolc"}},
		{"Søren Ærø", []string{"soren", "aero"}},
		{"Nguyễn Văn An", []string{"nguyen", "van", "an"}},
		{"J.R.R. Tolkien", []string{"j", "r", "r", "tolkien"}},
		{"Doe, Jane (she/her) 2", []string{"doe", "jane", "she", "her"}},
		{"Иван Петров", []string{"иван", "петров"}},
		{"", nil},
		{"!! 42", nil},
	} {
		if got := Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"José O'Brien-Díaz", []string{"jose", "obrien", "diaz"}},
		{"Иван Petrov", []string{"petrov"}},
		{"Иван Петров", nil},
	} {
		if got := Tokens(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Jorge Jiménez", "jorge jimenez", true},
		{"Jiménez, Jorge", "Jorge Jimenez", true},
		{"Sanne de Jong", "sanne DE jong", true},
		{"Mary O'Brien", "Mary OBrien", true},
		{"Mary O'Brien", "mary obrien", true},
		{"Mary O'Brien", "Mary O Brien", false}, // o is a word of its own there
		{"Luca D'Angelo", "Luca Dangelo", true},
		{"García-López, María", "María García López", true},
		{"Anne-Marie Dupont", "Annemarie Dupont", false},
		{"Jürgen Groß", "JURGEN GROSS", true},
		{"Иван Петров", "петров иван", true},
		{"Jorge J.", "Jorge Jimenez", false},
		{"Jorge", "Jorge Jimenez", false},
		{"Jorge Jimenez Ruiz", "Jorge Jimenez", false},
		{"", "", false},
		{"!!", "??", false},
	} {
		if got := Same(c.a, c.b); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Jorge Jiménez", "jimenez jorge"},
		{"jiménez  JORGE", "jimenez jorge"},
		{"José O'Brien-Díaz", "diaz jose obrien"},
		{"", ""},
		{"!!", ""},
		{"Mary O'Brien", "mary obrien"},
		{"b a", "a b"},
		{"Zoe  zoe ZOE", "zoe zoe zoe"},
		{"ab a abc aa", "a aa ab abc"},
		{"a b c d e f g h", "a b c d e f g h"},     // as many words as the stack holds
		{"h g f e d c b a i", "a b c d e f g h i"}, // more: the general path
		{strings.Repeat("x", 100) + " a", "a " + strings.Repeat("x", 100)}, // longer than the stack
		{"o`neil 42", "oneil"},
	} {
		if got := Key(c.in); got != c.want || got != keyOfWords(c.in) {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// keyOfWords is Key as the words and their sort give it, without the
// ASCII fast path.
func keyOfWords(full string) string {
	w := Words(full)
	slices.Sort(w)
	return strings.Join(w, " ")
}

// FuzzKey: Key (with its fast path for ASCII names) is the sorted words
// for any string.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"", "Jorge Jiménez", "Mary O'Brien", "b a", "a b c d e f g h i", "o`neil 42", "Ab-Cd.Ef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Key(s), keyOfWords(s); got != want {
			t.Fatalf("Key(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestSimilarity: the one name comparator, for identity resolution and
// verification alike.
func TestSimilarity(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"Jane Doe", "jane doe", 1},
		{"Doe, Jane", "Jane Doe", 1},                    // word order
		{"José Núñez", "Jose Nunez", 1},                 // accents
		{"Mary O'Brien", "Mary OBrien", 1},              // apostrophe
		{"Mary O’Brien", "mary obrien", 1},              // typographic apostrophe
		{"Luca D'Angelo", "Luca Dangelo", 1},            // apostrophe
		{"María García-López", "Maria Garcia Lopez", 1}, // hyphen
		{"María García-López", "María García", 2.0 / 3},
		{"Jean-Pierre Dupont", "Jean Dupont", 2.0 / 3},
		{"J. Doe", "Jane Doe", 0.85},              // initial
		{"Jane D.", "Jane Doe", 0.85},             // initial
		{"Mary O.", "Mary O'Brien", 0.85},         // the initial of O'Brien is O
		{"J. D.", "Jane Doe", 0.7},                // initials only
		{"Jane", "Jane Doe", 0.5},                 // first name alone
		{"Chris Doe", "Christopher Doe", 0.9},     // prefix
		{"Jonathon Smith", "Jonathan Smith", 0.9}, // one typo
		{"Anna Schmitt", "Anna Schmidt", 0.9},
		{"Jürgen Groß", "Juergen Gross", 0.9}, // ü read as u, then one typo
		{"Jon Doe", "Jan Doe", 0.5},           // short words: no typo allowance
		{"Jane Doe", "Bob Smith", 0},
		{"", "Jane", 0},
		{"Jane", "", 0},
	} {
		got := Similarity(c.a, c.b)
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Similarity(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if c.a != "" && c.b != "" {
			if back := Similarity(c.b, c.a); math.Abs(back-got) > 1e-9 && len(Words(c.a)) == len(Words(c.b)) {
				t.Errorf("Similarity(%q, %q) = %v, but %v the other way", c.b, c.a, back, got)
			}
		}
	}
}

func TestPart(t *testing.T) {
	for _, c := range []struct {
		display, name string
		want          bool
	}{
		{"Sanne", "Sanne de Groot", true},
		{"Sanne G.", "Sanne de Groot", true},
		{"Mary", "Mary O'Brien", true},
		{"Anne", "Anne-Marie Dupont", true},
		{"J. D.", "Jane Doe", false}, // initials only
		{"Jane Doe", "Jane Doe", false},
		{"Bob", "Jane Doe", false},
		{"", "Jane Doe", false},
	} {
		if got := Part(c.display, c.name); got != c.want {
			t.Errorf("Part(%q, %q) = %v, want %v", c.display, c.name, got, c.want)
		}
	}
}

func TestSpellsUsername(t *testing.T) {
	for _, c := range []struct {
		display, username string
		want              bool
	}{
		{"ute_lehmann", "ute_lehmann", true},
		{"Ute-Lehmann", "ute_lehmann", true},
		{"jdoe", "jdoe.bsky.social", true},
		{"jane.doe", "jane.doe.bsky.social", true}, // a dotted handle: jane.doe, not jane
		{"Jane", "jane.doe.bsky.social", false},
		{"O'Brien", "obrien", true},
		{"Müller", "muller", true},
		{"daniel jones", "danieljones", false}, // a name in lower case
		{"Jane", "janedoe", false},
		{"", "x", false},
	} {
		if got := SpellsUsername(c.display, c.username); got != c.want {
			t.Errorf("SpellsUsername(%q, %q) = %v, want %v", c.display, c.username, got, c.want)
		}
	}
}

func TestWordCount(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"Owen", 1},
		{"Owen Miller", 2},
		{"José O'Brien-Díaz", 3},
		{"O’Brien", 1},
		{"Иван Petrov", 2},
		{"jane.doe_42", 2},
		{"42", 0},
		{"Ł ø ß", 3},
		{"'", 0},
		{"a'b c`d", 2},
		{"\xff\xfeab", 1},
	} {
		if got := WordCount(tt.in); got != tt.want || got != len(Words(tt.in)) {
			t.Errorf("WordCount(%q) = %d, want %d (len(Words) %d)", tt.in, got, tt.want, len(Words(tt.in)))
		}
	}
}

// FuzzWordCount: WordCount is len(Words) for any string.
func FuzzWordCount(f *testing.F) {
	for _, s := range []string{"", "Owen Miller", "José O'Brien-Díaz", "Иван Petrov", "a'b", "\xff", "ǅemal Ǆ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := WordCount(s), len(Words(s)); got != want {
			t.Fatalf("WordCount(%q) = %d, len(Words) = %d", s, got, want)
		}
	})
}
