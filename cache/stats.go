package cache

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// stats counts cache events per tier ("l1", "l2", "all") and source.
type stats struct {
	mu sync.Mutex
	m  map[[3]string]int64
}

func newStats() *stats { return &stats{m: map[[3]string]int64{}} }

func (s *stats) add(tier, source, event string) {
	s.mu.Lock()
	s.m[[3]string{tier, source, event}]++
	s.mu.Unlock()
}

// Counter is one cache counter.
type Counter struct {
	Tier   string `json:"tier"`
	Source string `json:"source"`
	Event  string `json:"event"`
	Value  int64  `json:"value"`
}

// Stats returns every counter (hits, misses, stale_hits, too_old, sets,
// evictions, corrupt, errors, shared_fetches (another replica's fetch, via
// Redis), merged (an identical in-flight fetch of this process),
// refreshes_queued/dropped) by tier and source, ready to export as metrics
// (internal/app/metrics).
func (c *Cache) Stats() []Counter {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	out := make([]Counter, 0, len(c.stats.m))
	for k, v := range c.stats.m {
		out = append(out, Counter{Tier: k[0], Source: k[1], Event: k[2], Value: v})
	}
	return out
}

// Size reports the in-process tier's entries and the bytes it holds
// (bigcache's allocated shards).
func (c *Cache) Size() (entries, bytes int) {
	return c.l1.Len(), c.l1.Capacity()
}

// Count returns one counter's value.
func (c *Cache) Count(tier, source, event string) int64 {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	return c.stats.m[[3]string{tier, source, event}]
}

// LoadOrCreateSecret returns the cache key secret kept in dataDir,
// generating 32 random bytes (file mode 0600) the first time.
func LoadOrCreateSecret(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, "cache.key")
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) < 16 {
			return nil, fmt.Errorf("cache: %s is shorter than 16 bytes", path)
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cache: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateSecret(dataDir) // another process won the race
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("cache: %w", err)
	}
	return b, f.Close()
}
