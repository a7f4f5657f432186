package sim

import (
	"fmt"
	"net/http"
	"strings"
)

// keybaseLookup is GET /_/api/1.0/user/lookup.json: one entry of Them per
// asked username, null where there is none.
type keybaseLookup struct {
	Status keybaseStatus  `json:"status"`
	Them   []*keybaseUser `json:"them,omitempty"`
}

type keybaseStatus struct {
	Code int    `json:"code"`
	Name string `json:"name"`
	Desc string `json:"desc,omitempty"`
}

// keybaseUser carries the parts asked for with fields=.
type keybaseUser struct {
	ID            string                `json:"id"`
	Basics        *keybaseBasics        `json:"basics,omitempty"`
	Profile       *keybaseProfile       `json:"profile,omitempty"`
	ProofsSummary *keybaseProofsSummary `json:"proofs_summary,omitempty"`
	Pictures      *keybasePictures      `json:"pictures,omitempty"` // absent without a picture
}

// keybasePictures is the pictures part: the processed upload.
type keybasePictures struct {
	Primary keybasePicture `json:"primary"`
}

type keybasePicture struct {
	URL    string  `json:"url"`
	Source *string `json:"source"`
}

type keybaseBasics struct {
	Username      string `json:"username"`
	Ctime         int64  `json:"ctime"`
	Mtime         int64  `json:"mtime"`
	IDVersion     int    `json:"id_version"`
	TrackVersion  int    `json:"track_version"`
	LastIDChange  int64  `json:"last_id_change"`
	UsernameCased string `json:"username_cased"`
	Status        int    `json:"status"`
	Salt          string `json:"salt"`
	EldestSeqno   int    `json:"eldest_seqno"`
}

type keybaseProfile struct {
	Mtime    int64   `json:"mtime"`
	FullName *string `json:"full_name"`
	Location *string `json:"location"`
	Bio      *string `json:"bio"`
}

type keybaseProofsSummary struct {
	ByPresentationGroup map[string][]keybaseProof `json:"by_presentation_group"`
	BySigID             map[string]keybaseProof   `json:"by_sig_id"`
	All                 []keybaseProof            `json:"all"`
	HasWeb              bool                      `json:"has_web"`
}

type keybaseProof struct {
	ProofType         string `json:"proof_type"`
	Nametag           string `json:"nametag"`
	State             int    `json:"state"`
	ServiceURL        string `json:"service_url"`
	ProofURL          string `json:"proof_url"`
	SigID             string `json:"sig_id"`
	ProofID           string `json:"proof_id"`
	HumanURL          string `json:"human_url"`
	PresentationGroup string `json:"presentation_group"`
	PresentationTag   string `json:"presentation_tag"`
}

func newKeybaseProof(l profileLink, owner string) keybaseProof {
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
	return keybaseProof{
		ProofType: typ, Nametag: nametag, State: 1, ServiceURL: l.url,
		ProofURL: l.url, SigID: sig, ProofID: sig[:22],
		HumanURL: l.url, PresentationGroup: group, PresentationTag: tag,
	}
}

func (s *Sim) serveKeybase(w http.ResponseWriter, r *http.Request, rest string) {
	if rest != "/_/api/1.0/user/lookup.json" {
		writeJSON(w, http.StatusNotFound, keybaseLookup{Status: keybaseStatus{Code: 404, Name: "NOT_FOUND", Desc: "not found"}})
		return
	}
	q := r.URL.Query()
	names := strings.Split(q.Get("usernames"), ",")
	if q.Get("usernames") == "" {
		names = strings.Split(q.Get("username"), ",")
	}
	if len(names) == 1 && names[0] == "" {
		writeJSON(w, http.StatusOK, keybaseLookup{Status: keybaseStatus{Code: 100, Name: "INPUT_ERROR", Desc: "missing usernames"}})
		return
	}
	fields := map[string]bool{"basics": true, "profile": true, "proofs_summary": true, "pictures": true}
	if f := q.Get("fields"); f != "" {
		fields = map[string]bool{}
		for _, x := range strings.Split(f, ",") {
			fields[x] = true
		}
	}
	them := []*keybaseUser{}
	found := 0
	for _, n := range names {
		a := s.w.lookup(srcKeybase, strings.TrimSpace(n))
		if a == nil {
			them = append(them, nil)
			continue
		}
		found++
		them = append(them, newKeybaseUser(a, fields))
	}
	status := keybaseStatus{Code: 0, Name: "OK"}
	if found == 0 {
		status = keybaseStatus{Code: 205, Name: "NOT_FOUND", Desc: "Not found"}
	}
	w.Header().Set("X-Keybase-Api-Version", "1.0")
	writeJSON(w, http.StatusOK, keybaseLookup{Status: status, Them: them})
}

func newKeybaseUser(a *account, fields map[string]bool) *keybaseUser {
	ct := a.created.Unix()
	u := &keybaseUser{ID: fmt.Sprintf("%016x%014x19", hash64("kb", a.username), hash64(a.username)>>8)}
	if fields["basics"] {
		u.Basics = &keybaseBasics{
			Username: a.username, Ctime: ct, Mtime: ct + 86400*int64(hash64(a.username)%300),
			IDVersion: 5 + len(a.links)*2, TrackVersion: 3, LastIDChange: ct + 3600,
			UsernameCased: a.username, Salt: fmt.Sprintf("%016x%016x", hash64("salt", a.username), hash64(a.username, "salt")),
			EldestSeqno: 1,
		}
	}
	if fields["profile"] {
		u.Profile = &keybaseProfile{Mtime: ct + 7200, FullName: nullable(a.name), Location: nullable(a.location), Bio: nullable(a.bio)}
	}
	if pic := keybasePictureURL(a); fields["pictures"] && pic != "" {
		u.Pictures = &keybasePictures{Primary: keybasePicture{URL: pic}}
	}
	if fields["proofs_summary"] {
		ps := &keybaseProofsSummary{ByPresentationGroup: map[string][]keybaseProof{}, BySigID: map[string]keybaseProof{}, All: []keybaseProof{}}
		for _, l := range a.links {
			p := newKeybaseProof(l, a.username)
			ps.All = append(ps.All, p)
			ps.ByPresentationGroup[p.PresentationGroup] = append(ps.ByPresentationGroup[p.PresentationGroup], p)
			ps.BySigID[p.SigID] = p
			ps.HasWeb = ps.HasWeb || l.service == "website"
		}
		u.ProofsSummary = ps
	}
	return u
}
