package sim

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// mastodonAccount is Mastodon's Account entity (accounts/lookup and the
// accounts of a search).
type mastodonAccount struct {
	ID              string          `json:"id"`
	Username        string          `json:"username"`
	Acct            string          `json:"acct"`
	DisplayName     string          `json:"display_name"`
	Locked          bool            `json:"locked"`
	Bot             bool            `json:"bot"`
	Discoverable    bool            `json:"discoverable"`
	Indexable       bool            `json:"indexable"`
	Group           bool            `json:"group"`
	CreatedAt       string          `json:"created_at"`
	Note            string          `json:"note"`
	URL             string          `json:"url"`
	URI             string          `json:"uri"`
	Avatar          string          `json:"avatar"`
	AvatarStatic    string          `json:"avatar_static"`
	Header          string          `json:"header"`
	HeaderStatic    string          `json:"header_static"`
	FollowersCount  int64           `json:"followers_count"`
	FollowingCount  int64           `json:"following_count"`
	StatusesCount   int64           `json:"statuses_count"`
	LastStatusAt    *string         `json:"last_status_at"`
	HideCollections bool            `json:"hide_collections"`
	Noindex         bool            `json:"noindex"`
	Emojis          []any           `json:"emojis"`
	Roles           []any           `json:"roles"`
	Fields          []mastodonField `json:"fields"`
}

// mastodonField is one profile metadata field (verified_at is set for
// rel="me" links the server checked).
type mastodonField struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

// mastodonSearch is GET /api/v2/search.
type mastodonSearch struct {
	Accounts []mastodonAccount `json:"accounts"`
	Statuses []any             `json:"statuses"`
	Hashtags []any             `json:"hashtags"`
}

// webfinger is a JRD (RFC 7033) as /.well-known/webfinger serves it.
type webfinger struct {
	Subject string          `json:"subject"`
	Aliases []string        `json:"aliases"`
	Links   []webfingerLink `json:"links"`
}

type webfingerLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// mastodonError is Mastodon's error body.
type mastodonError struct {
	Error string `json:"error"`
}

func (s *Sim) mastodonHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", "300")
	h.Set("X-RateLimit-Remaining", "299")
	h.Set("X-RateLimit-Reset", s.cfg.Now.Add(5*time.Minute).Format("2006-01-02T15:04:05.000000Z"))
	h.Set("Vary", "Accept, Origin")
}

func (s *Sim) serveMastodon(w http.ResponseWriter, r *http.Request, rest string) {
	s.mastodonHeaders(w)
	switch rest {
	case "/.well-known/webfinger":
		res := r.URL.Query().Get("resource")
		res = strings.TrimPrefix(res, "acct:")
		u, dom, _ := strings.Cut(strings.TrimPrefix(res, "@"), "@")
		var a *account
		if dom == "" || strings.EqualFold(dom, "mastodon.social") {
			a = s.w.lookup(srcMastodon, u)
		}
		if a == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		profile := "https://mastodon.social/@" + a.username
		self := "https://mastodon.social/users/" + a.username
		writeJSONType(w, http.StatusOK, "application/jrd+json; charset=utf-8", webfinger{
			Subject: "acct:" + a.username + "@mastodon.social",
			Aliases: []string{profile, self},
			Links: []webfingerLink{
				{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: profile},
				{Rel: "self", Type: "application/activity+json", Href: self},
				{Rel: "http://ostatus.org/schema/1.0/subscribe", Template: "https://mastodon.social/authorize_interaction?uri={uri}"},
				{Rel: "http://webfinger.net/rel/avatar", Type: mastodonAvatarType(a), Href: mastodonAvatar(a)},
			},
		})
	case "/api/v2/search":
		// Without a user token Mastodon answers searches that neither
		// resolve remote accounts nor page with an offset.
		q := r.URL.Query()
		if q.Get("resolve") == "true" || q.Get("offset") != "" {
			writeJSON(w, http.StatusUnauthorized, mastodonError{"Search queries that resolve remote resources are not supported without authentication"})
			return
		}
		res := mastodonSearch{Accounts: []mastodonAccount{}, Statuses: []any{}, Hashtags: []any{}}
		if t := q.Get("type"); t == "" || t == "accounts" {
			for _, a := range s.w.search(srcMastodon, q.Get("q"), searchLimit(r, 20, 40)) {
				res.Accounts = append(res.Accounts, s.mastodonAccount(a))
			}
		}
		writeJSON(w, http.StatusOK, res)
	case "/api/v1/accounts/lookup":
		acct := strings.TrimPrefix(r.URL.Query().Get("acct"), "@")
		u, dom, _ := strings.Cut(acct, "@")
		var a *account
		if dom == "" || strings.EqualFold(dom, "mastodon.social") {
			a = s.w.lookup(srcMastodon, u)
		}
		if a == nil {
			writeJSON(w, http.StatusNotFound, mastodonError{"Record not found"})
			return
		}
		writeJSON(w, http.StatusOK, s.mastodonAccount(a))
	default:
		writeJSON(w, http.StatusNotFound, mastodonError{"Not Found"})
	}
}

func mastodonLinkHTML(u string) string {
	rest := strings.TrimPrefix(u, "https://")
	return fmt.Sprintf(`<a href="%s" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">%s</span><span class="invisible"></span></a>`,
		html.EscapeString(u), html.EscapeString(rest))
}

func (s *Sim) mastodonAccount(a *account) mastodonAccount {
	var note strings.Builder
	note.WriteString("<p>" + html.EscapeString(a.bio))
	for _, t := range a.hashtags {
		fmt.Fprintf(&note, ` <a href="https://mastodon.social/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>`, t, t)
	}
	note.WriteString("</p>")
	fields := []mastodonField{}
	label := map[string]string{"website": "Website", srcGitHub: "GitHub", srcBluesky: "Bluesky", srcKeybase: "Keybase", srcGitLab: "GitLab", srcDevTo: "DEV"}
	for _, l := range a.links {
		f := mastodonField{Name: label[l.service], Value: mastodonLinkHTML(l.url)}
		if l.verified {
			f.VerifiedAt = nullable(a.created.Add(48 * time.Hour).UTC().Format("2006-01-02T15:04:05.000+00:00"))
		}
		fields = append(fields, f)
	}
	if a.location != "" {
		fields = append(fields, mastodonField{Name: "Location", Value: html.EscapeString(a.location)})
	}
	created := a.created.UTC().Truncate(24 * time.Hour)
	id := strconv.FormatInt(mastodonID(a), 10)
	var last *string
	if a.posts > 0 {
		last = nullable(s.cfg.Now.AddDate(0, 0, -int(hash64(a.username)%60)).Format("2006-01-02"))
	}
	const missing = "https://mastodon.social/headers/original/missing.png"
	return mastodonAccount{
		ID: id, Username: a.username, Acct: a.username, DisplayName: a.name,
		Discoverable: true, Indexable: true,
		CreatedAt: created.Format("2006-01-02T15:04:05.000Z"), Note: note.String(),
		URL: "https://mastodon.social/@" + a.username, URI: "https://mastodon.social/users/" + a.username,
		Avatar: mastodonAvatar(a), AvatarStatic: mastodonAvatar(a), Header: missing, HeaderStatic: missing,
		FollowersCount: a.followers, FollowingCount: a.following, StatusesCount: a.posts,
		LastStatusAt: last, Emojis: []any{}, Roles: []any{}, Fields: fields,
	}
}
