package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/scoring"
	"github.com/nyaruka/phonenumbers"
)

// get sends a GET through the handler in-process and returns the recorder.
func get(t *testing.T, h http.Handler, url string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v\nbody: %.300s", v, err, rec.Body.String())
	}
	return v
}

func peopleJSON(t *testing.T, s *Sim) []byte {
	t.Helper()
	b, err := json.Marshal(s.People())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a, b := New(Config{Seed: 7, People: 300}), New(Config{Seed: 7, People: 300})
	if !bytes.Equal(peopleJSON(t, a), peopleJSON(t, b)) {
		t.Fatal("same seed produced different populations")
	}
	// Same responses, byte for byte, for every true account of a sample.
	for _, p := range a.People()[:60] {
		for _, acc := range p.Truth.Accounts {
			u := foundURL(acc)
			ra, rb := get(t, a.Handler(), u, "hibp-api-key", "k"), get(t, b.Handler(), u, "hibp-api-key", "k")
			if ra.Code != rb.Code || ra.Body.String() != rb.Body.String() {
				t.Fatalf("%s: responses differ between two sims with the same seed", u)
			}
		}
	}
	c := New(Config{Seed: 8, People: 300})
	if bytes.Equal(peopleJSON(t, a), peopleJSON(t, c)) {
		t.Fatal("different seeds produced the same population")
	}
}

func TestPopulationStatistics(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1})
	people := s.People()
	if len(people) != 1000 {
		t.Fatalf("default population = %d, want 1000", len(people))
	}
	st := s.PopulationStats()
	t.Logf("seed 1: %+v", st)
	share := func(n int) float64 { return float64(n) / float64(len(people)) }
	check := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s share = %.3f, want in [%.2f, %.2f]", what, got, lo, hi)
		}
	}
	check("free email", share(st.EmailKinds["free"]), 0.42, 0.60)
	check("company email", share(st.EmailKinds["company"]), 0.22, 0.38)
	check("personal domain", share(st.EmailKinds["personal"]), 0.04, 0.13)
	check("disposable email", share(st.EmailKinds["disposable"]), 0.04, 0.11)
	check("typo domain", share(st.EmailKinds["typo"]), 0.003, 0.05)
	check("influencer", share(st.Influencers), 0.05, 0.12)
	check("risky", share(st.Risky), 0.06, 0.15)
	check("voip", share(st.PhoneTypes["voip"]), 0.02, 0.15)
	check("no footprint", share(st.NoFootprint), 0.05, 0.30)
	raw, san := s.Discoverability(false), s.Discoverability(true)
	t.Logf("discoverability: raw local-part guesses %+v; sanitized guesses %+v", raw, san)
	if r := float64(raw.Reachable) / float64(raw.TrueAccounts); r < 0.55 || r > 0.9 {
		t.Errorf("reachable share %.2f outside [0.55, 0.9]", r)
	}
	if raw.Strangers == 0 || san.Reachable < raw.Reachable {
		t.Errorf("discoverability: %+v %+v", raw, san)
	}
	if st.Collisions == 0 || st.Strangers == 0 {
		t.Errorf("no username collisions: %+v", st)
	}
	if st.Followers.Under500 < st.Followers.Over10k*5 {
		t.Errorf("follower counts not heavy-tailed: %+v", st.Followers)
	}
	if st.Followers.Over1M == 0 {
		t.Errorf("nobody has a million followers")
	}

	taxonomy := map[string]bool{}
	for _, c := range scoring.Taxonomy() {
		taxonomy[c.ID] = true
	}
	for id := range vocabulary() {
		if !taxonomy[id] {
			t.Errorf("vocabulary category %q is not in scoring.Taxonomy", id)
		}
	}
	emails, phones := map[string]bool{}, map[string]bool{}
	risky := map[bool][2]int{} // [signals, people]
	for _, p := range people {
		if emails[p.Email] || phones[p.Phone] {
			t.Fatalf("duplicate email or phone: %s %s", p.Email, p.Phone)
		}
		emails[p.Email], phones[p.Phone] = true, true
		num, err := phonenumbers.Parse(p.Phone, "")
		if err != nil || !phonenumbers.IsValidNumber(num) {
			t.Fatalf("invalid phone %s (%v)", p.Phone, err)
		}
		if n := len(p.Truth.Interests); n < 1 || n > 4 {
			t.Fatalf("%s has %d interests", p.Email, n)
		}
		for _, id := range p.Truth.Interests {
			if !taxonomy[id] {
				t.Fatalf("interest %q not in taxonomy", id)
			}
		}
		sig := 0
		if p.EmailKind == "disposable" {
			sig++
		}
		if p.PhoneType == "voip" {
			sig++
		}
		if p.PhoneRegion != p.Country {
			sig++
		}
		if len(p.Truth.Accounts) == 0 {
			sig++
		}
		r := risky[p.Truth.Risky]
		risky[p.Truth.Risky] = [2]int{r[0] + sig, r[1] + 1}
	}
	mean := func(r [2]int) float64 { return float64(r[0]) / float64(r[1]) }
	if mean(risky[true]) < 2*mean(risky[false]) {
		t.Errorf("risk signals not concentrated on risky people: risky %.2f, legit %.2f per person", mean(risky[true]), mean(risky[false]))
	}
}

// foundURL is the rewritten URL that finds acc on its platform.
func foundURL(acc AccountRef) string {
	u := acc.Username
	switch acc.Source {
	case srcGitHub:
		return "/api.github.com/users/" + u
	case srcGitLab:
		return "/gitlab.com/api/v4/users?username=" + u
	case srcDevTo:
		return "/dev.to/api/users/by_username?url=" + u
	case srcHackerNews:
		return "/hacker-news.firebaseio.com/v0/user/" + u + ".json"
	case srcKeybase:
		return "/keybase.io/_/api/1.0/user/lookup.json?usernames=" + u + "&fields=basics,profile,proofs_summary,pictures"
	case srcReddit:
		return "/www.reddit.com/user/" + u + "/about.json"
	case srcMastodon:
		return "/mastodon.social/api/v1/accounts/lookup?acct=" + u
	case srcBluesky:
		return "/public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor=" + u
	case srcGravatar:
		return "/api.gravatar.com/v3/profiles/" + u
	}
	return ""
}

func TestTrueAccountsServed(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1})
	h := s.Handler()
	n := 0
	for _, p := range s.People() {
		for _, acc := range p.Truth.Accounts {
			rec := get(t, h, foundURL(acc))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %s: status %d", acc.Source, acc.Username, rec.Code)
			}
			var got string
			switch acc.Source {
			case srcGitHub:
				got = decode[struct{ Login string }](t, rec).Login
			case srcGitLab:
				l := decode[[]struct{ Username string }](t, rec)
				if len(l) == 1 {
					got = l[0].Username
				}
			case srcDevTo:
				got = decode[struct{ Username string }](t, rec).Username
			case srcHackerNews:
				got = decode[struct{ ID string }](t, rec).ID
			case srcKeybase:
				k := decode[keybaseLookup](t, rec)
				if len(k.Them) == 1 && k.Them[0] != nil {
					got = k.Them[0].Basics.Username
				}
			case srcReddit:
				got = decode[redditThing](t, rec).Data.Name
			case srcMastodon:
				got = decode[struct{ Username string }](t, rec).Username
			case srcBluesky:
				got = decode[struct{ Handle string }](t, rec).Handle
			case srcGravatar:
				got = strings.TrimPrefix(decode[gravatarProfile](t, rec).ProfileURL, "https://gravatar.com/")
			}
			if !strings.EqualFold(got, acc.Username) {
				t.Fatalf("%s %s: served %q", acc.Source, acc.Username, got)
			}
			n++
		}
		// Gravatar is found by the email hash.
		if slices.ContainsFunc(p.Truth.Accounts, func(a AccountRef) bool { return a.Source == srcGravatar }) {
			if rec := get(t, h, "/api.gravatar.com/v3/profiles/"+sha256Hex(strings.ToLower(p.Email))); rec.Code != 200 {
				t.Fatalf("gravatar by hash for %s: %d", p.Email, rec.Code)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d true accounts", n)
	}
}

func TestPeopleEndpoint(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 3, People: 50})
	h := s.Handler()
	type page struct {
		People []struct {
			Email, Phone, Name, Country string
			Truth                       struct {
				Accounts          []struct{ Source, Username string }
				Interests         []string
				Influencer, Risky bool
			}
		}
		Total int
	}
	all := s.People()
	p := decode[page](t, get(t, h, "/_sim/people?n=10&offset=5"))
	if len(p.People) != 10 || p.Total != 50 {
		t.Fatalf("got %d people, total %d", len(p.People), p.Total)
	}
	for i, q := range p.People {
		want := all[5+i]
		if q.Email != want.Email || q.Phone != want.Phone || q.Name != want.Name || q.Country != want.Country ||
			len(q.Truth.Accounts) != len(want.Truth.Accounts) || len(q.Truth.Interests) != len(want.Truth.Interests) ||
			q.Truth.Risky != want.Truth.Risky || q.Truth.Influencer != want.Truth.Influencer {
			t.Fatalf("person %d differs: %+v vs %+v", 5+i, q, want)
		}
	}
	if p := decode[page](t, get(t, h, "/_sim/people?n=10&offset=45")); len(p.People) != 5 {
		t.Fatalf("last page has %d people", len(p.People))
	}
	if p := decode[page](t, get(t, h, "/_sim/people?offset=500")); len(p.People) != 0 {
		t.Fatalf("page past the end has %d people", len(p.People))
	}
	if rec := get(t, h, "/_sim/people?n=-1"); rec.Code != http.StatusBadRequest {
		t.Fatalf("n=-1: %d", rec.Code)
	}
	// Raw JSON carries the documented keys.
	raw := get(t, h, "/_sim/people?n=1").Body.String()
	for _, k := range []string{`"email"`, `"phone"`, `"name"`, `"country"`, `"truth"`, `"accounts"`, `"interests"`, `"influencer"`, `"risky"`} {
		if !strings.Contains(raw, k) {
			t.Errorf("people JSON lacks %s: %s", k, raw)
		}
	}
}

func TestStatsEndpoint(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 3, People: 20})
	h := s.Handler()
	get(t, h, "/api.github.com/users/nobody-here-xyz")
	get(t, h, "/dev.to/api/users/by_username?url=nobody")
	st := decode[map[string]struct{ Requests, Throttled, Errors int }](t, get(t, h, "/_sim/stats"))
	for _, src := range Sources() {
		if _, ok := st[src]; !ok {
			t.Errorf("stats lack %s", src)
		}
	}
	if st[srcGitHub].Requests != 1 || st[srcDevTo].Requests != 1 || st[srcReddit].Requests != 0 {
		t.Fatalf("stats = %+v", st)
	}
	r := decode[struct{ Realism Realism }](t, get(t, h, "/_sim/stats")).Realism
	if r != s.Realism() || r.People != 20 || r.Strangers != 20*DefaultStrangersPerPerson {
		t.Fatalf("realism in /_sim/stats = %+v, want %+v", r, s.Realism())
	}
	req := httptest.NewRequest(http.MethodDelete, "/_sim/stats", nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if s.Stats()[srcGitHub].Requests != 0 {
		t.Fatal("DELETE /_sim/stats did not reset")
	}
}
