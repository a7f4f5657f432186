package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/identity"
)

type src struct {
	name   string
	inputs []enrichers.Kind
	fn     func(context.Context, enrichers.Identifier) (*enrichers.Finding, error)
}

func (s src) Describe() enrichers.Description {
	return enrichers.Description{Name: s.name, Inputs: s.inputs, RatePerS: 1000, Burst: 1000, Timeout: time.Second, Version: 1}
}

func (s src) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	return s.fn(ctx, id)
}

func newService(t *testing.T, srcs ...enrichers.Enricher) *pipeline.Service {
	t.Helper()
	reg := engine.NewRegistry()
	reg.Register(srcs...)
	e, err := engine.New(reg, engine.Options{ReusedUsername: identity.ReusedUsername})
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.New(e, pipeline.Config{})
}

func fixture(t *testing.T) *pipeline.Service {
	emailSrc := src{name: "mail", inputs: []enrichers.Kind{enrichers.KindEmail}, fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{
			Email: &enrichers.EmailFacts{Valid: true, Domain: "acme.example", FreeProvider: false},
			Accounts: []enrichers.Account{
				{Source: "mail", Username: "jdoe", Method: "email_search", DisplayName: "Jane Doe"},
			},
			Identifiers: []enrichers.Identifier{{Kind: enrichers.KindUsername, Value: "j", Method: "username_guess", Prior: 1}},
		}, nil
	}}
	guess := src{name: "guess", inputs: []enrichers.Kind{enrichers.KindUsername}, fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{Accounts: []enrichers.Account{{Username: id.Value, Method: "username_guess", DisplayName: "Somebody Else"}}}, nil
	}}
	down := src{name: "down", inputs: []enrichers.Kind{enrichers.KindPhone}, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return nil, errors.New("upstream 503")
	}}
	return newService(t, emailSrc, guess, down)
}

func TestEnrichAssemblesProfile(t *testing.T) {
	svc := fixture(t)
	p, err := svc.Enrich(context.Background(), pipeline.Input{Email: " Jane.Doe+x@GoogleMail.com ", Phone: "(415) 555-2671", Country: "us", Name: "Jane Doe"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject.Email.Canonical != "janedoe@gmail.com" || p.Subject.Phone.E164 != "+14155552671" || p.Subject.Country != "US" {
		t.Fatalf("subject: %+v %+v", p.Subject.Email, p.Subject.Phone)
	}
	if p.Email == nil || p.Email.Domain != "acme.example" {
		t.Fatalf("email facts missing: %+v", p.Email)
	}
	if len(p.Sources) != 3 {
		t.Fatalf("%d sources", len(p.Sources))
	}
	if p.Complete {
		t.Fatal("a failing source must make the profile incomplete")
	}
	// The stranger found by a short username guess is a candidate, not an account.
	if len(p.Accounts) != 1 || p.Accounts[0].Username != "jdoe" || p.Accounts[0].Match == nil {
		t.Fatalf("accounts: %+v", p.Accounts)
	}
	p, err = svc.Enrich(context.Background(), pipeline.Input{Email: "jane.doe@gmail.com", Options: pipeline.Options{IncludeCandidates: true}})
	if err != nil {
		t.Fatal(err)
	}
	// Candidates: the email-search account, the stranger found by the
	// guess "j", and the guess source's account for "jdoe" (the email-found
	// account's username is tried on the other platforms).
	if len(p.Accounts) != 3 {
		t.Fatalf("with candidates: %d accounts", len(p.Accounts))
	}
}

func TestEnrichInputErrors(t *testing.T) {
	svc := fixture(t)
	big := 50000
	neg := 1.5
	tests := []struct {
		name   string
		in     pipeline.Input
		status int
		field  string
	}{
		{"nothing", pipeline.Input{}, 400, "email"},
		{"bad email", pipeline.Input{Email: "not an email"}, 400, "email"},
		{"bad phone", pipeline.Input{Phone: "call me maybe"}, 400, "phone"},
		{"national phone without country", pipeline.Input{Phone: "415 555 2671"}, 400, "phone"},
		{"bad country", pipeline.Input{Phone: "415 555 2671", Country: "XX"}, 400, "country"},
		{"timeout too big", pipeline.Input{Email: "a@b.co", Options: pipeline.Options{TimeoutMS: &big}}, 400, "options.timeout_ms"},
		{"min_match out of range", pipeline.Input{Email: "a@b.co", Options: pipeline.Options{MinMatch: &neg}}, 400, "options.min_match"},
		{"unknown source", pipeline.Input{Email: "a@b.co", Options: pipeline.Options{Sources: []string{"nope"}}}, 422, "options.sources[0]"},
		{"everything excluded", pipeline.Input{Email: "a@b.co", Options: pipeline.Options{Sources: []string{"mail"}, ExcludeSources: []string{"mail"}}}, 422, "options.exclude_sources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Enrich(context.Background(), tt.in)
			var ie *pipeline.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if ie.Status != tt.status || ie.Errors[0].Field != tt.field || ie.Errors[0].Reason == "" {
				t.Fatalf("got %d %+v, want %d naming %s", ie.Status, ie.Errors, tt.status, tt.field)
			}
		})
	}
}

func TestEnrichRespectsBudget(t *testing.T) {
	slow := src{name: "slow", inputs: []enrichers.Kind{enrichers.KindEmail}, fn: func(ctx context.Context, _ enrichers.Identifier) (*enrichers.Finding, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	svc := newService(t, slow)
	ms := 100
	start := time.Now()
	p, err := svc.Enrich(context.Background(), pipeline.Input{Email: "a@example.com", Options: pipeline.Options{TimeoutMS: &ms}})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Duration(ms)*time.Millisecond {
		t.Fatalf("took %s for a %dms budget", took, ms)
	}
	if p.Complete || p.Sources[0].Status != enrichers.StatusTimeout || !strings.Contains(p.Sources[0].Detail, "budget") {
		t.Fatalf("status %+v", p.Sources[0])
	}
}

// The email's domain is looked up from the first round, whether or not the
// email source runs: options.sources naming only domain sources still
// reaches them, and an address literal gives no domain.
func TestDomainSourcesWithoutTheEmailSource(t *testing.T) {
	var got []string
	dom := src{name: "dom", inputs: []enrichers.Kind{enrichers.KindDomain}, fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
		got = append(got, id.Value+" "+string(id.Method))
		return &enrichers.Finding{}, nil
	}}
	mail := src{name: "mail", inputs: []enrichers.Kind{enrichers.KindEmail}, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{}, nil
	}}
	svc := newService(t, mail, dom)
	tests := []struct {
		email string
		want  string
		stat  enrichers.Status
	}{
		{"jane@Example.COM", "example.com email_domain", enrichers.StatusOK},
		{"jane@[192.0.2.1]", "", enrichers.StatusSkipped},
	}
	for _, tt := range tests {
		got = nil
		p, err := svc.Enrich(context.Background(), pipeline.Input{Email: tt.email, Options: pipeline.Options{Sources: []string{"dom"}}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%s: dom asked about %q, want %q", tt.email, got, tt.want)
		}
		for _, s := range p.Sources {
			if s.Name == "dom" && s.Status != tt.stat {
				t.Errorf("%s: dom %s (%s), want %s", tt.email, s.Status, s.Detail, tt.stat)
			}
		}
	}
}

// The avatar source's hash of a photo reaches every account showing it,
// so identity resolution can compare them; it is not in the response.
func TestPhotosReachTheAccounts(t *testing.T) {
	const url = "https://img.example/jdoe.png"
	mail := src{name: "mail", inputs: []enrichers.Kind{enrichers.KindEmail}, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{Accounts: []enrichers.Account{
			{Source: "mail", Username: "jdoe", Method: "email_search", DisplayName: "Jane Doe", Avatar: url},
			{Source: "mail", Username: "nophoto", Method: "email_search", DisplayName: "Jane Doe"},
		}}, nil
	}}
	pics := src{name: "pics", inputs: []enrichers.Kind{enrichers.KindImage}, fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{Image: &enrichers.ImageFacts{Hash: 0x5eed5eed5eed5eed, Width: 8, Height: 8}}, nil
	}}
	p, err := newService(t, mail, pics).Enrich(context.Background(), pipeline.Input{Email: "jane.doe@gmail.com", Options: pipeline.Options{IncludeCandidates: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Accounts {
		switch {
		case a.Username == "jdoe" && (a.Photo == nil || a.Photo.Hash != 0x5eed5eed5eed5eed):
			t.Errorf("jdoe's photo %+v", a.Photo)
		case a.Username == "nophoto" && a.Photo != nil:
			t.Errorf("an account without a photo got %+v", a.Photo)
		}
	}
	if b, err := json.Marshal(p); err != nil || strings.Contains(string(b), "6840227782638526189") || strings.Contains(string(b), `"photo":`) {
		t.Errorf("the hash is in the response: %v", err)
	}
}

// A lookup with no interest signal answers from the priors computed once:
// exactly what scoring writes for it, at every min_probability.
func TestInterestsWithoutSignal(t *testing.T) {
	mail := src{name: "mail", inputs: []enrichers.Kind{enrichers.KindEmail}, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
		return &enrichers.Finding{Email: &enrichers.EmailFacts{Valid: true, Domain: "acme.example"}}, nil
	}}
	svc := newService(t, mail)
	p := scoring.DefaultParams()
	all := scoring.Interests(scoring.Evidence{}, p)
	for _, min := range []float64{0, 0.01, all[len(all)/2].Probability, 0.2, 1} {
		t.Run(fmt.Sprint(min), func(t *testing.T) {
			prof, err := svc.Enrich(context.Background(), pipeline.Input{Email: "jane@acme.example", Options: pipeline.Options{MinProbability: &min}})
			if err != nil {
				t.Fatal(err)
			}
			want := scoring.InterestsAtLeast(scoring.Evidence{}, p, min)
			if len(prof.Interests) != len(want) {
				t.Fatalf("%d interests, want %d", len(prof.Interests), len(want))
			}
			for i, in := range prof.Interests {
				w := want[i]
				if in.ID != w.ID || in.Probability != w.Probability || len(in.Evidence) != 1 || in.Evidence[0].Source != "prior" ||
					in.Evidence[0].Contribution != math.Round(math.Log(w.Probability/(1-w.Probability))*1e4)/1e4 {
					t.Fatalf("interest %d = %+v, want %+v with its prior as evidence", i, in, w)
				}
			}
		})
	}
}
