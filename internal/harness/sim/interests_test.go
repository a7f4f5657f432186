package sim

import (
	"slices"
	"strings"
	"testing"
)

// TestInterestsNoisy checks that account content reflects true interests
// often but not always, and non-interests sometimes: the property
// calibration of interest probabilities depends on.
func TestInterestsNoisy(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 5})
	vocab := vocabulary()
	// mentions reports whether account content mentions category c.
	mentions := func(a *account, c string) bool {
		v := vocab[c]
		text := strings.ToLower(a.bio)
		for _, w := range v.words[a.lang] {
			if strings.Contains(text, strings.ToLower(w)) {
				return true
			}
		}
		for _, h := range a.hashtags {
			if slices.Contains(v.hashtags, h) {
				return true
			}
		}
		for _, r := range a.repos {
			for _, tp := range r.topics {
				if slices.Contains(v.topics, tp) {
					return true
				}
			}
		}
		return false
	}
	var trueHit, trueN, noiseHit, noiseN int
	for _, p := range s.People() {
		for _, ref := range p.Truth.Accounts {
			a := s.w.lookup(ref.Source, ref.Username)
			for c := range vocab {
				if slices.Contains(p.Truth.Interests, c) {
					trueN++
					if mentions(a, c) {
						trueHit++
					}
				} else {
					noiseN++
					if mentions(a, c) {
						noiseHit++
					}
				}
			}
		}
	}
	pt, pn := float64(trueHit)/float64(trueN), float64(noiseHit)/float64(noiseN)
	t.Logf("P(content mentions interest | true) = %.2f, | not an interest) = %.3f", pt, pn)
	if pt < 0.25 || pt > 0.8 {
		t.Errorf("true interests mentioned in %.2f of accounts, want a noisy majority-ish share", pt)
	}
	if pn <= 0 || pn > pt/4 {
		t.Errorf("non-interests mentioned in %.3f of accounts (true: %.2f)", pn, pt)
	}
}
