// Package subject names a looked-up person without their identifiers: a
// keyed hash of the normalized email (its provider-aware canonical form,
// so Jane.Doe+x@googlemail.com and janedoe@gmail.com are one subject) or of
// the E.164 phone number. Audit entries, suppressions and erasure receipts
// store these hashes, never the raw value.
//
// The key is derived from the deployment's cache secret, which replicas
// sharing Redis already share, so every replica computes the same hash.
package subject

import (
	"encoding/hex"

	"github.com/footprint-oss/footprint/cache/keyed"
	"github.com/footprint-oss/footprint/internal/app/normalize"
)

// Hash is a subject's keyed hash: "email:" or "phone:" and 64 hex digits.
type Hash string

// Hasher computes subject hashes. Safe for concurrent use.
type Hasher struct{ h keyed.Hash }

// NewHasher derives the subject key from secret (the cache secret): a hash
// under it never equals a cache key under the same secret.
func NewHasher(secret []byte) Hasher {
	derived := keyed.New(secret).Sum([]byte("footprint subject hash v1"))
	return Hasher{h: keyed.New(derived[:])}
}

// Email is the hash of a normalized address (its Canonical form).
func (s Hasher) Email(e normalize.Email) Hash {
	return s.sum("email", e.Canonical)
}

// Phone is the hash of a normalized number (its E.164 form).
func (s Hasher) Phone(p normalize.Phone) Hash {
	return s.sum("phone", p.E164)
}

// Of returns the hashes of whichever identifiers are given (email first).
func (s Hasher) Of(e *normalize.Email, p *normalize.Phone) []Hash {
	var out []Hash
	if e != nil {
		out = append(out, s.Email(*e))
	}
	if p != nil {
		out = append(out, s.Phone(*p))
	}
	return out
}

func (s Hasher) sum(kind, v string) Hash {
	// The message goes into the pooled HMAC state's buffer and the hash
	// is built in one: a hash is computed for every lookup.
	sum := s.h.SumStrings(kind, "\x00", v)
	var out [16 + 1 + 2*len(sum)]byte
	b := append(append(out[:0], kind...), ':')
	return Hash(hex.AppendEncode(b, sum[:]))
}

// Valid reports whether h has the form of a subject hash, for input that
// names one (a suppression id, an audit query).
func (h Hash) Valid() bool {
	var rest string
	switch {
	case len(h) == len("email:")+64 && h[:6] == "email:":
		rest = string(h[6:])
	case len(h) == len("phone:")+64 && h[:6] == "phone:":
		rest = string(h[6:])
	default:
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}
