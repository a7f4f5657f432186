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
	pool *sync.Pool // of *state
}

// state is one pooled HMAC state with room for a message and a sum, so
// that neither escapes to the heap on each call.
type state struct {
	mac hash.Hash
	msg []byte
	out [sha256.Size]byte
}

// New returns the keyed hash under secret (which it keeps; do not modify).
func New(secret []byte) Hash {
	return Hash{pool: &sync.Pool{New: func() any { return &state{mac: hmac.New(sha256.New, secret)} }}}
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
	st := h.pool.Get().(*state)
	st.mac.Reset()
	st.mac.Write(msg)
	out := st.sum()
	h.pool.Put(st)
	return out
}

// SumStrings returns the HMAC of the concatenation of parts (Sum of the
// parts joined), copied into the pooled state's buffer rather than a new
// one.
func (h Hash) SumStrings(parts ...string) [sha256.Size]byte {
	st := h.pool.Get().(*state)
	st.msg = st.msg[:0]
	for _, p := range parts {
		st.msg = append(st.msg, p...)
	}
	st.mac.Reset()
	st.mac.Write(st.msg)
	out := st.sum()
	if cap(st.msg) > 4096 { // do not keep an outsized message's buffer
		st.msg = nil
	}
	h.pool.Put(st)
	return out
}

func (st *state) sum() [sha256.Size]byte {
	st.mac.Sum(st.out[:0])
	return st.out
}
