package enrichers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
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
			// 0.01/s: no token comes back during the test.
			l := enrichers.NewLimiter(rate.Limit(0.01), tt.burst).WithLiveReserve(tt.share)
			got := 0
			for range tt.burst + 1 {
				ctx, cancel := within(20 * time.Millisecond)
				if l.Wait(enrichers.WithBackground(ctx)) == nil {
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
	}
}

// TestBackgroundNeverDelaysLive: a live caller that has queued for the next
// token keeps it; a background caller waiting at the same time does not
// jump the queue, and gives up at its deadline.
func TestBackgroundNeverDelaysLive(t *testing.T) {
	l := enrichers.NewLimiter(rate.Limit(20), 1) // one token every 50ms
	ctx, cancel := within(time.Second)
	defer cancel()
	if err := l.Wait(ctx); err != nil { // empties the bucket
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var liveErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		liveErr = l.Wait(ctx) // queues for the token at +50ms
	}()
	time.Sleep(5 * time.Millisecond)
	bctx, bcancel := within(80 * time.Millisecond)
	defer bcancel()
	// The token at +50ms is the live caller's and the next comes at +100ms,
	// after the background deadline.
	if err := l.Wait(enrichers.WithBackground(bctx)); err == nil {
		t.Error("background caller got a token promised to a live caller")
	}
	wg.Wait()
	if liveErr != nil {
		t.Errorf("live caller: %v", liveErr)
	}
}

// TestBackgroundUsesTheWholeRateAlone: with no live traffic, background
// callers are limited by the rate, not starved by the reserve.
func TestBackgroundUsesTheWholeRateAlone(t *testing.T) {
	l := enrichers.NewLimiter(rate.Limit(200), 4).WithLiveReserve(0.5)
	ctx, cancel := within(10 * time.Second)
	defer cancel()
	bg := enrichers.WithBackground(ctx)
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
	wg.Wait() // 40 tokens at 200/s: well within the deadline if the rate binds
}
