package sim

import (
	"net/http"
	"strings"
)

// redditThing is a t2 (account) thing as about.json serves it, and one
// child of a user search listing.
type redditThing struct {
	Kind string     `json:"kind"`
	Data redditUser `json:"data"`
}

// redditUser is the data of a t2 thing. A suspended account carries only
// name and is_suspended (redditSuspended).
type redditUser struct {
	IsEmployee        bool             `json:"is_employee"`
	IsFriend          bool             `json:"is_friend"`
	IconImg           string           `json:"icon_img"`
	PrefShowSnoovatar bool             `json:"pref_show_snoovatar"`
	Name              string           `json:"name"`
	ID                string           `json:"id"`
	Verified          bool             `json:"verified"`
	IsGold            bool             `json:"is_gold"`
	IsMod             bool             `json:"is_mod"`
	AwardeeKarma      int64            `json:"awardee_karma"`
	AwarderKarma      int64            `json:"awarder_karma"`
	LinkKarma         int64            `json:"link_karma"`
	CommentKarma      int64            `json:"comment_karma"`
	TotalKarma        int64            `json:"total_karma"`
	Created           float64          `json:"created"`
	CreatedUTC        float64          `json:"created_utc"`
	HasVerifiedEmail  bool             `json:"has_verified_email"`
	HideFromRobots    bool             `json:"hide_from_robots"`
	AcceptFollowers   bool             `json:"accept_followers"`
	HasSubscribed     bool             `json:"has_subscribed"`
	SnoovatarImg      string           `json:"snoovatar_img"`
	SnoovatarSize     *[2]int          `json:"snoovatar_size"`
	IsSuspended       bool             `json:"is_suspended,omitempty"`
	Subreddit         *redditSubreddit `json:"subreddit,omitempty"`
}

// redditSubreddit is the profile subreddit (u_name) of an account.
type redditSubreddit struct {
	DisplayName         string `json:"display_name"`
	DisplayNamePrefixed string `json:"display_name_prefixed"`
	Title               string `json:"title"`
	PublicDescription   string `json:"public_description"`
	IconImg             string `json:"icon_img"`
	Over18              bool   `json:"over_18"`
	Subscribers         int64  `json:"subscribers"`
	SubredditType       string `json:"subreddit_type"`
	URL                 string `json:"url"`
	Name                string `json:"name"`
	BannerImg           string `json:"banner_img"`
	Description         string `json:"description"`
	UserIsBanned        *bool  `json:"user_is_banned"`
	Quarantine          bool   `json:"quarantine"`
}

// redditSuspended is the t2 thing of a suspended account.
type redditSuspended struct {
	Kind string `json:"kind"`
	Data struct {
		Name        string `json:"name"`
		IsSuspended bool   `json:"is_suspended"`
	} `json:"data"`
}

// redditListing is a Listing of t2 things (GET /users/search.json).
type redditListing struct {
	Kind string `json:"kind"`
	Data struct {
		After     *string       `json:"after"`
		Dist      int           `json:"dist"`
		Modhash   string        `json:"modhash"`
		GeoFilter string        `json:"geo_filter"`
		Children  []redditThing `json:"children"`
		Before    *string       `json:"before"`
	} `json:"data"`
}

// redditError is Reddit's JSON error body.
type redditError struct {
	Message string `json:"message"`
	Error   int    `json:"error"`
}

func (s *Sim) serveReddit(w http.ResponseWriter, r *http.Request, rest string) {
	h := w.Header()
	h.Set("x-ratelimit-remaining", "99.0")
	h.Set("x-ratelimit-used", "1")
	h.Set("x-ratelimit-reset", "540")
	ctype := "application/json; charset=UTF-8"
	if rest == "/users/search.json" || rest == "/users/search" {
		var l redditListing
		l.Kind = "Listing"
		l.Data.Children = []redditThing{}
		for _, a := range s.w.search(srcReddit, r.URL.Query().Get("q"), searchLimit(r, 25, 100)) {
			l.Data.Children = append(l.Data.Children, redditThing{Kind: "t2", Data: newRedditUser(a)})
		}
		l.Data.Dist = len(l.Data.Children)
		writeJSONType(w, http.StatusOK, ctype, l)
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) != 3 || (parts[0] != "user" && parts[0] != "u") || parts[2] != "about.json" {
		writeJSONType(w, http.StatusNotFound, ctype, redditError{"Not Found", 404})
		return
	}
	a := s.w.lookup(srcReddit, parts[1])
	if a == nil {
		writeJSONType(w, http.StatusNotFound, ctype, redditError{"Not Found", 404})
		return
	}
	if a.suspended {
		var t redditSuspended
		t.Kind, t.Data.Name, t.Data.IsSuspended = "t2", a.username, true
		writeJSONType(w, http.StatusOK, ctype, t)
		return
	}
	writeJSONType(w, http.StatusOK, ctype, redditThing{Kind: "t2", Data: newRedditUser(a)})
}

func newRedditUser(a *account) redditUser {
	icon := redditIcon(a)
	id := redditID(a)
	created := float64(a.created.Unix())
	return redditUser{
		IconImg: icon, Name: a.username, ID: id, Verified: true, IsMod: hash64(a.username)%7 == 0,
		LinkKarma: a.linkKarma, CommentKarma: a.commentKarma, TotalKarma: a.linkKarma + a.commentKarma,
		Created: created, CreatedUTC: created, HasVerifiedEmail: true, AcceptFollowers: true, HasSubscribed: true,
		Subreddit: &redditSubreddit{
			DisplayName: "u_" + a.username, DisplayNamePrefixed: "u/" + a.username, Title: a.name,
			PublicDescription: a.bio, IconImg: icon, Subscribers: a.followers,
			SubredditType: "user", URL: "/user/" + a.username + "/", Name: "t5_" + id,
		},
	}
}
