package privacy

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// The suppression list in memory. Every lookup asks whether its subject is
// suppressed; with PostgreSQL that was a database round trip per lookup,
// cached answers included. Once LoadSuppressions has run, each replica
// answers from its own copy of the suppressed subject hashes:
//
//   - A suppression made here is added to the copy before Suppress
//     returns, then broadcast (Config.Notices: the evidence cache's purge
//     channel in Redis) to every replica, which adds it as it hears it.
//   - An unsuppression (rare) is broadcast as a request to reload: each
//     replica reads the list again from the store. Until then the subject
//     stays refused, the safe side.
//   - Pub/sub delivers at most once, so the copy is trusted only while the
//     broadcast's subscription is up: when it is lost, lookups ask the
//     store again until the subscription is back and the copy has been
//     reloaded from the store (the cache's L1 follows the same rule).
//   - The copy is reloaded every Config.Reload too: the safety net for a
//     change whose broadcast was lost without the subscription noticing.
//   - Without a broadcast the copy is only used when no other process
//     writes the store (the embedded one, held by this process); several
//     replicas on PostgreSQL without Redis ask the store on every lookup.
//
// A reload reads the store page by page while changes keep arriving: the
// additions heard meanwhile are kept aside and applied to the new copy
// before it replaces the old one, so none is lost in the swap.

// Notices is the broadcast that carries suppression changes to every
// replica (*cache.Cache with Redis): Notify publishes, and the service
// hears every replica's notices through Notice and the subscription's
// state through SubscriptionChanged (cache.NoticeListener).
type Notices interface {
	Notify(ctx context.Context, topic, body string) error
	Subscribed() bool
}

// NoticeTopic is the topic of suppression notices.
const NoticeTopic = "suppressions"

// noticeReload is the body of a notice asking every replica to reload.
const noticeReload = "reload"

// DefaultReload is how often the in-memory list is reloaded unless
// Config.Reload says otherwise.
const DefaultReload = time.Minute

// setKey is a subject hash in 33 bytes: its kind and its 32-byte sum.
type setKey struct {
	kind byte
	sum  [32]byte
}

// keyOf packs h; false for a hash not of the form subject.Hasher makes.
func keyOf(h subject.Hash) (setKey, bool) {
	var k setKey
	s := string(h)
	if len(s) != 6+64 || s[5] != ':' {
		return k, false
	}
	switch s[:5] {
	case "email":
		k.kind = 'e'
	case "phone":
		k.kind = 'p'
	default:
		return k, false
	}
	var digits [64]byte // on the stack: a lookup allocates nothing
	copy(digits[:], s[6:])
	if _, err := hex.Decode(k.sum[:], digits[:]); err != nil {
		return k, false
	}
	return k, true
}

// hashSet holds subject hashes: packed, and any other form as is.
type hashSet struct {
	keys map[setKey]struct{}
	odd  map[subject.Hash]struct{}
}

func newHashSet() hashSet {
	return hashSet{keys: map[setKey]struct{}{}, odd: map[subject.Hash]struct{}{}}
}

func (s hashSet) add(h subject.Hash) {
	if k, ok := keyOf(h); ok {
		s.keys[k] = struct{}{}
	} else {
		s.odd[h] = struct{}{}
	}
}

func (s hashSet) has(h subject.Hash) bool {
	if k, ok := keyOf(h); ok {
		_, in := s.keys[k]
		return in
	}
	_, in := s.odd[h]
	return in
}

func (s hashSet) len() int { return len(s.keys) + len(s.odd) }

// suppressionSet is this replica's copy of the suppressed subjects.
type suppressionSet struct {
	mu      sync.RWMutex
	hashes  hashSet
	ready   bool           // hashes may answer lookups
	gen     uint64         // bumped by every change of the subscription
	loading bool           // a reload is reading the store
	heard   []subject.Hash // additions made while loading
	// reload holds a wanted reload (a gap in the broadcast, an
	// unsuppression); Run performs it.
	reload chan struct{}
}

func newSuppressionSet() *suppressionSet {
	return &suppressionSet{hashes: newHashSet(), reload: make(chan struct{}, 1)}
}

// lookup answers from the copy: ok false when it may not answer.
func (s *suppressionSet) lookup(hs []subject.Hash) (suppressed, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.ready {
		return false, false
	}
	for _, h := range hs {
		if s.hashes.has(h) {
			return true, true
		}
	}
	return false, true
}

// add records suppressed subjects (heard, or made here).
func (s *suppressionSet) add(hs ...subject.Hash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hs {
		s.hashes.add(h)
	}
	if s.loading {
		s.heard = append(s.heard, hs...)
	}
}

// wantReload asks Run for a reload (without blocking: one pending is
// enough).
func (s *suppressionSet) wantReload() {
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// Notice implements cache.NoticeListener: a suppression heard from any
// replica. It does not block.
func (s *Service) Notice(topic, body string) {
	if topic != NoticeTopic {
		return
	}
	var hs []subject.Hash
	for line := range strings.SplitSeq(body, "\n") {
		switch {
		case line == noticeReload:
			s.set.wantReload()
		case strings.HasPrefix(line, "+"):
			hs = append(hs, subject.Hash(line[1:]))
		}
	}
	if len(hs) > 0 {
		s.set.add(hs...)
	}
}

// SubscriptionChanged implements cache.NoticeListener: while the
// broadcast's subscription is down, suppressions made elsewhere may be
// missed, so lookups ask the store; once it is back, the copy is reloaded
// and trusted again.
func (s *Service) SubscriptionChanged(up bool) {
	s.set.mu.Lock()
	s.set.gen++
	if !up {
		s.set.ready = false
	}
	s.set.mu.Unlock()
	if up {
		s.set.wantReload()
	}
	s.log.Debug("privacy: suppression broadcast", "subscribed", up)
}

// inMemory reports whether this configuration keeps the list in memory:
// with a broadcast, or when no other process writes the store.
func (s *Service) inMemory() bool { return s.cfg.Notices != nil || !s.cfg.SharedStore }

// LoadSuppressions reads the suppression list into memory: from then on
// lookups ask the copy, not the store (see Run, which keeps it fresh). A
// no-op when the store is shared and there is no broadcast: lookups keep
// asking the store.
func (s *Service) LoadSuppressions(ctx context.Context) error {
	if !s.inMemory() {
		s.log.Info("privacy: every lookup asks the shared store whether its subject is suppressed (no redis_url to hear other replicas' suppressions)")
		return nil
	}
	n, err := s.reloadSuppressions(ctx)
	if err != nil {
		return err
	}
	s.loaded.Store(true)
	s.log.Info("privacy: suppression list in memory", "subjects", n, "reload_every", s.cfg.Reload.String())
	return nil
}

// Run keeps the in-memory list fresh until ctx is done: it reloads it
// every Config.Reload, when the broadcast asks (an unsuppression) and
// when the broadcast's subscription is back after a gap. A failed reload
// is retried within a second while the copy may not answer.
func (s *Service) Run(ctx context.Context) {
	if !s.inMemory() {
		return
	}
	t := time.NewTicker(s.cfg.Reload)
	defer t.Stop()
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.set.reload:
		case <-retry:
		}
		retry = nil
		if _, err := s.reloadSuppressions(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.set.mu.RLock()
			ready := s.set.ready
			s.set.mu.RUnlock()
			s.log.Warn("privacy: reloading the suppression list failed", "err", err, "answering_from_memory", ready)
			if !ready {
				retry = time.After(time.Second)
			}
		}
	}
}

// reloadSuppressions replaces the copy with the store's list (plus what
// was heard meanwhile) and returns its size. The copy answers lookups
// afterwards unless the subscription changed or was down meanwhile.
func (s *Service) reloadSuppressions(ctx context.Context) (int, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	set := s.set
	set.mu.Lock()
	gen := set.gen
	// Subscribed before reading: every change committed after the read
	// starts is heard.
	up := s.cfg.Notices == nil || s.cfg.Notices.Subscribed()
	set.loading, set.heard = true, nil
	set.mu.Unlock()
	fresh, err := s.readSuppressions(ctx)
	set.mu.Lock()
	defer set.mu.Unlock()
	heard := set.heard
	set.loading, set.heard = false, nil
	if err != nil {
		return 0, err
	}
	for _, h := range heard {
		fresh.add(h)
	}
	set.hashes = fresh
	if up && set.gen == gen {
		set.ready = true
	}
	return fresh.len(), nil
}

// readSuppressions reads every suppressed subject from the store.
func (s *Service) readSuppressions(ctx context.Context) (hashSet, error) {
	out := newHashSet()
	after := ""
	for {
		page, err := s.cfg.Store.Suppressions(ctx, after, MaxPage)
		if err != nil {
			return hashSet{}, err
		}
		for _, sp := range page {
			for _, h := range sp.Subjects {
				out.add(h)
			}
		}
		if len(page) < MaxPage {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// errNotBroadcast: a change was stored but the other replicas were not
// told.
var errNotBroadcast = errors.New("stored, but the other replicas were not told (they will be at their next reload); retry to tell them now")

// broadcast tells every replica about a change (body: notice lines).
func (s *Service) broadcast(ctx context.Context, body string) error {
	if s.cfg.Notices == nil {
		return nil
	}
	if err := s.cfg.Notices.Notify(ctx, NoticeTopic, body); err != nil {
		return errors.Join(errNotBroadcast, err)
	}
	return nil
}
