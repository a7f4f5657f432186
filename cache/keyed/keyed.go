// Package keyed computes the keyed hashes (HMAC-SHA256) that stand in for
// raw identifiers wherever footprint needs a key: cache entries, the
// engine's memo. HMAC states are pooled, since a key is computed for every
// source of every request.
package keyed

import (
	"crypto/hmac"
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
