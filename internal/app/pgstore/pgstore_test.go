package pgstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"ordered by number", fstest.MapFS{
			"m/002_b.sql": {Data: []byte("B")}, "m/001_a.sql": {Data: []byte("A")}, "m/README": {Data: []byte("x")},
			"m/010_c.sql": {Data: []byte("C")}}, []int{1, 2, 10}, false},
		{"no number", fstest.MapFS{"m/a.sql": {Data: []byte("A")}}, nil, true},
		{"zero", fstest.MapFS{"m/000_a.sql": {Data: []byte("A")}}, nil, true},
		{"shared number", fstest.MapFS{"m/001_a.sql": {}, "m/1_b.sql": {}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := pgstore.Load(tt.files, "m")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("versions %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("versions %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestOpenRejectsBadURLWithoutEchoingIt(t *testing.T) {
	_, err := pgstore.Open(context.Background(), "postgres://user:s3cret@%zz/db")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v", err)
	}
}

// TestMigrateOnceAcrossReplicas starts several migrators at once on a fresh
// database: each migration is applied exactly once, and a second run
// applies nothing.
func TestMigrateOnceAcrossReplicas(t *testing.T) {
	pool := pgtest.New(t)
	ctx := context.Background()
	ms := []pgstore.Migration{
		{Version: 1, Name: "001_t.sql", SQL: `CREATE TABLE t (n integer)`},
		{Version: 2, Name: "002_row.sql", SQL: `INSERT INTO t VALUES (1)`},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := pgstore.Migrate(ctx, pool, "test", ms)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d (%v), want 1: a migration ran twice", n, err)
	}
	applied, err := pgstore.Migrate(ctx, pool, "test", append(ms, pgstore.Migration{Version: 3, Name: "003_more.sql", SQL: `INSERT INTO t VALUES (3)`}))
	if err != nil || len(applied) != 1 || applied[0] != 3 {
		t.Fatalf("second run applied %v (%v), want [3]", applied, err)
	}
	if _, err := pgstore.Migrate(ctx, pool, "test", []pgstore.Migration{{Version: 4, Name: "004_bad.sql", SQL: `NOT SQL`}}); err == nil {
		t.Fatal("a bad migration passed")
	}
}
