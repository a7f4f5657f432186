package jobs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Results live in an append-only file indexed by the database: bytes a
// crash left unindexed (a torn record) are never read, a replayed row
// replaces its earlier result, and results stored inline by an older
// version are still read.
func TestResultFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jobs.db")
	st, err := openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := &record{Job: Job{ID: "j1", State: StateRunning, CreatedAt: time.Now(), Total: 4}}
	if _, err := st.create(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	ok := func(row int64, name string) outcome {
		return outcome{row: row, res: &result{Status: RowOK, Profile: json.RawMessage(`{"n":"` + name + `"}`)}}
	}
	if _, err := st.commit(t.Context(), "j1", []outcome{ok(1, "a"), ok(2, "b")}, 2, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.close(); err != nil {
		t.Fatal(err)
	}

	// A crash mid-append leaves a torn record at the end of the file.
	f, err := os.OpenFile(filepath.Join(dir, "results", "j1"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0, 0, 1, 0, '{', '"'}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	st, err = openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	// Row 2 replayed (a restart re-enriched it), row 3 new, row 4 stored
	// inline the old way.
	r, err := st.commit(t.Context(), "j1", []outcome{ok(2, "b2"), ok(3, "c"), {row: 4, skip: true}}, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Done != 3 {
		t.Errorf("done %d, want 3 (a replay is counted once)", r.Done)
	}
	if err := st.db.Update(func(tx *bolt.Tx) error {
		b, err := jobBucket(tx, "j1", bucketResults)
		if err != nil {
			return err
		}
		return b.Put(rowKey(4), []byte(`{"status":"failed","error":{"type":"about:blank","title":"Bad Request","status":400}}`))
	}); err != nil {
		t.Fatal(err)
	}
	page, err := st.page(t.Context(), "j1", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"status":"ok","profile":{"n":"a"}}`, `{"status":"ok","profile":{"n":"b2"}}`, `{"status":"ok","profile":{"n":"c"}}`,
		`{"status":"failed","error":{"type":"about:blank","title":"Bad Request","status":400}}`}
	if len(page) != len(want) {
		t.Fatalf("%d results, want %d", len(page), len(want))
	}
	for i, p := range page {
		if p.row != int64(i+1) || string(p.raw) != want[i] {
			t.Errorf("row %d: %s, want %s", p.row, p.raw, want[i])
		}
	}
	if err := st.delete(t.Context(), "j1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "results", "j1")); !os.IsNotExist(err) {
		t.Errorf("result file left after delete: %v", err)
	}
}
