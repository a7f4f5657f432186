package api

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/footprint-oss/footprint/openapi"
)

// TestDocs: GET /docs serves the Redoc page, which loads only this
// server's script and contract; the script is cacheable for a year under
// a content-hashed URL; both revalidate with If-None-Match.
func TestDocs(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))

	page := do(t, srv, get("/docs"))
	if page.Code != http.StatusOK || page.Header().Get("Content-Type") != mimeHTML {
		t.Fatalf("GET /docs: %d %q", page.Code, page.Header().Get("Content-Type"))
	}
	if cc := page.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("page Cache-Control = %q", cc)
	}
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("page CSP = %q", csp)
	}
	html := page.Body.String()
	// Every src/href/spec-url is relative to this server: no CDN.
	refs := regexp.MustCompile(`(?i)\b(?:src|href|spec-url)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(html, -1)
	var script string
	for _, r := range refs {
		if strings.Contains(r[1], "//") {
			t.Errorf("the page references another origin: %q", r[1])
		}
		if strings.HasPrefix(r[1], "docs/redoc.standalone.js?v=") {
			script = "/" + r[1]
		}
	}
	if !strings.Contains(html, `spec-url="openapi.json"`) {
		t.Error("the page does not load openapi.json")
	}
	if script == "" {
		t.Fatalf("the page does not load the vendored script: %s", html)
	}

	js := do(t, srv, get(script))
	if js.Code != http.StatusOK || js.Header().Get("Content-Type") != mimeJavaScript {
		t.Fatalf("GET %s: %d %q", script, js.Code, js.Header().Get("Content-Type"))
	}
	if !bytes.Equal(js.Body.Bytes(), openapi.DocsScript()) {
		t.Error("the script is not the vendored bundle")
	}
	if cc := js.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("script Cache-Control = %q", cc)
	}
	if v := strings.TrimPrefix(script, "/docs/redoc.standalone.js?v="); !strings.Contains(js.Header().Get("ETag"), v) {
		t.Errorf("script URL token %q is not its content hash (ETag %s)", v, js.Header().Get("ETag"))
	}

	for _, tt := range []struct {
		path, etag, inm string
		want            int
	}{
		{"/docs", page.Header().Get("ETag"), page.Header().Get("ETag"), http.StatusNotModified},
		{"/docs/redoc.standalone.js", js.Header().Get("ETag"), `"x", W/` + js.Header().Get("ETag"), http.StatusNotModified},
		{"/docs/redoc.standalone.js", js.Header().Get("ETag"), "*", http.StatusNotModified},
		{"/docs", page.Header().Get("ETag"), `"stale"`, http.StatusOK},
	} {
		r := get(tt.path)
		r.header = map[string]string{"If-None-Match": tt.inm}
		rec := do(t, srv, r)
		if rec.Code != tt.want || rec.Header().Get("ETag") != tt.etag {
			t.Errorf("GET %s If-None-Match %s: %d ETag %s, want %d %s", tt.path, tt.inm, rec.Code, rec.Header().Get("ETag"), tt.want, tt.etag)
		}
		if tt.want == http.StatusNotModified && rec.Body.Len() != 0 {
			t.Errorf("GET %s: 304 with a body", tt.path)
		}
	}
}

// TestServedSpecIsValid: what GET /openapi.json serves is itself a valid
// OpenAPI 3.0.3 document (kin-openapi loader and Validate, examples
// included), so clients and generators can consume it as served.
func TestServedSpecIsValid(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	rec := do(t, srv, get("/openapi.json"))
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(),
		openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.EnableExamplesValidation(),
	); err != nil {
		t.Fatal(err)
	}
	if doc.Paths.Find("/v1/enrich") == nil || doc.Paths.Find("/docs") == nil {
		t.Error("served document lacks /v1/enrich or /docs")
	}
}
