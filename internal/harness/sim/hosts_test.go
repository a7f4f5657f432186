package sim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The platforms' response shapes are the wire structs the handlers encode
// (gravatar.go, github.go, ...); RDAP's is read here.

type rdapResp struct {
	ObjectClassName string `json:"objectClassName"`
	LDHName         string `json:"ldhName"`
	Events          []struct {
		EventAction string    `json:"eventAction"`
		EventDate   time.Time `json:"eventDate"`
	} `json:"events"`
	Entities []struct {
		Roles      []string `json:"roles"`
		VcardArray []any    `json:"vcardArray"`
	} `json:"entities"`
}

// find returns the first person (and their account on source) matching ok.
func find(t *testing.T, s *Sim, source string, ok func(Person, *account) bool) (Person, *account) {
	t.Helper()
	for _, p := range s.People() {
		for _, r := range p.Truth.Accounts {
			if r.Source == source {
				if a := s.w.lookup(source, r.Username); ok(p, a) {
					return p, a
				}
			}
		}
	}
	t.Fatalf("no %s account matching", source)
	return Person{}, nil
}

func any2(Person, *account) bool { return true }

func TestGravatar(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 400})
	h := s.Handler()
	p, _ := find(t, s, srcGravatar, func(_ Person, a *account) bool { return len(a.links) > 0 })
	hash := sha256Hex(strings.ToLower(p.Email))
	rec := get(t, h, "/api.gravatar.com/v3/profiles/"+hash)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	g := decode[gravatarProfile](t, rec)
	if g.Hash != hash || g.ProfileURL == "" || len(g.VerifiedAccounts) == 0 || g.VerifiedAccounts[0].URL == "" {
		t.Fatalf("gravatar = %+v", g)
	}
	if rec := get(t, h, "/api.gravatar.com/v3/profiles/"+sha256Hex("nobody@example.org")); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown hash: %d", rec.Code)
	}
}

func TestGitHub(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 400})
	h := s.Handler()
	p, a := find(t, s, srcGitHub, func(_ Person, a *account) bool { return a.email != "" && len(a.repos) > 2 })
	rec := get(t, h, "/api.github.com/search/users?q="+strings.ReplaceAll(p.Email, "+", "%2B")+"+in:email")
	if rec.Code != 200 {
		t.Fatalf("search: %d", rec.Code)
	}
	for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource"} {
		if rec.Header().Get(k) == "" {
			t.Errorf("search response lacks %s", k)
		}
	}
	sr := decode[struct {
		TotalCount int `json:"total_count"`
		Items      []struct{ Login string }
	}](t, rec)
	if sr.TotalCount != 1 || sr.Items[0].Login != a.username {
		t.Fatalf("search = %+v, want %s", sr, a.username)
	}
	none := decode[struct {
		TotalCount int `json:"total_count"`
		Items      []any
	}](t, get(t, h, "/api.github.com/search/users?q=nobody@example.org+in:email"))
	if none.TotalCount != 0 || none.Items == nil {
		t.Fatalf("search for unknown email = %+v", none)
	}
	u := decode[githubUser](t, get(t, h, "/api.github.com/users/"+a.username))
	if u.Login != a.username || u.HTMLURL != "https://github.com/"+a.username || u.PublicRepos != len(a.repos) || u.CreatedAt == "" {
		t.Fatalf("user = %+v", u)
	}
	rr := get(t, h, "/api.github.com/users/"+a.username+"/repos?per_page=100&sort=pushed")
	repos := decode[[]githubRepo](t, rr)
	if len(repos) != len(a.repos) || repos[0].Name != a.repos[0].name || repos[0].Topics == nil {
		t.Fatalf("repos = %+v", repos)
	}
	if rec := get(t, h, "/api.github.com/users/nobody-at-all-zz"); rec.Code != 404 {
		t.Fatalf("unknown user: %d", rec.Code)
	}
	if m := decode[struct{ Message string }](t, get(t, h, "/api.github.com/users/nobody-at-all-zz")); m.Message != "Not Found" {
		t.Fatalf("404 body = %+v", m)
	}
}

func TestKeybaseMastodonBluesky(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 600})
	h := s.Handler()
	_, kb := find(t, s, srcKeybase, func(_ Person, a *account) bool { return len(a.links) > 0 })
	k := decode[keybaseLookup](t, get(t, h, "/keybase.io/_/api/1.0/user/lookup.json?usernames="+kb.username+"&fields=basics,profile,proofs_summary"))
	if k.Status.Code != 0 || k.Them[0] == nil || k.Them[0].Basics.Ctime == 0 || len(k.Them[0].ProofsSummary.All) == 0 || k.Them[0].ProofsSummary.All[0].ServiceURL == "" {
		t.Fatalf("keybase = %+v", k)
	}
	nk := decode[keybaseLookup](t, get(t, h, "/keybase.io/_/api/1.0/user/lookup.json?usernames=zz_nobody_zz&fields=basics"))
	if nk.Status.Code != 205 || len(nk.Them) != 1 || nk.Them[0] != nil {
		t.Fatalf("keybase not found = %+v", nk)
	}

	_, m := find(t, s, srcMastodon, func(_ Person, a *account) bool { return len(a.links) > 0 })
	wf := get(t, h, "/mastodon.social/.well-known/webfinger?resource=acct:"+m.username+"@mastodon.social")
	if wf.Code != 200 || !strings.Contains(wf.Header().Get("Content-Type"), "jrd+json") {
		t.Fatalf("webfinger: %d %s", wf.Code, wf.Header().Get("Content-Type"))
	}
	if sub := decode[struct{ Subject string }](t, wf).Subject; sub != "acct:"+m.username+"@mastodon.social" {
		t.Fatalf("webfinger subject %q", sub)
	}
	ma := decode[mastodonAccount](t, get(t, h, "/mastodon.social/api/v1/accounts/lookup?acct="+m.username))
	if ma.Username != m.username || ma.URL != "https://mastodon.social/@"+m.username || len(ma.Fields) == 0 || !strings.HasPrefix(ma.Note, "<p>") {
		t.Fatalf("mastodon = %+v", ma)
	}
	if rec := get(t, h, "/mastodon.social/api/v1/accounts/lookup?acct=zz_nobody_zz"); rec.Code != 404 {
		t.Fatalf("mastodon unknown: %d", rec.Code)
	}
	if rec := get(t, h, "/mastodon.social/.well-known/webfinger?resource=acct:zz_nobody_zz@mastodon.social"); rec.Code != 404 {
		t.Fatalf("webfinger unknown: %d", rec.Code)
	}

	_, b := find(t, s, srcBluesky, any2)
	bp := decode[bskyProfile](t, get(t, h, "/public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor="+b.username))
	if bp.Handle != b.username || !strings.HasPrefix(bp.DID, "did:plc:") || bp.CreatedAt == "" {
		t.Fatalf("bluesky = %+v", bp)
	}
	if byDID := decode[bskyProfile](t, get(t, h, "/public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor="+bp.DID)); byDID.Handle != b.username {
		t.Fatalf("bluesky by did = %+v", byDID)
	}
	nf := get(t, h, "/public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=zz-nobody.bsky.social")
	if e := decode[struct{ Error, Message string }](t, nf); nf.Code != 400 || e.Error != "InvalidRequest" || e.Message != "Profile not found" {
		t.Fatalf("bluesky not found: %d %+v", nf.Code, e)
	}
}

func TestHackerNewsRedditGitLabDevTo(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 600})
	h := s.Handler()
	_, hn := find(t, s, srcHackerNews, any2)
	hu := decode[struct {
		ID      string
		Created int64
		Karma   int64
		About   string
	}](t, get(t, h, "/hacker-news.firebaseio.com/v0/user/"+hn.username+".json"))
	if hu.ID != hn.username || hu.Created == 0 || hu.Karma < 1 {
		t.Fatalf("hn = %+v", hu)
	}
	if rec := get(t, h, "/hacker-news.firebaseio.com/v0/user/zz_nobody_zz.json"); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "null" {
		t.Fatalf("hn not found: %d %q", rec.Code, rec.Body.String())
	}

	_, rd := find(t, s, srcReddit, any2)
	r := decode[redditThing](t, get(t, h, "/www.reddit.com/user/"+rd.username+"/about.json"))
	if r.Kind != "t2" || r.Data.Name != rd.username || r.Data.CreatedUTC == 0 || r.Data.Subreddit == nil || r.Data.TotalKarma != r.Data.LinkKarma+r.Data.CommentKarma {
		t.Fatalf("reddit = %+v", r)
	}
	if rec := get(t, h, "/www.reddit.com/user/zz_nobody_zz/about.json"); rec.Code != 404 {
		t.Fatalf("reddit unknown: %d", rec.Code)
	}
	suspended := 0
	for _, a := range s.w.accounts[srcReddit] {
		if a.suspended {
			if r := decode[redditThing](t, get(t, h, "/www.reddit.com/user/"+a.username+"/about.json")); !r.Data.IsSuspended {
				t.Fatalf("suspended account served as %+v", r)
			}
			suspended++
		}
	}
	if suspended == 0 {
		t.Error("no suspended reddit accounts")
	}

	_, gl := find(t, s, srcGitLab, any2)
	list := decode[[]gitlabBasicUser](t, get(t, h, "/gitlab.com/api/v4/users?username="+gl.username))
	if len(list) != 1 || list[0].ID == 0 {
		t.Fatalf("gitlab list = %+v", list)
	}
	gu := decode[gitlabUser](t, get(t, h, "/gitlab.com/api/v4/users/"+strconv.FormatInt(list[0].ID, 10)))
	if gu.Username != gl.username || gu.CreatedAt == "" || gu.WebURL != "https://gitlab.com/"+gl.username {
		t.Fatalf("gitlab user = %+v", gu)
	}
	if rec := get(t, h, "/gitlab.com/api/v4/users?username=zz_nobody_zz"); strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Fatalf("gitlab unknown: %q", rec.Body.String())
	}
	if rec := get(t, h, "/gitlab.com/api/v4/users/999999999"); rec.Code != 404 {
		t.Fatalf("gitlab unknown id: %d", rec.Code)
	}

	_, dv := find(t, s, srcDevTo, any2)
	d := decode[struct {
		Username, Name, Location string
		JoinedAt                 string  `json:"joined_at"`
		GitHub                   *string `json:"github_username"`
		ProfileImage             string  `json:"profile_image"`
	}](t, get(t, h, "/dev.to/api/users/by_username?url="+dv.username))
	if d.Username != dv.username || d.ProfileImage == "" {
		t.Fatalf("devto = %+v", d)
	}
	if _, err := time.Parse("Jan 2, 2006", d.JoinedAt); err != nil {
		t.Fatalf("devto joined_at %q: %v", d.JoinedAt, err)
	}
	if rec := get(t, h, "/dev.to/api/users/by_username?url=zz_nobody_zz"); rec.Code != 404 {
		t.Fatalf("devto unknown: %d", rec.Code)
	}
}

func TestHIBP(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 200})
	h := s.Handler()
	var p Person
	for _, q := range s.People() {
		if q.Breaches > 0 {
			p = q
			break
		}
	}
	u := "/haveibeenpwned.com/api/v3/breachedaccount/" + p.Email + "?truncateResponse=false"
	if rec := get(t, h, u); rec.Code != http.StatusUnauthorized {
		t.Fatalf("without key: %d", rec.Code)
	}
	list := decode[[]struct {
		Name, Title, Domain, BreachDate string
	}](t, get(t, h, u, "hibp-api-key", "test"))
	if len(list) != p.Breaches {
		t.Fatalf("%d breaches, want %d", len(list), p.Breaches)
	}
	for _, b := range list {
		if _, err := time.Parse("2006-01-02", b.BreachDate); err != nil || b.Name == "" || b.Domain == "" {
			t.Fatalf("breach = %+v", b)
		}
	}
	if rec := get(t, h, "/haveibeenpwned.com/api/v3/breachedaccount/nobody@example.org", "hibp-api-key", "k"); rec.Code != 404 {
		t.Fatalf("clean address: %d", rec.Code)
	}
}

func TestRDAPAndWebsite(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 300})
	h := s.Handler()
	var co *domainInfo
	for _, name := range slices.Sorted(mapKeys(s.w.domains)) {
		if d := s.w.domains[name]; d.kind == "company" && d.site != nil {
			co = d
			break
		}
	}
	rec := get(t, h, "/rdap.verisign.com/com/v1/domain/"+co.name)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/rdap+json" {
		t.Fatalf("rdap: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	rd := decode[rdapResp](t, rec)
	var reg time.Time
	for _, e := range rd.Events {
		if e.EventAction == "registration" {
			reg = e.EventDate
		}
	}
	if rd.ObjectClassName != "domain" || !reg.Equal(co.registered) || len(rd.Entities) == 0 || rd.Entities[0].Roles[0] != "registrar" {
		t.Fatalf("rdap = %+v", rd)
	}
	if !strings.Contains(get(t, h, "/rdap.example/domain/"+co.name).Body.String(), co.registrar.name) {
		t.Fatal("registrar vCard fn missing")
	}
	if rec := get(t, h, "/rdap.verisign.com/com/v1/domain/no-such-domain-zz.com"); rec.Code != 404 {
		t.Fatalf("rdap unknown: %d", rec.Code)
	}
	if rec := get(t, h, "/data.iana.org/rdap/dns.json"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "rdap.verisign.com") {
		t.Fatalf("bootstrap: %d", rec.Code)
	}

	page := get(t, h, "/"+co.name+"/")
	body := page.Body.String()
	if page.Code != 200 || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("website: %d", page.Code)
	}
	for _, want := range []string{`<html lang="`, `property="og:site_name"`, "<title>", `name="description"`, `name="keywords"`, `application/ld+json`, `"@type":"Organization"`, "linkedin.com/company/"} {
		if !strings.Contains(body, want) {
			t.Errorf("website lacks %s:\n%s", want, body)
		}
	}
	if rec := get(t, h, "/"+co.name+"/no/such/page"); rec.Code != 404 {
		t.Fatalf("website unknown path: %d", rec.Code)
	}
	if rec := get(t, h, "/no-such-host-zz.example/"); rec.Code != 404 {
		t.Fatalf("unknown host: %d", rec.Code)
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
