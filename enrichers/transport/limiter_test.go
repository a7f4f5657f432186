package transport_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

func within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// TestBackgroundLeavesTheLiveReserve: background callers take only the
// tokens above the reserve, and never queue for a future token, so live
// callers still find the reserve.
func TestBackgroundLeavesTheLiveReserve(t *testing.T) {
	tests := []struct {
		name               string
		burst              int
		share              float64
		wantBackground     int // tokens background callers get from a full bucket
		wantLiveAfterwards int
	}{
		{"reserve of half the burst", 4, 0.5, 2, 2},
		{"no reserve", 4, 0, 4, 0},
		{"burst of one: background still gets its token", 1, 0.5, 1, 0},
		{"reserve capped so background keeps one token", 3, 0.9, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// 0.01/s: no token comes back during the test.
				l := transport.NewLimiter(rate.Limit(0.01), tt.burst).WithLiveReserve(tt.share)
				got := 0
				for range tt.burst + 1 {
					ctx, cancel := within(20 * time.Millisecond)
					if l.Wait(transport.WithBackground(ctx)) == nil {
						got++
					}
					cancel()
				}
				if got != tt.wantBackground {
					t.Errorf("background took %d tokens, want %d", got, tt.wantBackground)
				}
				live := 0
				for range tt.burst + 1 {
					ctx, cancel := within(20 * time.Millisecond)
					if l.Wait(ctx) == nil {
						live++
					}
					cancel()
				}
				if live != tt.wantLiveAfterwards {
					t.Errorf("live callers then took %d tokens, want %d", live, tt.wantLiveAfterwards)
				}
			})
		})
	}
}

// TestBackgroundNeverDelaysLive: a background caller that finds no token
// to spare gives up without reserving the next one, so the live caller
// after it still gets the next token.
func TestBackgroundNeverDelaysLive(t *testing.T) {
	synctest.Test(t, backgroundNeverDelaysLive)
}

func backgroundNeverDelaysLive(t *testing.T) {
	l := transport.NewLimiter(rate.Limit(20), 1) // one token every 50ms
	ctx, cancel := within(time.Second)
	defer cancel()
	if err := l.Wait(ctx); err != nil { // empties the bucket
		t.Fatal(err)
	}
	bctx, bcancel := within(10 * time.Millisecond)
	defer bcancel()
	if err := l.Wait(transport.WithBackground(bctx)); err == nil {
		t.Fatal("background caller got a token that does not exist yet")
	}
	// The next token comes within 50ms of the first: a live caller with
	// 70ms gets it, unless the background caller had queued for it.
	lctx, lcancel := within(70 * time.Millisecond)
	defer lcancel()
	if err := l.Wait(lctx); err != nil {
		t.Errorf("live caller after a background one: %v", err)
	}
}

// TestBackgroundUsesTheWholeRateAlone: with no live traffic, background
// callers are limited by the rate, not starved by the reserve.
func TestBackgroundUsesTheWholeRateAlone(t *testing.T) {
	synctest.Test(t, backgroundUsesTheWholeRateAlone)
}

func backgroundUsesTheWholeRateAlone(t *testing.T) {
	start := time.Now()
	l := transport.NewLimiter(rate.Limit(200), 4).WithLiveReserve(0.5)
	ctx, cancel := within(10 * time.Second)
	defer cancel()
	bg := transport.WithBackground(ctx)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := l.Wait(bg); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Two tokens above the reserve at once, then one every 5ms (the rate,
	// not the reserve, binds): 38 × 5ms of the bubble's clock.
	if got := time.Since(start); got != 190*time.Millisecond {
		t.Errorf("40 background tokens took %s, want 190ms", got)
	}
}

// upstream is an in-memory http.RoundTripper: /moved redirects to /here,
// everything else answers 200. It counts the requests that reach it.
type upstream struct{ hits atomic.Int64 }

func (u *upstream) RoundTrip(req *http.Request) (*http.Response, error) {
	u.hits.Add(1)
	res := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: req}
	if req.URL.Path == "/moved" {
		res.StatusCode = http.StatusFound
		res.Header.Set("Location", "/here")
	}
	return res, nil
}

// TestClientPaysItsLimiterPerRequest: a source's client built with its
// limiter pays one token per request (a redirect hop is part of the
// request); when no token comes before the deadline the request never
// leaves and the error is rate_limited, held back locally.
func TestClientPaysItsLimiterPerRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := &upstream{}
		lim := transport.NewLimiter(rate.Limit(0.01), 3) // no token comes back during the test
		c := transport.New(transport.Config{Source: "src", Base: up, Limiter: lim})
		ctx, cancel := within(time.Second)
		defer cancel()
		for _, path := range []string{"/a", "/b", "/moved"} {
			if _, err := c.Get(ctx, "https://upstream.test"+path, nil); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		if got := up.hits.Load(); got != 4 {
			t.Fatalf("%d requests reached the upstream, want 4 (the redirect's two hops)", got)
		}
		_, err := c.Get(ctx, "https://upstream.test/d", nil)
		var se *enrichers.SourceError
		if !errors.As(err, &se) || se.Status != enrichers.StatusRateLimited || se.Source != "src" || !errors.Is(err, transport.ErrLocalLimit) {
			t.Fatalf("fourth request: %v, want rate_limited by the local limit", err)
		}
		if got := up.hits.Load(); got != 4 {
			t.Fatalf("a request held back reached the upstream (%d)", got)
		}
		// Without a limiter the client is not limited.
		free := transport.New(transport.Config{Source: "src", Base: up})
		for range 5 {
			if _, err := free.Get(ctx, "https://upstream.test/e", nil); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestLimitersFailClosed: a limiter handed out by Limiters refuses every
// token until its rate is set, and Set refills the bucket.
func TestLimitersFailClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ls := transport.NewLimiters()
		lim := ls.For("src")
		if ls.For("src") != lim || ls.Get("src") != lim || ls.Get("other") != nil {
			t.Fatal("Limiters: one limiter per source")
		}
		ctx, cancel := within(time.Second)
		defer cancel()
		if err := lim.Wait(ctx); err == nil {
			t.Fatal("an unset limiter handed out a token")
		}
		lim.Set(rate.Limit(0.01), 2, 0)
		for i := range 2 {
			if err := lim.Wait(ctx); err != nil {
				t.Fatalf("token %d of a fresh bucket: %v", i, err)
			}
		}
		var nilSet *transport.Limiters
		if nilSet.For("src") != nil || nilSet.Get("src") != nil {
			t.Fatal("a nil Limiters hands out limiters")
		}
		if err := nilSet.For("src").Take(ctx, "src"); err != nil {
			t.Fatalf("a nil limiter is free: %v", err)
		}
	})
}

// TestAdmissionPaysTheFirstRequest: the token the engine took to admit a
// call is spent by the call's first request; every further request, and
// every request through another limiter, pays its own.
func TestAdmissionPaysTheFirstRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := &upstream{}
		lim := transport.NewLimiter(rate.Limit(0.01), 2) // no token comes back during the test
		c := transport.New(transport.Config{Source: "src", Base: up, Limiter: lim})
		ctx, cancel := within(time.Second)
		defer cancel()
		call, err := lim.Admit(ctx, "src")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 { // the admitted first request, then one paying the last token
			if _, err := c.Get(call, "https://upstream.test/a", nil); err != nil {
				t.Fatalf("request %d of the call: %v", i, err)
			}
		}
		if _, err := c.Get(call, "https://upstream.test/a", nil); !errors.Is(err, transport.ErrLocalLimit) {
			t.Fatalf("third request with the bucket empty: %v", err)
		}
		// An admission by another limiter pays nothing here.
		other, err := transport.NewLimiter(rate.Limit(0.01), 1).Admit(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(other, "https://upstream.test/a", nil); !errors.Is(err, transport.ErrLocalLimit) {
			t.Fatalf("another limiter's admission: %v", err)
		}
		if got := up.hits.Load(); got != 2 {
			t.Fatalf("%d requests reached the upstream, want 2", got)
		}
		// Admitting with no token before the deadline is rate_limited.
		if _, err := lim.Admit(ctx, "src"); !errors.Is(err, transport.ErrLocalLimit) {
			t.Fatalf("admission with the bucket empty: %v", err)
		}
	})
}

// sends records when requests left, in synctest's fake time.
type sends struct {
	mu sync.Mutex
	at []time.Time
}

func (s *sends) add() {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

// closest is the shortest gap between two requests.
func (s *sends) closest() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := time.Duration(math.MaxInt64)
	for i := 1; i < len(s.at); i++ {
		best = min(best, s.at[i].Sub(s.at[i-1]))
	}
	return best
}

// TestRowsThatWaitedNeverBurst: batch rows refused a token within their
// budget wait for their turn (AwaitTurn), then come back after a while
// (taking an enrichment slot, running their cached sources) and send.
// Against an upstream that enforces its rate with a burst of one, no two
// requests may leave closer than 1/rate: a token taken while waiting and
// spent later let held-back rows bunch up (issue 22: 1 040 requests
// throttled). Every row still gets its request out.
func TestRowsThatWaitedNeverBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const perS = 2
		l := transport.NewLimiter(rate.Limit(perS), 1)
		var got sends
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				row := transport.WithPlace(transport.WithBackground(context.Background()))
				for {
					ctx, cancel := context.WithTimeout(row, 300*time.Millisecond)
					err := l.Take(ctx, "reddit")
					cancel()
					if err == nil {
						got.add()
						return
					}
					if !errors.Is(err, transport.ErrLocalLimit) {
						t.Error(err)
						return
					}
					if row, err = l.AwaitTurn(row); err != nil {
						t.Error(err)
						return
					}
					// Back to an enrichment slot, each row after its own delay.
					time.Sleep(time.Duration(10+40*i) * time.Millisecond)
				}
			}()
		}
		wg.Wait()
		if len(got.at) != 8 {
			t.Fatalf("%d requests sent, want 8", len(got.at))
		}
		if gap := got.closest(); gap < time.Second/perS {
			t.Errorf("two requests %v apart, want at least %v (rate %d/s, burst 1)", gap, time.Second/perS, perS)
		}
	})
}

// TestLaterRequestOfACallGoesFirst: a call that sent its first request
// (its admission spent) gets the token of its next request before the
// background callers that queued earlier: a WebFinger's account lookup is
// not refused behind other rows' first requests (issue 22: the 200-row
// job stalled on mastodon).
func TestLaterRequestOfACallGoesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := transport.NewLimiter(rate.Limit(1), 1)
		bg := transport.WithBackground(context.Background())
		var older []context.Context // rows that began before the call's
		for range 3 {
			older = append(older, transport.WithPlace(bg))
		}
		time.Sleep(time.Millisecond)
		call, err := l.Admit(transport.WithPlace(bg), "mastodon") // the bucket's token
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Take(call, "mastodon"); err != nil { // the first request spends it
			t.Fatal(err)
		}
		// The older rows queue, with no deadline, for the next tokens.
		var wg sync.WaitGroup
		for _, row := range older {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := l.Take(row, "mastodon"); err != nil {
					t.Error(err)
				}
			}()
		}
		synctest.Wait()
		ctx, cancel := context.WithTimeout(call, 1500*time.Millisecond)
		defer cancel()
		if err := l.Take(ctx, "mastodon"); err != nil {
			t.Errorf("the call's second request, with three older rows waiting: %v", err)
		}
		wg.Wait()
	})
}

// TestBackgroundRefusedAtOnceBehindTheQueue: a background caller whose turn
// cannot come before its deadline is refused at once, not when the
// deadline passes: its row then waits outside its budget.
func TestBackgroundRefusedAtOnceBehindTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := transport.NewLimiter(rate.Limit(1), 1)
		bg := transport.WithBackground(context.Background())
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		for range 4 {
			go func() { _ = l.Take(transport.WithPlace(ctx), "pypi") }()
		}
		synctest.Wait()
		start := time.Now()
		short, scancel := context.WithTimeout(transport.WithPlace(bg), 2*time.Second)
		defer scancel()
		if err := l.Take(short, "pypi"); !errors.Is(err, transport.ErrLocalLimit) {
			t.Fatalf("Take behind 3 waiting callers with 2 s: %v, want ErrLocalLimit", err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("refused after %v, want at once", waited)
		}
	})
}

// TestLiveAheadOfWaitingRows: while a job's rows wait for their turn at a
// limiter (some kept a turn with AwaitTurn, others queue for tokens), a
// live lookup still gets the next token: each of ten live callers with a
// budget of 1.1 × 1/rate is served (issue 22: live lookups made during a
// job were all incomplete), and the rows still get tokens between them.
func TestLiveAheadOfWaitingRows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := transport.NewLimiter(rate.Limit(1), 1).WithLiveReserve(0.2)
		ctx, cancel := context.WithCancel(transport.WithBackground(context.Background()))
		var wg sync.WaitGroup
		var rows atomic.Int64
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				row := transport.WithPlace(ctx)
				for ctx.Err() == nil {
					if i%3 == 0 {
						if _, err := l.AwaitTurn(row); err != nil {
							return
						}
					}
					if l.Take(row, "reddit") == nil {
						rows.Add(1)
					}
				}
			}()
		}
		// The rows are waiting: the bucket is empty and the queue full.
		time.Sleep(3500 * time.Millisecond)
		before := rows.Load()
		for i := range 10 {
			lctx, lcancel := context.WithTimeout(context.Background(), 1100*time.Millisecond)
			if err := l.Take(lctx, "reddit"); err != nil {
				t.Errorf("live lookup %d: %v", i, err)
			}
			lcancel()
			time.Sleep(time.Second) // a token for the rows
		}
		if rows.Load() == before {
			t.Error("the rows got no token between the live lookups")
		}
		cancel()
		wg.Wait()
	})
}
