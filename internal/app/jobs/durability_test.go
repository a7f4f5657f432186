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

const kill9Rows = 3000

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
		fmt.Fprintf(&b, "user%d@example.com,%d\n", i%2500, i)
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
		done, ok := strings.CutPrefix(sc.Text(), "done=")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(done, 10, 64)
		if n >= kill9Rows/2 {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killedAt = n
			break
		}
	}
	_, _ = io.Copy(io.Discard, out)
	_ = cmd.Wait()
	if killedAt < 0 {
		t.Fatal("the child never got half-way")
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
	m := start(t, testConfig(dir, &fakeEnricher{delay: 500 * time.Microsecond}))
	jobs, err := m.List(t.Context())
	if err != nil || len(jobs) != 1 {
		t.Fatal(jobs, err)
	}
	for {
		j, err := m.Get(t.Context(), jobs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("done=%d\n", j.Done)
		if j.State != StateRunning && j.State != StateQueued {
			t.Fatalf("child reached %s: the parent should have killed it", j.State)
		}
		time.Sleep(2 * time.Millisecond)
	}
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
	j = wait2(t, m, j.ID, 5*time.Minute)
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

func wait2(t *testing.T, m *Manager, id string, limit time.Duration) *Job {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		j, err := m.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State.Final() {
			if j.State != StateSucceeded {
				t.Fatalf("%+v", j)
			}
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job at %d/%d after %v", j.Done, j.Total, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
