package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

func reasonOf(r RiskScore, code string) (Reason, bool) {
	for _, x := range r.Reasons {
		if x.Code == code {
			return x, true
		}
	}
	return Reason{}, false
}

// TestRiskSignals: each signal sets exactly its feature to the documented
// value; its reason's contribution is weight × value.
func TestRiskSignals(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	w := p.Risk.Weights
	yearsAgo := func(y float64) *time.Time {
		return ptrTime(testNow.Add(-time.Duration(y * 365.25 * 24 * float64(time.Hour))))
	}
	for _, tc := range []struct {
		name string
		ev   Evidence
		want map[string]float64 // feature values
	}{
		{"disposable", Evidence{Email: &enrichers.EmailFacts{Valid: true, Disposable: true}}, map[string]float64{RiskDisposableEmail: 1}},
		{"invalid email", Evidence{Email: &enrichers.EmailFacts{Valid: false}}, map[string]float64{RiskInvalidEmail: 1}},
		{"typo", Evidence{Email: &enrichers.EmailFacts{Valid: true, TypoSuggestion: "gmail.com"}}, map[string]float64{RiskTypoDomain: 1}},
		{"role", Evidence{Email: &enrichers.EmailFacts{Valid: true, RoleAccount: true}}, map[string]float64{RiskRoleAccount: 1}},
		{"clean email", Evidence{Email: &enrichers.EmailFacts{Valid: true, FreeProvider: true}}, nil},
		{"no mx", Evidence{DNS: &enrichers.DNSFacts{}}, map[string]float64{RiskNoMX: 1}},
		{"null mx", Evidence{DNS: &enrichers.DNSFacts{NullMX: true}}, map[string]float64{RiskNullMX: 1}},
		{"mx ok", Evidence{DNS: &enrichers.DNSFacts{HasMX: true, MX: []string{"mx.example"}}}, nil},
		{"young domain", Evidence{Domain: &enrichers.DomainFacts{Registered: ptrTime(testNow.AddDate(0, 0, -5))}}, map[string]float64{RiskYoungDomain: 1, RiskNewDomain: 1}},
		{"young domain by age", Evidence{Domain: &enrichers.DomainFacts{AgeDays: 12}}, map[string]float64{RiskYoungDomain: 1, RiskNewDomain: 1}},
		{"new domain", Evidence{Domain: &enrichers.DomainFacts{Registered: ptrTime(testNow.AddDate(0, -4, 0))}}, map[string]float64{RiskNewDomain: 1}},
		{"old domain", Evidence{Domain: &enrichers.DomainFacts{Registered: ptrTime(testNow.AddDate(-9, 0, 0))}}, nil},
		{"no footprint", Evidence{Sources: allOK("github", "reddit", "bluesky")}, map[string]float64{RiskNoFootprint: 1}},
		{"too few answers for no footprint", Evidence{Sources: allOK("github", "reddit", "email", "dns")}, nil},
		{"breadth", Evidence{Accounts: []enrichers.Account{acct("github", "a", 0.9), acct("reddit", "b", 0.6), acct("bluesky", "c", 0.3)}},
			map[string]float64{RiskFootprintBreadth: math.Log2(1 + 1.8)}}, // the expected number: .9 + .6 + .3
		// Candidates only: nothing passes 0.5, but 0.3 + 0.2 of an account
		// is expected to be the subject's.
		{"candidates only", Evidence{Sources: allOK("github", "reddit", "bluesky"), Accounts: []enrichers.Account{acct("github", "a", 0.3), acct("reddit", "b", 0.2)}},
			map[string]float64{RiskNoFootprint: 1, RiskFootprintBreadth: math.Log2(1.5)}},
		{"footprint age", Evidence{Accounts: []enrichers.Account{{Source: "github", Username: "a", Match: match(0.9), CreatedAt: yearsAgo(7)}}},
			map[string]float64{RiskFootprintBreadth: math.Log2(1.9), RiskFootprintAge: 3}},
		{"young footprint", Evidence{Accounts: []enrichers.Account{{Source: "github", Username: "a", Match: match(0.9), CreatedAt: ptrTime(testNow.AddDate(0, 0, -10))}}},
			map[string]float64{RiskFootprintBreadth: math.Log2(1.9), RiskYoungFootprint: 1, RiskFootprintAge: math.Log2(1 + 10/365.25)}},
		{"age from first breach", Evidence{Breach: &enrichers.BreachFacts{Count: 3, FirstBreach: yearsAgo(3)}},
			map[string]float64{RiskBreachHistory: 2, RiskFootprintAge: 2}},
		{"no breaches (not_found)", Evidence{Sources: map[string]enrichers.Status{"hibp": enrichers.StatusNotFound}}, map[string]float64{RiskNoBreaches: 1}},
		{"phone invalid", Evidence{Phone: &enrichers.PhoneFacts{Valid: false}}, map[string]float64{RiskPhoneInvalid: 1}},
		{"phone voip", Evidence{Phone: &enrichers.PhoneFacts{Valid: true, LineType: "voip", Country: "US"}, Country: "US"}, map[string]float64{RiskPhoneVoIP: 1}},
		{"phone mobile", Evidence{Phone: &enrichers.PhoneFacts{Valid: true, LineType: "mobile", Country: "DE"}, Country: "de"}, nil},
		{"phone vs supplied country", Evidence{Phone: &enrichers.PhoneFacts{Valid: true, LineType: "mobile", Country: "NG"}, Country: "DE"}, map[string]float64{RiskPhoneCountryMismatch: 1}},
		{"phone vs email ccTLD", Evidence{Phone: &enrichers.PhoneFacts{Valid: true, LineType: "mobile", Country: "FR"}, Email: &enrichers.EmailFacts{Valid: true, Domain: "web.de"}}, map[string]float64{RiskPhoneCountryMismatch: 1}},
		{"phone matches email ccTLD", Evidence{Phone: &enrichers.PhoneFacts{Valid: true, LineType: "mobile", Country: "GB"}, Email: &enrichers.EmailFacts{Valid: true, Domain: "example.co.uk"}, Country: "FR"}, nil},
		{"phone no reference", Evidence{Phone: &enrichers.PhoneFacts{Valid: true, LineType: "mobile", Country: "FR"}, Email: &enrichers.EmailFacts{Valid: true, Domain: "x.io"}}, nil},
		{"name mismatch", Evidence{Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Carlos Pérez", Match: match(0.9)}}},
			map[string]float64{RiskFootprintBreadth: math.Log2(1.9), RiskNameMismatch: 1}},
		{"name match", Evidence{Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "anna schmidt", Match: match(0.9)}}},
			map[string]float64{RiskFootprintBreadth: math.Log2(1.9)}},
		{"breaches", Evidence{Breach: &enrichers.BreachFacts{Count: 7}}, map[string]float64{RiskBreachHistory: 3}},
		// Several warning signs at once: each beyond the first is counted
		// by signals_overlap (a young domain is one sign with new_domain).
		{"three signs overlap", Evidence{Email: &enrichers.EmailFacts{Valid: true, Disposable: true}, Phone: &enrichers.PhoneFacts{Valid: true, LineType: "voip", Country: "NG"}, Country: "DE"},
			map[string]float64{RiskDisposableEmail: 1, RiskPhoneVoIP: 1, RiskPhoneCountryMismatch: 1, RiskSignalsOverlap: 2}},
		{"young domain and a name mismatch", Evidence{Domain: &enrichers.DomainFacts{AgeDays: 12}, Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Carlos Pérez", Match: match(1)}}},
			map[string]float64{RiskYoungDomain: 1, RiskNewDomain: 1, RiskFootprintBreadth: 1, RiskNameMismatch: 1, RiskSignalsOverlap: 1}},
		{"half a name is a sign", Evidence{Email: &enrichers.EmailFacts{Valid: true, Disposable: true}, Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Anna", Match: match(1)}}},
			map[string]float64{RiskDisposableEmail: 1, RiskFootprintBreadth: 1, RiskNameMismatch: 0.5, RiskSignalsOverlap: 1}},
		{"a slight name mismatch is none", Evidence{Email: &enrichers.EmailFacts{Valid: true, Disposable: true}, Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Anna S.", Match: match(1)}}},
			map[string]float64{RiskDisposableEmail: 1, RiskFootprintBreadth: 1, RiskNameMismatch: 0.15}},
	} {
		x := RiskFeatures(tc.ev, p, testNow)
		r := Risk(tc.ev, p, testNow)
		z := p.Risk.Intercept
		for i, code := range RiskFeatureNames() {
			want := tc.want[code]
			if math.Abs(x[i]-want) > 1e-9 {
				t.Errorf("%s: %s = %v, want %v", tc.name, code, x[i], want)
			}
			z += w[code] * want
			reason, ok := reasonOf(r, code)
			if ok != (want != 0) || (ok && math.Abs(reason.Contribution-w[code]*want) > 1e-4) || (ok && reason.Description == "") {
				t.Errorf("%s: reason %s = %+v (%v), want contribution %v", tc.name, code, reason, ok, w[code]*want)
			}
		}
		if math.Abs(r.Probability-sigmoid(z)) > 1e-4 {
			t.Errorf("%s: P = %v, want %v", tc.name, r.Probability, sigmoid(z))
		}
	}
}

// TestRiskMissingSources: facts from failed sources, and silence of
// failed sources, contribute nothing.
func TestRiskMissingSources(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	down := map[string]enrichers.Status{
		"email": enrichers.StatusError, "phone": enrichers.StatusSkipped, "dns": enrichers.StatusTimeout,
		"rdap": enrichers.StatusRateLimited, "hibp": enrichers.StatusCircuitOpen, "github": enrichers.StatusBlocked,
		"reddit": enrichers.StatusTimeout, "bluesky": enrichers.StatusError, "mastodon": enrichers.StatusRateLimited,
	}
	ev := Evidence{
		Email:   &enrichers.EmailFacts{Disposable: true},
		Phone:   &enrichers.PhoneFacts{Valid: true, LineType: "voip", Country: "NG"},
		DNS:     &enrichers.DNSFacts{NullMX: true},
		Domain:  &enrichers.DomainFacts{AgeDays: 2},
		Breach:  &enrichers.BreachFacts{Count: 9},
		Country: "DE",
		Sources: down,
	}
	r := Risk(ev, p, testNow)
	if len(r.Reasons) != 0 || r.Probability != round4(sigmoid(p.Risk.Intercept)) {
		t.Errorf("down sources contributed: %+v", r)
	}
	v := VerificationWith(ev, p, testNow)
	if v.EmailDeliverable != nil || v.PhoneValid != nil || v.NameMatch != nil || v.FirstSeen != nil {
		t.Errorf("verification from down sources: %+v", v)
	}
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	for _, tc := range []struct {
		prob float64
		want string
	}{{0, VerdictApprove}, {0.1999, VerdictApprove}, {0.2, VerdictReview}, {0.5999, VerdictReview}, {0.6, VerdictDecline}, {1, VerdictDecline}} {
		if got := VerdictOf(tc.prob, p); got != tc.want {
			t.Errorf("VerdictOf(%v) = %s, want %s", tc.prob, got, tc.want)
		}
	}
	p.Risk.Approve, p.Risk.Decline = 0.05, 0.3
	if got := VerdictOf(0.1, p); got != VerdictReview {
		t.Errorf("configured thresholds ignored: %s", got)
	}
	if got := VerdictOf(0.3, p); got != VerdictDecline {
		t.Errorf("configured thresholds ignored: %s", got)
	}
}

// TestRiskProperties: probability in [0,1], score = 100 × probability,
// reasons sorted and summing to the log-odds, deterministic.
func TestRiskProperties(t *testing.T) {
	t.Parallel()
	p := DefaultParams()
	r := rand.New(rand.NewPCG(11, 5))
	for range 300 {
		ev := randomEvidence(r)
		if r.IntN(2) == 0 {
			ev.Email = &enrichers.EmailFacts{Valid: r.IntN(5) > 0, Disposable: r.IntN(4) == 0, Domain: "example.de"}
		}
		if r.IntN(2) == 0 {
			ev.Phone = &enrichers.PhoneFacts{Valid: r.IntN(5) > 0, LineType: []string{"mobile", "voip", "fixed_line"}[r.IntN(3)], Country: []string{"DE", "US"}[r.IntN(2)]}
		}
		if r.IntN(2) == 0 {
			ev.Breach = &enrichers.BreachFacts{Count: r.IntN(5), FirstBreach: ptrTime(testNow.AddDate(-r.IntN(10), 0, 0))}
		}
		ev.Name = []string{"", "Anna Schmidt"}[r.IntN(2)]
		rs := Risk(ev, p, testNow)
		if !(rs.Probability >= 0 && rs.Probability <= 1) || math.Abs(rs.Score-rs.Probability*100) > 0.051 {
			t.Fatalf("bad risk %+v", rs)
		}
		z := p.Risk.Intercept
		for i, rc := range rs.Reasons {
			z += rc.Contribution
			if i > 0 && math.Abs(rs.Reasons[i-1].Contribution) < math.Abs(rc.Contribution) {
				t.Fatalf("reasons not sorted: %+v", rs.Reasons)
			}
		}
		if math.Abs(sigmoid(z)-rs.Probability) > 1e-3 {
			t.Fatalf("reasons do not add up: %v vs %v", sigmoid(z), rs.Probability)
		}
		if again := Risk(ev, p, testNow); again.Probability != rs.Probability || !slices.Equal(again.Reasons, rs.Reasons) {
			t.Fatal("Risk is not deterministic")
		}
	}
}

func TestVerification(t *testing.T) {
	t.Parallel()
	old := testNow.AddDate(-6, 0, 0)
	older := testNow.AddDate(-9, 0, 0)
	future := testNow.AddDate(1, 0, 0)
	for _, tc := range []struct {
		name        string
		ev          Evidence
		deliverable *bool
		phone       *bool
		nameMatch   *float64
		firstSeen   *time.Time
	}{
		{"nothing", Evidence{}, nil, nil, nil, nil},
		{"deliverable", Evidence{Email: &enrichers.EmailFacts{Valid: true}, DNS: &enrichers.DNSFacts{HasMX: true}}, boolPtr(true), nil, nil, nil},
		{"valid but DNS unknown", Evidence{Email: &enrichers.EmailFacts{Valid: true}}, nil, nil, nil, nil},
		{"invalid", Evidence{Email: &enrichers.EmailFacts{Valid: false}}, boolPtr(false), nil, nil, nil},
		{"null mx", Evidence{Email: &enrichers.EmailFacts{Valid: true}, DNS: &enrichers.DNSFacts{NullMX: true}}, boolPtr(false), nil, nil, nil},
		{"no mx", Evidence{DNS: &enrichers.DNSFacts{}}, boolPtr(false), nil, nil, nil},
		{"phone", Evidence{Phone: &enrichers.PhoneFacts{Valid: true}}, nil, boolPtr(true), nil, nil},
		{"name without supplied name", Evidence{Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Anna", Match: match(1)}}}, nil, nil, nil, nil},
		{"name partial", Evidence{Name: "Anna Schmidt", Accounts: []enrichers.Account{
			{Source: "github", Username: "a", DisplayName: "Anna", Match: match(1)},
			{Source: "reddit", Username: "b", DisplayName: "Someone Else", Match: match(1)},
			{Source: "bluesky", Username: "c", DisplayName: "Anna Schmidt", Match: match(0.2)}, // below footprint match
		}}, nil, nil, ptrF(0.5), nil},
		{"handle as display name skipped", Evidence{Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "quietfox", DisplayName: "quietfox", Match: match(1)}}}, nil, nil, nil, nil},
		{"bluesky handle as display name skipped", Evidence{Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "bluesky", Username: "annaschmidt.bsky.social", DisplayName: "annaschmidt", Match: match(1)}}}, nil, nil, nil, nil},
		{"name with an initial", Evidence{Name: "Anna Schmidt", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Anna S.", Match: match(1)}}}, nil, nil, ptrF(0.85), nil},
		{"name with an apostrophe", Evidence{Name: "Mary O'Brien", Accounts: []enrichers.Account{{Source: "github", Username: "a", DisplayName: "Mary OBrien", Match: match(1)}}}, nil, nil, ptrF(1), nil},
		{"first seen", Evidence{
			Accounts: []enrichers.Account{{Source: "github", Username: "a", Match: match(0.9), CreatedAt: &old}, {Source: "reddit", Username: "x", Match: match(0.9), CreatedAt: &future}},
			Breach:   &enrichers.BreachFacts{Count: 1, FirstBreach: &older},
		}, nil, nil, nil, &older},
	} {
		v := Verification(tc.ev, testNow)
		if !eqPtr(v.EmailDeliverable, tc.deliverable) || !eqPtr(v.PhoneValid, tc.phone) || !eqPtr(v.NameMatch, tc.nameMatch) || !eqTime(v.FirstSeen, tc.firstSeen) {
			t.Errorf("%s: %+v", tc.name, v)
		}
	}
}

func ptrF(f float64) *float64 { return &f }

func eqPtr[T comparable](a, b *T) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func eqTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func TestCCTLDCountry(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"web.de": "DE", "example.co.uk": "GB", "gmail.com": "", "x.io": "", "free.fr": "FR", "nodot": ""} {
		if got := ccTLDCountry(in); got != want {
			t.Errorf("ccTLDCountry(%q) = %q, want %q", in, got, want)
		}
	}
}
