package transport_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers/transport"
)

// deadStore is a shared store that never answers: after its first failure
// it reports itself down with the given share.
type deadStore struct {
	share float64
	down  atomic.Bool
	takes atomic.Int64
}

func (s *deadStore) Take(context.Context, string, transport.SharedTake) (transport.SharedGrant, error) {
	s.takes.Add(1)
	s.down.Store(true)
	return transport.SharedGrant{}, errors.New("connection refused")
}
func (s *deadStore) Pause(context.Context, string, time.Duration) error {
	return errors.New("connection refused")
}
func (s *deadStore) Fallback() (float64, bool) { return s.share, s.down.Load() }

// TestSharedStoreDownFallsBackToTheShare: with the store unreachable a
// limiter takes its share of the rate from an empty bucket, asks the store
// no more, and an unset limiter still refuses every token.
func TestSharedStoreDownFallsBackToTheShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &deadStore{share: 0.25}
		ls := transport.NewLimiters().WithShared(store)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ls.For("unset").Wait(ctx); err == nil || store.takes.Load() != 0 {
			t.Fatalf("an unset limiter: %v after %d takes; want refused without asking the store", err, store.takes.Load())
		}
		lim := ls.For("src")
		lim.Set(rate.Limit(8), 8, 0) // a quarter: 2/s, burst 2, starting empty
		start := time.Now()
		for range 4 {
			if err := lim.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("4 tokens at a quarter of 8/s from an empty bucket took %s, want 2s", got)
		}
		if n := store.takes.Load(); n != 1 {
			t.Errorf("the store was asked %d times, want once (then it is known down)", n)
		}
	})
}
