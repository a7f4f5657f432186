package cache

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// t0 is the fake clock's start.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is an injectable, manually advanced clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testSecret is a fresh secret: keys of one test never meet another's.
func testSecret(t testing.TB) []byte {
	t.Helper()
	return []byte("test-" + rand.Text())
}

// newTestCache builds a cache on clk (nil: a new clock) with small, fast
// defaults, closed when the test ends.
func newTestCache(t testing.TB, cfg Config, clk *clock) *Cache {
	t.Helper()
	if cfg.Secret == nil {
		cfg.Secret = testSecret(t)
	}
	if cfg.L1SizeMB == 0 {
		cfg.L1SizeMB = 16
	}
	if cfg.LockPoll == 0 {
		cfg.LockPoll = 2 * time.Millisecond
	}
	if clk == nil {
		clk = newClock()
	}
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// src is a source description with round TTLs: 1h positive, 10m negative,
// so the stale window is 30m (positive) and 5m (negative).
func src(name string) enrichers.Description {
	return enrichers.Description{Name: name, Version: 3, Timeout: time.Second, TTL: time.Hour, NegativeTTL: 10 * time.Minute}
}

var (
	email = enrichers.Identifier{Kind: enrichers.KindEmail, Value: "alice.example@example.com", Method: "input", Prior: 1}
	phone = enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+14155550123", Method: "input", Prior: 1}
)

// fetcher is a fetch function that counts its calls and returns a finding
// (a new one each call, marked by the call number) or an error.
type fetcher struct {
	calls atomic.Int64
	f     func(n int64) (*enrichers.Finding, error)
}

func (f *fetcher) fetch(context.Context) (*enrichers.Finding, error) {
	n := f.calls.Add(1)
	if f.f != nil {
		return f.f(n)
	}
	return found(n), nil
}

// found is a positive finding tagged by n (in its account's username).
func found(n int64) *enrichers.Finding {
	return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "github", Username: "alice" + strconv.FormatInt(n, 10), Method: "email_search"}}}
}

// tag returns the call number a finding from found carries ("" for others).
func tag(f *enrichers.Finding) string {
	if f == nil || len(f.Accounts) == 0 {
		return ""
	}
	return strings.TrimPrefix(f.Accounts[0].Username, "alice")
}

var def = engine.CachePolicy{Mode: engine.CacheDefault}

// mustFetch calls Fetch and fails the test on an error.
func mustFetch(t testing.TB, c *Cache, d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy, f *fetcher) (*enrichers.Finding, bool) {
	t.Helper()
	got, cached, _, err := c.Fetch(context.Background(), d, id, p, f.fetch)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", d.Name, err)
	}
	return got, cached
}

// --- Redis ---

// redisEnv names the Redis the Redis-backed tests use (CI:
// redis://127.0.0.1:6379/0).
const redisEnv = "FOOTPRINT_TEST_REDIS_URL"

// testRedis returns a client of the test Redis, or skips the test.
func testRedis(t testing.TB) (*redis.Options, *redis.Client) {
	t.Helper()
	url := os.Getenv(redisEnv)
	if url == "" {
		t.Skipf("%s not set: skipping a test that needs Redis", redisEnv)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("%s: %v", redisEnv, err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("%s=%s does not answer: %v", redisEnv, url, err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	return opt, rdb
}

// cleanupKeys deletes, when the test ends, the entries and locks of the
// given sources and identifiers (keys are HMACs under the test's own
// secret, so only this test's).
func cleanupKeys(t testing.TB, rdb *redis.Client, c *Cache, ds []enrichers.Description, ids ...enrichers.Identifier) {
	t.Helper()
	var keys []string
	for _, d := range ds {
		for _, id := range ids {
			k := c.keys.Key(d, id)
			keys = append(keys, k, k+":lock")
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = rdb.Del(ctx, keys...).Err()
	})
}

// proxy is a TCP proxy to Redis that a test can shut down mid-run.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		if !p.track(in, out) {
			return
		}
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	p.conns = append(p.conns, cs...)
	return true
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// Close stops listening and cuts every connection: Redis "goes away".
func (p *proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// isCacheMiss reports whether err is the "only" miss.
func isCacheMiss(err error) bool { return errors.Is(err, engine.ErrCacheMiss) }

// jsonOf is v as JSON, for comparisons and messages.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// peek is a read without side effects (no fetch, no refresh, no stats):
// the fresh L1 entry a default-mode read with p would be answered from.
func (c *Cache) peek(d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy) (*enrichers.Finding, time.Time, bool) {
	if p.Mode == engine.CacheRefresh || (p.HasMaxAge && p.MaxAge <= 0) {
		return nil, time.Time{}, false
	}
	b, err := c.l1.Get(c.keys.Key(d, id))
	if err != nil {
		return nil, time.Time{}, false
	}
	e, err := decode(b)
	if err != nil {
		return nil, time.Time{}, false
	}
	now := c.now()
	if !now.Before(e.ExpiresAt) || (p.HasMaxAge && now.Sub(e.FetchedAt) > p.MaxAge) {
		return nil, time.Time{}, false
	}
	return e.Finding, e.FetchedAt, true
}
