package cache

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/footprint-oss/footprint/cache/keyed"
	"github.com/footprint-oss/footprint/enrichers"
)

// formatVersion is the first byte of every stored entry. Entries of any
// other version are ignored (treated as misses) and overwritten. Version 1
// held JSON bodies; 2 holds the binary body of codec.go.
const formatVersion byte = 2

const headerLen = 1 + 1 + 8 + 8 + 8

// Header flags.
const (
	flagNotFound byte = 1 << 0
	flagJSON     byte = 1 << 1 // body is JSON: the codec cannot express Finding
)

// entry is one source's finding for one identifier.
type entry struct {
	FetchedAt  time.Time
	ExpiresAt  time.Time // fresh until
	StaleUntil time.Time // usable as stale until
	Finding    *enrichers.Finding
}

// encode: version | flags | fetched_at | expires_at | stale_until (unix
// nanoseconds, big-endian) | finding (codec.go, or JSON with flagJSON).
func (e *entry) encode() ([]byte, error) {
	b := make([]byte, headerLen, headerLen+256)
	b[0] = formatVersion
	if e.Finding.NotFound {
		b[1] |= flagNotFound
	}
	binary.BigEndian.PutUint64(b[2:], uint64(e.FetchedAt.UnixNano()))
	binary.BigEndian.PutUint64(b[10:], uint64(e.ExpiresAt.UnixNano()))
	binary.BigEndian.PutUint64(b[18:], uint64(e.StaleUntil.UnixNano()))
	if findingPlan != nil {
		return appendFinding(b, e.Finding), nil
	}
	body, err := json.Marshal(e.Finding)
	if err != nil {
		return nil, err
	}
	b[1] |= flagJSON
	return append(b, body...), nil
}

var errCorrupt = errors.New("cache: corrupt or foreign entry")

// decode reads an entry; anything it cannot vouch for — another version,
// another shape of Finding, truncated or inconsistent bytes — is
// errCorrupt, which readers treat as a miss.
func decode(b []byte) (*entry, error) {
	if len(b) < headerLen+2 || b[0] != formatVersion || b[1]&^(flagNotFound|flagJSON) != 0 {
		return nil, errCorrupt
	}
	e := &entry{
		FetchedAt:  time.Unix(0, int64(binary.BigEndian.Uint64(b[2:]))),
		ExpiresAt:  time.Unix(0, int64(binary.BigEndian.Uint64(b[10:]))),
		StaleUntil: time.Unix(0, int64(binary.BigEndian.Uint64(b[18:]))),
	}
	if e.ExpiresAt.Before(e.FetchedAt) || e.StaleUntil.Before(e.ExpiresAt) {
		return nil, errCorrupt
	}
	body := b[headerLen:]
	var f *enrichers.Finding
	if b[1]&flagJSON != 0 {
		f = new(enrichers.Finding)
		if err := json.Unmarshal(body, f); err != nil {
			return nil, errCorrupt
		}
	} else {
		var err error
		if f, err = decodeFinding(body); err != nil {
			return nil, errCorrupt
		}
	}
	if f.NotFound != (b[1]&flagNotFound != 0) {
		return nil, errCorrupt
	}
	e.Finding = f
	return e, nil
}

// keyer derives cache keys: a keyed hash, so no raw email, phone or
// username ever appears in a key, and keys of different deployments (or
// secrets) never collide.
type keyer struct {
	hash keyed.Hash
}

func newKeyer(secret []byte) keyer {
	return keyer{hash: keyed.New(secret)}
}

// keyPrefix starts every key; its version changes with the key derivation.
const keyPrefix = "fp:v2:"

// Key returns the cache key of a source's entry for an identifier. The
// source version is part of it: bumping it retires every old entry. So is
// the identifier's provenance (Method, Platform): sources stamp it on what
// they find (an account's Method, the verified-link checks), so a finding
// fetched for a guessed username must never be served for a verified link
// to the same name, nor the other way round.
func (k keyer) Key(d enrichers.Description, id enrichers.Identifier) string {
	var in [256]byte // NUL-separated fields; on the stack unless huge
	msg := append(append(in[:0], d.Name...), 0)
	msg = append(strconv.AppendInt(msg, int64(d.Version), 10), 0)
	for _, part := range [...]string{string(id.Kind), id.Value, string(id.Method), id.Platform} {
		msg = append(append(msg, part...), 0)
	}
	sum := k.hash.Sum(msg)
	var out [len(keyPrefix) + 43]byte
	copy(out[:], keyPrefix)
	base64.RawURLEncoding.Encode(out[len(keyPrefix):], sum[:])
	return string(out[:])
}
