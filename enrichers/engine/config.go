// Package engine is the runtime of footprint's sources: it plans which
// sources apply to a request's identifiers, runs them concurrently in
// rounds (identifiers one round finds feed the next), calls each source
// through its cache entry, circuit breaker and one retry, and folds every
// source's outcomes into one status per source.
//
// The files follow the data path: config.go (Options, effective
// per-source settings, New), run.go (rounds, plan, identifier pool),
// call.go (cache → breaker → source with its deadline, the retry), report.go
// (status folding), memo.go (repeat lookups), cache.go (what the engine
// needs of a cache) and registry.go (the explicit list of sources).
//
// Each network source's rate limiter is a layer of its own transport
// stack (enrichers/transport.Limiter: one token per upstream request); the
// engine shares it to set its rate from the effective configuration, to
// admit each call (its first token, waited for under the request's budget
// before the source's timeout starts) and to pause it when the upstream
// asks (429 with Retry-After).
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// SourceConfig overrides a source's self-described defaults. Zero values
// keep the default.
type SourceConfig struct {
	Enabled  *bool
	RatePerS float64
	Burst    int
	Timeout  time.Duration
	Breaker  enrichers.BreakerSettings
	// MaxPerLookup overrides Description.MaxPerLookup (for sources that
	// declare SettingMaxPerLookup).
	MaxPerLookup int
}

// Observer is told what the engine does; metrics plug in here (the
// composition root passes internal/app/metrics). Every method must be cheap
// and safe for concurrent use: it runs on the call's goroutine. Label
// values it gets are source names and statuses, never an identifier. The
// default does nothing; embed NopObserver to implement only part of it.
type Observer interface {
	// ObserveCall: one source call answered, from the memo, the cache
	// (cached) or the upstream; latency is 0 for a memo answer.
	ObserveCall(source string, status enrichers.Status, latency time.Duration, cached bool)
	// ObserveAttempt: one attempt at the upstream (a call that missed the
	// cache makes 1, or 2 with its retry); attempt counts from 1.
	ObserveAttempt(source string, attempt int, status enrichers.Status, latency time.Duration)
	// ObserveAdmission: the source's rate limiter admitted (refused: held
	// back) a call's first token after wait; background is batch work.
	ObserveAdmission(source string, background bool, wait time.Duration, refused bool)
	// ObserveBreaker: a source's circuit breaker changed state ("closed",
	// "half_open", "open").
	ObserveBreaker(source, from, to string)
}

// NopObserver is the Observer that does nothing.
type NopObserver struct{}

// ObserveCall does nothing.
func (NopObserver) ObserveCall(string, enrichers.Status, time.Duration, bool) {}

// ObserveAttempt does nothing.
func (NopObserver) ObserveAttempt(string, int, enrichers.Status, time.Duration) {}

// ObserveAdmission does nothing.
func (NopObserver) ObserveAdmission(string, bool, time.Duration, bool) {}

// ObserveBreaker does nothing.
func (NopObserver) ObserveBreaker(string, string, string) {}

// Options configure an Engine. Every field is optional.
type Options struct {
	Sources  map[string]SourceConfig
	Cache    Cache
	Observer Observer
	// Tracer starts a span per source call (attributes source, status,
	// cached, attempts) under the request's span; default: no tracing.
	Tracer trace.Tracer
	Logger *slog.Logger
	// Limiters are the rate limiters the network sources' transports were
	// built with (see enrichers/all); New sets each one's rate and burst
	// from its source's effective configuration (RatePerS × LimiterHeadroom,
	// Burst × burstHeadroom) and LiveReserve. A source without one is not
	// limited.
	Limiters  *transport.Limiters
	MaxRounds int
	Now       func() time.Time
	// MemoEntries bounds the in-process memo of complete cached results
	// (default 10 000; negative disables it). Only used with a Cache.
	MemoEntries int
	// LiveReserve is the share (0–1) of every source's burst that
	// background work (transport.WithBackground: batch jobs) leaves to
	// live lookups.
	LiveReserve float64
	// ReusedUsername, when set, turns an account a source found into a
	// username to look up on the other platforms in the next round (an
	// identity rule: the composition root sets identity.ReusedUsername).
	ReusedUsername func(via enrichers.Identifier, a enrichers.Account) (enrichers.Identifier, bool)
}

// Engine fans a request out to every applicable source, in rounds.
type Engine struct {
	reg       *Registry
	entries   map[string]*entry
	ordered   []*entry // entries in registry order; entry.at is the index
	blocking  []*entry // the entries that are not inline (Inline looks at these)
	cache     Cache
	observer  Observer
	tracer    trace.Tracer // nil: no spans (Options.Tracer unset)
	spanOpts  []trace.SpanStartOption
	log       *slog.Logger
	maxRounds int
	now       func() time.Time
	memo      *memo
	recent    *recentMix // each source's calls by status, recently
	reused    func(via enrichers.Identifier, a enrichers.Account) (enrichers.Identifier, bool)
}

type entry struct {
	src     enrichers.Enricher
	desc    enrichers.Description
	enabled bool
	reason  string             // why disabled
	limiter *transport.Limiter // nil: not limited (offline, or built without one)
	breaker *gobreaker.CircuitBreaker[*enrichers.Finding]
	applier enrichers.Applier
	span    string // the name of its calls' spans
	at      int    // index in Engine.ordered (registry order)
	// inline: an offline source called on the request's goroutine
	// (Description.Inline), with the request's context.
	inline bool
}

// New builds an engine over reg. It validates the per-source config (an
// unknown source name is an error), sets the sources' limiters and does
// no I/O.
func New(reg *Registry, opts Options) (*Engine, error) {
	e := &Engine{
		reg:       reg,
		entries:   make(map[string]*entry, reg.Len()),
		cache:     opts.Cache,
		observer:  opts.Observer,
		tracer:    opts.Tracer,
		log:       opts.Logger,
		maxRounds: opts.MaxRounds,
		now:       opts.Now,
		reused:    opts.ReusedUsername,
	}
	if e.observer == nil {
		e.observer = NopObserver{}
	}
	if e.tracer != nil {
		e.spanOpts = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.maxRounds <= 0 {
		e.maxRounds = 4
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.cache != nil && opts.MemoEntries >= 0 {
		n := opts.MemoEntries
		if n == 0 {
			n = 10000
		}
		e.memo = newMemo(n)
	}
	e.recent = newRecentMix(reg.Names())
	for name := range opts.Sources {
		if _, ok := reg.Get(name); !ok {
			return nil, fmt.Errorf("sources.%s: unknown source (known: %s)", name, strings.Join(reg.Names(), ", "))
		}
	}
	for _, name := range reg.Names() {
		src, _ := reg.Get(name)
		d := effective(src.Describe(), opts.Sources[name])
		if err := validateDescription(d); err != nil {
			return nil, fmt.Errorf("sources.%s: %w", name, err)
		}
		en := &entry{src: src, desc: d, enabled: true, span: "source " + name, at: len(e.ordered), inline: d.Inline && !d.Network}
		if a, ok := src.(enrichers.Applier); ok {
			en.applier = a
		}
		switch c := opts.Sources[name]; {
		case c.Enabled != nil && !*c.Enabled:
			en.enabled, en.reason = false, "disabled in configuration"
		case d.RequiresKey:
			if k, ok := src.(enrichers.Keyed); !ok || !k.HasKey() {
				en.enabled, en.reason = false, "needs an API key (not configured)"
			}
		case d.DefaultDisabled && (c.Enabled == nil || !*c.Enabled):
			en.enabled, en.reason = false, "off by default; enable it in configuration"
		}
		if en.limiter = opts.Limiters.Get(name); en.limiter != nil {
			en.limiter.Set(limitOf(d), burstOf(d), opts.LiveReserve)
		}
		en.breaker = gobreaker.NewCircuitBreaker[*enrichers.Finding](gobreaker.Settings{
			Name:        name,
			MaxRequests: d.Breaker.HalfOpenRequests,
			Timeout:     d.Breaker.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= d.Breaker.Failures
			},
			IsSuccessful: func(err error) bool { return !countsAsFailure(err) },
			IsExcluded: func(err error) bool {
				return errors.Is(err, enrichers.ErrBudget) || errors.Is(err, context.Canceled)
			},
			OnStateChange: func(name string, from, to gobreaker.State) {
				e.observer.ObserveBreaker(name, breakerState(from), breakerState(to))
			},
		})
		e.entries[name] = en
		e.ordered = append(e.ordered, en)
		if !en.inline {
			e.blocking = append(e.blocking, en)
		}
	}
	return e, nil
}

// limitOf is the rate of d's limiter: a little under the published rate
// (transport.LimiterHeadroom).
func limitOf(d enrichers.Description) rate.Limit {
	return rate.Limit(d.RatePerS * transport.LimiterHeadroom)
}

// burstOf is the burst of d's limiter (burstHeadroom, at least 1).
func burstOf(d enrichers.Description) int {
	return max(1, int(float64(d.Burst)*burstHeadroom))
}

// burstHeadroom keeps our burst a quarter under the upstream's, so requests
// that leave evenly but arrive bunched (scheduling and network jitter) still
// fit in the upstream's bucket.
const burstHeadroom = 0.75

// effective is a source's description with the configuration's overrides
// applied and the engine's defaults filled in (burst 1, timeout 2s, a
// breaker of 5 failures, 30s open, 1 half-open probe).
func effective(d enrichers.Description, c SourceConfig) enrichers.Description {
	if c.RatePerS > 0 {
		d.RatePerS = c.RatePerS
	}
	if c.Burst > 0 {
		d.Burst = c.Burst
	}
	if c.Timeout > 0 {
		d.Timeout = c.Timeout
	}
	if c.MaxPerLookup > 0 {
		d.MaxPerLookup = c.MaxPerLookup
	}
	if c.Breaker.Failures > 0 {
		d.Breaker.Failures = c.Breaker.Failures
	}
	if c.Breaker.OpenFor > 0 {
		d.Breaker.OpenFor = c.Breaker.OpenFor
	}
	if c.Breaker.HalfOpenRequests > 0 {
		d.Breaker.HalfOpenRequests = c.Breaker.HalfOpenRequests
	}
	if d.Burst <= 0 {
		d.Burst = 1
	}
	if d.Timeout <= 0 {
		d.Timeout = 2 * time.Second
	}
	if d.Breaker.Failures == 0 {
		d.Breaker.Failures = 5
	}
	if d.Breaker.OpenFor <= 0 {
		d.Breaker.OpenFor = 30 * time.Second
	}
	if d.Breaker.HalfOpenRequests == 0 {
		d.Breaker.HalfOpenRequests = 1
	}
	return d
}

func validateDescription(d enrichers.Description) error {
	switch {
	case d.RatePerS <= 0:
		return errors.New("rate_per_s must be > 0")
	case len(d.Inputs) == 0:
		return errors.New("source declares no inputs")
	}
	return nil
}

// SourceInfo is a source's effective configuration and live state.
type SourceInfo struct {
	enrichers.Description
	Enabled        bool
	DisabledReason string
	BreakerState   string
	// Recent counts the source's answered calls by status over the last
	// RecentWindow (memo and cache answers included); nil when none.
	Recent map[enrichers.Status]int
}

// Network reports whether name is a registered network source (one that
// makes outbound calls); false for an offline or unknown one. Unlike
// Sources it builds nothing: a request may ask it per source.
func (e *Engine) Network(name string) bool {
	en := e.entries[name]
	return en != nil && en.desc.Network
}

// Sources describes every registered source, in registry order.
func (e *Engine) Sources() []SourceInfo {
	out := make([]SourceInfo, 0, len(e.entries))
	now := e.now()
	for _, name := range e.reg.order {
		en := e.entries[name]
		out = append(out, SourceInfo{
			Description:    en.desc,
			Enabled:        en.enabled,
			DisabledReason: en.reason,
			BreakerState:   breakerState(en.breaker.State()),
			Recent:         e.recent.counts(name, now),
		})
	}
	return out
}

func breakerState(s gobreaker.State) string {
	switch s {
	case gobreaker.StateOpen:
		return "open"
	case gobreaker.StateHalfOpen:
		return "half_open"
	default:
		return "closed"
	}
}

// Warm runs every enabled source's Warm, concurrently, and returns the
// first error.
func (e *Engine) Warm(ctx context.Context) error {
	errs := make(chan error, len(e.entries))
	n := 0
	for _, en := range e.entries {
		w, ok := en.src.(enrichers.Warmer)
		if !ok || !en.enabled {
			continue
		}
		n++
		go func() { errs <- w.Warm(ctx) }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Has reports whether a source of that name is registered.
func (e *Engine) Has(name string) bool { _, ok := e.entries[name]; return ok }

// BreakerStates returns each network source's circuit breaker state
// ("closed", "half_open", "open", as in Sources), by source name, for
// /readyz and metrics.
func (e *Engine) BreakerStates() map[string]string {
	out := make(map[string]string, len(e.entries))
	for name, en := range e.entries {
		if en.desc.Network && en.enabled {
			out[name] = breakerState(en.breaker.State())
		}
	}
	return out
}
