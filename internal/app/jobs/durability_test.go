package jobs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// kill9Rows rows of kill9IDs distinct identifiers; the child enriches at
// most kill9Calls of them, so it is always killed mid-job, and the parent
// kills it once it has made kill9Rows/2 enrichments.
const kill9Rows, kill9IDs, kill9Calls = 3000, 2500, 2000

// TestKill9Recovery runs a job in a child process, kills it with SIGKILL
// half-way, and finishes it in this process: exactly one result per row.
func TestKill9Recovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	m, err := New(testConfig(dir, &fakeEnricher{}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("email,id\n")
	for i := range kill9Rows {
		fmt.Fprintf(&b, "user%d@example.com,%d\n", i%kill9IDs, i)
	}
	j := create(t, m, FormatCSV, b.String())
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKill9Child$", "-test.v")
	cmd.Env = append(os.Environ(), "FOOTPRINT_JOBS_CHILD_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killedAt := int64(-1)
	for sc.Scan() {
		var calls, done int64
		if _, err := fmt.Sscanf(sc.Text(), "calls=%d done=%d", &calls, &done); err != nil {
			continue
		}
		if calls >= kill9Rows/2 {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killedAt = done
			break
		}
	}
	_, _ = io.Copy(io.Discard, out)
	_ = cmd.Wait()
	// The window of rows between the reader and the store (1024) is
	// smaller than the kill9Rows/2 enrichments: some rows were stored.
	if killedAt <= 0 {
		t.Fatalf("the child never got half-way (stored %d rows)", killedAt)
	}

	f := &fakeEnricher{}
	m2 := start(t, testConfig(dir, f))
	before, _ := m2.Get(t.Context(), j.ID)
	t.Logf("killed at done≈%d; on restart: state=%s done=%d checkpoint=%d", killedAt, before.State, before.Done, before.Checkpoint)
	if before.State != StateRunning || before.Done < killedAt || before.Done >= kill9Rows {
		t.Fatalf("after kill: %+v", before)
	}
	final := wait(t, m2, j.ID, StateSucceeded)
	if final.Done != kill9Rows || final.Failed != 0 || final.Checkpoint != kill9Rows {
		t.Fatalf("%+v", final)
	}
	rs := results(t, m2, j.ID)
	checkOnePerRow(t, rs, kill9Rows)
	for _, r := range rs {
		if r.Status != RowOK || r.Passthrough["id"] != strconv.Itoa(r.Row-1) {
			t.Fatalf("row %d: %+v", r.Row, r)
		}
	}
	t.Logf("the restarted run enriched %d rows", f.total.Load())
}

// TestKill9Child is TestKill9Recovery's child process.
func TestKill9Child(t *testing.T) {
	dir := os.Getenv("FOOTPRINT_JOBS_CHILD_DIR")
	if dir == "" {
		t.Skip("helper process of TestKill9Recovery")
	}
	// Each enrichment reports the calls so far and the rows stored; past
	// kill9Calls they hold until the parent kills the process.
	var m *Manager
	var id string
	f := &fakeEnricher{delay: 500 * time.Microsecond, hold: make(chan struct{}), holdAfter: kill9Calls}
	f.onCall = func(calls int64) {
		if j, err := m.Get(t.Context(), id); err == nil {
			fmt.Printf("calls=%d done=%d\n", calls, j.Done)
		}
	}
	m, err := New(testConfig(dir, f))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	jobs, err := m.List(t.Context())
	if err != nil || len(jobs) != 1 {
		t.Fatal(jobs, err)
	}
	id = jobs[0].ID
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	j := wait(t, m, id, StateRunning, StateQueued) // the run ends only if something is wrong
	t.Fatalf("child's run ended in %s: the parent should have killed it", j.State)
}

// trivialEnricher returns a small profile at once.
type trivialEnricher struct{}

func (trivialEnricher) Enrich(_ context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	return &pipeline.Profile{Complete: true, Subject: pipeline.Subject{Name: in.Name}}, nil
}

// TestLargeNDJSONBoundedMemory streams a 100k-row NDJSON job through upload,
// enrichment and results, and checks the heap stays bounded.
func TestLargeNDJSONBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	rows := 100_000
	if raceEnabled {
		rows = 25_000
	}
	cfg := testConfig(t.TempDir(), trivialEnricher{})
	cfg.Concurrency = 16
	m := start(t, cfg)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak := base
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tk.C:
				var s runtime.MemStats
				runtime.ReadMemStats(&s)
				peak = max(peak, s.HeapInuse)
			}
		}
	}()

	// Generate the upload as a stream: the test never holds it either.
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		for i := range rows {
			fmt.Fprintf(bw, `{"email":"user%d@example.com","name":"User %d","metadata":{"crm":"%08d","tags":["a","b"]}}`+"\n", i, i, i)
		}
		_ = bw.Flush()
		_ = pw.Close()
	}()
	t0 := time.Now()
	j, err := m.Create(t.Context(), CreateRequest{Format: FormatNDJSON, Body: pr})
	if err != nil {
		t.Fatal(err)
	}
	upload := time.Since(t0)
	j = wait(t, m, j.ID, StateSucceeded)
	run := time.Since(t0) - upload
	t1 := time.Now()
	cw := &countingWriter{}
	if err := m.Results(t.Context(), j.ID, FormatCSV, cw); err != nil {
		t.Fatal(err)
	}
	export := time.Since(t1)
	close(stopSampling)
	<-sampled
	if j.Done != int64(rows) || j.Checkpoint != int64(rows) {
		t.Fatalf("%+v", j)
	}
	t.Logf("%d rows, %.1f MB input: upload %v, run %v (%.0f rows/s), CSV export %v (%.1f MB); heap in use: base %.1f MB, peak %.1f MB",
		rows, float64(j.InputBytes)/1e6, upload.Round(time.Millisecond), run.Round(time.Millisecond), float64(rows)/run.Seconds(),
		export.Round(time.Millisecond), float64(cw.n)/1e6, float64(base)/(1<<20), float64(peak)/(1<<20))
	if grow := peak - base; grow > 64<<20 {
		t.Errorf("heap grew by %.1f MB", float64(grow)/(1<<20))
	}
}
