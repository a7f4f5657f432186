package sim

import (
	"net/http"
	"strings"
	"time"
)

// bskyProfile is an app.bsky.actor.defs#profileViewDetailed (getProfile,
// with the counts) or #profileView (searchActors, without them). Handle is
// the full handle ("owen.bsky.social" or a custom domain), as Bluesky names
// accounts.
type bskyProfile struct {
	DID            string         `json:"did"`
	Handle         string         `json:"handle"`
	DisplayName    string         `json:"displayName"`
	Avatar         string         `json:"avatar,omitempty"` // absent without one
	Associated     bskyAssociated `json:"associated"`
	Labels         []any          `json:"labels"`
	CreatedAt      string         `json:"createdAt"`
	Description    string         `json:"description"`
	IndexedAt      string         `json:"indexedAt"`
	FollowersCount *int64         `json:"followersCount,omitempty"`
	FollowsCount   *int64         `json:"followsCount,omitempty"`
	PostsCount     *int64         `json:"postsCount,omitempty"`
}

type bskyAssociated struct {
	Lists        int               `json:"lists"`
	Feedgens     int               `json:"feedgens"`
	StarterPacks int               `json:"starterPacks"`
	Labeler      bool              `json:"labeler"`
	Chat         map[string]string `json:"chat"`
}

// bskySearch is app.bsky.actor.searchActors.
type bskySearch struct {
	Actors []bskyProfile `json:"actors"`
}

// bskyError is an XRPC error body.
type bskyError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

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
		res := bskySearch{Actors: []bskyProfile{}}
		for _, a := range s.w.search(srcBluesky, q, searchLimit(r, 25, 100)) {
			res.Actors = append(res.Actors, newBskyProfile(a, false))
		}
		writeJSON(w, http.StatusOK, res)
		return
	default:
		writeJSON(w, http.StatusNotFound, bskyError{"NotFound", "Not Found"})
		return
	}
	actor := strings.ToLower(strings.TrimPrefix(r.URL.Query().Get("actor"), "@"))
	if actor == "" {
		writeJSON(w, http.StatusBadRequest, bskyError{"InvalidRequest", `Error: Params must have the property "actor"`})
		return
	}
	var a *account
	if strings.HasPrefix(actor, "did:") {
		a = s.w.bskyByDID[actor]
		if a == nil {
			a = s.w.strangerByDID(actor)
		}
	} else {
		a = s.w.lookup(srcBluesky, actor)
	}
	if a == nil {
		writeJSON(w, http.StatusBadRequest, bskyError{"InvalidRequest", "Profile not found"})
		return
	}
	writeJSON(w, http.StatusOK, newBskyProfile(a, true))
}

func newBskyProfile(a *account, detailed bool) bskyProfile {
	desc := a.bio
	for _, t := range a.hashtags {
		desc += " #" + t
	}
	for _, l := range a.links {
		desc += "\n" + strings.TrimPrefix(l.url, "https://")
	}
	p := bskyProfile{
		DID: a.did, Handle: a.username, DisplayName: a.name, Avatar: bskyAvatar(a),
		Associated: bskyAssociated{Chat: map[string]string{"allowIncoming": "following"}},
		Labels:     []any{}, CreatedAt: a.created.UTC().Format("2006-01-02T15:04:05.000Z"),
		Description: strings.TrimSpace(desc), IndexedAt: a.created.Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	if detailed {
		p.FollowersCount, p.FollowsCount, p.PostsCount = &a.followers, &a.following, &a.posts
	}
	return p
}
