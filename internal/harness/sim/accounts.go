package sim

// Accounts: which platforms a person is on, usernames, reach, cross-links,
// content reflecting interests, and strangers whose usernames collide.

import (
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

func platformLaunch(source string) time.Time {
	switch source {
	case srcGitHub:
		return date(2008, 4, 10)
	case srcReddit:
		return date(2005, 6, 23)
	case srcHackerNews:
		return date(2007, 2, 19)
	case srcKeybase:
		return date(2014, 2, 15)
	case srcMastodon:
		return date(2016, 10, 5)
	case srcBluesky:
		return date(2023, 3, 1)
	case srcGitLab:
		return date(2014, 1, 20)
	case srcDevTo:
		return date(2016, 6, 1)
	}
	return date(2007, 1, 1)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// platformProbs is how likely someone with these interests is on each
// username platform, in usernamePlatforms order.
func platformProbs(interests []string) [8]float64 {
	has := func(ids ...string) bool {
		return slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(interests, id) })
	}
	dev := has("software_dev", "technology", "science")
	// github, gitlab, devto, hackernews, keybase, reddit, mastodon, bluesky
	return [8]float64{
		0.22 + 0.5*b2f(dev),
		0.05 + 0.15*b2f(dev),
		0.04 + 0.16*b2f(dev),
		0.05 + 0.15*b2f(dev || has("business_finance")),
		0.03 + 0.10*b2f(dev || has("personal_finance")),
		0.35 + 0.15*b2f(has("video_gaming", "pop_culture", "movies_tv")),
		0.12 + 0.12*b2f(dev || has("science")),
		0.25,
	}
}

func (g *gen) footprint(pg *personGen) {
	z := pg.z
	pNone := sigmoid(-2.2 + 1.2*z)
	if pg.p.EmailKind == "disposable" {
		pNone = math.Max(pNone, 0.7)
	}
	if g.chance(pNone) {
		return
	}
	pg.young = g.young(z)
	has := func(ids ...string) bool {
		for _, id := range ids {
			if slices.Contains(pg.interests, id) {
				return true
			}
		}
		return false
	}
	dev := has("software_dev", "technology", "science")
	probs := platformProbs(pg.interests)
	fame := g.fame()
	var chosen []string
	for k, s := range usernamePlatforms() {
		p := probs[k]
		if pg.young {
			p *= 0.5
		}
		if g.chance(p) {
			chosen = append(chosen, s)
		}
	}
	if fame >= 3000 && !slices.ContainsFunc(chosen, followerPlatform) {
		chosen = append(chosen, pick(g, []string{srcBluesky, srcMastodon}))
	}
	gravatar := pg.p.EmailKind != "disposable" && g.chance(0.3+0.2*b2f(dev)+0.2*b2f(pg.website != ""))
	if len(chosen) == 0 && !gravatar {
		chosen = append(chosen, pick(g, []string{srcReddit, srcBluesky, srcGitHub}))
	}
	// The handle the person reuses across platforms.
	variants := g.usernameVariants(pg.id, pg.yy)
	generic := slices.Contains([]string{"hello", "me", "contact", "mail"}, pg.local)
	switch {
	case (pg.p.EmailKind == "free" || pg.p.EmailKind == "typo") && g.chance(0.7):
		pg.handle = pg.local
	case (pg.p.EmailKind == "company" || pg.p.EmailKind == "personal") && !generic && g.chance(0.4):
		pg.handle = pg.local
	case g.chance(0.15):
		pg.handle = g.hobbyHandle()
	default:
		pg.handle = g.habitHandle(pg.id, pg.yy)
	}
	if g.chance(0.35) {
		pg.twitter = sanitize("twitter", pg.handle)
	}
	for _, s := range usernamePlatforms() {
		if !slices.Contains(chosen, s) {
			continue
		}
		cands := []string{pg.handle}
		if !g.chance(0.78) {
			cands = []string{pick(g, variants)}
		}
		cands = append(cands, variants...)
		u := g.claim(s, cands)
		if dom := strings.TrimPrefix(pg.website, "https://"); s == srcBluesky && dom != "" && g.chance(0.4) && !g.w.taken(s, dom) {
			u = dom // a custom domain handle
		}
		a := g.newAccount(pg, s, u)
		pg.accounts = append(pg.accounts, a)
	}
	if gravatar {
		slugU := g.claim(srcGravatar, append([]string{pg.handle}, variants...))
		a := g.newAccount(pg, srcGravatar, slugU)
		pg.accounts = append(pg.accounts, a)
	}
	g.followers(pg, fame)
	g.link(pg)
	for _, a := range pg.accounts {
		g.content(pg, a)
		g.register(a)
		if a.source == srcGravatar {
			e := strings.ToLower(pg.p.Email)
			g.w.gravatar[sha256Hex(e)] = a
			g.w.gravatar[md5Hex(e)] = a
		}
		if a.source == srcGitHub && a.email != "" {
			g.w.ghByEmail[strings.ToLower(a.email)] = a
		}
		pg.p.Truth.Accounts = append(pg.p.Truth.Accounts, AccountRef{Source: a.source, Username: handleOf(a.source, a.username)})
	}
	for _, a := range pg.accounts {
		switch a.source {
		case srcGitHub, srcGitLab, srcMastodon, srcBluesky:
			pg.p.Truth.Followers += a.followers
		}
	}
	pg.p.Truth.Influencer = pg.p.Truth.Followers >= InfluencerFollowers
}

func (g *gen) newAccount(pg *personGen, source, u string) *account {
	a := &account{source: source, username: u, owner: pg.idx, lang: pg.lang}
	if source == srcBluesky {
		a.username = handleOf(source, u)
	}
	launch := platformLaunch(source)
	if pg.young {
		a.created = g.daysAgo(g.uniform(1, 60))
	} else {
		span := g.now.Sub(launch).Hours() / 24 / 365.25
		a.created = g.yearsAgo(g.uniform(0.2, span) * math.Sqrt(g.rng.Float64()))
		if a.created.Before(launch) {
			a.created = launch.AddDate(0, 0, g.rng.IntN(300))
		}
	}
	switch source {
	case srcGitHub:
		a.id = g.ghID(a.created)
	case srcGitLab:
		a.id = g.uniqueID(srcGitLab, int64(a.created.Sub(date(2014, 1, 1)).Hours()*2)+1)
	case srcBluesky:
		a.did = didFor(a.username)
	}
	a.name = g.displayName(pg.id, u)
	a.location = g.location(pg.p.City, pg.ctry)
	if pg.co != nil && !pg.co.shell {
		a.company = pg.co.name
	}
	return a
}

func didFor(handle string) string {
	const b32 = "abcdefghijklmnopqrstuvwxyz234567"
	h := sha256.Sum256([]byte("did:" + handle))
	var b strings.Builder
	for i := range 24 {
		b.WriteByte(b32[h[i]%32])
	}
	return "did:plc:" + b.String()
}

func (g *gen) displayName(id ident, handle string) string {
	return renderDisplay(g.displayStyle(), id, handle)
}

// displayStyle draws how someone fills a display name: their full name
// (68 %), first name (10 %), their handle (8 %), first name and initial
// (6 %), the full name in lower case (4 %) or nothing (4 %).
func (g *gen) displayStyle() uint8 {
	switch r := g.rng.Float64(); {
	case r < 0.68:
		return 0
	case r < 0.78:
		return 1
	case r < 0.86:
		return 2
	case r < 0.92:
		return 3
	case r < 0.96:
		return 4
	}
	return 5
}

// renderDisplay is the display name of style for id and handle.
func renderDisplay(style uint8, id ident, handle string) string {
	switch style {
	case 0:
		return id.full()
	case 1:
		return id.first
	case 2:
		return handle
	case 3:
		return id.first + " " + string([]rune(id.last)[:1]) + "."
	case 4:
		return strings.ToLower(id.full())
	}
	return ""
}

func (g *gen) location(city string, c country) string {
	switch r := g.rng.Float64(); {
	case r < 0.35:
		return ""
	case r < 0.65:
		return city + ", " + c.name
	case r < 0.8:
		return city
	case r < 0.9:
		return c.name
	}
	if c.local != "" {
		return city + ", " + c.local
	}
	return city + ", " + c.name
}

// fame draws how many people follow someone, over all their accounts: a
// Pareto law (median 360, heavy-tailed, at most 40 million). Everyone —
// population and strangers — draws it the same way.
func (g *gen) fame() float64 { return math.Min(g.pareto(90, 0.5), 4e7) }

// young draws whether someone with risk z is new to the web (their
// accounts days old, reach and activity capped).
func (g *gen) young(z float64) bool { return g.chance(sigmoid(-4.0 + 2.2*z)) }

// followerPlatform reports whether followers are counted on source.
func followerPlatform(source string) bool {
	switch source {
	case srcGitHub, srcGitLab, srcMastodon, srcBluesky:
		return true
	}
	return false
}

// primaryWeight is how likely source is to be the account that carries
// someone's fame, among their follower platforms.
func primaryWeight(source string) float64 {
	return map[string]float64{srcBluesky: 3, srcMastodon: 2, srcGitHub: 2, srcGitLab: 0.3}[source]
}

// primaryPlatform is the platform that carries the fame of someone on
// platforms, as for a person: one of their follower platforms by
// primaryWeight, or, when they have none and fame is at least 3 000, the
// Bluesky or Mastodon account such a person opens; "" when neither.
func (g *gen) primaryPlatform(platforms []string, fame float64) string {
	var fp []string
	for _, s := range platforms {
		if followerPlatform(s) {
			fp = append(fp, s)
		}
	}
	if len(fp) == 0 {
		if fame >= 3000 {
			return pick(g, []string{srcBluesky, srcMastodon})
		}
		return ""
	}
	return weighted(g, fp, primaryWeight)
}

// followers picks the person's primary account (the follower platform
// their fame shows on) and draws every account's counts.
func (g *gen) followers(pg *personGen, fame float64) {
	var fp []*account
	for _, a := range pg.accounts {
		if followerPlatform(a.source) {
			fp = append(fp, a)
		}
	}
	var primary *account
	if len(fp) > 0 {
		primary = weighted(g, fp, func(a *account) float64 { return primaryWeight(a.source) })
	}
	g.reach(pg, fame, primary)
}

// reach draws the follower, post and karma counts of pg's accounts: the
// primary account (nil: none) shows most of fame, the others a little of
// it.
func (g *gen) reach(pg *personGen, fame float64, primary *account) {
	if pg.young {
		fame = math.Min(fame, 300)
	}
	for _, a := range pg.accounts {
		small := g.lognormal(2.3, 1.3)
		switch {
		case a == primary:
			a.followers = int64(fame * g.uniform(0.6, 1.0))
		case a.source == srcGitLab:
			a.followers = int64(math.Min(small/3, fame*0.05))
		default:
			a.followers = int64(math.Min(small+fame*g.uniform(0, 0.15), fame))
		}
		a.following = int64(g.lognormal(3.3, 1.2))
		a.posts = int64(g.lognormal(3.5, 1.8) * (1 + math.Log1p(float64(a.followers))/3))
		switch a.source {
		case srcReddit:
			a.linkKarma = int64(g.lognormal(4, 2.2) * (1 + math.Log1p(fame)/4))
			a.commentKarma = int64(g.lognormal(5, 2.2))
		case srcHackerNews:
			a.karma = 1 + int64(g.lognormal(3, 2)*(1+math.Log1p(fame)/5))
		}
		if pg.young {
			a.posts = min(a.posts, 20)
			a.linkKarma, a.commentKarma, a.karma = min(a.linkKarma, 30), min(a.commentKarma, 50), min(a.karma, 10)
		}
	}
}

// accountURL is the canonical profile URL of an account.
func accountURL(source, username string) string {
	switch source {
	case srcGitHub:
		return "https://github.com/" + username
	case srcGitLab:
		return "https://gitlab.com/" + username
	case srcMastodon:
		return "https://mastodon.social/@" + username
	case srcBluesky:
		return "https://bsky.app/profile/" + username
	case srcKeybase:
		return "https://keybase.io/" + username
	case srcReddit:
		return "https://www.reddit.com/user/" + username
	case srcHackerNews:
		return "https://news.ycombinator.com/user?id=" + username
	case srcDevTo:
		return "https://dev.to/" + username
	case srcGravatar:
		return "https://gravatar.com/" + username
	case "twitter":
		return "https://x.com/" + username
	}
	return ""
}

// linkable lists which services a profile format can link to.
func linkable(source string) []string {
	switch source {
	case srcGravatar:
		return []string{srcGitHub, srcMastodon, srcBluesky, "twitter"}
	case srcKeybase:
		return []string{srcGitHub, srcReddit, srcHackerNews, srcMastodon, "twitter", "website"}
	case srcMastodon:
		return []string{"website", srcGitHub, srcBluesky, srcKeybase, srcGitLab, srcDevTo}
	case srcGitHub:
		return []string{"website", srcMastodon, srcDevTo, srcGitLab, "twitter"}
	case srcGitLab:
		return []string{"website", srcGitHub, "twitter"}
	case srcDevTo:
		return []string{srcGitHub, "twitter", "website"}
	case srcHackerNews:
		return []string{srcGitHub, "website", srcKeybase, srcBluesky}
	case srcBluesky:
		return []string{"website", srcMastodon}
	case srcReddit:
		return []string{"website"}
	}
	return nil
}

func linkProb(source string) float64 {
	switch source {
	case srcGravatar:
		return 0.75
	case srcKeybase:
		return 0.85
	case srcMastodon:
		return 0.6
	case srcGitHub, srcDevTo:
		return 0.55
	case srcReddit:
		return 0.1
	}
	return 0.45
}

// link decides which of the person's other accounts each profile links to.
func (g *gen) link(pg *personGen) {
	targets := map[string]profileLink{}
	for _, a := range pg.accounts {
		targets[a.source] = profileLink{service: a.source, username: a.username, url: accountURL(a.source, a.username)}
	}
	if pg.website != "" {
		targets["website"] = profileLink{service: "website", url: pg.website}
	}
	if pg.twitter != "" {
		targets["twitter"] = profileLink{service: "twitter", username: pg.twitter, url: accountURL("twitter", pg.twitter)}
	}
	for _, a := range pg.accounts {
		g.linkTo(a, targets)
	}
	if pg.website != "" {
		if d := g.w.domains[strings.TrimPrefix(pg.website, "https://")]; d != nil {
			d.site = g.personalSite(pg, targets)
		}
	}
}

// linkTo decides which of targets (the owner's accounts by source,
// "website" and "twitter") account a links to.
func (g *gen) linkTo(a *account, targets map[string]profileLink) {
	homepage := false
	for _, s := range linkable(a.source) {
		t, ok := targets[s]
		if !ok || s == a.source || !g.chance(linkProb(a.source)) {
			continue
		}
		oneHomepage := a.source == srcGitHub || a.source == srcGitLab || a.source == srcBluesky
		if oneHomepage && s != "twitter" {
			if homepage {
				continue
			}
			homepage = true
		}
		switch a.source {
		case srcGravatar, srcKeybase:
			t.verified = true
		case srcMastodon:
			t.verified = s == "website" || (s == srcGitHub && g.chance(0.5))
		}
		a.links = append(a.links, t)
	}
}

func (g *gen) personalSite(pg *personGen, targets map[string]profileLink) *website {
	var socials []string
	for _, s := range append(usernamePlatforms(), "twitter") {
		if t, ok := targets[s]; ok && g.chance(0.7) {
			socials = append(socials, t.url)
		}
	}
	kws, _ := g.keywords(pg.interests, pg.lang, g.uniform(0.35, 0.7))
	desc := g.bio(pg.lang, kws)
	name := pg.id.full()
	return &website{kind: "personal", title: name, siteName: name, description: desc, keywords: kws,
		htmlLang: pg.ctry.htmlLang, socials: socials, personName: name, jobTitle: pg.jobTitle, country: pg.ctry.code,
		body: []string{desc}}
}

// keywords picks content keywords: each interest appears with probability
// pTrue; about 20 % of the keywords are noise from other categories.
func (g *gen) keywords(interests []string, lang string, pTrue float64) (kws []string, shown []string) {
	for _, c := range interests {
		if !g.chance(pTrue) {
			continue
		}
		shown = append(shown, c)
		words := g.vocab[c].words[lang]
		kws = append(kws, pick(g, words))
		if g.chance(0.3) {
			if w := pick(g, words); !slices.Contains(kws, w) {
				kws = append(kws, w)
			}
		}
	}
	n := len(kws)
	for i := 0; i < max(n, 1); i++ {
		if g.chance(0.25) {
			c := g.noiseCategory(interests)
			kws = append(kws, pick(g, g.vocab[c].words[lang]))
		}
	}
	g.rng.Shuffle(len(kws), func(i, j int) { kws[i], kws[j] = kws[j], kws[i] })
	return kws, shown
}

func (g *gen) noiseCategory(interests []string) string {
	for {
		c := pick(g, g.catIDs)
		if !slices.Contains(interests, c) {
			return c
		}
	}
}

func (g *gen) bio(lang string, kws []string) string {
	if len(kws) == 0 {
		return pick(g, map[string][]string{
			"en": {"", "Hi!", "Just me.", "Living life."},
			"de": {"", "Hallo!", "Einfach ich."},
			"fr": {"", "Salut !", "Juste moi."},
			"es": {"", "¡Hola!", "Solo yo."},
		}[lang])
	}
	t := pick(g, bioTemplates()[lang])
	return capitalize(fmt.Sprintf(t, joinList(lang, kws)))
}

// content fills bio, repos and hashtags of an account.
func (g *gen) content(pg *personGen, a *account) {
	lang := pg.lang
	if (a.source == srcGitHub || a.source == srcHackerNews || a.source == srcDevTo || a.source == srcGitLab || a.source == srcKeybase) && g.chance(0.5) {
		lang = "en"
	}
	if pg.bilingual && g.chance(0.5) {
		lang = "en"
	}
	a.lang = lang
	pTrue := g.uniform(0.35, 0.7)
	kws, shown := g.keywords(pg.interests, lang, pTrue)
	if a.source != srcGitHub || g.chance(0.6) {
		a.bio = g.bio(lang, kws)
	}
	if a.source == srcMastodon || a.source == srcBluesky {
		for _, c := range shown {
			a.hashtags = append(a.hashtags, pick(g, g.vocab[c].hashtags))
		}
		if g.chance(0.2) {
			a.hashtags = append(a.hashtags, pick(g, g.vocab[g.noiseCategory(pg.interests)].hashtags))
		}
	}
	if a.source == srcGitHub {
		if g.chance(0.55) && pg.p.EmailKind != "disposable" {
			a.email = pg.p.Email
		}
		dev := slices.ContainsFunc(pg.interests, func(c string) bool { return devCategories()[c] })
		n := g.rng.IntN(5)
		if dev {
			n = 2 + int(math.Min(g.pareto(2, 1.2), 60))
		}
		if pg.young {
			n = min(n, 2)
		}
		a.repos = g.repos(a, shown, n, math.Log1p(float64(a.followers)))
		if pg.co != nil && !pg.co.shell && g.chance(0.6) {
			if pg.co.ghOrg != "" {
				a.company = "@" + pg.co.ghOrg
			}
		} else if pg.co == nil {
			a.company = ""
		}
		a.twitter = ""
		for _, l := range a.links {
			if l.service == "twitter" {
				a.twitter = l.username
			}
		}
	}
	if a.source == srcGitLab && g.chance(0.2) {
		a.email = pg.p.Email
	}
	if a.source == srcGitLab || a.source == srcGravatar {
		if g.chance(0.5) {
			a.jobTitle = pg.jobTitle
		}
	}
	if a.source == srcReddit && g.chance(0.3) {
		a.bio = ""
	}
}

// repos builds n repositories, drawn from the shown interests (65 %), noise
// categories (17 %) or nothing in particular.
func (g *gen) repos(a *account, shown []string, n int, fameLog float64) []repo {
	if a.org {
		n = 3 + g.rng.IntN(10)
	}
	var out []repo
	names := map[string]bool{}
	for range n {
		var cat string
		switch r := g.rng.Float64(); {
		case len(shown) > 0 && r < 0.65:
			cat = pick(g, shown)
		case r < 0.82:
			cat = g.noiseCategory(shown)
		}
		rp := repo{}
		if cat != "" {
			v := g.vocab[cat]
			rp.name = pick(g, v.repos)
			rp.language = pick(g, v.languages)
			k := g.rng.IntN(4)
			for range k {
				if t := pick(g, v.topics); !slices.Contains(rp.topics, t) {
					rp.topics = append(rp.topics, t)
				}
			}
			rp.description = strings.ReplaceAll(rp.name, "-", " ")
			if len(v.words["en"]) > 0 {
				rp.description = "A small project about " + pick(g, v.words["en"])
			}
		} else {
			rp.name = pick(g, genericRepos())
			rp.language = pick(g, genericLanguages())
			if g.chance(0.3) {
				rp.language = ""
			}
		}
		for names[rp.name] {
			rp.name += "-" + strconv.Itoa(g.rng.IntN(100))
		}
		names[rp.name] = true
		rp.fork = g.chance(0.15)
		rp.stars = int64(g.lognormal(0, 1.5) * (1 + fameLog*fameLog/4))
		if rp.stars < 2 && g.chance(0.5) {
			rp.stars = 0
		}
		rp.forks = rp.stars / int64(3+g.rng.IntN(10))
		span := math.Max(g.now.Sub(a.created).Hours()/24, 1)
		rp.created = g.daysAgo(g.uniform(0, span))
		rp.pushed = rp.created.Add(time.Duration(g.uniform(0, g.now.Sub(rp.created).Hours())) * time.Hour)
		out = append(out, rp)
	}
	slices.SortFunc(out, func(x, y repo) int { return y.pushed.Compare(x.pushed) })
	return out
}

// --- strangers ---

func collisionProb(u string) float64 {
	var p float64
	switch n := len(u); {
	case n <= 4:
		p = 0.85
	case n <= 6:
		p = 0.5
	case n <= 8:
		p = 0.22
	case n <= 11:
		p = 0.08
	default:
		p = 0.03
	}
	if strings.IndexFunc(u, unicode.IsDigit) >= 0 {
		p *= 0.35
	}
	if strings.ContainsAny(u, "._-") {
		p *= 0.7
	}
	return p
}

func platformPopularity(source string) float64 {
	return map[string]float64{srcReddit: 1, srcGitHub: 0.9, srcBluesky: 0.7, srcGitLab: 0.45, srcHackerNews: 0.5,
		srcMastodon: 0.5, srcDevTo: 0.4, srcKeybase: 0.3}[source]
}

// strangers registers accounts owned by nobody in the population whose
// usernames equal what a guess from someone's email local part or handle
// would try.
func (g *gen) strangers() {
	for i := range g.w.people {
		p := &g.w.people[i]
		local, _, _ := strings.Cut(p.Email, "@")
		cands := []string{local}
		for _, a := range p.Truth.Accounts {
			if a.Source != srcGravatar {
				u := strings.TrimSuffix(a.Username, ".bsky.social")
				if !slices.Contains(cands, u) {
					cands = append(cands, u)
				}
			}
		}
		for _, s := range usernamePlatforms() {
			for _, u := range cands {
				u = strings.ToLower(u)
				if !validUsername(s, u) || g.w.taken(s, handleOf(s, u)) {
					continue
				}
				if !g.chance(collisionProb(u) * platformPopularity(s)) {
					continue
				}
				g.stranger(s, u, p.Country)
				g.w.collisions++
			}
		}
	}
}

func (g *gen) stranger(source, u, notCountry string) {
	c := g.pickCountry()
	for c.code == notCountry {
		c = g.pickCountry()
	}
	id := g.name(pick(g, g.culNames))
	pg := &personGen{idx: ownerStranger, ctry: c, id: id, lang: c.lang, interests: g.interests(), yy: 60 + g.rng.IntN(45)}
	if pg.lang != "de" && pg.lang != "fr" && pg.lang != "es" {
		pg.lang = "en"
	}
	pg.p = &Person{City: pick(g, c.cities), EmailKind: "free"}
	// Reach as a person's: their fame, whether they are new, and whether
	// this is the account their fame shows on (among the platforms they
	// would be on; only this account is in the simulated web).
	pg.young = g.young(g.rng.NormFloat64())
	fame := g.fame()
	on := []string{source}
	probs := platformProbs(pg.interests)
	for k, s := range usernamePlatforms() {
		p := probs[k]
		if pg.young {
			p *= 0.5
		}
		if s != source && g.chance(p) {
			on = append(on, s)
		}
	}
	a := g.newAccount(pg, source, u)
	a.owner = ownerStranger
	a.company = ""
	pg.accounts = []*account{a}
	var primary *account
	if g.primaryPlatform(on, fame) == source {
		primary = a
	}
	g.reach(pg, fame, primary)
	g.content(pg, a)
	a.email = ""
	if source == srcReddit && g.chance(0.08) {
		a.suspended = true
	}
	g.register(a)
	g.w.strangers++
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
	}
	return s
}
