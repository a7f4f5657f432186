package sim

// Strangers: the background of every platform. Besides the population,
// each platform holds the accounts of StrangersPerPerson × People people
// who are not in it, drawn from the same name, handle and profile
// generators, so that short and common usernames are taken and namesakes
// exist. A stranger is never stored whole: stranger i is derived on demand
// from the seed and i (core: name, country, handles, platforms; profile:
// one platform's account), and the world keeps only what lookups and
// searches need to find it — a hash of each username, which candidate
// username it won on each platform, and the search postings.

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// DefaultStrangersPerPerson is the background size used when
// Config.StrangersPerPerson is zero.
const DefaultStrangersPerPerson = 10

// ID spaces of strangers' numeric ids, above every population id.
const (
	githubStrangerBase = 200_000_000
	gitlabStrangerBase = 50_000_000
)

// heldByPopulation marks a username in strangers.byUser that a stored
// account (the population's, an organisation's, a colliding stranger's)
// holds, so that one lookup tells whether a username is taken.
const heldByPopulation = math.MaxUint32

// strangers is the background's index (immutable after New).
type strangers struct {
	n      int
	seed   uint64
	byUser []map[uint64]uint32 // per username platform: hash64(lower key) → stranger, or heldByPopulation
	choice [][]uint8           // per username platform, per stranger: 1 + index of the won candidate, 0 = no account
	byDID  map[uint64]uint32   // hash64(did) → stranger (bluesky)
	search map[string]*strangerSearch
	// accounts counts the background's accounts; noName those without a
	// display name.
	accounts, noName int
}

// strangerSearch indexes one searchable platform's strangers by name.
type strangerSearch struct {
	words   map[string][]uint32 // folded display-name word → strangers (ascending)
	nwords  []uint8             // per stranger: words in the display name
	handles []handleRef         // sorted by folded handle
	exact   map[uint64]int32    // hash of the sorted display-name words → accounts
}

type handleRef struct {
	fold string
	i    uint32
}

func newStrangers(seed uint64, n int) strangers {
	bg := strangers{n: n, seed: seed ^ 0x57a2, byDID: map[uint64]uint32{}, search: map[string]*strangerSearch{}}
	// about how many of the background are on each platform (the maps
	// are sized once)
	share := [8]float64{0.35, 0.09, 0.08, 0.09, 0.06, 0.42, 0.17, 0.3}
	for k := range usernamePlatforms() {
		bg.byUser = append(bg.byUser, make(map[uint64]uint32, int(share[k]*float64(n))))
		bg.choice = append(bg.choice, make([]uint8, n))
	}
	for _, p := range []string{srcBluesky, srcMastodon, srcReddit} {
		bg.search[p] = &strangerSearch{words: map[string][]uint32{}, nwords: make([]uint8, n), exact: map[uint64]int32{}}
	}
	return bg
}

// sortSearch orders the handle lists for prefix search.
func (bg *strangers) sortSearch() {
	for _, ix := range bg.search {
		slices.SortFunc(ix.handles, func(a, b handleRef) int { return strings.Compare(a.fold, b.fold) })
	}
}

// platformIndex is the position of a username platform in
// usernamePlatforms, or -1.
func platformIndex(source string) int {
	return slices.Index(usernamePlatforms(), source)
}

// strangerCore is what every account of stranger i shares.
type strangerCore struct {
	i         uint32
	ctry      country
	city      string
	id        ident
	f, l      string // id folded for usernames
	yy        int
	lang      string
	interests []string
	handle    string    // the handle they reuse
	on        [8]bool   // per username platform: has an account
	alt       [8]uint64 // seed of a different handle used there (0 = handle)
	display   [8]uint8  // display-name style (see renderDisplay)
	first     [8]string // candidate 0 where on (set by strangerCores)
	suspended bool      // their reddit account is suspended
}

// deriver returns a generator over the world's static tables with its own
// random stream for (stranger, part).
func (w *world) deriver(i uint32, part string) *gen {
	g := w.base
	g.rng = rand.New(rand.NewPCG(w.bg.seed^hash64(part), uint64(i)))
	return &g
}

// strangerCore derives stranger i's shared draws.
func (w *world) strangerCore(i uint32) strangerCore {
	g := w.deriver(i, "core")
	c := strangerCore{i: i, ctry: g.pickCountry()}
	culture := c.ctry.culture
	if g.chance(0.1) {
		culture = pick(g, g.culNames)
	}
	c.id = g.name(culture)
	c.yy = 60 + g.rng.IntN(45)
	c.city = pick(g, c.ctry.cities)
	c.lang = c.ctry.lang
	if c.lang != "de" && c.lang != "fr" && c.lang != "es" {
		c.lang = "en"
	}
	c.interests = g.strangerInterests()
	probs := platformProbs(c.interests)
	c.f, c.l = foldedName(c.id)
	c.handle = g.habitHandleFolded(c.f, c.l, c.yy)
	// Which platforms they are on depends on their reach as a person's
	// does (gen.footprint): someone new to the web is on each at half the
	// rate, and a famous person with no follower platform among theirs
	// opens a Bluesky or Mastodon account, which carries their fame. The
	// reach comes from its own stream (strangerFame draws it again).
	gf := w.deriver(i, "fame")
	young := gf.young(gf.rng.NormFloat64())
	fame := gf.fame()
	has, follows := false, false
	for k, s := range usernamePlatforms() {
		p := probs[k]
		if young {
			p *= 0.5
		}
		c.on[k] = g.chance(p)
		has = has || c.on[k]
		follows = follows || c.on[k] && followerPlatform(s)
		if !g.chance(0.7) {
			c.alt[k] = g.rng.Uint64() | 1
		}
		c.display[k] = g.displayStyle()
	}
	if fame >= 3000 && !follows {
		c.on[platformIndex(pick(gf, []string{srcBluesky, srcMastodon}))] = true
		has = true
	}
	if !has {
		c.on[platformIndex(pick(g, []string{srcReddit, srcBluesky, srcGitHub}))] = true
	}
	c.suspended = g.chance(0.08)
	return c
}

// strangerInterests draws 1–4 interests like gen.interests (by category
// weight, without repeats), faster.
func (g *gen) strangerInterests() []string {
	k := 4
	switch r := g.rng.Float64(); {
	case r < 0.30:
		k = 1
	case r < 0.65:
		k = 2
	case r < 0.90:
		k = 3
	}
	cum := g.w.catCum
	out := make([]string, 0, k)
	for len(out) < k {
		u := g.rng.Float64() * cum[len(cum)-1]
		c := g.catIDs[min(sort.SearchFloat64s(cum, u), len(cum)-1)]
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// candidateCount is how many usernames a stranger tries on a platform:
// their handle there, the ten name variants, then the handle with three
// numbers.
const candidateCount = 14

// candidate is the j-th username stranger c tries on platform k,
// sanitized for it ("" when it cannot be one there). vs caches the name
// variants between calls.
func (c *strangerCore) candidate(seed uint64, k, j int, vs *[]string) string {
	p := usernamePlatforms()[k]
	primary := c.handle
	if c.alt[k] != 0 {
		g := gen{rng: rand.New(rand.NewPCG(c.alt[k], seed))}
		primary = g.habitHandleFolded(c.f, c.l, c.yy)
	}
	var raw string
	switch {
	case j == 0:
		raw = primary
	case j <= 10:
		if *vs == nil {
			*vs = nameVariants(c.id, c.yy)
		}
		raw = (*vs)[j-1]
	default:
		raw = primary + strconv.FormatUint(10+hash64(strconv.FormatUint(seed, 10), strconv.Itoa(int(c.i)), p, strconv.Itoa(j))%9000, 10)
	}
	return sanitize(p, raw)
}

// username is stranger c's username on platform k (as stored: the full
// handle on bluesky), or "" without an account there.
func (w *world) strangerUsername(c *strangerCore, k int) string {
	ch := w.bg.choice[k][c.i]
	if ch == 0 {
		return ""
	}
	var vs []string
	return handleOf(usernamePlatforms()[k], c.candidate(w.bg.seed, k, int(ch)-1, &vs))
}

// shortName is a username without bluesky's handle domain.
func shortName(u string) string { return strings.TrimSuffix(u, ".bsky.social") }

// taken reports whether a username (lower case, as stored) is held on
// source by anyone.
func (w *world) taken(source, key string) bool {
	if k := platformIndex(source); k >= 0 && w.bg.byUser != nil {
		_, ok := w.bg.byUser[k][hash64(key)] // the population's too (heldByPopulation)
		return ok
	}
	return w.accounts[source][key] != nil
}

// strangerHolds returns the stranger holding key on source.
func (w *world) strangerHolds(source, key string) (uint32, bool) {
	k := platformIndex(source)
	if k < 0 || w.bg.byUser == nil {
		return 0, false
	}
	i, ok := w.bg.byUser[k][hash64(key)]
	if !ok || i == heldByPopulation {
		return 0, false
	}
	c := w.strangerCore(i)
	if w.strangerUsername(&c, k) != key {
		return 0, false
	}
	return i, true
}

// strangerCores derives the cores of strangers [0, n) in order, in
// chunks, on one goroutine: the claims that need them run meanwhile. The
// goroutine ends once every core is sent (the consumer takes them all).
func (w *world) strangerCores(n int) <-chan []strangerCore {
	out := make(chan []strangerCore, 2)
	go func() {
		defer close(out)
		const chunk = 2048
		for lo := 0; lo < n; lo += chunk {
			cs := make([]strangerCore, min(lo+chunk, n)-lo)
			for j := range cs {
				cs[j] = w.strangerCore(uint32(lo + j))
				for k := range usernamePlatforms() {
					if cs[j].on[k] {
						var vs []string
						cs[j].first[k] = cs[j].candidate(w.bg.seed, k, 0, &vs)
					}
				}
			}
			out <- cs
		}
	}()
	return out
}

// addStrangers claims the accounts of the next n strangers from cores.
func (g *gen) addStrangers(n int, cores <-chan []strangerCore) {
	w := g.w
	for range n {
		if len(g.cores) == 0 {
			g.cores = <-cores
		}
		c := g.cores[0]
		g.cores = g.cores[1:]
		i := c.i
		for k, p := range usernamePlatforms() {
			if !c.on[k] {
				continue
			}
			var vs []string
			for j := range candidateCount {
				u := c.first[k]
				if j > 0 {
					u = c.candidate(w.bg.seed, k, j, &vs)
				}
				if u == "" {
					continue
				}
				key := handleOf(p, u)
				if w.taken(p, key) {
					continue
				}
				w.bg.byUser[k][hash64(key)] = i
				w.bg.choice[k][i] = uint8(j + 1)
				w.bg.accounts++
				display := renderDisplay(c.display[k], c.id, u)
				if display == "" {
					w.bg.noName++
				}
				if p == srcBluesky {
					w.bg.byDID[hash64(didFor(key))] = i
				}
				if ix := w.bg.search[p]; ix != nil && !(p == srcReddit && c.suspended) {
					words := nameWords(display)
					for _, x := range uniq(words) {
						ix.words[x] = append(ix.words[x], i)
					}
					ix.nwords[i] = uint8(min(len(words), 255))
					ix.handles = append(ix.handles, handleRef{fold(key), i})
					if len(words) > 0 {
						ix.exact[nameKey(words)]++
					}
				}
				break
			}
		}
	}
}

func uniq(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// nameKey identifies a set of name words regardless of order.
func nameKey(words []string) uint64 {
	s := slices.Clone(words)
	slices.Sort(s)
	return hash64(s...)
}

// strangerFame draws what stranger c's reach rests on, as for a person
// (gen.footprint): whether they are new to the web, their fame, and the
// platform their fame shows on ("" when none of theirs counts followers).
// Every account of theirs derives it alike from its own stream.
func (w *world) strangerFame(c *strangerCore) (young bool, fame float64, primary string) {
	g := w.deriver(c.i, "fame")
	young = g.young(g.rng.NormFloat64())
	fame = g.fame()
	var on []string
	for k, s := range usernamePlatforms() {
		if c.on[k] {
			on = append(on, s)
		}
	}
	return young, fame, g.primaryPlatform(on, fame)
}

// strangerReach draws the counts of stranger c's account on source from
// the start of g, that account's stream; strangerAccount continues it.
func (w *world) strangerReach(g *gen, c *strangerCore, source string) *account {
	a := &account{source: source, owner: ownerStranger}
	young, fame, primary := w.strangerFame(c)
	pg := &personGen{idx: ownerStranger, young: young, accounts: []*account{a}}
	var main *account
	if primary == source {
		main = a
	}
	g.reach(pg, fame, main)
	return a
}

// strangerLinks draws the links of stranger c's account a to their own
// accounts on other platforms and their Twitter handle, as gen.link does
// for a person (strangers have no website).
func (w *world) strangerLinks(c *strangerCore, a *account) {
	targets := map[string]profileLink{}
	for k, s := range usernamePlatforms() {
		if s == a.source || !c.on[k] {
			continue
		}
		if u := w.strangerUsername(c, k); u != "" {
			targets[s] = profileLink{service: s, username: u, url: accountURL(s, u)}
		}
	}
	if w.deriver(c.i, "twitter").chance(0.35) {
		if t := sanitize("twitter", c.handle); t != "" {
			targets["twitter"] = profileLink{service: "twitter", username: t, url: accountURL("twitter", t)}
		}
	}
	w.deriver(c.i, a.source+"/links").linkTo(a, targets)
}

// strangerAccount derives stranger i's account on platform k (nil when
// they have none there).
func (w *world) strangerAccount(i uint32, k int) *account {
	c := w.strangerCore(i)
	u := w.strangerUsername(&c, k)
	if u == "" {
		return nil
	}
	p := usernamePlatforms()[k]
	g := w.deriver(i, p)
	a := w.strangerReach(g, &c, p)
	a.username = u
	a.lang = c.lang
	young, _, _ := w.strangerFame(&c)
	launch := platformLaunch(p)
	span := w.now.Sub(launch).Hours() / 24 / 365.25
	if young {
		a.created = g.daysAgo(g.uniform(1, 60))
	} else {
		a.created = g.yearsAgo(g.uniform(0.1, span) * math.Sqrt(g.rng.Float64()))
		if a.created.Before(launch) {
			a.created = launch.AddDate(0, 0, g.rng.IntN(300))
		}
	}
	switch p {
	case srcGitHub:
		a.id = githubStrangerBase + int64(i)
	case srcGitLab:
		a.id = gitlabStrangerBase + int64(i)
	case srcBluesky:
		a.did = didFor(u)
	case srcReddit:
		a.suspended = c.suspended
	}
	w.setStrangerPhoto(a, i, k)
	a.name = renderDisplay(c.display[k], c.id, shortName(u))
	a.location = g.location(c.city, c.ctry)
	w.strangerLinks(&c, a)
	pg := &personGen{idx: ownerStranger, ctry: c.ctry, id: c.id, lang: c.lang, interests: c.interests, yy: c.yy,
		young: young, p: &Person{City: c.city, EmailKind: "free"}, accounts: []*account{a}}
	g.content(pg, a)
	a.email, a.company = "", ""
	return a
}

// strangerByDID returns the bluesky stranger account with did.
func (w *world) strangerByDID(did string) *account {
	if w.bg.byDID == nil {
		return nil
	}
	i, ok := w.bg.byDID[hash64(did)]
	if !ok {
		return nil
	}
	if a := w.strangerAccount(i, platformIndex(srcBluesky)); a != nil && a.did == did {
		return a
	}
	return nil
}

// strangerByID returns the stranger account with a numeric id in source's
// stranger id space.
func (w *world) strangerByID(source string, id int64) *account {
	base := map[string]int64{srcGitLab: gitlabStrangerBase, srcGitHub: githubStrangerBase}[source]
	if base == 0 || id < base || id-base >= int64(w.bg.n) {
		return nil
	}
	return w.strangerAccount(uint32(id-base), platformIndex(source))
}

// searchStrangers returns the strangers on src whose display names hold
// every word of qw, or whose folded handles start with joined, with
// whether the name is exactly qw.
func (w *world) searchStrangers(src string, qw []string, joined string) map[uint32]bool {
	ix := w.bg.search[src]
	if ix == nil {
		return nil
	}
	hits := map[uint32]bool{}
	intersect(qw, ix.words, func(i uint32) { hits[i] = int(ix.nwords[i]) == len(qw) })
	lo, _ := slices.BinarySearchFunc(ix.handles, joined, func(h handleRef, t string) int { return strings.Compare(h.fold, t) })
	for _, h := range ix.handles[lo:] {
		if !strings.HasPrefix(h.fold, joined) {
			break
		}
		if _, ok := hits[h.i]; !ok {
			hits[h.i] = false
		}
	}
	return hits
}
