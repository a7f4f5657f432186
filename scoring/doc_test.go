package scoring

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestScoringDoc: SCORING.md documents every default weight and prior
// with its current value.
func TestScoringDoc(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../SCORING.md")
	if err != nil {
		t.Skipf("SCORING.md not found: %v", err)
	}
	// rows maps the first cell of every table row to its cells.
	rows := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[0]] = cells
	}
	num := func(key string, col int) (float64, bool) {
		r, ok := rows[key]
		if !ok || col >= len(r) {
			return 0, false
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(r[col], "−", "-"), 64)
		return v, err == nil
	}
	p := DefaultParams()
	for code, w := range p.Risk.Weights {
		if v, ok := num(code, 3); !ok || math.Abs(v-w) > 1e-9 {
			t.Errorf("SCORING.md risk row %s: weight %v, code says %v", code, v, w)
		}
	}
	if v, ok := num("(intercept)", 3); !ok || math.Abs(v-p.Risk.Intercept) > 1e-9 {
		t.Errorf("SCORING.md intercept %v, code says %v", v, p.Risk.Intercept)
	}
	for k, w := range p.Interest.Weights {
		if v, ok := num("Weights["+k+"]", 1); !ok || math.Abs(v-w) > 1e-9 {
			t.Errorf("SCORING.md Weights[%s] = %v, code says %v", k, v, w)
		}
	}
	for _, c := range Taxonomy() {
		if v, ok := num(c.ID, 1); !ok || math.Abs(v-p.Interest.Prior[c.ID]) > 1e-9 {
			t.Errorf("SCORING.md prior of %s = %v, code says %v", c.ID, v, p.Interest.Prior[c.ID])
		}
	}
}
