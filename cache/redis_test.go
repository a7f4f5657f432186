package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// replicas builds n caches sharing one secret and the test Redis, each with
// its own client and L1, all on clk.
func replicas(t *testing.T, n int, clk *clock, cfg Config) ([]*Cache, *redis.Client) {
	t.Helper()
	opt, rdb := testRedis(t)
	cfg.Secret = testSecret(t)
	out := make([]*Cache, n)
	for i := range out {
		cl := redis.NewClient(opt)
		t.Cleanup(func() { _ = cl.Close() })
		cfg.Redis = cl
		out[i] = newTestCache(t, cfg, clk)
	}
	return out, rdb
}

// redisWatch is a go-redis hook that reports steps of the shared-tier
// protocol, so a test waits for the step instead of sleeping: on misses,
// the key of each GET of an entry that found nothing; on steps, in order,
// "lost" for a fetch lock another holder has and "held" for a poll that
// found the fetch lock still held (the replica waits on). Reports beyond
// the buffers are dropped.
type redisWatch struct {
	misses, steps chan string
}

func newRedisWatch() *redisWatch {
	return &redisWatch{misses: make(chan string, 256), steps: make(chan string, 256)}
}

// watch adds w to the Redis client of c.
func (w *redisWatch) watch(c *Cache) *redisWatch {
	c.l2.AddHook(w)
	return w
}

func report(ch chan string, key string) {
	select {
	case ch <- key:
	default:
	}
}

// keyOf is the key a command names ("" for none).
func keyOf(cmd redis.Cmder) string {
	if args := cmd.Args(); len(args) > 1 {
		k, _ := args[1].(string)
		return k
	}
	return ""
}

func (w *redisWatch) DialHook(next redis.DialHook) redis.DialHook { return next }

func (w *redisWatch) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		key := keyOf(cmd)
		// err, not cmd.Err(): the client sets that after its hooks.
		switch c := cmd.(type) {
		case *redis.StringCmd:
			if cmd.Name() == "get" && errors.Is(err, redis.Nil) {
				report(w.misses, key)
			}
		case *redis.BoolCmd: // SET key token EX ttl NX: the fetch lock
			if cmd.Name() == "set" && strings.HasSuffix(key, ":lock") && err == nil && !c.Val() {
				report(w.steps, "lost")
			}
		}
		return err
	}
}

func (w *redisWatch) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			if c, ok := cmd.(*redis.IntCmd); ok && cmd.Name() == "exists" && c.Err() == nil && c.Val() == 1 {
				report(w.steps, "held")
			}
		}
		return err
	}
}

// awaitWaiting returns once w has seen a replica lose the fetch lock and
// then find it held twice — so it went on waiting after a poll, neither
// fetching nor going back for the lock — or fails the test if anything
// else happens first, or done (the waiting side's result) comes.
func awaitWaiting(t *testing.T, w *redisWatch, done <-chan struct{}) {
	t.Helper()
	for _, want := range []string{"lost", "held", "held"} {
		select {
		case got := <-w.steps:
			if got != want {
				t.Fatalf("the waiting replica: %s, want %s", got, want)
			}
		case <-done:
			t.Fatal("the waiting replica answered while the lock was held")
		case <-time.After(hangGuard):
			t.Fatalf("no replica waiting on the fetch lock within %v", hangGuard)
		}
	}
}

// TestRedisSharedAcrossReplicas: what one replica fetched, another serves
// from Redis without calling the source; Redis holds it with a TTL that
// covers the stale window.
func TestRedisSharedAcrossReplicas(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 2, clk, Config{})
	a, b := rs[0], rs[1]
	d := src("shared")
	cleanupKeys(t, rdb, a, []enrichers.Description{d}, email)
	for name, want := range shapes() {
		d := d
		d.Name = "shared-" + name
		cleanupKeys(t, rdb, a, []enrichers.Description{d}, email)
		mustFetch(t, a, d, email, def, &fetcher{f: func(int64) (*enrichers.Finding, error) { return want, nil }})
		f := &fetcher{}
		got, cached := mustFetch(t, b, d, email, def, f)
		if !cached || f.calls.Load() != 0 {
			t.Fatalf("%s: replica b fetched (cached=%v calls=%d)", name, cached, f.calls.Load())
		}
		if jsonOf(got) != jsonOf(want) {
			t.Errorf("%s: b served %s, want %s", name, jsonOf(got), jsonOf(want))
		}
	}
	if b.Count("l2", "shared-email", "hits") != 1 || b.Count("l1", "shared-email", "sets") != 1 {
		t.Errorf("b: l2 hits=%d l1 sets=%d, want 1 and 1 (L2 hit promoted to L1)",
			b.Count("l2", "shared-email", "hits"), b.Count("l1", "shared-email", "sets"))
	}
	mustFetch(t, a, d, email, def, &fetcher{})
	ttl, err := rdb.TTL(t.Context(), a.keys.Key(d, email)).Result()
	if err != nil || ttl < 89*time.Minute || ttl > 90*time.Minute {
		t.Errorf("redis TTL = %v (%v), want TTL + stale window = 90m", ttl, err)
	}
	// b reads the L2 entry promoted into its L1 afterwards: no more Redis.
	mustFetch(t, b, d, email, def, &fetcher{})
	before := b.Count("l2", d.Name, "hits")
	mustFetch(t, b, d, email, def, &fetcher{})
	if b.Count("l2", d.Name, "hits") != before {
		t.Error("second read on b went to Redis, not L1")
	}
}

// TestRedisCrossReplicaLock: concurrent identical gets on two replicas
// (several per replica) make one upstream fetch between them.
func TestRedisCrossReplicaLock(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 2, clk, Config{})
	d := src("lock")
	cleanupKeys(t, rdb, rs[0], []enrichers.Description{d}, email)
	w := newRedisWatch().watch(rs[0]).watch(rs[1])
	var calls atomic.Int64
	release := make(chan struct{})
	fetch := func(ctx context.Context) (*enrichers.Finding, error) {
		calls.Add(1)
		select {
		case <-release:
			return found(7), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	const n = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		c := rs[i%2]
		wg.Go(func() {
			<-start
			got, _, _, err := c.Fetch(t.Context(), d, email, def, fetch)
			if err != nil || tag(got) != "7" {
				t.Errorf("tag=%s err=%v", tag(got), err)
			}
		})
	}
	close(start)
	// The fetch returns only once every get has missed in Redis (so none
	// can find the result there) and the other replica lost the lock and
	// is waiting for the result.
	for range n {
		await(t, w.misses, "Redis miss")
	}
	awaitWaiting(t, w, nil)
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d upstream fetches across two replicas, want 1", calls.Load())
	}
	if rs[0].Count("l2", d.Name, "shared_fetches")+rs[1].Count("l2", d.Name, "shared_fetches") != 1 {
		t.Error("the losing replica did not count a shared fetch")
	}
	if n, _ := rdb.Exists(t.Context(), rs[0].keys.Key(d, email)+":lock").Result(); n != 0 {
		t.Error("the fetch lock outlived the fetch")
	}
}

// TestRedisLockHolderFails: when the replica holding the lock fails (and
// caches nothing), the waiting replica fetches as soon as the lock is
// released, not after the lock's TTL.
func TestRedisLockHolderFails(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 2, clk, Config{})
	d := src("lock-fail")
	d.Timeout = 10 * time.Second // lock TTL 20s
	cleanupKeys(t, rdb, rs[0], []enrichers.Description{d}, email)
	failing := newGate()
	errc := make(chan error, 1)
	go func() {
		_, _, _, err := rs[0].Fetch(t.Context(), d, email, def, func(ctx context.Context) (*enrichers.Finding, error) {
			if _, err := failing.fetch(ctx); err != nil {
				return nil, err
			}
			return nil, errors.New("upstream 500")
		})
		errc <- err
	}()
	await(t, failing.entered, "fetch by a")
	w := newRedisWatch().watch(rs[1])
	bdone := make(chan struct{})
	f := &fetcher{}
	var got *enrichers.Finding
	go func() {
		defer close(bdone)
		got, _ = mustFetch(t, rs[1], d, email, def, f)
	}()
	awaitWaiting(t, w, bdone) // b is waiting on a's lock
	if f.calls.Load() != 0 {
		t.Fatal("b fetched while a held the lock")
	}
	close(failing.release)
	if err := <-errc; err == nil {
		t.Fatal("a: want its upstream error")
	}
	start := time.Now()
	select {
	case <-bdone:
	case <-time.After(5 * time.Second):
		t.Fatal("b waited out the lock TTL after a failed")
	}
	if f.calls.Load() != 1 || tag(got) != "1" {
		t.Fatalf("b: calls=%d tag=%s, want its own fetch", f.calls.Load(), tag(got))
	}
	t.Logf("b fetched %v after a released the lock", time.Since(start))
}

// TestRedisLockNoOldEntry: a replica that rejected an entry (too old for
// its max_age) and lost the lock waits for the new result; it never takes
// the old entry still in Redis.
func TestRedisLockNoOldEntry(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 2, clk, Config{})
	a, b := rs[0], rs[1]
	d := src("lock-old")
	cleanupKeys(t, rdb, a, []enrichers.Description{d}, email)
	mustFetch(t, a, d, email, def, &fetcher{}) // tag 1, in Redis
	clk.Advance(10 * time.Minute)
	p := engine.CachePolicy{Mode: engine.CacheDefault, MaxAge: 5 * time.Minute, HasMaxAge: true}
	g := newGate()
	adone := make(chan struct{})
	go func() {
		defer close(adone)
		if _, _, _, err := a.Fetch(t.Context(), d, email, p, g.fetch); err != nil {
			t.Error(err)
		}
	}()
	await(t, g.entered, "fetch by a")
	w := newRedisWatch().watch(b)
	bf := &fetcher{}
	var got *enrichers.Finding
	bdone := make(chan struct{})
	go func() {
		defer close(bdone)
		got, _ = mustFetch(t, b, d, email, p, bf)
	}()
	awaitWaiting(t, w, bdone) // b polled twice past the old entry
	close(g.release)
	<-adone
	<-bdone
	if tag(got) != "101" || bf.calls.Load() != 0 {
		t.Fatalf("b got %s with %d own fetches, want a's new 101", tag(got), bf.calls.Load())
	}
}

// TestRedisCorrupt: corrupt and old-version bytes in Redis are a miss.
func TestRedisCorrupt(t *testing.T) {
	_, rdb := testRedis(t)
	clk := newClock()
	for name, raw := range corruptions(t) {
		t.Run(name, func(t *testing.T) {
			rs, _ := replicas(t, 1, clk, Config{})
			c := rs[0]
			d := src("l2-corrupt")
			cleanupKeys(t, rdb, c, []enrichers.Description{d}, email)
			if err := rdb.Set(t.Context(), c.keys.Key(d, email), raw, time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			f := &fetcher{}
			got, cached := mustFetch(t, c, d, email, def, f)
			if cached || f.calls.Load() != 1 || tag(got) != "1" {
				t.Fatalf("cached=%v calls=%d, want a fetch", cached, f.calls.Load())
			}
			if c.Count("l2", d.Name, "corrupt") != 1 {
				t.Errorf("l2 corrupt = %d", c.Count("l2", d.Name, "corrupt"))
			}
			b, err := rdb.Get(t.Context(), c.keys.Key(d, email)).Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decode(b); err != nil {
				t.Error("the corrupt Redis entry was not overwritten")
			}
		})
	}
}

// TestRedisPurge: Purge removes every source's entry of the subject from
// L1 and Redis, and leaves other subjects alone.
func TestRedisPurge(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 2, clk, Config{})
	a, b := rs[0], rs[1]
	ds := []enrichers.Description{src("github"), src("gravatar"), src("hibp")}
	other := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "bob@example.com", Method: "input"}
	cleanupKeys(t, rdb, a, ds, email, phone, other)
	for _, d := range ds {
		for _, id := range []enrichers.Identifier{email, phone, other} {
			mustFetch(t, a, d, id, def, &fetcher{})
		}
	}
	if _, err := a.Purge(t.Context(), ds, []enrichers.Identifier{email, phone}); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, id := range []enrichers.Identifier{email, phone} {
			key := a.keys.Key(d, id)
			if n, _ := rdb.Exists(t.Context(), key).Result(); n != 0 {
				t.Errorf("%s/%s still in Redis", d.Name, id.Kind)
			}
			if _, err := a.l1.Get(key); err == nil {
				t.Errorf("%s/%s still in L1", d.Name, id.Kind)
			}
			f := &fetcher{}
			if _, cached := mustFetch(t, b, d, id, def, f); cached {
				t.Errorf("%s/%s: replica b still serves it", d.Name, id.Kind)
			}
		}
		if n, _ := rdb.Exists(t.Context(), a.keys.Key(d, other)).Result(); n != 1 {
			t.Errorf("%s: another subject's entry was purged", d.Name)
		}
	}
}

// TestRedisKeysHaveNoPII: Redis key names (entries and locks) are hashes.
func TestRedisKeysHaveNoPII(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 1, clk, Config{})
	c := rs[0]
	// A unique subject, so a scan of the whole (shared) Redis is meaningful.
	uniq := strings.ToLower(rand.Text()[:12])
	who := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "alice." + uniq + "@example.com", Method: "input"}
	tel := enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+1415555" + "0199", Method: "input"}
	d := src("pii")
	d.Name = "pii-" + uniq
	cleanupKeys(t, rdb, c, []enrichers.Description{d}, who, tel)
	mustFetch(t, c, d, who, def, &fetcher{})
	// Capture the lock key while a fetch holds it.
	g := newGate()
	go func() { _, _, _, _ = c.Fetch(t.Context(), d, tel, def, g.fetch) }()
	await(t, g.entered, "fetch under lock")
	var keys []string
	iter := rdb.Scan(t.Context(), 0, "*", 1000).Iterator()
	for iter.Next(t.Context()) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	ours := map[string]bool{c.keys.Key(d, who): false, c.keys.Key(d, tel) + ":lock": false}
	for _, k := range keys {
		low := strings.ToLower(k)
		for _, raw := range []string{who.Value, "alice." + uniq, uniq, "4155550199", tel.Value} {
			if strings.Contains(low, strings.ToLower(raw)) {
				t.Errorf("Redis key %q contains %q", k, raw)
			}
		}
		if _, ok := ours[k]; ok {
			ours[k] = true
			assertNoPII(t, k)
		}
	}
	for k, seen := range ours {
		if !seen {
			t.Errorf("expected key %q not found in Redis", k)
		}
	}
}

// TestRedisUnreachable: with Redis down from the start the cache serves
// from the source and L1, never errors, and says so in Ready and stats.
func TestRedisUnreachable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond,
		MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	c := newTestCache(t, Config{Redis: rdb}, nil)
	d := src("down")
	f := &fetcher{}
	for i := range 10 {
		got, cached := mustFetch(t, c, d, email, def, f)
		if tag(got) != "1" || cached != (i > 0) {
			t.Fatalf("call %d: tag=%s cached=%v", i, tag(got), cached)
		}
	}
	mustFetch(t, c, d, phone, def, f)
	if f.calls.Load() != 2 {
		t.Errorf("calls = %d, want 2 (L1 serves the rest)", f.calls.Load())
	}
	if err := c.Ready(t.Context()); err == nil {
		t.Error("Ready = nil with Redis unreachable")
	}
	if c.Count("l2", d.Name, "errors") == 0 {
		t.Error("no l2 errors counted")
	}
	if _, err := c.Purge(t.Context(), []enrichers.Description{d}, []enrichers.Identifier{email}); err == nil {
		t.Error("Purge reported success without reaching Redis")
	}
	if _, err := c.l1.Get(c.keys.Key(d, email)); err == nil {
		t.Error("Purge left the L1 entry")
	}
}

// TestRedisGoesAway: Redis vanishing mid-run (the connection cut, or the
// client closed) costs the shared tier only; requests are still served.
func TestRedisGoesAway(t *testing.T) {
	opt, rdb := testRedis(t)
	for _, how := range []string{"proxy shut", "client closed"} {
		t.Run(how, func(t *testing.T) {
			p := newProxy(t, opt.Addr)
			popt := *opt
			popt.Addr = p.Addr()
			popt.DialTimeout = 200 * time.Millisecond
			popt.MaxRetries = -1
			cl := redis.NewClient(&popt)
			t.Cleanup(func() { _ = cl.Close() })
			c := newTestCache(t, Config{Redis: cl}, nil)
			d := src("away")
			user := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "carol", Method: "input"}
			cleanupKeys(t, rdb, c, []enrichers.Description{d}, email, phone, user)
			f := &fetcher{}
			mustFetch(t, c, d, email, def, f)
			if n, _ := rdb.Exists(t.Context(), c.keys.Key(d, email)).Result(); n != 1 {
				t.Fatal("the entry did not reach Redis through the proxy")
			}
			if err := c.Ready(t.Context()); err != nil {
				t.Fatalf("Ready before: %v", err)
			}
			switch how {
			case "proxy shut":
				p.Close()
			case "client closed":
				_ = cl.Close()
			}
			for i := range 8 { // enough to trip the Redis breaker
				if got, cached := mustFetch(t, c, d, email, def, f); !cached || tag(got) != "1" {
					t.Fatalf("call %d: L1 entry not served (cached=%v)", i, cached)
				}
				id := phone
				if i%2 == 1 {
					id = user
				}
				got, _, _, err := c.Fetch(t.Context(), d, id, engine.CachePolicy{Mode: engine.CacheRefresh}, f.fetch)
				if err != nil || got == nil {
					t.Fatalf("call %d: fetch with Redis gone: %v", i, err)
				}
			}
			if err := c.Ready(t.Context()); err == nil {
				t.Error("Ready = nil after Redis went away")
			}
			if c.Count("l2", d.Name, "errors") == 0 {
				t.Error("no l2 errors counted")
			}
			if got, cached := mustFetch(t, c, d, phone, def, f); !cached || got == nil {
				t.Error("entries fetched while Redis was gone are not in L1")
			}
		})
	}
}

// TestRedisUnlockOnlyOwnLock: a fetch that outlived its lock (which then
// went to another replica) does not release the other replica's lock.
func TestRedisUnlockOnlyOwnLock(t *testing.T) {
	clk := newClock()
	rs, rdb := replicas(t, 1, clk, Config{})
	c := rs[0]
	d := src("unlock")
	cleanupKeys(t, rdb, c, []enrichers.Description{d}, email)
	lock := c.keys.Key(d, email) + ":lock"
	g := newGate()
	done := make(chan error, 1)
	go func() {
		_, _, _, err := c.Fetch(t.Context(), d, email, def, g.fetch)
		done <- err
	}()
	await(t, g.entered, "fetch under lock")
	if n, _ := rdb.Exists(t.Context(), lock).Result(); n != 1 {
		t.Fatal("no fetch lock in Redis")
	}
	// The lock expires and another replica takes it.
	if err := rdb.Set(t.Context(), lock, "other-replica", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.Get(t.Context(), lock).Result(); err != nil || v != "other-replica" {
		t.Fatalf("the other replica's lock = %q, %v: released by the wrong holder", v, err)
	}
}
