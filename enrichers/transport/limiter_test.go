package transport_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

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
