package calibrate

import (
	"fmt"
	"math"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/boost"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// bioCases: the guessed Reddit account is the subject's exactly when its
// bio is the email-matched GitHub account's (a bio unique to the person);
// the additive model has no term for that, the second look's same_bio
// input does.
func bioCases(n, from int) []IdentityCase {
	sub := identity.Subject{EmailLocal: "sam.lee", EmailDomain: "example.com", Name: "Sam Lee"}
	cases := make([]IdentityCase, n)
	for i := range cases {
		bio := fmt.Sprintf("rust, ceramics and night trains #%d", from+i)
		theirs := i%2 == 0
		other := bio
		if !theirs {
			other = fmt.Sprintf("the other one, #%d", from+i)
		}
		cases[i] = IdentityCase{
			Subject: sub,
			Accounts: []enrichers.Account{
				{Source: "github", Username: "samlee", Method: enrichers.MethodEmailSearch, DisplayName: "Sam Lee", Bio: bio},
				{Source: "reddit", Username: "samlee", Method: enrichers.MethodUsernameGuess, Bio: other,
					Via: enrichers.Identifier{Kind: enrichers.KindUsername, Value: "samlee", Prior: 1}},
			},
			Truth: func(source, _ string) bool { return source == "github" || theirs },
			Owned: 2,
		}
	}
	return cases
}

func TestFitSecond(t *testing.T) {
	t.Parallel()
	p := boost.Params{Rounds: 40, Rate: 0.2, Depth: 2, MinLeaf: 10, Lambda: 1, Bins: 16}
	base := identity.DefaultModel()
	base.Second = nil
	for _, folds := range []int{0, 3} {
		e, err := FitSecond(bioCases(200, 0), base, p, folds)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Validate(); err != nil {
			t.Fatal(err)
		}
		with := base
		with.Second = e
		test := bioCases(100, 1000)
		a, b := MeasureIdentity(test, base), MeasureIdentity(test, with)
		if !(b.LogLoss < a.LogLoss/2) {
			t.Errorf("folds %d: log loss %.3f without the second look, %.3f with it", folds, a.LogLoss, b.LogLoss)
		}
		if b.Recall != 0.75 || b.FalseShare != 0 { // every account found is told right; half the cases own an account never found
			t.Errorf("folds %d: recall %.3f, false share %.3f with the second look", folds, b.Recall, b.FalseShare)
		}
	}
}

func TestMeasureIdentity(t *testing.T) {
	t.Parallel()
	// identityCases: the email match is the subject's, the guess is not,
	// and one of the subject's two accounts is never found.
	q := MeasureIdentity(identityCases(4), identity.DefaultModel())
	if q.Found != 0.5 {
		t.Errorf("found %.3f of the subject's accounts at any probability, want 0.5 (one of two)", q.Found)
	}
	if q.BestRecall != 0.5 || q.Recall != 0.5 || q.FalseShare != 0 {
		t.Errorf("best recall %.3f, recall %.3f, false share %.3f; want 0.5, 0.5, 0", q.BestRecall, q.Recall, q.FalseShare)
	}
	if q.BestThreshold < 0.5 || q.ECE < 0 || q.ECE > 0.5 || q.Brier > q.BaseRateBrier {
		t.Errorf("%+v", q)
	}
	if math.Abs(q.ExpectedFalseShare-(1-q.BestThreshold)) > 1e-9 {
		t.Errorf("expected false share %.4f: one account at %.3f is above 0.5", q.ExpectedFalseShare, q.BestThreshold)
	}
}
