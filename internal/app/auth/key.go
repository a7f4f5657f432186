// Package auth is footprint's access layer: API keys (shown once, stored
// only as a keyed hash), their scopes, per-key rate limits and quotas with
// the standard rate-limit headers, failed-authentication limiting and
// per-key usage.
//
// A key is "fp_<env>_<26 base32 characters>" (130 random bits). Its id
// ("key_" + 16 base32 characters) is safe to log and names it everywhere
// (audit, jobs' owner, the CLI). A presented key is hashed with HMAC-SHA256
// under the key secret and looked up by that hash; the stored hash is then
// compared with hmac.Equal, so nothing depends on the secret's bytes in a
// data-dependent way.
//
// Stores: FileStore keeps keys and usage in the data folder (keys.json,
// usage.json, one flock'd lock file, so `footprint keys …` works with or
// without a running server; the server re-reads keys.json when it changes,
// checking at most every 250 ms). PGStore keeps them in PostgreSQL for
// several replicas (lookups cached for at most 1 s, so a revoked key is
// refused everywhere within a second). Counters live in Redis when
// redis_url is set (RedisCounter: every replica enforces one limit);
// otherwise in-process (MemoryCounter), seeded from the stored usage.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/cache/keyed"
)

// Scopes.
const (
	ScopeEnrich      = "enrich"       // POST /v1/enrich, /v1/enrich/batch
	ScopeJobs        = "jobs"         // the key's own jobs
	ScopeSourcesRead = "sources:read" // GET /v1/sources
	ScopeAdmin       = "admin"        // keys, every job, audit, usage of any key
)

// AllScopes lists every scope, in the order they are documented.
var AllScopes = []string{ScopeEnrich, ScopeJobs, ScopeSourcesRead, ScopeAdmin}

// DefaultScopes are a new key's scopes when none are given.
var DefaultScopes = []string{ScopeEnrich, ScopeJobs, ScopeSourcesRead}

// DefaultRatePerMin is a key's rate limit when none is given: every keyed
// response then carries rate-limit headers.
const DefaultRatePerMin = 600

// MaxRatePerMin bounds a key's rate limit.
const MaxRatePerMin = 1_000_000

// RotationGrace is how long a rotated key's previous secret keeps working.
const RotationGrace = 24 * time.Hour

// Key is an API key as stored: never its secret, only its keyed hash.
type Key struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Env    string   `json:"env"`
	Scopes []string `json:"scopes"`
	// RatePerMin is the rate limit (requests per minute; 0: DefaultRatePerMin
	// at creation). QuotaPerDay and QuotaPerMonth bound lookups per UTC day
	// and calendar month (0: unlimited).
	RatePerMin    int64 `json:"rate_per_min"`
	QuotaPerDay   int64 `json:"quota_per_day,omitempty"`
	QuotaPerMonth int64 `json:"quota_per_month,omitempty"`
	// Purpose is the key's default purpose of lookups ("" : the server's).
	Purpose    string     `json:"purpose,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Hash is the HMAC of the current secret; PrevHash that of the secret
	// before the last rotation, valid until PrevUntil.
	Hash      string     `json:"hash"`
	PrevHash  string     `json:"prev_hash,omitempty"`
	PrevUntil *time.Time `json:"prev_until,omitempty"`
	// Prefix is the secret's first characters ("fp_live_AB12"), shown in
	// listings so a person can tell keys apart; it is not secret enough to
	// guess the rest (≥ 110 bits remain).
	Prefix string `json:"prefix"`
}

// Has reports whether k carries scope (admin carries every scope).
func (k *Key) Has(scope string) bool {
	return slices.Contains(k.Scopes, scope) || slices.Contains(k.Scopes, ScopeAdmin)
}

// Active reports whether k authenticates at now.
func (k *Key) Active(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// View is a key as the API and the CLI show it (no hashes).
type View struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Prefix        string     `json:"prefix"`
	Scopes        []string   `json:"scopes"`
	RatePerMin    int64      `json:"rate_per_min"`
	QuotaPerDay   int64      `json:"quota_per_day,omitempty"`
	QuotaPerMonth int64      `json:"quota_per_month,omitempty"`
	Purpose       string     `json:"purpose,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	LastUsedAt    *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	// PreviousValidUntil is the end of a rotation's grace period.
	PreviousValidUntil *time.Time `json:"previous_valid_until,omitempty"`
	Status             string     `json:"status"`
	// Key is the secret: only in the answer that created or rotated it.
	Key string `json:"key,omitempty"`
}

// ViewOf returns k's public view at now.
func ViewOf(k *Key, now time.Time) View {
	v := View{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: slices.Clone(k.Scopes), RatePerMin: k.RatePerMin,
		QuotaPerDay: k.QuotaPerDay, QuotaPerMonth: k.QuotaPerMonth, Purpose: k.Purpose, CreatedAt: k.CreatedAt,
		LastUsedAt: k.LastUsedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, Status: "active"}
	if k.PrevUntil != nil && now.Before(*k.PrevUntil) {
		v.PreviousValidUntil = k.PrevUntil
	}
	switch {
	case k.RevokedAt != nil:
		v.Status = "revoked"
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		v.Status = "expired"
	}
	return v
}

// Hasher computes the keyed hash of a secret. Its HMAC states are pooled
// (keyed.Hash): every authenticated request hashes the key it presents.
type Hasher struct{ h keyed.Hash }

// NewHasher derives the key hash's own key from secret (auth.secret, the
// cache secret, or a secret kept in the store), so the same secret never
// keys two different things.
func NewHasher(secret []byte) Hasher {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("footprint api keys v1"))
	return Hasher{h: keyed.New(m.Sum(nil))}
}

// Hash returns the hex HMAC-SHA256 of the presented secret.
func (h Hasher) Hash(secret string) string {
	sum := h.h.SumStrings(secret)
	// Encoded on the stack: one string, where hex.EncodeToString makes a
	// buffer and a string.
	var buf [2 * sha256.Size]byte
	hex.Encode(buf[:], sum[:])
	return string(buf[:])
}

// Equal compares two hashes in constant time.
func Equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// NewSecret returns a fresh secret "fp_<env>_<26 base32 characters>":
// crypto/rand.Text, 130 bits.
func NewSecret(env string) string { return "fp_" + env + "_" + rand.Text() }

// NewID returns a fresh key id: "key_" and 16 lower-case base32 characters.
func NewID() string { return "key_" + strings.ToLower(rand.Text()[:16]) }

// prefixOf is what listings show of a secret.
func prefixOf(secret string) string {
	i := strings.LastIndexByte(secret, '_')
	if i < 0 || len(secret) < i+5 {
		return ""
	}
	return secret[:i+5]
}

// LooksLikeKey reports whether s has a key's shape (cheap check before any
// hashing; the answer to the client is the same either way).
func LooksLikeKey(s string) bool {
	if len(s) < 10 || len(s) > 128 || !strings.HasPrefix(s, "fp_") {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '_':
		default:
			return false
		}
	}
	return true
}

// CheckEnv validates a key's environment label (live, test, …).
func CheckEnv(env string) error {
	if env == "" || len(env) > 16 {
		return errors.New("env must be 1 to 16 characters")
	}
	for i := 0; i < len(env); i++ {
		if b := env[i]; (b < 'a' || b > 'z') && (b < '0' || b > '9') {
			return fmt.Errorf("env %q: only a-z and 0-9", env)
		}
	}
	return nil
}

// CheckScopes validates a scope list.
func CheckScopes(scopes []string) error {
	if len(scopes) == 0 {
		return errors.New("at least one scope is required")
	}
	for _, s := range scopes {
		if !slices.Contains(AllScopes, s) {
			return fmt.Errorf("unknown scope %q (known: %s)", s, strings.Join(AllScopes, ", "))
		}
	}
	return nil
}

// Spec is what a new key is made of.
type Spec struct {
	Name          string
	Env           string // default "live"
	Scopes        []string
	RatePerMin    int64
	QuotaPerDay   int64
	QuotaPerMonth int64
	Purpose       string
	ExpiresIn     time.Duration // 0: never
}

// Check validates s, filling defaults.
func (s *Spec) Check() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len(s.Name) > 100 {
		return errors.New("name: 1 to 100 characters are required")
	}
	if s.Env == "" {
		s.Env = "live"
	}
	if err := CheckEnv(s.Env); err != nil {
		return err
	}
	if len(s.Scopes) == 0 {
		s.Scopes = slices.Clone(DefaultScopes)
	}
	if err := CheckScopes(s.Scopes); err != nil {
		return err
	}
	slices.Sort(s.Scopes)
	s.Scopes = slices.Compact(s.Scopes)
	if s.RatePerMin < 0 || s.QuotaPerDay < 0 || s.QuotaPerMonth < 0 || s.ExpiresIn < 0 {
		return errors.New("limits and expiry must not be negative")
	}
	if s.RatePerMin == 0 {
		s.RatePerMin = DefaultRatePerMin
	}
	if s.RatePerMin > MaxRatePerMin {
		return fmt.Errorf("rate-per-min: at most %d", MaxRatePerMin)
	}
	return nil
}

// ParseExpiry reads "90d", "12h", "30m" (a Go duration or whole days).
func ParseExpiry(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != d {
			return 0, fmt.Errorf("expires-in %q: want a number of days like 90d, or a duration like 12h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("expires-in %q: want a number of days like 90d, or a duration like 12h", s)
	}
	return d, nil
}

// Store keeps keys and their usage. Implementations: FileStore (data
// folder) and PGStore (PostgreSQL).
type Store interface {
	// Create stores k (its ID must be new).
	Create(ctx context.Context, k *Key) error
	// List returns every key, oldest first.
	List(ctx context.Context) ([]*Key, error)
	// Get returns the key with id, or ErrNotFound.
	Get(ctx context.Context, id string) (*Key, error)
	// Update changes the key with id under the store's lock (fn may
	// return an error to abort), or ErrNotFound.
	Update(ctx context.Context, id string, fn func(*Key) error) (*Key, error)
	// ByHash returns the key whose current or grace-period hash is hash,
	// or ErrNotFound. It must see a revocation made anywhere within 1 s.
	ByHash(ctx context.Context, hash string) (*Key, error)
	// Count returns how many keys exist, revoked and expired ones included.
	Count(ctx context.Context) (int, error)
	// Touch records last-used times (best effort, batched by the caller).
	Touch(ctx context.Context, used map[string]time.Time) error
	// AddUsage adds usage counts; Usage reads a key's days in [from, to].
	AddUsage(ctx context.Context, deltas []UsageDelta) error
	Usage(ctx context.Context, keyID string, from, to time.Time) ([]UsageDay, error)
	// Close releases the store.
	Close() error
}

// ErrNotFound: no key with this id.
var ErrNotFound = errors.New("auth: no such key")

// UnavailableError is a key store that cannot be read right now (its
// database is down): the key can be neither accepted nor refused.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string {
	return "auth: the key store is unavailable: " + e.Err.Error()
}
func (e *UnavailableError) Unwrap() error { return e.Err }
