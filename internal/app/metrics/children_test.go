package metrics

import (
	"fmt"
	"sync"
	"testing"
)

// TestChildren: concurrent readers and writers of the same label sets all
// get the first child stored for each, and nothing is lost.
func TestChildren(t *testing.T) {
	var c children[string, *int]
	const keys, workers = 50, 8
	got := make([][keys]*int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range keys {
				k := fmt.Sprint("source", (i*7+w)%keys)
				v, ok := c.get(k)
				if !ok {
					v = c.add(k, new(int))
				}
				got[w][(i*7+w)%keys] = v
			}
		})
	}
	wg.Wait()
	for i := range keys {
		want, ok := c.get(fmt.Sprint("source", i))
		if !ok || want == nil {
			t.Fatalf("source%d: no child", i)
		}
		for w := range workers {
			if got[w][i] != want {
				t.Fatalf("source%d: worker %d got another child", i, w)
			}
		}
	}
	if _, ok := c.get("unknown"); ok {
		t.Fatal("a child for a label set never added")
	}
}
