package cache

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash"
	"strconv"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// formatVersion is the first byte of every stored entry. Entries of any
// other version are ignored (treated as misses) and overwritten.
const formatVersion byte = 1

const headerLen = 1 + 1 + 8 + 8 + 8

// notFoundJSON is how a bare not-found finding encodes.
const notFoundJSON = `{"not_found":true}`

// entry is one source's finding for one identifier.
type entry struct {
	FetchedAt  time.Time
	ExpiresAt  time.Time // fresh until
	StaleUntil time.Time // usable as stale until
	Finding    *enrichers.Finding
}

// encode: version | flags | fetched_at | expires_at | stale_until (unix
// nanoseconds, big-endian) | finding as JSON.
func (e *entry) encode() ([]byte, error) {
	body, err := json.Marshal(e.Finding)
	if err != nil {
		return nil, err
	}
	b := make([]byte, headerLen, headerLen+len(body))
	b[0] = formatVersion
	if e.Finding.NotFound {
		b[1] = 1
	}
	binary.BigEndian.PutUint64(b[2:], uint64(e.FetchedAt.UnixNano()))
	binary.BigEndian.PutUint64(b[10:], uint64(e.ExpiresAt.UnixNano()))
	binary.BigEndian.PutUint64(b[18:], uint64(e.StaleUntil.UnixNano()))
	return append(b, body...), nil
}

var errCorrupt = errors.New("cache: corrupt or foreign entry")

func decode(b []byte) (*entry, error) {
	if len(b) < headerLen+2 || b[0] != formatVersion {
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
	var f enrichers.Finding
	if body := b[headerLen:]; string(body) == notFoundJSON {
		f.NotFound = true // the common negative entry: no JSON decoding
	} else if err := json.Unmarshal(body, &f); err != nil {
		return nil, errCorrupt
	}
	if f.NotFound != (b[1]&1 == 1) {
		return nil, errCorrupt
	}
	e.Finding = &f
	return e, nil
}

// keyer derives cache keys: a keyed hash, so no raw email, phone or
// username ever appears in a key, and keys of different deployments (or
// secrets) never collide. HMAC states are pooled: keys are computed for
// every source of every request.
type keyer struct {
	secret []byte
	pool   *sync.Pool
}

func newKeyer(secret []byte) keyer {
	return keyer{secret: secret, pool: &sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

// Key returns the cache key of a source's entry for an identifier. The
// source version is part of it: bumping it retires every old entry.
func (k keyer) Key(d enrichers.Description, id enrichers.Identifier) string {
	m := k.pool.Get().(hash.Hash)
	defer k.pool.Put(m)
	m.Reset()
	m.Write([]byte(d.Name))
	m.Write([]byte{0})
	m.Write([]byte(strconv.Itoa(d.Version)))
	m.Write([]byte{0})
	m.Write([]byte(id.Kind))
	m.Write([]byte{0})
	m.Write([]byte(id.Value))
	return "fp:v1:" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
