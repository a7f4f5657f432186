package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/console"
)

// TestConsoleRoutes: the console's routes answer as the contract says,
// through the API's middleware (request id), with Config.Console set, and
// 404 problems without it.
func TestConsoleRoutes(t *testing.T) {
	t.Parallel()
	on := New(Config{Console: console.New(console.Config{})}, realService(t))
	off := New(Config{}, realService(t))
	tests := []struct {
		srv         *Server
		path        string
		code        int
		contentType string
	}{
		{on, "/console?email=jane.doe%40example.com", http.StatusOK, "text/html; charset=utf-8"},
		{on, "/console/lookup?email=jane.doe%40example.com&phone=%2B14155550123", http.StatusOK, "text/html; charset=utf-8"},
		{on, "/console/batch", http.StatusOK, "text/html; charset=utf-8"},
		{on, "/console/sources", http.StatusOK, "text/html; charset=utf-8"},
		{on, "/console/assets/console.js?v=1", http.StatusOK, "text/javascript; charset=utf-8"},
		{on, "/console/assets/console.css", http.StatusOK, "text/css; charset=utf-8"},
		{on, "/console/assets/icon.svg", http.StatusOK, "image/svg+xml"},
		{on, "/console/nope", http.StatusBadRequest, mimeProblem},
		{on, "/console/assets/page.html", http.StatusBadRequest, mimeProblem},
		{off, "/console", http.StatusNotFound, mimeProblem},
		{off, "/console/lookup", http.StatusNotFound, mimeProblem},
		{off, "/console/assets/console.js", http.StatusNotFound, mimeProblem},
	}
	for _, tt := range tests {
		rec := do(t, tt.srv, get(tt.path))
		if rec.Code != tt.code || (tt.contentType != "" && rec.Header().Get("Content-Type") != tt.contentType) {
			t.Errorf("GET %s: %d %s, want %d %s", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.code, tt.contentType)
		}
		if rec.Header().Get("X-Request-ID") == "" {
			t.Errorf("GET %s: no X-Request-ID", tt.path)
		}
	}
	rec := do(t, on, get("/console/lookup"))
	if !strings.Contains(rec.Body.String(), `id="lookup-form"`) {
		t.Error("/console/lookup is not the lookup page")
	}
}
