package evaluate

import (
	"bytes"
	"encoding/gob"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// scoredOutcome is a lookup whose scores read facts, statuses and a
// followed account: a risky influencer.
func scoredOutcome() Outcome {
	o := outcome([]string{"bluesky", "mvoss.bsky.social"}, "bluesky", "mvoss.bsky.social", 0.9, "reddit", "mvoss", 0.4)
	o.Person.Truth.Risky, o.Person.Truth.Influencer = true, true
	o.Person.Truth.Interests = []string{"photography"}
	o.Profile.GeneratedAt = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	o.Profile.Subject = pipeline.Subject{Name: "Mara Voss", Country: "DE"}
	o.Profile.Email = &enrichers.EmailFacts{Domain: "mailinator.com", Valid: true, Disposable: true}
	o.Profile.Accounts[0].Followers = enrichers.Int64(40000)
	o.Profile.Sources = []pipeline.SourceStatus{{Name: "email", Status: enrichers.StatusOK}, {Name: "bluesky", Status: enrichers.StatusOK}, {Name: "reddit", Status: enrichers.StatusNotFound}}
	return o
}

// Stored cases carry what the scores were computed from and the truth, so
// that eval --fit-from --scores computes the same scores again, and a
// file written before they were stored reads with none.
func TestScoreCasesRoundTrip(t *testing.T) {
	o := scoredOutcome()
	var b bytes.Buffer
	if err := WriteCases(&b, []Outcome{o}); err != nil {
		t.Fatal(err)
	}
	ics, scs, err := ReadAll(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ics) != 1 || len(scs) != 1 {
		t.Fatalf("%d identity cases, %d score cases", len(ics), len(scs))
	}
	sc := scs[0]
	if !sc.Risky || !sc.Influencer || len(sc.Interests) != 1 || !sc.Now.Equal(o.Profile.GeneratedAt) {
		t.Errorf("truth or time lost: %+v", sc)
	}
	if sc.Evidence.Email == nil || !sc.Evidence.Email.Disposable || sc.Evidence.Sources["reddit"] != enrichers.StatusNotFound ||
		sc.Evidence.Name != "Mara Voss" || sc.Evidence.Country != "DE" || len(sc.Evidence.Accounts) != 2 {
		t.Errorf("evidence lost: %+v", sc.Evidence)
	}
	p := scoring.DefaultParams()
	want := scoreCaseOf(o)
	if got, w := scoring.Risk(sc.Evidence, p, sc.Now), scoring.Risk(want.Evidence, p, want.Now); got.Probability != w.Probability {
		t.Errorf("risk after the round trip %v, before %v", got.Probability, w.Probability)
	}
	if got, w := scoring.Influence(sc.Evidence, p), scoring.Influence(want.Evidence, p); got.ProbabilityInfluencer != w.ProbabilityInfluencer {
		t.Errorf("influence after the round trip %v, before %v", got.ProbabilityInfluencer, w.ProbabilityInfluencer)
	}
	// Resolved again, the accounts carry the model's probabilities (the
	// run's had no method), and the stored case is left as it was.
	re := Rescore(ics, scs, identity.DefaultModel())
	for _, a := range re[0].Evidence.Accounts {
		if a.Match == nil || a.Match.Method == "" {
			t.Errorf("account not resolved again: %+v", a)
		}
	}
	if scs[0].Evidence.Accounts[0].Match.Method != "" {
		t.Error("Rescore changed the stored case")
	}

	// The format before score cases: identity only.
	var old bytes.Buffer
	if err := gob.NewEncoder(&old).Encode([]struct {
		Subject  identity.Subject
		Accounts []enrichers.Account
		Truth    []string
		Owned    int
	}{{Owned: 1, Truth: []string{Key("github", "mvoss")}}}); err != nil {
		t.Fatal(err)
	}
	ics, scs, err = ReadAll(&old)
	if err != nil || len(ics) != 1 || scs != nil {
		t.Errorf("old file: %d identity cases, score cases %v, err %v", len(ics), scs, err)
	}
}

// ScoreCalibrations measures the influencer and risk probabilities the
// params give, as Scores does on a run.
func TestScoreCalibrations(t *testing.T) {
	o := scoredOutcome()
	scs := []ScoreCase{scoreCaseOf(o)}
	cs := ScoreCalibrations(scs, scoring.DefaultParams())
	if len(cs) != 2 || cs[0].Target != "influencer" || cs[1].Target != "risky" || cs[0].N != 1 || cs[1].BaseRate != 1 {
		t.Fatalf("%+v", cs)
	}
	want := Scores([]Outcome{withScores(o)})
	if cs[0].Brier != want[1].Brier || cs[1].Brier != want[2].Brier {
		t.Errorf("Brier %v / %v, Scores %v / %v", cs[0].Brier, cs[1].Brier, want[1].Brier, want[2].Brier)
	}
}

// withScores fills in the profile's scores as the pipeline would from the
// same evidence.
func withScores(o Outcome) Outcome {
	sc := scoreCaseOf(o)
	p := scoring.DefaultParams()
	o.Profile.Influence = scoring.Influence(sc.Evidence, p)
	o.Profile.Risk = scoring.Risk(sc.Evidence, p, sc.Now)
	return o
}
