package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/jobs"
)

func postBatch(body string) request {
	return request{method: "POST", path: "/v1/enrich/batch", body: body}
}

func TestEnrichBatch(t *testing.T) {
	srv := New(Config{}, realService(t))
	items := make([]string, 101)
	for i := range items {
		items[i] = `{"email":"user` + fmt.Sprint(i) + `@example.com"}`
	}
	cases := []struct {
		name       string
		body       string
		wantStatus int
		// per item: the status and the errors[].field of its problem
		wantItems []string
	}{
		{name: "mixed", body: `{"items":[
			{"email":"` + testEmail + `","metadata":{"z":1,"crm_id":"C-1","n":[1,2],"big":12345678901234567890}},
			{"email":"not an email","metadata":{"crm_id":"C-2"}},
			{"email":"` + testEmail + `","emial":"typo","metadata":{"crm_id":"C-3"}},
			{"phone":42},
			{"email":"` + testEmail + `","options":{"sources":["myspace"]}},
			{},
			{"email":"` + testEmail + `","options":{"timeout_ms":1e3}}
		]}`, wantStatus: 200, wantItems: []string{"200", "400 email", "400 emial", "400 phone", "422 options.sources[0]", "400 email", "400 options.timeout_ms"}},
		{name: "one", body: `{"items":[{"phone":"` + testPhone + `"}]}`, wantStatus: 200, wantItems: []string{"200"}},
		{name: "empty", body: `{"items":[]}`, wantStatus: 400},
		{name: "too_many", body: `{"items":[` + strings.Join(items, ",") + `]}`, wantStatus: 400},
		{name: "no_items", body: `{}`, wantStatus: 400},
		{name: "unknown_top_field", body: `{"items":[{"email":"` + testEmail + `"}],"x":1}`, wantStatus: 400},
		{name: "items_not_array", body: `{"items":{"email":"` + testEmail + `"}}`, wantStatus: 400},
		{name: "not_json", body: `{"items":[`, wantStatus: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, srv, postBatch(tc.body))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if rec.Code != 200 {
				return
			}
			var resp struct {
				Items []struct {
					Index    int             `json:"index"`
					Status   int             `json:"status"`
					Metadata json.RawMessage `json:"metadata"`
					Profile  *struct {
						Complete bool `json:"complete"`
					} `json:"profile"`
					Error *problem `json:"error"`
				} `json:"items"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			if len(resp.Items) != len(tc.wantItems) {
				t.Fatalf("%d items, want %d", len(resp.Items), len(tc.wantItems))
			}
			for i, it := range resp.Items {
				got := fmt.Sprint(it.Status)
				if it.Error != nil {
					for _, fe := range it.Error.Errors {
						got += " " + fe.Field
					}
					if it.Error.Instance != fmt.Sprintf("/v1/enrich/batch#/items/%d", i) {
						t.Errorf("item %d: instance %q", i, it.Error.Instance)
					}
				}
				if got != tc.wantItems[i] || it.Index != i {
					t.Errorf("item %d (index %d): %q, want %q", i, it.Index, got, tc.wantItems[i])
				}
				if (it.Profile != nil) == (it.Error != nil) {
					t.Errorf("item %d: want exactly one of profile and error", i)
				}
			}
			if tc.name == "mixed" {
				// Verbatim: key order and number text as sent.
				for i, want := range []string{`{"z":1,"crm_id":"C-1","n":[1,2],"big":12345678901234567890}`, `{"crm_id":"C-2"}`, `{"crm_id":"C-3"}`} {
					if string(resp.Items[i].Metadata) != want {
						t.Errorf("item %d metadata %s, want %s", i, resp.Items[i].Metadata, want)
					}
				}
			}
		})
	}
}

// jobJSON is the part of schema Job the tests read.
type jobJSON struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Total   int    `json:"total"`
	Done    int    `json:"done"`
	Failed  int    `json:"failed"`
	Options struct {
		Sources   []string `json:"sources"`
		TimeoutMS int      `json:"timeout_ms"`
		MaxAgeS   *int     `json:"max_age_s"`
	} `json:"options"`
}

func decodeJob(t *testing.T, body []byte) jobJSON {
	t.Helper()
	var j jobJSON
	if err := json.Unmarshal(body, &j); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return j
}

func upload(path, contentType, body string, header ...string) request {
	h := map[string]string{"Content-Type": contentType}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return request{method: "POST", path: path, body: body, header: h}
}

// waitJob waits for the webhook of job id's end, then reads the job with
// GET /v1/jobs/{id}.
func waitJob(t *testing.T, srv *Server, hooks webhooks, id string) jobJSON {
	t.Helper()
	hooks.final(t, id)
	rec := do(t, srv, get("/v1/jobs/"+id))
	if rec.Code != 200 {
		t.Fatalf("GET job: %d %s", rec.Code, rec.Body)
	}
	return decodeJob(t, rec.Body.Bytes())
}

func TestJobsAPI(t *testing.T) {
	svc := realService(t)
	hooks := make(webhooks, 16)
	srv := New(Config{Jobs: realJobs(t, svc, hooks.configure)}, svc)
	csvBody := "\ufeffEmail,Phone,crm_id\n" + testEmail + "," + testPhone + ",C-1\nnot an email,,C-2\n" + testEmail + ",,C-3\n"
	// The webhook tells the test when the job is over.
	const create = "/v1/jobs?sources=mailcheck,profiles&max_age_s=60&webhook_url=https://hooks.example.com/footprint"

	rec := do(t, srv, upload(create, "text/csv", csvBody, "Idempotency-Key", "k-1"))
	if rec.Code != 202 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	job := decodeJob(t, rec.Body.Bytes())
	if loc := rec.Header().Get("Location"); loc != "/v1/jobs/"+job.ID {
		t.Errorf("Location %q", loc)
	}
	if job.Total != 3 || strings.Join(job.Options.Sources, ",") != "mailcheck,profiles" || job.Options.MaxAgeS == nil || *job.Options.MaxAgeS != 60 || job.Options.TimeoutMS != DefaultJobTimeout {
		t.Errorf("job %+v", job)
	}

	// A retried upload with the same key is the same job; another body is a conflict.
	rec = do(t, srv, upload(create, "text/csv", csvBody, "Idempotency-Key", "k-1"))
	if rec.Code != 202 || decodeJob(t, rec.Body.Bytes()).ID != job.ID {
		t.Errorf("retried upload: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, srv, upload("/v1/jobs", "text/csv", "email\nother@example.com\n", "Idempotency-Key", "k-1")); rec.Code != 409 {
		t.Errorf("idempotency conflict: %d %s", rec.Code, rec.Body)
	}
	// The same body with other options is no replay either (issue 22).
	if rec := do(t, srv, upload(create+"&min_match=0.9", "text/csv", csvBody, "Idempotency-Key", "k-1")); rec.Code != 409 {
		t.Errorf("same key and body, other options: %d %s", rec.Code, rec.Body)
	}

	done := waitJob(t, srv, hooks, job.ID)
	if done.State != "succeeded" || done.Done != 3 || done.Failed != 1 {
		t.Errorf("final job %+v", done)
	}

	rec = do(t, srv, get("/v1/jobs/"+job.ID+"/results"))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("results: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "Email,Phone,crm_id,row,status,error,") ||
		!strings.Contains(lines[0], ",risk_probability,") || !strings.Contains(lines[0], ",top_interests,") ||
		!strings.Contains(lines[2], ",C-2,2,failed,") {
		t.Errorf("CSV results:\n%s", rec.Body)
	}
	rec = do(t, srv, get("/v1/jobs/"+job.ID+"/results?format=ndjson"))
	if rec.Code != 200 || strings.Count(rec.Body.String(), "\n") != 3 || !strings.Contains(rec.Body.String(), `"passthrough":{"crm_id":"C-3"}`) {
		t.Errorf("NDJSON results: %d\n%s", rec.Code, rec.Body)
	}

	rec = do(t, srv, get("/v1/jobs"))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), job.ID) {
		t.Errorf("list: %d %s", rec.Code, rec.Body)
	}
	for _, action := range []string{"pause", "resume", "cancel"} {
		if rec := do(t, srv, request{method: "POST", path: "/v1/jobs/" + job.ID + "/" + action}); rec.Code != 409 {
			t.Errorf("%s a succeeded job: %d", action, rec.Code)
		}
	}
	if rec := do(t, srv, request{method: "DELETE", path: "/v1/jobs/" + job.ID}); rec.Code != 204 {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/v1/jobs/" + job.ID, "/v1/jobs/" + job.ID + "/results"} {
		if rec := do(t, srv, get(path)); rec.Code != 404 {
			t.Errorf("GET %s after delete: %d", path, rec.Code)
		}
	}
}

func TestJobsAPIErrors(t *testing.T) {
	svc := realService(t)
	srv := New(Config{Jobs: realJobs(t, svc)}, svc)
	cases := []struct {
		name       string
		req        request
		wantStatus int
	}{
		{"unknown_source", upload("/v1/jobs?sources=myspace", "text/csv", "email\n"+testEmail+"\n"), 422},
		{"bad_timeout", upload("/v1/jobs?timeout_ms=abc", "text/csv", "email\n"+testEmail+"\n"), 400},
		{"timeout_too_large", upload("/v1/jobs?timeout_ms=99999", "text/csv", "email\n"+testEmail+"\n"), 400},
		{"bad_cache", upload("/v1/jobs?cache=sometimes", "text/csv", "email\n"+testEmail+"\n"), 400},
		{"webhook_not_url", upload("/v1/jobs?webhook_url=ftp://x", "text/csv", "email\n"+testEmail+"\n"), 400},
		{"json_body", upload("/v1/jobs", "application/json", `{"email":"`+testEmail+`"}`), 415},
		{"no_identity_column", upload("/v1/jobs", "text/csv", "a,b\n1,2\n"), 400},
		{"header_only", upload("/v1/jobs", "text/csv", "email\n"), 400},
		{"bad_id", get("/v1/jobs/NOT-AN-ID"), 400},
		{"missing", get("/v1/jobs/abc123"), 404},
		{"missing_results", get("/v1/jobs/abc123/results"), 404},
		{"bad_results_format", get("/v1/jobs/abc123/results?format=xlsx"), 400},
		{"pause_missing", request{method: "POST", path: "/v1/jobs/abc123/pause"}, 404},
		{"delete_missing", request{method: "DELETE", path: "/v1/jobs/abc123"}, 404},
		{"put_jobs", request{method: "PUT", path: "/v1/jobs"}, 405},
		// issue 22
		{"unknown_query", upload("/v1/jobs?exclude_source=github&sources=mailcheck", "text/csv", "email\n"+testEmail+"\n"), 400},
		{"gzip_body", upload("/v1/jobs", "text/csv", "\x1f\x8b\x08\x00", "Content-Encoding", "gzip"), 415},
		{"unclosed_quote", upload("/v1/jobs", "text/csv", "email,n\n"+testEmail+",\"open\nb@example.com,2\n"), 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, srv, tc.req)
			if rec.Code != tc.wantStatus {
				t.Errorf("%d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			want := map[string]string{"unknown_query": `"field":"exclude_source"`, "unclosed_quote": "line 2", "gzip_body": "Content-Encoding"}[tc.name]
			if want != "" && !strings.Contains(rec.Body.String(), want) {
				t.Errorf("the problem does not say %s: %s", want, rec.Body)
			}
		})
	}

	// A server without a job engine answers every job route 503.
	bare := New(Config{}, svc)
	for _, r := range []request{get("/v1/jobs"), upload("/v1/jobs", "text/csv", "email\n"+testEmail+"\n"), get("/v1/jobs/abc123")} {
		if rec := do(t, bare, r); rec.Code != 503 {
			t.Errorf("%s %s without jobs: %d", r.method, r.path, rec.Code)
		}
	}
}

// stallingJobs lets a test hold an upload or a results download half-way:
// uploading is closed when the server first reads the upload; Results
// writes one line, closes downloading, and writes the rest once resume is
// closed.
type stallingJobs struct {
	*jobs.Manager
	uploading, downloading, resume chan struct{}
}

func (s stallingJobs) Create(ctx context.Context, req jobs.CreateRequest) (*jobs.Job, error) {
	req.Body = &firstRead{r: req.Body, read: s.uploading}
	return s.Manager.Create(ctx, req)
}

func (s stallingJobs) Results(ctx context.Context, id, format string, w io.Writer) error {
	for i := range 8 {
		if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
			return err
		}
		if i == 0 {
			close(s.downloading)
			<-s.resume
		}
	}
	return nil
}

// firstRead closes read after its first read.
type firstRead struct {
	r    io.Reader
	read chan struct{}
	once sync.Once
}

func (f *firstRead) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	f.once.Do(func() { close(f.read) })
	return n, err
}

// stall posts to /v1/enrich half a body, and the rest only once the server
// has answered or hung up (or after hangGuard): it returns when the
// server's ReadTimeout has cut the request off, so at least ReadTimeout
// after it started. A server that waited for the rest fails the test.
func stall(t *testing.T, base string) {
	t.Helper()
	answered := make(chan struct{})
	var once sync.Once
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &readSignal{Conn: c, read: func() { once.Do(func() { close(answered) }) }}, nil
	}}
	defer tr.CloseIdleConnections()
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprint(pw, `{"email":`)
		select {
		case <-answered:
		case <-time.After(hangGuard):
			fmt.Fprint(pw, `"a@example.com"}`)
		}
		pw.Close()
	}()
	resp, err := (&http.Client{Transport: tr}).Post(base+"/v1/enrich", "application/json", pr)
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("a stalled enrich body was read to the end: %s", body)
		}
	}
}

// readSignal is a connection that calls read when a read from it returns:
// the server answered or hung up.
type readSignal struct {
	net.Conn
	read func()
}

func (c *readSignal) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read()
	return n, err
}

// An upload or a results download may take longer than the server's
// read and write timeouts, as long as it keeps moving; other routes keep
// those timeouts. No clock is raced: each stream is held until a request
// started after it was cut off by the server's ReadTimeout (= its
// WriteTimeout), so the stream has outlived both.
func TestJobStreamsOutliveServerTimeouts(t *testing.T) {
	svc := realService(t)
	jm := stallingJobs{Manager: realJobs(t, svc),
		uploading: make(chan struct{}), downloading: make(chan struct{}), resume: make(chan struct{})}
	srv := New(Config{Jobs: jm, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond}, svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served })
	base := "http://" + ln.Addr().String()

	// An upload that stops after its first row until the server has read
	// it and cut off a stalled request started after it.
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprint(pw, "email\nuser0@example.com\n")
		select {
		case <-jm.uploading:
			stall(t, base)
		case <-time.After(hangGuard):
			t.Errorf("the server did not read the upload within %v", hangGuard)
		}
		for i := 1; i < 8; i++ {
			fmt.Fprintf(pw, "user%d@example.com\n", i)
		}
		pw.Close()
	}()
	resp, err := http.Post(base+"/v1/jobs", "text/csv", pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("slow upload: %d %s", resp.StatusCode, body)
	}
	job := decodeJob(t, body)
	if job.Total != 8 {
		t.Errorf("total %d, want 8", job.Total)
	}

	// A download held after its first line the same way.
	type download struct {
		status int
		body   string
		err    error
	}
	got := make(chan download, 1)
	go func() {
		resp, err := http.Get(base + "/v1/jobs/" + job.ID + "/results")
		if err != nil {
			got <- download{err: err}
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- download{resp.StatusCode, string(body), err}
	}()
	select {
	case <-jm.downloading:
	case <-time.After(hangGuard):
		t.Fatalf("the download did not start within %v", hangGuard)
	}
	stall(t, base)
	close(jm.resume)
	d := <-got
	if d.err != nil || d.status != 200 || strings.Count(d.body, "\n") != 8 {
		t.Fatalf("slow download: %d, %d lines, %v", d.status, strings.Count(d.body, "\n"), d.err)
	}
}
