package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// hibpBreach is one breach of GET /api/v3/breachedaccount/{email} with
// truncateResponse=false.
type hibpBreach struct {
	Name               string   `json:"Name"`
	Title              string   `json:"Title"`
	Domain             string   `json:"Domain"`
	BreachDate         string   `json:"BreachDate"`
	AddedDate          string   `json:"AddedDate"`
	ModifiedDate       string   `json:"ModifiedDate"`
	PwnCount           int      `json:"PwnCount"`
	Description        string   `json:"Description"`
	LogoPath           string   `json:"LogoPath"`
	DataClasses        []string `json:"DataClasses"`
	IsVerified         bool     `json:"IsVerified"`
	IsFabricated       bool     `json:"IsFabricated"`
	IsSensitive        bool     `json:"IsSensitive"`
	IsRetired          bool     `json:"IsRetired"`
	IsSpamList         bool     `json:"IsSpamList"`
	IsMalware          bool     `json:"IsMalware"`
	IsSubscriptionFree bool     `json:"IsSubscriptionFree"`
	IsStealerLog       bool     `json:"IsStealerLog"`
}

// hibpBreachName is one breach of a truncated response (the default).
type hibpBreachName struct {
	Name string `json:"Name"`
}

// hibpError is HIBP's error body.
type hibpError struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

func (s *Sim) serveHIBP(w http.ResponseWriter, r *http.Request, rest string) {
	email, ok := strings.CutPrefix(rest, "/api/v3/breachedaccount/")
	if !ok || email == "" {
		http.NotFound(w, nil)
		return
	}
	if r.Header.Get("hibp-api-key") == "" {
		writeJSON(w, http.StatusUnauthorized, hibpError{401, "Access denied due to missing hibp-api-key."})
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
	if r.URL.Query().Get("truncateResponse") != "false" {
		out := []hibpBreachName{}
		for _, b := range list {
			out = append(out, hibpBreachName{b.name})
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	out := []hibpBreach{}
	for _, b := range list {
		out = append(out, hibpBreach{
			Name: b.name, Title: b.title, Domain: b.domain, BreachDate: b.date.Format("2006-01-02"),
			AddedDate: jsonTime(b.added), ModifiedDate: jsonTime(b.added), PwnCount: b.pwn,
			Description: fmt.Sprintf("In %s, %s suffered a data breach that exposed %d accounts.", b.date.Format("January 2006"), b.title, b.pwn),
			LogoPath:    "https://logos.haveibeenpwned.com/" + b.name + ".png",
			DataClasses: b.classes, IsVerified: true,
		})
	}
	writeJSON(w, http.StatusOK, out)
}
