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

// searchIndex holds each searchable platform's population accounts (and
// the strangers stored whole) in a fixed order (by username), with the
// words of their names and their folded handles read once, indexed by word
// and by handle. The background's strangers have their own postings
// (strangers.go); a search asks both.
type searchIndex map[string]*popIndex

type popIndex struct {
	entries []indexed
	words   map[string][]int32 // folded word → entries (ascending)
	handles []int32            // entries by folded handle
	exact   map[uint64][]int   // nameKey of the display name → owners
}

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
		ix := &popIndex{entries: as, words: map[string][]int32{}, exact: map[uint64][]int{}}
		for i, e := range as {
			for _, x := range uniq(e.words) {
				ix.words[x] = append(ix.words[x], int32(i))
			}
			ix.handles = append(ix.handles, int32(i))
			if len(e.words) > 0 {
				k := nameKey(e.words)
				ix.exact[k] = append(ix.exact[k], e.a.owner)
			}
		}
		slices.SortStableFunc(ix.handles, func(x, y int32) int { return strings.Compare(as[x].handle, as[y].handle) })
		idx[src] = ix
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

// search returns up to limit accounts on src matching q: every word of q
// in the display name (in any order, accents folded), or q run together
// starting the folded handle. Exact names come first, then the most
// followed, then by username.
func (w *world) search(src, q string, limit int) []*account {
	qw := nameWords(q)
	if len(qw) == 0 {
		return nil
	}
	joined := strings.Join(qw, "")
	type hit struct {
		a        *account // nil for a background stranger until chosen
		stranger uint32
		username string
		reach    int64
		exact    bool
	}
	var hits []hit
	if ix := w.index[src]; ix != nil {
		for i, exact := range ix.find(qw, joined) {
			a := ix.entries[i].a
			hits = append(hits, hit{a: a, username: a.username, reach: a.followers + a.karma, exact: exact})
		}
	}
	k := platformIndex(src)
	for i, exact := range w.searchStrangers(src, qw, joined) {
		c := w.strangerCore(i)
		a := w.strangerReach(w.deriver(i, src), &c, src)
		hits = append(hits, hit{stranger: i, username: w.strangerUsername(&c, k), reach: a.followers + a.karma, exact: exact})
	}
	slices.SortFunc(hits, func(x, y hit) int {
		if x.exact != y.exact {
			if x.exact {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(y.reach, x.reach); c != 0 {
			return c
		}
		return strings.Compare(x.username, y.username)
	})
	out := make([]*account, 0, min(limit, len(hits)))
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		if h.a == nil {
			h.a = w.strangerAccount(h.stranger, k)
		}
		out = append(out, h.a)
	}
	return out
}

// find returns the entries matching qw by name or joined by handle prefix,
// with whether the name is exactly qw.
func (ix *popIndex) find(qw []string, joined string) map[int32]bool {
	hits := map[int32]bool{}
	intersect(qw, ix.words, func(i int32) { hits[i] = len(ix.entries[i].words) == len(qw) })
	lo, _ := slices.BinarySearchFunc(ix.handles, joined, func(e int32, t string) int { return strings.Compare(ix.entries[e].handle, t) })
	for _, e := range ix.handles[lo:] {
		if !strings.HasPrefix(ix.entries[e].handle, joined) {
			break
		}
		if _, ok := hits[e]; !ok {
			hits[e] = false
		}
	}
	return hits
}

// intersect calls hit for every entry that every word's postings list
// (sorted) holds, walking the shortest list and binary-searching the rest.
func intersect[T cmp.Ordered](qw []string, postings map[string][]T, hit func(T)) {
	lists := make([][]T, 0, len(qw))
	for _, x := range qw {
		lists = append(lists, postings[x])
	}
	slices.SortFunc(lists, func(a, b []T) int { return cmp.Compare(len(a), len(b)) })
	for _, i := range lists[0] {
		all := true
		for _, l := range lists[1:] {
			if _, ok := slices.BinarySearch(l, i); !ok {
				all = false
				break
			}
		}
		if all {
			hit(i)
		}
	}
}

// searchLimit reads a limit parameter: def when absent, clamped to [1, max].
func searchLimit(r *http.Request, def, maxN int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n < 1 {
		return def
	}
	return min(n, maxN)
}
