package sim

// Name search, as the platforms that offer it keyless answer it: Bluesky's
// app.bsky.actor.searchActors, Mastodon's /api/v2/search (accounts, no
// resolve) and Reddit's /users/search.json. Each matches a query's words
// against display names (in any order, accents folded) and the query run
// together against the start of handles — the way a person's own account
// and every namesake's come back alike. Results are ordered exact names
// first, then by followers, as relevance-ranked searches roughly are.

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// searchIndex lists each searchable platform's accounts in a fixed order
// (by username), so a search is deterministic, with the words of their
// names and their folded handles read once.
type searchIndex map[string][]indexed

type indexed struct {
	a      *account
	words  []string // nameWords(a.name)
	handle string   // fold(a.username)
}

func buildSearchIndex(w *world) searchIndex {
	idx := searchIndex{}
	for _, src := range []string{srcBluesky, srcMastodon, srcReddit} {
		var as []indexed
		for _, a := range w.accounts[src] {
			if !a.suspended {
				as = append(as, indexed{a: a, words: nameWords(a.name), handle: fold(a.username)})
			}
		}
		slices.SortFunc(as, func(x, y indexed) int { return strings.Compare(x.a.username, y.a.username) })
		idx[src] = as
	}
	return idx
}

// nameWords splits a name or query into folded words.
func nameWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '.' || r == '_' || r == ',' }) {
		if w := fold(f); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// search returns up to limit accounts on src matching q.
func (w *world) search(src, q string, limit int) []*account {
	qw := nameWords(q)
	if len(qw) == 0 {
		return nil
	}
	joined := strings.Join(qw, "")
	type hit struct {
		a     *account
		exact bool
	}
	var hits []hit
	for _, e := range w.index[src] {
		all := true
		for _, x := range qw {
			if !slices.Contains(e.words, x) {
				all = false
				break
			}
		}
		if all || strings.HasPrefix(e.handle, joined) {
			hits = append(hits, hit{e.a, all && len(e.words) == len(qw)})
		}
	}
	slices.SortStableFunc(hits, func(x, y hit) int {
		if x.exact != y.exact {
			if x.exact {
				return -1
			}
			return 1
		}
		return cmp.Compare(y.a.followers+y.a.karma, x.a.followers+x.a.karma)
	})
	out := make([]*account, 0, min(limit, len(hits)))
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		out = append(out, h.a)
	}
	return out
}

// searchLimit reads a limit parameter: def when absent, clamped to [1, max].
func searchLimit(r *http.Request, def, maxN int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n < 1 {
		return def
	}
	return min(n, maxN)
}
