package sim

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Person is one member of the synthetic population: what a client would
// send (email, phone, name, country) and the ground truth the simulated web
// was generated from. The JSON form is what GET /_sim/people lists.
type Person struct {
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Truth   Truth  `json:"truth"`

	// Detail for calibration code that runs in-process; not listed by
	// /_sim/people.

	City string `json:"-"`
	// Language is the language the person writes bios in (en, de, fr, es).
	Language string `json:"-"`
	// EmailKind is free, company, personal, disposable or typo.
	EmailKind string `json:"-"`
	// PhoneType is mobile, fixed_line or voip; PhoneRegion the number's
	// region (differs from Country for some).
	PhoneType   string `json:"-"`
	PhoneRegion string `json:"-"`
	// Breaches is how many breaches hibp lists the email in.
	Breaches int `json:"-"`
	// Risk is the latent risk variable (standard normal); Truth.Risky is
	// Risk > riskThreshold.
	Risk float64 `json:"-"`
}

// Truth is what a perfect enrichment would find.
type Truth struct {
	// Accounts are the person's own accounts on the network sources. The
	// bluesky username is the full handle ("jdoe.bsky.social"); gravatar's
	// is the profile slug.
	Accounts []AccountRef `json:"accounts"`
	// Interests are scoring.Taxonomy ids.
	Interests []string `json:"interests"`
	// Influencer is true when Followers >= InfluencerFollowers.
	Influencer bool `json:"influencer"`
	Risky      bool `json:"risky"`
	// Followers is the total of followers over the person's own accounts
	// (github, gitlab, mastodon, bluesky).
	Followers int64 `json:"followers"`
}

// AccountRef names one account.
type AccountRef struct {
	Source   string `json:"source"`
	Username string `json:"username"`
}

// InfluencerFollowers is the follower total from which a person counts as
// an influencer.
const InfluencerFollowers = 10000

// riskThreshold puts about 10 % of the population above it.
const riskThreshold = 1.2816

// owner values of accounts that belong to nobody in the population.
const (
	ownerStranger = -1
	ownerOrg      = -2
)

// Source names, exactly as the footprint registry spells them.
const (
	srcDNS        = "dns"
	srcRDAP       = "rdap"
	srcWebsite    = "website"
	srcGravatar   = "gravatar"
	srcGitHub     = "github"
	srcKeybase    = "keybase"
	srcMastodon   = "mastodon"
	srcBluesky    = "bluesky"
	srcHackerNews = "hackernews"
	srcReddit     = "reddit"
	srcGitLab     = "gitlab"
	srcDevTo      = "devto"
	srcHIBP       = "hibp"
)

// Sources lists every source the simulated web serves, in a fixed order;
// "avatars" is every platform's image CDN (avatar_serve.go).
func Sources() []string {
	return []string{srcDNS, srcRDAP, srcWebsite, srcGravatar, srcGitHub, srcKeybase, srcMastodon,
		srcBluesky, srcHackerNews, srcReddit, srcGitLab, srcDevTo, srcHIBP, srcAvatars}
}

// usernamePlatforms are the sources looked up by username, in generation order.
func usernamePlatforms() []string {
	return []string{srcGitHub, srcGitLab, srcDevTo, srcHackerNews, srcKeybase, srcReddit, srcMastodon, srcBluesky}
}

// account is one profile on one platform.
type account struct {
	source   string
	username string // as the platform spells it; lookups are by lower case
	owner    int    // index into people, or ownerStranger / ownerOrg
	id       int64
	created  time.Time
	name     string
	bio      string
	location string
	company  string
	jobTitle string
	email    string // public email (github, gitlab)
	twitter  string
	lang     string
	hashtags []string

	followers, following, posts    int64
	karma, linkKarma, commentKarma int64

	links     []profileLink
	repos     []repo
	suspended bool
	org       bool
	did       string // bluesky

	// The avatar (avatar.go): what it shows, and the token its URL
	// carries; serial is the account's index in world.stored.
	photoKind photoKind
	photo     uint64
	avatarTok uint64
	serial    uint32
}

// profileLink is a link from a profile to another of the owner's accounts
// or their website.
type profileLink struct {
	service  string // a source name, "twitter" or "website"
	username string
	url      string
	verified bool
}

type repo struct {
	name, description, language string
	topics                      []string
	stars, forks                int64
	fork                        bool
	created, pushed             time.Time
}

// domainInfo is everything DNS, RDAP and the website source see of a domain.
type domainInfo struct {
	name       string
	kind       string // free, disposable, typo, company, shell, personal
	registered time.Time
	updated    time.Time
	expires    time.Time
	registrar  registrar
	mx         []mxRecord
	nullMX     bool
	spf, dmarc string
	txt        []string
	ip         [4]byte
	site       *website
}

// website is the home page of a domain.
type website struct {
	kind        string // company, personal, parked, placeholder
	title       string
	siteName    string
	description string
	keywords    []string
	htmlLang    string
	socials     []string
	orgName     string
	founded     string
	country     string
	industry    string
	personName  string
	jobTitle    string
	body        []string // paragraphs
}

type company struct {
	name, domain, country, lang, htmlLang, industry string
	shell                                           bool
	ghOrg                                           string
}

// world is the generated population and every index the servers need.
// It is immutable after New.
type world struct {
	now        time.Time
	people     []Person
	accounts   map[string]map[string]*account // source → lower(username) → account
	gravatar   map[string]*account            // sha256 / md5 of the email, or slug → account
	ghByEmail  map[string]*account
	gitlabByID map[int64]*account
	ghByID     map[int64]*account // stored GitHub accounts (avatars)
	stored     []*account         // stored accounts with an avatar slot, by serial
	bskyByDID  map[string]*account
	domains    map[string]*domainInfo
	hosts      map[string][4]byte // extra A records (MX targets, www.)
	breaches   map[string][]breachInfo
	collisions int
	strangers  int
	index      searchIndex // name search (search.go)
	bg         strangers   // the background (strangers.go)
	base       gen         // static tables, for deriving strangers
	catCum     []float64   // cumulative category weights, in catIDs order
}

// lookup returns the account username names on source: the population's
// (and the strangers colliding with it, stored whole), else a background
// stranger's, derived on demand.
func (w *world) lookup(source, username string) *account {
	key := strings.ToLower(username)
	if a := w.accounts[source][key]; a != nil {
		return a
	}
	if i, ok := w.strangerHolds(source, key); ok {
		return w.strangerAccount(i, platformIndex(source))
	}
	return nil
}

// gen holds the generator's state; it lives only during New.
type gen struct {
	rng       *rand.Rand
	now       time.Time
	w         *world
	countries []country
	cultures  map[string]*nameTable
	culNames  []string
	vocab     map[string]topicVocab
	catIDs    []string // sorted category ids
	free      []provider
	disp      []provider
	typos     []typoDomain
	regs      []registrar
	companies []*company
	// compByInd and compByCountry index companies (by position).
	compByInd, compByCountry map[string][]int
	cores                    []strangerCore // derived, not yet claimed
	emails                   map[string]bool
	phones                   map[string]bool
	ph                       *phoneGen
	ids                      map[string]int64
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// generate builds the population of n people and a background of k
// strangers per person. Strangers and people claim usernames in turns (k
// strangers, then one person), so the population meets a platform already
// crowded the way a newcomer does.
func generate(seed int64, n, k int, now time.Time) *world {
	g := &gen{
		rng:       rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		now:       now,
		countries: countries(),
		cultures:  nameTables(),
		vocab:     vocabulary(),
		free:      freeProviders(),
		disp:      disposableProviders(),
		typos:     typoDomains(),
		regs:      registrars(),
		emails:    map[string]bool{},
		phones:    map[string]bool{},
		ph:        newPhoneGen(),
		ids:       map[string]int64{},
	}
	for k := range g.cultures {
		g.culNames = append(g.culNames, k)
	}
	slices.Sort(g.culNames)
	for k := range g.vocab {
		g.catIDs = append(g.catIDs, k)
	}
	slices.Sort(g.catIDs)
	g.w = &world{
		now:        now,
		accounts:   map[string]map[string]*account{},
		gravatar:   map[string]*account{},
		ghByEmail:  map[string]*account{},
		gitlabByID: map[int64]*account{},
		ghByID:     map[int64]*account{},
		bskyByDID:  map[string]*account{},
		domains:    map[string]*domainInfo{},
		hosts:      map[string][4]byte{},
		breaches:   map[string][]breachInfo{},
	}
	for _, s := range append(usernamePlatforms(), srcGravatar) {
		g.w.accounts[s] = map[string]*account{}
	}
	total := 0.0
	for _, id := range g.catIDs {
		total += g.vocab[id].weight
		g.w.catCum = append(g.w.catCum, total)
	}
	g.w.base = gen{now: now, countries: g.countries, cultures: g.cultures, culNames: g.culNames, vocab: g.vocab, catIDs: g.catIDs, w: g.w}
	g.w.bg = newStrangers(uint64(seed), n*k)
	g.providerDomains()
	g.makeCompanies(max(12, n/8))
	cores := g.w.strangerCores(n * k)
	for i := range n {
		g.addStrangers(k, cores)
		g.person(i)
	}
	g.w.bg.sortSearch()
	g.strangers()
	g.w.index = buildSearchIndex(g.w)
	return g.w
}

// --- small random helpers ---

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) uniform(a, b float64) float64 { return a + (b-a)*g.rng.Float64() }

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func weighted[T any](g *gen, xs []T, w func(T) float64) T {
	total := 0.0
	for _, x := range xs {
		total += w(x)
	}
	r := g.rng.Float64() * total
	for _, x := range xs {
		r -= w(x)
		if r < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

func (g *gen) daysAgo(d float64) time.Time {
	t := g.now.Add(-time.Duration(d * 24 * float64(time.Hour)))
	return t.Add(-time.Duration(g.rng.IntN(86400)) * time.Second).Truncate(time.Second)
}

func (g *gen) yearsAgo(y float64) time.Time { return g.daysAgo(y * 365.25) }

// pareto draws a Pareto(xm, alpha) value.
func (g *gen) pareto(xm, alpha float64) float64 {
	u := 1 - g.rng.Float64()
	return xm / math.Pow(u, 1/alpha)
}

func (g *gen) lognormal(mu, sigma float64) float64 { return math.Exp(mu + sigma*g.rng.NormFloat64()) }

func (g *gen) ip() [4]byte {
	firsts := []byte{34, 35, 52, 104, 151, 185, 188, 213, 217, 45, 66, 93}
	return [4]byte{pick(g, firsts), byte(1 + g.rng.IntN(250)), byte(g.rng.IntN(256)), byte(1 + g.rng.IntN(250))}
}

func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func sha256Hex(s string) string {
	b := sha256.Sum256([]byte(s))
	return hex.EncodeToString(b[:])
}

func md5Hex(s string) string {
	b := md5.Sum([]byte(s))
	return hex.EncodeToString(b[:])
}

// fold lowercases s, folds accents and keeps only ASCII letters and digits.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := foldMap(r); ok {
			b.WriteString(f)
			continue
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func foldMap(r rune) (string, bool) {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return "a", true
	case 'é', 'è', 'ê', 'ë':
		return "e", true
	case 'í', 'ì', 'î', 'ï':
		return "i", true
	case 'ó', 'ò', 'ô', 'ö', 'õ', 'ø':
		return "o", true
	case 'ú', 'ù', 'û', 'ü':
		return "u", true
	case 'ç':
		return "c", true
	case 'ñ':
		return "n", true
	case 'ß':
		return "ss", true
	}
	return "", false
}

// --- mail providers ---

func (g *gen) providerDomains() {
	add := func(p provider, kind string) {
		d := &domainInfo{
			name: p.domain, kind: kind, registered: p.registered, mx: p.mx, spf: p.spf, dmarc: p.dmarc,
			registrar: registrar{p.registrar, 292}, ip: g.ip(),
		}
		for _, r := range g.regs {
			if r.name == p.registrar {
				d.registrar = r
			}
		}
		d.updated = g.daysAgo(g.uniform(20, 700))
		d.expires = nextAnniversary(p.registered, g.now, 1+g.rng.IntN(5))
		g.w.domains[p.domain] = d
		for _, m := range p.mx {
			g.w.hosts[m.host] = g.ip()
		}
	}
	for _, p := range g.free {
		add(p, "free")
	}
	for _, p := range g.disp {
		add(p, "disposable")
	}
	for _, t := range g.typos {
		d := &domainInfo{name: t.domain, kind: "typo", registered: g.yearsAgo(g.uniform(4, 18)), registrar: pick(g, g.regs), ip: g.ip()}
		d.updated = g.daysAgo(g.uniform(10, 300))
		d.expires = nextAnniversary(d.registered, g.now, 1)
		d.site = &website{kind: "parked", title: t.domain, siteName: t.domain, htmlLang: "en",
			description: t.domain + " is for sale! Inquire now.", keywords: []string{t.domain, "domain for sale"}}
		g.w.domains[t.domain] = d
	}
}

// nextAnniversary returns the first anniversary of reg after now, plus extra-1 years.
func nextAnniversary(reg, now time.Time, extra int) time.Time {
	e := reg
	for !e.After(now) {
		e = e.AddDate(1, 0, 0)
	}
	return e.AddDate(extra-1, 0, 0)
}
