package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
)

// TestServeOnePool: serve with database_url opens one PostgreSQL pool and
// hands it to every store (keys, audit, privacy, jobs): with
// database_max_conns=1 the database sees a single footprint connection
// while serve answers lookups and jobs (one pool per store kept one each,
// four at least), and none once serve has returned (the pool is closed on
// shutdown). With redis_url too, serve keeps the suppression list in
// memory (without, several replicas on PostgreSQL ask it on every
// lookup), and a suppression made through the API holds at once.
func TestServeOnePool(t *testing.T) {
	t.Run("postgres", func(t *testing.T) { testServeOnePool(t, "") })
	t.Run("postgres+redis", func(t *testing.T) {
		u := os.Getenv("FOOTPRINT_TEST_REDIS_URL")
		if u == "" {
			t.Skip("FOOTPRINT_TEST_REDIS_URL not set")
		}
		testServeOnePool(t, u)
	})
}

func testServeOnePool(t *testing.T, redisURL string) {
	dbURL := pgtest.URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The watcher's own pool names itself, so it is not counted.
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "footprint-test"
	watch, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	conns := func() int {
		t.Helper()
		var n int
		if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'footprint'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	addr := freeAddr(t)
	vars := map[string]string{"FOOTPRINT_DATABASE_MAX_CONNS": "1", "FOOTPRINT_CACHE_SECRET": "0123456789abcdef0123456789abcdef"}
	if redisURL != "" {
		vars["FOOTPRINT_REDIS_URL"] = redisURL
	}
	sctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(sctx, []string{"serve", "--demo", "--data-dir", t.TempDir(), "--addr", addr, "--database-url", dbURL},
			env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs,
				lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }})
	}()
	post := func(path, ctype, body string) (int, string) {
		t.Helper()
		return untilServing(t, logs, "POST "+path, func() (*http.Response, error) {
			return http.Post("http://"+addr+path, ctype, strings.NewReader(body))
		})
	}
	// A lookup (privacy's suppression check, the audit trail) and a job
	// (the job store) use the pool.
	if code, body := post("/v1/enrich", "application/json", `{"email":"someone@example.com"}`); code != 200 {
		t.Fatalf("POST /v1/enrich: %d %s\n%s", code, body, logs.b.String())
	}
	if code, body := post("/v1/jobs", "text/csv", "email\nsomeone@example.com\n"); code != 202 && code != 201 {
		t.Fatalf("POST /v1/jobs: %d %s\n%s", code, body, logs.b.String())
	}
	if redisURL != "" {
		if !strings.Contains(logs.String(), "suppression list in memory") {
			t.Errorf("serve with database_url and redis_url did not load the suppression list:\n%s", logs.String())
		}
		if code, body := post("/v1/suppressions", "application/json", `{"email":"someone@example.com"}`); code != 201 {
			t.Fatalf("POST /v1/suppressions: %d %s", code, body)
		}
		if code, body := post("/v1/enrich", "application/json", `{"email":"someone@example.com"}`); code != 200 || !strings.Contains(body, `"suppressed":true`) {
			t.Errorf("a lookup right after the suppression: %d %s", code, body)
		}
	} else if !strings.Contains(logs.String(), "every lookup asks the shared store") {
		t.Errorf("serve with database_url and no redis_url should ask the store on every lookup:\n%s", logs.String())
	}
	if n := conns(); n != 1 {
		t.Errorf("serve holds %d connections to PostgreSQL with database_max_conns=1, want 1 (one pool shared by every store)", n)
	}
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d\n%s", code, logs.b.String())
	}
	// pgxpool.Close waits for its connections to close; the server ends
	// their backends a moment later.
	for i := 0; conns() != 0; i++ {
		if i == 300 {
			t.Fatalf("%d connections left after serve returned: the pool was not closed", conns())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
