package sim

import (
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Realism floors (docs/SIM.md): the simulated web may get harder, never
// easier. 1 000 people run always; 20 000 (≈ 7 s of CPU) unless -short;
// each case also draws 320 avatars to measure dHash (≈ 3 s; 160 with -short);
// 100 000 (≈ 30 s of CPU, ≈ 1 GB) only with SIM_REALISM_100K=1.
func TestRealismFloors(t *testing.T) {
	cases := []struct {
		people int
		skip   func() string
	}{
		{1000, func() string { return "" }},
		{20000, func() string {
			if testing.Short() {
				return "20 000 people take seconds: skipped with -short"
			}
			return ""
		}},
		{100000, func() string {
			if os.Getenv("SIM_REALISM_100K") == "" {
				return "set SIM_REALISM_100K=1 to check 100 000 people"
			}
			return ""
		}},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.people), func(t *testing.T) {
			if why := c.skip(); why != "" {
				t.Skip(why)
			}
			s := New(Config{Seed: 11, People: c.people})
			r := s.Realism()
			t.Logf("%+v", r)
			if r.Strangers != DefaultStrangersPerPerson*c.people || r.StrangerAccounts < r.Strangers {
				t.Errorf("background: %d strangers with %d accounts, want %d strangers with at least one account each",
					r.Strangers, r.StrangerAccounts, DefaultStrangersPerPerson*c.people)
			}
			floor := func(what string, got, min float64) {
				t.Helper()
				if got < min {
					t.Errorf("%s = %.3f, below its floor %.2f", what, got, min)
				}
			}
			floor("first-name handle taken", r.FirstNameTaken, FloorFirstNameTaken)
			floor("bilingual", r.Bilingual, FloorBilingual)
			floor("no display name", r.NoDisplayName, FloorNoDisplayName)
			if c.people >= 20000 {
				floor("exact-name namesake", r.Namesake, FloorNamesake)
			}
			ceiling := func(what string, got, max float64) {
				t.Helper()
				if got > max {
					t.Errorf("%s = %.3f, above its ceiling %.2f", what, got, max)
				}
			}
			ceiling("custom avatars", r.AvatarCustom, CeilingAvatarCustom)
			floor("stock images among custom avatars", r.AvatarStock, FloorAvatarStock)
			ceiling("same photo on two of a person's accounts", r.AvatarSamePhoto, CeilingAvatarSamePhoto)
			pairs := 80
			if testing.Short() {
				pairs = 40
			}
			same, distinct := dHashDistances(t, s, s.Handler(), pairs)
			far := 0
			for _, d := range same {
				if d > 10 {
					far++
				}
			}
			t.Logf("dHash: same photo median %d (%d of %d above 10), distinct photos median %d",
				median(same), far, len(same), median(distinct))
			floor("median dHash distance of one photo's renditions", float64(median(same)), FloorAvatarDHashSameMedian)
			floor("share of one photo's renditions more than 10 apart", float64(far)/float64(len(same)), FloorAvatarDHashFar)
			ceiling("median dHash distance of two people's photos", float64(median(distinct)), CeilingAvatarDHashDistinctMedian)
		})
	}
}

// TestStrangersServed asks every username platform's API for background
// strangers' accounts and the name searches for their names: they answer
// as for anyone, and no stranger is in /_sim/people.
func TestStrangersServed(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 4, People: 100, StrangersPerPerson: 5})
	h := s.Handler()
	if n := len(s.People()); n != 100 {
		t.Fatalf("%d people, want 100", n)
	}
	w := s.w
	for k, p := range usernamePlatforms() {
		var a *account
		for i := range w.bg.n {
			if a = w.strangerAccount(uint32(i), k); a != nil {
				break
			}
		}
		if a == nil {
			t.Fatalf("no stranger on %s", p)
		}
		if got := w.lookup(p, a.username); got == nil || got.owner != ownerStranger || got.username != a.username {
			t.Fatalf("%s: lookup(%q) = %+v", p, a.username, got)
		}
		rec := get(t, h, foundURL(AccountRef{Source: p, Username: a.username}))
		if rec.Code != 200 || !strings.Contains(strings.ToLower(rec.Body.String()), strings.ToLower(a.username)) {
			t.Errorf("%s: stranger %s served %d %.200s", p, a.username, rec.Code, rec.Body.String())
		}
		switch p {
		case srcBluesky:
			if !strings.HasSuffix(a.username, ".bsky.social") {
				t.Errorf("bluesky stranger %q lacks its handle domain", a.username)
			}
			if b := decode[bskyProfile](t, get(t, h, "/public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor="+a.did)); b.Handle != a.username {
				t.Errorf("bluesky by did: %+v", b)
			}
		case srcGitLab:
			if g := decode[gitlabUser](t, get(t, h, "/gitlab.com/api/v4/users/"+strconv.FormatInt(a.id, 10))); g.Username != a.username {
				t.Errorf("gitlab by id: %+v", g)
			}
		}
	}
	for _, p := range []string{srcBluesky, srcMastodon, srcReddit} {
		k := platformIndex(p)
		for i := range w.bg.n {
			a := w.strangerAccount(uint32(i), k)
			if a == nil || len(nameWords(a.name)) < 2 || a.suspended {
				continue
			}
			found := false
			for _, r := range w.search(p, a.name, 100) {
				found = found || r.username == a.username
			}
			if !found {
				t.Errorf("%s: name search for %q misses stranger %s", p, a.name, a.username)
			}
			break
		}
	}
	q := "/public.api.bsky.app/xrpc/app.bsky.actor.searchActors?q=" + url.QueryEscape("zz nobody") + "&limit=5"
	if res := decode[bskySearch](t, get(t, h, q)); len(res.Actors) != 0 {
		t.Errorf("search for a name nobody has: %+v", res)
	}
}

// TestStrangersDeterministic: the same seed derives the same background,
// account for account; another seed another.
func TestStrangersDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := New(Config{Seed: 9, People: 50}), New(Config{Seed: 9, People: 50}), New(Config{Seed: 10, People: 50})
	same, differ := 0, 0
	for k := range usernamePlatforms() {
		for i := range 100 {
			x, y, z := a.w.strangerAccount(uint32(i), k), b.w.strangerAccount(uint32(i), k), c.w.strangerAccount(uint32(i), k)
			if (x == nil) != (y == nil) || x != nil && (x.username != y.username || x.bio != y.bio || x.followers != y.followers || x.created != y.created) {
				t.Fatalf("stranger %d differs between runs: %+v vs %+v", i, x, y)
			}
			if x != nil {
				same++
				if z == nil || z.username != x.username {
					differ++
				}
			}
		}
	}
	if same == 0 || differ < same/2 {
		t.Fatalf("%d strangers compared, %d differ with another seed", same, differ)
	}
}
