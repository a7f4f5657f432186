package audit_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/audit/audittest"
	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
)

func TestBolt(t *testing.T) {
	b, err := audit.OpenBolt(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	audittest.Run(t, b)
}

func TestBufferedBolt(t *testing.T) {
	b, err := audit.OpenBolt(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	audittest.Run(t, audit.NewBuffer(b, audit.BufferConfig{}))
}

func TestPG(t *testing.T) {
	db := pgtest.New(t)
	p, err := audit.OpenPG(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	audittest.Run(t, p)
	// A second replica migrating the same database is a no-op.
	if _, err := audit.OpenPG(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func TestBufferedPG(t *testing.T) {
	p, err := audit.OpenPG(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	audittest.Run(t, audit.NewBuffer(p, audit.BufferConfig{}))
}

// TestBufferQueuesAndPrunes: Append does not reach the store until a
// flush (no write per request); Run flushes and prunes past the retention.
func TestBufferQueuesAndPrunes(t *testing.T) {
	m := &audit.Memory{}
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	b := audit.NewBuffer(m, audit.BufferConfig{FlushEvery: 10 * time.Millisecond, Retention: 400 * 24 * time.Hour, Now: func() time.Time { return now }})
	ctx := context.Background()
	old := audit.Entry{At: now.AddDate(-2, 0, 0), Actor: "key_old", Operation: "enrich", Outcome: "ok"}
	if err := m.Append(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := b.Append(ctx, audit.Entry{At: now, Actor: "key_new", Operation: "enrich", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	if es, _ := m.Find(ctx, audit.Query{Actor: "key_new"}); len(es) != 0 {
		t.Fatal("Append wrote through")
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); b.Run(rctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		es, _ := m.Find(ctx, audit.Query{})
		if len(es) == 1 && es[0].Actor == "key_new" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("entries %+v: want the new one flushed and the old one pruned", es)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

// TryQueue queues while the queue has room and refuses, queueing
// nothing, when the entry would fill it: then Append writes the queue.
func TestBufferTryQueue(t *testing.T) {
	m := &audit.Memory{}
	b := audit.NewBuffer(m, audit.BufferConfig{MaxPending: 3})
	ctx := context.Background()
	e := audit.Entry{At: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), Actor: "key_1", Operation: "enrich", Outcome: "ok"}
	for i := range 2 {
		if !b.TryQueue(e) {
			t.Fatalf("entry %d refused with room in the queue", i)
		}
	}
	if b.TryQueue(e) {
		t.Fatal("the entry that fills the queue was taken")
	}
	if es, _ := m.Find(ctx, audit.Query{}); len(es) != 0 {
		t.Fatalf("TryQueue wrote %d entries", len(es))
	}
	if err := b.Append(ctx, e); err != nil { // fills the queue: written
		t.Fatal(err)
	}
	if es, _ := m.Find(ctx, audit.Query{}); len(es) != 3 {
		t.Fatalf("%d entries written, want 3", len(es))
	}
}
