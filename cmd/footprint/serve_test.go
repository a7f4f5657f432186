package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// freeAddr returns a loopback address no one listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// TestServeMetrics: serve answers GET /metrics on the API's listener, or
// with --metrics-addr on its own (the API's then answers 404), and
// /readyz lists the job store and the breakers.
func TestServeMetrics(t *testing.T) {
	for _, separate := range []bool{false, true} {
		t.Run(map[bool]string{false: "main listener", true: "metrics-addr"}[separate], func(t *testing.T) {
			addr := freeAddr(t)
			args := []string{"serve", "--demo", "--data-dir", t.TempDir(), "--addr", addr}
			metricsAt := addr
			if separate {
				metricsAt = freeAddr(t)
				args = append(args, "--metrics-addr", metricsAt)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int)
			logs := &syncBuffer{}
			go func() {
				done <- run(ctx, args, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs,
					lookup: func(k string) (string, bool) { return "", false }})
			}()
			defer func() {
				cancel()
				if code := <-done; code != 0 {
					t.Errorf("serve exited %d\n%s", code, logs.b.String())
				}
			}()
			get := func(url string) (int, string) {
				t.Helper()
				// The server needs a moment to start (the demo's simulated web first).
				return untilServing(t, logs, "GET "+url, func() (*http.Response, error) { return http.Get(url) })
			}
			code, body := get("http://" + metricsAt + "/metrics")
			if code != 200 || !strings.Contains(body, "footprint_build_info") || !strings.Contains(body, "footprint_breaker_state") {
				t.Fatalf("GET /metrics on %s: %d\n%.300s", metricsAt, code, body)
			}
			if separate {
				if code, _ := get("http://" + addr + "/metrics"); code != 404 {
					t.Errorf("GET /metrics on the API with --metrics-addr: %d, want 404", code)
				}
			}
			code, body = get("http://" + addr + "/readyz")
			var ready struct {
				Status       string                     `json:"status"`
				Dependencies map[string]json.RawMessage `json:"dependencies"`
				Breakers     map[string]string          `json:"breakers"`
			}
			if err := json.Unmarshal([]byte(body), &ready); err != nil || code != 200 || ready.Status != "ready" ||
				ready.Dependencies["jobs"] == nil || ready.Breakers["github"] != "closed" {
				t.Errorf("GET /readyz: %d %s", code, body)
			}
		})
	}
}

// TestDataFolderInUse: a second serve on a data folder a running serve
// holds fails with a message naming the folder, instead of waiting on the
// embedded store's lock and printing its timeout; the first one logs the
// topology it found.
func TestDataFolderInUse(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	logs := &syncBuffer{}
	noEnv := func(string) (string, bool) { return "", false }
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--data-dir", dir, "--addr", addr},
			env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, lookup: noEnv})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("first serve exited %d\n%s", code, logs.b.String())
		}
	}()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 600 {
			t.Fatalf("first serve never listened\n%s", logs.b.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	logs.mu.Lock()
	first := logs.b.String()
	logs.mu.Unlock()
	if !strings.Contains(first, "msg=topology") || !strings.Contains(first, `jobs="embedded: `+dir+`"`) {
		t.Errorf("no topology in the first serve's log:\n%s", first)
	}

	var stderr syncBuffer
	code := run(context.Background(), []string{"serve", "--data-dir", dir, "--addr", freeAddr(t)},
		env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, lookup: noEnv})
	msg := stderr.b.String()
	if code == 0 || !strings.Contains(msg, "data folder "+dir+" is in use by another footprint process") || strings.Contains(msg, "timeout") {
		t.Fatalf("second serve: exit %d\n%s", code, msg)
	}
}

// untilServing sends a request until the server, still starting, answers
// (every 100 ms for a minute) and returns its status and body.
func untilServing(t *testing.T, logs *syncBuffer, what string, send func() (*http.Response, error)) (int, string) {
	t.Helper()
	for i := 0; ; i++ {
		resp, err := send()
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(b)
		}
		if i == 600 {
			logs.mu.Lock()
			defer logs.mu.Unlock()
			t.Fatalf("%s: %v\n%s", what, err, logs.b.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
