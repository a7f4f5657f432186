package identity

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/boost"
)

func TestLookFeaturesNamed(t *testing.T) {
	names := LookFeatures()
	if len(names) != lookFeatureCount {
		t.Fatalf("%d names for %d inputs", len(names), lookFeatureCount)
	}
	ones := make([]float64, lookFeatureCount)
	for f := range ones {
		ones[f] = 1
	}
	for g := range lookGroupCount {
		if lookWords(g, ones) == "" || lookWords(g, make([]float64, lookFeatureCount)) == "" {
			t.Errorf("group %d has no words", g)
		}
	}
	if d := DefaultModel().Second; d != nil && !slices.Equal(d.Features, names) {
		t.Errorf("the shipped second look reads %v, the code builds %v", d.Features, names)
	}
}

// lookup is a subject with a GitHub account found through the email, a
// Reddit account under the same handle that links to it, and a Mastodon
// account under another handle with the same photo-less profile.
func lookup() (Subject, []enrichers.Account) {
	sub := Subject{EmailLocal: "jane.doe", EmailDomain: "gmail.com", Name: "Jane Doe", Countries: []string{"US"}}
	gh := acct("github", "janedoe", enrichers.MethodEmailSearch, func(a *enrichers.Account) {
		a.DisplayName, a.Location = "Jane Doe", "Boston"
	})
	rd := acct("reddit", "janedoe", enrichers.MethodUsernameGuess, func(a *enrichers.Account) {
		a.Via = enrichers.Identifier{Kind: enrichers.KindUsername, Value: "janedoe", Origin: "github", Prior: 1}
		a.Links = []string{gh.URL}
		a.Location = "Boston"
	})
	ms := acct("mastodon", "jd@mastodon.social", enrichers.MethodNameSearch, func(a *enrichers.Account) {
		a.DisplayName = "Jane Doe"
		a.Via = enrichers.Identifier{Kind: enrichers.KindName, Platform: "mastodon", Prior: 0.5}
	})
	return sub, []enrichers.Account{gh, rd, ms}
}

func TestLookRows(t *testing.T) {
	sub, accounts := lookup()
	m := DefaultModel()
	out, rows := m.LookRows(sub, accounts)
	if len(out) != 3 || len(rows) != 3 {
		t.Fatalf("%d accounts, %d rows", len(out), len(rows))
	}
	row := map[string][]float64{}
	prob := map[string]float64{}
	for i, a := range out {
		row[a.Source], prob[a.Source] = rows[i], a.Match.Probability
		if a.Match == nil || strings.Contains(strings.Join(a.Match.Evidence, " "), "second look") {
			t.Errorf("%s: LookRows must return the additive model's answer: %+v", a.Source, a.Match)
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.002 }
	for _, c := range []struct {
		src  string
		f    int
		want float64
	}{
		{"github", fMethod, 0},
		{"reddit", fMethod, 5},
		{"mastodon", fMethod, 6},
		{"github", fPlatform, float64(slices.Index(lookPlatforms, "github"))},
		{"reddit", fUserLen, 7},
		{"mastodon", fUserLen, 2},
		{"github", fSameUser, prob["reddit"]},
		{"github", fSameUserN, 1},
		{"reddit", fSameUser, prob["github"]},
		{"mastodon", fSameUser, 0},
		{"github", fLink, prob["reddit"]},
		{"reddit", fLink, prob["github"]},
		{"mastodon", fLinkN, 0},
		{"github", fSameName, prob["mastodon"]},
		{"mastodon", fSameName, prob["github"]},
		{"reddit", fSameName, 0},
		{"reddit", fHasName, 0},
		{"github", fSameLocation, prob["reddit"]},
		{"github", fSameUserName, 0},
		{"mastodon", fNameSim, 1},
		{"reddit", fNameSim, -1},
		{"github", fAccounts, 3},
		{"reddit", fLocation, 1},
		{"mastodon", fNameKnown, 1},
		{"reddit", fNameKnown, -1},
		{"github", fTopics, 0},
		{"github", fLanguage, 0},
	} {
		if got := row[c.src][c.f]; !near(got, c.want) {
			t.Errorf("%s %s = %.3f, want %.3f", c.src, LookFeatures()[c.f], got, c.want)
		}
	}
	for src, p := range prob { // the probability is rounded to 0.001
		if got := row[src][fLogOdds]; math.Abs(sigmoid(got)-p) > 0.0006 {
			t.Errorf("%s: log-odds %.3f for probability %.3f", src, got, p)
		}
	}
}

func TestHandleParts(t *testing.T) {
	for _, c := range []struct {
		handle  string
		numbers []string
		stem    string
	}{
		{"miladejong86", []string{"86"}, "miladejong"},
		{"mila1986", []string{"1986", "86"}, "mila"},
		{"md86", []string{"86"}, ""}, // two letters: no stem
		{"é1è", nil, ""},
		{"jane.doe", nil, "janedoe"},
		{"a1b22c333", []string{"22", "333"}, "abc"},
		{"owen2024x", []string{"2024", "24"}, "owenx"},
		{"owen1776", []string{"1776"}, "owen"}, // not a birth year
		{"user_7", nil, "user"},                // one digit is not a number people reuse
		{"", nil, ""},
	} {
		numbers, stem := handleParts(c.handle)
		if !slices.Equal(numbers, c.numbers) || stem != c.stem {
			t.Errorf("handleParts(%q) = %q, %q; want %q, %q", c.handle, numbers, stem, c.numbers, c.stem)
		}
	}
}

func TestHandleWords(t *testing.T) {
	for _, c := range []struct {
		set  map[int]float64
		want string
	}{
		{nil, "its username sharing no number or stem with the email or another account of this lookup"},
		{map[int]float64{fEmailNumber: 1, fSameNumber: 0.9}, "a number in its username that the email address holds too"},
		{map[int]float64{fSameNumber: 0.97}, "a number in its username that an account on another platform of this lookup holds too (the likeliest of them at 0.97)"},
		{map[int]float64{fSameNumber: 0.004, fEmailStem: 1}, "a number in its username that an account on another platform of this lookup holds too (the likeliest of them below 0.01) and its username, the email's with other digits or separators"},
		{map[int]float64{fSameStem: 0.5}, "its username, another platform's account's of this lookup with other digits or separators (the likeliest of them at 0.50)"},
	} {
		x := make([]float64, lookFeatureCount)
		for f, v := range c.set {
			x[f] = v
		}
		if got := lookWords(gHandles, x); got != c.want {
			t.Errorf("%v: %q, want %q", c.set, got, c.want)
		}
	}
}

// TestLookRowsHandles: the numbers and stems a lookup's handles share
// with the email's local part and with each other.
func TestLookRowsHandles(t *testing.T) {
	sub := Subject{EmailLocal: "mila1986", EmailDomain: "gmail.com", Name: "Mila de Jong"}
	accounts := []enrichers.Account{
		acct("github", "mila_dejong86", enrichers.MethodEmailSearch, nil),
		acct("reddit", "md86", enrichers.MethodUsernameGuess, nil),
		acct("devto", "miladejong", enrichers.MethodUsernameGuess, nil),
		acct("gitlab", "mila", enrichers.MethodUsernameGuess, nil),
		acct("hackernews", "mila77", enrichers.MethodUsernameGuess, nil),
		acct("keybase", "mila1986", enrichers.MethodUsernameGuess, nil),
	}
	out, rows := additive().LookRows(sub, accounts)
	row, prob := map[string][]float64{}, map[string]float64{}
	for i, a := range out {
		row[a.Source], prob[a.Source] = rows[i], a.Match.Probability
	}
	for _, c := range []struct {
		src  string
		f    int
		want float64
	}{
		{"github", fEmailNumber, 1}, // 86 is 1986
		{"reddit", fEmailNumber, 1},
		{"reddit", fSameNumber, prob["github"]},
		{"github", fSameNumber, max(prob["reddit"], prob["keybase"])}, // 86, and 86 as in 1986
		{"hackernews", fEmailNumber, 0},
		{"hackernews", fSameNumber, 0},
		{"devto", fSameStem, prob["github"]}, // miladejong, separators and digits dropped
		{"github", fSameStem, prob["devto"]},
		{"devto", fEmailStem, 0},
		{"gitlab", fEmailStem, 1},  // mila: the email's without its digits
		{"keybase", fEmailStem, 0}, // the email's local part itself is not a variant of it
		{"keybase", fEmailNumber, 1},
		{"hackernews", fEmailStem, 1}, // mila77: mila with other digits
		{"hackernews", fSameStem, max(prob["gitlab"], prob["keybase"])},
		{"reddit", fSameStem, 0},
	} {
		if got := row[c.src][c.f]; math.Abs(got-c.want) > 0.002 {
			t.Errorf("%s %s = %.3f, want %.3f", c.src, LookFeatures()[c.f], got, c.want)
		}
	}
}

func TestSecondLook(t *testing.T) {
	// One tree: a link with another account of the lookup raises the
	// log-odds by 2, no link lowers them by 1.
	e := &boost.Ensemble{Features: LookFeatures(), Bias: -1, Trees: []boost.Tree{{Nodes: []boost.Node{
		{F: fLink, T: 0.5, L: 1, R: 2, V: 0}, {F: -1, V: -1}, {F: -1, V: 2},
	}}}}
	sub, accounts := lookup()
	m := DefaultModel()
	m.Second = e
	for _, a := range m.Resolve(sub, accounts) {
		ev := a.Match.Evidence[len(a.Match.Evidence)-1]
		switch a.Source {
		case "github", "reddit": // linked with each other, both likely
			if want := math.Round(sigmoid(1)*1000) / 1000; a.Match.Probability != want {
				t.Errorf("%s: probability %.3f, want %.3f", a.Source, a.Match.Probability, want)
			}
			if !strings.Contains(ev, "what raised it (log-odds): a link with 1 account on another platform of this lookup (the likeliest of them at 0.") || !strings.Contains(ev, ") +2.0") || strings.Contains(ev, "lowered") {
				t.Errorf("%s: evidence %q", a.Source, ev)
			}
		case "mastodon":
			if want := math.Round(sigmoid(-2)*1000) / 1000; a.Match.Probability != want {
				t.Errorf("%s: probability %.3f, want %.3f", a.Source, a.Match.Probability, want)
			}
			if !strings.Contains(ev, "what lowered it (log-odds): no link with any other account of this lookup -1.0") {
				t.Errorf("%s: evidence %q", a.Source, ev)
			}
		}
		if !strings.HasPrefix(ev, "a second look") {
			t.Errorf("%s: the last evidence line is %q", a.Source, ev)
		}
	}
	// Without the second look, the additive model answers alone.
	m.Second = nil
	for _, a := range m.Resolve(sub, accounts) {
		if strings.Contains(strings.Join(a.Match.Evidence, " "), "second look") {
			t.Errorf("%s: a second look without one", a.Source)
		}
	}
}

// TestShippedSecondLook: the shipped model keeps what any reader of the
// evidence would: the email's account and the account linked with it are
// the subject's; a namesake's name-search hit under another handle and
// strangers' guessed handles in a crowded lookup are not matches.
func TestShippedSecondLook(t *testing.T) {
	m := DefaultModel()
	if m.Second == nil {
		t.Fatal("no second look shipped")
	}
	if err := CheckSecond(m.Second); err != nil {
		t.Fatal(err)
	}
	other := *m.Second
	other.Features = other.Features[1:]
	if CheckSecond(&other) == nil || CheckSecond(nil) != nil {
		t.Error("CheckSecond takes a second look that reads other inputs, or refuses none")
	}
	check := func(name string, sub Subject, accounts []enrichers.Account) {
		for _, a := range m.Resolve(sub, accounts) {
			p := a.Match.Probability
			ours := a.Username == "janedoe"
			if ours && p < 0.9 || !ours && p >= 0.5 {
				t.Errorf("%s: %s %s at %.3f", name, a.Source, a.Username, p)
			}
			if ev := a.Match.Evidence; !strings.HasPrefix(ev[len(ev)-1], "a second look") {
				t.Errorf("%s: %s %s: no second look in %q", name, a.Source, a.Username, ev)
			}
		}
	}
	sub, accounts := lookup()
	check("small", sub, accounts)
	sub, accounts = crowdedLookup()
	check("crowded", sub, accounts)
}

// The shipped trees are decoded once per process: every DefaultModel
// shares them (a server builds one model per pipeline, tests many).
func TestShippedSecondLookDecodedOnce(t *testing.T) {
	a, b := DefaultModel(), DefaultModel()
	if a.Second == nil || a.Second != b.Second {
		t.Errorf("two default models hold second looks %p and %p, want one shared", a.Second, b.Second)
	}
}
