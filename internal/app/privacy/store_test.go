package privacy_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

func hashOf(kind string, n int) subject.Hash {
	return subject.Hash(fmt.Sprintf("%s:%064x", kind, n))
}

// TestStores runs one conformance suite against every Store.
func TestStores(t *testing.T) {
	t.Run("bolt", func(t *testing.T) {
		s, err := privacy.OpenBolt(filepath.Join(t.TempDir(), "privacy.db"), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		testStore(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := privacy.OpenPostgres(t.Context(), pgtest.New(t))
		if err != nil {
			t.Fatal(err)
		}
		testStore(t, s)
	})
}

func testStore(t *testing.T, s privacy.Store) {
	ctx := t.Context()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b, c := hashOf("email", 1), hashOf("phone", 2), hashOf("email", 3)

	if sp, err := s.Suppressed(ctx, a, b); err != nil || sp != nil {
		t.Fatalf("empty store: %v %v", sp, err)
	}
	got, created, err := s.Suppress(ctx, privacy.Suppression{ID: "s1", Subjects: []subject.Hash{a, b}, Reason: "asked", CreatedAt: at, Actor: "k1"})
	if err != nil || !created || got.ID != "s1" || len(got.Subjects) != 2 {
		t.Fatalf("Suppress: %+v %v %v", got, created, err)
	}
	// Idempotent: the same subjects again change nothing.
	got, created, err = s.Suppress(ctx, privacy.Suppression{ID: "s2", Subjects: []subject.Hash{b}, CreatedAt: at})
	if err != nil || created || got.ID != "s1" {
		t.Fatalf("repeat Suppress: %+v %v %v", got, created, err)
	}
	// A new subject alongside a known one: only the new one is recorded.
	got, created, err = s.Suppress(ctx, privacy.Suppression{ID: "s3", Subjects: []subject.Hash{a, c}, CreatedAt: at})
	if err != nil || !created || !slices.Equal(got.Subjects, []subject.Hash{c}) {
		t.Fatalf("partial Suppress: %+v %v %v", got, created, err)
	}
	for _, h := range []subject.Hash{a, b, c} {
		if sp, err := s.Suppressed(ctx, hashOf("email", 99), h); err != nil || sp == nil {
			t.Fatalf("Suppressed(%s): %v %v", h, sp, err)
		}
	}
	sp, _ := s.Suppressed(ctx, b)
	if sp.ID != "s1" || sp.Reason != "asked" || sp.Actor != "k1" || !sp.CreatedAt.Equal(at) {
		t.Fatalf("stored suppression: %+v", sp)
	}
	page, err := s.Suppressions(ctx, "", 1)
	if err != nil || len(page) != 1 || page[0].ID != "s1" {
		t.Fatalf("page 1: %+v %v", page, err)
	}
	page, err = s.Suppressions(ctx, page[0].ID, 10)
	if err != nil || len(page) != 1 || page[0].ID != "s3" {
		t.Fatalf("page 2: %+v %v", page, err)
	}
	if err := s.Unsuppress(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsuppress(ctx, "s1"); !errors.Is(err, privacy.ErrNotFound) {
		t.Fatalf("second Unsuppress: %v", err)
	}
	if sp, err := s.Suppressed(ctx, a, b); err != nil || sp != nil {
		t.Fatalf("after Unsuppress: %+v %v", sp, err)
	}

	r := privacy.Receipt{ID: "e1", SubjectHash: a, SubjectHashes: []subject.Hash{a, b}, Erased: privacy.Erased{CacheEntries: 3, JobRows: 2}, At: at}
	if err := s.PutReceipt(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Receipt(ctx, "e1"); err != nil || got.Erased != r.Erased || !got.At.Equal(at) || got.SubjectHash != a {
		t.Fatalf("Receipt: %+v %v", got, err)
	}
	if _, err := s.Receipt(ctx, "nope"); !errors.Is(err, privacy.ErrNotFound) {
		t.Fatalf("unknown receipt: %v", err)
	}
	if rs, err := s.ReceiptsOf(ctx, b); err != nil || len(rs) != 1 || rs[0].ID != "e1" {
		t.Fatalf("ReceiptsOf: %+v %v", rs, err)
	}
	if rs, err := s.ReceiptsOf(ctx, c); err != nil || len(rs) != 0 {
		t.Fatalf("ReceiptsOf(other): %+v %v", rs, err)
	}
}
