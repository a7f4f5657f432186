package sim

// Name frequencies: within a culture, first and last names follow a Zipf
// law (the k-th most common name is about 1/k as frequent as the first), so
// a few full names are very common and most are rare. Last names have a
// long tail beyond the listed ones, built from the culture's own names (the
// start of one joined to the end of another: Schnei+mann), the way real
// surname lists run to thousands of rare names.

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"unicode"
)

const (
	// zipfS is the exponent of the name-frequency law; weights are
	// 1/(rank+offset)^zipfS (Zipf–Mandelbrot), the offset flattening the
	// head as real name lists are flatter there (the commonest surname is
	// about 1 % of people, not 10 %).
	zipfS           = 1.0
	firstNameOffset = 2
	lastNameOffset  = 8
	// lastNameTail is how many rare last names each culture has beyond its
	// listed ones.
	lastNameTail = 1500
)

// zipfTable draws from a list with Zipf weights by position.
type zipfTable struct {
	names []string
	cum   []float64 // cumulative weights
}

func newZipfTable(names []string, offset float64) zipfTable {
	t := zipfTable{names: names, cum: make([]float64, len(names))}
	total := 0.0
	for i := range names {
		total += 1 / math.Pow(float64(i+1)+offset, zipfS)
		t.cum[i] = total
	}
	return t
}

func (t zipfTable) draw(r *rand.Rand) string {
	u := r.Float64() * t.cum[len(t.cum)-1]
	return t.names[min(sort.SearchFloat64s(t.cum, u), len(t.names)-1)]
}

// nameTable is one culture's name frequencies.
type nameTable struct {
	first, last zipfTable
}

// nameTables builds the per-culture tables from nameCultures.
func nameTables() map[string]*nameTable {
	out := map[string]*nameTable{}
	for k, c := range nameCultures() {
		out[k] = &nameTable{first: newZipfTable(c.first, firstNameOffset), last: newZipfTable(append(slices.Clone(c.last), rareNames(k, c.last, lastNameTail)...), lastNameOffset)}
	}
	return out
}

// rareNames builds n names not in list from the start of one listed name
// and the end of another (particles such as "van den" kept).
func rareNames(culture string, list []string, n int) []string {
	seen := map[string]bool{}
	for _, x := range list {
		seen[x] = true
	}
	r := rand.New(rand.NewPCG(hash64("rare-names", culture), 0x7a11))
	var out []string
	for tries := 0; len(out) < n && tries < n*50; tries++ {
		a, b := list[r.IntN(len(list))], list[r.IntN(len(list))]
		particle, coreA := splitParticle(a)
		_, coreB := splitParticle(b)
		ra, rb := []rune(coreA), []rune(coreB)
		if len(ra) < 3 || len(rb) < 3 {
			continue
		}
		na := 2 + r.IntN(len(ra)-1)
		nb := 2 + r.IntN(len(rb)-1)
		head := ra[:min(na, len(ra))]
		tail := rb[len(rb)-min(nb, len(rb)):]
		if len(head)+len(tail) < 4 || len(head)+len(tail) > 12 {
			continue
		}
		name := string(head) + strings.ToLower(string(tail))
		name = string(unicode.ToUpper([]rune(name)[0])) + string([]rune(name)[1:])
		if particle != "" && r.IntN(2) == 0 {
			name = particle + " " + name
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// splitParticle splits "van den Berg" into "van den" and "Berg".
func splitParticle(s string) (string, string) {
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}
