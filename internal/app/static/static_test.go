package static

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestServe(t *testing.T) {
	f := New([]byte("body"), "text/plain", "no-cache")
	tests := []struct {
		method, inm string
		want        int
		body        string
	}{
		{http.MethodGet, "", 200, "body"},
		{http.MethodHead, "", 200, ""},
		{http.MethodGet, f.ETag, 304, ""},
		{http.MethodGet, `"other", W/` + f.ETag, 304, ""},
		{http.MethodGet, "*", 304, ""},
		{http.MethodGet, `"other"`, 200, "body"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/x", nil)
		if tt.inm != "" {
			r.Header.Set("If-None-Match", tt.inm)
		}
		w := httptest.NewRecorder()
		f.Serve(w, r)
		if w.Code != tt.want || w.Body.String() != tt.body || w.Header().Get("ETag") != f.ETag ||
			w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s If-None-Match %q: %d %q %v", tt.method, tt.inm, w.Code, w.Body, w.Header())
		}
	}
	if len(f.Version()) != 16 || New([]byte("other"), "", "").Version() == f.Version() {
		t.Errorf("Version %q", f.Version())
	}
}
