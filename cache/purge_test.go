package cache

import (
	"crypto/rand"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/enrichers"
)

// eventually polls cond until it holds or hangGuard passes (a hang guard,
// not a speed assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, hangGuard)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// broadcastReplicas builds n caches sharing Redis and one fresh purge
// channel, each through its own proxy (so a test can cut one replica's
// connections), and waits until every one is subscribed.
func broadcastReplicas(t *testing.T, n int, clk *clock) ([]*Cache, []*cutProxy, *redis.Client) {
	t.Helper()
	opt, rdb := testRedis(t)
	secret, channel := testSecret(t), "fp:test:purge:"+rand.Text()
	cs, ps := make([]*Cache, n), make([]*cutProxy, n)
	for i := range cs {
		ps[i] = newCutProxy(t, opt.Addr)
		o := *opt
		o.Addr = ps[i].addr
		o.MaxRetries = -1
		cl := redis.NewClient(&o)
		t.Cleanup(func() { _ = cl.Close() })
		cs[i] = newTestCache(t, Config{Secret: secret, Redis: cl, PurgeChannel: channel, Heartbeat: 50 * time.Millisecond}, clk)
	}
	for i, c := range cs {
		eventually(t, "replica "+string(rune('a'+i))+" subscribed", c.Subscribed)
	}
	return cs, ps, rdb
}

// TestPurgeBroadcast: a purge on one replica removes the entries from
// every replica's L1 and calls each one's hook; other subjects stay.
func TestPurgeBroadcast(t *testing.T) {
	cs, _, rdb := broadcastReplicas(t, 2, newClock())
	a, b := cs[0], cs[1]
	var hookB atomic.Int32
	b.SetPurgeHook(func() { hookB.Add(1) })
	ds := []enrichers.Description{src("github"), src("gravatar")}
	other := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "bob@example.com", Method: "input"}
	cleanupKeys(t, rdb, a, ds, email, phone, other)
	for _, c := range cs {
		for _, d := range ds {
			for _, id := range []enrichers.Identifier{email, other} {
				mustFetch(t, c, d, id, def, &fetcher{})
			}
		}
	}
	n, err := a.Purge(t.Context(), ds, []enrichers.Identifier{email, phone})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Purge removed %d entries, want 2 (email on two sources)", n)
	}
	eventually(t, "b's hook called", func() bool { return hookB.Load() > 0 })
	for _, d := range ds {
		if _, err := b.l1.Get(b.keys.Key(d, email)); err == nil {
			t.Errorf("%s: the erased entry is still in b's L1", d.Name)
		}
		f := &fetcher{}
		if _, cached := mustFetch(t, b, d, email, def, f); cached || f.calls.Load() != 1 {
			t.Errorf("%s: b served the erased subject from cache", d.Name)
		}
		if _, err := b.l1.Get(b.keys.Key(d, other)); err != nil {
			t.Errorf("%s: another subject left b's L1", d.Name)
		}
	}
}

// TestPurgeSubscriptionLost: a replica whose subscription is cut stops
// reading L1 (and calls its hook) until it is subscribed again, and then
// starts from an empty L1, so a purge it missed is never served from
// memory.
func TestPurgeSubscriptionLost(t *testing.T) {
	cs, ps, rdb := broadcastReplicas(t, 2, newClock())
	a, b := cs[0], cs[1]
	var hookB atomic.Int32
	b.SetPurgeHook(func() { hookB.Add(1) })
	d := src("github")
	cleanupKeys(t, rdb, a, []enrichers.Description{d}, email)
	mustFetch(t, b, d, email, def, &fetcher{})
	if _, cached := mustFetch(t, b, d, email, def, &fetcher{}); !cached {
		t.Fatal("no L1 hit before the cut")
	}
	ps[1].cut(true) // b loses Redis: its subscription and its L2
	eventually(t, "b notices the lost subscription", func() bool { return !b.Subscribed() })
	if hookB.Load() == 0 {
		t.Error("the hook was not called when the subscription was lost")
	}
	// The purge b cannot hear.
	if _, err := a.Purge(t.Context(), []enrichers.Description{d}, []enrichers.Identifier{email}); err != nil {
		t.Fatal(err)
	}
	f := &fetcher{}
	if _, cached := mustFetch(t, b, d, email, def, f); cached || f.calls.Load() != 1 {
		t.Error("b served from L1 while it could not hear purges")
	}
	ps[1].cut(false)
	eventually(t, "b subscribed again", b.Subscribed)
	if _, err := b.l1.Get(b.keys.Key(d, email)); err == nil {
		t.Error("b kept its L1 across the gap")
	}
}

// TestSweepDropsExpired: L1 holds no entry past its stale window, and
// Redis holds each entry no longer than its TTL plus that window.
func TestSweepDropsExpired(t *testing.T) {
	clk := newClock()
	c := newTestCache(t, Config{}, clk)
	d := src("ttl") // TTL 1h: stale window 30 min
	mustFetch(t, c, d, email, def, &fetcher{})
	mustFetch(t, c, d, phone, def, &fetcher{f: func(int64) (*enrichers.Finding, error) { return &enrichers.Finding{NotFound: true}, nil }})
	clk.Advance(16 * time.Minute) // the not_found (10 min + 5 stale) is gone, the hit stays
	if n := c.Sweep(); n != 1 {
		t.Fatalf("Sweep at 16 min dropped %d, want 1", n)
	}
	if _, err := c.l1.Get(c.keys.Key(d, email)); err != nil {
		t.Fatal("a live entry was swept")
	}
	clk.Advance(74 * time.Minute) // 90 min: past TTL + stale window
	if n := c.Sweep(); n != 1 || c.l1.Len() != 0 {
		t.Fatalf("Sweep at 90 min dropped %d, %d left", n, c.l1.Len())
	}

	_, rdb := testRedis(t)
	r := newTestCache(t, Config{Redis: rdb}, clk)
	cleanupKeys(t, rdb, r, []enrichers.Description{d}, email)
	mustFetch(t, r, d, email, def, &fetcher{})
	ttl, err := rdb.PTTL(t.Context(), r.keys.Key(d, email)).Result()
	if err != nil || ttl <= 0 || ttl > 90*time.Minute {
		t.Fatalf("Redis TTL %v (%v), want in (0, 90 min]", ttl, err)
	}
}

// cutProxy is a TCP proxy to Redis whose connections a test can cut.
type cutProxy struct {
	addr string
	mu   sync.Mutex
	down bool
	open []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{addr: ln.Addr().String()}
	t.Cleanup(func() { _ = ln.Close(); p.cut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				_ = c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				_ = c.Close()
				continue
			}
			p.open = append(p.open, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}()
	return p
}

// cut closes every connection and refuses new ones (down) or lets them
// through again.
func (p *cutProxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.open {
			_ = c.Close()
		}
		p.open = nil
	}
}

// noticeLog records what a NoticeListener hears.
type noticeLog struct {
	mu      sync.Mutex
	notices []string // topic + "|" + body
	changes []bool
}

func (l *noticeLog) Notice(topic, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notices = append(l.notices, topic+"|"+body)
}

func (l *noticeLog) SubscriptionChanged(up bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, up)
}

func (l *noticeLog) snapshot() ([]string, []bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.notices...), append([]bool(nil), l.changes...)
}

// TestNotices: a notice published on one replica reaches every replica's
// listener (its own included) on the purge channel, without purging
// anything or calling the purge hook; the listener is told when the
// subscription is lost and when it is back, and what was published in
// between is not heard.
func TestNotices(t *testing.T) {
	cs, ps, rdb := broadcastReplicas(t, 2, newClock())
	a, b := cs[0], cs[1]
	var la, lb noticeLog
	a.SetNoticeListener(&la)
	b.SetNoticeListener(&lb)
	var hookB atomic.Int32
	b.SetPurgeHook(func() { hookB.Add(1) })
	d := src("github")
	cleanupKeys(t, rdb, a, []enrichers.Description{d}, email)
	mustFetch(t, b, d, email, def, &fetcher{})

	if err := a.Notify(t.Context(), "suppressions", "+email:1\n+phone:2"); err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]*noticeLog{"a": &la, "b": &lb} {
		eventually(t, name+" hears the notice", func() bool { n, _ := l.snapshot(); return len(n) == 1 })
		if n, _ := l.snapshot(); n[0] != "suppressions|+email:1\n+phone:2" {
			t.Errorf("%s heard %q", name, n[0])
		}
	}
	if hookB.Load() != 0 {
		t.Error("a notice called the purge hook")
	}
	if _, cached := mustFetch(t, b, d, email, def, &fetcher{}); !cached {
		t.Error("a notice emptied L1")
	}

	ps[1].cut(true)
	eventually(t, "b is told the subscription is lost", func() bool { _, c := lb.snapshot(); return len(c) == 1 && !c[0] })
	if err := a.Notify(t.Context(), "suppressions", "missed"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a hears its second notice", func() bool { n, _ := la.snapshot(); return len(n) == 2 })
	ps[1].cut(false)
	eventually(t, "b is told the subscription is back", func() bool { _, c := lb.snapshot(); return len(c) == 2 && c[1] })
	if n, _ := lb.snapshot(); len(n) != 1 {
		t.Errorf("b heard %q across the gap", n[1:])
	}
}
