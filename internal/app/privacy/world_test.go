package privacy_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// upstream is the simulated web of these tests: an httptest server that
// counts the requests each source sends it.
type upstream struct {
	srv *httptest.Server
	mu  sync.Mutex
	n   map[string]int
}

func newUpstream(t testing.TB) *upstream {
	u := &upstream{n: map[string]int{}}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.n[strings.TrimPrefix(r.URL.Path, "/")]++
		u.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) count(source string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n[source]
}

func (u *upstream) total() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, v := range u.n {
		n += v
	}
	return n
}

func (u *upstream) get(ctx context.Context, source string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.srv.URL+"/"+source, nil)
	if err != nil {
		return err
	}
	res, err := u.srv.Client().Do(req)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

// mailbox (email → an account and a linked username), forum (username →
// an account) and domaininfo (the email's domain) ask the upstream;
// syntax is offline.
type mailbox struct{ u *upstream }
type forum struct{ u *upstream }
type domaininfo struct{ u *upstream }
type syntax struct{}

func desc(name string, network bool, kinds ...enrichers.Kind) enrichers.Description {
	return enrichers.Description{Name: name, Version: 1, Inputs: kinds, Network: network, RatePerS: 10000, Burst: 10000,
		Timeout: 2 * time.Second, TTL: time.Hour, NegativeTTL: 10 * time.Minute}
}

func (mailbox) Describe() enrichers.Description { return desc("mailbox", true, enrichers.KindEmail) }
func (s mailbox) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if err := s.u.get(ctx, "mailbox"); err != nil {
		return nil, err
	}
	link := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "janedoe", Method: enrichers.LinkedFrom("mailbox"), Platform: "forum", Prior: 0.9}
	return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "mailbox", Username: "jane", Method: enrichers.MethodEmailSearch, Via: id}},
		Identifiers: []enrichers.Identifier{link}}, nil
}

func (forum) Describe() enrichers.Description { return desc("forum", true, enrichers.KindUsername) }
func (s forum) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if err := s.u.get(ctx, "forum"); err != nil {
		return nil, err
	}
	return &enrichers.Finding{Accounts: []enrichers.Account{{Source: "forum", Username: id.Value, Method: id.Method, Via: id}}}, nil
}

func (domaininfo) Describe() enrichers.Description {
	return desc("domaininfo", true, enrichers.KindDomain)
}
func (s domaininfo) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	if err := s.u.get(ctx, "domaininfo"); err != nil {
		return nil, err
	}
	return &enrichers.Finding{Domain: &enrichers.DomainFacts{}}, nil
}

func (syntax) Describe() enrichers.Description { return desc("syntax", false, enrichers.KindEmail) }
func (syntax) Enrich(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	return &enrichers.Finding{Email: &enrichers.EmailFacts{Valid: true, Domain: id.Value[strings.LastIndex(id.Value, "@")+1:]}}, nil
}

// replica is one footprint process: its own cache (L1, sharing Redis),
// engine, pipeline and privacy service; the privacy store is shared.
type replica struct {
	cache  *cache.Cache
	engine *engine.Engine
	svc    *pipeline.Service
	priv   *privacy.Service
	purges atomic.Int32 // purge hook calls
}

type world struct {
	up       *upstream
	store    privacy.Store
	replicas []*replica
	// calls counts the lookups' questions to the store (Suppressed).
	calls *countingStore
}

// countingStore counts Suppressed calls: the store round trips of
// lookups.
type countingStore struct {
	privacy.Store
	n atomic.Int64
}

func (c *countingStore) Suppressed(ctx context.Context, hs ...subject.Hash) (*privacy.Suppression, error) {
	c.n.Add(1)
	return c.Store.Suppressed(ctx, hs...)
}

// worldOptions vary newWorldWith.
type worldOptions struct {
	// redis: the replicas share a Redis (the test skips without
	// FOOTPRINT_TEST_REDIS_URL) and a fresh purge channel.
	redis bool
	// store replaces the shared embedded store (PostgreSQL).
	store privacy.Store
	// inMemory: each replica loads the suppression list into memory and
	// keeps it fresh (serve's wiring: the cache's notices with redis,
	// reloaded every reload).
	inMemory bool
	reload   time.Duration
}

const redisEnv = "FOOTPRINT_TEST_REDIS_URL"

// newWorld builds n replicas. With redisShared they share a Redis (the
// test skips without FOOTPRINT_TEST_REDIS_URL) and a fresh purge channel.
func newWorld(t testing.TB, n int, redisShared bool) *world {
	t.Helper()
	return newWorldWith(t, n, worldOptions{redis: redisShared})
}

func newWorldWith(t testing.TB, n int, o worldOptions) *world {
	t.Helper()
	redisShared := o.redis
	w := &world{up: newUpstream(t)}
	var err error
	if o.store == nil {
		st, err := privacy.OpenBolt(filepath.Join(t.TempDir(), "privacy.db"), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		o.store = st
	}
	w.store = o.store
	w.calls = &countingStore{Store: o.store}
	secret := []byte("test-secret-" + rand.Text())
	channel := "fp:test:purge:" + rand.Text()
	var opt *redis.Options
	if redisShared {
		url := os.Getenv(redisEnv)
		if url == "" {
			t.Skipf("%s not set: skipping a test that needs Redis", redisEnv)
		}
		if opt, err = redis.ParseURL(url); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		r := &replica{}
		cc := cache.Config{Secret: secret, L1SizeMB: 8}
		if opt != nil {
			cl := redis.NewClient(opt)
			t.Cleanup(func() { _ = cl.Close() })
			cc.Redis, cc.PurgeChannel, cc.Heartbeat = cl, channel, 100*time.Millisecond
		}
		if r.cache, err = cache.New(cc); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.cache.Close() })
		reg := engine.NewRegistry()
		reg.Register(mailbox{w.up}, forum{w.up}, domaininfo{w.up}, syntax{})
		if r.engine, err = engine.New(reg, engine.Options{Cache: r.cache}); err != nil {
			t.Fatal(err)
		}
		r.cache.SetPurgeHook(func() { r.engine.ForgetMemo(); r.purges.Add(1) })
		pc := privacy.Config{Store: w.calls, Hasher: subject.NewHasher(secret), Cache: r.cache,
			Engine: r.engine, Shared: redisShared, Reload: o.reload}
		if o.inMemory && redisShared {
			pc.Notices = r.cache
		}
		if r.priv, err = privacy.New(pc); err != nil {
			t.Fatal(err)
		}
		if pc.Notices != nil {
			r.cache.SetNoticeListener(r.priv)
		}
		r.svc = pipeline.New(r.engine, pipeline.Config{Privacy: r.priv, DefaultTimeout: 5 * time.Second})
		w.replicas = append(w.replicas, r)
	}
	for _, r := range w.replicas {
		deadline := time.Now().Add(30 * time.Second)
		for !r.cache.Subscribed() {
			if time.Now().After(deadline) {
				t.Fatal("a replica never subscribed to purges")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if o.inMemory {
			if err := r.priv.LoadSuppressions(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); r.priv.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
		}
	}
	return w
}

func lookup(t testing.TB, r *replica, in pipeline.Input) *pipeline.Profile {
	t.Helper()
	p, err := r.svc.Enrich(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func statusOf(p *pipeline.Profile, source string) pipeline.SourceStatus {
	for _, s := range p.Sources {
		if s.Name == source {
			return s
		}
	}
	return pipeline.SourceStatus{}
}
