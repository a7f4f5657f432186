package transport

import (
	"bytes"
	"net/http"
	"strings"
)

// botWallMarkers are body markers of common bot walls and challenges.
func botWallMarkers() []string {
	return []string{
		"cf-chl-", "cf_chl_", "challenge-platform", "Just a moment...", "Attention Required! | Cloudflare",
		"px-captcha", "captcha-delivery.com", "dd_referrer", "g-recaptcha", "h-captcha", "hcaptcha.com",
		"Please verify you are a human", "Are you a robot", "unusual traffic from your computer",
	}
}

// IsBotWall reports whether a response is a bot wall, challenge or captcha
// rather than an answer. extra are a source's own markers.
func IsBotWall(status int, h http.Header, body []byte, extra ...string) bool {
	if strings.EqualFold(h.Get("cf-mitigated"), "challenge") {
		return true
	}
	if (status == http.StatusForbidden || status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests) &&
		strings.Contains(strings.ToLower(h.Get("Server")), "cloudflare") && bytes.Contains(body, []byte("<html")) {
		return true
	}
	// Only look at pages that are HTML-ish: JSON APIs quoting these words
	// in user content must not count.
	ct := strings.ToLower(h.Get("Content-Type"))
	if ct != "" && !strings.Contains(ct, "html") && !strings.Contains(ct, "text/plain") {
		return false
	}
	head := body
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	for _, m := range append(botWallMarkers(), extra...) {
		if m != "" && bytes.Contains(head, []byte(m)) {
			return true
		}
	}
	if status == http.StatusForbidden && bytes.Contains(head, []byte("Access denied")) && bytes.Contains(head, []byte("Reference #")) {
		return true // Akamai
	}
	return false
}
