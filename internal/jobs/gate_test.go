package jobs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func acquired(g Gate, within time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	return g.Acquire(ctx) == nil
}

func TestPriorityGateReserve(t *testing.T) {
	g := NewPriorityGate(4, 1)
	live, batch := g.Live(), g.Batch()
	for range 3 {
		if !acquired(batch, time.Second) {
			t.Fatal("batch could not take its share")
		}
	}
	if acquired(batch, 10*time.Millisecond) {
		t.Fatal("batch took a reserved slot")
	}
	// The reserved slot is the live caller's at once.
	if !acquired(live, time.Millisecond) {
		t.Fatal("live caller blocked by batch holders")
	}
	if total, b := g.InUse(); total != 4 || b != 3 {
		t.Fatalf("in use %d/%d", total, b)
	}
	// Full: a second live caller and a batch caller wait; the first freed
	// slot goes to the live one.
	liveGot, batchGot := make(chan struct{}), make(chan struct{})
	go func() {
		if batch.Acquire(context.Background()) == nil {
			close(batchGot)
		}
	}()
	time.Sleep(5 * time.Millisecond) // the batch waiter queues first
	go func() {
		if live.Acquire(context.Background()) == nil {
			close(liveGot)
		}
	}()
	time.Sleep(5 * time.Millisecond)
	batch.Release()
	select {
	case <-liveGot:
	case <-time.After(time.Second):
		t.Fatal("freed slot did not go to the live waiter")
	}
	select {
	case <-batchGot:
		t.Fatal("batch waiter overtook the live one")
	case <-time.After(10 * time.Millisecond):
	}
	live.Release() // now the batch waiter gets it (batch holds 2 < 3)
	select {
	case <-batchGot:
	case <-time.After(time.Second):
		t.Fatal("batch waiter starved")
	}
}

// With no reserve, a live caller waits for at most one batch holder.
func TestPriorityGateNoReserveLiveWaitsOneSlot(t *testing.T) {
	g := NewPriorityGate(2, 0)
	live, batch := g.Live(), g.Batch()
	_ = batch.Acquire(context.Background())
	_ = batch.Acquire(context.Background())
	var queued sync.WaitGroup
	for range 5 { // many batch waiters ahead of the live caller
		queued.Go(func() {
			if batch.Acquire(context.Background()) == nil {
				batch.Release()
			}
		})
	}
	time.Sleep(5 * time.Millisecond)
	got := make(chan struct{})
	go func() {
		_ = live.Acquire(context.Background())
		close(got)
	}()
	time.Sleep(5 * time.Millisecond)
	batch.Release() // one batch holder finishes
	select {
	case <-got:
	case <-time.After(time.Second):
		t.Fatal("live caller waited for more than one batch release")
	}
	live.Release()
	batch.Release()
	queued.Wait()
	if total, b := g.InUse(); total != 0 || b != 0 {
		t.Fatalf("leaked slots: %d/%d", total, b)
	}
}

func TestPriorityGateCancelledWaiter(t *testing.T) {
	g := NewPriorityGate(1, 0)
	b := g.Batch()
	_ = b.Acquire(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if err := g.Live().Acquire(ctx); err == nil {
		t.Fatal("acquired a full gate")
	}
	b.Release()
	if total, _ := g.InUse(); total != 0 {
		t.Fatalf("cancelled waiter kept a slot: %d", total)
	}
	if !acquired(b, time.Second) {
		t.Fatal("gate unusable after a cancelled waiter")
	}
}

// Under batch churn, a lone live caller never waits (reserve 1), and the
// bounds hold throughout.
func TestPriorityGateStress(t *testing.T) {
	const capacity, reserved = 8, 1
	g := NewPriorityGate(capacity, reserved)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var violations atomic.Int32
	for range 32 {
		wg.Go(func() {
			b := g.Batch()
			for ctx.Err() == nil {
				if b.Acquire(ctx) != nil {
					return
				}
				if total, bt := g.InUse(); total > capacity || bt > capacity-reserved {
					violations.Add(1)
				}
				b.Release()
			}
		})
	}
	var worst time.Duration
	live := g.Live()
	for range 2000 {
		t0 := time.Now()
		if err := live.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
		live.Release()
	}
	stop()
	wg.Wait()
	if violations.Load() > 0 {
		t.Fatalf("%d bound violations", violations.Load())
	}
	if total, b := g.InUse(); total != 0 || b != 0 {
		t.Fatalf("leaked slots: %d/%d", total, b)
	}
	t.Logf("worst live acquisition under batch churn: %v", worst)
	if worst > 50*time.Millisecond {
		t.Errorf("live caller waited %v", worst)
	}
}

// A running job behind the batch side of a gate leaves live lookups their
// reserved slot.
func TestJobLeavesLiveSlot(t *testing.T) {
	g := NewPriorityGate(4, 1)
	f := &fakeEnricher{delay: 3 * time.Millisecond}
	cfg := testConfig(t.TempDir(), f)
	cfg.Concurrency = 16 // more than the gate: the gate must bound it
	cfg.Gate = g.Batch()
	m := start(t, cfg)
	var b []byte
	b = append(b, "email\n"...)
	for i := range 300 {
		b = append(b, []byte("u"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@x.com\n")...)
	}
	j := create(t, m, FormatCSV, string(b))
	var worst time.Duration
	for {
		cur, _ := m.Get(t.Context(), j.ID)
		if cur.State == StateSucceeded {
			break
		}
		if _, bt := g.InUse(); bt > 3 {
			t.Fatalf("batch holds %d slots", bt)
		}
		t0 := time.Now()
		if !acquired(g.Live(), time.Second) {
			t.Fatal("live lookup blocked")
		}
		worst = max(worst, time.Since(t0))
		g.Live().Release()
		time.Sleep(time.Millisecond)
	}
	t.Logf("worst live acquisition while the job ran: %v", worst)
}
