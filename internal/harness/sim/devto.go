package sim

import (
	"net/http"
)

// devtoUser is dev.to's GET /api/users/by_username.
type devtoUser struct {
	TypeOf          string  `json:"type_of"`
	ID              int64   `json:"id"`
	Username        string  `json:"username"`
	Name            string  `json:"name"`
	TwitterUsername *string `json:"twitter_username"`
	GitHubUsername  *string `json:"github_username"`
	Summary         *string `json:"summary"`
	Location        string  `json:"location"`
	WebsiteURL      *string `json:"website_url"`
	JoinedAt        string  `json:"joined_at"`
	ProfileImage    string  `json:"profile_image"`
}

// devtoError is dev.to's error body.
type devtoError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

func (s *Sim) serveDevTo(w http.ResponseWriter, r *http.Request, rest string) {
	if rest != "/api/users/by_username" {
		writeJSON(w, http.StatusNotFound, devtoError{"not found", 404})
		return
	}
	a := s.w.lookup(srcDevTo, r.URL.Query().Get("url"))
	if a == nil {
		writeJSON(w, http.StatusNotFound, devtoError{"not found", 404})
		return
	}
	var gh, tw *string
	website := ""
	for _, l := range a.links {
		switch l.service {
		case srcGitHub:
			gh = &l.username
		case "twitter":
			tw = &l.username
		case "website":
			website = l.url
		}
	}
	id := devtoID(a)
	name := a.name
	if name == "" {
		name = a.username
	}
	writeJSON(w, http.StatusOK, devtoUser{
		TypeOf: "user", ID: id, Username: a.username, Name: name,
		TwitterUsername: tw, GitHubUsername: gh, Summary: nullable(a.bio), Location: a.location,
		WebsiteURL: nullable(website), JoinedAt: a.created.Format("Jan 2, 2006"),
		ProfileImage: devtoImage(a),
	})
}
