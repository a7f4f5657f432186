package calibrate

import (
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

// TestFitPhotoTerms: cases whose guesses are the subject's exactly when
// they show the photo of the email-matched account move the photo ratios
// away from their starting values (the fitter sees them).
func TestFitPhotoTerms(t *testing.T) {
	t.Parallel()
	sub := identity.Subject{EmailLocal: "mvoss", EmailDomain: "example.com", Name: "Mara Voss"}
	via := enrichers.Identifier{Kind: enrichers.KindUsername, Origin: "email", Prior: 0.6}
	photo := func(h uint64) *enrichers.ImageFacts { return &enrichers.ImageFacts{Hash: h} }
	var cases []IdentityCase
	for i := range 24 {
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
	base := identity.DefaultModel()
	fitted := FitIdentity(cases, base)
	if !(fitted.PhotoMatchLR > base.PhotoMatchLR && fitted.PhotoDifferLR < base.PhotoDifferLR) {
		t.Errorf("photo ratios %v, %v from %v, %v", fitted.PhotoMatchLR, fitted.PhotoDifferLR, base.PhotoMatchLR, base.PhotoDifferLR)
	}
	if !valid(fitted) {
		t.Errorf("fitted model out of bounds: %+v", fitted)
	}
}
