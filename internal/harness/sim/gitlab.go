package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// gitlabBasicUser is GitLab's UserBasic (GET /api/v4/users?username=).
type gitlabBasicUser struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	State     string `json:"state"`
	Locked    bool   `json:"locked"`
	AvatarURL string `json:"avatar_url"`
	WebURL    string `json:"web_url"`
}

// gitlabUser is GitLab's public user (GET /api/v4/users/{id}).
type gitlabUser struct {
	gitlabBasicUser
	CreatedAt       string  `json:"created_at"`
	Bio             string  `json:"bio"`
	Location        string  `json:"location"`
	PublicEmail     string  `json:"public_email"`
	Skype           string  `json:"skype"`
	Linkedin        string  `json:"linkedin"`
	Twitter         string  `json:"twitter"`
	Discord         string  `json:"discord"`
	WebsiteURL      string  `json:"website_url"`
	Organization    string  `json:"organization"`
	JobTitle        string  `json:"job_title"`
	Pronouns        *string `json:"pronouns"`
	Bot             bool    `json:"bot"`
	WorkInformation *string `json:"work_information"`
	Followers       int64   `json:"followers"`
	Following       int64   `json:"following"`
	LocalTime       *string `json:"local_time"`
}

// gitlabError is GitLab's error body: {"error": ...} for an unknown route,
// {"message": ...} for an unknown user.
type gitlabError struct {
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

func (s *Sim) serveGitLab(w http.ResponseWriter, r *http.Request, rest string) {
	h := w.Header()
	h.Set("RateLimit-Limit", "2000")
	h.Set("RateLimit-Remaining", "1999")
	h.Set("RateLimit-Observed", "1")
	if rest == "/api/v4/users" {
		out := []gitlabBasicUser{}
		if a := s.w.lookup(srcGitLab, r.URL.Query().Get("username")); a != nil {
			out = append(out, newGitLabBasic(a))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	idStr, ok := strings.CutPrefix(rest, "/api/v4/users/")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil {
		writeJSON(w, http.StatusNotFound, gitlabError{Error: "404 Not Found"})
		return
	}
	a := s.w.gitlabByID[id]
	if a == nil {
		a = s.w.strangerByID(srcGitLab, id)
	}
	if a == nil {
		writeJSON(w, http.StatusNotFound, gitlabError{Message: "404 User Not Found"})
		return
	}
	website, twitter := "", ""
	for _, l := range a.links {
		if l.service == "twitter" {
			twitter = l.username
		} else if website == "" {
			website = l.url
		}
	}
	work := a.jobTitle
	switch {
	case work != "" && a.company != "":
		work += " at " + a.company
	case work == "":
		work = a.company
	}
	writeJSON(w, http.StatusOK, gitlabUser{
		gitlabBasicUser: newGitLabBasic(a),
		CreatedAt:       a.created.UTC().Format("2006-01-02T15:04:05.000Z"),
		Bio:             a.bio, Location: a.location, PublicEmail: a.email, Twitter: twitter,
		WebsiteURL: website, Organization: a.company, JobTitle: a.jobTitle,
		WorkInformation: nullable(work), Followers: a.followers, Following: a.following,
	})
}

func newGitLabBasic(a *account) gitlabBasicUser {
	return gitlabBasicUser{
		ID: a.id, Username: a.username, Name: a.name, State: "active",
		AvatarURL: gitlabAvatarURL(a),
		WebURL:    "https://gitlab.com/" + a.username,
	}
}
