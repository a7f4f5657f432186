package privacy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/normalize"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Cache is the evidence cache as erasure sees it (*cache.Cache).
type Cache interface {
	Key(d enrichers.Description, id enrichers.Identifier) string
	PurgeKeys(ctx context.Context, keys []string) (int, error)
	Track(ctx context.Context, subject string, keys []string, ttl time.Duration) error
	Tracked(ctx context.Context, subject string) ([]string, error)
	Untrack(ctx context.Context, subject string) error
	// Reset empties this replica's L1 (used without Redis, where the
	// subject index does not exist).
	Reset()
}

// Engine is the fan-out engine as erasure and export see it.
type Engine interface {
	Run(ctx context.Context, req engine.Request) *engine.Result
	Sources() []engine.SourceInfo
	ForgetMemo()
}

// JobRows erases a subject's rows in stored job results (*jobs.Manager).
type JobRows interface {
	EraseSubject(ctx context.Context, match func(pipeline.Input) bool) (int, error)
}

// Config configures a Service. Store and Hasher are required.
type Config struct {
	Store  Store
	Hasher subject.Hasher
	// Purposes by name, and the default one; nil: DefaultPurposes().
	Purposes       map[string]pipeline.Purpose
	DefaultPurpose string
	// Cache, Engine and Jobs are what erasure reaches; nil ones are
	// skipped (a CLI without jobs, a test without a cache).
	Cache  Cache
	Engine Engine
	Jobs   JobRows
	// Shared: the cache has a shared tier (Redis) with the subject index.
	// Without it an erasure also empties this replica's L1.
	Shared bool
	// Audit receives entries of what this package does outside an API
	// call (the CLI); API calls are audited by the server.
	Audit audit.Store
	// Notices carries suppression changes to the other replicas (the
	// cache's purge channel with Redis); nil: none to tell. Hand the
	// Service to the cache as its notice listener too.
	Notices Notices
	// SharedStore: other processes write Store (PostgreSQL). Without
	// Notices such a store is asked on every lookup, never copied.
	SharedStore bool
	// Reload is how often LoadSuppressions' copy is reloaded (Run);
	// 0: DefaultReload.
	Reload time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Service implements suppressions, erasures, purposes and exports, and
// pipeline.Privacy.
type Service struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
	// set is the suppression list in memory (suppressions.go); reloadMu
	// lets one reload run at a time.
	set      *suppressionSet
	reloadMu sync.Mutex
	loaded   atomic.Bool // LoadSuppressions ran
}

var _ pipeline.Privacy = (*Service)(nil)

// DefaultPurposes is the mapping used unless configured otherwise:
// fraud_prevention and identity_verification get risk and verification,
// marketing and analytics get interests and influence; no source is denied.
func DefaultPurposes() map[string]pipeline.Purpose {
	return map[string]pipeline.Purpose{
		"fraud_prevention":      {Name: "fraud_prevention", Outputs: []string{pipeline.OutputRisk, pipeline.OutputVerification}},
		"identity_verification": {Name: "identity_verification", Outputs: []string{pipeline.OutputRisk, pipeline.OutputVerification}},
		"marketing":             {Name: "marketing", Outputs: []string{pipeline.OutputInterests, pipeline.OutputInfluence}},
		"analytics":             {Name: "analytics", Outputs: []string{pipeline.OutputInterests, pipeline.OutputInfluence}},
	}
}

// New returns a Service. It does no I/O.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Hasher == (subject.Hasher{}) {
		return nil, fmt.Errorf("privacy: a store and a subject hasher are required")
	}
	if cfg.Purposes == nil {
		cfg.Purposes = DefaultPurposes()
	}
	if cfg.DefaultPurpose == "" {
		cfg.DefaultPurpose = "fraud_prevention"
	}
	if _, ok := cfg.Purposes[cfg.DefaultPurpose]; !ok {
		return nil, fmt.Errorf("privacy: default purpose %q is not configured", cfg.DefaultPurpose)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Reload <= 0 {
		cfg.Reload = DefaultReload
	}
	return &Service{cfg: cfg, log: cfg.Logger, now: cfg.Now, set: newSuppressionSet()}, nil
}

// SetJobs sets the job store erasure reaches (it is built after the
// pipeline that this service serves). Call it before serving.
func (s *Service) SetJobs(j JobRows) { s.cfg.Jobs = j }

// Purpose implements pipeline.Privacy.
func (s *Service) Purpose(name string) (pipeline.Purpose, bool) {
	if name == "" {
		name = s.cfg.DefaultPurpose
	}
	p, ok := s.cfg.Purposes[name]
	return p, ok
}

// DefaultPurpose is the configured default purpose.
func (s *Service) DefaultPurpose() string { return s.cfg.DefaultPurpose }

// Suppressed implements pipeline.Privacy: from the list in memory once
// LoadSuppressions has run (and while it may answer), else from the store.
func (s *Service) Suppressed(ctx context.Context, e *normalize.Email, p *normalize.Phone) (bool, error) {
	return s.SuppressedHashes(ctx, s.cfg.Hasher.Of(e, p))
}

var _ pipeline.SubjectHasher = (*Service)(nil)

// SubjectHashes implements pipeline.SubjectHasher: the subject hashes of
// a normalized email and phone (nil when absent), email first.
func (s *Service) SubjectHashes(e *normalize.Email, p *normalize.Phone) []subject.Hash {
	return s.cfg.Hasher.Of(e, p)
}

// SuppressedHashes implements pipeline.SubjectHasher: Suppressed for the
// subject with these hashes (SubjectHashes').
func (s *Service) SuppressedHashes(ctx context.Context, hs []subject.Hash) (bool, error) {
	if len(hs) == 0 {
		return false, nil
	}
	if hit, ok := s.set.lookup(hs); ok {
		return hit, nil
	}
	sp, err := s.cfg.Store.Suppressed(ctx, hs...)
	return sp != nil, err
}

// Subject is an identified person: the normalized identifiers a request
// gave and their hashes.
type Subject struct {
	Email  *normalize.Email
	Phone  *normalize.Phone
	Hashes []subject.Hash
}

// Identify normalizes an {email?, phone?} pair (country helps national
// phone numbers). Its error is a *pipeline.InputError (400).
func (s *Service) Identify(email, phone, country string) (Subject, error) {
	var errs []pipeline.FieldError
	var sub Subject
	if strings.TrimSpace(email) == "" && strings.TrimSpace(phone) == "" {
		errs = append(errs, pipeline.FieldError{Field: "email", Reason: "at least one of email or phone is required"})
	}
	if strings.TrimSpace(email) != "" {
		e, err := normalize.ParseEmail(email)
		if err != nil {
			errs = append(errs, pipeline.FieldError{Field: "email", Reason: reasonOf(err)})
		} else {
			sub.Email = &e
		}
	}
	if strings.TrimSpace(phone) != "" {
		p, err := normalize.ParsePhone(phone, country)
		if err != nil {
			errs = append(errs, pipeline.FieldError{Field: "phone", Reason: reasonOf(err)})
		} else {
			sub.Phone = &p
		}
	}
	if len(errs) > 0 {
		return Subject{}, &pipeline.InputError{Status: 400, Errors: errs}
	}
	sub.Hashes = s.cfg.Hasher.Of(sub.Email, sub.Phone)
	return sub, nil
}

// HashOf normalizes one identifier given as a string (an email when it
// has an @, else a phone in E.164 or international form) and returns its
// hash: the audit query's subject. Its error is a *pipeline.InputError.
func (s *Service) HashOf(field, v string) (subject.Hash, error) {
	if strings.Contains(v, "@") {
		e, err := normalize.ParseEmail(v)
		if err != nil {
			return "", &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: field, Reason: reasonOf(err)}}}
		}
		return s.cfg.Hasher.Email(e), nil
	}
	p, err := normalize.ParsePhone(v, "")
	if err != nil {
		return "", &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: field, Reason: "neither an email address nor a phone number in international form: " + reasonOf(err)}}}
	}
	return s.cfg.Hasher.Phone(p), nil
}

func reasonOf(err error) string {
	if ne, ok := err.(*normalize.Error); ok {
		return ne.Reason
	}
	return err.Error()
}

// newID returns a sortable id: prefix, the time in milliseconds (hex) and
// random bits.
func newID(prefix string, at time.Time) string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s_%012x%s", prefix, at.UnixMilli(), hex.EncodeToString(r[:]))
}

// Suppress adds sub to the suppression list (idempotent: created false
// when every identifier was already on it). It holds on this replica
// when Suppress returns, and on the others as soon as they hear the
// broadcast; an error after the store took it (the broadcast failed)
// says so, and a retry broadcasts again.
func (s *Service) Suppress(ctx context.Context, sub Subject, reason, actor string) (Suppression, bool, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	sp, created, err := s.cfg.Store.Suppress(ctx, Suppression{ID: newID("sup", now), Subjects: sub.Hashes, Reason: reason, CreatedAt: now, Actor: actor})
	if err != nil {
		return sp, created, err
	}
	s.set.add(sub.Hashes...)
	var body strings.Builder
	for i, h := range sub.Hashes {
		if i > 0 {
			body.WriteByte('\n')
		}
		body.WriteString("+" + string(h))
	}
	if err := s.broadcast(ctx, body.String()); err != nil {
		return sp, created, fmt.Errorf("privacy: suppression %s %w", sp.ID, err)
	}
	return sp, created, nil
}

// Unsuppress removes suppression id. Every replica (this one included)
// reloads its list in memory from the store: until then the subjects stay
// refused.
func (s *Service) Unsuppress(ctx context.Context, id string) error {
	if err := s.cfg.Store.Unsuppress(ctx, id); err != nil {
		return err
	}
	if s.loaded.Load() {
		// This replica's copy follows at once; the others' as soon as
		// they hear the broadcast.
		if _, err := s.reloadSuppressions(ctx); err != nil {
			s.log.Warn("privacy: reloading the suppression list failed", "err", err)
			s.set.wantReload()
		}
	}
	if err := s.broadcast(ctx, noticeReload); err != nil {
		return fmt.Errorf("privacy: lifting suppression %s %w", id, err)
	}
	return nil
}

// Suppressions lists a page of suppressions (hashes only).
func (s *Service) Suppressions(ctx context.Context, after string, limit int) ([]Suppression, error) {
	return s.cfg.Store.Suppressions(ctx, after, limit)
}

// Receipt returns erasure receipt id.
func (s *Service) Receipt(ctx context.Context, id string) (*Receipt, error) {
	return s.cfg.Store.Receipt(ctx, id)
}

// --- what a lookup derives, and what of it is the subject's ---

// lookupIdentifiers are the identifiers the pipeline starts a lookup of
// sub with (pipeline.validate): the email, its domain, the phone.
func lookupIdentifiers(sub Subject) []enrichers.Identifier {
	var ids []enrichers.Identifier
	if e := sub.Email; e != nil {
		ids = append(ids, enrichers.Identifier{Kind: enrichers.KindEmail, Value: e.Address, Method: enrichers.MethodInput, Prior: 1})
		if !strings.HasPrefix(e.Domain, "[") {
			ids = append(ids, enrichers.Identifier{Kind: enrichers.KindDomain, Value: e.Domain, Method: enrichers.MethodEmailDomain, Prior: 1})
		}
	}
	if p := sub.Phone; p != nil {
		ids = append(ids, enrichers.Identifier{Kind: enrichers.KindPhone, Value: p.E164, Method: enrichers.MethodInput, Prior: 1})
	}
	return ids
}

// Personal reports whether evidence keyed by id, found in a lookup of a
// subject whose email (nil: none) is email, is the subject's. Everything
// a lookup derives is — the email, the phone, usernames guessed from the
// email or a name, usernames and domains linked from the subject's
// profiles, names — except the domain of an address at a known mailbox
// provider (gmail.com's DNS and RDAP describe the provider, not the
// person). An unknown provider's domain counts as personal: erasing too
// much only costs a refetch.
func Personal(id enrichers.Identifier, email *normalize.Email) bool {
	if id.Kind != enrichers.KindDomain || email == nil || email.Provider == "" {
		return true
	}
	return !strings.EqualFold(id.Value, email.Domain)
}

// keysOf returns the cache keys of the personal identifiers of res under
// every network source that takes their kind, each as found and as an
// input (the two provenances a key may carry).
func (s *Service) keysOf(sub Subject, ids []enrichers.Identifier) []string {
	var keys []string
	for _, si := range s.cfg.Engine.Sources() {
		if !si.Network {
			continue
		}
		for _, id := range ids {
			if !slices.Contains(si.Inputs, id.Kind) || !Personal(id, sub.Email) {
				continue
			}
			keys = append(keys, s.cfg.Cache.Key(si.Description, id))
			bare := enrichers.Identifier{Kind: id.Kind, Value: id.Value, Method: enrichers.MethodInput}
			if bare.Method != id.Method || id.Platform != "" {
				keys = append(keys, s.cfg.Cache.Key(si.Description, bare))
			}
		}
	}
	return keys
}

// replay runs the lookup of sub from the cache alone (no upstream call,
// no memo): what footprint currently holds, and every identifier that
// evidence leads to.
func (s *Service) replay(ctx context.Context, sub Subject) *engine.Result {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return s.cfg.Engine.Run(ctx, engine.Request{Identifiers: lookupIdentifiers(sub), Cache: engine.CachePolicy{Mode: engine.CacheOnly}})
}

// indexTTL bounds how long a subject index lives past its last write:
// the longest any entry it names may live (TTL + stale window ≤ 1.5 × the
// longest TTL).
func (s *Service) indexTTL() time.Duration {
	var longest time.Duration
	for _, si := range s.cfg.Engine.Sources() {
		longest = max(longest, si.TTL, si.NegativeTTL)
	}
	return max(longest*3/2, time.Hour)
}

// Track records the cache keys a lookup of the subject (e, p) used, in the
// subject's index, so an erasure finds them whichever spelling of the
// address was looked up. Called by the pipeline after each engine run.
func (s *Service) Track(ctx context.Context, e *normalize.Email, p *normalize.Phone, res *engine.Result) error {
	if s.cfg.Cache == nil || s.cfg.Engine == nil || !s.cfg.Shared || res == nil {
		return nil
	}
	sub := Subject{Email: e, Phone: p, Hashes: s.cfg.Hasher.Of(e, p)}
	keys := s.keysOf(sub, res.Identifiers)
	ttl := s.indexTTL()
	for _, h := range sub.Hashes {
		if err := s.cfg.Cache.Track(ctx, string(h), keys, ttl); err != nil {
			return err
		}
	}
	return nil
}

// Erase removes everything footprint holds about sub: its cached evidence
// in every tier on every replica (the keys its lookups recorded, and those
// a cache-only replay of its lookup reaches now), the engine's memo and
// the fast path, and its rows in stored job results. It stores and
// returns the receipt. A failure to reach the shared cache is an error:
// no receipt claims an erasure that did not happen.
func (s *Service) Erase(ctx context.Context, sub Subject, actor string) (*Receipt, error) {
	var erased Erased
	if s.cfg.Cache != nil && s.cfg.Engine != nil {
		res := s.replay(ctx, sub)
		keys := s.keysOf(sub, append(lookupIdentifiers(sub), res.Identifiers...))
		for _, h := range sub.Hashes {
			more, err := s.cfg.Cache.Tracked(ctx, string(h))
			if err != nil {
				return nil, err
			}
			keys = append(keys, more...)
		}
		n, err := s.cfg.Cache.PurgeKeys(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, h := range sub.Hashes {
			if err := s.cfg.Cache.Untrack(ctx, string(h)); err != nil {
				return nil, err
			}
		}
		if !s.cfg.Shared {
			// No index without Redis: other spellings' entries are not
			// known, so this replica's whole L1 goes.
			s.cfg.Cache.Reset()
		}
		s.cfg.Engine.ForgetMemo()
		erased.CacheEntries = n
	}
	if s.cfg.Jobs != nil {
		n, err := s.cfg.Jobs.EraseSubject(ctx, s.matcher(sub))
		erased.JobRows = n
		if err != nil {
			return nil, err
		}
	}
	at := s.now().UTC().Truncate(time.Millisecond)
	r := &Receipt{ID: newID("era", at), SubjectHash: sub.Hashes[0], SubjectHashes: sub.Hashes, Erased: erased, At: at, Actor: actor}
	if err := s.cfg.Store.PutReceipt(ctx, *r); err != nil {
		return nil, err
	}
	return r, nil
}

// matcher accepts a job row whose normalized email or phone hashes to one
// of sub's hashes.
func (s *Service) matcher(sub Subject) func(pipeline.Input) bool {
	return func(in pipeline.Input) bool {
		var hs []subject.Hash
		if strings.TrimSpace(in.Email) != "" {
			if e, err := normalize.ParseEmail(in.Email); err == nil {
				hs = append(hs, s.cfg.Hasher.Email(e))
			}
		}
		if strings.TrimSpace(in.Phone) != "" {
			if p, err := normalize.ParsePhone(in.Phone, in.Country); err == nil {
				hs = append(hs, s.cfg.Hasher.Phone(p))
			}
		}
		for _, h := range hs {
			if slices.Contains(sub.Hashes, h) {
				return true
			}
		}
		return false
	}
}

// HashesOf returns the subject hashes of a profile's normalized subject:
// read only (it may be the profile's own slice).
func (s *Service) HashesOf(p *pipeline.Profile) []subject.Hash {
	if hs := p.SubjectHashes(); hs != nil {
		// Hashed once for the lookup (pipeline.SubjectHasher).
		return hs
	}
	var out []subject.Hash
	if e := p.Subject.Email; e != nil {
		out = append(out, s.cfg.Hasher.Email(normalize.Email{Address: e.Address, Canonical: e.Canonical, Domain: e.Domain, Provider: e.Provider}))
	}
	if ph := p.Subject.Phone; ph != nil {
		out = append(out, s.cfg.Hasher.Phone(normalize.Phone{E164: ph.E164}))
	}
	return out
}
