package scoring

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func TestInterestsPriorsOnly(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	ints := Interests(Evidence{}, p)
	if len(ints) != len(Taxonomy()) {
		t.Fatalf("%d interests, want %d", len(ints), len(Taxonomy()))
	}
	for i, in := range ints {
		if in.Probability != priorProb(p, in.ID) || len(in.Evidence) != 0 {
			t.Errorf("%s = %v %v, want the prior %v and no evidence", in.ID, in.Probability, in.Evidence, priorProb(p, in.ID))
		}
		if i > 0 && ints[i-1].Probability < in.Probability {
			t.Errorf("not sorted at %d", i)
		}
		if in.Name == "" {
			t.Errorf("%s has no name", in.ID)
		}
	}
}

// TestInterestSignals: one signal of each kind raises its category by the
// documented amount: prior + Weights[kind] × log2(1 + strength × match).
func TestInterestSignals(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	p.Interest.Absence = 0 // isolate the positive part
	w := p.Interest.Weights
	for _, tc := range []struct {
		name   string
		ev     Evidence
		cat    string
		signal string
		shift  float64
	}{
		{"repo topic", Evidence{Accounts: []enrichers.Account{withTags(acct("github", "u", 1), "godot")}},
			"video_gaming", "tag:godot", w[KindTag] * math.Log2(2)},
		{"weak language", Evidence{Accounts: []enrichers.Account{withTags(acct("github", "u", 1), "python")}},
			"science", "tag:python", w[KindTag] * math.Log2(1.1)},
		{"hashtag at match 0.5", Evidence{Accounts: []enrichers.Account{withTags(acct("mastodon", "u", 0.5), "#dogsofmastodon")}},
			"pets", "tag:dogsofmastodon", w[KindTag] * math.Log2(1.5)},
		{"catalogue tag", Evidence{Accounts: []enrichers.Account{withTags(acct("lichess", "u", 1), "hobbies")}},
			"hobbies", "catalogue:hobbies", w[KindCatalogue]},
		{"english bio", Evidence{Accounts: []enrichers.Account{withBio(acct("reddit", "u", 1), "Into street photography.")}},
			"photography", "bio:street photography", w[KindBio]},
		{"german bio", Evidence{Accounts: []enrichers.Account{withBio(acct("bluesky", "u", 0.8), "Begeistert von Brettspiele.")}},
			"hobbies", "bio:brettspiele", w[KindBio] * math.Log2(1.8)},
		{"french bio", Evidence{Accounts: []enrichers.Account{withBio(acct("bluesky", "u", 1), "J'écris sur la photographie de paysage.")}},
			"photography", "bio:photographie de paysage", w[KindBio]},
		{"spanish bio", Evidence{Accounts: []enrichers.Account{withBio(acct("bluesky", "u", 1), "Me encanta senderismo.")}},
			"travel", "bio:senderismo", w[KindBio]},
		{"platform", Evidence{Accounts: []enrichers.Account{acct("devto", "u", 1)}},
			"software_dev", "platform:devto", w[KindPlatform] * math.Log2(1.8)},
		{"company industry", Evidence{Company: &enrichers.CompanyFacts{Industry: "Agence de voyages"}},
			"travel", "industry:agence de voyages", w[KindIndustry] * math.Log2(1+p.Interest.CompanyMatch)},
		{"website keyword", Evidence{Company: &enrichers.CompanyFacts{Keywords: []string{"Immobilien"}}},
			"real_estate", "website:immobilien", w[KindWebsite] * math.Log2(1+p.Interest.CompanyMatch)},
		{"website description", Evidence{Company: &enrichers.CompanyFacts{Description: "Votre partenaire pour la mode durable."}},
			"style_fashion", "website:mode durable", w[KindWebsite] * math.Log2(1+p.Interest.CompanyMatch)},
	} {
		ints := Interests(tc.ev, p)
		want := round4(sigmoid(p.Interest.Prior[tc.cat] + tc.shift))
		got := probOf(ints, tc.cat)
		if math.Abs(got-want) > 1e-4 {
			t.Errorf("%s: P(%s) = %v, want %v", tc.name, tc.cat, got, want)
		}
		var in Interest
		for _, x := range ints {
			if x.ID == tc.cat {
				in = x
			}
		}
		if len(in.Evidence) == 0 || in.Evidence[0].Signal != tc.signal || math.Abs(in.Evidence[0].Contribution-tc.shift) > 1e-3 {
			t.Errorf("%s: evidence %+v, want %s = %.4f", tc.name, in.Evidence, tc.signal, tc.shift)
		}
	}
}

func withTags(a enrichers.Account, tags ...string) enrichers.Account {
	a.Tags = append(a.Tags, tags...)
	return a
}

func withBio(a enrichers.Account, bio string) enrichers.Account {
	a.Bio = bio
	return a
}

// TestInterestsSaturate: many weak signals do not explode.
func TestInterestsSaturate(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	one := Evidence{Accounts: []enrichers.Account{withTags(acct("github", "u", 1), "cli")}}
	var many Evidence
	for i := range 40 {
		many.Accounts = append(many.Accounts, withTags(acct("github", string(rune('a'+i%26))+string(rune('a'+i/26)), 1), "cli", "api", "library", "devops", "golang"))
	}
	p1, pm := probOf(Interests(one, p), "software_dev"), probOf(Interests(many, p), "software_dev")
	if !(pm > p1) {
		t.Errorf("more evidence should help: %v vs %v", pm, p1)
	}
	lim := round4(sigmoid(p.Interest.Prior["software_dev"] + p.Interest.MaxShift))
	if pm > lim {
		t.Errorf("P = %v exceeds the MaxShift cap %v", pm, lim)
	}
	// Contributions add up to the capped shift.
	for _, in := range Interests(many, p) {
		if in.ID != "software_dev" {
			continue
		}
		var s float64
		for _, c := range in.Evidence {
			s += c.Contribution
		}
		if math.Abs(s-p.Interest.MaxShift) > 0.05 {
			t.Errorf("contributions sum to %v, want %v", s, p.Interest.MaxShift)
		}
	}
}

// TestInterestsMatchWeighting: evidence counts in proportion to match.
func TestInterestsMatchWeighting(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	prev := -1.0
	for _, m := range []float64{0, 0.1, 0.3, 0.6, 0.9, 1} {
		ev := Evidence{Accounts: []enrichers.Account{withBio(acct("bluesky", "u", m), "Into anime.")}}
		got := probOf(Interests(ev, p), "pop_culture")
		if got < prev {
			t.Errorf("match %v: P = %v below the lower match's %v", m, got, prev)
		}
		prev = got
		if m == 0 && got != priorProb(p, "pop_culture") {
			t.Errorf("match 0 moved the prior: %v", got)
		}
	}
	// An account without Match counts as match 0.
	ev := Evidence{Accounts: []enrichers.Account{{Source: "bluesky", Username: "u", Bio: "Into anime."}}}
	if got := probOf(Interests(ev, p), "pop_culture"); got != priorProb(p, "pop_culture") {
		t.Errorf("unmatched account moved the prior: %v", got)
	}
}

// TestInterestsAbsence: silence on an answered source lowers a category,
// boundedly; silence on an unknown or failed source does not.
func TestInterestsAbsence(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	a := withBio(acct("reddit", "u", 1), "Into anime.")
	for _, tc := range []struct {
		name   string
		status map[string]enrichers.Status
		lower  bool
	}{
		{"answered", allOK("reddit"), true},
		{"status unknown", nil, false},
		{"timeout", map[string]enrichers.Status{"reddit": enrichers.StatusTimeout}, false},
	} {
		ev := Evidence{Accounts: []enrichers.Account{a}, Sources: tc.status}
		got := probOf(Interests(ev, p), "travel")
		prior := priorProb(p, "travel")
		if tc.lower != (got < prior) {
			t.Errorf("%s: P(travel) = %v, prior %v, want lowered=%v", tc.name, got, prior, tc.lower)
		}
	}
	var many []enrichers.Account
	st := map[string]enrichers.Status{}
	for i, s := range []string{"github", "gitlab", "mastodon", "bluesky", "reddit", "hackernews", "devto", "keybase", "gravatar"} {
		many = append(many, withBio(acct(s, "u"+string(rune('a'+i)), 1), "Hi!"))
		st[s] = enrichers.StatusOK
	}
	got := probOf(Interests(Evidence{Accounts: many, Sources: st}, p), "travel")
	floor := round4(sigmoid(p.Interest.Prior["travel"] - p.Interest.Absence*p.Interest.AbsenceCap))
	if got < floor {
		t.Errorf("absence not bounded: %v < %v", got, floor)
	}
}

// randomEvidence draws evidence from the lexicon's vocabulary and a few
// unrelated words.
func randomEvidence(r *rand.Rand) Evidence {
	tags := []string{"rust", "python", "godot", "cli", "hobbies", "software_dev", "#cats", "makefile", "bitcoin", "gpx", "unity"}
	bios := []string{"Into music and cooking.", "Hi!", "", "Ich schreibe über Fotografie.", "Fan de jeux vidéo.", "Aquí por el fútbol.", "Just me.",
		// hashtags, alone, next to prose, next to a tag list entry, and
		// "C#", which is not one
		"#photography", "Into street photography. #travel #cats", "C# dev. #gamedev!", "#Bitcoin and #rust", "Je fais de l'éducation #hobbies"}
	sources := []string{"github", "gitlab", "mastodon", "bluesky", "reddit", "hackernews", "devto", "keybase", "gravatar", "lichess"}
	statuses := []enrichers.Status{enrichers.StatusOK, enrichers.StatusNotFound, enrichers.StatusTimeout, enrichers.StatusRateLimited, enrichers.StatusBlocked, enrichers.StatusError, enrichers.StatusSkipped, enrichers.StatusCircuitOpen}
	ev := Evidence{Sources: map[string]enrichers.Status{}}
	for _, s := range sources {
		if r.IntN(3) > 0 {
			ev.Sources[s] = statuses[r.IntN(len(statuses))]
		}
	}
	for i := range r.IntN(6) {
		a := acct(sources[r.IntN(len(sources))], "user"+string(rune('a'+i)), r.Float64())
		for range r.IntN(4) {
			a.Tags = append(a.Tags, tags[r.IntN(len(tags))])
		}
		a.Bio = bios[r.IntN(len(bios))]
		f := int64(r.IntN(50000))
		a.Followers = &f
		ev.Accounts = append(ev.Accounts, a)
	}
	if r.IntN(2) == 0 {
		ev.Company = &enrichers.CompanyFacts{Industry: []string{"Software development", "Fintech", "Reisebüro", ""}[r.IntN(4)],
			Description: bios[r.IntN(len(bios))]}
	}
	return ev
}

// addPositive adds one lexicon signal somewhere in ev (a copy): a tag, a
// bio word, a tag equal to one of the bio's hashtags, a hashtag written into
// the bio, or a website keyword.
func addPositive(r *rand.Rand, ev Evidence) Evidence {
	out := ev
	out.Accounts = slices.Clone(ev.Accounts)
	for i := range out.Accounts {
		out.Accounts[i].Tags = slices.Clone(out.Accounts[i].Tags)
	}
	words := []string{"Into anime.", "gardening", "dogs", "Reisen", "photographie", "ajedrez"}
	tags := []string{"ethereum", "midi", "travel", "strava", "home-assistant"}
	hashtags := []string{"#photography", "#cats", "#Travel", "#gamedev", "#hobbies"}
	switch {
	case len(out.Accounts) > 0 && r.IntN(4) > 0:
		i := r.IntN(len(out.Accounts))
		a := &out.Accounts[i]
		switch r.IntN(4) {
		case 0:
			a.Tags = append(a.Tags, tags[r.IntN(len(tags))])
		case 1:
			a.Bio += " " + words[r.IntN(len(words))]
		case 2: // the source reports a tag the bio already carries as a hashtag
			if hs := bioHashtags(a.Bio); len(hs) > 0 {
				a.Tags = append(a.Tags, hs[r.IntN(len(hs))])
			} else {
				a.Tags = append(a.Tags, tags[r.IntN(len(tags))])
			}
		default: // a hashtag written anywhere in the bio, between two words
			f := strings.Fields(a.Bio)
			at := r.IntN(len(f) + 1)
			a.Bio = strings.Join(slices.Insert(f, at, hashtags[r.IntN(len(hashtags))]), " ")
		}
	default:
		co := enrichers.CompanyFacts{}
		if ev.Company != nil {
			co = *ev.Company
		}
		co.Keywords = append(slices.Clone(co.Keywords), words[r.IntN(len(words))])
		out.Company = &co
	}
	return out
}

// bioHashtags lists the bio's words that start with '#' (the generator's
// bios only), as a source would report them: without '#' or punctuation.
func bioHashtags(bio string) []string {
	var out []string
	for _, f := range strings.Fields(bio) {
		if t := strings.TrimRight(strings.TrimPrefix(f, "#"), ".,;:!?"); strings.HasPrefix(f, "#") && t != "" {
			out = append(out, t)
		}
	}
	return out
}

func TestInterestProperties(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	r := rand.New(rand.NewPCG(42, 7))
	for range 2000 {
		ev := randomEvidence(r)
		base := Interests(ev, p)
		for _, in := range base {
			if !(in.Probability >= 0 && in.Probability <= 1) {
				t.Fatalf("P(%s) = %v out of [0,1]", in.ID, in.Probability)
			}
		}
		// Adding positive evidence never lowers any probability.
		more := Interests(addPositive(r, ev), p)
		for _, in := range base {
			if got := probOf(more, in.ID); got < in.Probability {
				t.Fatalf("adding evidence lowered %s: %v → %v\n%+v", in.ID, in.Probability, got, ev)
			}
		}
		// Deterministic.
		again := Interests(ev, p)
		if !slices.EqualFunc(base, again, func(a, b Interest) bool {
			return a.ID == b.ID && a.Probability == b.Probability && slices.Equal(a.Evidence, b.Evidence)
		}) {
			t.Fatal("Interests is not deterministic")
		}
	}
}

// TestDownSourceNeverBelowPrior: evidence whose sources all failed leaves
// every interest exactly at its prior; a failed source added to answered
// evidence changes nothing.
func TestDownSourceNeverBelowPrior(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	r := rand.New(rand.NewPCG(3, 9))
	down := []enrichers.Status{enrichers.StatusTimeout, enrichers.StatusRateLimited, enrichers.StatusCircuitOpen, enrichers.StatusBlocked, enrichers.StatusError, enrichers.StatusSkipped}
	for range 300 {
		ev := randomEvidence(r)
		ev.Company = nil
		for k := range ev.Sources {
			ev.Sources[k] = down[r.IntN(len(down))]
		}
		for _, a := range ev.Accounts {
			ev.Sources[a.Source] = down[r.IntN(len(down))]
		}
		for _, in := range Interests(ev, p) {
			if in.Probability < priorProb(p, in.ID) {
				t.Fatalf("down sources lowered %s below its prior: %v < %v", in.ID, in.Probability, priorProb(p, in.ID))
			}
			if in.Probability != priorProb(p, in.ID) {
				t.Fatalf("down sources moved %s: %v", in.ID, in.Probability)
			}
		}
		// A down source next to answered evidence changes nothing.
		ok := randomEvidence(r)
		with := ok
		with.Sources = map[string]enrichers.Status{}
		for k, v := range ok.Sources {
			with.Sources[k] = v
		}
		with.Sources["steam"] = down[r.IntN(len(down))]
		with.Accounts = append(slices.Clone(ok.Accounts), withBio(acct("steam", "x", 0.9), "Into video games."))
		a, b := Interests(ok, p), Interests(with, p)
		for _, in := range a {
			if probOf(b, in.ID) != in.Probability {
				t.Fatalf("a down source's account changed %s: %v → %v", in.ID, in.Probability, probOf(b, in.ID))
			}
		}
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	ints := []Interest{{ID: "a", Probability: 0.9}, {ID: "b", Probability: 0.5}, {ID: "c", Probability: 0.49}}
	for _, tc := range []struct {
		min  float64
		want int
	}{{0, 3}, {0.5, 2}, {0.95, 0}} {
		if got := Filter(ints, tc.min); len(got) != tc.want {
			t.Errorf("Filter(%v) kept %d, want %d", tc.min, len(got), tc.want)
		}
	}
}

func TestInterestsDeduplicateAccounts(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	a := withBio(acct("bluesky", "Anna", 0.9), "Into anime.")
	b := withBio(acct("bluesky", "anna", 0.4), "Into anime.")
	one := probOf(Interests(Evidence{Accounts: []enrichers.Account{a}}, p), "pop_culture")
	two := probOf(Interests(Evidence{Accounts: []enrichers.Account{b, a}}, p), "pop_culture")
	if one != two {
		t.Errorf("a duplicate account counted twice: %v vs %v", one, two)
	}
}

func TestHashtagCountsOnce(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, tc := range []struct {
		bio  string
		tags []string
		cat  string
		want []string
	}{
		// reported by the source and written in the bio: one tag
		{"Ich schreibe über Wandern. #photography!", []string{"photography"}, "photography", []string{"tag:photography"}},
		// only in the bio (Bluesky reports no tags): still a tag
		{"Ich schreibe über Wandern. #photography!", nil, "photography", []string{"tag:photography"}},
		{"#Photography", []string{"#photography"}, "photography", []string{"tag:photography"}},
		// prose and hashtag: a bio phrase and a tag
		{"Into street photography. #filmphotography", nil, "photography", []string{"bio:street photography", "tag:filmphotography"}},
		// "C#" and "#1" are not hashtags
		{"C# #1 fan", nil, "software_dev", nil},
	} {
		a := withTags(withBio(acct("mastodon", "u", 1), tc.bio), tc.tags...)
		var sigs []string
		for _, in := range Interests(Evidence{Accounts: []enrichers.Account{a}}, p) {
			if in.ID == tc.cat {
				for _, c := range in.Evidence {
					sigs = append(sigs, c.Signal)
				}
			}
		}
		slices.Sort(sigs)
		if !slices.Equal(sigs, tc.want) {
			t.Errorf("bio %q, tags %q: %s evidence %v, want %v", tc.bio, tc.tags, tc.cat, sigs, tc.want)
		}
	}
}

// TestReportedHashtagNeverLowers is the regression case of the
// monotonicity property: a Mastodon bio with "#photography", then the same
// account with the source also reporting the tag photography.
func TestReportedHashtagNeverLowers(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	bio := withBio(acct("mastodon", "u", 1), "#photography")
	ev := Evidence{Accounts: []enrichers.Account{bio}, Sources: allOK("mastodon")}
	before := probOf(Interests(ev, p), "photography")
	ev.Accounts = []enrichers.Account{withTags(bio, "photography")}
	after := probOf(Interests(ev, p), "photography")
	if after < before || before <= priorProb(p, "photography") {
		t.Errorf("P(photography): bio hashtag %v, plus the same tag %v (prior %v)", before, after, priorProb(p, "photography"))
	}
}

func TestKindIndexFollowsInterestKinds(t *testing.T) {
	kinds := InterestKinds()
	if len(kinds) != numKinds {
		t.Fatalf("numKinds = %d, InterestKinds has %d", numKinds, len(kinds))
	}
	for i, k := range kinds {
		if got := kindIndex(k); got != i {
			t.Errorf("kindIndex(%q) = %d, want %d", k, got, i)
		}
	}
	if got := kindIndex("absence"); got != -1 {
		t.Errorf("kindIndex(absence) = %d, want -1", got)
	}
}

// TestInterestsAtLeast: the same interests, in the same order, as
// filtering every interest, with and without signals, at thresholds that
// keep none, some and all.
func TestInterestsAtLeast(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, ev := range []Evidence{{}, exampleEvidence(), {Accounts: []enrichers.Account{acct("devto", "u", 1)}}} {
		for _, min := range []float64{0, 0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 1.1} {
			want := Filter(Interests(ev, p), min)
			got := InterestsAtLeast(ev, p, min)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("min %v, %d accounts:\n got  %+v\n want %+v", min, len(ev.Accounts), got, want)
			}
		}
	}
}

// HasInterestSignal is false exactly when the interests are the priors:
// a caller may then use Interests(Evidence{}, p), computed once.
func TestHasInterestSignal(t *testing.T) {
	p := DefaultParams()
	gh := withTags(acct("github", "u", 1), "godot")
	co := &enrichers.CompanyFacts{Industry: "Agence de voyages"}
	tests := []struct {
		name string
		ev   Evidence
		want bool
	}{
		{"nothing", Evidence{}, false},
		{"an account", Evidence{Accounts: []enrichers.Account{gh}}, true},
		{"an account of a failed source", Evidence{Accounts: []enrichers.Account{gh},
			Sources: map[string]enrichers.Status{"github": enrichers.StatusError}}, false},
		{"company facts", Evidence{Company: co}, true},
		{"company facts of a failed source", Evidence{Company: co,
			Sources: map[string]enrichers.Status{p.Sources.Company: enrichers.StatusTimeout}}, false},
		{"a name and a country only", Evidence{Name: "Jane Doe", Country: "DE"}, false},
	}
	priors := Interests(Evidence{}, p)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasInterestSignal(tc.ev, p); got != tc.want {
				t.Fatalf("HasInterestSignal = %v, want %v", got, tc.want)
			}
			if !tc.want && !reflect.DeepEqual(Interests(tc.ev, p), priors) {
				t.Fatal("no signal, but the interests are not the priors")
			}
			if tc.want && reflect.DeepEqual(Interests(tc.ev, p), priors) {
				t.Fatal("a signal that moves nothing: the case tests nothing")
			}
		})
	}
}
