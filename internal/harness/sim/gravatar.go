package sim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// gravatarProfile is a Gravatar REST v3 profile (GET /v3/profiles/{hash}).
type gravatarProfile struct {
	Hash             string             `json:"hash"`
	DisplayName      string             `json:"display_name"`
	ProfileURL       string             `json:"profile_url"`
	AvatarURL        string             `json:"avatar_url"`
	AvatarAltText    string             `json:"avatar_alt_text"`
	Location         string             `json:"location"`
	Description      string             `json:"description"`
	JobTitle         string             `json:"job_title"`
	Company          string             `json:"company"`
	VerifiedAccounts []gravatarVerified `json:"verified_accounts"`
	Pronunciation    string             `json:"pronunciation"`
	Pronouns         string             `json:"pronouns"`
}

// gravatarVerified is one entry of a profile's verified_accounts.
type gravatarVerified struct {
	ServiceType  string `json:"service_type"`
	ServiceLabel string `json:"service_label"`
	ServiceIcon  string `json:"service_icon"`
	URL          string `json:"url"`
	IsHidden     bool   `json:"is_hidden"`
}

// gravatarError is Gravatar's error body.
type gravatarError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func (s *Sim) serveGravatar(w http.ResponseWriter, _ *http.Request, rest string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-RateLimit-Limit", "100")
	h.Set("X-RateLimit-Remaining", "99")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.cfg.Now.Add(time.Hour).Unix(), 10))
	key, ok := strings.CutPrefix(rest, "/v3/profiles/")
	if !ok || key == "" || strings.Contains(key, "/") {
		writeJSON(w, http.StatusNotFound, gravatarError{Error: "Not Found", Code: "rest_no_route"})
		return
	}
	key = strings.ToLower(key)
	a := s.w.gravatar[key]
	if a == nil {
		a = s.w.lookup(srcGravatar, key)
	}
	if a == nil {
		writeJSON(w, http.StatusNotFound, gravatarError{Error: "Profile not found", Code: "not_found"})
		return
	}
	hash := sha256Hex(strings.ToLower(s.owner(a).Email))
	verified := []gravatarVerified{}
	for _, l := range a.links {
		t, label := l.service, map[string]string{srcGitHub: "GitHub", srcMastodon: "Mastodon", srcBluesky: "Bluesky", "twitter": "X"}[l.service]
		verified = append(verified, gravatarVerified{
			ServiceType: t, ServiceLabel: label, ServiceIcon: "https://gravatar.com/icons/" + t + ".svg", URL: l.url,
		})
	}
	name := a.name
	if name == "" {
		name = a.username
	}
	writeJSON(w, http.StatusOK, gravatarProfile{
		Hash: hash, DisplayName: name, ProfileURL: "https://gravatar.com/" + a.username,
		AvatarURL: "https://0.gravatar.com/avatar/" + hash,
		Location:  a.location, Description: a.bio, JobTitle: a.jobTitle, Company: a.company,
		VerifiedAccounts: verified,
	})
}
