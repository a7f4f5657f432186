package jobs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// TestEraseSubject: the subject's rows keep their input and get the status
// erased; other rows are untouched; a second erasure finds nothing.
func TestEraseSubject(t *testing.T) {
	dir := t.TempDir()
	m := start(t, testConfig(dir, &fakeEnricher{}))
	body := "email,crm_id\nann@example.com,1\nbob@example.com,2\nANN@example.com,3\n"
	j := wait(t, m, create(t, m, FormatCSV, body).ID, StateSucceeded)
	before, err := os.ReadFile(filepath.Join(dir, "results", j.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(before, []byte("ann@example.com")) {
		t.Fatal("the fake's profile does not name the subject: the test would prove nothing")
	}
	ann := func(in pipeline.Input) bool { return strings.EqualFold(in.Email, "ann@example.com") }
	n, err := m.EraseSubject(t.Context(), ann)
	if err != nil || n != 2 {
		t.Fatalf("EraseSubject = %d, %v; want 2 rows", n, err)
	}
	rs := results(t, m, j.ID)
	checkOnePerRow(t, rs, 3)
	for _, i := range []int{0, 2} {
		if rs[i].Status != RowErased || rs[i].Profile != nil || rs[i].Passthrough["crm_id"] == "" {
			t.Errorf("row %d: %+v", i+1, rs[i])
		}
	}
	if rs[1].Status != RowOK || rs[1].Profile == nil {
		t.Errorf("row 2 (another subject): %+v", rs[1])
	}
	after, err := os.ReadFile(filepath.Join(dir, "results", j.ID))
	if err != nil {
		t.Fatal(err)
	}
	// The embedded store appends; the replaced results are blanked, so the
	// subject's enrichment is gone from the disk too.
	if bytes.Contains(bytes.ToLower(after), []byte("ann@example.com")) {
		t.Error("the erased subject's results are still in the results file")
	}
	if !bytes.Contains(after, []byte("bob@example.com")) {
		t.Error("the other subject's result was blanked too")
	}
	var csv bytes.Buffer
	if err := m.Results(t.Context(), j.ID, FormatCSV, &csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "ann@example.com,1,1,erased,") {
		t.Errorf("CSV results:\n%s", csv.String())
	}
	if got, _ := m.Get(t.Context(), j.ID); got.Done != 3 || got.Failed != 0 {
		t.Errorf("counts after erasure: %+v", got)
	}
	if n, err := m.EraseSubject(t.Context(), ann); err != nil || n != 0 {
		t.Fatalf("second EraseSubject = %d, %v", n, err)
	}
}

// TestSweepRetention: jobs that ended before the cutoff are deleted with
// their input and results; a job that ended after it stays.
func TestSweepRetention(t *testing.T) {
	dir := t.TempDir()
	m := start(t, testConfig(dir, &fakeEnricher{}))
	old := wait(t, m, create(t, m, FormatCSV, "email\na@example.com\n").ID, StateSucceeded)
	if n, err := m.Sweep(t.Context(), old.FinishedAt.Add(-time.Second)); err != nil || n != 0 {
		t.Fatalf("Sweep before the job ended = %d, %v", n, err)
	}
	n, err := m.Sweep(t.Context(), old.FinishedAt.Add(time.Second))
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v", n, err)
	}
	if _, err := m.Get(t.Context(), old.ID); err == nil {
		t.Error("the expired job is still listed")
	}
	for _, p := range []string{spoolPath(dir, old.ID, FormatCSV), filepath.Join(dir, "results", old.ID)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived the sweep", p)
		}
	}
}
