package email

import "strings"

// topProviders are the big mailbox providers typos are checked against.
func topProviders() []string {
	return []string{
		"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "icloud.com",
		"me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru", "protonmail.com", "proton.me",
		"comcast.net", "orange.fr", "free.fr", "wanadoo.fr", "laposte.net", "libero.it", "t-online.de", "btinternet.com",
		"yahoo.co.uk", "hotmail.co.uk", "hotmail.fr", "verizon.net", "att.net", "sbcglobal.net", "qq.com", "163.com",
	}
}

// typoTarget is one provider, split once.
type typoTarget struct {
	domain, name, tld string
	hist              histogram
}

// histogram counts a string's bytes, by their low six bits (merging
// buckets only lowers the bound below).
type histogram [64]uint8

func histogramOf(s string) (h histogram) {
	for i := 0; i < len(s); i++ {
		h[s[i]&63]++
	}
	return h
}

// minEdits is a lower bound of the edit distance of two strings from
// their histograms: an insertion or a deletion changes the counts by one,
// a substitution by two, a transposition not at all.
func minEdits(a, b *histogram) int {
	d := 0
	for i := range a {
		if a[i] > b[i] {
			d += int(a[i] - b[i])
		} else {
			d += int(b[i] - a[i])
		}
	}
	return (d + 1) / 2
}

// typoTargets are the providers a typo hint may point to, prepared once.
type typoTargets []typoTarget

func newTypoTargets(providers []string) typoTargets {
	t := make(typoTargets, 0, len(providers))
	for _, p := range providers {
		name, tld, _ := strings.Cut(p, ".")
		t = append(t, typoTarget{domain: p, name: name, tld: tld, hist: histogramOf(p)})
	}
	return t
}

// minEditName is the shortest provider name (the label before the first
// dot) an edit-distance hint may point to: one edit turns al.com into
// aol.com and gq.com into qq.com, real domains both. Shorter names get
// only the mistyped-TLD hint (aol.cm → aol.com).
const minEditName = 4

// suggest returns the provider domain the typed domain is most likely a
// typo of: within Damerau-Levenshtein distance 1 (2 for long names with the
// same first letter), or the same name with a mistyped TLD (gmail.con,
// gmail.co). The caller has ruled out domains known to receive mail.
func (t typoTargets) suggest(domain string) string {
	best, bestD := "", 3
	h := histogramOf(domain)
	for i := range t {
		p := &t[i]
		if len(p.name) < minEditName {
			continue // too short to guess
		}
		// Distance 2 only for long names that start alike: "yopmail.com"
		// is a real provider, not a typo of "hotmail.com".
		limit := 1
		if len(p.domain) > 8 && domain[0] == p.domain[0] {
			limit = 2
		}
		if diff := len(domain) - len(p.domain); diff > limit || diff < -limit {
			continue // the lengths alone are further apart than limit
		}
		if minEdits(&h, &p.hist) > limit {
			continue // so are the letters
		}
		if d := osaDistance(domain, p.domain, limit); d > 0 && d <= limit && d < bestD {
			best, bestD = p.domain, d
		}
	}
	if best != "" {
		return best
	}
	name, tld, ok := strings.Cut(domain, ".")
	if !ok || strings.Contains(tld, ".") {
		return ""
	}
	for i := range t {
		p := &t[i]
		if p.name == name && p.tld != tld && osaDistance(tld, p.tld, 2) <= 2 {
			return p.domain
		}
	}
	return ""
}

// maxTypoLen bounds the strings osaDistance compares on the stack.
const maxTypoLen = 32

// osaDistance is the optimal-string-alignment Damerau-Levenshtein distance
// of two byte strings, or some value above limit once it must exceed it.
// It does not allocate.
func osaDistance(a, b string, limit int) int {
	if len(a) > maxTypoLen || len(b) > maxTypoLen {
		return limit + 1
	}
	var rows [3][maxTypoLen + 1]uint8 // distances are at most maxTypoLen
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = uint8(j)
	}
	lim := uint8(limit)
	prevMin := uint8(0)
	for i := 1; i <= len(a); i++ {
		cur[0] = uint8(i)
		rowMin := uint8(i)
		for j := 1; j <= len(b); j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			c := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, prev2[j-2]+1)
			}
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		// Every later cell is at least this row's minimum, or the one
		// before's plus one (a transposition reaches back two rows).
		if rowMin > lim && prevMin >= lim {
			return limit + 1
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[len(b)])
}
