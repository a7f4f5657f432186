package calibrate

import (
	"maps"
	"reflect"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// identityCases: people whose email-matched account is theirs and whose
// guessed common username is a stranger's.
func identityCases(n int) []IdentityCase {
	sub := identity.Subject{EmailLocal: "jane.doe", EmailDomain: "example.com", Name: "Jane Doe"}
	guess := enrichers.Identifier{Kind: enrichers.KindUsername, Prior: 1}
	cases := make([]IdentityCase, n)
	for i := range cases {
		cases[i] = IdentityCase{
			Subject: sub,
			Accounts: []enrichers.Account{
				{Source: "github", Username: "janedoe", Method: "email_search", DisplayName: "Jane Doe"},
				{Source: "reddit", Username: "jane", Method: "username_guess", DisplayName: "Jane Smith", Via: guess},
			},
			Truth: func(source, _ string) bool { return source == "github" },
			Owned: 2, // one account is never found
		}
	}
	return cases
}

func TestScoreIdentity(t *testing.T) {
	t.Parallel()
	cases := identityCases(3)
	m := identity.DefaultModel()
	for _, tc := range []struct {
		threshold          float64
		recall, falseShare float64
	}{
		{0.5, 0.5, 0},   // the email match is returned, the guess is not
		{0.0, 0.5, 0.5}, // everything is returned
	} {
		sc := ScoreIdentity(cases, m, tc.threshold)
		if sc.Recall != tc.recall || sc.FalseShare != tc.falseShare {
			t.Errorf("threshold %v: recall %v, false share %v; want %v, %v", tc.threshold, sc.Recall, sc.FalseShare, tc.recall, tc.falseShare)
		}
		if !(sc.LogLoss > 0 && sc.LogLoss < 1) {
			t.Errorf("threshold %v: log loss %v", tc.threshold, sc.LogLoss)
		}
	}
	if sc := ScoreIdentity(nil, m, 0.5); sc != (IdentityScore{}) {
		t.Errorf("no cases: %+v", sc)
	}
}

// TestFitIdentity: the fit never makes the log loss worse than where it
// starts, and keeps the model's parameters meaningful.
func TestFitIdentity(t *testing.T) {
	t.Parallel()
	cases := identityCases(4)
	base := identity.DefaultModel()
	fitted := FitIdentity(cases, base)
	before, after := ScoreIdentity(cases, base, 0.5), ScoreIdentity(cases, fitted, 0.5)
	if after.LogLoss > before.LogLoss {
		t.Errorf("log loss %v → %v", before.LogLoss, after.LogLoss)
	}
	if !valid(fitted) {
		t.Errorf("fitted model out of bounds: %+v", fitted)
	}
}

// TestFitIdentityOnly: a fit of named parameters moves only those (the
// photo cases move both photo ratios when everything is fitted, and only
// PhotoMatchLR when it alone is named); an unknown name is an error.
func TestFitIdentityOnly(t *testing.T) {
	t.Parallel()
	cases := photoCases(24)
	base := identity.DefaultModel()
	fitted, err := FitIdentityOnly(cases, base, []string{"PhotoMatchLR"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fitted.PhotoMatchLR == base.PhotoMatchLR {
		t.Errorf("PhotoMatchLR did not move from %v", base.PhotoMatchLR)
	}
	moved := fitted
	moved.PhotoMatchLR = base.PhotoMatchLR
	moved.Topics, moved.Language = nil, nil
	want := base
	want.Topics, want.Language = nil, nil
	want.Second = nil // the additive fit drops the second look (FitIdentity)
	if !reflect.DeepEqual(moved, want) {
		t.Errorf("parameters other than PhotoMatchLR moved:\n got %+v\nwant %+v", moved, want)
	}
	if _, err := FitIdentityOnly(cases, base, []string{"NoSuchLR"}, nil); err == nil {
		t.Error("an unknown parameter name was accepted")
	}
}

// TestFitPhotoTerms: cases whose guesses are the subject's exactly when
// they show the photo of the email-matched account move the photo ratios
// away from their starting values (the fitter sees them).
func TestFitPhotoTerms(t *testing.T) {
	t.Parallel()
	cases := photoCases(24)
	base := identity.DefaultModel()
	fitted := FitIdentity(cases, base)
	if !(fitted.PhotoMatchLR > base.PhotoMatchLR && fitted.PhotoDifferLR < base.PhotoDifferLR) {
		t.Errorf("photo ratios %v, %v from %v, %v", fitted.PhotoMatchLR, fitted.PhotoDifferLR, base.PhotoMatchLR, base.PhotoDifferLR)
	}
	if !valid(fitted) {
		t.Errorf("fitted model out of bounds: %+v", fitted)
	}
}

// photoCases: n people whose guesses are theirs exactly when they show the
// photo of their email-matched account (every other one).
func photoCases(n int) []IdentityCase {
	sub := identity.Subject{EmailLocal: "mvoss", EmailDomain: "example.com", Name: "Mara Voss"}
	via := enrichers.Identifier{Kind: enrichers.KindUsername, Origin: "email", Prior: 0.6}
	photo := func(h uint64) *enrichers.ImageFacts { return &enrichers.ImageFacts{Hash: h} }
	var cases []IdentityCase
	for i := range n {
		mine := i%2 == 0
		h := uint64(0x0f0f_3c3c_a5a5_5a5a)
		if !mine {
			h = ^h
		}
		cases = append(cases, IdentityCase{
			Subject: sub,
			Accounts: []enrichers.Account{
				{Source: "github", Username: "mvoss", Method: "email_search", DisplayName: "Mara Voss", Photo: photo(0x0f0f_3c3c_a5a5_5a5a)},
				{Source: "reddit", Username: "mvoss", Method: "username_guess", DisplayName: "Mara Voss", Via: via, Photo: photo(h)},
			},
			Truth: func(source, _ string) bool { return source == "github" || mine },
			Owned: 2,
		})
	}
	return cases
}

// TestScoreIdentityParallel: resolving the cases on several goroutines
// gives the serial result exactly (the cases are summed in their order).
func TestScoreIdentityParallel(t *testing.T) {
	t.Parallel()
	cases := append(identityCases(5), photoCases(7)...)
	m := identity.DefaultModel()
	serial := scoreIdentity(cases, m, 0.5, 1)
	if serial.LogLoss <= 0 {
		t.Fatalf("serial log loss %v", serial.LogLoss)
	}
	for _, workers := range []int{2, 3, 4, 64} {
		if got := scoreIdentity(cases, m, 0.5, workers); got != serial {
			t.Errorf("%d workers: %+v; serial %+v", workers, got, serial)
		}
	}
	if got := ScoreIdentity(cases, m, 0.5); got != serial {
		t.Errorf("ScoreIdentity: %+v; serial %+v", got, serial)
	}
}

// TestMemoReaders: the fit's memoized topic and language readers answer
// as the model's own, for the cases' bios and for any other text, and the
// fitted model gets the model's own readers back.
func TestMemoReaders(t *testing.T) {
	t.Parallel()
	cases := photoCases(4)
	cases[0].Accounts[0].Bio = "Rust and Go developer, climbing on weekends"
	cases[1].Accounts[1].Bio = "Entwicklerin in Berlin, ich schreibe über Datenbanken"
	cases[1].Accounts[1].Tags = []string{"databases"}
	m := identity.DefaultModel()
	topics, language := memoTopics(cases, m.Topics), memoLanguage(cases, m.Language)
	for _, tc := range []struct {
		text string
		tags []string
	}{
		{"Rust and Go developer, climbing on weekends", nil},
		{"Entwicklerin in Berlin, ich schreibe über Datenbanken", []string{"databases"}},
		{"never seen: photography and jazz", nil},
		{"", nil},
	} {
		if got, want := topics(tc.text, tc.tags), m.Topics(tc.text, tc.tags); !maps.Equal(got, want) {
			t.Errorf("topics(%q) = %v; want %v", tc.text, got, want)
		}
		gl, gok := language(tc.text)
		if wl, wok := m.Language(tc.text); gl != wl || gok != wok {
			t.Errorf("language(%q) = %q, %v; want %q, %v", tc.text, gl, gok, wl, wok)
		}
	}
	if memoTopics(cases, nil) != nil || memoLanguage(cases, nil) != nil {
		t.Error("a model without readers got some")
	}
	fitted := FitIdentity(cases, m)
	if fitted.Topics == nil || fitted.Language == nil {
		t.Fatal("the fitted model lost its readers")
	}
	if got, want := fitted.Topics("never seen: photography and jazz", nil), m.Topics("never seen: photography and jazz", nil); !maps.Equal(got, want) {
		t.Errorf("fitted topics %v; want %v", got, want)
	}
}
