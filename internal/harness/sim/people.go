package sim

// People: names, usernames, email addresses, phones and breaches.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

type ident struct{ first, last string }

// name draws a name of culture, each part by its frequency (namefreq.go).
func (g *gen) name(culture string) ident {
	t := g.cultures[culture]
	return ident{t.first.draw(g.rng), t.last.draw(g.rng)}
}

func (id ident) full() string { return id.first + " " + id.last }

func handleWords() ([]string, []string) {
	return []string{"quiet", "pixel", "night", "blue", "lazy", "cosmic", "rusty", "happy", "silent", "wild", "tiny", "urban", "lucky", "retro", "neon"},
		[]string{"fox", "panda", "owl", "coder", "wolf", "heron", "otter", "byte", "moth", "falcon", "badger", "lynx", "raven", "koala", "tiger"}
}

func (g *gen) hobbyHandle() string {
	a, n := handleWords()
	h := pick(g, a) + pick(g, n)
	if g.chance(0.6) {
		h += strconv.Itoa(g.rng.IntN(1000))
	}
	return h
}

// usernameVariants returns name-derived usernames, most typical first.
func (g *gen) usernameVariants(id ident, yy int) []string { return nameVariants(id, yy) }

// nameVariants returns name-derived usernames, most typical first.
func nameVariants(id ident, yy int) []string {
	f, l := foldedName(id)
	y := fmt.Sprintf("%02d", yy%100)
	return []string{f + l, f + "." + l, f + "_" + l, f[:1] + l, f + l[:1], l + f, f + l + y, f[:1] + l + y, f + y, f + "-" + l}
}

// habitHandle draws the handle someone picks when they sign up, by the
// habits people have: the first name alone, first and last name (run
// together or with a separator), an initial and the last name, the first
// name and an initial, a birth year (two or four digits) after the first
// name or the whole name, or words that are not their name at all.
func (g *gen) habitHandle(id ident, yy int) string {
	f, l := foldedName(id)
	return g.habitHandleFolded(f, l, yy)
}

// foldedName is id's first and last name folded for usernames.
func foldedName(id ident) (string, string) {
	f, l := fold(id.first), fold(id.last)
	if f == "" {
		f = "user"
	}
	if l == "" {
		l = "x"
	}
	return f, l
}

func (g *gen) habitHandleFolded(f, l string, yy int) string {
	y2, y4 := strconv.Itoa(yy%100/10)+strconv.Itoa(yy%10), strconv.Itoa(1900+yy)
	switch r := g.rng.Float64(); {
	case r < 0.16:
		return f
	case r < 0.36:
		return f + l
	case r < 0.43:
		return f + "." + l
	case r < 0.48:
		return f + "_" + l
	case r < 0.57:
		return f[:1] + l
	case r < 0.62:
		return f + l[:1]
	case r < 0.70:
		return f + y2
	case r < 0.74:
		return f + y4
	case r < 0.81:
		return f + l + y2
	case r < 0.84:
		return f[:1] + l[:1] + y2
	}
	return g.hobbyHandle()
}

// sanitize adapts a username to a platform's rules; "" when impossible.
func sanitize(platform, u string) string {
	u = strings.ToLower(u)
	var sep byte
	allowed := func(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
	maxLen := 30
	switch platform {
	case srcGitHub, srcBluesky:
		sep, maxLen = '-', 39
		if platform == srcBluesky {
			maxLen = 18
		}
	case srcMastodon, srcKeybase, srcDevTo, "twitter":
		sep = '_'
		if platform == srcKeybase {
			maxLen = 16
		}
		if platform == "twitter" {
			maxLen = 15
		}
	case srcReddit, srcHackerNews:
		maxLen = 20
		if platform == srcHackerNews {
			maxLen = 15
		}
		return clean(u, func(r rune) bool { return allowed(r) || r == '_' || r == '-' }, '_', maxLen)
	case srcGitLab:
		return clean(u, func(r rune) bool { return allowed(r) || r == '_' || r == '-' || r == '.' }, '_', maxLen)
	case srcGravatar:
		return clean(u, allowed, 0, maxLen)
	}
	return clean(u, allowed, sep, maxLen)
}

func clean(u string, ok func(rune) bool, sep byte, maxLen int) string {
	var b strings.Builder
	for _, r := range u {
		switch {
		case ok(r):
			b.WriteRune(r)
		case sep != 0 && (r == '.' || r == '_' || r == '-'):
			if s := b.String(); s != "" && s[len(s)-1] != sep {
				b.WriteByte(sep)
			}
		}
	}
	s := b.String()
	if len(s) > maxLen {
		s = s[:maxLen]
	}
	s = strings.Trim(s, "-_.")
	if len(s) < 3 {
		return ""
	}
	return s
}

// validUsername reports whether u is a valid username on platform as is.
func validUsername(platform, u string) bool {
	return u != "" && sanitize(platform, u) == strings.ToLower(u)
}

// claim reserves the first free candidate username on platform (adding
// digits if all are taken) and returns it.
func (g *gen) claim(platform string, candidates []string) string {
	for _, c := range candidates {
		u := sanitize(platform, c)
		if u != "" && !g.w.taken(platform, handleOf(platform, u)) {
			return u
		}
	}
	base := sanitize(platform, candidates[0])
	if base == "" {
		base = "user"
	}
	// Leave room for the digits on platforms with short usernames, and
	// use more of them the longer it takes.
	maxLen := len(sanitize(platform, strings.Repeat("a", 64)))
	for tries := 0; ; tries++ {
		digits := strconv.Itoa(g.rng.IntN(9000) + 10)
		if tries > 50 {
			digits += strconv.Itoa(g.rng.IntN(1000))
		}
		b := base[:min(len(base), maxLen-len(digits))]
		u := sanitize(platform, b+digits)
		if u != "" && !g.w.taken(platform, handleOf(platform, u)) {
			return u
		}
	}
}

// handleOf is the key an account is stored under: the full handle on bluesky.
func handleOf(platform, u string) string {
	if platform == srcBluesky && !strings.Contains(u, ".") {
		return u + ".bsky.social"
	}
	return u
}

func (g *gen) register(a *account) {
	key := strings.ToLower(a.username)
	g.w.accounts[a.source][key] = a
	if k := platformIndex(a.source); k >= 0 && g.w.bg.byUser != nil {
		g.w.bg.byUser[k][hash64(key)] = heldByPopulation
	}
	g.w.setPhoto(a)
	switch a.source {
	case srcGitHub:
		g.w.ghByID[a.id] = a
	case srcGitLab:
		g.w.gitlabByID[a.id] = a
	case srcBluesky:
		g.w.bskyByDID[a.did] = a
	}
}

func (g *gen) ghID(created time.Time) int64 {
	base := int64(created.Sub(date(2008, 1, 1)).Hours()*11) + 1
	return g.uniqueID(srcGitHub, max(base, 1))
}

func (g *gen) uniqueID(space string, base int64) int64 {
	id := base
	for {
		k := space + ":" + strconv.FormatInt(id, 10)
		if _, ok := g.ids[k]; !ok {
			g.ids[k] = id
			return id
		}
		id += 1 + g.rng.Int64N(7)
	}
}

// --- people ---

// personGen carries one person's draws while their accounts are built.
type personGen struct {
	idx       int
	p         *Person
	z         float64
	id        ident // the name on the email and accounts
	ctry      country
	lang      string
	interests []string
	handle    string
	local     string
	domain    string
	co        *company
	website   string // personal site URL
	twitter   string
	yy        int
	young     bool
	bilingual bool // also writes in English
	jobTitle  string
	accounts  []*account
}

func (g *gen) person(i int) {
	z := g.rng.NormFloat64()
	c := g.pickCountry()
	culture := c.culture
	if g.chance(0.1) {
		culture = pick(g, g.culNames)
	}
	claimed := g.name(culture)
	pg := &personGen{idx: i, z: z, id: claimed, ctry: c, yy: 60 + g.rng.IntN(45)}
	pg.lang = c.lang
	if pg.lang != "de" && pg.lang != "fr" && pg.lang != "es" {
		pg.lang = "en"
	}
	if pg.lang != "en" && g.chance(0.15) {
		pg.lang = "en"
	}
	pg.bilingual = pg.lang != "en" && g.chance(0.35)
	if g.chance(sigmoid(-4.5 + 2.0*z)) {
		pg.id = g.name(pick(g, g.culNames)) // the email and accounts carry another name
	}
	pg.interests = g.interests()
	p := &Person{Name: claimed.full(), Country: c.code, City: pick(g, c.cities), Language: pg.lang, Risk: z,
		Truth: Truth{Accounts: []AccountRef{}}}
	p.Truth.Risky = z > riskThreshold
	p.Truth.Interests = pg.interests
	pg.p = p
	pg.jobTitle = pick(g, jobTitles()[pg.lang])

	g.email(pg)
	g.phone(pg)
	g.breachesFor(pg)
	g.footprint(pg)
	g.w.people = append(g.w.people, *p)
}

func (g *gen) interests() []string {
	k := weighted(g, []int{1, 2, 3, 4}, func(n int) float64 { return []float64{0, 30, 35, 25, 10}[n] })
	var out []string
	for len(out) < k {
		c := weighted(g, g.catIDs, func(id string) float64 {
			if slices.Contains(out, id) {
				return 0
			}
			return g.vocab[id].weight
		})
		out = append(out, c)
	}
	return out
}

func (g *gen) email(pg *personGen) {
	z := pg.z
	kind := "free"
	switch r := g.rng.Float64(); {
	case r < sigmoid(-3.77+1.9*z):
		kind = "disposable"
	case g.chance(0.02):
		kind = "typo"
	default:
		kind = weighted(g, []string{"free", "company", "personal"}, func(s string) float64 {
			return map[string]float64{"free": 50, "company": 30, "personal": 8}[s]
		})
	}
	v := g.usernameVariants(pg.id, pg.yy)
	f := fold(pg.id.first)
	var local, domain string
	switch kind {
	case "free", "typo":
		local = weighted(g, []string{v[1], v[0], v[2], v[3], v[1] + v[6][len(v[6])-2:], v[6], f + strconv.Itoa(g.rng.IntN(900)+100), g.hobbyHandle()},
			func(string) float64 { return 1 })
		if kind == "typo" {
			domain = pick(g, g.typos).domain
		} else {
			domain = weighted(g, g.free, func(p provider) float64 {
				if p.countries == nil {
					return p.weight
				}
				if slices.Contains(p.countries, pg.ctry.code) {
					return p.weight * 3
				}
				return 0
			}).domain
		}
	case "disposable":
		if g.chance(0.5) {
			local = v[0] + strconv.Itoa(g.rng.IntN(10000))
		} else {
			local = randomLetters(g, 6+g.rng.IntN(5))
		}
		domain = weighted(g, g.disp, func(p provider) float64 { return p.weight }).domain
	case "company":
		if g.chance(sigmoid(-4.0 + 2.2*z)) {
			pg.co = g.shellCompany(pg.ctry)
		} else {
			pg.co = g.pickCompany(pg)
		}
		domain = pg.co.domain
		opts := []string{v[1], v[3], f, f[:1] + "." + fold(pg.id.last)}
		local = opts[weighted(g, []int{0, 1, 2, 3}, func(i int) float64 { return []float64{50, 20, 15, 15}[i] })]
	case "personal":
		domain = g.personalDomain(pg)
		local = pick(g, []string{f, f, "hello", "me", "contact", "mail", v[1]})
	}
	email := local + "@" + domain
	for g.emails[email] {
		email = local + strconv.Itoa(g.rng.IntN(1000)) + "@" + domain
	}
	g.emails[email] = true
	pg.local, _, _ = strings.Cut(email, "@")
	pg.domain = domain
	pg.p.Email = email
	pg.p.EmailKind = kind
}

func randomLetters(g *gen, n int) string {
	const abc = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[g.rng.IntN(26+10*min(i, 1))]
	}
	return string(b)
}

// pickCompany picks an employer: with 55 % one in an industry of the
// person's interests, with 75 % one in their country (each when there is
// one). The companies are indexed by industry and country once, so a
// large population does not scan them all for every person.
func (g *gen) pickCompany(pg *personGen) *company {
	if g.compByInd == nil {
		g.compByInd, g.compByCountry = map[string][]int{}, map[string][]int{}
		for i, c := range g.companies {
			g.compByInd[c.industry] = append(g.compByInd[c.industry], i)
			g.compByCountry[c.country] = append(g.compByCountry[c.country], i)
		}
	}
	var cands []int // nil: every company
	if g.chance(0.55) {
		var m []int
		for _, it := range pg.interests {
			m = append(m, g.compByInd[it]...)
		}
		if len(m) > 0 {
			slices.Sort(m)
			cands = m
		}
	}
	if g.chance(0.75) {
		var m []int
		if cands == nil {
			m = g.compByCountry[pg.ctry.code]
		} else {
			for _, i := range cands {
				if g.companies[i].country == pg.ctry.code {
					m = append(m, i)
				}
			}
		}
		if len(m) > 0 {
			cands = m
		}
	}
	if cands == nil {
		return pick(g, g.companies)
	}
	return g.companies[pick(g, cands)]
}

func (g *gen) personalDomain(pg *personGen) string {
	base := fold(pg.id.first) + fold(pg.id.last)
	if g.chance(0.3) {
		base = fold(pg.id.first) + "-" + fold(pg.id.last)
	}
	tlds := append([]string{"com", "dev", "me", "io", "net"}, pg.ctry.tlds[0])
	name := g.uniqueDomain(base, []string{pick(g, tlds), "com", "net"})
	reg := g.yearsAgo(g.uniform(0.5, 16))
	if g.chance(sigmoid(-4.0 + 2.0*pg.z)) {
		reg = g.daysAgo(g.uniform(1, 55))
	}
	d := g.newDomain(name, "personal", reg)
	mx := weighted(g, []string{"google", "fastmail", "own", "null", "none"}, func(s string) float64 {
		w := map[string]float64{"google": 40, "fastmail": 25, "own": 15, "null": 10, "none": 10}[s]
		if (s == "none" || s == "null") && pg.z > 1 {
			w *= 3
		}
		return w
	})
	g.mailSetup(d, mx)
	g.dmarcRecord(d, 0.45)
	pg.website = "https://" + name
	return name
}

func (g *gen) phone(pg *personGen) {
	z := pg.z
	region := pg.ctry.code
	if g.chance(sigmoid(-3.0 + 1.4*z)) {
		for region == pg.ctry.code {
			region = g.pickCountry().code
		}
	}
	typ := "mobile"
	switch {
	case g.chance(sigmoid(-3.2 + 1.3*z)):
		typ = "voip"
		if !g.ph.hasVoIP(region) {
			region = pick(g, g.ph.voipRegions())
		}
	case g.chance(0.22):
		typ = "fixed_line"
	}
	for {
		n := g.ph.number(g.rng, region, typ)
		if !g.phones[n] {
			g.phones[n] = true
			pg.p.Phone = n
			break
		}
	}
	pg.p.PhoneType, pg.p.PhoneRegion = typ, region
}

// emailCreated estimates when the address was created.
func (g *gen) emailCreated(pg *personGen) time.Time {
	switch pg.p.EmailKind {
	case "disposable":
		return g.daysAgo(g.uniform(0, 3))
	case "company":
		if pg.co.shell {
			return g.daysAgo(g.uniform(0, 40))
		}
	}
	if g.chance(sigmoid(-3.5 + 1.8*pg.z)) {
		return g.daysAgo(g.uniform(1, 180))
	}
	t := g.yearsAgo(g.uniform(0.5, 22))
	if d := g.w.domains[pg.domain]; d != nil && t.Before(d.registered) {
		t = d.registered.AddDate(0, 1+g.rng.IntN(24), 0)
		if t.After(g.now) {
			t = g.daysAgo(30)
		}
	}
	for _, p := range g.free {
		if p.domain == pg.domain && t.Year() < p.launched {
			t = time.Date(p.launched, time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
		}
	}
	return t
}

func (g *gen) breachesFor(pg *personGen) {
	created := g.emailCreated(pg)
	if pg.p.EmailKind == "disposable" || pg.p.EmailKind == "typo" {
		return
	}
	var list []breachInfo
	for _, b := range breachCatalogue() {
		if b.date.After(created) && g.chance(b.weight*1.3) {
			list = append(list, b)
		}
	}
	if len(list) > 0 {
		g.w.breaches[strings.ToLower(pg.p.Email)] = list
	}
	pg.p.Breaches = len(list)
}
