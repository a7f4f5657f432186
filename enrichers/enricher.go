// Package enrichers is the plugin API of footprint's sources: the Enricher
// interface every source implements (and the optional Applier, Warmer and
// Keyed), the identifiers it is asked about (Identifier, Kind, Method), the
// evidence it returns (Finding and its facts, Account) and how it fails
// (Status, SourceError).
//
// A source package imports this package (and enrichers/transport for HTTP
// and its rate limiter), never another source, the engine, the cache or
// the HTTP API. The runtime that plans, calls and folds sources is
// enrichers/engine; the list of sources footprint ships is enrichers/all.
package enrichers

import (
	"context"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers/personname"
)

// Kind is the kind of identifier a source consumes or emits.
type Kind string

// Identifier kinds.
const (
	KindEmail    Kind = "email"
	KindPhone    Kind = "phone"
	KindUsername Kind = "username"
	KindDomain   Kind = "domain"
	// KindName is a person's full name (supplied, or the display name of an
	// account matched on the email): usernames are derived from it.
	KindName Kind = "name"
	// KindImage is the URL of a found account's profile photo
	// (Account.Avatar): the engine emits one for every account that shows
	// one (Account.Image), and the avatar source hashes it.
	KindImage Kind = "image"
)

// Identifier is one thing a source can be asked about: the subject's email or
// phone, or something found along the way (a username linked from a profile,
// the email's domain).
//
// Value is always normalized (emails lowercased and IDN-encoded, phones in
// E.164, usernames as the source that found them spelled them, domains ASCII
// lowercase). Identifiers are compared by (Kind, Value).
type Identifier struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
	// Method says how the identifier was obtained: MethodInput for what
	// the client sent, LinkedFrom(source) for a link on a found profile,
	// MethodUsernameGuess or MethodNameSearch for weaker derivations.
	Method Method `json:"method"`
	// Origin is the source that emitted it ("" for the request itself).
	Origin string `json:"origin,omitempty"`
	// Platform, for a username, is the source it is known to belong to
	// (e.g. "reddit" for a reddit profile linked from a Gravatar profile);
	// "" when it is only a guess or a name reused across platforms.
	Platform string `json:"platform,omitempty"`
	// Prior is the probability that the identifier belongs to the subject,
	// before looking at what sources return for it. 1 for the input.
	Prior float64 `json:"prior"`
}

// Method says how an identifier or an account was obtained. It is part of
// the API (accounts[].method) and of every cache key of a finding (a link
// and a guess for the same username are different lookups).
type Method string

// Methods.
const (
	// MethodInput is what the client sent.
	MethodInput Method = "input"
	// MethodEmailDomain is the domain of the subject's email address.
	MethodEmailDomain Method = "email_domain"
	// MethodEmailSearch is an account a platform's search by the subject's
	// email address returned.
	MethodEmailSearch Method = "email_search"
	// MethodEmailHash is an account a platform keys by a hash of the
	// subject's email address (Gravatar).
	MethodEmailHash Method = "email_hash"
	// MethodUsernameGuess is a username guessed from the email's local
	// part or the name, or reused from an account on another platform.
	MethodUsernameGuess Method = "username_guess"
	// MethodNameSearch is a username a platform's own name search
	// returned for the subject's name (Platform is that platform).
	MethodNameSearch Method = "name_search"
	// MethodAvatar is the profile-photo URL of a found account
	// (Account.Image): one Method for every image, so the same photo
	// found on two accounts is one lookup and one cache entry.
	MethodAvatar Method = "avatar"
)

// linkedFromPrefix starts the Method of what a found profile links to.
const linkedFromPrefix = "linked_from:"

// LinkedFrom is the Method of an identifier (and of the accounts found by
// it) that a profile found by source links to: "linked_from:<source>".
func LinkedFrom(source string) Method { return Method(linkedFromPrefix + source) }

// LinkSource returns the source a LinkedFrom method names, and whether m
// is such a method.
func (m Method) LinkSource() (source string, ok bool) {
	return strings.CutPrefix(string(m), linkedFromPrefix)
}

// IsLink reports whether m is a LinkedFrom method.
func (m Method) IsLink() bool { return strings.HasPrefix(string(m), linkedFromPrefix) }

// MaxNameMatches is the most results carrying exactly a searched name that
// a name search still attributes: a name more accounts on a platform carry
// says nothing about which one is the subject's.
const MaxNameMatches = 3

// EffectivePrior is the identifier's prior, 1 when unset (the request's own
// identifiers, and tests, leave it zero).
func (id Identifier) EffectivePrior() float64 {
	if id.Prior <= 0 {
		return 1
	}
	return id.Prior
}

// SubjectDomain reports whether a domain identifier is the subject's own
// (the email's domain, or a domain the client sent), not one found on a
// profile: facts about the subject's domain are reported as the profile's,
// so domain sources look up only these.
func SubjectDomain(id Identifier) bool {
	return id.Kind == KindDomain && (id.Method == MethodEmailDomain || id.Method == MethodInput || id.Method == "")
}

// LinkedTo reports whether id is a username another source linked to an
// account on platform (not a guess): the platform's account is then the
// one the link points at.
func (id Identifier) LinkedTo(platform string) bool {
	return id.Kind == KindUsername && id.Platform == platform && id.Method.IsLink()
}

// Key returns the identity of the identifier for de-duplication. Names
// that differ only in case, accents, punctuation or word order ("Jorge
// Jiménez" supplied, "jimenez jorge" on a profile) are one name: searched
// and turned into usernames once.
func (id Identifier) Key() string {
	kind, value := id.KeyParts()
	return string(kind) + ":" + value
}

// KeyParts is Key as its two parts, for callers that compare keys often
// and would rather not build a string each time: two identifiers have the
// same KeyParts exactly when they have the same Key (a kind holds no ':').
func (id Identifier) KeyParts() (Kind, string) {
	if id.Kind == KindName {
		if k := personname.Key(id.Value); k != "" {
			return KindName, k
		}
	}
	return id.Kind, id.Value
}

// BreakerSettings configures a source's circuit breaker.
type BreakerSettings struct {
	// Failures is the number of consecutive failures that opens the breaker.
	Failures uint32 `json:"failures" yaml:"failures"`
	// OpenFor is how long the breaker stays open before a half-open probe.
	OpenFor time.Duration `json:"open_for" yaml:"open_for"`
	// HalfOpenRequests is how many probes are let through when half-open.
	HalfOpenRequests uint32 `json:"half_open_requests" yaml:"half_open_requests"`
}

// Description is a source's self-description: what it is, what it needs, and
// its defaults. The registry, /v1/sources, the config loader and the cache
// all read it, so there is no second table to maintain.
type Description struct {
	Name        string
	Description string
	// Version is bumped whenever what the source returns changes meaning; it
	// is part of every cache key.
	Version int
	// Inputs lists the identifier kinds the source accepts.
	Inputs []Kind
	// Network is false for offline sources (no outbound I/O at all).
	Network bool
	// Inline marks an offline source whose call is a few microseconds of
	// CPU that never blocks (lookups in embedded data): the engine calls
	// it on the request's own goroutine, while the network sources' calls
	// run on theirs, since a goroutine of its own would cost more than the
	// work. Such a call is not abandoned when the request's budget ends
	// (it finishes first), and it gets the request's context without a
	// timer of its own (Timeout does not apply), so a source that can
	// block must not set it. Ignored for a network source.
	Inline bool
	// RatePerS and Burst are the source's default token bucket.
	RatePerS float64
	Burst    int
	// Timeout bounds one call to the source.
	Timeout time.Duration
	Breaker BreakerSettings
	// TTL is how long a positive result may be cached; NegativeTTL the same
	// for not_found.
	TTL         time.Duration
	NegativeTTL time.Duration
	// RequiresKey marks a keyed source: disabled until a key is configured.
	RequiresKey bool
	// DefaultDisabled marks a source that is off unless enabled in config.
	DefaultDisabled bool
	// MaxPerLookup, when > 0, caps the calls the engine plans for the
	// source in one lookup: the likeliest identifiers first (by Prior,
	// round by round), the rest reported skipped. A source that declares
	// SettingMaxPerLookup lets configuration change it.
	MaxPerLookup int
	// Settings are the configuration keys the source takes under
	// sources.<name> besides the ones every source has (enabled, rate_per_s,
	// burst, timeout_ms, breaker.*). Start-up rejects any other key written
	// for the source, so a setting is never silently ignored.
	Settings []Setting
}

// Setting is a configuration key only some sources take.
type Setting struct {
	// Key is the key under sources.<name>: SettingAPIKey or SettingBaseURL.
	Key string
	// Doc says what the value does for this source.
	Doc string
}

// The keys a source may declare in Description.Settings.
const (
	// SettingAPIKey is the source's API key or token.
	SettingAPIKey = "api_key"
	// SettingBaseURL overrides the base URL of the source's API.
	SettingBaseURL = "base_url"
	// SettingMaxPerLookup caps the source's calls in one lookup
	// (Description.MaxPerLookup).
	SettingMaxPerLookup = "max_per_lookup"
)

// Enricher is one source of evidence.
//
// Enrich must return promptly when ctx is done. It returns a Finding (with
// NotFound set when the source positively says there is no such
// account/record) or an error; errors that callers branch on are *SourceError.
type Enricher interface {
	Describe() Description
	Enrich(ctx context.Context, id Identifier) (*Finding, error)
}

// Applier is implemented by sources that accept only some identifiers of an
// accepted kind (for example the website source skips free-mail domains). A
// source that does not apply is reported as skipped with the reason, is
// not called, and so costs no rate-limit token.
type Applier interface {
	Applies(id Identifier) (ok bool, reason string)
}

// Warmer is implemented by sources with expensive one-time set-up (loading
// embedded lists or metadata). The composition root calls the engine's
// Warm once at start-up so the first live request does not pay for it.
type Warmer interface {
	Warm(ctx context.Context) error
}

// Keyed is implemented by sources that need an API key
// (Description.RequiresKey); HasKey reports whether one is configured.
type Keyed interface{ HasKey() bool }
