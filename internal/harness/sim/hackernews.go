package sim

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// hnUser is the Hacker News Firebase user item (GET /v0/user/{id}.json;
// the JSON null when there is none).
type hnUser struct {
	ID        string  `json:"id"`
	Created   int64   `json:"created"`
	Karma     int64   `json:"karma"`
	About     string  `json:"about,omitempty"`
	Submitted []int64 `json:"submitted,omitempty"`
}

// hnEscape escapes like HN's about field (slashes as &#x2F;).
func hnEscape(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "/", "&#x2F;")
}

func (s *Sim) serveHackerNews(w http.ResponseWriter, _ *http.Request, rest string) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "no-cache")
	id, ok := strings.CutPrefix(rest, "/v0/user/")
	id, isJSON := strings.CutSuffix(id, ".json")
	if !ok || !isJSON || id == "" || strings.Contains(id, "/") {
		http.NotFound(w, nil)
		return
	}
	var a *account
	if id == strings.ToLower(id) { // HN ids are case-sensitive
		a = s.w.lookup(srcHackerNews, id)
	}
	if a == nil {
		writeJSON(w, http.StatusOK, nil)
		return
	}
	u := hnUser{ID: a.username, Created: a.created.Unix(), Karma: a.karma}
	var parts []string
	if a.bio != "" {
		parts = append(parts, hnEscape(a.bio))
	}
	for _, l := range a.links {
		e := hnEscape(l.url)
		parts = append(parts, fmt.Sprintf(`<a href="%s" rel="nofollow">%s</a>`, e, e))
	}
	u.About = strings.Join(parts, "<p>")
	for i := range min(a.posts, 8) {
		u.Submitted = append(u.Submitted, 40000000+int64(hash64(a.username, strconv.FormatInt(i, 10))%4000000))
	}
	writeJSON(w, http.StatusOK, u)
}
