package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNameSearch asks each platform's name search for the display name of
// one of its accounts: the account comes back (first among exact names),
// every result matches the query's words in its name or handle, a limit
// holds, and a name nobody has returns nothing. Mastodon refuses what it
// refuses without a token (resolve, offset).
func TestNameSearch(t *testing.T) {
	s := New(Config{Seed: 5, People: 300})
	h := s.Handler()
	cases := []struct {
		source string
		url    func(q string, limit int) string
	}{
		{srcBluesky, func(q string, n int) string {
			return "/public.api.bsky.app/xrpc/app.bsky.actor.searchActors?q=" + url.QueryEscape(q) + "&limit=" + strconv.Itoa(n)
		}},
		{srcMastodon, func(q string, n int) string {
			return "/mastodon.social/api/v2/search?type=accounts&q=" + url.QueryEscape(q) + "&limit=" + strconv.Itoa(n)
		}},
		{srcReddit, func(q string, n int) string {
			return "/www.reddit.com/users/search.json?q=" + url.QueryEscape(q) + "&limit=" + strconv.Itoa(n)
		}},
	}
	// parse returns the usernames and display names of a response.
	parse := func(t *testing.T, source string, body []byte) (users, names []string) {
		var rec struct {
			bskySearch
			mastodonSearch
			redditListing
		}
		if err := json.Unmarshal(body, &rec); err != nil {
			t.Fatalf("%s: %v: %s", source, err, body)
		}
		for _, a := range rec.Actors {
			users, names = append(users, a.Handle), append(names, a.DisplayName)
		}
		for _, a := range rec.Accounts {
			users, names = append(users, a.Acct), append(names, a.DisplayName)
		}
		for _, c := range rec.redditListing.Data.Children {
			if c.Kind != "t2" {
				t.Fatalf("reddit: child kind %q, want t2", c.Kind)
			}
			users, names = append(users, c.Data.Name), append(names, c.Data.Subreddit.Title)
		}
		return users, names
	}
	for _, c := range cases {
		t.Run(c.source, func(t *testing.T) {
			_, a := find(t, s, c.source, func(_ Person, a *account) bool { return len(nameWords(a.name)) >= 2 })
			rec := get(t, h, c.url(a.name, 40))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			users, names := parse(t, c.source, rec.Body.Bytes())
			found := false
			for i, u := range users {
				if strings.EqualFold(u, a.username) {
					found = true
				}
				words, all := nameWords(names[i]), true
				for _, w := range nameWords(a.name) {
					all = all && slices.Contains(words, w)
				}
				if !all && !strings.HasPrefix(fold(u), strings.Join(nameWords(a.name), "")) {
					t.Errorf("result %s (%q) does not match %q", u, names[i], a.name)
				}
			}
			if !found {
				t.Fatalf("%s (%q) not among the results %v", a.username, a.name, users)
			}
			if rec := get(t, h, c.url(a.name, 1)); rec.Code == http.StatusOK {
				if u, _ := parse(t, c.source, rec.Body.Bytes()); len(u) != 1 {
					t.Errorf("limit=1 returned %d results", len(u))
				}
			}
			if u, _ := parse(t, c.source, get(t, h, c.url("Qzxv Wqyp", 25)).Body.Bytes()); len(u) != 0 {
				t.Errorf("a name nobody has returned %v", u)
			}
		})
	}
	for _, q := range []string{"resolve=true", "offset=20"} {
		if rec := get(t, h, "/mastodon.social/api/v2/search?type=accounts&q=anna&"+q); rec.Code != http.StatusUnauthorized {
			t.Errorf("mastodon search with %s without a token: status %d, want 401", q, rec.Code)
		}
	}
}
