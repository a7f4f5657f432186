package scoring

import (
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers/personname"
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
// accounts at or above FootprintMatch: the best account's
// personname.Similarity (the comparator identity resolution uses too).
// Display names that are just the username are skipped. nil without a
// supplied name or a found name.
func nameMatch(ev Evidence, p Params) *float64 {
	if personname.WordCount(ev.Name) == 0 {
		return nil
	}
	var best *float64
	for _, a := range ev.accounts() {
		if a.m < p.Risk.FootprintMatch {
			continue
		}
		if personname.WordCount(a.DisplayName) == 0 || personname.SpellsUsername(a.DisplayName, strings.TrimSuffix(a.Username, ".bsky.social")) {
			continue
		}
		s := round4(personname.Similarity(a.DisplayName, ev.Name))
		if best == nil || s > *best {
			best = &s
		}
	}
	return best
}
