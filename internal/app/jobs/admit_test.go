package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// quota is an Admit hook with a budget of rows.
type quota struct {
	mu      sync.Mutex
	left    int
	charged int
	owners  map[string]int
}

type quotaSpent struct{}

func (quotaSpent) Error() string      { return "per-day limit reached" }
func (quotaSpent) RetryAt() time.Time { return time.Now().Add(time.Hour) }
func (q *quota) raise(n int)          { q.mu.Lock(); q.left += n; q.mu.Unlock() }
func (q *quota) admit(ctx context.Context, owner string) (context.Context, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.left <= 0 {
		return ctx, quotaSpent{}
	}
	q.left--
	q.charged++
	if q.owners == nil {
		q.owners = map[string]int{}
	}
	q.owners[owner]++
	return ctx, nil
}

// TestAdmitPausesAndResumes: a job whose key runs out of quota pauses with
// the reason, resumes by itself once quota returns, and ends with exactly
// one result per row.
func TestAdmitPausesAndResumes(t *testing.T) {
	q := &quota{left: 5}
	cfg := testConfig(t.TempDir(), &fakeEnricher{})
	cfg.Concurrency = 1
	cfg.Admit = q.admit
	cfg.QuotaRecheck = 300 * time.Millisecond
	m := start(t, cfg)
	var b strings.Builder
	b.WriteString("email\n")
	const rows = 12
	for i := range rows {
		fmt.Fprintf(&b, "user%d@example.com\n", i)
	}
	j, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader(b.String()), Owner: "key_alice"})
	if err != nil {
		t.Fatal(err)
	}
	if j.Owner != "key_alice" {
		t.Fatalf("owner %q", j.Owner)
	}
	j = wait(t, m, j.ID, StatePaused)
	if j.PauseReason != "per-day limit reached" || j.ResumeAt == nil || j.Done > 5 {
		t.Fatalf("paused job: reason %q, resume_at %v, done %d", j.PauseReason, j.ResumeAt, j.Done)
	}
	// Still paused on the next recheck: the quota did not come back.
	time.Sleep(2 * cfg.QuotaRecheck)
	if j, _ = m.Get(t.Context(), j.ID); j.State != StatePaused && j.State != StateQueued && j.State != StateRunning {
		t.Fatalf("state %s while the quota is spent", j.State)
	}
	q.raise(100)
	deadline := time.Now().Add(hangGuard)
	for {
		j, err = m.Get(t.Context(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == StateSucceeded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job did not resume: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if j.PauseReason != "" || j.ResumeAt != nil || j.Done != rows {
		t.Fatalf("finished job %+v", j)
	}
	res := results(t, m, j.ID)
	seen := map[int]bool{}
	for _, r := range res {
		if seen[r.Row] || r.Status != RowOK {
			t.Fatalf("row %d twice or not ok: %+v", r.Row, r)
		}
		seen[r.Row] = true
	}
	if len(seen) != rows {
		t.Fatalf("%d rows with results, want %d", len(seen), rows)
	}
	if q.owners["key_alice"] < rows {
		t.Fatalf("charged %d rows to the owner, want ≥ %d", q.owners["key_alice"], rows)
	}
}

// TestUserPauseBeatsAutoResume: pausing a job paused by its quota makes it
// the user's pause: it does not resume by itself.
func TestUserPauseBeatsAutoResume(t *testing.T) {
	q := &quota{left: 0}
	cfg := testConfig(t.TempDir(), &fakeEnricher{})
	cfg.Admit = q.admit
	cfg.QuotaRecheck = 50 * time.Millisecond
	m := start(t, cfg)
	j := create(t, m, FormatCSV, "email\na@example.com\n")
	j = wait(t, m, j.ID, StatePaused)
	if j.PauseReason == "" {
		t.Fatal("no pause reason")
	}
	for {
		j, err := m.Pause(t.Context(), j.ID)
		if errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
		if err == nil && j.State == StatePaused {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	q.raise(10)
	time.Sleep(4 * cfg.QuotaRecheck)
	if j, _ := m.Get(t.Context(), j.ID); j.State != StatePaused || j.PauseReason != "" {
		t.Fatalf("after the user's pause: %s %q", j.State, j.PauseReason)
	}
}

// Two owners never share an idempotency key.
func TestIdempotencyKeyPerOwner(t *testing.T) {
	m := start(t, testConfig(t.TempDir(), &fakeEnricher{hold: make(chan struct{})}))
	mk := func(owner string) string {
		j, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@example.com\n"), IdempotencyKey: "k", Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		return j.ID
	}
	a1, a2, b := mk("key_a"), mk("key_a"), mk("key_b")
	if a1 != a2 || a1 == b {
		t.Fatalf("ids %s %s %s", a1, a2, b)
	}
}
