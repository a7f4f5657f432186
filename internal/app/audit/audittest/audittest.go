// Package audittest checks that an audit.Store behaves as the interface
// says: the same table of cases runs against every implementation.
package audittest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Run exercises a fresh, empty store s.
func Run(t *testing.T, s audit.Store) {
	t.Helper()
	ctx := context.Background()
	a := subject.Hash("email:" + strings.Repeat("a", 64))
	b := subject.Hash("phone:" + strings.Repeat("b", 64))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := []audit.Entry{
		{At: t0, Actor: "key_1", Operation: "enrich", Purpose: "marketing", Subjects: []subject.Hash{a}, Sources: []string{"github", "gravatar"}, Outcome: "ok", Status: 200},
		{At: t0.Add(time.Hour), Actor: "key_2", Operation: "enrich", Purpose: "fraud_prevention", Subjects: []subject.Hash{a, b}, Outcome: "ok", Status: 200},
		{At: t0.Add(2 * time.Hour), Actor: audit.ActorCLI, Operation: "erasure", Subjects: []subject.Hash{b}, Outcome: "ok", Target: "er_1"},
		{At: t0.Add(3 * time.Hour), Actor: "key_1", Operation: "jobs.create", Outcome: "denied", Status: 403},
	}
	if err := s.Append(ctx, in[:2]...); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, in[2:]...); err != nil {
		t.Fatal(err)
	}
	all, err := s.Find(ctx, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(in) {
		t.Fatalf("Find(all) = %d entries, want %d", len(all), len(in))
	}
	for i, e := range all {
		if e.ID == "" || (i > 0 && e.ID <= all[i-1].ID) {
			t.Fatalf("IDs not ascending: %q after %q", e.ID, all[max(i-1, 0)].ID)
		}
		w := in[i]
		if !e.At.Equal(w.At) || e.Actor != w.Actor || e.Operation != w.Operation || e.Purpose != w.Purpose ||
			e.Outcome != w.Outcome || e.Status != w.Status || e.Target != w.Target ||
			strings.Join(hashes(e.Subjects), ",") != strings.Join(hashes(w.Subjects), ",") ||
			strings.Join(e.Sources, ",") != strings.Join(w.Sources, ",") {
			t.Errorf("entry %d = %+v, want %+v", i, e, w)
		}
	}
	tests := []struct {
		name string
		q    audit.Query
		want []int // indexes into in
	}{
		{"by subject", audit.Query{Subject: a}, []int{0, 1}},
		{"by other subject", audit.Query{Subject: b}, []int{1, 2}},
		{"by actor", audit.Query{Actor: "key_1"}, []int{0, 3}},
		{"since (inclusive)", audit.Query{Since: t0.Add(time.Hour)}, []int{1, 2, 3}},
		{"until (exclusive)", audit.Query{Until: t0.Add(time.Hour)}, []int{0}},
		{"limit", audit.Query{Limit: 2}, []int{0, 1}},
		{"after cursor", audit.Query{After: all[1].ID}, []int{2, 3}},
		{"after cursor and subject", audit.Query{After: all[0].ID, Subject: a}, []int{1}},
		{"nobody", audit.Query{Subject: subject.Hash("email:" + strings.Repeat("c", 64))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Find(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var idx []int
			for _, e := range got {
				for i := range all {
					if all[i].ID == e.ID {
						idx = append(idx, i)
					}
				}
			}
			if len(idx) != len(tt.want) {
				t.Fatalf("got entries %v, want %v", idx, tt.want)
			}
			for i := range idx {
				if idx[i] != tt.want[i] {
					t.Fatalf("got entries %v, want %v", idx, tt.want)
				}
			}
		})
	}
	n, err := s.Prune(ctx, t0.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	left, err := s.Find(ctx, audit.Query{})
	if err != nil || len(left) != 2 || left[0].Operation != "erasure" {
		t.Fatalf("after Prune: %+v, %v", left, err)
	}
	if err := s.Append(ctx, audit.Entry{At: t0.Add(4 * time.Hour), Actor: "key_3", Operation: "enrich", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	last, err := s.Find(ctx, audit.Query{After: left[1].ID})
	if err != nil || len(last) != 1 || last[0].Actor != "key_3" {
		t.Fatalf("an entry appended after Prune: %+v, %v (IDs must keep ascending)", last, err)
	}
}

func hashes(hs []subject.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = string(h)
	}
	return out
}
