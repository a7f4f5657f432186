package evaluate

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"github.com/footprint-oss/footprint/enrichers/names"
)

// Miss is one account that identity resolution got wrong at a threshold:
// a true account returned below it or not found at all, or someone else's
// account returned at or above it.
type Miss struct {
	// Person is the index of the person in the run.
	Person   int    `json:"person"`
	Source   string `json:"source"`
	Username string `json:"username"`
	// Kind is "below" (a true account found, below the threshold),
	// "not_found" (a true account no source returned) or "wrong" (someone
	// else's account at or above the threshold).
	Kind string `json:"kind"`
	// Handle says how the username relates to what the request gave:
	// "local" (the email's local part, up to separators), "name" (a
	// variant built from the supplied name), "name+digits" (such a variant
	// with digits added), "name+local's digits" (with the digits the local
	// part ends in), "digits" (other letters with digits) or "other".
	Handle string `json:"handle"`
	// Probability, Method, Origin (the source that produced the identifier
	// it was found from) and Evidence are those of the returned account
	// (empty for not_found).
	Probability float64  `json:"probability,omitempty"`
	Method      string   `json:"method,omitempty"`
	Origin      string   `json:"origin,omitempty"`
	Evidence    []string `json:"evidence,omitempty"`
}

// Misses lists the accounts that identity resolution got wrong at
// threshold, for studying where recall and precision are lost. Failed
// lookups are left out. Usernames and names only: no email address or
// phone number is copied into a Miss.
func Misses(outs []Outcome, threshold float64) []Miss {
	var out []Miss
	for i, o := range outs {
		if o.Err != nil || o.Profile == nil {
			continue
		}
		local := ""
		if e := o.Profile.Subject.Email; e != nil {
			local, _, _ = strings.Cut(e.Address, "@")
		}
		truth := map[string]bool{}
		for _, a := range o.Person.Truth.Accounts {
			truth[Key(a.Source, a.Username)] = true
		}
		found := map[string]int{}
		for j, a := range o.Profile.Accounts {
			k := Key(a.Source, a.Username)
			if _, dup := found[k]; !dup {
				found[k] = j
			}
		}
		miss := func(kind, source, username string, j int) Miss {
			m := Miss{Person: i, Source: source, Username: username, Kind: kind, Handle: HandleKind(username, local, o.Person.Name)}
			if j >= 0 {
				a := o.Profile.Accounts[j]
				m.Method, m.Origin = string(a.Method), a.Via.Origin
				if a.Match != nil {
					m.Probability, m.Evidence = a.Match.Probability, a.Match.Evidence
				}
			}
			return m
		}
		for _, a := range o.Person.Truth.Accounts {
			j, ok := found[Key(a.Source, a.Username)]
			switch {
			case !ok:
				out = append(out, miss("not_found", a.Source, a.Username, -1))
			case o.Profile.Accounts[j].Match == nil || o.Profile.Accounts[j].Match.Probability < threshold:
				out = append(out, miss("below", a.Source, a.Username, j))
			}
		}
		for k, j := range found {
			a := o.Profile.Accounts[j]
			if !truth[k] && a.Match != nil && a.Match.Probability >= threshold {
				out = append(out, miss("wrong", a.Source, a.Username, j))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Person != out[j].Person {
			return out[i].Person < out[j].Person
		}
		return out[i].Source+out[i].Username < out[j].Source+out[j].Username
	})
	return out
}

// HandleKind classifies a username against the email's local part and the
// supplied name (see Miss.Handle).
func HandleKind(username, local, name string) string {
	key := func(s string) string {
		s = strings.ToLower(s)
		s = strings.TrimSuffix(s, ".bsky.social")
		if i := strings.IndexByte(s, '@'); i > 0 {
			s = s[:i]
		}
		return strings.Map(func(r rune) rune {
			if r == '.' || r == '_' || r == '-' {
				return -1
			}
			return r
		}, s)
	}
	u := key(username)
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if local != "" && u == key(local) {
		return "local"
	}
	letters := strings.TrimRightFunc(u, unicode.IsDigit)
	digits := u[len(letters):]
	nameDigits := "name+digits"
	if digits != "" && strings.HasSuffix(local, digits) {
		nameDigits = "name+local's digits" // the email shows them
	}
	for _, v := range names.Variants(name) {
		switch key(v) {
		case u:
			return "name"
		case letters:
			return nameDigits
		}
	}
	if toks := names.Tokens(name); len(toks) > 0 && digits != "" && letters == toks[0] {
		return nameDigits // a first name with digits (jane91)
	}
	if letters != u {
		return "digits"
	}
	return "other"
}

// WriteMissBreakdown prints how many misses of each kind there are by
// source, by how the username relates to the request, and (for accounts
// that were returned) by discovery method and origin.
func WriteMissBreakdown(w io.Writer, ms []Miss) {
	type key struct{ kind, dim, val string }
	counts := map[key]int{}
	kinds := map[string]int{}
	for _, m := range ms {
		kinds[m.Kind]++
		counts[key{m.Kind, "source", m.Source}]++
		counts[key{m.Kind, "handle", m.Handle}]++
		if m.Kind != "not_found" {
			method := m.Method
			if method == "username_guess" && m.Origin != "" {
				method += " via " + m.Origin
			}
			counts[key{m.Kind, "method", method}]++
		}
	}
	for _, kind := range []string{"below", "not_found", "wrong"} {
		fmt.Fprintf(w, "  %s: %d\n", kind, kinds[kind])
		for _, dim := range []string{"source", "handle", "method"} {
			var vals []string
			for k := range counts {
				if k.kind == kind && k.dim == dim {
					vals = append(vals, k.val)
				}
			}
			if len(vals) == 0 {
				continue
			}
			sort.Slice(vals, func(i, j int) bool {
				ci, cj := counts[key{kind, dim, vals[i]}], counts[key{kind, dim, vals[j]}]
				if ci != cj {
					return ci > cj
				}
				return vals[i] < vals[j]
			})
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprintf("%s %d", v, counts[key{kind, dim, v}])
			}
			fmt.Fprintf(w, "    by %-6s %s\n", dim+":", strings.Join(parts, ", "))
		}
	}
}
