package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// offline keeps batch tests off the network: the email and phone sources
// need none.
const offline = "email,phone"

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestBatchInProcess(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "customers.csv", "email,phone,crm_id\nadmin@mailinator.com,,C-1\nnot an email,,C-2\njane@example.com,+14155552671,C-3\n")
	out := filepath.Join(dir, "enriched.csv")
	code, _, errs := runCLI(t, nil, "batch", in, "-o", out, "--sources", offline, "--data-dir", filepath.Join(dir, "data"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs := readCSV(t, out)
	if len(recs) != 4 {
		t.Fatalf("%d lines, want a header and 3 rows", len(recs))
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for _, c := range []string{"email", "crm_id", "row", "status", "disposable", "role_account", "risk_verdict", "phone_e164"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("no column %q in %v", c, recs[0])
		}
	}
	want := []struct{ crm, status, disposable string }{{"C-1", "ok", "true"}, {"C-2", "failed", ""}, {"C-3", "ok", "false"}}
	for i, w := range want {
		r := recs[i+1]
		if r[col["crm_id"]] != w.crm || r[col["status"]] != w.status || r[col["disposable"]] != w.disposable || r[col["row"]] != fmt.Sprint(i+1) {
			t.Errorf("row %d: %v", i+1, r)
		}
	}
	if _, err := os.Stat(out + ".footprint-job"); !os.IsNotExist(err) {
		t.Errorf("state file left behind: %v", err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("output mode %v %v", fi.Mode(), err)
	}
	for _, leak := range []string{"mailinator", "jane@", "4155552671"} {
		if strings.Contains(errs, leak) {
			t.Errorf("stderr shows %q: %s", leak, errs)
		}
	}
	if !strings.Contains(errs, "succeeded: 3 rows (1 failed, 0 incomplete)") {
		t.Errorf("no summary line: %s", errs)
	}

	// NDJSON in and out, chosen by extension.
	in2 := writeFile(t, dir, "people.ndjson", `{"email":"admin@mailinator.com","metadata":{"id":7}}`+"\n"+`{"email":42}`+"\n")
	out2 := filepath.Join(dir, "people.out.ndjson")
	if code, _, errs := runCLI(t, nil, "batch", in2, "-o", out2, "--sources", offline, "--data-dir", filepath.Join(dir, "data")); code != 0 {
		t.Fatalf("ndjson: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(out2)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"metadata":{"id":7}`) || !strings.Contains(lines[0], `"disposable":true`) || !strings.Contains(lines[1], `"status":"failed"`) {
		t.Errorf("NDJSON results:\n%s", b)
	}
}

func TestBatchUsageErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", "email\njane@example.com\n")
	out := filepath.Join(dir, "out.csv")
	data := filepath.Join(dir, "data")
	writeFile(t, dir, "taken.csv.footprint-job", `{"job":"abc","input":"x"}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no output", []string{"batch", in}, "give the input FILE and -o OUT"},
		{"no input", []string{"batch", "-o", out}, "give the input FILE and -o OUT"},
		{"missing file", []string{"batch", filepath.Join(dir, "nope.csv"), "-o", out, "--data-dir", data}, "no such file"},
		{"bad format", []string{"batch", in, "-o", out, "--format", "xlsx"}, `--format "xlsx"`},
		{"unknown source", []string{"batch", in, "-o", out, "--sources", "myspace", "--data-dir", data}, `unknown source "myspace"`},
		{"no identity column", []string{"batch", writeFile(t, dir, "bad.csv", "a,b\n1,2\n"), "-o", out, "--data-dir", data}, "body:"},
		{"resume without a run", []string{"batch", in, "-o", out, "--resume", "--data-dir", data}, "--resume: no interrupted run"},
		{"interrupted run in the way", []string{"batch", in, "-o", filepath.Join(dir, "taken.csv"), "--data-dir", data}, "continue it with --resume"},
		{"resume with another input", []string{"batch", in, "-o", filepath.Join(dir, "taken.csv"), "--resume", "--data-dir", data}, "run it with the same FILE"},
		{"server and data-dir", []string{"batch", in, "-o", out, "--server", "http://127.0.0.1:1", "--data-dir", data}, "--data-dir configures the in-process engine"},
		{"bad server", []string{"batch", in, "-o", out, "--server", "ftp://x"}, "want an http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, nil, tt.args...)
			if code != exitUsage || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errs, exitUsage, tt.want)
			}
		})
	}
}

// TestBatchResume interrupts a run (as Ctrl-C would) while its rows are
// being enriched, some of them stored, then continues it with --resume:
// every input row has exactly one result, and the stored rows are not
// enriched again.
func TestBatchResume(t *testing.T) {
	const rows, before = 400, 100
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("email,n\n")
	for i := range rows {
		fmt.Fprintf(&b, "user%d@example.com,%d\n", i, i)
	}
	in := writeFile(t, dir, "big.csv", b.String())
	out := filepath.Join(dir, "big.out.csv")
	data := filepath.Join(dir, "data")

	// The gravatar source asks a stand-in that finds nobody. In the first
	// run it answers `before` lookups, then interrupts the run and holds
	// every later lookup until the run gives it up: the interruption comes
	// mid-job, whatever the machine's speed.
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	var resuming atomic.Bool
	var first, again atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if resuming.Load() {
			again.Add(1)
		} else if first.Add(1) > before {
			interrupt()
			<-r.Context().Done()
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	environ := []string{
		"FOOTPRINT_SOURCES_GRAVATAR_BASE_URL=" + srv.URL,
		"FOOTPRINT_SOURCES_GRAVATAR_RATE_PER_S=100000", "FOOTPRINT_SOURCES_GRAVATAR_BURST=100000",
	}
	args := []string{"batch", in, "-o", out, "--sources", offline + ",gravatar", "--data-dir", data}

	var stderr bytes.Buffer
	code := run(ctx, args, env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr,
		lookup: func(k string) (string, bool) { return lookupIn(environ, k) }, environ: environ})
	if code == exitOK {
		t.Fatal("the run finished before it could be interrupted")
	}
	if !strings.Contains(stderr.String(), "--resume") {
		t.Fatalf("exit %d without a hint to resume: %s", code, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("an interrupted run wrote its output: %v", err)
	}

	stored := storedRows(t, data, out)
	if stored == 0 || stored > before {
		t.Fatalf("the interrupted run stored %d rows, want some of the %d answered", stored, before)
	}

	resuming.Store(true)
	code, _, errs := runCLI(t, environ, append(args, "--resume")...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	recs := readCSV(t, out)
	if len(recs) != rows+1 {
		t.Fatalf("%d result rows, want %d", len(recs)-1, rows)
	}
	for i, r := range recs[1:] {
		if r[1] != fmt.Sprint(i) || r[2] != fmt.Sprint(i+1) || r[3] != "ok" {
			t.Fatalf("result %d: %v", i, r[:4])
		}
	}
	if n := again.Load(); n != rows-stored {
		t.Errorf("the resumed run looked up %d rows, want the %d not stored", n, rows-stored)
	}
}

// storedRows reads, from the job store in the data folder, how many rows
// the job of the interrupted run writing out has stored.
func storedRows(t *testing.T, data, out string) int64 {
	t.Helper()
	b, err := os.ReadFile(out + ".footprint-job")
	if err != nil {
		t.Fatal(err)
	}
	var st batchState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	m, err := jobs.New(jobs.Config{Dir: filepath.Join(data, "jobs"), Enricher: stubEnricher{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	j, err := m.Get(t.Context(), st.Job)
	if err != nil {
		t.Fatal(err)
	}
	return j.Done
}

// stubEnricher is never called: storedRows only reads the store.
type stubEnricher struct{}

func (stubEnricher) Enrich(context.Context, pipeline.Input) (*pipeline.Profile, error) {
	return nil, errors.New("not expected")
}

// lookupIn finds the variable k in environ (KEY=value lines).
func lookupIn(environ []string, k string) (string, bool) {
	for _, kv := range environ {
		if key, v, ok := strings.Cut(kv, "="); ok && key == k {
			return v, true
		}
	}
	return "", false
}

// TestBatchServer runs a job through a server's /v1/jobs API.
func TestBatchServer(t *testing.T) {
	reg := engine.NewRegistry()
	reg.Register(stubSource{"profiles"})
	eng, err := engine.New(reg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := pipeline.New(eng, pipeline.Config{})
	jm, err := jobs.New(jobs.Config{Dir: t.TempDir(), Enricher: svc, ValidateOptions: svc.ValidateOptions})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := jm.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = jm.Close() })
	srv := httptest.NewServer(api.New(api.Config{Jobs: jm}, svc))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", "Email,id\njane@example.com,1\nbob@example.com,2\n")
	out := filepath.Join(dir, "out.ndjson")
	code, _, errs := runCLI(t, nil, "batch", in, "-o", out, "--server", srv.URL, "--timeout-ms", "2000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Row         int               `json:"row"`
		Status      string            `json:"status"`
		Passthrough map[string]string `json:"passthrough"`
		Profile     struct {
			Accounts []struct{ Username string } `json:"accounts"`
		} `json:"profile"`
	}
	var got []result
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got = append(got, r)
	}
	if len(got) != 2 || got[1].Row != 2 || got[1].Passthrough["id"] != "2" || got[0].Status != "ok" || len(got[0].Profile.Accounts) != 1 {
		t.Errorf("results: %s", b)
	}

	// The server's problem comes back as a usage error.
	code, _, errs = runCLI(t, nil, "batch", in, "-o", filepath.Join(dir, "x.csv"), "--server", srv.URL, "--sources", "myspace")
	if code != exitUsage || !strings.Contains(errs, `unknown source "myspace"`) || !strings.Contains(errs, "server answered 422") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
