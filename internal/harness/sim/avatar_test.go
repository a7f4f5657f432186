package sim

import (
	"bytes"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/avatar"
)

// dHash is the hash footprint's avatar source compares photos by
// (enrichers/avatar: a 9×8 grid of mean luminance, one bit per
// horizontal neighbour pair), read from served bytes as it reads them.
func dHash(t testing.TB, b []byte) uint64 {
	t.Helper()
	f, err := avatar.Read(b)
	if err != nil {
		t.Fatalf("decode image: %v", err)
	}
	return f.Hash
}

func hamming(a, b uint64) int { return avatar.Distance(a, b) }

// avatarOf returns the avatar URL the platform's API reports for a.
func avatarOf(t testing.TB, h http.Handler, a *account) string {
	t.Helper()
	tt, _ := t.(*testing.T)
	switch a.source {
	case srcGitHub:
		return decode[githubUser](tt, get(tt, h, "/api.github.com/users/"+a.username)).AvatarURL
	case srcGitLab:
		us := decode[[]gitlabBasicUser](tt, get(tt, h, "/gitlab.com/api/v4/users?username="+a.username))
		if len(us) != 1 {
			t.Fatalf("gitlab %s: %d users", a.username, len(us))
		}
		return us[0].AvatarURL
	case srcDevTo:
		return decode[devtoUser](tt, get(tt, h, "/dev.to/api/users/by_username?url="+a.username)).ProfileImage
	case srcKeybase:
		l := decode[keybaseLookup](tt, get(tt, h, "/keybase.io/_/api/1.0/user/lookup.json?usernames="+a.username+"&fields=basics,pictures"))
		if len(l.Them) != 1 || l.Them[0] == nil {
			t.Fatalf("keybase %s: %+v", a.username, l)
		}
		if l.Them[0].Pictures == nil {
			return ""
		}
		return l.Them[0].Pictures.Primary.URL
	case srcReddit:
		return decode[redditThing](tt, get(tt, h, "/www.reddit.com/user/"+a.username+"/about.json")).Data.IconImg
	case srcMastodon:
		return decode[mastodonAccount](tt, get(tt, h, "/mastodon.social/api/v1/accounts/lookup?acct="+a.username)).Avatar
	case srcBluesky:
		return decode[bskyProfile](tt, get(tt, h, "/public.api.bsky.app/xrpc/app.bsky.actor.getProfile?actor="+a.username)).Avatar
	case srcGravatar:
		return decode[gravatarProfile](tt, get(tt, h, "/api.gravatar.com/v3/profiles/"+a.username)).AvatarURL
	}
	t.Fatalf("no avatar on %s", a.source)
	return ""
}

// fetchImage GETs an avatar URL through the upstream rule (Reddit's
// escaped ampersands unescaped, as a client reading its JSON must).
func fetchImage(t testing.TB, h http.Handler, u string) (int, string, []byte) {
	t.Helper()
	tt, _ := t.(*testing.T)
	rest, ok := strings.CutPrefix(strings.ReplaceAll(u, "&amp;", "&"), "https://")
	if !ok {
		t.Fatalf("avatar URL %q is not https", u)
	}
	rec := get(tt, h, "/"+rest)
	return rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()
}

// accountsOn returns up to n population accounts on source matching ok.
func accountsOn(s *Sim, source string, n int, ok func(*account) bool) []*account {
	var out []*account
	for _, p := range s.w.people {
		for _, r := range p.Truth.Accounts {
			if r.Source == source && len(out) < n {
				if a := s.w.lookup(source, r.Username); ok(a) {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

func isCustom(a *account) bool  { return a.custom() && !a.suspended }
func isDefault(a *account) bool { return !a.custom() && !a.suspended }

// TestAvatarsServed: on every platform with avatars, the URL each API
// response reports is served as an image of its declared type — custom
// photos and defaults, the population's accounts and strangers' — and an
// unknown or forged one is a 404.
func TestAvatarsServed(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 5, People: 400})
	h := s.Handler()
	cases := []struct {
		source      string
		defaultHost string // "" when a default avatar is no URL
	}{
		{srcGitHub, "avatars.githubusercontent.com"},
		{srcGitLab, "secure.gravatar.com"},
		{srcDevTo, "media2.dev.to"},
		{srcKeybase, ""},
		{srcReddit, "www.redditstatic.com"},
		{srcMastodon, "mastodon.social"},
		{srcBluesky, ""},
		{srcGravatar, "0.gravatar.com"},
	}
	customHost := map[string]string{srcGitHub: "avatars.githubusercontent.com", srcGitLab: "gitlab.com",
		srcDevTo: "media2.dev.to", srcKeybase: "s3.amazonaws.com", srcReddit: "styles.redditmedia.com",
		srcMastodon: "files.mastodon.social", srcBluesky: "cdn.bsky.app", srcGravatar: "0.gravatar.com"}
	for _, c := range cases {
		t.Run(c.source, func(t *testing.T) {
			k := platformIndex(c.source)
			var stranger []*account
			for i := 0; k >= 0 && len(stranger) < 2 && i < s.w.bg.n; i++ {
				if a := s.w.strangerAccount(uint32(i), k); a != nil && isCustom(a) {
					stranger = append(stranger, a)
				}
			}
			for _, a := range append(append(accountsOn(s, c.source, 3, isCustom), stranger...), accountsOn(s, c.source, 2, isDefault)...) {
				u := avatarOf(t, h, a)
				if !a.custom() && c.defaultHost == "" {
					if u != "" {
						t.Errorf("%s %s: default avatar reported as %q, want none", c.source, a.username, u)
					}
					continue
				}
				host := c.defaultHost
				if a.custom() {
					host = customHost[c.source]
				}
				if !strings.HasPrefix(u, "https://"+host+"/") {
					t.Errorf("%s %s (%s): avatar %q not on %s", c.source, a.username, a.photoKind, u, host)
				}
				code, ctype, b := fetchImage(t, h, u)
				if code != http.StatusOK {
					t.Fatalf("%s %s: %s → %d", c.source, a.username, u, code)
				}
				if got := http.DetectContentType(b); ctype != got || (got != "image/png" && got != "image/jpeg") {
					t.Errorf("%s: %s served as %q, bytes are %q", c.source, u, ctype, got)
				}
				if strings.HasSuffix(strings.SplitN(u, "?", 2)[0], ".png") && ctype != "image/png" {
					t.Errorf("%s: %s is %s", c.source, u, ctype)
				}
				dHash(t, b) // decodes
			}
		})
	}
	for _, u := range []string{
		"/avatars.githubusercontent.com/u/999999999999",
		"/files.mastodon.social/accounts/avatars/000/000/000/000/000/001/original/0123456789abcdef.png",
		"/cdn.bsky.app/img/avatar/plain/did:plc:aaaa/bafkreiaaaaaaaaaaaaaaaaaaaa@jpeg",
		"/styles.redditmedia.com/t5_abc/styles/profileIcon_abcdef.png",
		"/www.redditstatic.com/avatars/defaults/v2/avatar_default_8.png",
		"/s3.amazonaws.com/keybase_processed_uploads/0123456789abcdef0123456789abcdef_360_360.jpg",
		"/gitlab.com/uploads/-/system/user/avatar/1/avatar.png",
		"/secure.gravatar.com/avatar/" + sha256Hex("nobody@example.org") + "?d=404",
	} {
		if code, _, _ := fetchImage(t, h, "https:/"+u); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, code)
		}
	}
	if st := s.Stats()[srcAvatars]; st.Requests == 0 {
		t.Errorf("avatar requests not counted: %+v", st)
	}
}

// TestRedditIconAsServed: about.json's icon_img of a custom icon has its
// ampersands HTML-escaped, as Reddit's has; Reddit's CDN serves it only
// once they are undone (the escaped query reads width=256 alone, without
// the s= signature a resizing query needs), so a client that keeps
// "&amp;" gets a 403 here as there.
func TestRedditIconAsServed(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 5, People: 400})
	h := s.Handler()
	as := accountsOn(s, srcReddit, 3, isCustom)
	if len(as) == 0 {
		t.Fatal("no custom Reddit icons")
	}
	for _, a := range as {
		raw := avatarOf(t, h, a)
		plain := html.UnescapeString(raw)
		base, _, _ := strings.Cut(plain, "?")
		forged := strings.Replace(plain, "&s=", "&s=0", 1)
		if !strings.Contains(raw, "?width=256&amp;height=256&amp;") {
			t.Fatalf("%s: icon_img %q not escaped as Reddit escapes it", a.username, raw)
		}
		for _, c := range []struct {
			url  string
			want int
		}{{raw, http.StatusForbidden}, {plain, http.StatusOK}, {base, http.StatusOK}, {forged, http.StatusForbidden}} {
			if rec := get(t, h, "/"+strings.TrimPrefix(c.url, "https://")); rec.Code != c.want {
				t.Errorf("%s: %s → %d, want %d", a.username, c.url, rec.Code, c.want)
			}
		}
	}
}

// TestAvatarDefaults: Mastodon's missing.png is the same image for
// everyone, Reddit's defaults are eight shared images, GitHub's and
// GitLab's identicons are each user's own.
func TestAvatarDefaults(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 6, People: 1000})
	h := s.Handler()
	images := func(source string) (urls []string, bodies [][]byte) {
		for _, a := range accountsOn(s, source, 40, isDefault) {
			u := avatarOf(t, h, a)
			_, _, b := fetchImage(t, h, u)
			urls, bodies = append(urls, u), append(bodies, b)
		}
		return urls, bodies
	}
	distinct := func(bs [][]byte) int {
		var seen []string
		for _, b := range bs {
			if !slices.Contains(seen, string(b)) {
				seen = append(seen, string(b))
			}
		}
		return len(seen)
	}
	for _, c := range []struct {
		source   string
		min, max int // distinct images among the default avatars; 0: one each
	}{
		{srcMastodon, 1, 1},
		{srcReddit, 2, 8},
		{srcDevTo, 1, 1},
		{srcGitHub, 0, 0},
		{srcGitLab, 0, 0},
	} {
		urls, bodies := images(c.source)
		if len(bodies) < 25 {
			t.Fatalf("%s: only %d default avatars", c.source, len(bodies))
		}
		if c.max == 0 {
			c.min, c.max = len(bodies), len(bodies)
		}
		if n := distinct(bodies); n < c.min || n > c.max {
			t.Errorf("%s: %d distinct default avatars among %d, want %d..%d (%v)", c.source, n, len(bodies), c.min, c.max, urls[:3])
		}
	}
}

// TestAvatarRenditions: one photo on two platforms is served as
// different bytes whose dHashes are usually close; two people's photos
// are far apart; a stock image shows up on unrelated accounts.
func TestAvatarRenditions(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 7, People: 1500})
	h := s.Handler()
	same, distinct := dHashDistances(t, s, h, 60)
	t.Logf("same photo: %v", same)
	t.Logf("distinct photos: %v", distinct)
	if m := median(same); m > 10 || m < 1 {
		t.Errorf("median dHash distance between renditions of one photo = %d, want 1..10", m)
	}
	if m := median(distinct); m < 24 {
		t.Errorf("median dHash distance between distinct photos = %d, want >= 24", m)
	}
	// stock: the same image on accounts of different owners
	byPhoto := map[uint64]*account{}
	found := false
	for i := 0; i < s.w.bg.n && !found; i++ {
		for k := range usernamePlatforms() {
			a := s.w.strangerAccount(uint32(i), k)
			if a == nil || a.photoKind != photoStock || a.suspended {
				continue
			}
			if b := byPhoto[a.photo]; b != nil {
				_, _, x := fetchImage(t, h, avatarOf(t, h, a))
				_, _, y := fetchImage(t, h, avatarOf(t, h, b))
				if bytes.Equal(x, y) {
					t.Errorf("stock image %d: identical bytes on %s/%s and %s/%s", a.photo, a.source, a.username, b.source, b.username)
				}
				t.Logf("stock image %d on %s/%s and %s/%s: dHash distance %d", a.photo, a.source, a.username, b.source, b.username, hamming(dHash(t, x), dHash(t, y)))
				found = true
				break
			}
			byPhoto[a.photo] = a
		}
	}
	if !found {
		t.Error("no stock image is shared by two strangers")
	}
}

// dHashDistances serves n pairs of renditions of one person's photo on
// two platforms and n pairs of two people's photos, and returns the dHash
// distances.
func dHashDistances(t testing.TB, s *Sim, h http.Handler, n int) (same, distinct []int) {
	t.Helper()
	bodyOf := func(a *account) []byte {
		code, _, b := fetchImage(t, h, avatarOf(t, h, a))
		if code != http.StatusOK {
			t.Fatalf("%s %s: avatar %d", a.source, a.username, code)
		}
		return b
	}
	hashOf := func(a *account) uint64 { return dHash(t, bodyOf(a)) }
	var prev *account
	for _, p := range s.w.people {
		if len(same) >= n && len(distinct) >= n {
			break
		}
		var mains []*account
		for _, r := range p.Truth.Accounts {
			if a := s.w.lookup(r.Source, r.Username); a.photoKind == photoMain {
				mains = append(mains, a)
			}
		}
		if len(mains) >= 2 && len(same) < n {
			x, y := bodyOf(mains[0]), bodyOf(mains[1])
			if bytes.Equal(x, y) {
				t.Errorf("one photo is the same bytes on %s and %s", mains[0].source, mains[1].source)
			}
			same = append(same, hamming(dHash(t, x), dHash(t, y)))
		}
		if len(mains) >= 1 && prev != nil && len(distinct) < n {
			distinct = append(distinct, hamming(hashOf(prev), hashOf(mains[0])))
		}
		if len(mains) >= 1 {
			prev = mains[0]
		}
	}
	if len(same) < n || len(distinct) < n {
		t.Fatalf("only %d/%d pairs", len(same), len(distinct))
	}
	return same, distinct
}

func median(xs []int) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestAvatarDeterministic: the same seed serves the same bytes.
func TestAvatarDeterministic(t *testing.T) {
	t.Parallel()
	a, b := New(Config{Seed: 8, People: 200}), New(Config{Seed: 8, People: 200})
	n := 0
	for _, src := range []string{srcGitHub, srcMastodon, srcBluesky, srcReddit, srcGravatar} {
		for _, acc := range accountsOn(a, src, 2, isCustom) {
			u := avatarOf(t, a.Handler(), acc)
			_, _, x := fetchImage(t, a.Handler(), u)
			_, _, y := fetchImage(t, b.Handler(), u)
			if !bytes.Equal(x, y) || len(x) == 0 {
				t.Errorf("%s: %s differs between two sims of one seed", src, u)
			}
			n++
		}
	}
	if n < 8 {
		t.Fatalf("only %d avatars compared", n)
	}
}

func BenchmarkRenderPhoto(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
		jpeg bool
	}{{"80px-jpeg", 80, true}, {"460px-jpeg", 460, true}, {"400px-png", 400, false}, {"640px-jpeg", 640, true}} {
		b.Run(c.name, func(b *testing.B) {
			r := newRendition(42, c.size, 0)
			r.jpeg, r.quality = c.jpeg, 85
			i := uint64(0)
			for b.Loop() {
				i++
				renderPhoto(photoID(i), r)
			}
		})
	}
}

// TestAvatarFaults: a fault on "avatars" hits the image hosts and no API.
func TestAvatarFaults(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 9, People: 100})
	h := s.Handler()
	a := accountsOn(s, srcGitHub, 1, isCustom)[0]
	u := avatarOf(t, h, a)
	if err := s.SetFault(Fault{Source: srcAvatars, ErrorRate: 1, ErrorStatus: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := fetchImage(t, h, u); code != http.StatusServiceUnavailable {
		t.Errorf("avatar under a fault: %d, want 503", code)
	}
	if rec := get(t, h, "/api.github.com/users/"+a.username); rec.Code != http.StatusOK {
		t.Errorf("github API under an avatars fault: %d", rec.Code)
	}
	if st := s.Stats()[srcAvatars]; st.Requests != 1 || st.Errors != 1 {
		t.Errorf("avatars stats = %+v", st)
	}
	s.ClearFaults(srcAvatars)
	if code, _, _ := fetchImage(t, h, u); code != http.StatusOK {
		t.Errorf("avatar after the fault: %d", code)
	}
}
