package console

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestPages: every page is served with its security headers, revalidates
// by ETag, names its assets by content hash, links every page and the
// docs, and shows the demo banner only in demo mode.
func TestPages(t *testing.T) {
	t.Parallel()
	c := New(Config{Version: "v9.9.9", Demo: true})
	plain := New(Config{})
	for _, page := range []string{"lookup", "batch", "sources"} {
		t.Run(page, func(t *testing.T) {
			w := get(t, c, "/console/"+page+"?email=a@b.co")
			checkPage(t, c, w, page, "", "../")
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("GET /console/%s: %d %s", page, w.Code, w.Header().Get("Content-Type"))
			}
			for k, want := range map[string]string{
				"Content-Security-Policy": csp,
				"Referrer-Policy":         "no-referrer",
				"X-Frame-Options":         "DENY",
				"X-Content-Type-Options":  "nosniff",
				"Cache-Control":           "no-cache",
			} {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if strings.Contains(get(t, plain, "/console/"+page).Body.String(), "Demo mode") {
				t.Error("demo banner without demo mode")
			}
			etag := w.Header().Get("ETag")
			if w := get(t, c, "/console/"+page, "If-None-Match", `W/"x", `+etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
				t.Errorf("If-None-Match: %d with %d bytes, want 304", w.Code, w.Body.Len())
			}
		})
	}
}

// checkPage checks a page's links: every URL in it is relative, through
// here to /console/ and through root to the server's root.
func checkPage(t *testing.T, c *Console, w *httptest.ResponseRecorder, page, here, root string) {
	t.Helper()
	body := w.Body.String()
	for _, want := range []string{
		`data-page="` + page + `"`, `data-root="` + root + `"`, `aria-current="page"`,
		`href="` + here + `lookup"`, `href="` + here + `batch"`, `href="` + here + `sources"`, `href="` + root + `docs"`,
		"v9.9.9", "Demo mode", `id="api-key"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, a := range []string{"console.js", "console.css", "icon.svg"} {
		want := here + "assets/" + a + "?v=" + c.assets[a].Version()
		if !strings.Contains(body, want) {
			t.Errorf("page does not load %s", want)
		}
	}
}

// TestConsoleRoot: /console is the lookup page, its URLs one level up.
func TestConsoleRoot(t *testing.T) {
	t.Parallel()
	c := New(Config{Version: "v9.9.9", Demo: true})
	w := get(t, c, "/console?email=a@b.co")
	if w.Code != http.StatusOK || w.Header().Get("Content-Security-Policy") != csp {
		t.Fatalf("GET /console: %d", w.Code)
	}
	checkPage(t, c, w, "lookup", "console/", "")
	if !strings.Contains(w.Body.String(), `action="console/lookup"`) {
		t.Error("the lookup form of /console does not submit to console/lookup")
	}
}

// TestRoutes: /console is the lookup page, assets are cached for
// a year, anything else is a 404 and only GET and HEAD are served.
func TestRoutes(t *testing.T) {
	t.Parallel()
	c := New(Config{})
	tests := []struct {
		method, path string
		code         int
		header, want string
	}{
		{"GET", "/console", http.StatusOK, "Content-Type", "text/html; charset=utf-8"},
		{"GET", "/console/assets/console.js", http.StatusOK, "Cache-Control", "public, max-age=31536000, immutable"},
		{"GET", "/console/assets/console.css?v=1", http.StatusOK, "Content-Type", "text/css; charset=utf-8"},
		{"GET", "/console/assets/icon.svg", http.StatusOK, "Content-Type", "image/svg+xml"},
		{"HEAD", "/console/lookup", http.StatusOK, "Content-Type", "text/html; charset=utf-8"},
		{"GET", "/console/assets/page.html", http.StatusNotFound, "", ""},
		{"GET", "/console/assets/../console.go", http.StatusNotFound, "", ""},
		{"GET", "/console/nope", http.StatusNotFound, "", ""},
		{"GET", "/console/", http.StatusNotFound, "", ""},
		{"GET", "/elsewhere", http.StatusNotFound, "", ""},
		{"POST", "/console/lookup", http.StatusMethodNotAllowed, "Allow", "GET, HEAD"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		if w.Code != tt.code || (tt.header != "" && w.Header().Get(tt.header) != tt.want) {
			t.Errorf("%s %s: %d %s=%q, want %d %q", tt.method, tt.path, w.Code, tt.header, w.Header().Get(tt.header), tt.code, tt.want)
		}
		if tt.method == "HEAD" && w.Body.Len() != 0 {
			t.Errorf("HEAD %s has a body", tt.path)
		}
	}
}

// TestOffline: nothing the console serves names another origin (no CDN,
// no web font, no analytics), and the script never writes HTML from data.
func TestOffline(t *testing.T) {
	t.Parallel()
	c := New(Config{})
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?https?:|\bfetch\(\s*["']https?:`)
	for name, f := range c.assets {
		if m := external.FindString(string(f.Body)); m != "" {
			t.Errorf("%s refers to another origin: %q", name, m)
		}
	}
	for name, f := range c.pages {
		if m := external.FindString(string(f.Body)); m != "" {
			t.Errorf("page %s refers to another origin: %q", name, m)
		}
		if strings.Contains(string(f.Body), "<script>") || strings.Contains(string(f.Body), " style=") {
			t.Errorf("page %s has inline script or style (the CSP forbids them)", name)
		}
	}
	js := string(c.assets["console.js"].Body)
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(js, bad) {
			t.Errorf("console.js uses %s: build DOM nodes with text instead", bad)
		}
	}
	if !strings.Contains(js, "sessionStorage") || strings.Contains(js, "localStorage") {
		t.Error("the API key must live in sessionStorage only")
	}
}
