// Package static serves the files footprint embeds (the /docs page and
// script, the console's pages and assets): each with a strong ETag from its
// content, its own Cache-Control policy, and 304 for a matching
// If-None-Match.
package static

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// File is one embedded file, ready to serve.
type File struct {
	Body         []byte
	ContentType  string
	ETag         string
	CacheControl string
}

// New returns body as a File; its ETag is a hash of body.
func New(body []byte, contentType, cacheControl string) File {
	sum := sha256.Sum256(body)
	return File{Body: body, ContentType: contentType, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, CacheControl: cacheControl}
}

// Version is a cache-busting token for URLs that name f (?v=…): its
// content hash, shortened.
func (f File) Version() string { return strings.Trim(f.ETag, `"`)[:16] }

// Serve answers 304 when r's If-None-Match names f's ETag, else 200 with
// f (no body for HEAD).
func (f File) Serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", f.ETag)
	h.Set("Cache-Control", f.CacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	if etagMatches(r.Header.Get("If-None-Match"), f.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ContentType)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.Body)
	}
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
