// Package cache is footprint's evidence cache: per-source entries (never
// whole profiles, so a scoring change applies without refetching) in two
// tiers — L1 in-process (bigcache), L2 shared (Redis, optional) — read
// through L1 → L2 → source, written to both.
//
// Guarantees: errors and partial results are never cached; not_found is
// cached for the source's shorter negative TTL; Redis failures are misses,
// never errors (guarded by a breaker and reported by Ready); concurrent
// fetches of one key share one upstream call in-process and, with Redis,
// across replicas through a short lock; past its TTL an entry may still be
// served while it is refreshed in the background (stale-while-revalidate)
// when the request's budget is tight.
//
// Keys are HMACs of (source, version, identifier with its provenance): no
// raw email, phone or username reaches L1 or Redis. Values are a versioned
// header and a compact binary Finding (codec.go) whose shape fingerprint
// turns entries of an older Finding into misses.
package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/allegro/bigcache/v3"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/singleflight"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// Config configures a Cache. Secret is required; everything else has a
// default.
type Config struct {
	// Secret keys the HMAC of every cache key (≥ 16 bytes).
	Secret []byte
	// L1SizeMB caps the in-process tier (default 256).
	L1SizeMB int
	// Redis is the shared tier; nil disables it.
	Redis redis.UniversalClient
	// StaleFor is how long past its TTL an entry may still be served while
	// it is refreshed: min(TTL/2, StaleMax) (StaleMax default 24h).
	StaleMax time.Duration
	// TightBudget: a request with less than this left is answered from
	// stale evidence instead of waiting for a refresh (default 1s).
	TightBudget time.Duration
	// RefreshWorkers and RefreshQueue bound background refreshes
	// (defaults 4 and 256; a full queue drops the refresh).
	RefreshWorkers int
	RefreshQueue   int
	// LockPoll is how often a replica that lost the fetch lock looks for
	// the winner's result (default 25ms).
	LockPoll time.Duration
	// PurgeChannel, with Redis, is the pub/sub channel purges are
	// broadcast on (see purge.go): every replica deletes the purged keys
	// from its L1 and calls its purge hook, and reads its L1 only while it
	// is subscribed. "" keeps L1 purges local (one replica).
	PurgeChannel string
	// Heartbeat is how often an idle purge subscription is pinged; two
	// missed answers count as a lost subscription (default 2s).
	Heartbeat time.Duration
	// SweepEvery is how often L1 drops entries past their stale window, so
	// no evidence outlives its TTL in memory (default 1 min; Redis expires
	// its copies itself).
	SweepEvery time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
}

// Cache implements engine.Cache.
type Cache struct {
	cfg   Config
	keys  keyer
	l1    *bigcache.BigCache
	l2    redis.UniversalClient
	l2cb  *gobreaker.CircuitBreaker[any]
	sf    singleflight.Group
	stats *stats
	now   func() time.Time
	log   *slog.Logger

	refresh   chan refreshJob
	mu        sync.Mutex
	inflight  map[string]bool
	base      context.Context // parent of background refreshes; cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once

	// subscribed: L1 may be read (always, without PurgeChannel).
	subscribed atomic.Bool
	purgeHook  atomic.Pointer[func()]
	listener   atomic.Pointer[NoticeListener]
}

var _ engine.Cache = (*Cache)(nil)

type refreshJob struct {
	key   string
	d     enrichers.Description
	since time.Time
	fetch func(context.Context) (*enrichers.Finding, error)
}

// New builds a cache and starts its background refresh workers (stopped by
// Close). It does no network I/O: Redis is dialled on first use.
func New(cfg Config) (*Cache, error) {
	if len(cfg.Secret) < 16 {
		return nil, errors.New("cache: secret must be at least 16 bytes")
	}
	if cfg.L1SizeMB <= 0 {
		cfg.L1SizeMB = 256
	}
	if cfg.StaleMax <= 0 {
		cfg.StaleMax = 24 * time.Hour
	}
	if cfg.TightBudget <= 0 {
		cfg.TightBudget = time.Second
	}
	if cfg.RefreshWorkers <= 0 {
		cfg.RefreshWorkers = 4
	}
	if cfg.RefreshQueue <= 0 {
		cfg.RefreshQueue = 256
	}
	if cfg.LockPoll <= 0 {
		cfg.LockPoll = 25 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 2 * time.Second
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Minute
	}
	if cfg.Redis == nil {
		cfg.PurgeChannel = ""
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	st := newStats()
	bc := bigcache.DefaultConfig(31 * 24 * time.Hour) // entries carry their own expiry
	bc.Shards = 64
	bc.CleanWindow = 0 // expiry is ours; bigcache only evicts when full
	bc.HardMaxCacheSize = cfg.L1SizeMB
	// Only sizes the initial allocation (shards grow on demand up to
	// HardMaxCacheSize): a small start keeps an idle or batch-only process lean.
	bc.MaxEntriesInWindow = 1 << 12
	bc.MaxEntrySize = 1024
	bc.Verbose = false
	bc.OnRemoveWithReason = func(_ string, _ []byte, r bigcache.RemoveReason) {
		if r == bigcache.NoSpace {
			st.add("l1", "*", "evictions")
		}
	}
	l1, err := bigcache.New(context.Background(), bc)
	if err != nil {
		return nil, fmt.Errorf("cache: l1: %w", err)
	}
	c := &Cache{
		cfg: cfg, keys: newKeyer(cfg.Secret), l1: l1, l2: cfg.Redis, stats: st,
		now: cfg.Now, log: cfg.Logger,
		refresh: make(chan refreshJob, cfg.RefreshQueue), inflight: map[string]bool{},
	}
	c.base, c.cancel = context.WithCancel(context.Background())
	c.l2cb = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name: "redis", Timeout: 5 * time.Second,
		ReadyToTrip: func(cn gobreaker.Counts) bool { return cn.ConsecutiveFailures >= 5 },
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, redis.Nil) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
		},
	})
	for range cfg.RefreshWorkers {
		c.wg.Add(1)
		go c.refresher()
	}
	c.wg.Add(1)
	go c.sweeper()
	if cfg.PurgeChannel != "" {
		// Dials Redis in the background; until subscribed, L1 is not read.
		c.wg.Add(1)
		go c.listen()
	} else {
		c.subscribed.Store(true)
	}
	return c, nil
}

// Close stops the refresh workers (cancelling refreshes under way) and
// releases L1.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		c.wg.Wait()
		_ = c.l1.Close()
	})
	return nil
}

// Fetch implements engine.Cache.
func (c *Cache) Fetch(ctx context.Context, d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy,
	fetch func(context.Context) (*enrichers.Finding, error)) (*enrichers.Finding, bool, time.Time, error) {
	key := c.keys.Key(d, id)
	refresh := p.Mode == engine.CacheRefresh || (p.HasMaxAge && p.MaxAge <= 0)
	// since is the oldest evidence this request accepts from another
	// replica's concurrent fetch: never what it already rejected.
	var since time.Time
	if refresh {
		since = c.now()
	} else if p.HasMaxAge {
		since = c.now().Add(-p.MaxAge)
	}
	var stale *entry
	if !refresh {
		if e := c.get(ctx, d.Name, key); e != nil {
			now := c.now()
			if !e.FetchedAt.Before(since) {
				since = e.FetchedAt.Add(time.Nanosecond)
			}
			tooOld := p.HasMaxAge && now.Sub(e.FetchedAt) > p.MaxAge
			switch {
			case tooOld:
				c.stats.add("all", d.Name, "too_old")
			case now.Before(e.ExpiresAt):
				c.stats.add("all", d.Name, "hits")
				return e.Finding, true, e.FetchedAt, nil
			case now.Before(e.StaleUntil):
				stale = e
			}
		}
	}
	if p.Mode == engine.CacheOnly {
		if stale != nil {
			// "only" never goes upstream: stale evidence is better than none.
			c.stats.add("all", d.Name, "stale_hits")
			return stale.Finding, true, stale.FetchedAt, nil
		}
		c.stats.add("all", d.Name, "misses")
		return nil, false, time.Time{}, engine.ErrCacheMiss
	}
	if stale != nil && c.tight(ctx) {
		c.stats.add("all", d.Name, "stale_hits")
		c.enqueueRefresh(key, d, since, fetch)
		return stale.Finding, true, stale.FetchedAt, nil
	}
	c.stats.add("all", d.Name, "misses")
	e, err := c.fetchShared(ctx, key, d, since, fetch)
	if err != nil {
		if stale != nil {
			// Upstream failed: stale evidence still beats nothing.
			c.stats.add("all", d.Name, "stale_hits")
			return stale.Finding, true, stale.FetchedAt, nil
		}
		return nil, false, time.Time{}, err
	}
	return e.Finding, false, e.FetchedAt, nil
}

func (c *Cache) tight(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < c.cfg.TightBudget
}

// fetchShared merges identical in-flight fetches in this process (the
// first caller's ctx drives the fetch; followers wait on their own ctx) and,
// with Redis, across replicas through a short lock. since is the oldest
// evidence acceptable from another replica's fetch.
func (c *Cache) fetchShared(ctx context.Context, key string, d enrichers.Description, since time.Time,
	fetch func(context.Context) (*enrichers.Finding, error)) (*entry, error) {
	led := false // set only by the caller whose fetch runs, before ch is sent to
	ch := c.sf.DoChan(key, func() (any, error) {
		led = true
		return c.fetchLocked(ctx, key, d, since, fetch)
	})
	select {
	case r := <-ch:
		if !led {
			c.stats.add("all", d.Name, "merged")
		}
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*entry), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lockAttempts bounds how often a replica goes back for the fetch lock after
// its holder released it without publishing a result.
const lockAttempts = 3

func (c *Cache) fetchLocked(ctx context.Context, key string, d enrichers.Description, since time.Time,
	fetch func(context.Context) (*enrichers.Finding, error)) (*entry, error) {
	if c.l2 != nil {
		lockTTL := 2 * max(d.Timeout, time.Second)
		token := rand.Text()
		for range lockAttempts {
			won, err := c.lock(ctx, key, token, lockTTL)
			if err != nil {
				break // Redis trouble: fetch without the lock
			}
			if won {
				defer c.unlock(key, token)
				break
			}
			// Another replica is fetching: wait for its result in L2.
			e, released := c.awaitOther(ctx, d.Name, key, since, lockTTL)
			if e != nil {
				return e, nil
			}
			if !released {
				break
			}
		}
	}
	f, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("cache: %s returned no finding", d.Name)
	}
	e := c.newEntry(d, f)
	c.put(ctx, d.Name, key, e)
	return e, nil
}

func (c *Cache) newEntry(d enrichers.Description, f *enrichers.Finding) *entry {
	now := c.now()
	ttl := d.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	if f.NotFound {
		ttl = d.NegativeTTL
		if ttl <= 0 {
			ttl = min(d.TTL/10, time.Hour)
			if ttl <= 0 {
				ttl = 10 * time.Minute
			}
		}
	}
	stale := min(ttl/2, c.cfg.StaleMax)
	return &entry{FetchedAt: now, ExpiresAt: now.Add(ttl), StaleUntil: now.Add(ttl + stale), Finding: f}
}

// awaitOther waits for the replica holding the fetch lock to publish its
// result in L2: a fresh entry fetched at or after since (so never the old
// entry this request already rejected). It returns (nil, true) as soon as
// the lock is released without such a result — the holder failed, and
// errors are never cached — so the caller goes back for the lock instead of
// sitting out the lock's TTL; (nil, false) when ctx, the lock's TTL or
// Redis gives out.
func (c *Cache) awaitOther(ctx context.Context, source, key string, since time.Time, lockTTL time.Duration) (*entry, bool) {
	t := time.NewTicker(c.cfg.LockPoll)
	defer t.Stop()
	deadline := time.NewTimer(lockTTL)
	defer deadline.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, false
		case <-deadline.C:
			return nil, false
		case <-t.C:
		}
		// The lock first: the holder writes the entry before it unlocks, so
		// a released lock means the GET below sees its result, if any.
		var held *redis.IntCmd
		var get *redis.StringCmd
		_, err := c.l2cb.Execute(func() (any, error) {
			return c.l2.Pipelined(ctx, func(p redis.Pipeliner) error {
				held = p.Exists(ctx, key+":lock")
				get = p.Get(ctx, key)
				return nil
			})
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			c.stats.add("l2", source, "errors")
			return nil, false
		}
		if b, err := get.Bytes(); err == nil {
			e, err := decode(b)
			switch {
			case err != nil:
				c.stats.add("l2", source, "corrupt")
			case c.now().Before(e.ExpiresAt) && !e.FetchedAt.Before(since):
				c.stats.add("l2", source, "shared_fetches")
				c.putL1(source, key, e)
				return e, false
			}
		}
		if held.Val() == 0 {
			return nil, true
		}
	}
}

func (c *Cache) enqueueRefresh(key string, d enrichers.Description, since time.Time, fetch func(context.Context) (*enrichers.Finding, error)) {
	c.mu.Lock()
	if c.inflight[key] {
		c.mu.Unlock()
		return
	}
	c.inflight[key] = true
	c.mu.Unlock()
	select {
	case c.refresh <- refreshJob{key: key, d: d, since: since, fetch: fetch}:
		c.stats.add("all", d.Name, "refreshes_queued")
	default:
		c.stats.add("all", d.Name, "refreshes_dropped")
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
	}
}

func (c *Cache) refresher() {
	defer c.wg.Done()
	for {
		select {
		case <-c.base.Done():
			return
		case j := <-c.refresh:
			// Detached from the request that queued it, with its own deadline.
			ctx, cancel := context.WithTimeout(c.base, 2*max(j.d.Timeout, time.Second))
			if _, err := c.fetchShared(ctx, j.key, j.d, j.since, j.fetch); err != nil {
				c.log.Debug("background refresh failed", "source", j.d.Name, "err", err)
			}
			cancel()
			c.mu.Lock()
			delete(c.inflight, j.key)
			c.mu.Unlock()
		}
	}
}

// Ready reports whether the shared tier answers (nil without Redis).
func (c *Cache) Ready(ctx context.Context) error {
	if c.l2 == nil {
		return nil
	}
	return c.l2.Ping(ctx).Err()
}

// --- tiers ---

func (c *Cache) get(ctx context.Context, source, key string) *entry {
	if !c.subscribed.Load() {
		// Purges of other replicas may be missed: L1 is not trusted.
		c.stats.add("l1", source, "misses")
	} else if b, err := c.l1.Get(key); err == nil {
		if e, err := decode(b); err == nil {
			c.stats.add("l1", source, "hits")
			return e
		}
		c.stats.add("l1", source, "corrupt")
		_ = c.l1.Delete(key)
	} else {
		c.stats.add("l1", source, "misses")
	}
	if c.l2 == nil {
		return nil
	}
	e := c.getL2(ctx, source, key)
	if e != nil {
		c.putL1(source, key, e)
	}
	return e
}

func (c *Cache) getL2(ctx context.Context, source, key string) *entry {
	v, err := c.l2cb.Execute(func() (any, error) { return c.l2.Get(ctx, key).Bytes() })
	switch {
	case errors.Is(err, redis.Nil):
		c.stats.add("l2", source, "misses")
		return nil
	case err != nil:
		c.stats.add("l2", source, "errors")
		return nil
	}
	e, err := decode(v.([]byte))
	if err != nil {
		c.stats.add("l2", source, "corrupt")
		return nil
	}
	c.stats.add("l2", source, "hits")
	return e
}

func (c *Cache) put(ctx context.Context, source, key string, e *entry) {
	b, err := e.encode()
	if err != nil {
		c.log.Warn("cache: encode failed", "source", source, "err", err)
		return
	}
	if err := c.l1.Set(key, b); err == nil {
		c.stats.add("l1", source, "sets")
	}
	if c.l2 == nil {
		return
	}
	ttl := e.StaleUntil.Sub(c.now())
	if ttl <= 0 {
		return
	}
	if _, err := c.l2cb.Execute(func() (any, error) { return nil, c.l2.Set(ctx, key, b, ttl).Err() }); err != nil {
		c.stats.add("l2", source, "errors")
		return
	}
	c.stats.add("l2", source, "sets")
}

func (c *Cache) putL1(source, key string, e *entry) {
	if b, err := e.encode(); err == nil && c.l1.Set(key, b) == nil {
		c.stats.add("l1", source, "sets")
	}
}

// lock takes the cross-replica fetch lock of key, holding token.
func (c *Cache) lock(ctx context.Context, key, token string, ttl time.Duration) (bool, error) {
	v, err := c.l2cb.Execute(func() (any, error) { return c.l2.SetNX(ctx, key+":lock", token, ttl).Result() })
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

// unlockScript deletes a lock only while it still holds the caller's token:
// a fetch that outlived its lock must not release another replica's.
var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

func (c *Cache) unlock(key, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _ = c.l2cb.Execute(func() (any, error) {
		return nil, unlockScript.Run(ctx, c.l2, []string{key + ":lock"}, token).Err()
	})
}
