package limits_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/limits"
)

const redisEnv = "FOOTPRINT_TEST_REDIS_URL"

// redisOptions are the options of the test Redis; the test is skipped when
// FOOTPRINT_TEST_REDIS_URL is unset.
func redisOptions(t *testing.T) *redis.Options {
	t.Helper()
	u := os.Getenv(redisEnv)
	if u == "" {
		t.Skipf("%s is not set", redisEnv)
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// prefix is a key prefix of the test's own, removed afterwards.
func prefix(t *testing.T, c *redis.Client) string {
	p := "footprint-test:limits:" + rand.Text()[:10] + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, pattern := range []string{p + "*", "{" + p + "*"} {
			keys, _ := c.Keys(ctx, pattern).Result()
			if len(keys) > 0 {
				c.Del(ctx, keys...)
			}
		}
	})
	return p
}

// logCounter counts the log records at level warn or above.
type logCounter struct{ warns atomic.Int64 }

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.warns.Add(1)
	}
	return nil
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }

// replica is one process's view: its Shared and the source's limiter.
type replica struct {
	shared *limits.Shared
	lim    *transport.Limiter
	log    *logCounter
}

// newReplica builds a replica on opt's Redis under prefix p whose "src"
// limiter has rate r, burst b and live reserve share.
func newReplica(t *testing.T, opt *redis.Options, p string, r float64, b int, share float64, fallback int) replica {
	t.Helper()
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	lc := &logCounter{}
	s, err := limits.New(limits.Config{Client: c, Prefix: p, Replica: "r-" + rand.Text()[:8], FallbackReplicas: fallback,
		Logger: slog.New(lc), Heartbeat: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	lim := transport.NewLimiters().WithShared(s).For("src")
	lim.Set(rate.Limit(r), b, share)
	return replica{shared: s, lim: lim, log: lc}
}

// TestReplicasShareOneRate: three replicas hammering one source through
// the shared bucket take, together, no more than its rate allows in any
// window, and at least 90 % of it.
func TestReplicasShareOneRate(t *testing.T) {
	opt := redisOptions(t)
	c := redis.NewClient(opt)
	defer c.Close()
	p := prefix(t, c)
	const r, b = 40.0, 4
	const run = 1500 * time.Millisecond
	var mu sync.Mutex
	var uses []time.Time
	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(run))
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		rep := newReplica(t, opt, p, r, b, 0, 3)
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					if err := rep.lim.Wait(ctx); err != nil {
						continue
					}
					mu.Lock()
					uses = append(uses, time.Now())
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	slices.SortFunc(uses, func(a, b time.Time) int { return a.Compare(b) })
	if len(uses) == 0 {
		t.Fatal("no token granted")
	}
	elapsed := uses[len(uses)-1].Sub(start).Seconds()
	// GCRA on Redis's clock grants at most b + r·t in any window t; a
	// token may be used a little late (its sleep, scheduling): one token
	// of tolerance.
	const tolerance = 1
	if limit := b + r*elapsed + tolerance; float64(len(uses)) > limit {
		t.Errorf("%d tokens in %.2fs: more than burst + rate allows (%.1f)", len(uses), elapsed, limit)
	}
	for i := range uses {
		j := i
		for j < len(uses) && uses[j].Sub(uses[i]) < 500*time.Millisecond {
			j++
		}
		if n := j - i; float64(n) > b+r*0.5+tolerance {
			t.Fatalf("%d tokens within 500ms from %s: more than %v", n, uses[i].Sub(start), b+r*0.5+tolerance)
		}
	}
	if want := 0.9 * r * run.Seconds(); float64(len(uses)) < want {
		t.Errorf("%d tokens in %s, want at least 90 %% of the rate (%.0f)", len(uses), run, want)
	}
	t.Logf("3 replicas × 4 callers: %d tokens in %.2fs (rate %.0f/s, burst %d: at most %.0f)", len(uses), elapsed, r, b, b+r*elapsed)
}

// TestLiveReserveHoldsAcrossReplicas: batch rows on two replicas take
// every token they may, yet a third replica's live lookups find the live
// reserve at once; with no reserve they do not (the control).
func TestLiveReserveHoldsAcrossReplicas(t *testing.T) {
	opt := redisOptions(t)
	c := redis.NewClient(opt)
	defer c.Close()
	for _, tt := range []struct {
		name    string
		share   float64
		atLeast int // live tokens found within 150ms, of 5
		atMost  int
	}{
		{"reserve of half the burst", 0.5, 5, 5},
		{"no reserve (control)", 0, 0, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := prefix(t, c)
			const r, b = 2.0, 10 // a token every 500ms
			bgCtx, stop := context.WithCancel(transport.WithBackground(context.Background()))
			var wg sync.WaitGroup
			var background atomic.Int64
			for range 2 {
				rep := newReplica(t, opt, p, r, b, tt.share, 3)
				for range 3 {
					wg.Go(func() {
						for bgCtx.Err() == nil {
							if rep.lim.Wait(bgCtx) == nil {
								background.Add(1)
							}
						}
					})
				}
			}
			// The batch rows empty the bucket down to what they leave.
			for background.Load() < int64(b)-int64(tt.share*b) {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			live := newReplica(t, opt, p, r, b, tt.share, 3)
			got := 0
			for range 5 {
				ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
				if live.lim.Wait(ctx) == nil {
					got++
				}
				cancel()
			}
			stop()
			wg.Wait()
			if got < tt.atLeast || got > tt.atMost {
				t.Errorf("live lookups on another replica found %d of 5 tokens within 150ms, want %d–%d (batch rows took %d)", got, tt.atLeast, tt.atMost, background.Load())
			}
		})
	}
}

// TestUpstreamPauseReachesEveryReplica: a Retry-After one replica met
// stops the others too.
func TestUpstreamPauseReachesEveryReplica(t *testing.T) {
	opt := redisOptions(t)
	c := redis.NewClient(opt)
	defer c.Close()
	p := prefix(t, c)
	a := newReplica(t, opt, p, 100, 10, 0, 3)
	b := newReplica(t, opt, p, 100, 10, 0, 3)
	paused := time.Now()
	a.lim.PauseFor(context.Background(), 400*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	err := b.lim.Wait(ctx)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "upstream asked us to wait") {
		t.Fatalf("another replica during the pause: %v, want the upstream's pause", err)
	}
	if err := b.lim.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(paused); waited < 350*time.Millisecond {
		t.Errorf("another replica got a token %s after a 400ms pause began", waited)
	}
	// A background caller waits it out too.
	a.lim.PauseFor(context.Background(), 300*time.Millisecond)
	ctx, cancel = context.WithTimeout(transport.WithBackground(context.Background()), 50*time.Millisecond)
	defer cancel()
	if err := b.lim.Wait(ctx); err == nil {
		t.Fatal("a background caller got a token during the pause")
	}
}

// TestDeadRedisFallsBackToTheShare: with Redis unreachable from the start,
// a replica takes FallbackReplicas' share of the rate, never the whole
// rate, says so once in its log and in Ready.
func TestDeadRedisFallsBackToTheShare(t *testing.T) {
	redisOptions(t) // an integration test: runs where Redis tests run
	dead := deadAddr(t)
	rep := newReplica(t, &redis.Options{Addr: dead, DialTimeout: 100 * time.Millisecond, MaxRetries: -1}, "x:", 30, 3, 0, 3)
	if err := rep.shared.Ready(context.Background()); err != nil {
		t.Fatalf("Ready before Redis was asked: %v", err)
	}
	n := countFor(t, rep.lim, time.Second)
	if !rep.shared.Down() {
		t.Fatal("not down with Redis unreachable")
	}
	// A third of 30/s, from an empty bucket of burst 1: about 10 in 1s.
	if n > 11 || n < 8 {
		t.Errorf("%d tokens in 1s with Redis down: want about 10 (a third of 30/s)", n)
	}
	if err := rep.shared.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "1/3") {
		t.Errorf("Ready with Redis down: %v", err)
	}
	if w := rep.log.warns.Load(); w != 1 {
		t.Errorf("%d warnings logged, want 1", w)
	}
}

// TestLostRedisFallsBackToReplicasSeen: replicas that saw each other in
// Redis each take 1/n of the rate when Redis goes away, and share one
// bucket again when it comes back, without a fresh burst.
func TestLostRedisFallsBackToReplicasSeen(t *testing.T) {
	opt := redisOptions(t)
	c := redis.NewClient(opt)
	defer c.Close()
	p := prefix(t, c)
	px := newProxy(t, opt.Addr)
	popt := *opt
	popt.Addr, popt.DialTimeout, popt.MaxRetries = px.addr, 100*time.Millisecond, -1
	var reps []replica
	for range 4 {
		rep := newReplica(t, &popt, p, 40, 4, 0, 2)
		if err := rep.shared.Heartbeat(context.Background()); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	if err := reps[0].shared.Heartbeat(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := reps[0].shared.Replicas(); got != 4 {
		t.Fatalf("%d replicas seen, want 4", got)
	}
	px.stop()
	n := countFor(t, reps[0].lim, time.Second)
	if share, down := reps[0].shared.Fallback(); !down || share != 0.25 {
		t.Fatalf("fallback (%v, %v), want a quarter, down", share, down)
	}
	if n > 11 || n < 8 {
		t.Errorf("%d tokens in 1s with Redis lost: want about 10 (a quarter of 40/s)", n)
	}
	px.start()
	if err := reps[0].shared.Heartbeat(context.Background()); err != nil {
		t.Fatal(err)
	}
	if reps[0].shared.Down() || reps[0].shared.Ready(context.Background()) != nil {
		t.Fatal("still down after Redis answered")
	}
	// Back on the shared bucket, which filled up during the outage while
	// the upstream's did not: it is taken as empty, not as a fresh burst
	// of 4 on top of the fallback's tokens.
	if n := countFor(t, reps[0].lim, 200*time.Millisecond); n > 1+40*0.2+1 {
		t.Errorf("%d tokens in the first 200ms back on Redis: a burst on top of the fallback's", n)
	}
	if w := reps[0].log.warns.Load(); w != 1 {
		t.Errorf("%d warnings logged over one outage, want 1", w)
	}
}

// countFor counts the tokens 4 callers get from lim within d.
func countFor(t *testing.T, lim *transport.Limiter, d time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if lim.Wait(ctx) == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(n.Load())
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// proxy forwards TCP connections to an address; stop cuts every
// connection and refuses new ones, start listens again on the same port.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
}

func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
