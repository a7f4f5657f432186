// Package keyed computes the keyed hashes (HMAC-SHA256) that stand in for
// raw identifiers wherever footprint needs a key: cache entries, the
// engine's memo. HMAC states are pooled, since a key is computed for every
// source of every request.
package keyed

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"hash"
	"sync"
)

// Hash is HMAC-SHA256 under one secret. Safe for concurrent use.
type Hash struct {
	pool *sync.Pool
}

// New returns the keyed hash under secret (which it keeps; do not modify).
func New(secret []byte) Hash {
	return Hash{pool: &sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

// NewRandom returns a keyed hash under a fresh random secret: keys that
// live only as long as this process (the engine's memo, the fast path).
func NewRandom() Hash {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // never fails (crypto/rand)
	return New(k)
}

// Sum returns the HMAC of msg.
func (h Hash) Sum(msg []byte) [sha256.Size]byte {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(msg)
	var out [sha256.Size]byte
	m.Sum(out[:0])
	h.pool.Put(m)
	return out
}
