package privacy_test

import (
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// suppressed reports whether a lookup of in on r comes back suppressed.
func suppressed(t *testing.T, r *replica, in pipeline.Input) bool {
	t.Helper()
	return lookup(t, r, in).Suppressed
}

// TestSuppressionFromMemoryAcrossReplicas: with the list in memory, a
// suppression made on replica a holds there when Suppress returns and on
// replica b as soon as b hears the broadcast, and neither asks the store
// on any lookup, before or after (cached answers included). Lifting it
// lets lookups through on both, again without a store round trip.
func TestSuppressionFromMemoryAcrossReplicas(t *testing.T) {
	w := newWorldWith(t, 2, worldOptions{redis: true, inMemory: true})
	a, b := w.replicas[0], w.replicas[1]
	in := pipeline.Input{Email: "jane.doe@gmail.com"}
	lookup(t, a, in)
	lookup(t, b, in)
	for range 10 {
		if suppressed(t, a, in) || suppressed(t, b, in) {
			t.Fatal("suppressed before any suppression")
		}
	}
	sub, err := a.priv.Identify("Jane.Doe+x@googlemail.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	sp, created, err := a.priv.Suppress(t.Context(), sub, "objection", "admin")
	if err != nil || !created {
		t.Fatal(created, err)
	}
	// At once on a: no waiting for its own broadcast.
	if !suppressed(t, a, in) {
		t.Fatal("replica a: not suppressed when Suppress returned")
	}
	waitFor(t, "replica b hears the suppression", func() bool { return suppressed(t, b, in) })
	before := w.up.total()
	for range 20 {
		for _, r := range []*replica{a, b} {
			if !suppressed(t, r, pipeline.Input{Email: "janedoe+shop@gmail.com", Options: pipeline.Options{Cache: "refresh"}}) {
				t.Fatal("a lookup after the suppression was not suppressed")
			}
		}
	}
	if got := w.up.total(); got != before {
		t.Errorf("suppressed subject: %d upstream requests", got-before)
	}
	if n := w.calls.n.Load(); n != 0 {
		t.Errorf("lookups asked the store %d times; the list in memory answers them", n)
	}

	if err := a.priv.Unsuppress(t.Context(), sp.ID); err != nil {
		t.Fatal(err)
	}
	if suppressed(t, a, in) {
		t.Error("replica a: still suppressed when Unsuppress returned")
	}
	waitFor(t, "replica b hears the suppression lifted", func() bool { return !suppressed(t, b, in) })
	if n := w.calls.n.Load(); n != 0 {
		t.Errorf("lookups asked the store %d times", n)
	}
}

// TestLostSuppressionBroadcast: a suppression whose broadcast never
// arrives (written to the store behind the replicas' backs) is honoured
// after the next periodic reload; and while the broadcast's subscription
// is down, lookups ask the store, so nothing missed meanwhile slips
// through, until the subscription is back and the list reloaded.
func TestLostSuppressionBroadcast(t *testing.T) {
	w := newWorldWith(t, 1, worldOptions{redis: true, inMemory: true, reload: 20 * time.Millisecond})
	r := w.replicas[0]
	in := pipeline.Input{Email: "jane.doe@gmail.com"}
	sub, err := r.priv.Identify(in.Email, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if suppressed(t, r, in) {
		t.Fatal("suppressed before any suppression")
	}
	// The store has it; no replica was told.
	if _, _, err := w.store.Suppress(t.Context(), privacy.Suppression{ID: "sup_lost", Subjects: sub.Hashes, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload finds the suppression", func() bool { return suppressed(t, r, in) })
	if n := w.calls.n.Load(); n != 0 {
		t.Errorf("lookups asked the store %d times; the reload, not the store, healed the list", n)
	}

	// The subscription is lost: what is missed now must not slip through.
	r.priv.SubscriptionChanged(false)
	other := pipeline.Input{Email: "john.roe@example.com"}
	osub, err := r.priv.Identify(other.Email, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.store.Suppress(t.Context(), privacy.Suppression{ID: "sup_missed", Subjects: osub.Hashes, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if !suppressed(t, r, other) {
		t.Error("a suppression missed while the subscription was down slipped through")
	}
	if w.calls.n.Load() == 0 {
		t.Error("without the subscription, lookups did not ask the store")
	}
	r.priv.SubscriptionChanged(true)
	waitFor(t, "the list is trusted again after the reload", func() bool {
		n := w.calls.n.Load()
		return suppressed(t, r, other) && w.calls.n.Load() == n
	})
}

// TestSuppressionsWithoutBroadcast: replicas sharing a store without a
// broadcast (PostgreSQL without Redis) keep asking the store: a
// suppression made on one holds on the other at once.
func TestSuppressionsWithoutBroadcast(t *testing.T) {
	w := newWorldWith(t, 1, worldOptions{})
	h := subject.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	var svcs []*privacy.Service
	for range 2 {
		s, err := privacy.New(privacy.Config{Store: w.calls, Hasher: h, SharedStore: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LoadSuppressions(t.Context()); err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, s)
	}
	sub, err := svcs[0].Identify("jane.doe@gmail.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svcs[0].Suppress(t.Context(), sub, "", "admin"); err != nil {
		t.Fatal(err)
	}
	if got, err := svcs[1].Suppressed(t.Context(), sub.Email, nil); err != nil || !got {
		t.Fatalf("the other replica: suppressed %v, %v", got, err)
	}
}
