package engine

import (
	"fmt"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

// TestTaskSet: the set answers as a map does, below, at and past the size
// it scans.
func TestTaskSet(t *testing.T) {
	for _, n := range []int{0, 1, poolScan - 1, poolScan, poolScan + 1, 3 * poolScan} {
		var s taskSet
		ref := map[taskKey]bool{}
		for i := range 2 * n { // each key twice, the second time in another order
			j := i % max(n, 1)
			if i >= n {
				j = n - 1 - (i - n)
			}
			k := taskKey{source: []string{"email", "github"}[j%2], id: idKey{enrichers.KindUsername, fmt.Sprint("u", j)}}
			if got, want := s.add(k), !ref[k]; got != want {
				t.Fatalf("n=%d: add #%d (%v) = %v, want %v", n, i, k, got, want)
			}
			ref[k] = true
		}
	}
}
