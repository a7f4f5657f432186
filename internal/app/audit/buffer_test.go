package audit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// A flush queues the next entries in the array of the batch it wrote the
// time before (cleared), while that array is the size the next batch
// needs, and lets a burst's much larger array go; every entry is written
// whole either way.
func TestBufferReusesTheLastBatchArray(t *testing.T) {
	ctx := context.Background()
	m := &Memory{}
	b := NewBuffer(m, BufferConfig{})
	at := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	n := 0
	queue := func(k int) {
		for range k {
			n++
			e := Entry{At: at, Actor: "key_1", Operation: "enrich", Outcome: "ok",
				Subjects: []subject.Hash{subject.Hash(fmt.Sprintf("email:%d", n))}, Sources: []string{"github"}}
			if !b.TryQueue(e) {
				t.Fatal("refused")
			}
		}
	}
	flush := func() {
		t.Helper()
		if err := b.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	array := func(es []Entry) *Entry { return &es[:cap(es)][0] }

	queue(10)
	first := array(b.pending)
	flush() // writes the first array; the next batch goes into a new one
	if b.spare == nil || array(b.spare) != first || len(b.spare) != 0 {
		t.Fatal("the written batch's array is not kept")
	}
	for _, e := range b.spare[:cap(b.spare)] {
		if e.Subjects != nil || e.Actor != "" {
			t.Fatalf("the kept array still holds an entry: %+v", e)
		}
	}
	queue(10)
	flush() // the next batch goes into the first array
	if array(b.pending) != first {
		t.Fatal("the queue did not take the last batch's array")
	}
	queue(10)
	flush()

	// A burst: its array is not kept for batches a tenth of its size.
	queue(200)
	flush()
	burst := b.spare
	queue(10)
	flush()
	if array(b.pending) == array(burst) {
		t.Fatal("the queue took a burst's array for a batch a tenth of it")
	}
	queue(10)
	flush()

	es, err := m.Find(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != n {
		t.Fatalf("%d entries written, want %d", len(es), n)
	}
	seen := map[subject.Hash]bool{}
	for _, e := range es {
		if len(e.Subjects) != 1 || len(e.Sources) != 1 || e.Actor != "key_1" {
			t.Fatalf("entry written changed: %+v", e)
		}
		seen[e.Subjects[0]] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct subjects written, want %d", len(seen), n)
	}
}
