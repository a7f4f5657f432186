package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// githubSimpleUser is GitHub's simple-user (search items, repository
// owners); Score is set in search results only.
type githubSimpleUser struct {
	Login             string   `json:"login"`
	ID                int64    `json:"id"`
	NodeID            string   `json:"node_id"`
	AvatarURL         string   `json:"avatar_url"`
	GravatarID        string   `json:"gravatar_id"`
	URL               string   `json:"url"`
	HTMLURL           string   `json:"html_url"`
	FollowersURL      string   `json:"followers_url"`
	FollowingURL      string   `json:"following_url"`
	GistsURL          string   `json:"gists_url"`
	StarredURL        string   `json:"starred_url"`
	SubscriptionsURL  string   `json:"subscriptions_url"`
	OrganizationsURL  string   `json:"organizations_url"`
	ReposURL          string   `json:"repos_url"`
	EventsURL         string   `json:"events_url"`
	ReceivedEventsURL string   `json:"received_events_url"`
	Type              string   `json:"type"`
	UserViewType      string   `json:"user_view_type"`
	SiteAdmin         bool     `json:"site_admin"`
	Score             *float64 `json:"score,omitempty"`
}

// githubUser is GitHub's public-user (GET /users/{login}).
type githubUser struct {
	githubSimpleUser
	Name            *string `json:"name"`
	Company         *string `json:"company"`
	Blog            string  `json:"blog"`
	Location        *string `json:"location"`
	Email           *string `json:"email"`
	Hireable        *bool   `json:"hireable"`
	Bio             *string `json:"bio"`
	TwitterUsername *string `json:"twitter_username"`
	PublicRepos     int     `json:"public_repos"`
	PublicGists     int     `json:"public_gists"`
	Followers       int64   `json:"followers"`
	Following       int64   `json:"following"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

// githubSearchResult is GET /search/users.
type githubSearchResult struct {
	TotalCount        int                `json:"total_count"`
	IncompleteResults bool               `json:"incomplete_results"`
	Items             []githubSimpleUser `json:"items"`
}

// githubRepo is one item of GET /users/{login}/repos.
type githubRepo struct {
	ID              int64            `json:"id"`
	NodeID          string           `json:"node_id"`
	Name            string           `json:"name"`
	FullName        string           `json:"full_name"`
	Private         bool             `json:"private"`
	Owner           githubSimpleUser `json:"owner"`
	HTMLURL         string           `json:"html_url"`
	Description     *string          `json:"description"`
	Fork            bool             `json:"fork"`
	URL             string           `json:"url"`
	CreatedAt       string           `json:"created_at"`
	UpdatedAt       string           `json:"updated_at"`
	PushedAt        string           `json:"pushed_at"`
	Homepage        *string          `json:"homepage"`
	Size            uint64           `json:"size"`
	StargazersCount int64            `json:"stargazers_count"`
	WatchersCount   int64            `json:"watchers_count"`
	Language        *string          `json:"language"`
	HasIssues       bool             `json:"has_issues"`
	HasProjects     bool             `json:"has_projects"`
	HasWiki         bool             `json:"has_wiki"`
	HasPages        bool             `json:"has_pages"`
	HasDiscussions  bool             `json:"has_discussions"`
	ForksCount      int64            `json:"forks_count"`
	Archived        bool             `json:"archived"`
	Disabled        bool             `json:"disabled"`
	OpenIssuesCount uint64           `json:"open_issues_count"`
	License         *string          `json:"license"`
	AllowForking    bool             `json:"allow_forking"`
	IsTemplate      bool             `json:"is_template"`
	Topics          []string         `json:"topics"`
	Visibility      string           `json:"visibility"`
	Forks           int64            `json:"forks"`
	OpenIssues      uint64           `json:"open_issues"`
	Watchers        int64            `json:"watchers"`
	DefaultBranch   string           `json:"default_branch"`
}

// githubError is GitHub's error body (404, 422).
type githubError struct {
	Message          string              `json:"message"`
	Errors           []map[string]string `json:"errors,omitempty"`
	DocumentationURL string              `json:"documentation_url"`
	Status           string              `json:"status"`
}

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
	writeJSON(w, http.StatusNotFound, githubError{Message: "Not Found", DocumentationURL: doc, Status: "404"})
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

func ghSimpleUser(a *account) githubSimpleUser {
	base := "https://api.github.com/users/" + a.username
	typ, node := "User", "U"
	if a.org {
		typ, node = "Organization", "O"
	}
	return githubSimpleUser{
		Login: a.username, ID: a.id, NodeID: ghNodeID(node, a.id),
		AvatarURL: githubAvatarURL(a),
		URL:       base, HTMLURL: "https://github.com/" + a.username,
		FollowersURL: base + "/followers", FollowingURL: base + "/following{/other_user}",
		GistsURL: base + "/gists{/gist_id}", StarredURL: base + "/starred{/owner}{/repo}",
		SubscriptionsURL: base + "/subscriptions", OrganizationsURL: base + "/orgs",
		ReposURL: base + "/repos", EventsURL: base + "/events{/privacy}",
		ReceivedEventsURL: base + "/received_events", Type: typ, UserViewType: "public",
	}
}

func ghUser(a *account) githubUser {
	blog := ""
	var twitter *string
	for _, l := range a.links {
		if l.service == "twitter" {
			twitter = &l.username
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
	return githubUser{
		githubSimpleUser: ghSimpleUser(a),
		Name:             nullable(a.name), Company: nullable(a.company), Blog: blog,
		Location: nullable(a.location), Email: nullable(a.email), Bio: nullable(a.bio),
		TwitterUsername: twitter, PublicRepos: len(a.repos), PublicGists: int(hash64(a.username) % 4),
		Followers: a.followers, Following: a.following,
		CreatedAt: jsonTime(a.created), UpdatedAt: jsonTime(updated),
	}
}

func (s *Sim) githubSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, githubError{
			Message: "Validation Failed", Errors: []map[string]string{{"resource": "Search", "field": "q", "code": "missing"}},
			DocumentationURL: "https://docs.github.com/v3/search", Status: "422",
		})
		return
	}
	items := []githubSimpleUser{}
	for _, tok := range strings.Fields(q) {
		tok = strings.ToLower(strings.Trim(tok, `"'`))
		if !strings.Contains(tok, "@") || strings.Contains(tok, ":") {
			continue
		}
		if a := s.w.ghByEmail[tok]; a != nil {
			it := ghSimpleUser(a)
			score := 1.0
			it.Score = &score
			items = append(items, it)
		}
		break
	}
	writeJSON(w, http.StatusOK, githubSearchResult{TotalCount: len(items), Items: items})
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
	out := []githubRepo{}
	for i, rp := range repos[lo:hi] {
		id := a.id*1000 + int64(i) + int64(hash64(rp.name)%997)
		full := a.username + "/" + rp.name
		topics := rp.topics
		if topics == nil {
			topics = []string{}
		}
		out = append(out, githubRepo{
			ID: id, NodeID: ghNodeID("R", id), Name: rp.name, FullName: full,
			Owner: owner, HTMLURL: "https://github.com/" + full, Description: nullable(rp.description),
			Fork: rp.fork, URL: "https://api.github.com/repos/" + full,
			CreatedAt: jsonTime(rp.created), UpdatedAt: jsonTime(rp.pushed), PushedAt: jsonTime(rp.pushed),
			Size: 20 + hash64(full)%5000, StargazersCount: rp.stars, WatchersCount: rp.stars,
			Language: nullable(rp.language), HasIssues: true, HasProjects: true, HasWiki: true,
			ForksCount: rp.forks, OpenIssuesCount: hash64(full) % 5, AllowForking: true,
			Topics: topics, Visibility: "public", Forks: rp.forks, OpenIssues: hash64(full) % 5,
			Watchers: rp.stars, DefaultBranch: "main",
		})
	}
	writeJSON(w, http.StatusOK, out)
}
