package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/jobs"
)

// slowBody returns one byte per Read and moves the fake clock by step.
type slowBody struct {
	now  *time.Time
	step time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	*b.now = b.now.Add(b.step)
	p[0] = 'x'
	return 1, nil
}

// TestUploadReaderLimits: an upload dribbling one byte every 25 s was never
// cut off (issue 22: 200 such connections held sockets and spool files for
// minutes); one cut short or with a bad chunk was a 500.
func TestUploadReaderLimits(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		body     func(now *time.Time) io.Reader
		minRate  float64
		deadline time.Duration
		want     int // problem status of the error the reads end with
	}{
		{"one byte every 25 s", func(now *time.Time) io.Reader { return &slowBody{now: now, step: 25 * time.Second} }, 4096, time.Hour, 408},
		{"fast enough but too long", func(now *time.Time) io.Reader { return &slowBody{now: now, step: time.Millisecond} }, 1, time.Second, 408},
		{"cut short", func(*time.Time) io.Reader {
			return io.MultiReader(strings.NewReader("email\n"), iotestErr(io.ErrUnexpectedEOF))
		}, 4096, time.Hour, 400},
		{"bad chunk size", func(*time.Time) io.Reader {
			return httputil.NewChunkedReader(strings.NewReader("5\r\nemail\r\nzz\r\n"))
		}, 4096, time.Hour, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			u := &uploadReader{r: tc.body(&now), rc: http.NewResponseController(httptest.NewRecorder()), start: t0,
				deadline: t0.Add(tc.deadline), minRate: tc.minRate, now: func() time.Time { return now }}
			_, err := io.Copy(io.Discard, io.LimitReader(u, 1<<20))
			var ue *uploadError
			if !errors.As(err, &ue) {
				t.Fatalf("err %v, want an *uploadError", err)
			}
			if p := problemFor(err); p.Status != tc.want {
				t.Errorf("status %d, want %d (%s)", p.Status, tc.want, p.Detail)
			}
		})
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func iotestErr(err error) io.Reader { return errReader{err} }

// TestBrokenUploadsAre400: over a real connection, an upload cut short
// (Content-Length 1000, 20 bytes, half-close) and a bad chunk size are the
// client's fault: 400 problem+json, logged at info, not a 500 and an ERROR.
func TestBrokenUploadsAre400(t *testing.T) {
	svc := realService(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	srv := New(Config{Jobs: realJobs(t, svc), Logger: log}, svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served })

	for name, raw := range map[string]string{
		"truncated": "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\nemail\na@example.com\n",
		"bad chunk": "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nemail\n\r\nzz\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, raw); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != mimeProblem {
				t.Errorf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	cancel()
	<-served
	served <- nil
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client's broken upload was logged as an error:\n%s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestUploadsCapped: uploads beyond jobs.max_uploads get 503 with
// Retry-After instead of another socket and spool file (issue 22).
func TestUploadsCapped(t *testing.T) {
	svc := realService(t)
	jm := stallingJobs{Manager: realJobs(t, svc), uploading: make(chan struct{})}
	srv := New(Config{Jobs: jm, MaxUploads: 1}, svc)
	pr, pw := io.Pipe()
	first := make(chan int, 1)
	go func() {
		req := httptest.NewRequest("POST", "/v1/jobs", pr)
		req.Header.Set("Content-Type", "text/csv")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		first <- rec.Code
	}()
	fmt.Fprint(pw, "email\na@example.com\n")
	<-jm.uploading // the first upload holds the only slot
	rec := do(t, srv, upload("/v1/jobs", "text/csv", "email\nb@example.com\n"))
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second upload: %d (Retry-After %q) %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	pw.Close()
	if code := <-first; code != 202 {
		t.Errorf("first upload: %d", code)
	}
	if n := len(srv.uploads); n != 0 {
		t.Errorf("%d upload slots still held after the uploads ended", n)
	}
}

// TestHeadersTooLargeIsProblem: a 431 used to come from net/http in plain
// text, before any handler; errors raised before a handler are problem+json
// too (issue 22).
func TestHeadersTooLargeIsProblem(t *testing.T) {
	svc := realService(t)
	srv := New(Config{}, svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served })
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("a", maxHeaderBytes+16<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 431 || resp.Header.Get("Content-Type") != mimeProblem || !strings.Contains(string(body), `"status":431`) {
		t.Errorf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// signalJobs signals on reading once an upload's body is being read.
type signalJobs struct {
	*jobs.Manager
	reading chan struct{}
}

func (s signalJobs) Create(ctx context.Context, req jobs.CreateRequest) (*jobs.Job, error) {
	req.Body = &firstRead{r: req.Body, read: make(chan struct{})}
	go func(r *firstRead) { <-r.read; s.reading <- struct{}{} }(req.Body.(*firstRead))
	return s.Manager.Create(ctx, req)
}

// TestUploadsCappedPerKey: one API key reads at most
// jobs.max_uploads_per_key uploads at once; one more is a 429
// problem+json with Retry-After (limit "uploads"), while another key still
// uploads, and the key uploads again once one of its uploads ended
// (issue 22: "a cap on concurrent uploads, per key once keys exist").
func TestUploadsCappedPerKey(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	one, _ := newKey(t, a, auth.Spec{})
	other, _ := newKey(t, a, auth.Spec{})
	jm := signalJobs{Manager: realJobs(t, svc), reading: make(chan struct{}, 8)}
	srv := New(Config{Jobs: jm, Auth: a, MaxUploads: 8, MaxUploadsPerKey: 2}, svc)
	post := func(secret string, body io.Reader) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/jobs", body)
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	var pipes []*io.PipeWriter
	codes := make(chan int, 2)
	for range 2 {
		pr, pw := io.Pipe()
		pipes = append(pipes, pw)
		go func() { codes <- post(one, pr).Code }()
		fmt.Fprint(pw, "email\na@example.com\n")
		<-jm.reading
	}
	rec := post(one, strings.NewReader("email\nb@example.com\n"))
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("third upload of the key: %d %s", rec.Code, rec.Body)
	}
	if rec.Code != 429 || rec.Header().Get("Content-Type") != mimeProblem || rec.Header().Get("Retry-After") == "" || p.Limit != "uploads" {
		t.Errorf("third upload of the key: %d %s (Retry-After %q): %s", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := post(other, strings.NewReader("email\nc@example.com\n")); rec.Code != 202 {
		t.Errorf("another key's upload: %d %s", rec.Code, rec.Body)
	}
	pipes[0].Close()
	if code := <-codes; code != 202 {
		t.Errorf("the key's first upload: %d", code)
	}
	if rec := post(one, strings.NewReader("email\nd@example.com\n")); rec.Code != 202 {
		t.Errorf("the key's upload after one ended: %d %s", rec.Code, rec.Body)
	}
	pipes[1].Close()
	if code := <-codes; code != 202 {
		t.Errorf("the key's second upload: %d", code)
	}
	srv.keyUploads.mu.Lock()
	defer srv.keyUploads.mu.Unlock()
	if len(srv.keyUploads.n) != 0 {
		t.Errorf("uploads still counted after they ended: %v", srv.keyUploads.n)
	}
}
