package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEraseInProcess: with no server on the configured address, erase
// opens the data folder's stores itself and prints a receipt.
func TestEraseInProcess(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	environ := []string{"FOOTPRINT_SERVER_ADDR=" + addr}
	var out, stderr bytes.Buffer
	code := run(t.Context(), []string{"erase", "--email", "Jane.Doe+x@googlemail.com", "--data-dir", t.TempDir()},
		env{stdin: strings.NewReader(""), stdout: &out, stderr: &stderr,
			lookup: func(k string) (string, bool) { return lookupIn(environ, k) }, environ: environ})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var r struct {
		ID          string `json:"id"`
		SubjectHash string `json:"subject_hash"`
		Actor       string `json:"actor"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.ID == "" || !strings.HasPrefix(r.SubjectHash, "email:") || r.Actor != "cli" {
		t.Fatalf("receipt %s (%v)", out.String(), err)
	}
	if strings.Contains(strings.ToLower(out.String()), "jane") {
		t.Errorf("the receipt names the subject: %s", out.String())
	}
}

// TestEraseViaServer: with a server listening, erase asks it (POST
// /v1/erasures, the key as a bearer token) and prints its receipt.
func TestEraseViaServer(t *testing.T) {
	var got struct {
		auth, body string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		_, _ = b.ReadFrom(r.Body)
		got.auth, got.body = r.Header.Get("Authorization"), b.String()
		if r.Method != http.MethodPost || r.URL.Path != "/v1/erasures" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"era_018f2c3a4b5c0a1b2c3d4e5f","subject_hash":"email:` + strings.Repeat("a", 64) + `","subject_hashes":[],"erased":{"cache_entries":2,"job_rows":1},"at":"2026-12-01T10:00:00Z"}`))
	}))
	defer srv.Close()
	var environ []string
	var out, stderr bytes.Buffer
	code := run(t.Context(), []string{"erase", "--email", "jane@example.com", "--phone", "+14155550123", "--server", srv.URL, "--api-key", "k_test", "--data-dir", t.TempDir()},
		env{stdin: strings.NewReader(""), stdout: &out, stderr: &stderr,
			lookup: func(k string) (string, bool) { return lookupIn(environ, k) }, environ: environ})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got.auth != "Bearer k_test" || !strings.Contains(got.body, `"email":"jane@example.com"`) || !strings.Contains(got.body, `"phone":"+14155550123"`) {
		t.Errorf("request: %+v", got)
	}
	if !strings.Contains(out.String(), `"job_rows": 1`) {
		t.Errorf("printed %s", out.String())
	}
}
