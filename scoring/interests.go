package scoring

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Interest is one category with the probability that the subject is
// interested in it, and the signals that moved it away from its prior.
type Interest struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Probability float64        `json:"probability"`
	Evidence    []Contribution `json:"evidence"`
}

// Contribution is one signal's share of a score, in log-odds (interests,
// risk) or follower equivalents (influence).
type Contribution struct {
	Source       string  `json:"source"`
	Account      string  `json:"account,omitempty"`
	Signal       string  `json:"signal"`
	Contribution float64 `json:"contribution"`
	// Weight is what the signal counted with: the match probability of
	// the account it was read on (the company's attribution for a
	// company signal); 0 (omitted) for signals of the request itself.
	Weight float64 `json:"weight,omitempty"`
}

// signal is one piece of interest evidence before weighting.
type signal struct {
	source, account, name string
	kind                  string
	cat                   string
	e                     float64 // strength × match probability
	w                     float64 // the match probability (the weight)
}

// numKinds is len(InterestKinds()).
const numKinds = 6

// interestState is the evidence of one category.
type interestState struct {
	e       [numKinds]float64 // by kind, in InterestKinds order
	signals []signal
	absence []signal // kind "" ; e = match × source informativeness
}

// collect gathers every interest signal of ev, by category: the result
// is indexed as tax (Taxonomy()); nil when there is nothing to read (every
// category then stays at its prior: see stateOf).
func collectInterests(ev Evidence, p Params, tax []Category) []interestState {
	if !HasInterestSignal(ev, p) {
		return nil
	}
	accounts := ev.accounts()
	co := ev.company(p)
	st := make([]interestState, len(tax))
	lex := p.lexicon()
	add := func(s signal) {
		k := kindIndex(s.kind)
		if s.e <= 0 || k < 0 {
			return
		}
		for i := range tax {
			if tax[i].ID == s.cat {
				c := &st[i]
				c.e[k] += s.e
				c.signals = append(c.signals, s)
				return
			}
		}
	}
	for _, a := range accounts {
		if a.m <= 0 {
			continue
		}
		mentioned := map[string]bool{}
		type key struct{ cat, name string }
		seen := map[key]bool{}
		emit := func(kind, name string, hs []hit) {
			for _, h := range hs {
				if seen[key{h.cat, kind + ":" + name}] {
					continue
				}
				seen[key{h.cat, kind + ":" + name}] = true
				if kind != KindPlatform {
					mentioned[h.cat] = true
				}
				add(signal{source: a.Source, account: a.Username, name: kind + ":" + name, kind: kind, cat: h.cat, e: h.strength * a.m, w: a.m})
			}
		}
		emit(KindPlatform, a.Source, lex.platforms[a.Source])
		// Every hashtag is a tag, whether the source reported it (a.Tags)
		// or it is only written in the bio: the account's tags are the
		// union of both, each counted once, and the bio's prose is what is
		// left without hashtags. So adding a tag or a hashtag can only grow
		// the tag set and never changes how the bio's words are read.
		text, hashtags := splitHashtags(a.Bio)
		for _, t := range slices.Concat(a.Tags, hashtags) {
			hs, cat := lex.tag(t)
			kind := KindTag
			if cat {
				kind = KindCatalogue
			}
			emit(kind, normTag(t), hs)
		}
		for _, pm := range lex.words.match(text) {
			emit(KindBio, pm.phrase, pm.hits)
		}
		if w := p.Interest.AbsenceSources[a.Source]; w > 0 && ev.answered(a.Source) {
			for i := range st {
				if id := tax[i].ID; !mentioned[id] {
					st[i].absence = append(st[i].absence, signal{source: a.Source, account: a.Username, name: "no_mention", cat: id, e: a.m * math.Min(w, 1), w: a.m})
				}
			}
		}
	}
	if co != nil && p.Interest.CompanyMatch > 0 {
		cm := clamp01(p.Interest.CompanyMatch)
		src := p.Sources.Company
		seen := map[string]bool{}
		emit := func(kind, name string, hs []hit) {
			for _, h := range hs {
				k := h.cat + "\x00" + kind + ":" + name
				if seen[k] {
					continue
				}
				seen[k] = true
				add(signal{source: src, name: kind + ":" + name, kind: kind, cat: h.cat, e: h.strength * cm, w: cm})
			}
		}
		for _, pm := range lex.industries.match(co.Industry) {
			emit(KindIndustry, pm.phrase, pm.hits)
		}
		text := co.Description + " . " + strings.Join(co.Keywords, " . ")
		for _, pm := range lex.words.match(text) {
			emit(KindWebsite, pm.phrase, pm.hits)
		}
	}
	return st
}

// stateOf is category i's evidence: none when st is nil.
func stateOf(st []interestState, i int) *interestState {
	if st == nil {
		return &interestState{}
	}
	return &st[i]
}

// interestFeatures turns one category's evidence into the model's
// features: log2(1+E[k]) per kind, then −min(A, cap).
func interestFeatures(c *interestState, p Params) [numKinds + 1]float64 {
	var x [numKinds + 1]float64
	for i, e := range c.e {
		x[i] = math.Log2(1 + e)
	}
	var a float64
	for _, s := range c.absence {
		a += s.e
	}
	x[numKinds] = -math.Min(a, p.Interest.AbsenceCap)
	return x
}

// InterestFeatureNames names the columns of InterestFeatures vectors.
func InterestFeatureNames() []string {
	return append(InterestKinds(), "absence")
}

// InterestFeatures returns, for every taxonomy category, the feature vector
// of the interest model (columns: InterestFeatureNames). The model is
// logit = Prior[c] + Σ_k Weights[k]·x_k (+ Absence·x_absence), before the
// MaxShift cap.
func InterestFeatures(ev Evidence, p Params) map[string][]float64 {
	tax := Taxonomy()
	st := collectInterests(ev, p, tax)
	out := make(map[string][]float64, len(tax))
	for i := range tax {
		x := interestFeatures(stateOf(st, i), p)
		out[tax[i].ID] = x[:]
	}
	return out
}

// Interests scores every taxonomy category, most probable first. Evidence
// lists each signal's contribution in log-odds (the prior is not listed).
func Interests(ev Evidence, p Params) []Interest { return interests(ev, p, 0, true) }

// HasInterestSignal reports whether ev holds anything the interest model
// reads: an account from a source that answered, or the company's facts.
// Without one every category is at its prior, and Interests(ev, p) equals
// Interests(Evidence{}, p), which a caller may compute once.
func HasInterestSignal(ev Evidence, p Params) bool {
	for i := range ev.Accounts {
		if ev.usable(ev.Accounts[i].Source) {
			return true
		}
	}
	return ev.company(p) != nil
}

// InterestsAtLeast is Filter(Interests(ev, p), min), without building the
// interests Filter drops.
func InterestsAtLeast(ev Evidence, p Params, min float64) []Interest {
	return interests(ev, p, min, false)
}

// interests is Interests, keeping only those with probability ≥ min
// unless all.
func interests(ev Evidence, p Params, min float64, all bool) []Interest {
	tax := taxonomy[:]
	st := collectInterests(ev, p, tax)
	// Without a signal every category has the same (empty) features.
	var empty [numKinds + 1]float64
	if st == nil {
		empty = interestFeatures(&interestState{}, p)
	}
	var weight [numKinds]float64
	for i, k := range InterestKinds() {
		weight[i] = math.Max(p.Interest.Weights[k], 0)
	}
	// The interests are built in a buffer on the stack, then copied out
	// in order.
	var buf [64]Interest
	out := buf[:0]
	if len(tax) > len(buf) {
		out = make([]Interest, 0, len(tax))
	}
	for ci, cat := range tax {
		c := stateOf(st, ci)
		x := empty
		if st != nil {
			x = interestFeatures(c, p)
		}
		prior, ok := p.Interest.Prior[cat.ID]
		if !ok {
			prior = p.Interest.DefaultPrior
		}
		// Positive part, capped, shared out among signals in proportion
		// to their evidence within each kind.
		var pos float64
		var per [numKinds]float64
		for i, w := range weight {
			per[i] = w * x[i]
			pos += per[i]
		}
		scale := 1.0
		if p.Interest.MaxShift > 0 && pos > p.Interest.MaxShift {
			scale = p.Interest.MaxShift / pos
		}
		neg := math.Max(p.Interest.Absence, 0) * x[numKinds]
		prob := round4(sigmoid(prior + pos*scale + neg))
		if !all && !(prob >= min) {
			continue
		}
		evidence := []Contribution{}
		if len(c.signals) > 0 || len(c.absence) > 0 {
			contrib := map[Contribution]float64{}
			for _, s := range c.signals {
				i := kindIndex(s.kind)
				if c.e[i] > 0 {
					contrib[Contribution{Source: s.source, Account: s.account, Signal: s.name, Weight: round4(s.w)}] += per[i] * scale * s.e / c.e[i]
				}
			}
			var atot float64
			for _, s := range c.absence {
				atot += s.e
			}
			for _, s := range c.absence {
				contrib[Contribution{Source: s.source, Account: s.account, Signal: s.name, Weight: round4(s.w)}] += neg * s.e / atot
			}
			evidence = sortContributions(contrib)
		}
		out = append(out, Interest{
			ID: cat.ID, Name: cat.Name,
			Probability: prob,
			Evidence:    evidence,
		})
	}
	// Most likely first, then by ID. IDs are unique, so no two interests
	// tie and the order is the one a stable sort gives; the positions are
	// sorted, not the interests (64 bytes each).
	var order [len(buf)]int
	idx := order[:0]
	if len(out) > len(order) {
		idx = make([]int, 0, len(out))
	}
	for i := range out {
		idx = append(idx, i)
	}
	slices.SortFunc(idx, func(a, b int) int { return compareInterests(&out[a], &out[b]) })
	sorted := make([]Interest, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

// compareInterests orders interests most likely first, then by ID.
func compareInterests(a, b *Interest) int {
	if a.Probability != b.Probability {
		if a.Probability > b.Probability {
			return -1
		}
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// Filter keeps the interests with probability ≥ min, in order.
func Filter(ints []Interest, min float64) []Interest {
	n := 0
	for _, in := range ints {
		if in.Probability >= min {
			n++
		}
	}
	out := make([]Interest, 0, n)
	for _, in := range ints {
		if in.Probability >= min {
			out = append(out, in)
		}
	}
	return out
}

// kindIndex is kind's position in InterestKinds(), -1 for another.
func kindIndex(kind string) int {
	switch kind {
	case KindTag:
		return 0
	case KindCatalogue:
		return 1
	case KindBio:
		return 2
	case KindWebsite:
		return 3
	case KindIndustry:
		return 4
	case KindPlatform:
		return 5
	}
	return -1
}

// sortContributions rounds, drops zeros and sorts by |contribution| desc,
// then source, account, signal.
func sortContributions(m map[Contribution]float64) []Contribution {
	out := make([]Contribution, 0, len(m))
	for c, v := range m {
		v = round4(v)
		if v == 0 {
			continue
		}
		c.Contribution = v
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if math.Abs(a.Contribution) != math.Abs(b.Contribution) {
			return math.Abs(a.Contribution) > math.Abs(b.Contribution)
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		return a.Signal < b.Signal
	})
	return out
}

// splitHashtags separates a bio into its prose and its hashtags. A hashtag
// is '#' at the start of the text or after a character that is not a
// letter, digit or '_' (so "C#" and "issue#12" are not hashtags), followed by
// letters, digits and '_', at least one of them a letter (Mastodon's rule;
// "#1" is not a hashtag). Each hashtag is cut out of the prose (replaced by
// a space) and returned without its '#'; trailing punctuation stays in the
// prose ("#photography!" is the tag photography).
func splitHashtags(bio string) (text string, tags []string) {
	if !strings.Contains(bio, "#") {
		return bio, nil
	}
	word := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	var b strings.Builder
	prev := ' ' // start of text: a hashtag may begin here
	for i := 0; i < len(bio); {
		r, size := utf8.DecodeRuneInString(bio[i:])
		if r == '#' && !word(prev) {
			j, letter := i+size, false
			for j < len(bio) {
				c, n := utf8.DecodeRuneInString(bio[j:])
				if !word(c) {
					break
				}
				letter = letter || unicode.IsLetter(c)
				j += n
			}
			if letter {
				tags = append(tags, bio[i+size:j])
				b.WriteByte(' ')
				i, prev = j, ' '
				continue
			}
		}
		b.WriteString(bio[i : i+size])
		i, prev = i+size, r
	}
	return b.String(), tags
}
