package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Errors of Authenticate. Every failure to authenticate a presented key is
// ErrInvalidKey, whatever the reason (unknown, revoked, expired, a
// rotated-out secret): nothing tells a caller whether a key exists.
var (
	ErrNoCredentials = errors.New("auth: no API key")
	ErrInvalidKey    = errors.New("auth: invalid API key")
)

// FailureLimitError: the client address failed to authenticate too often.
type FailureLimitError struct{ RetryAfter time.Duration }

func (e *FailureLimitError) Error() string {
	return fmt.Sprintf("auth: too many failed authentications; retry in %s", e.RetryAfter.Round(time.Second))
}

// LimitError: a key's rate limit or quota refused the call.
type LimitError struct{ Decision Decision }

func (e *LimitError) Error() string {
	return fmt.Sprintf("auth: %s limit reached; resets in %d s", e.Decision.Exceeded, seconds(e.Decision.RetryAfter))
}

// RetryAt is when the limit lets the key through again (jobs resume then).
func (e *LimitError) RetryAt() time.Time { return time.Now().Add(e.Decision.RetryAfter) }

// Config configures a Service.
type Config struct {
	Store Store
	// Secret keys the hash of every secret (auth.secret, the cache secret
	// or the store's own); replicas must share it.
	Secret []byte
	// Counter counts against limits (nil: a MemoryCounter seeded from the
	// stored usage).
	Counter Counter
	// FailuresPerMin bounds failed authentications per client address
	// (default 10 a minute, 10 at once), in process.
	FailuresPerMin int64
	// FlushEvery is how often usage and last-used times are written to the
	// store (default 5 s).
	FlushEvery time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
}

// Service authenticates keys, enforces their limits and records usage.
type Service struct {
	store    Store
	hasher   Hasher
	counter  Counter
	failures *MemoryCounter
	failRate int64
	flush    time.Duration
	now      func() time.Time
	log      *slog.Logger
	usage    usageBuffer

	mu       sync.Mutex
	used     map[string]time.Time
	count    int
	countAt  time.Time
	byID     *keyCache
	failSeen int
}

// New returns a Service; it does no I/O (call Run to flush usage).
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, hasher: NewHasher(cfg.Secret), counter: cfg.Counter, failRate: cfg.FailuresPerMin,
		flush: cfg.FlushEvery, now: cfg.Now, log: cfg.Logger, used: map[string]time.Time{}, byID: newKeyCache(time.Second, 4096)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.failRate <= 0 {
		s.failRate = 10
	}
	if s.flush <= 0 {
		s.flush = 5 * time.Second
	}
	if s.counter == nil {
		s.counter = NewMemoryCounter(s.baseline, s.now)
	}
	s.failures = NewMemoryCounter(nil, s.now)
	return s
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// baseline reads the stored lookups of a key's day and month.
func (s *Service) baseline(ctx context.Context, keyID, day, month string) (int64, int64, error) {
	from, _ := time.Parse("2006-01", month)
	days, err := s.store.Usage(ctx, keyID, from, from.AddDate(0, 1, -1))
	if err != nil {
		return 0, 0, err
	}
	var d, m int64
	for _, u := range days {
		m += u.Lookups
		if u.Day == day {
			d += u.Lookups
		}
	}
	return d, m, nil
}

// Enforcing reports whether keys are required: as soon as the store holds
// any key (revoked or expired ones included, so revoking the last key
// never opens the server). Read at most once a second.
func (s *Service) Enforcing(ctx context.Context) (bool, error) {
	s.mu.Lock()
	if s.count > 0 { // once a key exists keys stay required: no clock, no store
		s.mu.Unlock()
		return true, nil
	}
	now := s.now()
	if now.Sub(s.countAt) < time.Second {
		n := s.count
		s.mu.Unlock()
		return n > 0, nil
	}
	s.mu.Unlock()
	n, err := s.store.Count(ctx)
	if err != nil {
		return true, err
	}
	s.mu.Lock()
	s.count, s.countAt = n, now
	s.mu.Unlock()
	return n > 0, nil
}

// Authenticate returns the active key whose secret is presented, checked
// against the failed-authentication limit of client (an address).
func (s *Service) Authenticate(ctx context.Context, secret, client string) (*Key, error) {
	// A client over its failure limit is refused before its key is looked
	// at: guessing cannot go faster than the limit.
	if spent, reset := s.failures.spent(failPrefix, client, s.failRate); spent {
		return nil, &FailureLimitError{RetryAfter: max(reset-time.Minute+time.Minute/time.Duration(s.failRate), time.Second)}
	}
	now := s.now()
	k, err := s.lookup(ctx, secret, now)
	if errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrNoCredentials) {
		if errors.Is(err, ErrInvalidKey) {
			s.fail(ctx, client)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.used[k.ID] = now.UTC()
	s.mu.Unlock()
	return k, nil
}

func (s *Service) lookup(ctx context.Context, secret string, now time.Time) (*Key, error) {
	if secret == "" {
		return nil, ErrNoCredentials
	}
	if !LooksLikeKey(secret) {
		return nil, ErrInvalidKey
	}
	h := s.hasher.Hash(secret)
	k, err := s.store.ByHash(ctx, h)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInvalidKey
	}
	if err != nil {
		return nil, err
	}
	current := Equal(k.Hash, h)
	grace := k.PrevHash != "" && k.PrevUntil != nil && now.Before(*k.PrevUntil) && Equal(k.PrevHash, h)
	if !(current || grace) || !k.Active(now) {
		return nil, ErrInvalidKey
	}
	return k, nil
}

// failPrefix prefixes a client address in the failures counter.
const failPrefix = "fail:"

// fail counts one failed authentication of client.
func (s *Service) fail(ctx context.Context, client string) {
	_, _ = s.failures.Take(ctx, failPrefix+client, Limits{RatePerMin: s.failRate}, 1, 0)
	s.mu.Lock()
	s.failSeen++
	prune := s.failSeen%1024 == 0
	s.mu.Unlock()
	if prune {
		s.failures.prune(s.now())
	}
}

// Take charges a call of k: requests against its rate limit, lookups
// against its quotas. A refusal is a *LimitError carrying the decision
// (its headers say which limit, and when it resets).
func (s *Service) Take(ctx context.Context, k *Key, requests, lookups int64) (Decision, error) {
	d, err := s.counter.Take(ctx, k.ID, LimitsOf(k), requests, lookups)
	if err != nil {
		return d, err
	}
	if !d.Allowed {
		return d, &LimitError{Decision: d}
	}
	if lookups > 0 {
		s.usage.add(k.ID, s.now(), lookups)
	}
	return d, nil
}

// Admit charges one job row to its owner's quotas (not the rate limit: rows
// are paced by the sources). An owner key that is gone, revoked or expired,
// or a spent quota, refuses the row; a *LimitError says when to retry.
// The returned context carries the key (usage is recorded against it).
func (s *Service) Admit(ctx context.Context, owner string) (context.Context, error) {
	if owner == "" {
		return ctx, nil
	}
	k, err := s.keyByID(ctx, owner)
	if errors.Is(err, ErrNotFound) || (err == nil && !k.Active(s.now())) {
		return ctx, errors.New("the job's key is revoked, expired or deleted")
	}
	if err != nil {
		return ctx, err
	}
	if _, err := s.Take(ctx, k, 0, 1); err != nil {
		return ctx, err
	}
	return WithKey(ctx, k), nil
}

// keyByID reads a key, cached for at most a second.
func (s *Service) keyByID(ctx context.Context, id string) (*Key, error) {
	now := s.now()
	if k, ok := s.byID.get(id, now); ok {
		return k, nil
	}
	k, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	s.byID.put(id, k, now)
	return k, nil
}

// Create makes a key; the returned view carries its secret (shown once).
func (s *Service) Create(ctx context.Context, spec Spec) (View, error) {
	if err := spec.Check(); err != nil {
		return View{}, &SpecError{err}
	}
	now := s.now().UTC().Truncate(time.Second)
	secret := NewSecret(spec.Env)
	k := &Key{ID: NewID(), Name: spec.Name, Env: spec.Env, Scopes: spec.Scopes, RatePerMin: spec.RatePerMin,
		QuotaPerDay: spec.QuotaPerDay, QuotaPerMonth: spec.QuotaPerMonth, Purpose: spec.Purpose, CreatedAt: now,
		Hash: s.hasher.Hash(secret), Prefix: prefixOf(secret)}
	if spec.ExpiresIn > 0 {
		t := now.Add(spec.ExpiresIn)
		k.ExpiresAt = &t
	}
	if err := s.store.Create(ctx, k); err != nil {
		return View{}, err
	}
	s.mu.Lock()
	s.countAt = time.Time{}
	s.mu.Unlock()
	v := ViewOf(k, now)
	v.Key = secret
	return v, nil
}

// SpecError is a bad key specification (the caller's mistake).
type SpecError struct{ err error }

func (e *SpecError) Error() string { return e.err.Error() }
func (e *SpecError) Unwrap() error { return e.err }

// List returns every key's view, oldest first.
func (s *Service) List(ctx context.Context) ([]View, error) {
	ks, err := s.store.List(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]View, len(ks))
	for i, k := range ks {
		out[i] = ViewOf(k, now)
	}
	return out, nil
}

// Get returns a key's view.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	k, err := s.store.Get(ctx, id)
	if err != nil {
		return View{}, err
	}
	return ViewOf(k, s.now()), nil
}

// Revoke revokes a key at once (revoking a revoked key keeps the first
// time); its rotation grace ends too.
func (s *Service) Revoke(ctx context.Context, id string) (View, error) {
	now := s.now().UTC().Truncate(time.Second)
	k, err := s.store.Update(ctx, id, func(k *Key) error {
		if k.RevokedAt == nil {
			k.RevokedAt = &now
		}
		k.PrevHash, k.PrevUntil = "", nil
		return nil
	})
	if err != nil {
		return View{}, err
	}
	s.forget(id)
	return ViewOf(k, now), nil
}

// ErrRevoked: a revoked key cannot be rotated.
var ErrRevoked = errors.New("auth: the key is revoked")

// Rotate gives a key a new secret, keeping its id, scopes and limits; the
// previous secret keeps working for RotationGrace (one earlier secret at
// most: rotating again ends the older one's grace).
func (s *Service) Rotate(ctx context.Context, id string) (View, error) {
	now := s.now().UTC().Truncate(time.Second)
	var secret string
	k, err := s.store.Update(ctx, id, func(k *Key) error {
		if k.RevokedAt != nil {
			return ErrRevoked
		}
		secret = NewSecret(cmpOr(k.Env, "live"))
		until := now.Add(RotationGrace)
		k.PrevHash, k.PrevUntil = k.Hash, &until
		k.Hash, k.Prefix = s.hasher.Hash(secret), prefixOf(secret)
		return nil
	})
	if err != nil {
		return View{}, err
	}
	s.forget(id)
	v := ViewOf(k, now)
	v.Key = secret
	return v, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Service) forget(id string) { s.byID.forget(id) }

// Usage returns a key's usage over the last days UTC days (today
// included), unflushed counts of this process included.
func (s *Service) Usage(ctx context.Context, keyID string, days int) ([]UsageDay, error) {
	now := s.now().UTC()
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -(days - 1))
	out, err := s.store.Usage(ctx, keyID, from, to)
	if err != nil {
		return nil, err
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if p, ok := s.usage.pending(keyID, d.Format("2006-01-02")); ok {
			out = mergeUsage(out, p)
		}
	}
	for i := range out {
		out[i].Finish()
	}
	slices.SortFunc(out, func(a, b UsageDay) int {
		switch {
		case a.Day < b.Day:
			return -1
		case a.Day > b.Day:
			return 1
		}
		return 0
	})
	return out, nil
}

// Flush writes buffered usage and last-used times to the store.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	used := s.used
	s.used = map[string]time.Time{}
	s.mu.Unlock()
	var errs []error
	if len(used) > 0 {
		if err := s.store.Touch(ctx, used); err != nil {
			errs = append(errs, err)
		}
	}
	if ds := s.usage.take(); len(ds) > 0 {
		if err := s.store.AddUsage(ctx, ds); err != nil {
			s.usage.putBack(ds)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run flushes usage every FlushEvery until ctx is done, then once more.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.flush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := s.Flush(fctx); err != nil {
				s.log.Error("usage not stored", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("usage not stored (kept for the next flush)", "err", err)
			}
		}
	}
}
