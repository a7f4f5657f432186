package enrichers

import "time"

// Finding is what one source learned about one identifier. Exactly the
// blocks the source knows about are set; scoring reads them as evidence.
type Finding struct {
	// NotFound is set when the source positively answered "no such
	// account/record". Never for a 429, a bot wall or an error.
	NotFound bool `json:"not_found,omitempty"`

	Email   *EmailFacts   `json:"email,omitempty"`
	Phone   *PhoneFacts   `json:"phone,omitempty"`
	DNS     *DNSFacts     `json:"dns,omitempty"`
	Domain  *DomainFacts  `json:"domain,omitempty"`
	Company *CompanyFacts `json:"company,omitempty"`
	Breach  *BreachFacts  `json:"breach,omitempty"`
	// Image is what the avatar source read of a profile photo.
	Image *ImageFacts `json:"image,omitempty"`

	// Accounts are public profiles the source found.
	Accounts []Account `json:"accounts,omitempty"`
	// Identifiers are new things to look up in a later round (usernames
	// linked from a profile, a domain).
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// Simulated marks evidence served by the simulated web.
	Simulated bool `json:"simulated,omitempty"`
}

// EmailFacts is offline intelligence about an email address.
type EmailFacts struct {
	Valid          bool   `json:"valid"`
	Reason         string `json:"reason,omitempty"`
	Domain         string `json:"domain"`
	FreeProvider   bool   `json:"free_provider"`
	Disposable     bool   `json:"disposable"`
	RoleAccount    bool   `json:"role_account"`
	TypoSuggestion string `json:"typo_suggestion,omitempty"`
}

// PhoneFacts is offline intelligence about a phone number.
type PhoneFacts struct {
	Valid         bool     `json:"valid"`
	Possible      bool     `json:"possible"`
	E164          string   `json:"e164"`
	National      string   `json:"national"`
	International string   `json:"international"`
	Country       string   `json:"country,omitempty"`
	CountryCode   int      `json:"country_code"`
	Location      string   `json:"location,omitempty"`
	Carrier       string   `json:"carrier,omitempty"`
	LineType      string   `json:"line_type"`
	TimeZones     []string `json:"time_zones,omitempty"`
}

// DNSFacts describes the mail setup of a domain.
type DNSFacts struct {
	MX     []string `json:"mx"`
	NullMX bool     `json:"null_mx"`
	// HasMX is true when the domain accepts mail (MX, or an A/AAAA fallback).
	HasMX bool   `json:"has_mx"`
	SPF   string `json:"spf,omitempty"`
	DMARC string `json:"dmarc,omitempty"`
	// DMARCPolicy is the p= tag of the DMARC record (none, quarantine, reject).
	DMARCPolicy string `json:"dmarc_policy,omitempty"`
}

// DomainFacts is registration data for a domain (RDAP).
type DomainFacts struct {
	Registered *time.Time `json:"registered,omitempty"`
	Expires    *time.Time `json:"expires,omitempty"`
	Registrar  string     `json:"registrar,omitempty"`
	// AgeDays is the domain age at lookup time.
	AgeDays int `json:"age_days"`
}

// CompanyFacts is what a company's own website says about it.
type CompanyFacts struct {
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Language    string   `json:"language,omitempty"`
	Industry    string   `json:"industry,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	SocialLinks []string `json:"social_links,omitempty"`
	URL         string   `json:"url,omitempty"`
	// Parked is set when the site is a parked or for-sale page.
	Parked bool `json:"parked,omitempty"`
}

// ImageFacts is a profile photo reduced to what identity resolution
// compares: a 64-bit perceptual hash (never the image itself).
type ImageFacts struct {
	// Hash is the photo's difference hash (dHash): luminance averaged
	// over a 9×8 grid, one bit per horizontally adjacent pair (left
	// darker than right). Renditions of one photo (resized, re-encoded,
	// slightly cropped or brightened) differ in a few bits; different
	// photos in about half of the 64.
	Hash uint64 `json:"hash"`
	// Mirrored is the hash of the photo's mirror image: a mirrored upload
	// of one photo matches the other's Hash.
	Mirrored uint64 `json:"mirrored"`
	// Graphic marks a flat graphic rather than a photo (nearly all of it
	// in two colours: an identicon, a letter avatar, a platform default
	// served at an account's own URL): it says nothing about who holds
	// the account.
	Graphic bool `json:"graphic,omitempty"`
	Width   int  `json:"width"`
	Height  int  `json:"height"`
}

// BreachFacts summarizes breach history (keyed sources only).
type BreachFacts struct {
	Count       int        `json:"count"`
	FirstBreach *time.Time `json:"first_breach,omitempty"`
	Names       []string   `json:"names,omitempty"`
}

// Account is one public profile on one platform.
type Account struct {
	Source      string     `json:"source"`
	Username    string     `json:"username"`
	URL         string     `json:"url,omitempty"`
	DisplayName string     `json:"display_name,omitempty"`
	Bio         string     `json:"bio,omitempty"`
	Location    string     `json:"location,omitempty"`
	Company     string     `json:"company,omitempty"`
	JobTitle    string     `json:"job_title,omitempty"`
	Website     string     `json:"website,omitempty"`
	Avatar      string     `json:"avatar,omitempty"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
	// Reach figures; nil when the platform does not expose them.
	Followers *int64 `json:"followers,omitempty"`
	Following *int64 `json:"following,omitempty"`
	Karma     *int64 `json:"karma,omitempty"`
	Stars     *int64 `json:"stars,omitempty"`
	Repos     *int64 `json:"repos,omitempty"`
	// Links are URLs the profile links to (other profiles, a homepage).
	Links []string `json:"links,omitempty"`
	// Tags are interest signals: repo languages and topics, catalogue tags.
	Tags []string `json:"tags,omitempty"`
	// Method is how the account was found (MethodEmailSearch,
	// LinkedFrom(x), MethodUsernameGuess...); Verified is true when the
	// platform itself links the account to the subject's email (e.g. a
	// verified Gravatar account).
	Method   Method `json:"method"`
	Verified bool   `json:"verified,omitempty"`
	// Via is the identifier the account was found from.
	Via Identifier `json:"-"`
	// Photo is the hash of the profile photo at Avatar, when the avatar
	// source read it (set by the pipeline before identity resolution;
	// nil: no photo, a platform default, or not fetched). Not part of
	// the response.
	Photo *ImageFacts `json:"-"`
	// Match is filled in by identity resolution.
	Match *Match `json:"match,omitempty"`
}

// Match is how sure footprint is that an account belongs to the subject.
type Match struct {
	Probability float64 `json:"probability"`
	// Method is the discovery method the probability was computed for.
	Method   Method   `json:"method"`
	Evidence []string `json:"evidence"`
}

// Image returns the identifier of the account's profile photo for the
// avatar source, and whether it shows one. Its prior is the prior of what
// the account was found through (via), so the likeliest accounts' photos
// are fetched first.
func (a Account) Image(via Identifier) (Identifier, bool) {
	if a.Avatar == "" {
		return Identifier{}, false
	}
	return Identifier{Kind: KindImage, Value: a.Avatar, Method: MethodAvatar, Prior: via.EffectivePrior()}, true
}

// Int64 returns a pointer to v, for optional reach figures.
func Int64(v int64) *int64 { return &v }
