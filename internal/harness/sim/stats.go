package sim

import (
	"slices"
	"strings"
	"time"
)

// PopulationStats summarizes a population (for tests, logs and reports).
type PopulationStats struct {
	People      int            `json:"people"`
	EmailKinds  map[string]int `json:"email_kinds"`
	PhoneTypes  map[string]int `json:"phone_types"`
	PhoneAbroad int            `json:"phone_abroad"`
	Risky       int            `json:"risky"`
	Influencers int            `json:"influencers"`
	NoFootprint int            `json:"no_footprint"`
	Accounts    map[string]int `json:"accounts"`
	Strangers   int            `json:"strangers"`
	Collisions  int            `json:"collisions"`
	Breached    int            `json:"breached"`
	Followers   struct {
		Under500, Over10k, Over1M int
	} `json:"followers_per_account"`
	FreshDomains int `json:"fresh_domains"` // company/personal domains registered < 60 days
	NoMX         int `json:"domains_without_mx"`
}

// PopulationStats summarizes the population.
func (s *Sim) PopulationStats() PopulationStats {
	w := s.w
	st := PopulationStats{People: len(w.people), EmailKinds: map[string]int{}, PhoneTypes: map[string]int{},
		Accounts: map[string]int{}, Strangers: w.strangers, Collisions: w.collisions}
	for _, p := range w.people {
		st.EmailKinds[p.EmailKind]++
		st.PhoneTypes[p.PhoneType]++
		if p.PhoneRegion != p.Country {
			st.PhoneAbroad++
		}
		if p.Truth.Risky {
			st.Risky++
		}
		if p.Truth.Influencer {
			st.Influencers++
		}
		if len(p.Truth.Accounts) == 0 {
			st.NoFootprint++
		}
		if p.Breaches > 0 {
			st.Breached++
		}
		for _, a := range p.Truth.Accounts {
			st.Accounts[a.Source]++
			acc := w.lookup(a.Source, a.Username)
			switch a.Source {
			case srcGitHub, srcGitLab, srcMastodon, srcBluesky:
				switch f := acc.followers; {
				case f < 500:
					st.Followers.Under500++
				case f >= 1_000_000:
					st.Followers.Over1M++
					st.Followers.Over10k++
				case f >= 10_000:
					st.Followers.Over10k++
				}
			}
		}
		_, dom, _ := strings.Cut(p.Email, "@")
		if d := w.domains[dom]; d != nil && (d.kind == "company" || d.kind == "shell" || d.kind == "personal") {
			if w.now.Sub(d.registered) < 60*24*time.Hour {
				st.FreshDomains++
			}
			if len(d.mx) == 0 || d.nullMX {
				st.NoMX++
			}
		}
	}
	return st
}

// Discoverability is how many accounts a lookup could reach from a
// person's email alone, by following every path the sources use: Gravatar
// by email hash, GitHub search by public email, the email's local part
// guessed on every platform, links between profiles (and the person's own
// website), and usernames reused across platforms.
type Discoverability struct {
	// TrueAccounts is the number of true accounts; Reachable how many of
	// them a lookup can reach; Strangers how many other people's accounts
	// it runs into on the way.
	TrueAccounts, Reachable, Strangers int
}

// Discoverability walks every person's reachable accounts. With
// sanitizeGuesses, the local part is also tried in each platform's
// username alphabet (jane.doe → jane-doe on GitHub, jane_doe on Mastodon).
func (s *Sim) Discoverability(sanitizeGuesses bool) Discoverability {
	w := s.w
	var d Discoverability
	for i, p := range w.people {
		seen := map[string]*account{}
		var queue []*account
		try := func(src, u string) {
			u = handleOf(src, strings.ToLower(u))
			k := src + ":" + u
			if _, ok := seen[k]; ok {
				return
			}
			a := w.lookup(src, u)
			seen[k] = a
			if a != nil {
				queue = append(queue, a)
			}
		}
		email := strings.ToLower(p.Email)
		if a := w.gravatar[sha256Hex(email)]; a != nil {
			try(srcGravatar, a.username)
		}
		if a := w.ghByEmail[email]; a != nil {
			try(srcGitHub, a.username)
		}
		local, dom, _ := strings.Cut(email, "@")
		guess := func(u string) {
			for _, src := range usernamePlatforms() {
				try(src, u)
				if g := sanitize(src, u); sanitizeGuesses && g != "" {
					try(src, g)
				}
			}
		}
		guess(local)
		if dd := w.domains[dom]; dd != nil && dd.site != nil && dd.kind == "personal" {
			for _, l := range dd.site.socials {
				for _, src := range usernamePlatforms() {
					if u, ok := strings.CutPrefix(l, accountURL(src, "")); ok {
						try(src, u)
					}
				}
			}
		}
		for len(queue) > 0 {
			a := queue[0]
			queue = queue[1:]
			for _, l := range a.links {
				if l.username != "" && l.service != "twitter" {
					try(l.service, l.username)
				}
			}
			if a.source != srcGravatar {
				guess(strings.TrimSuffix(a.username, ".bsky.social"))
			}
		}
		for _, a := range seen {
			switch {
			case a == nil:
			case a.owner == i:
				d.Reachable++
			default:
				d.Strangers++
			}
		}
		d.TrueAccounts += len(p.Truth.Accounts)
	}
	return d
}

// Realism measures how crowded the simulated web is: the properties
// docs/SIM.md states floors for. Shares are in [0, 1].
type Realism struct {
	People             int `json:"people"`
	StrangersPerPerson int `json:"strangers_per_person"`
	// Strangers is the background's size (people not in the population);
	// StrangerAccounts their accounts.
	Strangers        int `json:"strangers"`
	StrangerAccounts int `json:"stranger_accounts"`
	// FirstNameTaken is the share of people whose first name alone, as a
	// username, is held by someone else on at least one username platform.
	FirstNameTaken float64 `json:"first_name_handle_taken"`
	// Namesake is the share of people for whom a name search on Bluesky,
	// Reddit or Mastodon returns at least one other account with exactly
	// their name.
	Namesake float64 `json:"exact_name_namesake"`
	// Bilingual is the share of people with two or more profile texts
	// (bios) whose texts are in two languages or more.
	Bilingual float64 `json:"bilingual"`
	// NoDisplayName is the share of accounts (population and strangers,
	// username platforms and Gravatar) without a display name.
	NoDisplayName float64 `json:"no_display_name"`
	// AvatarCustom is the share of accounts on platforms with avatars
	// (population and strangers; not Hacker News) showing a custom
	// avatar rather than the platform's default.
	AvatarCustom float64 `json:"avatar_custom"`
	// AvatarStock is the share of custom avatars that are shared stock
	// images (memes, logos, anime characters, pets).
	AvatarStock float64 `json:"avatar_stock"`
	// AvatarSamePhoto is the share of pairs of one person's custom-avatar
	// accounts that show the same photo.
	AvatarSamePhoto float64 `json:"avatar_same_photo"`
}

// Realism returns the world's realism properties (computed once by New).
func (s *Sim) Realism() Realism { return s.realism }

func (w *world) realism(k int) Realism {
	r := Realism{People: len(w.people), StrangersPerPerson: k, Strangers: w.bg.n, StrangerAccounts: w.bg.accounts}
	var taken, namesake, bilingual, withAccounts int
	for i, p := range w.people {
		first, _, _ := strings.Cut(p.Name, " ")
		f := fold(first)
		for _, src := range usernamePlatforms() {
			u := sanitize(src, f)
			if u == "" {
				continue
			}
			key := handleOf(src, u)
			if a := w.accounts[src][key]; a != nil && a.owner != i {
				taken++
				break
			}
			if v, ok := w.bg.byUser[platformIndex(src)][hash64(key)]; ok && v != heldByPopulation {
				taken++
				break
			}
		}
		if words := nameWords(p.Name); len(words) > 0 {
			key := nameKey(words)
			for _, src := range []string{srcBluesky, srcReddit, srcMastodon} {
				if ix := w.bg.search[src]; ix != nil && ix.exact[key] > 0 ||
					slices.ContainsFunc(w.index[src].exact[key], func(o int) bool { return o != i }) {
					namesake++
					break
				}
			}
		}
		langs, texts := map[string]bool{}, 0
		for _, ref := range p.Truth.Accounts {
			if a := w.accounts[ref.Source][strings.ToLower(ref.Username)]; a != nil && a.bio != "" {
				langs[a.lang] = true
				texts++
			}
		}
		if texts >= 2 {
			withAccounts++
			if len(langs) >= 2 {
				bilingual++
			}
		}
	}
	noName, total := w.bg.noName, w.bg.accounts
	for _, m := range w.accounts {
		for _, a := range m {
			total++
			if a.name == "" {
				noName++
			}
		}
	}
	share := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	r.FirstNameTaken = share(taken, len(w.people))
	r.Namesake = share(namesake, len(w.people))
	r.Bilingual = share(bilingual, withAccounts)
	r.NoDisplayName = share(noName, total)
	r.AvatarCustom, r.AvatarStock, r.AvatarSamePhoto = w.avatarRealism()
	return r
}

// avatarRealism measures avatar_custom, avatar_stock and
// avatar_same_photo: over the stored accounts and every background
// stranger's account (their choice is a hash, no account is derived).
func (w *world) avatarRealism() (custom, stock, same float64) {
	var accounts, customs, stocks int
	count := func(k photoKind) {
		accounts++
		if k != photoDefault {
			customs++
		}
		if k == photoStock {
			stocks++
		}
	}
	for _, a := range w.stored {
		if ratesFor(avatarSlot(a.source)).custom > 0 {
			count(a.photoKind)
		}
	}
	for k := range usernamePlatforms() {
		if ratesFor(k).custom == 0 {
			continue
		}
		for i, ch := range w.bg.choice[k] {
			if ch != 0 {
				kind, _ := choosePhoto(avatarOwner(w.bg.seed, ownerSpaceStranger, uint64(i)), k, false)
				count(kind)
			}
		}
	}
	var pairs, samePairs int
	var photos []uint64
	for _, p := range w.people {
		photos = photos[:0]
		for _, ref := range p.Truth.Accounts {
			if a := w.accounts[ref.Source][strings.ToLower(ref.Username)]; a != nil && a.custom() {
				photos = append(photos, a.photo)
			}
		}
		for i := range photos {
			for j := i + 1; j < len(photos); j++ {
				pairs++
				if photos[i] == photos[j] {
					samePairs++
				}
			}
		}
	}
	share := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	return share(customs, accounts), share(stocks, customs), share(samePairs, pairs)
}

// Floors of the realism properties at default settings (docs/SIM.md;
// TestRealismFloors). FloorNamesake holds from 20 000 people on: a small
// world has fewer namesakes.
const (
	FloorFirstNameTaken = 0.8
	FloorNamesake       = 0.5
	FloorBilingual      = 0.10
	FloorNoDisplayName  = 0.03
)

// Bounds of the avatar properties (docs/SIM.md, "Profile photos"): more
// custom avatars, fewer stock images or more reuse of one photo would
// make photos an easier signal than they are.
const (
	CeilingAvatarCustom    = 0.65
	FloorAvatarStock       = 0.15
	CeilingAvatarSamePhoto = 0.35
	// Of the dHash distances between two platforms' renditions of one
	// photo (TestRealismFloors measures them on served bytes): the
	// median is at least FloorAvatarDHashSameMedian and at least
	// FloorAvatarDHashFar of them exceed 10; two people's photos are a
	// median of at most CeilingAvatarDHashDistinctMedian apart.
	FloorAvatarDHashSameMedian       = 3
	FloorAvatarDHashFar              = 0.10
	CeilingAvatarDHashDistinctMedian = 36
)
