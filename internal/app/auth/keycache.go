package auth

import (
	"sync"
	"time"
)

// keyCache remembers keys read from a store for at most ttl, so a change
// made elsewhere (a revocation on another replica, the CLI) is seen within
// ttl. It holds at most max entries and starts over when full.
type keyCache struct {
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[string]keyCached
}

type keyCached struct {
	k  *Key
	at time.Time
}

func newKeyCache(ttl time.Duration, max int) *keyCache {
	return &keyCache{ttl: ttl, max: max, m: map[string]keyCached{}}
}

// get returns the key remembered under name if it is fresh at now.
func (c *keyCache) get(name string, now time.Time) (*Key, bool) {
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.k, true
}

// stale returns the key remembered under name if it was read less than
// maxAge before now, however stale: what a store outage may fall back on.
func (c *keyCache) stale(name string, now time.Time, maxAge time.Duration) (*Key, bool) {
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if !ok || now.Sub(e.at) >= maxAge {
		return nil, false
	}
	return e.k, true
}

func (c *keyCache) put(name string, k *Key, now time.Time) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[name] = keyCached{k: k, at: now}
	c.mu.Unlock()
}

func (c *keyCache) forget(name string) {
	c.mu.Lock()
	delete(c.m, name)
	c.mu.Unlock()
}

func (c *keyCache) clear() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
