package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/openapi"
)

const (
	mimeHTML       = "text/html; charset=utf-8"
	mimeJavaScript = "text/javascript; charset=utf-8"

	// docsCSP lets the docs page run Redoc from this server and nothing
	// else: no other origin can be contacted, so the page provably works
	// offline. Redoc needs inline styles (styled-components) and a blob:
	// worker for its search index.
	docsCSP = "default-src 'none'; script-src 'self' blob:; worker-src 'self' blob:; " +
		"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

// asset is a static file served with an ETag and a Cache-Control policy.
type asset struct {
	body         []byte
	contentType  string
	etag         string
	cacheControl string
}

func newAsset(body []byte, contentType, cacheControl string) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, cacheControl: cacheControl}
}

// docsAssets builds the Redoc page and script once. The page references
// the script with its content hash in the query string, so the script can
// be cached for a year: a new bundle gets a new URL.
func docsAssets() (page, script asset) {
	script = newAsset(openapi.DocsScript(), mimeJavaScript, "public, max-age=31536000, immutable")
	url := "docs/redoc.standalone.js?v=" + strings.Trim(script.etag, `"`)[:16]
	page = newAsset(openapi.DocsPage(url), mimeHTML, "no-cache")
	return page, script
}

// docsPage serves GET /docs: Redoc rendering /openapi.json.
func (s *Server) docsPage(c *gin.Context) {
	c.Header("Content-Security-Policy", docsCSP)
	c.Header("X-Frame-Options", "DENY")
	s.serveAsset(c, s.docsHTML)
}

// docsScript serves GET /docs/redoc.standalone.js.
func (s *Server) docsScript(c *gin.Context) { s.serveAsset(c, s.docsJS) }

// serveAsset answers 304 when the client's If-None-Match names the
// asset's ETag, else 200 with the body.
func (s *Server) serveAsset(c *gin.Context, a asset) {
	c.Header("ETag", a.etag)
	c.Header("Cache-Control", a.cacheControl)
	c.Header("X-Content-Type-Options", "nosniff")
	if etagMatches(c.GetHeader("If-None-Match"), a.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, a.contentType, a.body)
}

// etagMatches implements If-None-Match's weak comparison (RFC 9110
// 13.1.2): "*" or any listed tag, W/ prefix ignored.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
