package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveOn serves h (or, if nil, an api Server over the real service) on a
// loopback port through problemListener, as Serve does, and returns the
// address.
func serveOn(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	if h == nil {
		srv := New(Config{}, realService(t))
		go func() { served <- srv.Serve(ctx, ln) }()
	} else {
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		go func() { served <- hs.Serve(problemListener{Listener: ln, log: slog.New(slog.DiscardHandler)}) }()
		context.AfterFunc(ctx, func() { _ = hs.Close() })
	}
	t.Cleanup(func() { cancel(); <-served })
	return ln.Addr().String()
}

// rawConn sends raw on a new connection and returns a reader of what
// comes back.
func rawConn(t *testing.T, addr, raw string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// readProblem reads one response and checks it is a problem+json of
// status want whose connection then closes.
func readProblem(t *testing.T, br *bufio.Reader, want int) problem {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var p problem
	if resp.StatusCode != want || resp.Header.Get("Content-Type") != mimeProblem || !resp.Close || json.Unmarshal(body, &p) != nil ||
		p.Status != want || p.Title != http.StatusText(want) || p.Detail == "" || p.RequestID == "" {
		t.Fatalf("%d %s (close %v): %q, want a problem+json %d", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Close, body, want)
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("after the problem: %q, want the connection closed", rest)
	}
	return p
}

// TestFramingErrorsAreProblems: requests net/http refuses before any
// handler (their framing) get problem+json, not net/http's plain text,
// also as the second request of a kept-alive or pipelined connection
// (issue 22).
func TestFramingErrorsAreProblems(t *testing.T) {
	addr := serveOn(t, nil)
	const ok = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	for _, tc := range []struct {
		name, raw  string
		status     int
		detailHint string
	}{
		{"duplicate Content-Length", "POST /v1/enrich HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "Content-Length"},
		{"bad Content-Length", "POST /v1/enrich HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", 400, "Content-Length"},
		{"malformed request line", "GARBAGE\r\n\r\n", 400, "framing"},
		{"header without colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "framing"},
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "Host"},
		{"two Hosts", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "framing"},
		{"HTTP/2.0 on HTTP/1", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, "protocol"},
		{"unknown Transfer-Encoding", "POST /v1/enrich HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Transfer-Encoding"},
		{"headers past net/http's limit", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", serveMaxHeaderBytes+8<<10) + "\r\n\r\n", 431, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, br := rawConn(t, addr, tc.raw)
			if p := readProblem(t, br, tc.status); !strings.Contains(strings.ToLower(p.Detail), strings.ToLower(tc.detailHint)) {
				t.Errorf("detail %q does not mention %q", p.Detail, tc.detailHint)
			}
		})
		t.Run(tc.name+" after keep-alive", func(t *testing.T) {
			c, br := rawConn(t, addr, ok)
			if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
				t.Fatalf("first request: %v %v", resp, err)
			} else {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if _, err := io.WriteString(c, tc.raw); err != nil {
				t.Fatal(err)
			}
			readProblem(t, br, tc.status)
		})
		if tc.status == 431 {
			continue // net/http stops reading at its limit: nothing pipelined after it is answered
		}
		t.Run(tc.name+" pipelined", func(t *testing.T) {
			_, br := rawConn(t, addr, ok+ok+tc.raw)
			for range 2 {
				resp, err := http.ReadResponse(br, nil)
				if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mimeJSON {
					t.Fatalf("pipelined good request: %v %v", resp, err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			readProblem(t, br, tc.status)
		})
	}
}

// TestFramingBodiesPassThrough: a response body byte-for-byte equal to
// net/http's canned 400, written and flushed alone, reaches the client as
// it is (only net/http's own canned write is replaced); large bodies, sent
// by sendfile and by plain writes, reach it whole on a kept-alive
// connection.
func TestFramingBodiesPassThrough(t *testing.T) {
	const canned = "HTTP/1.1 400 Bad Request" + cannedHeaders + "400 Bad Request"
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	file := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(file, big, 0o600); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/canned", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte{'x'}, 5000))
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, canned)
		w.(http.Flusher).Flush()
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, file) })
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		// Read it all first: net/http closes a connection whose handler
		// answered before reading a large body.
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	})
	addr := serveOn(t, mux)

	// HTTP/1.0: no chunk framing, so the last flush is exactly the canned bytes.
	_, br := rawConn(t, addr, "GET /canned HTTP/1.0\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasSuffix(body, []byte(canned)) || len(body) != 5000+len(canned) {
		t.Fatalf("%d, %d bytes ending %q: the body was altered", resp.StatusCode, len(body), body[max(0, len(body)-120):])
	}

	c, br := rawConn(t, addr, "")
	for i, path := range []string{"/file", "/echo", "/file"} {
		var req bytes.Buffer
		if path == "/echo" {
			req.WriteString("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n")
			req.Write(big)
		} else {
			req.WriteString("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
		}
		errc := make(chan error, 1)
		go func() { _, err := c.Write(req.Bytes()); errc <- err }()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d, %s: %v", i, path, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, big) {
			t.Fatalf("%s: %d, %d bytes (%v), want the %d bytes sent", path, resp.StatusCode, len(got), err, len(big))
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}
