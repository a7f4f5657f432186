package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
	var b strings.Builder
	b.WriteString("email\n")
	for i := range 50 {
		fmt.Fprintf(&b, "u%d@example.com\n", i)
	}
	j := create(t, m, FormatCSV, b.String())
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
