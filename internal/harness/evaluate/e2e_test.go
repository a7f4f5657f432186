package evaluate_test

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/evaluate"
	"github.com/footprint-oss/footprint/internal/harness/sim"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// world is a simulated web plus a pipeline pointed at it.
type world struct {
	sim    *sim.Sim
	svc    *pipeline.Service
	engine *engine.Engine
}

// serveSim serves a simulated web of people on loopback for the test's
// lifetime and returns it with its base URL.
func serveSim(t *testing.T, seed int64, people int) (*sim.Sim, *url.URL) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := sim.New(sim.Config{Seed: seed, People: people})
	ln, pc, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ctx, ln, pc) }()
	t.Cleanup(func() { cancel(); <-done })
	u, _ := url.Parse("http://" + ln.Addr().String())
	return s, u
}

func newWorld(t *testing.T, seed int64, people int, unlimited bool) *world {
	t.Helper()
	s, u := serveSim(t, seed, people)
	reg := engine.NewRegistry()
	limits := transport.NewLimiters()
	if err := all.Register(reg, all.Deps{Upstream: u, Unlimited: unlimited, Limiters: limits}); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]engine.SourceConfig{}
	if unlimited {
		// As eval does: no limit, no breaker opening and a minute per
		// call, so a loaded machine (CI under -race) slows these tests
		// down but does not change what they measure.
		for _, n := range reg.Names() {
			cfg[n] = withoutBreaker(engine.SourceConfig{RatePerS: 10000, Burst: 10000, Timeout: time.Minute})
		}
	}
	e, err := engine.New(reg, engine.Options{Sources: cfg, Limiters: limits, ReusedUsername: identity.ReusedUsername})
	if err != nil {
		t.Fatal(err)
	}
	return &world{sim: s, svc: pipeline.New(e, pipeline.Config{Simulated: true}), engine: e}
}

func TestLookupPerKindOfPerson(t *testing.T) {
	w := newWorld(t, 5, 150, true)
	var withAccounts, disposable, nothing *sim.Person
	for i, p := range w.sim.People() {
		switch {
		case p.EmailKind == "disposable" && disposable == nil:
			disposable = &w.sim.People()[i]
		case len(p.Truth.Accounts) == 0 && nothing == nil && p.EmailKind == "free":
			nothing = &w.sim.People()[i]
		case len(p.Truth.Accounts) >= 2 && withAccounts == nil:
			withAccounts = &w.sim.People()[i]
		}
	}
	if withAccounts == nil || disposable == nil || nothing == nil {
		t.Fatal("population lacks a kind of person")
	}
	ctx := context.Background()
	enrich := func(p *sim.Person) *pipeline.Profile {
		prof, err := w.svc.Enrich(ctx, pipeline.Input{Email: p.Email, Phone: p.Phone, Country: p.Country})
		if err != nil {
			t.Fatal(err)
		}
		if !prof.Simulated {
			t.Fatal("profile from the simulated web must say so")
		}
		if len(prof.Sources) != len(w.engine.Sources()) {
			t.Fatal("every source must be listed once")
		}
		return prof
	}
	t.Run("disposable", func(t *testing.T) {
		prof := enrich(disposable)
		if prof.Email == nil || !prof.Email.Disposable {
			t.Fatalf("email facts %+v", prof.Email)
		}
	})
	t.Run("no footprint", func(t *testing.T) {
		prof := enrich(nothing)
		for _, a := range prof.Accounts {
			if a.Match.Probability >= 0.9 {
				t.Fatalf("a person without accounts got a confident account %+v", a)
			}
		}
	})
	t.Run("with accounts", func(t *testing.T) {
		prof := enrich(withAccounts)
		if prof.Phone == nil || prof.Phone.E164 == "" {
			t.Fatalf("phone facts %+v", prof.Phone)
		}
		for _, a := range prof.Accounts {
			if a.Match == nil || a.Match.Probability < 0 || a.Match.Probability > 1 || len(a.Match.Evidence) == 0 {
				t.Fatalf("account without an explained match: %+v", a)
			}
		}
	})
}

func TestThrottledSourceIsNeverNotFound(t *testing.T) {
	w := newWorld(t, 6, 80, true)
	if err := w.sim.SetFault(sim.Fault{Source: "reddit", RateLimitRPS: 0.01}); err != nil {
		t.Fatal(err)
	}
	seen := map[enrichers.Status]int{}
	for _, p := range w.sim.People()[:40] {
		prof, err := w.svc.Enrich(context.Background(), pipeline.Input{Email: p.Email})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range prof.Sources {
			if s.Name == "reddit" {
				seen[s.Status]++
			}
		}
	}
	if seen[enrichers.StatusNotFound] > 1 { // the very first token may pass
		t.Fatalf("a throttled source read not_found: %v", seen)
	}
	if seen[enrichers.StatusRateLimited]+seen[enrichers.StatusCircuitOpen] == 0 {
		t.Fatalf("no rate_limited/circuit_open: %v", seen)
	}
}

func TestDefaultLimitsNeverMakeTheSimThrottle(t *testing.T) {
	w := newWorld(t, 7, 120, false)
	// The simulated web enforces each source's own default rate.
	for _, s := range w.engine.Sources() {
		if s.Network && slices.Contains(sim.Sources(), s.Name) {
			if err := w.sim.SetFault(sim.Fault{Source: s.Name, RateLimitRPS: s.RatePerS}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var wg sync.WaitGroup
	ms := 1500
	for _, p := range w.sim.People()[:50] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _ = w.svc.Enrich(ctx, pipeline.Input{Email: p.Email, Phone: p.Phone, Country: p.Country, Options: pipeline.Options{TimeoutMS: &ms}})
		}()
	}
	wg.Wait()
	for name, st := range w.sim.Stats() {
		if st.Throttled > 0 {
			t.Errorf("%s: the simulated web throttled %d of %d requests", name, st.Throttled, st.Requests)
		}
	}
}

func TestAccountMetrics(t *testing.T) {
	w := newWorld(t, 8, 60, true)
	budget := 30000 // the most a request may ask: load must not make a source miss the lookup
	outs := evaluate.Run(context.Background(), w.svc, w.sim.People(), 4, pipeline.Options{TimeoutMS: &budget}, true)
	m := evaluate.Accounts(outs, 0.5)
	if m.Errors != 0 || m.TrueAccounts == 0 {
		t.Fatalf("metrics %+v", m)
	}
	// With the limits lifted every source answers every lookup (GitHub's
	// search limit once held most email searches back unseen).
	if len(m.Incomplete) > 0 {
		t.Fatalf("sources without a definitive answer: %v", m.Incomplete)
	}
	// Regression bounds for discovery and the identity model: this seed
	// measured recall 0.983, false share 0.009 (1 of 114) before the
	// crowded world; on 40 untuned seeds of 200 people recall was
	// 0.917–0.972 and false share 0.005–0.089 (docs/IDENTITY.md).
	// In the crowded world it measures recall 0.951 (117 of 123), false
	// share 0.064 (8 of 125).
	// Issue 15's refit (precision first, fitted on crowded worlds of
	// 20 000 and 1 000 people) trades recall for precision: this seed
	// measures recall 0.699 (86 of 123), false share 0 (0 of 86).
	if m.Recall < 0.68 || m.FalseShare > 0.02 {
		t.Fatalf("identity resolution regressed: %+v", m)
	}
}

// TestScoreCalibration is the scores' regression test on a fixed seed:
// pooled interests, influencer and risky beat their base rates and stay
// calibrated; every returned interest and risk reason is explained.
func TestScoreCalibration(t *testing.T) {
	w := newWorld(t, 21, 250, true)
	zero := 0.0
	outs := evaluate.Run(context.Background(), w.svc, w.sim.People(), 4, pipeline.Options{MinProbability: &zero}, true)
	for _, c := range evaluate.Scores(outs) {
		t.Logf("%-20s n %5d Brier %.3f base %.3f ECE %.3f AUC %.2f", c.Target, c.N, c.Brier, c.BaseRateBrier, c.ECE, c.AUC)
		if c.N == 0 || c.Brier >= c.BaseRateBrier || c.ECE > 0.08 || c.AUC < 0.7 {
			t.Errorf("%s: calibration regressed: %+v", c.Target, c)
		}
	}
	for _, o := range outs {
		for _, in := range o.Profile.Interests {
			if len(in.Evidence) == 0 {
				t.Fatalf("interest %s returned without evidence", in.ID)
			}
		}
		for _, r := range o.Profile.Risk.Reasons {
			if r.Code == "" || r.Contribution == 0 {
				t.Fatalf("risk reason without a contribution: %+v", r)
			}
		}
	}
}
