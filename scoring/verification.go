package scoring

import (
	"strings"
	"time"
)

// VerificationResult is what the evidence confirms about the supplied
// identifiers; nil means unknown (the source is missing or failed).
type VerificationResult struct {
	EmailDeliverable *bool `json:"email_deliverable"`
	PhoneValid       *bool `json:"phone_valid"`
	// NameMatch ∈ [0,1]: how well the supplied name matches the names on
	// the subject's accounts (best account); only when a name was supplied
	// and a name was found.
	NameMatch *float64 `json:"name_match"`
	// FirstSeen is the oldest trace: account creation or first breach.
	FirstSeen *time.Time `json:"first_seen"`
}

// Verification checks the supplied identifiers against the evidence with
// DefaultParams' source names and footprint threshold.
func Verification(ev Evidence, now time.Time) VerificationResult {
	return VerificationWith(ev, DefaultParams(), now)
}

// VerificationWith is Verification with explicit Params.
func VerificationWith(ev Evidence, p Params, now time.Time) VerificationResult {
	var v VerificationResult
	e, d := ev.email(p), ev.dns(p)
	switch {
	case e != nil && !e.Valid:
		v.EmailDeliverable = boolPtr(false)
	case d != nil && (d.NullMX || !d.HasMX):
		v.EmailDeliverable = boolPtr(false)
	case e != nil && d != nil:
		v.EmailDeliverable = boolPtr(true)
	}
	if ph := ev.phone(p); ph != nil {
		v.PhoneValid = boolPtr(ph.Valid)
	}
	v.NameMatch = nameMatch(ev, p)
	v.FirstSeen = firstSeen(ev, p, now)
	return v
}

func boolPtr(b bool) *bool { return &b }

// firstSeen is the oldest account creation (accounts at or above
// FootprintMatch) or first breach, ignoring dates after now.
func firstSeen(ev Evidence, p Params, now time.Time) *time.Time {
	var first *time.Time
	consider := func(t *time.Time) {
		if t == nil || t.IsZero() || t.After(now) {
			return
		}
		if first == nil || t.Before(*first) {
			tt := t.UTC()
			first = &tt
		}
	}
	for _, a := range ev.accounts() {
		if a.m >= p.Risk.FootprintMatch {
			consider(a.CreatedAt)
		}
	}
	if br, ok := ev.breach(p); ok {
		consider(br.FirstBreach)
	}
	return first
}

// nameMatch compares the supplied name with the display names of the
// accounts at or above FootprintMatch: the best account's share of the
// supplied name's words found in its display name (exact word 1, one typo
// in a word of 5+ letters 0.8, an initial 0.5). Display names that are just
// the username are skipped. nil without a supplied name or a found name.
func nameMatch(ev Evidence, p Params) *float64 {
	want := normWords(ev.Name)
	if len(want) == 0 {
		return nil
	}
	var best *float64
	for _, a := range ev.accounts() {
		if a.m < p.Risk.FootprintMatch {
			continue
		}
		got := normWords(a.DisplayName)
		if len(got) == 0 || (len(got) == 1 && strings.EqualFold(got[0], strings.Join(normWords(strings.TrimSuffix(a.Username, ".bsky.social")), ""))) {
			continue
		}
		s := NameSimilarity(want, got)
		if best == nil || s > *best {
			best = &s
		}
	}
	return best
}

// NameSimilarity scores how much of the words of want appear in got
// (both normalized words), in [0,1].
func NameSimilarity(want, got []string) float64 {
	if len(want) == 0 {
		return 0
	}
	var sum float64
	for _, w := range want {
		var b float64
		for _, g := range got {
			switch {
			case w == g:
				b = 1
			case len(w) >= 5 && len(g) >= 5 && editDistance1(w, g):
				b = max(b, 0.8)
			case len(g) == 1 && strings.HasPrefix(w, g):
				b = max(b, 0.5)
			}
		}
		sum += b
	}
	return round4(sum / float64(len(want)))
}

// editDistance1 reports whether a and b differ by at most one insertion,
// deletion or substitution.
func editDistance1(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i, j, diff := 0, 0, 0
	for i < len(ra) && j < len(rb) {
		if ra[i] == rb[j] {
			i++
			j++
			continue
		}
		diff++
		if diff > 1 {
			return false
		}
		if len(ra) == len(rb) {
			j++
		}
		i++
	}
	return diff+(len(ra)-i) <= 1
}
