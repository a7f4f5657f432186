package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pgstore/pgtest"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func TestSecretShape(t *testing.T) {
	s := NewSecret("live")
	if !strings.HasPrefix(s, "fp_live_") || len(s) != len("fp_live_")+26 || !LooksLikeKey(s) {
		t.Fatalf("secret %q", s)
	}
	id := NewID()
	if !strings.HasPrefix(id, "key_") || len(id) != 20 {
		t.Fatalf("id %q", id)
	}
	h := NewHasher(testSecret)
	h1, h2 := h.Hash(s), NewHasher(testSecret).Hash(s)
	if h1 == h.Hash(NewSecret("live")) || h1 != h2 || NewHasher([]byte("another secret 16b")).Hash(s) == h.Hash(s) {
		t.Fatal("hashes do not tell secrets apart")
	}
	for _, bad := range []string{"", "fp_", "hunter2", "fp_live_a b", strings.Repeat("a", 200)} {
		if LooksLikeKey(bad) {
			t.Errorf("LooksLikeKey(%q)", bad)
		}
	}
}

// Stored keys hold this hash: it stays HMAC-SHA256 under the key derived
// from the secret, in hex, whatever computes it.
func TestHasherIsHMAC(t *testing.T) {
	const secret = "fp_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	// HMAC-SHA256("footprint api keys v1") under testSecret, then
	// HMAC-SHA256(secret) under that.
	const want = "c5bb7b861ec02b01f2945217dc59b3f89391f8c92b7e194692731f10ec0cebf0"
	if got := NewHasher(testSecret).Hash(secret); got != want {
		t.Fatalf("Hash = %s, want %s", got, want)
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 12, 3, 23, 59, 30, 0, time.UTC)
	l := Limits{RatePerMin: 60, QuotaPerDay: 3, QuotaPerMonth: 100}
	var tat time.Time
	var du, mu int64
	for i := range 3 {
		d, nt, ndu, nmu := decide(now, l, tat, du, mu, 1, 1)
		if !d.Allowed {
			t.Fatalf("call %d refused: %+v", i, d)
		}
		tat, du, mu = nt, ndu, nmu
	}
	d, _, _, _ := decide(now, l, tat, du, mu, 1, 1)
	if d.Allowed || d.Exceeded != PolicyDay || d.RetryAfter != 30*time.Second {
		t.Fatalf("fourth lookup: %+v", d)
	}
	h := http.Header{}
	d.SetHeaders(h)
	if got := h.Get("RateLimit-Policy"); got != `"per-minute";q=60;w=60, "per-day";q=3;w=86400, "per-month";q=100;w=2678400` {
		t.Errorf("RateLimit-Policy %q", got)
	}
	if got := h.Get("RateLimit"); got != `"per-minute";r=57;t=3, "per-day";r=0;t=30, "per-month";r=97;t=2419230` {
		t.Errorf("RateLimit %q", got)
	}
	if h.Get("X-RateLimit-Limit") != "3" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset") != "30" || h.Get("Retry-After") != "30" {
		t.Errorf("headers %v", h)
	}
	// The next day the quota is back (counters are per window: the caller
	// starts the new day at 0).
	d, _, _, _ = decide(now.Add(time.Minute), l, tat, 0, mu, 1, 1)
	if !d.Allowed {
		t.Fatalf("next day: %+v", d)
	}
	// Burst of the rate limit: 60 at once, then refused until a token is back.
	tat = time.Time{}
	for i := range 60 {
		var d Decision
		d, tat, _, _ = decide(now, Limits{RatePerMin: 60}, tat, 0, 0, 1, 0)
		if !d.Allowed {
			t.Fatalf("request %d refused", i)
		}
	}
	d, _, _, _ = decide(now, Limits{RatePerMin: 60}, tat, 0, 0, 1, 0)
	if d.Allowed || d.Exceeded != PolicyMinute || d.RetryAfter != time.Second {
		t.Fatalf("61st request: %+v", d)
	}
}

// TestFileStoreSharedWithCLI: two stores on one folder (the CLI's and the
// server's) see each other's changes; a revocation is seen within a
// second.
func TestFileStoreSharedWithCLI(t *testing.T) {
	dir := t.TempDir()
	server, _ := OpenFileStore(dir)
	cli, _ := OpenFileStore(dir)
	ss := New(Config{Store: server, Secret: testSecret})
	cs := New(Config{Store: cli, Secret: testSecret})
	ctx := context.Background()
	if on, _ := ss.Enforcing(ctx); on {
		t.Fatal("enforcing with no keys")
	}
	v, err := cs.Create(ctx, Spec{Name: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	// (Each try from its own address: failures before the server re-read
	// the file would otherwise hit the failed-authentication limit.)
	try := 0
	eventually(t, func() bool {
		try++
		k, err := ss.Authenticate(ctx, v.Key, fmt.Sprint("client-", try))
		return err == nil && k.ID == v.ID
	})
	eventually(t, func() bool { on, _ := ss.Enforcing(ctx); return on }) // within a second
	start := time.Now()
	if _, err := cs.Revoke(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { _, err := ss.Authenticate(ctx, v.Key, "a"); return err == ErrInvalidKey })
	if el := time.Since(start); el > time.Second {
		t.Errorf("revocation seen after %v", el)
	}
	// Usage and last use reach the store.
	v2, _ := cs.Create(ctx, Spec{Name: "b", QuotaPerDay: 2})
	var k *Key
	eventually(t, func() bool {
		try++
		k, err = ss.Authenticate(ctx, v2.Key, fmt.Sprint("client-", try))
		return err == nil
	})
	if _, err := ss.Take(ctx, k, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := ss.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The CLI's store re-reads the file at most every 250 ms.
	eventually(t, func() bool { got, _ := cs.Get(ctx, v2.ID); return got.LastUsedAt != nil }) // last use stored
	// A restarted server starts from the stored usage: the quota is spent.
	restarted := New(Config{Store: server, Secret: testSecret})
	if _, err := restarted.Take(ctx, k, 1, 1); err == nil {
		t.Fatal("quota forgotten across a restart")
	}
}

func eventually(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRotationGrace(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st, _ := OpenFileStore(t.TempDir())
	s := New(Config{Store: st, Secret: testSecret, Now: clock})
	ctx := context.Background()
	v, _ := s.Create(ctx, Spec{Name: "a"})
	r, err := s.Rotate(ctx, v.ID)
	if err != nil || r.ID != v.ID || r.Key == v.Key {
		t.Fatalf("rotate: %+v %v", r, err)
	}
	for _, sec := range []string{v.Key, r.Key} {
		if _, err := s.Authenticate(ctx, sec, "a"); err != nil {
			t.Fatalf("during the grace: %v", err)
		}
	}
	now = now.Add(RotationGrace + time.Second)
	st.mu.Lock()
	st.checkedAt = time.Time{}
	st.mu.Unlock()
	if _, err := s.Authenticate(ctx, v.Key, "a"); err != ErrInvalidKey {
		t.Fatalf("old secret after the grace: %v", err)
	}
	if _, err := s.Authenticate(ctx, r.Key, "a"); err != nil {
		t.Fatalf("new secret: %v", err)
	}
}

// TestTwoReplicasShareLimitsAndRevocation runs two services on one
// PostgreSQL store and one Redis: together they let through exactly a
// key's limit, and a key revoked on one is refused by the other within a
// second.
func TestTwoReplicasShareLimitsAndRevocation(t *testing.T) {
	rurl := os.Getenv("FOOTPRINT_TEST_REDIS_URL")
	if rurl == "" {
		t.Skip("FOOTPRINT_TEST_REDIS_URL is not set")
	}
	db := pgtest.New(t)
	ctx := context.Background()
	opt, err := redis.ParseURL(rurl)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	prefix := "fp:test:rl:" + strings.ToLower(rand.Text()) + ":"
	t.Cleanup(func() {
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	replica := func() *Service {
		st, err := OpenPGStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return New(Config{Store: st, Secret: testSecret, Counter: NewRedisCounter(rdb, prefix)})
	}
	a, b := replica(), replica()
	v, err := a.Create(ctx, Spec{Name: "shared", RatePerMin: 1000, QuotaPerDay: 50})
	if err != nil {
		t.Fatal(err)
	}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for _, s := range []*Service{a, b} {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					k, err := s.Authenticate(ctx, v.Key, "x")
					if err != nil {
						t.Error(err)
						return
					}
					if _, err := s.Take(ctx, k, 1, 1); err == nil {
						allowed.Add(1)
					} else if _, ok := err.(*LimitError); !ok {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	if got := allowed.Load(); got != 50 {
		t.Fatalf("two replicas let %d lookups through, want the quota (50)", got)
	}
	// Usage adds up across replicas in the store.
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	days, err := a.Usage(ctx, v.ID, 1)
	if err != nil || len(days) != 1 || days[0].Lookups != 50 {
		t.Fatalf("usage %+v %v", days, err)
	}
	// Revoked on a, refused by b within a second.
	if _, err := b.Authenticate(ctx, v.Key, "x"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := a.Revoke(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { _, err := b.Authenticate(ctx, v.Key, "x"); return err == ErrInvalidKey })
	if el := time.Since(start); el > time.Second {
		t.Errorf("revocation reached the other replica after %v", el)
	}
	// The store's own secret is one for every replica.
	s1, _ := a.store.(*PGStore).Secret(ctx)
	s2, _ := b.store.(*PGStore).Secret(ctx)
	if len(s1) != 32 || string(s1) != string(s2) {
		t.Fatal("replicas disagree on the store secret")
	}
}

func TestRedisRateLimitShared(t *testing.T) {
	rurl := os.Getenv("FOOTPRINT_TEST_REDIS_URL")
	if rurl == "" {
		t.Skip("FOOTPRINT_TEST_REDIS_URL is not set")
	}
	opt, _ := redis.ParseURL(rurl)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	prefix := "fp:test:rl:" + strings.ToLower(rand.Text()) + ":"
	a, b := NewRedisCounter(rdb, prefix), NewRedisCounter(rdb, prefix)
	ctx := context.Background()
	n := 0
	var last Decision
	for i := range 30 {
		c := a
		if i%2 == 1 {
			c = b
		}
		d, err := c.Take(ctx, "key_x", Limits{RatePerMin: 20}, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			n++
		}
		last = d
	}
	if n < 20 || n > 21 { // one token may refill during the loop
		t.Fatalf("%d of 30 requests allowed at 20/min", n)
	}
	if last.Allowed || last.Exceeded != PolicyMinute || last.RetryAfter <= 0 || last.RetryAfter > 3*time.Second {
		t.Fatalf("last decision %+v", last)
	}
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// TestPGOutageHonoursRecentKeys closes the PostgreSQL pool under a
// running store: a key read in the last PGStaleOnError is still accepted,
// an older one and an unknown one get UnavailableError (503 at the API),
// never ErrInvalidKey (a 401 would tell clients their key is bad).
func TestPGOutageHonoursRecentKeys(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	st, err := OpenPGStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st.nowFn = func() time.Time { return now }
	s := New(Config{Store: st, Secret: testSecret})
	v, err := s.Create(ctx, Spec{Name: "outage"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, v.Key, "a"); err != nil {
		t.Fatal(err)
	}
	db.Close() // the database is gone

	for _, tc := range []struct {
		name    string
		after   time.Duration
		key     string
		wantErr bool
	}{
		{"fresh read, from the cache", PGCacheTTL / 2, v.Key, false},
		{"stale but recent", PGStaleOnError - time.Second, v.Key, false},
		{"too old to trust", PGStaleOnError + time.Second, v.Key, true},
		{"never read here", time.Second, "fp_live_" + strings.Repeat("x", 40), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC).Add(tc.after)
			_, err := s.Authenticate(ctx, tc.key, "a")
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("Authenticate during the outage: %v", err)
				}
				return
			}
			var ue *UnavailableError
			if !errors.As(err, &ue) || errors.Is(err, ErrInvalidKey) {
				t.Fatalf("err = %v, want UnavailableError and not ErrInvalidKey", err)
			}
		})
	}
}

// TestRateLimitHeaderNames: SetHeaders assigns canonical names (as Set
// would have made them), so they read back under any spelling.
func TestRateLimitHeaderNames(t *testing.T) {
	h := http.Header{}
	Decision{Allowed: true, Policies: []Policy{{Name: PolicyMinute, Quota: 60, Remaining: 59, Window: time.Minute, Reset: time.Second}}}.SetHeaders(h)
	for k := range h {
		if k != http.CanonicalHeaderKey(k) {
			t.Errorf("header name %q is not canonical", k)
		}
	}
	for _, k := range []string{"RateLimit-Policy", "RateLimit", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		if h.Get(k) == "" {
			t.Errorf("%s missing: %v", k, h)
		}
	}
	if len(h) != 5 {
		t.Errorf("%d headers: %v", len(h), h)
	}
}

// TestMemoryCounterWindows: the counter asks its baseline for a window's
// usage once, when the window begins, by the window's name, and starts
// each new day (and month) from the baseline's answer.
func TestMemoryCounterWindows(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)
	var asked []string
	m := NewMemoryCounter(func(_ context.Context, keyID, day, month string) (int64, int64, error) {
		asked = append(asked, keyID+" "+day+" "+month)
		return 10, 20, nil
	}, func() time.Time { return now })
	l := Limits{QuotaPerDay: 12, QuotaPerMonth: 100}
	take := func() Decision {
		t.Helper()
		d, err := m.Take(t.Context(), "k", l, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	take()
	take()
	if d := take(); d.Allowed || d.Exceeded != PolicyDay { // 10 from the baseline + 2
		t.Fatalf("third lookup of the day: %+v", d)
	}
	now = now.Add(2 * time.Second).In(time.FixedZone("UTC-5", -5*3600)) // 1 December, UTC; 30 November in that zone
	if d := take(); !d.Allowed {
		t.Fatalf("first lookup of the next day and month: %+v", d)
	}
	take()
	want := []string{"k 2026-11-30 2026-11", "k 2026-12-01 2026-12"}
	if !slices.Equal(asked, want) {
		t.Fatalf("baseline asked %q, want %q", asked, want)
	}
}

// TestUsageBufferDays: lookups are summed per key and UTC day, named
// 2006-01-02.
func TestUsageBufferDays(t *testing.T) {
	var b usageBuffer
	d1 := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	b.add("k", d1, 1)
	b.add("k", d1.Add(30*time.Minute), 1)
	b.add("k", d1.Add(2*time.Hour).In(time.FixedZone("UTC-5", -5*3600)), 1)
	b.add("k", d1.Add(3*time.Hour), 1)
	got := map[string]int64{}
	for _, d := range b.take() {
		got[d.KeyID+" "+d.Day] = d.Lookups
	}
	if want := map[string]int64{"k 2026-11-30": 2, "k 2026-12-01": 2}; !maps.Equal(got, want) {
		t.Fatalf("usage %v, want %v", got, want)
	}
}

// setHeadersPlain is SetHeaders written the plain way (Set, Sprintf,
// FormatInt): the headers SetHeaders must write, byte for byte.
func setHeadersPlain(d Decision, h http.Header) {
	if len(d.Policies) == 0 {
		return
	}
	var policy, state []string
	tight := d.Policies[0]
	for _, p := range d.Policies {
		policy = append(policy, fmt.Sprintf("%q;q=%d;w=%d", p.Name, p.Quota, seconds(p.Window)))
		state = append(state, fmt.Sprintf("%q;r=%d;t=%d", p.Name, p.Remaining, seconds(p.Reset)))
		switch {
		case d.Exceeded != "":
			if p.Name == d.Exceeded {
				tight = p
			}
		case p.Remaining*tight.Quota < tight.Remaining*p.Quota:
			tight = p
		}
	}
	h.Set("RateLimit-Policy", strings.Join(policy, ", "))
	h.Set("RateLimit", strings.Join(state, ", "))
	h.Set("X-RateLimit-Limit", strconv.FormatInt(tight.Quota, 10))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(tight.Remaining, 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(seconds(tight.Reset), 10))
	if !d.Allowed {
		h.Set("Retry-After", strconv.FormatInt(max(seconds(d.RetryAfter), 1), 10))
	}
}

// TestSetHeadersBytes: SetHeaders writes exactly the headers of the plain
// way, for one limit or three, allowed or refused, small and large numbers
// (past the stack buffer too).
func TestSetHeadersBytes(t *testing.T) {
	t.Parallel()
	minute := Policy{Name: PolicyMinute, Quota: MaxRatePerMin, Window: time.Minute, Remaining: MaxRatePerMin - 1, Reset: 3 * time.Millisecond}
	day := Policy{Name: PolicyDay, Quota: 3, Window: 24 * time.Hour, Remaining: 0, Reset: 30 * time.Second}
	month := Policy{Name: PolicyMonth, Quota: 1 << 62, Window: 31 * 24 * time.Hour, Remaining: 1<<62 - 12345, Reset: 2419230 * time.Second}
	long := Policy{Name: strings.Repeat("per-long-name-", 30), Quota: 99, Window: time.Hour, Remaining: 98, Reset: 1500 * time.Millisecond}
	for _, d := range []Decision{
		{},
		{Allowed: true, Policies: []Policy{minute}},
		{Allowed: true, Policies: []Policy{{Name: PolicyMinute, Quota: 60, Window: time.Minute, Remaining: 0}}},
		{Allowed: true, Policies: []Policy{minute, day, month}},
		{Allowed: true, Policies: []Policy{minute, month}},
		{Allowed: false, Exceeded: PolicyDay, RetryAfter: 30 * time.Second, Policies: []Policy{minute, day, month}},
		{Allowed: false, Exceeded: PolicyMinute, RetryAfter: time.Millisecond, Policies: []Policy{minute}},
		{Allowed: true, Policies: []Policy{long, minute, long, month}},
	} {
		got, want := http.Header{}, http.Header{}
		d.SetHeaders(got)
		setHeadersPlain(d, want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v:\n got  %q\n want %q", d, got, want)
		}
	}
}

// TestSpentIsTake: the failed-authentications check (spent) answers what
// Take with no request answers of its one policy, and leaves the same
// state, through failures, refusals and the bucket draining.
func TestSpentIsTake(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 31, 23, 59, 50, 0, time.UTC)
	clock := func() time.Time { return now }
	viaTake, viaSpent := NewMemoryCounter(nil, clock), NewMemoryCounter(nil, clock)
	const rate = 10
	l := Limits{RatePerMin: rate}
	ctx := context.Background()
	everSpent := false
	for i := range 60 {
		d, err := viaTake.Take(ctx, failPrefix+"192.0.2.1", l, 0, 0)
		if err != nil || len(d.Policies) != 1 {
			t.Fatalf("step %d: %+v %v", i, d, err)
		}
		spent, reset := viaSpent.spent(failPrefix, "192.0.2.1", rate)
		if spent != (d.Policies[0].Remaining == 0) || reset != d.Policies[0].Reset {
			t.Fatalf("step %d: spent %v reset %v, Take %+v", i, spent, reset, d.Policies[0])
		}
		// The windows' starts count nothing for a rate alone: the state
		// that matters is the bucket's.
		if a, b := viaTake.state[failPrefix+"192.0.2.1"], viaSpent.state[failPrefix+"192.0.2.1"]; len(viaTake.state) != len(viaSpent.state) || !a.tat.Equal(b.tat) {
			t.Fatalf("step %d: states differ:\n %+v\n %+v", i, *a, *b)
		}
		everSpent = everSpent || spent
		if i%5 != 4 { // four failures, then a pause
			for _, c := range []*MemoryCounter{viaTake, viaSpent} {
				if _, err := c.Take(ctx, failPrefix+"192.0.2.1", l, 1, 0); err != nil {
					t.Fatal(err)
				}
			}
			now = now.Add(700 * time.Millisecond)
		} else {
			now = now.Add(9 * time.Second)
		}
	}
	if !everSpent {
		t.Error("never spent: the test does not reach the limit")
	}
}

// TestWindowsMemo: the remembered windows are windowBounds's, as the
// clock crosses days, months and years, and goes back.
func TestWindowsMemo(t *testing.T) {
	t.Parallel()
	var w windowsMemo
	berlin := time.FixedZone("CET", 3600)
	for _, now := range []time.Time{
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 0, 30, 0, 0, berlin), // still 31 December in UTC
		time.Date(2027, 1, 1, 0, 59, 59, 0, time.UTC),
		time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC),
		time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
		time.Now(),
		time.Now().Add(time.Millisecond),
	} {
		d1, m1, de1, me1 := w.of(now)
		d2, m2, de2, me2 := windowBounds(now)
		if d1 != d2 || m1 != m2 || de1 != de2 || me1 != me2 {
			t.Errorf("%v: remembered %v %v %v %v, windowBounds %v %v %v %v", now, d1, m1, de1, me1, d2, m2, de2, me2)
		}
	}
}

// TestObserveProfile: a lookup's sources are counted by status, and it is
// cached when every source that ran answered from the cache (skipped ones
// do not count); lookups are not charged here (Take does that).
func TestObserveProfile(t *testing.T) {
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	src := func(st enrichers.Status, cached bool) pipeline.SourceStatus {
		return pipeline.SourceStatus{Name: "s", Status: st, Cached: cached}
	}
	for _, tc := range []struct {
		name     string
		sources  []pipeline.SourceStatus
		cached   int64
		statuses map[string]int64
	}{
		{"no sources", nil, 1, map[string]int64{}},
		{"all cached, one skipped", []pipeline.SourceStatus{src(enrichers.StatusOK, true), src(enrichers.StatusNotFound, true), src(enrichers.StatusSkipped, false)},
			1, map[string]int64{"ok": 1, "not_found": 1, "skipped": 1}},
		{"one asked upstream", []pipeline.SourceStatus{src(enrichers.StatusOK, true), src(enrichers.StatusOK, false), src(enrichers.StatusTimeout, false)},
			0, map[string]int64{"ok": 2, "timeout": 1}},
		{"every status", []pipeline.SourceStatus{src(enrichers.StatusOK, false), src(enrichers.StatusNotFound, false), src(enrichers.StatusSkipped, false),
			src(enrichers.StatusTimeout, false), src(enrichers.StatusRateLimited, false), src(enrichers.StatusCircuitOpen, false),
			src(enrichers.StatusBlocked, false), src(enrichers.StatusError, false), src(enrichers.StatusError, false)},
			0, map[string]int64{"ok": 1, "not_found": 1, "skipped": 1, "timeout": 1, "rate_limited": 1, "circuit_open": 1, "blocked": 1, "error": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Service{now: func() time.Time { return at }}
			s.ObserveProfile("k", &pipeline.Profile{Sources: tc.sources})
			ds := s.usage.take()
			if len(ds) != 1 {
				t.Fatalf("%d deltas", len(ds))
			}
			d := ds[0]
			if d.KeyID != "k" || d.Day != "2026-12-04" || d.Lookups != 0 || d.Cached != tc.cached || !maps.Equal(d.Statuses, tc.statuses) {
				t.Fatalf("delta %+v, want cached %d, statuses %v", d, tc.cached, tc.statuses)
			}
		})
	}
}

// TestUsageBufferPutBack: deltas a failed flush puts back are summed with
// what was counted meanwhile, lookups, cached answers and statuses alike.
func TestUsageBufferPutBack(t *testing.T) {
	var b usageBuffer
	d1 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	b.add("k", d1, 2)
	b.addCounts("k", d1, 1, []statusCount{{"ok", 3}, {"not_found", 1}})
	taken := b.take()
	b.add("k", d1.Add(time.Hour), 1)
	b.addCounts("k", d1.Add(time.Hour), 0, []statusCount{{"ok", 2}})
	b.putBack(taken)
	got := b.take()
	want := []UsageDelta{{KeyID: "k", Day: "2026-12-04", Lookups: 3, Cached: 1, Statuses: map[string]int64{"ok": 5, "not_found": 1}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after putBack %+v, want %+v", got, want)
	}
}
