package sim

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Handlers for the platform APIs, one per source, each in the service's
// real response format (docs/SOURCES.md).

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Sim) owner(a *account) *Person {
	if a.owner >= 0 {
		return &s.w.people[a.owner]
	}
	return nil
}

// --- gravatar ---

func (s *Sim) serveGravatar(w http.ResponseWriter, _ *http.Request, rest string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-RateLimit-Limit", "100")
	h.Set("X-RateLimit-Remaining", "99")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.cfg.Now.Add(time.Hour).Unix(), 10))
	key, ok := strings.CutPrefix(rest, "/v3/profiles/")
	if !ok || key == "" || strings.Contains(key, "/") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found", "code": "rest_no_route"})
		return
	}
	key = strings.ToLower(key)
	a := s.w.gravatar[key]
	if a == nil {
		a = s.w.lookup(srcGravatar, key)
	}
	if a == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Profile not found", "code": "not_found"})
		return
	}
	hash := sha256Hex(strings.ToLower(s.owner(a).Email))
	verified := []map[string]any{}
	for _, l := range a.links {
		t, label := l.service, map[string]string{srcGitHub: "GitHub", srcMastodon: "Mastodon", srcBluesky: "Bluesky", "twitter": "X"}[l.service]
		verified = append(verified, map[string]any{
			"service_type": t, "service_label": label, "service_icon": "https://gravatar.com/icons/" + t + ".svg",
			"url": l.url, "is_hidden": false,
		})
	}
	name := a.name
	if name == "" {
		name = a.username
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"hash": hash, "display_name": name, "profile_url": "https://gravatar.com/" + a.username,
		"avatar_url": "https://0.gravatar.com/avatar/" + hash, "avatar_alt_text": "",
		"location": a.location, "description": a.bio, "job_title": a.jobTitle, "company": a.company,
		"verified_accounts": verified, "pronunciation": "", "pronouns": "",
	})
}

// --- github ---

// rateWindow counts requests in the current window of a GitHub rate-limit
// resource (reported in headers; the simulated web never enforces it — use
// a rate_limit_rps fault for that).
type rateWindow struct {
	reset time.Time
	used  int
}

func (s *Sim) githubHeaders(w http.ResponseWriter, resource string) {
	limit, window := 5000, time.Hour
	if resource == "search" {
		limit, window = 30, time.Minute
	}
	s.mu.Lock()
	rw := s.ghRate[resource]
	now := time.Now()
	if rw == nil || !now.Before(rw.reset) {
		rw = &rateWindow{reset: now.Add(window).Truncate(time.Second)}
		s.ghRate[resource] = rw
	}
	rw.used++
	used, reset := rw.used, rw.reset
	s.mu.Unlock()
	h := w.Header()
	h.Set("Server", "github.com")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, limit-used)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Resource", resource)
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("%04X:%06X:%07X:%07X:%08X", used%65536, reset.Unix()%(1<<24), used, used*7, reset.Unix()))
}

func ghNotFound(w http.ResponseWriter, doc string) {
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": doc, "status": "404"})
}

func (s *Sim) serveGitHub(w http.ResponseWriter, r *http.Request, rest string) {
	if rest == "/search/users" {
		s.githubHeaders(w, "search")
		s.githubSearch(w, r)
		return
	}
	s.githubHeaders(w, "core")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) < 2 || parts[0] != "users" || len(parts) > 3 || (len(parts) == 3 && parts[2] != "repos") {
		ghNotFound(w, "https://docs.github.com/rest")
		return
	}
	a := s.w.lookup(srcGitHub, parts[1])
	if a == nil {
		ghNotFound(w, "https://docs.github.com/rest/users/users#get-a-user")
		return
	}
	if len(parts) == 2 {
		writeJSON(w, http.StatusOK, ghUser(a))
		return
	}
	s.githubRepos(w, r, a)
}

func ghNodeID(prefix string, id int64) string { return fmt.Sprintf("%s_kgDO%06X", prefix, id) }

func ghSimpleUser(a *account) map[string]any {
	base := "https://api.github.com/users/" + a.username
	typ := "User"
	if a.org {
		typ = "Organization"
	}
	return map[string]any{
		"login": a.username, "id": a.id, "node_id": ghNodeID(map[bool]string{true: "O", false: "U"}[a.org], a.id),
		"avatar_url":  fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", a.id),
		"gravatar_id": "", "url": base, "html_url": "https://github.com/" + a.username,
		"followers_url": base + "/followers", "following_url": base + "/following{/other_user}",
		"gists_url": base + "/gists{/gist_id}", "starred_url": base + "/starred{/owner}{/repo}",
		"subscriptions_url": base + "/subscriptions", "organizations_url": base + "/orgs",
		"repos_url": base + "/repos", "events_url": base + "/events{/privacy}",
		"received_events_url": base + "/received_events", "type": typ, "user_view_type": "public", "site_admin": false,
	}
}

func ghUser(a *account) map[string]any {
	u := ghSimpleUser(a)
	blog := ""
	var twitter any
	for _, l := range a.links {
		if l.service == "twitter" {
			twitter = l.username
		} else if blog == "" {
			blog = l.url
		}
	}
	updated := a.created
	for _, r := range a.repos {
		if r.pushed.After(updated) {
			updated = r.pushed
		}
	}
	u["name"] = nullable(a.name)
	u["company"] = nullable(a.company)
	u["blog"] = blog
	u["location"] = nullable(a.location)
	u["email"] = nullable(a.email)
	u["hireable"] = nil
	u["bio"] = nullable(a.bio)
	u["twitter_username"] = twitter
	u["public_repos"] = len(a.repos)
	u["public_gists"] = int(hash64(a.username) % 4)
	u["followers"] = a.followers
	u["following"] = a.following
	u["created_at"] = jsonTime(a.created)
	u["updated_at"] = jsonTime(updated)
	return u
}

func (s *Sim) githubSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed", "errors": []map[string]string{{"resource": "Search", "field": "q", "code": "missing"}},
			"documentation_url": "https://docs.github.com/v3/search", "status": "422",
		})
		return
	}
	items := []map[string]any{}
	for _, tok := range strings.Fields(q) {
		tok = strings.ToLower(strings.Trim(tok, `"'`))
		if !strings.Contains(tok, "@") || strings.Contains(tok, ":") {
			continue
		}
		if a := s.w.ghByEmail[tok]; a != nil {
			it := ghSimpleUser(a)
			it["score"] = 1.0
			items = append(items, it)
		}
		break
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(items), "incomplete_results": false, "items": items})
}

func (s *Sim) githubRepos(w http.ResponseWriter, r *http.Request, a *account) {
	q := r.URL.Query()
	perPage, page := 30, 1
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	repos := slices.Clone(a.repos)
	switch q.Get("sort") {
	case "pushed", "updated":
		// generated in pushed order
	case "created":
		slices.SortStableFunc(repos, func(x, y repo) int { return y.created.Compare(x.created) })
	default:
		slices.SortStableFunc(repos, func(x, y repo) int { return strings.Compare(x.name, y.name) })
	}
	lo := min((page-1)*perPage, len(repos))
	hi := min(lo+perPage, len(repos))
	if hi < len(repos) {
		u := fmt.Sprintf("https://api.github.com/user/%d/repos?per_page=%d&sort=%s&page=", a.id, perPage, q.Get("sort"))
		last := (len(repos) + perPage - 1) / perPage
		w.Header().Set("Link", fmt.Sprintf(`<%s%d>; rel="next", <%s%d>; rel="last"`, u, page+1, u, last))
	}
	owner := ghSimpleUser(a)
	out := []map[string]any{}
	for i, rp := range repos[lo:hi] {
		id := a.id*1000 + int64(i) + int64(hash64(rp.name)%997)
		full := a.username + "/" + rp.name
		topics := rp.topics
		if topics == nil {
			topics = []string{}
		}
		out = append(out, map[string]any{
			"id": id, "node_id": ghNodeID("R", id), "name": rp.name, "full_name": full, "private": false,
			"owner": owner, "html_url": "https://github.com/" + full, "description": nullable(rp.description),
			"fork": rp.fork, "url": "https://api.github.com/repos/" + full,
			"created_at": jsonTime(rp.created), "updated_at": jsonTime(rp.pushed), "pushed_at": jsonTime(rp.pushed),
			"homepage": nil, "size": 20 + hash64(full)%5000, "stargazers_count": rp.stars, "watchers_count": rp.stars,
			"language": nullable(rp.language), "has_issues": true, "has_projects": true, "has_wiki": true,
			"has_pages": false, "has_discussions": false, "forks_count": rp.forks, "archived": false, "disabled": false,
			"open_issues_count": hash64(full) % 5, "license": nil, "allow_forking": true, "is_template": false,
			"topics": topics, "visibility": "public", "forks": rp.forks, "open_issues": hash64(full) % 5,
			"watchers": rp.stars, "default_branch": "main",
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// --- keybase ---

func keybaseProof(l profileLink, owner string) map[string]any {
	typ, group, tag, nametag := l.service, l.service, "profile", l.username
	switch l.service {
	case srcGitHub:
		tag = "gist"
	case srcReddit:
		tag = "post"
	case "twitter":
		tag = "tweet"
	case srcMastodon:
		typ, group = "mastodon.social", "mastodon.social"
	case "website":
		typ, group, tag = "generic_web_site", "web", "web"
		nametag = strings.TrimPrefix(l.url, "https://")
	}
	sig := fmt.Sprintf("%016x%016x%016x%016x0f", hash64(owner, l.url), hash64(l.url, owner), hash64(owner), hash64(l.url))
	return map[string]any{
		"proof_type": typ, "nametag": nametag, "state": 1, "service_url": l.url,
		"proof_url": l.url, "sig_id": sig, "proof_id": sig[:22],
		"human_url": l.url, "presentation_group": group, "presentation_tag": tag,
	}
}

func (s *Sim) serveKeybase(w http.ResponseWriter, r *http.Request, rest string) {
	if rest != "/_/api/1.0/user/lookup.json" {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": map[string]any{"code": 404, "name": "NOT_FOUND", "desc": "not found"}})
		return
	}
	q := r.URL.Query()
	names := strings.Split(q.Get("usernames"), ",")
	if q.Get("usernames") == "" {
		names = strings.Split(q.Get("username"), ",")
	}
	if len(names) == 1 && names[0] == "" {
		writeJSON(w, http.StatusOK, map[string]any{"status": map[string]any{"code": 100, "name": "INPUT_ERROR", "desc": "missing usernames"}})
		return
	}
	fields := map[string]bool{"basics": true, "profile": true, "proofs_summary": true}
	if f := q.Get("fields"); f != "" {
		fields = map[string]bool{}
		for _, x := range strings.Split(f, ",") {
			fields[x] = true
		}
	}
	them := []any{}
	found := 0
	for _, n := range names {
		a := s.w.lookup(srcKeybase, strings.TrimSpace(n))
		if a == nil {
			them = append(them, nil)
			continue
		}
		found++
		them = append(them, keybaseUser(a, fields))
	}
	status := map[string]any{"code": 0, "name": "OK"}
	if found == 0 {
		status = map[string]any{"code": 205, "name": "NOT_FOUND", "desc": "Not found"}
	}
	w.Header().Set("X-Keybase-Api-Version", "1.0")
	writeJSON(w, http.StatusOK, map[string]any{"status": status, "them": them})
}

func keybaseUser(a *account, fields map[string]bool) map[string]any {
	ct := a.created.Unix()
	u := map[string]any{"id": fmt.Sprintf("%016x%014x19", hash64("kb", a.username), hash64(a.username)>>8)}
	if fields["basics"] {
		u["basics"] = map[string]any{
			"username": a.username, "ctime": ct, "mtime": ct + 86400*int64(hash64(a.username)%300),
			"id_version": 5 + len(a.links)*2, "track_version": 3, "last_id_change": ct + 3600,
			"username_cased": a.username, "status": 0, "salt": fmt.Sprintf("%016x%016x", hash64("salt", a.username), hash64(a.username, "salt")),
			"eldest_seqno": 1,
		}
	}
	if fields["profile"] {
		u["profile"] = map[string]any{"mtime": ct + 7200, "full_name": nullable(a.name), "location": nullable(a.location), "bio": nullable(a.bio)}
	}
	if fields["proofs_summary"] {
		all := []map[string]any{}
		groups := map[string][]map[string]any{}
		bySig := map[string]map[string]any{}
		hasWeb := false
		for _, l := range a.links {
			p := keybaseProof(l, a.username)
			all = append(all, p)
			g := p["presentation_group"].(string)
			groups[g] = append(groups[g], p)
			bySig[p["sig_id"].(string)] = p
			hasWeb = hasWeb || l.service == "website"
		}
		u["proofs_summary"] = map[string]any{"by_presentation_group": groups, "by_sig_id": bySig, "all": all, "has_web": hasWeb}
	}
	return u
}

// --- mastodon ---

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
		writeJSONType(w, http.StatusOK, "application/jrd+json; charset=utf-8", map[string]any{
			"subject": "acct:" + a.username + "@mastodon.social",
			"aliases": []string{profile, self},
			"links": []map[string]string{
				{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile},
				{"rel": "self", "type": "application/activity+json", "href": self},
				{"rel": "http://ostatus.org/schema/1.0/subscribe", "template": "https://mastodon.social/authorize_interaction?uri={uri}"},
				{"rel": "http://webfinger.net/rel/avatar", "type": "image/png", "href": mastodonAvatar(a)},
			},
		})
	case "/api/v2/search":
		// Without a user token Mastodon answers searches that neither
		// resolve remote accounts nor page with an offset.
		q := r.URL.Query()
		if q.Get("resolve") == "true" || q.Get("offset") != "" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Search queries that resolve remote resources are not supported without authentication"})
			return
		}
		accounts := []map[string]any{}
		if t := q.Get("type"); t == "" || t == "accounts" {
			for _, a := range s.w.search(srcMastodon, q.Get("q"), searchLimit(r, 20, 40)) {
				accounts = append(accounts, s.mastodonAccount(a))
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"accounts": accounts, "statuses": []any{}, "hashtags": []any{}})
	case "/api/v1/accounts/lookup":
		acct := strings.TrimPrefix(r.URL.Query().Get("acct"), "@")
		u, dom, _ := strings.Cut(acct, "@")
		var a *account
		if dom == "" || strings.EqualFold(dom, "mastodon.social") {
			a = s.w.lookup(srcMastodon, u)
		}
		if a == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "Record not found"})
			return
		}
		writeJSON(w, http.StatusOK, s.mastodonAccount(a))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
	}
}

func mastodonAvatar(a *account) string {
	h := fmt.Sprintf("%016x", hash64("avatar", a.username))
	return "https://files.mastodon.social/accounts/avatars/" + h[:3] + "/" + h[3:6] + "/" + h[6:9] + "/original/" + h + ".png"
}

func mastodonLinkHTML(u string) string {
	rest := strings.TrimPrefix(u, "https://")
	return fmt.Sprintf(`<a href="%s" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">%s</span><span class="invisible"></span></a>`,
		html.EscapeString(u), html.EscapeString(rest))
}

func (s *Sim) mastodonAccount(a *account) map[string]any {
	var note strings.Builder
	note.WriteString("<p>" + html.EscapeString(a.bio))
	for _, t := range a.hashtags {
		fmt.Fprintf(&note, ` <a href="https://mastodon.social/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>`, t, t)
	}
	note.WriteString("</p>")
	fields := []map[string]any{}
	label := map[string]string{"website": "Website", srcGitHub: "GitHub", srcBluesky: "Bluesky", srcKeybase: "Keybase", srcGitLab: "GitLab", srcDevTo: "DEV"}
	for _, l := range a.links {
		f := map[string]any{"name": label[l.service], "value": mastodonLinkHTML(l.url), "verified_at": nil}
		if l.verified {
			f["verified_at"] = a.created.Add(48 * time.Hour).UTC().Format("2006-01-02T15:04:05.000+00:00")
		}
		fields = append(fields, f)
	}
	if a.location != "" {
		fields = append(fields, map[string]any{"name": "Location", "value": html.EscapeString(a.location), "verified_at": nil})
	}
	created := a.created.UTC().Truncate(24 * time.Hour)
	id := strconv.FormatInt(a.created.UnixMilli()<<16|int64(hash64(a.username)&0xffff), 10)
	last := any(nil)
	if a.posts > 0 {
		last = s.cfg.Now.AddDate(0, 0, -int(hash64(a.username)%60)).Format("2006-01-02")
	}
	return map[string]any{
		"id": id, "username": a.username, "acct": a.username, "display_name": a.name,
		"locked": false, "bot": false, "discoverable": true, "indexable": true, "group": false,
		"created_at": created.Format("2006-01-02T15:04:05.000Z"), "note": note.String(),
		"url": "https://mastodon.social/@" + a.username, "uri": "https://mastodon.social/users/" + a.username,
		"avatar": mastodonAvatar(a), "avatar_static": mastodonAvatar(a),
		"header": "https://mastodon.social/headers/original/missing.png", "header_static": "https://mastodon.social/headers/original/missing.png",
		"followers_count": a.followers, "following_count": a.following, "statuses_count": a.posts,
		"last_status_at": last, "hide_collections": false, "noindex": false, "emojis": []any{}, "roles": []any{}, "fields": fields,
	}
}

// --- bluesky ---

func (s *Sim) serveBluesky(w http.ResponseWriter, r *http.Request, rest string) {
	h := w.Header()
	h.Set("RateLimit-Limit", "3000")
	h.Set("RateLimit-Remaining", "2999")
	h.Set("RateLimit-Policy", "3000;w=300")
	switch rest {
	case "/xrpc/app.bsky.actor.getProfile":
	case "/xrpc/app.bsky.actor.searchActors":
		q := r.URL.Query().Get("q")
		if q == "" {
			q = r.URL.Query().Get("term") // deprecated spelling
		}
		actors := []map[string]any{}
		for _, a := range s.w.search(srcBluesky, q, searchLimit(r, 25, 100)) {
			actors = append(actors, bskyProfile(a, false))
		}
		writeJSON(w, http.StatusOK, map[string]any{"actors": actors})
		return
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "NotFound", "message": "Not Found"})
		return
	}
	actor := strings.ToLower(strings.TrimPrefix(r.URL.Query().Get("actor"), "@"))
	if actor == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "InvalidRequest", "message": `Error: Params must have the property "actor"`})
		return
	}
	var a *account
	if strings.HasPrefix(actor, "did:") {
		a = s.w.bskyByDID[actor]
	} else {
		a = s.w.lookup(srcBluesky, actor)
	}
	if a == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "InvalidRequest", "message": "Profile not found"})
		return
	}
	writeJSON(w, http.StatusOK, bskyProfile(a, true))
}

// bskyProfile is an app.bsky.actor.defs#profileViewDetailed (detailed:
// getProfile, with counts) or #profileView (search results).
func bskyProfile(a *account, detailed bool) map[string]any {
	desc := a.bio
	for _, t := range a.hashtags {
		desc += " #" + t
	}
	for _, l := range a.links {
		desc += "\n" + strings.TrimPrefix(l.url, "https://")
	}
	avatar := "https://cdn.bsky.app/img/avatar/plain/" + a.did + fmt.Sprintf("/bafkreig%016x%016x@jpeg", hash64(a.did), hash64(a.did, "a"))
	p := map[string]any{
		"did": a.did, "handle": a.username, "displayName": a.name, "avatar": avatar,
		"associated": map[string]any{"lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": false,
			"chat": map[string]string{"allowIncoming": "following"}},
		"labels": []any{}, "createdAt": a.created.UTC().Format("2006-01-02T15:04:05.000Z"),
		"description": strings.TrimSpace(desc), "indexedAt": a.created.Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	if detailed {
		p["followersCount"], p["followsCount"], p["postsCount"] = a.followers, a.following, a.posts
	}
	return p
}

// --- hacker news ---

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
	u := map[string]any{"id": a.username, "created": a.created.Unix(), "karma": a.karma}
	var parts []string
	if a.bio != "" {
		parts = append(parts, hnEscape(a.bio))
	}
	for _, l := range a.links {
		e := hnEscape(l.url)
		parts = append(parts, fmt.Sprintf(`<a href="%s" rel="nofollow">%s</a>`, e, e))
	}
	if len(parts) > 0 {
		u["about"] = strings.Join(parts, "<p>")
	}
	var sub []int64
	for i := range min(a.posts, 8) {
		sub = append(sub, 40000000+int64(hash64(a.username, strconv.FormatInt(i, 10))%4000000))
	}
	if len(sub) > 0 {
		u["submitted"] = sub
	}
	writeJSON(w, http.StatusOK, u)
}

// --- reddit ---

func (s *Sim) serveReddit(w http.ResponseWriter, r *http.Request, rest string) {
	h := w.Header()
	h.Set("x-ratelimit-remaining", "99.0")
	h.Set("x-ratelimit-used", "1")
	h.Set("x-ratelimit-reset", "540")
	ctype := "application/json; charset=UTF-8"
	if rest == "/users/search.json" || rest == "/users/search" {
		children := []map[string]any{}
		for _, a := range s.w.search(srcReddit, r.URL.Query().Get("q"), searchLimit(r, 25, 100)) {
			children = append(children, map[string]any{"kind": "t2", "data": redditUser(a)})
		}
		writeJSONType(w, http.StatusOK, ctype, map[string]any{"kind": "Listing", "data": map[string]any{
			"after": nil, "dist": len(children), "modhash": "", "geo_filter": "", "children": children, "before": nil,
		}})
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) != 3 || (parts[0] != "user" && parts[0] != "u") || parts[2] != "about.json" {
		writeJSONType(w, http.StatusNotFound, ctype, map[string]any{"message": "Not Found", "error": 404})
		return
	}
	a := s.w.lookup(srcReddit, parts[1])
	if a == nil {
		writeJSONType(w, http.StatusNotFound, ctype, map[string]any{"message": "Not Found", "error": 404})
		return
	}
	if a.suspended {
		writeJSONType(w, http.StatusOK, ctype, map[string]any{"kind": "t2", "data": map[string]any{"name": a.username, "is_suspended": true}})
		return
	}
	writeJSONType(w, http.StatusOK, ctype, map[string]any{"kind": "t2", "data": redditUser(a)})
}

// redditUser is the data of a t2 (account) thing, as about.json and user
// search listings carry it.
func redditUser(a *account) map[string]any {
	icon := fmt.Sprintf("https://www.redditstatic.com/avatars/defaults/v2/avatar_default_%d.png", hash64(a.username)%8)
	id := strconv.FormatUint(hash64("reddit", a.username)%2000000000, 36)
	created := float64(a.created.Unix())
	return map[string]any{
		"is_employee": false, "is_friend": false, "icon_img": icon, "pref_show_snoovatar": false,
		"name": a.username, "id": id, "verified": true, "is_gold": false, "is_mod": hash64(a.username)%7 == 0,
		"awardee_karma": 0, "awarder_karma": 0, "link_karma": a.linkKarma, "comment_karma": a.commentKarma,
		"total_karma": a.linkKarma + a.commentKarma, "created": created, "created_utc": created,
		"has_verified_email": true, "hide_from_robots": false, "accept_followers": true, "has_subscribed": true,
		"snoovatar_img": "", "snoovatar_size": nil,
		"subreddit": map[string]any{
			"display_name": "u_" + a.username, "display_name_prefixed": "u/" + a.username, "title": a.name,
			"public_description": a.bio, "icon_img": icon, "over_18": false, "subscribers": a.followers,
			"subreddit_type": "user", "url": "/user/" + a.username + "/", "name": "t5_" + id, "banner_img": "",
			"description": "", "user_is_banned": nil, "quarantine": false,
		},
	}
}

// --- gitlab ---

func (s *Sim) serveGitLab(w http.ResponseWriter, r *http.Request, rest string) {
	h := w.Header()
	h.Set("RateLimit-Limit", "2000")
	h.Set("RateLimit-Remaining", "1999")
	h.Set("RateLimit-Observed", "1")
	if rest == "/api/v4/users" {
		out := []map[string]any{}
		if a := s.w.lookup(srcGitLab, r.URL.Query().Get("username")); a != nil {
			out = append(out, gitlabBasic(a))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	idStr, ok := strings.CutPrefix(rest, "/api/v4/users/")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	a := s.w.gitlabByID[id]
	if a == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 User Not Found"})
		return
	}
	u := gitlabBasic(a)
	website, twitter := "", ""
	for _, l := range a.links {
		if l.service == "twitter" {
			twitter = l.username
		} else if website == "" {
			website = l.url
		}
	}
	u["created_at"] = a.created.UTC().Format("2006-01-02T15:04:05.000Z")
	u["bio"] = a.bio
	u["location"] = a.location
	u["public_email"] = a.email
	u["skype"] = ""
	u["linkedin"] = ""
	u["twitter"] = twitter
	u["discord"] = ""
	u["website_url"] = website
	u["organization"] = a.company
	u["job_title"] = a.jobTitle
	u["pronouns"] = nil
	u["bot"] = false
	work := a.jobTitle
	switch {
	case work != "" && a.company != "":
		work += " at " + a.company
	case work == "":
		work = a.company
	}
	u["work_information"] = nullable(work)
	u["followers"] = a.followers
	u["following"] = a.following
	u["local_time"] = nil
	writeJSON(w, http.StatusOK, u)
}

func gitlabBasic(a *account) map[string]any {
	return map[string]any{
		"id": a.id, "username": a.username, "name": a.name, "state": "active", "locked": false,
		"avatar_url": "https://secure.gravatar.com/avatar/" + sha256Hex(a.username) + "?s=80&d=identicon",
		"web_url":    "https://gitlab.com/" + a.username,
	}
}

// --- dev.to ---

func (s *Sim) serveDevTo(w http.ResponseWriter, r *http.Request, rest string) {
	if rest != "/api/users/by_username" {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not found", "status": 404})
		return
	}
	a := s.w.lookup(srcDevTo, r.URL.Query().Get("url"))
	if a == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not found", "status": 404})
		return
	}
	var gh, tw any
	website := ""
	for _, l := range a.links {
		switch l.service {
		case srcGitHub:
			gh = l.username
		case "twitter":
			tw = l.username
		case "website":
			website = l.url
		}
	}
	id := int64(hash64("devto", a.username) % 3000000)
	name := a.name
	if name == "" {
		name = a.username
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"type_of": "user", "id": id, "username": a.username, "name": name,
		"twitter_username": tw, "github_username": gh, "summary": nullable(a.bio), "location": a.location,
		"website_url": nullable(website), "joined_at": a.created.Format("Jan 2, 2006"),
		"profile_image": fmt.Sprintf("https://media2.dev.to/dynamic/image/width=640,height=640,fit=cover,gravity=auto,format=auto/https%%3A%%2F%%2Fdev-to-uploads.s3.amazonaws.com%%2Fuploads%%2Fuser%%2Fprofile_image%%2F%d%%2Favatar.png", id),
	})
}

// --- have i been pwned ---

func (s *Sim) serveHIBP(w http.ResponseWriter, r *http.Request, rest string) {
	email, ok := strings.CutPrefix(rest, "/api/v3/breachedaccount/")
	if !ok || email == "" {
		http.NotFound(w, nil)
		return
	}
	if r.Header.Get("hibp-api-key") == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Access denied due to missing hibp-api-key."})
		return
	}
	list := s.w.breaches[strings.ToLower(email)]
	if dom := r.URL.Query().Get("domain"); dom != "" {
		list = slices.DeleteFunc(slices.Clone(list), func(b breachInfo) bool { return !strings.EqualFold(b.domain, dom) })
	}
	if len(list) == 0 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	truncate := r.URL.Query().Get("truncateResponse") != "false"
	out := []map[string]any{}
	for _, b := range list {
		if truncate {
			out = append(out, map[string]any{"Name": b.name})
			continue
		}
		out = append(out, map[string]any{
			"Name": b.name, "Title": b.title, "Domain": b.domain, "BreachDate": b.date.Format("2006-01-02"),
			"AddedDate": jsonTime(b.added), "ModifiedDate": jsonTime(b.added), "PwnCount": b.pwn,
			"Description": fmt.Sprintf("In %s, %s suffered a data breach that exposed %d accounts.", b.date.Format("January 2006"), b.title, b.pwn),
			"LogoPath":    "https://logos.haveibeenpwned.com/" + b.name + ".png",
			"DataClasses": b.classes,
			"IsVerified":  true, "IsFabricated": false, "IsSensitive": false, "IsRetired": false,
			"IsSpamList": false, "IsMalware": false, "IsSubscriptionFree": false, "IsStealerLog": false,
		})
	}
	writeJSON(w, http.StatusOK, out)
}
