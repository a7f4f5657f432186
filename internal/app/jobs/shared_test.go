package jobs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
)

const (
	sharedRows  = 400
	sharedLease = time.Second
)

// TestSharedTakeoverAfterKill9 runs one job on two replicas, each a
// separate process sharing one PostgreSQL database, kills replica a with
// SIGKILL while it holds leased rows, and checks that replica b takes them
// over once their lease runs out: the job succeeds with exactly one result
// per input row (none lost, none twice), and the rows a held are among
// them.
func TestSharedTakeoverAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	url := pgtest.URL(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	// This manager only creates the job and reads it: it is never
	// started, so it works no rows.
	m, err := New(Config{DB: db, Enricher: &fakeEnricher{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var b strings.Builder
	b.WriteString("email,id\n")
	for i := range sharedRows {
		fmt.Fprintf(&b, "user%d@example.com,%d\n", i, i)
	}
	j := create(t, m, FormatCSV, b.String())

	replica := func(name string) (*exec.Cmd, *bufio.Scanner) {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSharedReplicaChild$", "-test.v")
		cmd.Env = append(os.Environ(), "FOOTPRINT_JOBS_CHILD_DB="+url, "FOOTPRINT_JOBS_CHILD_REPLICA="+name, "FOOTPRINT_JOBS_CHILD_JOB="+j.ID)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, bufio.NewScanner(out)
	}
	a, aOut := replica("a")
	bCmd, bOut := replica("b")

	// Kill a once it has enriched a quarter of the rows (about half the
	// job, b doing the other half meanwhile).
	killed := false
	for aOut.Scan() {
		var calls int
		if _, err := fmt.Sscanf(aOut.Text(), "calls=%d", &calls); err == nil && calls >= sharedRows/4 {
			if err := a.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	_ = a.Wait()
	if !killed {
		t.Fatal("replica a ended before it was killed")
	}
	var held, done int
	if err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE owner = 'a' AND NOT done), count(*) FILTER (WHERE done) FROM jobs_rows WHERE job_id = $1`,
		j.ID).Scan(&held, &done); err != nil {
		t.Fatal(err)
	}
	t.Logf("a killed with %d rows leased, %d of %d rows done", held, done, sharedRows)
	if held == 0 {
		t.Fatal("replica a held no rows when killed: nothing to take over")
	}

	// b finishes the job and exits.
	var bCalls int
	for bOut.Scan() {
		var calls int
		if _, err := fmt.Sscanf(bOut.Text(), "calls=%d", &calls); err == nil {
			bCalls = calls
		}
	}
	if err := bCmd.Wait(); err != nil {
		t.Fatalf("replica b: %v", err)
	}
	final, err := m.Get(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.State != StateSucceeded || final.Done != sharedRows || final.Failed != 0 || final.Checkpoint != sharedRows {
		t.Fatalf("final %+v", final)
	}
	rs := results(t, m, j.ID)
	checkOnePerRow(t, rs, sharedRows)
	for _, r := range rs {
		if r.Status != RowOK || r.Passthrough["id"] != strconv.Itoa(r.Row-1) || r.Profile == nil ||
			r.Profile.Subject.Email == nil || r.Profile.Subject.Email.Address != fmt.Sprintf("user%d@example.com", r.Row-1) {
			t.Fatalf("row %d: %+v", r.Row, r)
		}
	}
	var owned int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM jobs_rows WHERE job_id = $1 AND (owner IS NOT NULL OR NOT done)`, j.ID).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if owned != 0 {
		t.Errorf("%d rows still leased or not done", owned)
	}
	t.Logf("b enriched %d rows, a's leased rows included", bCalls)
}

// TestSharedReplicaChild is a replica of TestSharedTakeoverAfterKill9: it
// works the shared job, printing its enrichments so far, until the job is
// final.
func TestSharedReplicaChild(t *testing.T) {
	url := os.Getenv("FOOTPRINT_JOBS_CHILD_DB")
	if url == "" {
		t.Skip("helper process of TestSharedTakeoverAfterKill9")
	}
	ctx := t.Context()
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := &fakeEnricher{delay: 10 * time.Millisecond}
	f.onCall = func(calls int64) { fmt.Printf("calls=%d\n", calls) }
	cfg := testConfig(t.TempDir(), f)
	cfg.DB, cfg.Replica, cfg.Lease, cfg.Poll = db, os.Getenv("FOOTPRINT_JOBS_CHILD_REPLICA"), sharedLease, 50*time.Millisecond
	m := start(t, cfg)
	id := os.Getenv("FOOTPRINT_JOBS_CHILD_JOB")
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		j, err := m.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State.Final() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the job did not end within a minute")
}

// flakyStore is a PostgreSQL store whose first fails commits fail, as when
// the database is briefly unreachable.
type flakyStore struct {
	*pgStore
	fails atomic.Int32
}

func (f *flakyStore) commit(ctx context.Context, id string, outs []outcome, cp int64, fn func(*record)) (*record, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, errors.New("connection refused")
	}
	return f.pgStore.commit(ctx, id, outs, cp, fn)
}

// TestSharedStoreFailureStopsRunNotJob: results the shared store cannot
// take stop the run, not the job; the watch loop runs it again and it
// completes with one result per row.
func TestSharedStoreFailureStopsRunNotJob(t *testing.T) {
	db := pgtest.New(t)
	cfg := testConfig(t.TempDir(), &fakeEnricher{})
	cfg.DB, cfg.Poll, cfg.Lease = db, 20*time.Millisecond, 3*time.Second
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	fs := &flakyStore{pgStore: m.st.(*pgStore)}
	fs.fails.Store(2)
	m.st, m.q = fs, fs
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	upload := emailRows(50)
	j := create(t, m, FormatCSV, upload)
	deadline := time.Now().Add(hangGuard)
	for {
		cur, err := m.Get(t.Context(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.State.Final() {
			if cur.State != StateSucceeded || cur.Done != 50 || cur.Checkpoint != 50 {
				t.Fatalf("final %+v", cur)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s after %v", cur.State, hangGuard)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if fs.fails.Load() >= 0 {
		t.Fatal("no commit failed: the test tested nothing")
	}
	checkOnePerRow(t, results(t, m, j.ID), 50)
}

// TestSharedTwoReplicasInOneProcess: two managers on one database work
// one job together; a pause on one stops the other's run, a resume on the
// other brings both back; the job completes with one result per row, each
// progress mark and the completion webhook delivered once.
func TestSharedTwoReplicasInOneProcess(t *testing.T) {
	db := pgtest.New(t)
	var mu sync.Mutex
	progress := map[int64]int{}
	completions := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p WebhookPayload
		_ = json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		defer mu.Unlock()
		switch p.Event {
		case EventProgress:
			progress[p.Job.Done]++
		case EventSucceeded:
			completions++
		}
	}))
	defer srv.Close()
	hold := make(chan struct{})
	replica := func(name string) (*Manager, *fakeEnricher) {
		f := &fakeEnricher{delay: 2 * time.Millisecond, hold: hold, holdAfter: 40}
		cfg := testConfig(t.TempDir(), f)
		cfg.DB, cfg.Replica, cfg.Poll, cfg.Lease = db, name, 20*time.Millisecond, 900*time.Millisecond
		cfg.HTTPClient, cfg.WebhookSecret = srv.Client(), "s3cret"
		return start(t, cfg), f
	}
	m1, f1 := replica("one")
	m2, f2 := replica("two")
	const rows = 200
	upload := emailRows(rows)
	j, err := m1.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader(upload),
		WebhookURL: srv.URL, ProgressEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	poll := func(cond func() bool, what string) {
		t.Helper()
		deadline := time.Now().Add(hangGuard)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("still waiting for %s after %v", what, hangGuard)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	running := func(m *Manager) bool { m.mu.Lock(); defer m.mu.Unlock(); return m.runs[j.ID] != nil }
	// Both replicas work the job (each enricher holds after 40 calls).
	poll(func() bool { return f1.total.Load() > 40 && f2.total.Load() > 40 }, "both replicas to work rows")
	if p, err := m2.Pause(t.Context(), j.ID); err != nil || p.State != StatePaused {
		t.Fatalf("pause on two: %+v %v", p, err)
	}
	poll(func() bool { return !running(m1) && !running(m2) }, "both runs to stop")
	close(hold)
	if _, err := m1.Resume(t.Context(), j.ID); err != nil {
		t.Fatal(err)
	}
	poll(func() bool { cur, _ := m2.Get(t.Context(), j.ID); return cur.State.Final() }, "the job to end")
	idle(t, m1)
	poll(func() bool { mu.Lock(); defer mu.Unlock(); return completions > 0 }, "the completion webhook")
	final, _ := m2.Get(t.Context(), j.ID)
	if final.State != StateSucceeded || final.Done != rows || final.Checkpoint != rows {
		t.Fatalf("final %+v", final)
	}
	checkOnePerRow(t, results(t, m2, j.ID), rows)
	time.Sleep(100 * time.Millisecond) // a second delivery, if any, would arrive by now
	mu.Lock()
	defer mu.Unlock()
	if completions != 1 {
		t.Errorf("%d completion webhooks, want 1", completions)
	}
	for done, n := range progress {
		if n != 1 {
			t.Errorf("progress at done=%d sent %d times", done, n)
		}
	}
	t.Logf("rows enriched: one %d, two %d; %d progress webhooks", f1.total.Load(), f2.total.Load(), len(progress))
}
