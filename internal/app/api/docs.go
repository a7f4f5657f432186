package api

import (
	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/internal/app/static"
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

// docsAssets builds the Redoc page and script once. The page references
// the script with its content hash in the query string, so the script can
// be cached for a year: a new bundle gets a new URL.
func docsAssets() (page, script static.File) {
	script = static.New(openapi.DocsScript(), mimeJavaScript, "public, max-age=31536000, immutable")
	url := "docs/redoc.standalone.js?v=" + script.Version()
	page = static.New(openapi.DocsPage(url), mimeHTML, "no-cache")
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

// serveAsset serves an embedded file (ETag, Cache-Control, 304).
func (s *Server) serveAsset(c *gin.Context, a static.File) { a.Serve(c.Writer, c.Request) }
