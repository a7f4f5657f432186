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

// suggest returns the provider domain the typed domain is most likely a
// typo of: within Damerau-Levenshtein distance 1 (2 for long names with the
// same first letter), or
// the same name with a mistyped TLD (gmail.con, gmail.co).
func suggest(domain string) string {
	best, bestD := "", 3
	for _, p := range topProviders() {
		if diff := len(domain) - len(p); diff > 2 || diff < -2 {
			continue // cannot be within distance 2
		}
		d := osaDistance(domain, p)
		// Distance 2 only for long names that start alike: "yopmail.com"
		// is a real provider, not a typo of "hotmail.com".
		limit := 1
		if len(p) > 8 && domain[0] == p[0] {
			limit = 2
		}
		if d > 0 && d <= limit && d < bestD {
			best, bestD = p, d
		}
	}
	if best != "" {
		return best
	}
	name, tld, ok := strings.Cut(domain, ".")
	if !ok {
		return ""
	}
	for _, p := range topProviders() {
		pn, ptld, _ := strings.Cut(p, ".")
		if pn == name && ptld != tld && osaDistance(tld, ptld) <= 2 && !strings.Contains(tld, ".") {
			return p
		}
	}
	return ""
}

// osaDistance is the optimal-string-alignment Damerau-Levenshtein distance.
func osaDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
