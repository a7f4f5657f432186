package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/enrichers/transport/netguard"
	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// fakeEnricher answers from the input alone. It fails like the pipeline on
// unusable identifiers, counts calls per email+phone, and can be slowed,
// blocked or made to report incomplete profiles.
type fakeEnricher struct {
	delay time.Duration
	// hold, when set, blocks every call numbered above holdAfter (every
	// call by default) until it is closed (or ctx ends).
	hold      chan struct{}
	holdAfter int64
	// incomplete returns Complete=false for the first n calls of an email.
	incomplete map[string]int
	// optionsError fails every call as the pipeline does for an unknown source.
	optionsError bool
	// onCall runs after every call with the total number of calls so far.
	onCall func(calls int64)

	mu    sync.Mutex
	calls map[string]int
	total atomic.Int64
}

func (f *fakeEnricher) Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	n := f.total.Add(1)
	if f.onCall != nil {
		defer f.onCall(n)
	}
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	key := in.Email + "|" + in.Phone
	f.calls[key]++
	call := f.calls[key]
	f.mu.Unlock()
	if f.hold != nil && n > f.holdAfter {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.optionsError {
		return nil, &pipeline.InputError{Status: 422, Errors: []pipeline.FieldError{{Field: "options.sources[0]", Reason: `unknown source "nope"`}}}
	}
	if strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.Phone) == "" {
		return nil, &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: "email", Reason: "at least one of email or phone is required"}}}
	}
	if in.Email != "" && !strings.Contains(in.Email, "@") {
		return nil, &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: "email", Reason: "has no @"}}}
	}
	p := &pipeline.Profile{Complete: true, Derived: pipeline.Derived{Accounts: []enrichers.Account{}}, Subject: pipeline.Subject{Name: in.Name}}
	if in.Email != "" {
		p.Subject.Email = &pipeline.SubjectEmail{Address: in.Email}
		p.Email = &enrichers.EmailFacts{Valid: true, Domain: in.Email[strings.Index(in.Email, "@")+1:], Disposable: strings.HasSuffix(in.Email, "@mailinator.com")}
		p.Accounts = append(p.Accounts, enrichers.Account{Source: "github", Username: "=cmd", Match: &enrichers.Match{Probability: 0.9}})
	}
	if in.Phone != "" {
		p.Phone = &enrichers.PhoneFacts{Valid: true, E164: "+" + strings.Trim(in.Phone, "+ "), LineType: "mobile"}
	}
	if left := f.incomplete[in.Email]; call <= left {
		p.Complete = false
		p.Sources = []pipeline.SourceStatus{{Name: "github", Status: enrichers.StatusRateLimited}}
	}
	return p, nil
}

func (f *fakeEnricher) callsFor(email string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, c := range f.calls {
		if strings.HasPrefix(k, email+"|") {
			n += c
		}
	}
	return n
}

// stores runs fn against each store: the embedded one, and PostgreSQL (a
// fresh database) when FOOTPRINT_TEST_DATABASE_URL is set.
func stores(t *testing.T, fn func(t *testing.T, cfgFor func(Enricher) Config)) {
	t.Run("bolt", func(t *testing.T) {
		fn(t, func(e Enricher) Config { return testConfig(t.TempDir(), e) })
	})
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.New(t)
		fn(t, func(e Enricher) Config {
			c := testConfig(t.TempDir(), e)
			c.DB, c.Poll, c.Lease = db, 20*time.Millisecond, 3*time.Second
			if os.Getenv("JOBS_DEBUG") != "" {
				c.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
			}
			return c
		})
	})
}

// inputsStored counts the job inputs m's store holds.
func inputsStored(t *testing.T, m *Manager) int {
	t.Helper()
	switch st := m.st.(type) {
	case *boltStore:
		ents, err := os.ReadDir(st.spool)
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	case *pgStore:
		var n int
		if err := st.db.QueryRow(t.Context(), `SELECT count(DISTINCT job_id) FROM jobs_input`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Fatalf("store %T", m.st)
	return 0
}

func testConfig(dir string, e Enricher) Config {
	return Config{Dir: dir, Enricher: e, Concurrency: 4, RetryBackoff: time.Millisecond, WebhookBackoff: time.Millisecond}
}

// start returns a started Manager closed at the end of the test.
func start(t *testing.T, cfg Config) *Manager {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return m
}

func create(t *testing.T, m *Manager, format, body string) *Job {
	t.Helper()
	j, err := m.Create(t.Context(), CreateRequest{Format: format, Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// hangGuard bounds a wait for a signal, so a broken test fails with a
// message instead of hanging; a passing run never comes near it (the
// largest job, under the race detector, takes well under a minute).
const hangGuard = 5 * time.Minute

// wait waits for the run of job id to end (at once if it has none) and
// returns the job, which must then be in one of states.
func wait(t *testing.T, m *Manager, id string, states ...State) *Job {
	t.Helper()
	m.mu.Lock()
	r := m.runs[id]
	m.mu.Unlock()
	if r != nil {
		select {
		case <-r.done:
		case <-time.After(hangGuard):
			t.Fatalf("job %s still running after %v", id, hangGuard)
		}
	}
	j, err := m.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(states, j.State) {
		t.Fatalf("job %s: state %s (done %d/%d), want %v", id, j.State, j.Done, j.Total, states)
	}
	return j
}

// idle waits until m has no background work left: no run and no webhook
// delivery (everything m.wg counts). Call it when nothing can start more.
func idle(t *testing.T, m *Manager) {
	t.Helper()
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatalf("background work still going after %v", hangGuard)
	}
}

type ndjsonResult struct {
	Row         int               `json:"row"`
	Status      string            `json:"status"`
	Metadata    json.RawMessage   `json:"metadata"`
	Passthrough map[string]string `json:"passthrough"`
	Profile     *pipeline.Profile `json:"profile"`
	Error       *Problem          `json:"error"`
}

func results(t *testing.T, m *Manager, id string) []ndjsonResult {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Results(t.Context(), id, FormatNDJSON, &buf); err != nil {
		t.Fatal(err)
	}
	var out []ndjsonResult
	dec := json.NewDecoder(&buf)
	for {
		var r ndjsonResult
		if err := dec.Decode(&r); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

// checkOnePerRow verifies that rows 1..total each have exactly one result.
func checkOnePerRow(t *testing.T, rs []ndjsonResult, total int) {
	t.Helper()
	if len(rs) != total {
		t.Fatalf("%d results, want %d", len(rs), total)
	}
	for i, r := range rs {
		if r.Row != i+1 {
			t.Fatalf("result %d is row %d", i, r.Row)
		}
	}
}

func TestCSVJob(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		f := &fakeEnricher{}
		m := start(t, cfgFor(f))
		body := "\ufeffEmail,Phone,crm_id,Note\n" +
			"ann@example.com,,1,\"multi\nline\"\n" +
			"bad-email,,2,x\n" +
			"bob@mailinator.com,+4915112345678,3\n" + // ragged: a row error
			",,4,empty\n" +
			"carl@example.org,+4915112345678,5,ok\n"
		j := create(t, m, FormatCSV, body)
		if j.Total != 5 || j.State != StateQueued || j.InputSHA256 == "" {
			t.Fatalf("created %+v", j)
		}
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Done != 5 || j.Failed != 3 || j.Checkpoint != 5 || j.FinishedAt == nil || j.ETAS == nil || *j.ETAS != 0 {
			t.Fatalf("finished %+v", j)
		}

		rs := results(t, m, j.ID)
		checkOnePerRow(t, rs, 5)
		if rs[0].Status != RowOK || rs[0].Profile == nil || rs[0].Passthrough["Note"] != "multi\nline" || rs[0].Passthrough["crm_id"] != "1" {
			t.Errorf("row 1: %+v", rs[0])
		}
		if rs[1].Status != RowFailed || rs[1].Error == nil || rs[1].Error.Status != 400 || rs[1].Error.Errors[0].Field != "email" {
			t.Errorf("row 2: %+v", rs[1])
		}
		if rs[2].Error == nil || !strings.Contains(rs[2].Error.Detail, "fields") {
			t.Errorf("row 3 (ragged): %+v", rs[2])
		}
		if rs[3].Error == nil || rs[3].Error.Errors[0].Reason == "" {
			t.Errorf("row 4 (empty): %+v", rs[3])
		}

		var buf bytes.Buffer
		if err := m.Results(t.Context(), j.ID, FormatCSV, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 6 {
			t.Fatalf("%d CSV records, want 6", len(recs))
		}
		col := map[string]int{}
		for i, c := range recs[0] {
			col[c] = i
		}
		for _, c := range []string{"Email", "Phone", "crm_id", "Note", "row", "status", "error", "email_valid", "disposable", "phone_valid", "line_type", "accounts_found", "top_accounts"} {
			if _, ok := col[c]; !ok {
				t.Errorf("CSV header %v lacks %q", recs[0], c)
			}
		}
		if r := recs[1]; r[col["Note"]] != "multi\nline" || r[col["email_valid"]] != "true" || r[col["accounts_found"]] != "1" || r[col["top_accounts"]] != "github:=cmd" {
			t.Errorf("CSV row 1: %q", r)
		}
		if r := recs[5]; r[col["line_type"]] != "mobile" || r[col["phone_valid"]] != "true" || r[col["status"]] != "ok" {
			t.Errorf("CSV row 5: %q", r)
		}
		if r := recs[2]; r[col["status"]] != "failed" || !strings.Contains(r[col["error"]], "email: has no @") || r[col["email_valid"]] != "" {
			t.Errorf("CSV row 2: %q", r)
		}
	})
}

// TestMalformedRowFailsAlone is issue 22's reproduction: a stray quote used
// to drop every row after it (total 1, failed 1).
func TestMalformedRowFailsAlone(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		m := start(t, cfgFor(&fakeEnricher{}))
		j := create(t, m, FormatCSV, "email,n\njane@example.com,\"a\"b,1\ncarol@example.com,2\ndave@example.com,3\n")
		if j.Total != 3 {
			t.Fatalf("total %d, want 3", j.Total)
		}
		j = wait(t, m, j.ID, StateSucceeded)
		rs := results(t, m, j.ID)
		checkOnePerRow(t, rs, 3)
		if rs[0].Status != RowFailed || rs[0].Error == nil || !strings.Contains(rs[0].Error.Detail, "line 2") {
			t.Errorf("row 1: %+v", rs[0])
		}
		if rs[1].Status != RowOK || rs[2].Status != RowOK || j.Failed != 1 {
			t.Errorf("carol and dave: %+v %+v (failed %d)", rs[1], rs[2], j.Failed)
		}

		// A quote never closed would swallow the rest: the upload is refused,
		// naming the line.
		_, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader("email,n\na@x.com,1\nb@x.com,\"open\nc@x.com,3\n")})
		var ie *pipeline.InputError
		if !errors.As(err, &ie) || ie.Status != 400 || ie.Errors[0].Field != "body" || !strings.Contains(ie.Errors[0].Reason, "line 3") {
			t.Fatalf("err %v, want a 400 on body naming line 3", err)
		}
	})
}

// TestCSVResultsEscapeEchoedInput: formulas in input cells and header names
// used to reach the results CSV unescaped (issue 22).
func TestCSVResultsEscapeEchoedInput(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		m := start(t, cfgFor(&fakeEnricher{}))
		body := "email,phone,note,\"=cmd|\"\"/c calc\"\"!A1\",-x\n" +
			"\"=1+1@example.com\",+4915112345678,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",@SUM(1+1),\"\tz\"\n" +
			"a@example.com,,\"\rq\",-1,+12ab\n"
		j := create(t, m, FormatCSV, body)
		wait(t, m, j.ID, StateSucceeded)
		var buf bytes.Buffer
		if err := m.Results(t.Context(), j.ID, FormatCSV, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for i, rec := range recs {
			for c, v := range rec {
				if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) && !isE164(v) {
					t.Errorf("record %d column %d: %q reaches the CSV unescaped", i, c, v)
				}
			}
		}
		if got := recs[0][3]; got != `'=cmd|"/c calc"!A1` {
			t.Errorf("header %q", got)
		}
		if got := recs[1][1]; got != "+4915112345678" {
			t.Errorf("E.164 phone changed: %q", got)
		}
		if got := recs[1][0]; got != "'=1+1@example.com" {
			t.Errorf("email %q", got)
		}
	})
}

func isE164(v string) bool {
	return len(v) > 1 && v[0] == '+' && strings.Trim(v[1:], "0123456789") == ""
}

func TestNDJSONJobMetadataAndCSVOut(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		m := start(t, cfgFor(&fakeEnricher{}))
		j := create(t, m, FormatNDJSON, `{"email":"a@x.com","metadata":{"id":1}}`+"\n"+`{"email":`+"\n"+`{"phone":"+4915112345678","metadata":{"id":3}}`+"\n")
		wait(t, m, j.ID, StateSucceeded)
		rs := results(t, m, j.ID)
		checkOnePerRow(t, rs, 3)
		if string(rs[0].Metadata) != `{"id":1}` || string(rs[2].Metadata) != `{"id":3}` || rs[2].Profile.Phone == nil {
			t.Errorf("metadata not echoed: %+v", rs)
		}
		if rs[1].Error == nil || !strings.Contains(rs[1].Error.Detail, "line 2") {
			t.Errorf("row 2: %+v", rs[1])
		}
		var buf bytes.Buffer
		if err := m.Results(t.Context(), j.ID, FormatCSV, &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "email,phone,name,country,metadata,row,status,error,") || !strings.Contains(buf.String(), `"{""id"":1}"`) {
			t.Errorf("CSV:\n%s", buf.String())
		}
	})
}

func TestCreateErrors(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		cfg := cfgFor(&fakeEnricher{})
		cfg.MaxInputBytes = 100
		m := start(t, cfg)
		ctx := t.Context()
		for name, tc := range map[string]struct {
			req   CreateRequest
			field string
			err   error
		}{
			"format":    {req: CreateRequest{Format: "xml", Body: strings.NewReader("x")}, field: "format"},
			"no id col": {req: CreateRequest{Format: FormatCSV, Body: strings.NewReader("name\nAnn\n")}, field: "body"},
			"no rows":   {req: CreateRequest{Format: FormatNDJSON, Body: strings.NewReader("\n\n")}, field: "body"},
			"webhook":   {req: CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@x\n"), WebhookURL: "ftp://x"}, field: "webhook_url"},
			"no client": {req: CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@x\n"), WebhookURL: "https://x.example/h"}, err: ErrNoWebhookClient},
			"too large": {req: CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\n" + strings.Repeat("a@x.com\n", 20))}, err: ErrTooLarge},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := m.Create(ctx, tc.req)
				var ie *pipeline.InputError
				switch {
				case tc.err != nil:
					if !errors.Is(err, tc.err) {
						t.Fatalf("err %v, want %v", err, tc.err)
					}
				case !errors.As(err, &ie) || ie.Errors[0].Field != tc.field:
					t.Fatalf("err %v, want an InputError on %s", err, tc.field)
				}
			})
		}
		// Nothing was left behind in the spool.
		if n := inputsStored(t, m); n != 0 {
			t.Errorf("%d inputs stored", n)
		}
	})
}

func TestIdempotency(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		m := start(t, cfgFor(&fakeEnricher{}))
		body := "email\na@x.com\nb@x.com\n"
		req := func(b string) CreateRequest {
			return CreateRequest{Format: FormatCSV, Body: strings.NewReader(b), IdempotencyKey: "k1"}
		}
		j1, err := m.Create(t.Context(), req(body))
		if err != nil {
			t.Fatal(err)
		}
		j2, err := m.Create(t.Context(), req(body))
		if err != nil {
			t.Fatal(err)
		}
		if j1.ID != j2.ID {
			t.Fatalf("same key made two jobs: %s, %s", j1.ID, j2.ID)
		}
		if _, err := m.Create(t.Context(), req("email\nc@x.com\n")); !errors.Is(err, ErrIdempotencyConflict) {
			t.Fatalf("different body: err %v", err)
		}
		// The same body with other options is another job, not a replay
		// (issue 22: it silently returned the old job).
		other := req(body)
		other.Options.ExcludeSources = []string{"github"}
		if _, err := m.Create(t.Context(), other); !errors.Is(err, ErrIdempotencyConflict) {
			t.Fatalf("same body, other options: err %v, want ErrIdempotencyConflict", err)
		}
		other = req(body)
		other.ProgressEvery = 5
		if _, err := m.Create(t.Context(), other); !errors.Is(err, ErrIdempotencyConflict) {
			t.Fatalf("same body, other progress_every: err %v, want ErrIdempotencyConflict", err)
		}
		// Concurrent retries also make one job.
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Go(func() {
				j, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader(body), IdempotencyKey: "k2"})
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = j.ID
			})
		}
		wg.Wait()
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("concurrent creates made several jobs: %v", ids)
			}
		}
		jobs, _ := m.List(t.Context())
		if len(jobs) != 2 {
			t.Errorf("%d jobs, want 2", len(jobs))
		}
		if n := inputsStored(t, m); n != 2 {
			t.Errorf("%d inputs stored, want 2", n)
		}
	})
}

// TestPauseResumeCancel runs in a synctest bubble: synctest.Wait returns
// when every goroutine of the test is blocked, i.e. when the job has gone
// as far as the held enricher lets it.
func TestPauseResumeCancel(t *testing.T) {
	synctest.Test(t, testPauseResumeCancel)
}

func testPauseResumeCancel(t *testing.T) {
	// The first 20 calls go through; the rest wait for the hold.
	f := &fakeEnricher{hold: make(chan struct{}), holdAfter: 20}
	m := start(t, testConfig(t.TempDir(), f))
	ctx := t.Context()
	upload := emailRows(400)
	j := create(t, m, FormatCSV, upload)
	synctest.Wait()
	p, err := m.Pause(ctx, j.ID)
	if err != nil || p.State != StatePaused {
		t.Fatalf("Pause: %+v, %v", p, err)
	}
	// Paused, nothing runs: not when the hold is lifted, not an hour later.
	calls := f.total.Load()
	close(f.hold)
	time.Sleep(time.Hour) // the bubble's clock: no wall time passes
	synctest.Wait()
	if f.total.Load() != calls {
		t.Fatal("enrichment went on while paused")
	}
	if p2, err := m.Pause(ctx, j.ID); err != nil || p2.State != StatePaused {
		t.Fatalf("second Pause: %v", err)
	}
	partial := results(t, m, j.ID)
	if p.Done != 20 || len(partial) != int(p.Done) {
		t.Fatalf("paused at %d, %d results; want the 20 enriched rows", p.Done, len(partial))
	}
	// Resumed, it runs 20 more rows and waits again: cancelled while running.
	f.hold, f.holdAfter = make(chan struct{}), calls+20
	if _, err := m.Resume(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	if cur, err := m.Get(ctx, j.ID); err != nil || cur.State != StateRunning {
		t.Fatalf("after Resume: %+v, %v", cur, err)
	}
	if _, err := m.Cancel(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	c := wait(t, m, j.ID, StateCancelled)
	if c.FinishedAt == nil {
		t.Error("cancelled without finished_at")
	}
	if _, err := m.Cancel(ctx, j.ID); err != nil {
		t.Errorf("second Cancel: %v", err)
	}
	if _, err := m.Resume(ctx, j.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("Resume of cancelled: %v", err)
	}
	if n := len(results(t, m, j.ID)); c.Done != 40 || int64(n) != c.Done {
		t.Errorf("%d results, done %d; want 40", n, c.Done)
	}
	if err := m.Delete(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, j.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
}

func TestPauseQueuedAndCancelPaused(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		cfg := cfgFor(&fakeEnricher{})
		if cfg.DB != nil { // Start migrates; this test does not start
			if err := Migrate(t.Context(), cfg.DB); err != nil {
				t.Fatal(err)
			}
		}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		// Before Start, jobs stay queued.
		j := create(t, m, FormatCSV, "email\na@x.com\n")
		if p, err := m.Pause(t.Context(), j.ID); err != nil || p.State != StatePaused {
			t.Fatalf("Pause queued: %+v %v", p, err)
		}
		if c, err := m.Cancel(t.Context(), j.ID); err != nil || c.State != StateCancelled {
			t.Fatalf("Cancel paused: %+v %v", c, err)
		}
		if _, err := m.Pause(t.Context(), "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Pause unknown: %v", err)
		}
	})
}

func TestDedupByIdentifier(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		f := &fakeEnricher{delay: time.Millisecond}
		m := start(t, cfgFor(f))
		// Gmail ignores dots and +tags; phones normalize to E.164.
		rows := []string{
			"John.Doe@gmail.com,", "johndoe+x@gmail.com,", "JOHNDOE@GMAIL.COM,",
			",+49 151 12345678", ",004915112345678", ",+4915112345678",
			"other@example.com,", "other@example.com,",
		}
		var b strings.Builder
		b.WriteString("email,phone\n")
		for range 5 { // far-apart repeats hit stored results, near ones in-flight entries
			for _, r := range rows {
				b.WriteString(r + "\n")
			}
		}
		j := create(t, m, FormatCSV, b.String())
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Done != 40 || j.Failed != 0 {
			t.Fatalf("%+v", j)
		}
		if n := f.total.Load(); n != 3 {
			t.Errorf("%d enrichments for 3 distinct identifiers", n)
		}
		rs := results(t, m, j.ID)
		checkOnePerRow(t, rs, 40)
		for _, r := range rs {
			if r.Profile == nil {
				t.Fatalf("row %d has no profile", r.Row)
			}
		}
	})
}

func TestTransientRetry(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		f := &fakeEnricher{incomplete: map[string]int{"flaky@x.com": 2, "down@x.com": 99}}
		m := start(t, cfgFor(f))
		j := create(t, m, FormatCSV, "email\nflaky@x.com\ndown@x.com\nok@x.com\n")
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Done != 3 || j.Incomplete != 1 || j.Failed != 0 {
			t.Fatalf("%+v", j)
		}
		if f.callsFor("flaky@x.com") != 3 || f.callsFor("down@x.com") != 3 || f.callsFor("ok@x.com") != 1 {
			t.Errorf("calls: %v", f.calls)
		}
		rs := results(t, m, j.ID)
		if rs[0].Status != RowOK || !rs[0].Profile.Complete || rs[1].Status != RowIncomplete || rs[1].Profile == nil {
			t.Errorf("results: %+v", rs)
		}
	})
}

func TestOptionsErrorFailsJob(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		m := start(t, cfgFor(&fakeEnricher{optionsError: true}))
		j := create(t, m, FormatCSV, "email\na@x.com\nb@x.com\n")
		j = wait(t, m, j.ID, StateFailed)
		if !strings.Contains(j.Error, "unknown source") {
			t.Errorf("error %q", j.Error)
		}
	})
}

func TestEnricherPanicIsRowFailure(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		m := start(t, cfgFor(panicEnricher{}))
		j := create(t, m, FormatCSV, "email\na@x.com\n")
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Failed != 1 {
			t.Errorf("%+v", j)
		}
	})
}

type panicEnricher struct{}

func (panicEnricher) Enrich(context.Context, pipeline.Input) (*pipeline.Profile, error) {
	panic("boom")
}

// TestResultsWhileRunning runs in a synctest bubble, where the writer's
// batching delay passes on the bubble's clock.
func TestResultsWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeEnricher{hold: make(chan struct{})}
		cfg := testConfig(t.TempDir(), f)
		m := start(t, cfg)
		j := create(t, m, FormatNDJSON, `{"email":"a@x.com"}`+"\n"+`{"email":"b@x.com"}`+"\n"+`[]`+"\n")
		// Row 3 is a row error and is stored with the writer's first batch;
		// rows 1–2 wait.
		synctest.Wait()
		time.Sleep(batchWait) // the bubble's clock: the batch is due
		synctest.Wait()
		if cur, _ := m.Get(t.Context(), j.ID); cur.Done != 1 || cur.State != StateRunning || cur.Checkpoint != 0 {
			t.Fatalf("%+v", cur)
		}
		rs := results(t, m, j.ID)
		if len(rs) != 1 || rs[0].Row != 3 {
			t.Fatalf("partial results %+v", rs)
		}
		close(f.hold)
		wait(t, m, j.ID, StateSucceeded)
		checkOnePerRow(t, results(t, m, j.ID), 3)
	})
}

// TestRestartResumes stops a manager abruptly mid-job (its context is
// cancelled while rows are in flight, like a crash from the job's point of
// view) and checks that a new Manager on the same dir finishes with exactly
// one result per row.
func TestRestartResumes(t *testing.T) {
	dir := t.TempDir()
	const total = 2000
	var b strings.Builder
	b.WriteString("email,phone,id\n")
	for i := range total {
		fmt.Fprintf(&b, "user%d@example.com,,%d\n", i%1500, i) // some duplicates
	}
	ctx, stop := context.WithCancel(t.Context())
	f1 := &fakeEnricher{delay: 100 * time.Microsecond}
	f1.onCall = func(n int64) {
		if n == total/3 {
			stop()
		}
	}
	m1, err := New(testConfig(dir, f1))
	if err != nil {
		t.Fatal(err)
	}
	if err := m1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	j := create(t, m1, FormatCSV, b.String())
	<-ctx.Done()
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}
	mid, err := func() (*Job, error) {
		m, err := New(testConfig(dir, f1))
		if err != nil {
			return nil, err
		}
		defer m.Close()
		return m.Get(t.Context(), j.ID)
	}()
	if err != nil {
		t.Fatal(err)
	}
	if mid.State != StateRunning || mid.Done == 0 || mid.Done >= total {
		t.Fatalf("after the stop: %+v", mid)
	}
	t.Logf("stopped at done=%d checkpoint=%d", mid.Done, mid.Checkpoint)

	f2 := &fakeEnricher{}
	m2 := start(t, testConfig(dir, f2))
	done := wait(t, m2, j.ID, StateSucceeded)
	if done.Done != total || done.Failed != 0 || done.Checkpoint != total {
		t.Fatalf("%+v", done)
	}
	rs := results(t, m2, j.ID)
	checkOnePerRow(t, rs, total)
	for _, r := range rs {
		if r.Passthrough["id"] != fmt.Sprint(r.Row-1) {
			t.Fatalf("row %d carries id %s", r.Row, r.Passthrough["id"])
		}
	}
	if f1.total.Load()+f2.total.Load() > 1500+int64(window) {
		t.Errorf("enriched %d+%d times for 1500 identifiers", f1.total.Load(), f2.total.Load())
	}
}

func TestWebhookSignedAndRetried(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		var mu sync.Mutex
		var attempts int
		var got []*http.Request
		var bodies [][]byte
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if r.Header.Get(HeaderEvent) != EventSucceeded {
				return // progress events are not counted here
			}
			attempts++
			got, bodies = append(got, r), append(bodies, b)
			if attempts <= 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))
		defer srv.Close()
		cfg := cfgFor(&fakeEnricher{})
		cfg.HTTPClient = srv.Client()
		m := start(t, cfg)
		j, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@x.com\nb@x.com\nc@x.com\n"),
			WebhookURL: srv.URL + "/hook", WebhookSecret: "s3cret", ProgressEvery: 1})
		if err != nil {
			t.Fatal(err)
		}
		wait(t, m, j.ID, StateSucceeded)
		idle(t, m) // every delivery and its retries are over
		if cur, _ := m.st.get(t.Context(), j.ID); cur.WebhookPending {
			t.Error("the delivered webhook is still pending")
		}
		mu.Lock()
		defer mu.Unlock()
		if attempts != 3 {
			t.Fatalf("%d attempts, want 3 (two 503s, then 200)", attempts)
		}
		last := got[2]
		if err := VerifySignature("s3cret", last.Header.Get(HeaderTimestamp), string(bodies[2]), last.Header.Get(HeaderSignature), time.Now(), time.Minute); err != nil {
			t.Fatalf("signature: %v", err)
		}
		if got[0].Header.Get(HeaderDelivery) == "" || got[0].Header.Get(HeaderDelivery) != last.Header.Get(HeaderDelivery) {
			t.Error("retries should share the delivery id")
		}
		var p WebhookPayload
		if err := json.Unmarshal(bodies[2], &p); err != nil || p.Job.ID != j.ID || p.Job.State != StateSucceeded || p.Job.Done != 3 {
			t.Fatalf("payload %+v %v", p, err)
		}
		if strings.Contains(string(bodies[2]), "s3cret") {
			t.Error("the secret leaked into the payload")
		}
	})
}

func TestWebhookPermanentFailureNotRetried(t *testing.T) {
	stores(t, func(t *testing.T, cfgFor func(Enricher) Config) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(http.StatusGone)
		}))
		defer srv.Close()
		cfg := cfgFor(&fakeEnricher{})
		cfg.HTTPClient = srv.Client()
		cfg.WebhookSecret = "default"
		m := start(t, cfg)
		j, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@x.com\n"), WebhookURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		wait(t, m, j.ID, StateSucceeded)
		idle(t, m)
		if cur, _ := m.st.get(t.Context(), j.ID); cur.WebhookPending {
			t.Error("the refused webhook is still pending")
		}
		if n.Load() != 1 {
			t.Errorf("%d attempts on 410", n.Load())
		}
	})
}

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ts := "1700000000"
	body := `{"event":"job.succeeded"}`
	sig := Sign("k", ts, []byte(body))
	for name, tc := range map[string]struct {
		secret, ts, body, sig string
		now                   time.Time
		want                  error
	}{
		"ok":             {"k", ts, body, sig, now, nil},
		"ok within skew": {"k", ts, body, sig, now.Add(-4 * time.Minute), nil},
		"wrong secret":   {"k2", ts, body, sig, now, ErrSignatureMismatch},
		"tampered body":  {"k", ts, body + " ", sig, now, ErrSignatureMismatch},
		"other ts":       {"k", "1700000001", body, sig, now, ErrSignatureMismatch},
		"replayed late":  {"k", ts, body, sig, now.Add(6 * time.Minute), ErrSignatureExpired},
		"from future":    {"k", ts, body, sig, now.Add(-6 * time.Minute), ErrSignatureExpired},
		"no prefix":      {"k", ts, body, strings.TrimPrefix(sig, "sha256="), now, ErrSignatureMalformed},
		"bad hex":        {"k", ts, body, "sha256=zz", now, ErrSignatureMalformed},
		"bad ts":         {"k", "soon", body, sig, now, ErrSignatureMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			err := VerifySignature(tc.secret, tc.ts, tc.body, tc.sig, tc.now, 5*time.Minute)
			if !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// A completion webhook not delivered before Close is sent by the next Start.
func TestWebhookRedeliveredAfterRestart(t *testing.T) {
	var up atomic.Bool
	var delivered atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		delivered.Add(1)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := testConfig(dir, &fakeEnricher{})
	cfg.HTTPClient = srv.Client()
	cfg.WebhookBackoff = time.Hour // stuck after the first failure
	m1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m1.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	j, err := m1.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@x.com\n"), WebhookURL: srv.URL, WebhookSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, m1, j.ID, StateSucceeded)
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}
	up.Store(true)
	m2 := start(t, cfg)
	idle(t, m2)
	if n := delivered.Load(); n != 1 {
		t.Fatalf("webhook redelivered %d times, want once", n)
	}
	if r, _ := m2.st.get(t.Context(), j.ID); r.WebhookPending {
		t.Error("the redelivered webhook is still pending")
	}
}

func TestProgressRate(t *testing.T) {
	var p progress
	t0 := time.Unix(0, 0)
	p.start(t0, 100)
	if p.rate(t0) != 0 {
		t.Fatal("rate before any sample")
	}
	p.sample(t0.Add(time.Second), 150) // 50 rows/s
	if r := p.rate(t0.Add(time.Second)); r != 50 {
		t.Fatalf("rate %v, want 50", r)
	}
	for i := 2; i <= 60; i++ { // then 100 rows/s for a minute
		p.sample(t0.Add(time.Duration(i)*time.Second), 150+int64(i-1)*100)
	}
	if r := p.rate(t0.Add(60 * time.Second)); r < 99 || r > 100 {
		t.Fatalf("rate %v, want ≈100", r)
	}
	// Nothing committed for 10 s: the rate decays.
	if r := p.rate(t0.Add(70 * time.Second)); r > 40 {
		t.Fatalf("stalled rate %v", r)
	}
}

// stubbornEnricher blocks every call until release is closed, whatever its
// context says, so a run is still stopping when a second stop arrives.
type stubbornEnricher struct{ release chan struct{} }

func (s stubbornEnricher) Enrich(context.Context, pipeline.Input) (*pipeline.Profile, error) {
	<-s.release
	return &pipeline.Profile{Complete: true}, nil
}

// TestCancelWinsOverPause: a cancel arriving while a pause is stopping the
// run used to answer 409 and leave the job paused (issue 22).
func TestCancelWinsOverPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := stubbornEnricher{release: make(chan struct{})}
		m := start(t, testConfig(t.TempDir(), f))
		j := create(t, m, FormatCSV, "email\na@x.com\nb@x.com\n")
		synctest.Wait() // the rows are in the enricher
		var pauseErr, cancelErr error
		var cancelled *Job
		var wg sync.WaitGroup
		wg.Go(func() { _, pauseErr = m.Pause(t.Context(), j.ID) })
		synctest.Wait() // the pause is waiting for the run to stop
		wg.Go(func() { cancelled, cancelErr = m.Cancel(t.Context(), j.ID) })
		synctest.Wait()
		close(f.release)
		wg.Wait()
		if cancelErr != nil || cancelled.State != StateCancelled {
			t.Fatalf("Cancel: %+v, %v; want cancelled", cancelled, cancelErr)
		}
		if pauseErr != nil {
			t.Logf("Pause: %v", pauseErr)
		}
		if got := wait(t, m, j.ID, StateCancelled); got.FinishedAt == nil {
			t.Errorf("cancelled job has no finish time: %+v", got)
		}
		idle(t, m)
	})
}

// limitedEnricher is a row whose one network source ("pypi") takes a token
// from lim under the row's budget, as the engine admits a call: a token
// that would come after the budget is refused at once by footprint's own
// limiter (rate_limited, the upstream not asked).
type limitedEnricher struct {
	lim    *transport.Limiter
	budget time.Duration
	// only limits the rows whose email ends so ("" for every row).
	only string
	// lookups is the number of pypi lookups of a row (default 1); a
	// lookup answered once is cached (answered, by email).
	lookups  int
	mu       *sync.Mutex
	answered map[string]int
}

func (e limitedEnricher) Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	p := &pipeline.Profile{Complete: true, Derived: pipeline.Derived{Accounts: []enrichers.Account{}}}
	if !strings.HasSuffix(in.Email, e.only) {
		return p, nil
	}
	bctx, cancel := context.WithTimeout(transport.WithBackground(ctx), e.budget)
	defer cancel()
	lookups, cached := max(1, e.lookups), 0
	if e.mu != nil {
		e.mu.Lock()
		cached = e.answered[in.Email]
		e.mu.Unlock()
	}
	ok, held := cached, 0
	var firstErr error
	for range lookups - cached {
		if err := e.lim.Take(bctx, "pypi"); err != nil {
			held++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		ok++
	}
	if e.mu != nil {
		e.mu.Lock()
		e.answered[in.Email] = ok
		e.mu.Unlock()
	}
	// Folded as the engine's report does.
	st := pipeline.SourceStatus{Name: "pypi", Status: enrichers.StatusOK, HeldBack: held}
	switch {
	case held > 0 && ok > 0:
		st.Detail = fmt.Sprintf("%d of %d lookups answered; %d rate_limited", ok, lookups, held)
	case held > 0:
		p.Complete = false
		st.Status, st.Detail = enrichers.StatusRateLimited, firstErr.Error()
	}
	p.Sources = []pipeline.SourceStatus{st}
	return p, nil
}

// TestRowsWaitForEveryLookup: a source that answered some of a row's
// lookups and was held back on the others reads ok, so the row was stored
// complete with lookups never made (issue 22, seen in the 200-row
// measurement: "1 of 7 lookups answered; 6 rate_limited"). The row waits for
// the held lookups' tokens and runs again until every lookup is answered.
func TestRowsWaitForEveryLookup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := transport.NewLimiter(rate.Limit(1), 1)
		e := limitedEnricher{lim: lim, budget: 1500 * time.Millisecond, lookups: 4, mu: &sync.Mutex{}, answered: map[string]int{}}
		cfg := testConfig(t.TempDir(), e)
		cfg.Limiter = func(string) *transport.Limiter { return lim }
		m := start(t, cfg)
		upload := emailRows(10)
		j := create(t, m, FormatCSV, upload)
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Incomplete != 0 || j.Failed != 0 {
			t.Fatalf("incomplete %d, failed %d", j.Incomplete, j.Failed)
		}
		for _, r := range results(t, m, j.ID) {
			if d := r.Profile.Sources[0].Detail; d != "" {
				t.Errorf("row %d stored with %q", r.Row, d)
			}
		}
		idle(t, m)
	})
}

// TestRowsWaitForTokens: rows footprint's own limiter held back used to be
// retried MaxAttempts times and stored incomplete (296 of 300 rows under the
// default limits, the upstreams throttling nothing). They now wait for the
// token, holding no slot, and every row completes (issue 22).
func TestRowsWaitForTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := transport.NewLimiter(rate.Limit(1), 1)
		cfg := testConfig(t.TempDir(), limitedEnricher{lim: lim, budget: 3 * time.Second})
		cfg.Limiter = func(source string) *transport.Limiter {
			if source == "pypi" {
				return lim
			}
			return nil
		}
		m := start(t, cfg)
		upload := emailRows(30)
		j := create(t, m, FormatCSV, upload)
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Done != 30 || j.Incomplete != 0 || j.Failed != 0 {
			t.Fatalf("done %d, incomplete %d, failed %d; want every row complete", j.Done, j.Incomplete, j.Failed)
		}
		for _, r := range results(t, m, j.ID) {
			if r.Status != RowOK {
				t.Errorf("row %d: %s", r.Row, r.Status)
			}
		}
		idle(t, m)
	})
}

// TestJobsShareTheSlots: one job's rows waiting for tokens must not hold
// every enrichment slot while another job's rows could run (a 6.4 M-row job
// stalled at 1 024 rows with rows_per_s 0, issue 22). Job A's rows wait up
// to their budget for a token that comes every 10 s; job B needs none.
func TestJobsShareTheSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := transport.NewLimiter(rate.Limit(0.1), 1)
		cfg := testConfig(t.TempDir(), limitedEnricher{lim: lim, budget: 30 * time.Second, only: "@a.example"})
		cfg.MaxActiveJobs = 2
		m := start(t, cfg)
		var a, b strings.Builder
		a.WriteString("email\n")
		b.WriteString("email\n")
		for i := range 40 {
			fmt.Fprintf(&a, "u%d@a.example\n", i)
			fmt.Fprintf(&b, "u%d@b.example\n", i)
		}
		ja := create(t, m, FormatCSV, a.String())
		synctest.Wait() // A's rows are waiting for tokens
		jb := create(t, m, FormatCSV, b.String())
		wait(t, m, jb.ID, StateSucceeded)
		ja, err := m.Get(t.Context(), ja.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ja.Done > 2 {
			t.Errorf("job B finished only after job A did %d rows (one every 10 s): B waited for A's slots", ja.Done)
		}
		if _, err := m.Cancel(t.Context(), ja.ID); err != nil {
			t.Fatal(err)
		}
		idle(t, m)
	})
}

// TestWebhookRefusedByGuardNotRetried: a webhook the SSRF guard refuses
// (a name that resolves to a loopback address) is given up at once, and its
// URL is logged without the query string (issue 22).
func TestWebhookRefusedByGuardNotRetried(t *testing.T) {
	var logs bytes.Buffer
	var logMu sync.Mutex
	cfg := testConfig(t.TempDir(), &fakeEnricher{})
	cfg.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.WebhookAttempts = 6
	var dials atomic.Int64
	guard := netguard.Dialer(netguard.Options{Resolver: loopbackResolver{}})
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return guard(ctx, network, addr)
	}}}
	m := start(t, cfg)
	j, err := m.Create(t.Context(), CreateRequest{Format: FormatCSV, Body: strings.NewReader("email\na@x.com\n"),
		WebhookURL: "https://hooks.example.com/h?token=SECRET123", WebhookSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, m, j.ID, StateSucceeded)
	idle(t, m)
	if n := dials.Load(); n != 1 {
		t.Errorf("%d delivery attempts, want 1 (a refusal is final)", n)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(logs.String(), "SECRET123") {
		t.Errorf("the webhook's query string reached the log:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "127.0.0.1") {
		t.Errorf("the resolved address reached the log above debug:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "non-public address") {
		t.Errorf("the refusal is not logged:\n%s", logs.String())
	}
}

type loopbackResolver struct{}

func (loopbackResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestETASteadyUnderPacing: rows paced by a slow source commit in bunches
// (here 3 rows every 30 s, 0.1 rows/s). The ETA divides by the average
// since the first commit, so it stays near the truth between bunches
// instead of growing without bound (issue 22: 13.5 million seconds).
func TestETASteadyUnderPacing(t *testing.T) {
	var p progress
	t0 := time.Unix(0, 0)
	p.start(t0, 0)
	if r, _ := p.etaRate(t0.Add(20*time.Second), 4); r != 0 {
		t.Errorf("ETA rate %v before any commit, want 0 (unknown)", r)
	}
	// Only the first bunch so far, 25 s ago: the average since the start
	// (3 rows in 55 s), not an EWMA decayed to nothing; not yet measured
	// (the sources' limits estimate wins then, TestETAFromLimits).
	p.sample(t0.Add(30*time.Second), 3)
	if r, measured := p.etaRate(t0.Add(55*time.Second), 4); r < 0.05 || r > 0.06 || measured {
		t.Errorf("ETA rate %v (measured %v) after the first bunch, want 3/55 rows/s, not measured (the EWMA reads %v)", r, measured, p.rate(t0.Add(55*time.Second)))
	}
	// A second bunch: 3 rows since the first commit, fewer than the 4 a
	// run has in progress at once: still not measured.
	p.sample(t0.Add(60*time.Second), 6)
	if _, measured := p.etaRate(t0.Add(65*time.Second), 4); measured {
		t.Error("measured after fewer rows than a window since the first commit")
	}
	done := int64(6)
	for i := 3; i <= 10; i++ {
		done += 3
		p.sample(t0.Add(time.Duration(30*i)*time.Second), done)
	}
	// 29 s after the last bunch: the true rate is still 0.1 rows/s.
	now := t0.Add(329 * time.Second)
	if r, measured := p.etaRate(now, 4); r < 0.08 || r > 0.12 || !measured {
		t.Errorf("ETA rate %v rows/s between bunches, want ≈0.1 (the EWMA reads %v)", r, p.rate(now))
	}
}

// twoRequestEnricher is a source whose call sends two requests (a
// WebFinger, then the account) under the row's budget: the call is
// admitted (its first token) as the engine admits a batch row's call, each
// request goes through the limiter within the call's timeout, and
// a refused request fails the call as held back. sent records when each
// request left.
type twoRequestEnricher struct {
	lim     *transport.Limiter
	budget  time.Duration
	timeout time.Duration // the call's own, from its admission
	mu      *sync.Mutex
	sent    *[]time.Time
}

func (e twoRequestEnricher) Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	p := &pipeline.Profile{Complete: true, Derived: pipeline.Derived{Accounts: []enrichers.Account{}}}
	bctx, cancel := context.WithTimeout(transport.WithBackground(ctx), e.budget)
	defer cancel()
	st := pipeline.SourceStatus{Name: "mastodon", Status: enrichers.StatusOK}
	// As the engine: admitted while the call's timeout fits in the budget.
	dl, _ := bctx.Deadline()
	cctx, err := e.lim.AdmitBefore(bctx, "mastodon", dl.Add(-e.timeout))
	cctx, ccancel := context.WithTimeout(cctx, e.timeout)
	defer ccancel()
	for i := 0; err == nil && i < 2; i++ {
		if err = e.lim.Take(cctx, "mastodon"); err == nil {
			e.mu.Lock()
			*e.sent = append(*e.sent, time.Now())
			e.mu.Unlock()
		}
	}
	if err != nil {
		p.Complete = false
		st.Status, st.Detail, st.HeldBack = enrichers.StatusRateLimited, err.Error(), 1
	}
	p.Sources = []pipeline.SourceStatus{st}
	return p, nil
}

// TestRowsWaitForMultiRequestCalls: rows whose call needs two tokens of a
// source limited to 1 request/s with a burst of 1 (mastodon) all complete
// — the call's second request waits for its token ahead of other rows
// instead of failing — and no two requests ever leave less than a second
// apart: an upstream enforcing that limit strictly throttles none (issue
// 22: tokens prepaid for held-back rows were spent together, and 1 040
// requests were throttled).
func TestRowsWaitForMultiRequestCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := transport.NewLimiter(rate.Limit(1), 1)
		var mu sync.Mutex
		var sent []time.Time
		cfg := testConfig(t.TempDir(), twoRequestEnricher{lim: lim, budget: 3 * time.Second, timeout: 2 * time.Second, mu: &mu, sent: &sent})
		cfg.Limiter = func(string) *transport.Limiter { return lim }
		m := start(t, cfg)
		j := create(t, m, FormatCSV, emailRows(8))
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Incomplete != 0 || j.Failed != 0 {
			t.Fatalf("incomplete %d, failed %d; want every row complete", j.Incomplete, j.Failed)
		}
		idle(t, m)
		mu.Lock()
		defer mu.Unlock()
		if len(sent) != 16 {
			t.Fatalf("%d requests sent, want 16 (two per row)", len(sent))
		}
		atLeastASecondApart(t, sent)
	})
}

// TestLiveLookupsAheadOfAWaitingJob: while a job's rows wait for a
// source's tokens (1/s, burst 1, two per row), ten live lookups, each with
// 1.1 s to get a token, are all served, and the job still completes with
// every row; live and batch requests together never leave under 1 s apart
// (issue 22: every live lookup made during a job was incomplete).
func TestLiveLookupsAheadOfAWaitingJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := transport.NewLimiter(rate.Limit(1), 1).WithLiveReserve(0.2)
		var mu sync.Mutex
		var sent []time.Time
		cfg := testConfig(t.TempDir(), twoRequestEnricher{lim: lim, budget: 3 * time.Second, timeout: 2 * time.Second, mu: &mu, sent: &sent})
		cfg.Limiter = func(string) *transport.Limiter { return lim }
		m := start(t, cfg)
		j := create(t, m, FormatCSV, emailRows(12))
		time.Sleep(3 * time.Second) // the rows are waiting for tokens
		for i := range 10 {
			ctx, cancel := context.WithTimeout(context.Background(), 1100*time.Millisecond)
			if err := lim.Take(ctx, "mastodon"); err != nil {
				t.Errorf("live lookup %d during the job: %v", i, err)
			} else {
				mu.Lock()
				sent = append(sent, time.Now())
				mu.Unlock()
			}
			cancel()
			time.Sleep(1500 * time.Millisecond)
		}
		j = wait(t, m, j.ID, StateSucceeded)
		if j.Incomplete != 0 || j.Failed != 0 {
			t.Errorf("incomplete %d, failed %d; want every row complete", j.Incomplete, j.Failed)
		}
		idle(t, m)
		mu.Lock()
		defer mu.Unlock()
		atLeastASecondApart(t, sent)
	})
}

// emailRows is a CSV upload of n rows, u0@example.com onwards.
func emailRows(n int) string {
	var b strings.Builder
	b.WriteString("email\n")
	for i := range n {
		fmt.Fprintf(&b, "u%d@example.com\n", i)
	}
	return b.String()
}

// atLeastASecondApart fails unless the requests (sorted here) left at
// least a second apart: a source limited to 1/s with a burst of 1.
func atLeastASecondApart(t *testing.T, sent []time.Time) {
	t.Helper()
	slices.SortFunc(sent, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].Sub(sent[i-1]); gap < time.Second {
			t.Errorf("requests %d and %d left %v apart, want at least 1s (1/s, burst 1)", i-1, i, gap)
		}
	}
}
