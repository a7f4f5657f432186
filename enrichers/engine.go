package enrichers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers/redact"
)

// SourceConfig overrides a source's self-described defaults. Zero values
// keep the default.
type SourceConfig struct {
	Enabled  *bool
	RatePerS float64
	Burst    int
	Timeout  time.Duration
	Breaker  BreakerSettings
}

// Observer receives one call per source call; metrics plug in here. The
// default does nothing.
type Observer interface {
	ObserveCall(source string, status Status, latency time.Duration, cached bool)
}

type nopObserver struct{}

func (nopObserver) ObserveCall(string, Status, time.Duration, bool) {}

// Options configure an Engine. Every field is optional.
type Options struct {
	Sources   map[string]SourceConfig
	Cache     Cache
	Observer  Observer
	Logger    *slog.Logger
	MaxRounds int
	Now       func() time.Time
	// MemoEntries bounds the in-process memo of complete cached results
	// (default 10 000; negative disables it). Only used with a Cache.
	MemoEntries int
	// LiveReserve is the share (0–1) of every source's burst that
	// background work (WithBackground: batch jobs) leaves to live lookups.
	LiveReserve float64
}

// Engine fans a request out to every applicable source, in rounds.
type Engine struct {
	reg       *Registry
	entries   map[string]*entry
	cache     Cache
	observer  Observer
	log       *slog.Logger
	maxRounds int
	now       func() time.Time
	memo      *memo
}

type entry struct {
	src     Enricher
	desc    Description
	enabled bool
	reason  string // why disabled
	limiter *Limiter
	breaker *gobreaker.CircuitBreaker[*Finding]
	applier Applier
}

// NewEngine builds an engine over reg. It validates the per-source config
// (an unknown source name is an error) and does no I/O.
func NewEngine(reg *Registry, opts Options) (*Engine, error) {
	e := &Engine{
		reg:       reg,
		entries:   make(map[string]*entry, reg.Len()),
		cache:     opts.Cache,
		observer:  opts.Observer,
		log:       opts.Logger,
		maxRounds: opts.MaxRounds,
		now:       opts.Now,
	}
	if e.observer == nil {
		e.observer = nopObserver{}
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
		en := &entry{src: src, desc: d, enabled: true}
		if a, ok := src.(Applier); ok {
			en.applier = a
		}
		switch c := opts.Sources[name]; {
		case c.Enabled != nil && !*c.Enabled:
			en.enabled, en.reason = false, "disabled in configuration"
		case d.RequiresKey:
			if k, ok := src.(Keyed); !ok || !k.HasKey() {
				en.enabled, en.reason = false, "needs an API key (not configured)"
			}
		case d.DefaultDisabled && (c.Enabled == nil || !*c.Enabled):
			en.enabled, en.reason = false, "off by default; enable it in configuration"
		}
		en.limiter = NewLimiter(rate.Limit(d.RatePerS*LimiterHeadroom), max(1, int(float64(d.Burst)*burstHeadroom))).
			WithLiveReserve(opts.LiveReserve)
		en.breaker = gobreaker.NewCircuitBreaker[*Finding](gobreaker.Settings{
			Name:        name,
			MaxRequests: d.Breaker.HalfOpenRequests,
			Timeout:     d.Breaker.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= d.Breaker.Failures
			},
			IsSuccessful: func(err error) bool { return !countsAsFailure(err) },
			IsExcluded: func(err error) bool {
				return errors.Is(err, ErrBudget) || errors.Is(err, context.Canceled)
			},
		})
		e.entries[name] = en
	}
	return e, nil
}

// LimiterHeadroom keeps us a little under each source's published rate, so
// that clock skew between our token bucket and the upstream's never makes
// the upstream throttle us. Bunched arrivals are covered by the burst
// headroom below; 5 % of the rate is enough for the clocks, and every
// percent kept back is a percent of every quota a batch job cannot use.
const LimiterHeadroom = 0.95

// burstHeadroom keeps our burst a quarter under the upstream's, so requests
// that leave evenly but arrive bunched (scheduling and network jitter) still
// fit in the upstream's bucket.
const burstHeadroom = 0.75

// Keyed is implemented by sources that need an API key; HasKey reports
// whether one is configured.
type Keyed interface{ HasKey() bool }

func effective(d Description, c SourceConfig) Description {
	if c.RatePerS > 0 {
		d.RatePerS = c.RatePerS
	}
	if c.Burst > 0 {
		d.Burst = c.Burst
	}
	if c.Timeout > 0 {
		d.Timeout = c.Timeout
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

func validateDescription(d Description) error {
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
	Description
	Enabled        bool
	DisabledReason string
	BreakerState   string
}

// Sources describes every registered source, in registry order.
func (e *Engine) Sources() []SourceInfo {
	out := make([]SourceInfo, 0, len(e.entries))
	for _, name := range e.reg.Names() {
		en := e.entries[name]
		out = append(out, SourceInfo{
			Description:    en.desc,
			Enabled:        en.enabled,
			DisabledReason: en.reason,
			BreakerState:   breakerState(en.breaker.State()),
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
		w, ok := en.src.(Warmer)
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

// Request is one enrichment run.
type Request struct {
	// Identifiers are the subject's normalized identifiers (round 1 input).
	Identifiers []Identifier
	// Only restricts the run to these sources; Exclude removes sources.
	// Names must be registered (the API validates them).
	Only, Exclude []string
	// Cache is the request's cache policy.
	Cache CachePolicy
}

// SourceReport is the status of one source for one request.
type SourceReport struct {
	Name      string
	Status    Status
	Latency   time.Duration
	Detail    string
	Calls     int
	Cached    bool
	FetchedAt time.Time
}

// Result is what a run learned. Findings are in the order they completed
// within a round, rounds in order.
type Result struct {
	// MemoID identifies a result the engine remembers (0: not
	// remembered): every repeat served from the memo carries the same id,
	// so callers may reuse what they derived from it. Its slices are
	// shared with every other repeat: read-only.
	MemoID      uint64
	Sources     []SourceReport
	Findings    []SourceFinding
	Identifiers []Identifier
	Complete    bool
	Rounds      int
}

// SourceFinding is one source's finding for one identifier.
type SourceFinding struct {
	Source     string
	Identifier Identifier
	Finding    *Finding
	Cached     bool
	FetchedAt  time.Time
}

type task struct {
	name string
	id   Identifier
}

type outcome struct {
	task      task
	finding   *Finding
	err       error
	latency   time.Duration
	cached    bool
	fetchedAt time.Time
}

// Run fans out until no new work appears, the round limit is reached or ctx
// is done. It always returns a result: partial results beat late ones.
func (e *Engine) Run(ctx context.Context, req Request) *Result {
	if e.memo != nil {
		if res := e.Remembered(req); res != nil {
			return res
		}
		res := e.run(ctx, req)
		// Background work (a batch job's rows: each a different subject,
		// enriched once) would only push out the live lookups the memo is
		// for, and hold memory for nothing.
		if !Background(ctx) {
			e.memo.put(req, res, e.findingTTL, e.offline, e.now())
		}
		return res
	}
	return e.run(ctx, req)
}

// Remembered returns the result the engine remembers for req (see memo), or
// nil: a repeat lookup answered with no planning, budget or I/O. Run
// consults it first.
func (e *Engine) Remembered(req Request) *Result {
	if e.memo == nil {
		return nil
	}
	res := e.memo.get(req, e.now())
	if res == nil {
		return nil
	}
	for _, s := range res.Sources {
		if s.Calls > 0 {
			e.observer.ObserveCall(s.Name, s.Status, 0, s.Cached)
		}
	}
	return res
}

// ForgetMemo drops every remembered result (a purge calls it so that no
// evidence of a purged subject is served again).
func (e *Engine) ForgetMemo() {
	if e.memo != nil {
		e.memo.clear()
	}
}

// offline reports whether a source is computed locally (never cached).
func (e *Engine) offline(name string) bool {
	en := e.entries[name]
	return en != nil && !en.desc.Network
}

func (e *Engine) findingTTL(name string, f *Finding) time.Duration {
	en := e.entries[name]
	if en == nil {
		return 0
	}
	if f != nil && f.NotFound {
		return en.desc.NegativeTTL
	}
	return en.desc.TTL
}

func (e *Engine) run(ctx context.Context, req Request) *Result {
	selected := e.selection(req)
	pool := newIdentifierPool(req.Identifiers)
	done := map[string]bool{}
	aggs := make(map[string]*aggregate, len(e.entries))
	res := &Result{Complete: true}

	for round := 1; round <= e.maxRounds; round++ {
		tasks := e.plan(pool.all(), selected, done, aggs)
		if len(tasks) == 0 {
			break
		}
		if ctx.Err() != nil {
			for _, t := range tasks {
				aggFor(aggs, t.name).add(outcome{task: t, err: fmt.Errorf("not started: %w", ErrBudget)})
			}
			res.Complete = false
			break
		}
		res.Rounds = round
		for _, o := range e.runRound(ctx, tasks, req.Cache) {
			aggFor(aggs, o.task.name).add(o)
			e.observer.ObserveCall(o.task.name, statusOfOutcome(o), o.latency, o.cached)
			if o.err != nil || o.finding == nil {
				continue
			}
			res.Findings = append(res.Findings, SourceFinding{
				Source: o.task.name, Identifier: o.task.id, Finding: o.finding,
				Cached: o.cached, FetchedAt: o.fetchedAt,
			})
			for _, id := range o.finding.Identifiers {
				if id.Origin == "" {
					id.Origin = o.task.name
				}
				pool.add(id)
			}
			for _, a := range o.finding.Accounts {
				if id, ok := ReusedUsername(o.task.id, a); ok {
					id.Origin = o.task.name
					pool.add(id)
				}
			}
		}
	}

	res.Identifiers = pool.all()
	for _, name := range e.reg.Names() {
		rep := e.report(name, selected, aggs[name])
		if !rep.Status.definitive() {
			res.Complete = false
		}
		res.Sources = append(res.Sources, rep)
	}
	return res
}

// reusePrior discounts the prior of the identifier an account was found by
// for that account's username: the account may not be the subject's
// (identity resolution decides), and people reuse handles often, not always.
const reusePrior = 0.9

// ReusedUsername returns the username of an account found by something
// other than that username (a GitHub search by email, a Gravatar hash, a
// link naming a Mastodon account on another instance) as a guess for the
// other platforms: people reuse a handle across platforms. Accounts found
// by the username itself add nothing new, nor do opaque handles (hashes,
// ids) that no one types as a username.
func ReusedUsername(via Identifier, a Account) (Identifier, bool) {
	u := a.Username
	if i := strings.IndexByte(u, '@'); i > 0 { // mastodon user@instance
		u = u[:i]
	}
	u = strings.TrimPrefix(u, "@")
	u = strings.TrimSuffix(u, ".bsky.social") // a bluesky handle: jane.bsky.social → jane
	if !plausibleHandle(u) || (via.Kind == KindUsername && strings.EqualFold(via.Value, u)) {
		return Identifier{}, false
	}
	prior := via.EffectivePrior()
	return Identifier{Kind: KindUsername, Value: u, Method: "username_guess", Prior: prior * reusePrior}, true
}

// plausibleHandle accepts what people use as a handle: 3–30 letters,
// digits and single separators, not a long hex string (a hash or an id).
func plausibleHandle(u string) bool {
	if len(u) < 3 || len(u) > 30 {
		return false
	}
	hex := true
	for i, r := range u {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
		case r == '.' || r == '_' || r == '-':
			if i == 0 || i == len(u)-1 {
				return false
			}
		default:
			return false
		}
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			hex = false
		}
	}
	return !(hex && len(u) >= 16)
}

func (s Status) definitive() bool {
	return s == StatusOK || s == StatusNotFound || s == StatusSkipped
}

// selection returns the names the request allows (nil map: all).
func (e *Engine) selection(req Request) map[string]string {
	// value: "" when selected, else the reason it is not.
	sel := make(map[string]string, len(e.entries))
	for name, en := range e.entries {
		switch {
		case !en.enabled:
			sel[name] = en.reason
		case len(req.Only) > 0 && !slices.Contains(req.Only, name):
			sel[name] = "not in options.sources"
		case slices.Contains(req.Exclude, name):
			sel[name] = "in options.exclude_sources"
		default:
			sel[name] = ""
		}
	}
	return sel
}

func (e *Engine) plan(ids []Identifier, selected map[string]string, done map[string]bool, aggs map[string]*aggregate) []task {
	var tasks []task
	keys := make([]string, len(ids)) // once per identifier, not per source
	for i, id := range ids {
		keys[i] = id.Key()
	}
	for _, name := range e.reg.Names() {
		if selected[name] != "" {
			continue
		}
		en := e.entries[name]
		for i, id := range ids {
			if !slices.Contains(en.desc.Inputs, id.Kind) {
				continue
			}
			key := name + "\x00" + keys[i]
			if done[key] {
				continue
			}
			done[key] = true
			if en.applier != nil {
				if ok, why := en.applier.Applies(id); !ok {
					aggFor(aggs, name).skip(why)
					continue
				}
			}
			tasks = append(tasks, task{name: name, id: id})
		}
	}
	// Strongest identifiers first: tasks start (and take their source's
	// tokens) in this order, so under a tight rate limit the likeliest
	// usernames are looked up and the weakest guesses are the ones held back.
	slices.SortStableFunc(tasks, func(a, b task) int { return cmp.Compare(b.id.Prior, a.id.Prior) })
	return tasks
}

// runRound runs tasks concurrently. Each goroutine sends its own outcome on
// a buffered channel; when ctx ends first, unfinished tasks are reported as
// timeouts and their late outcomes are dropped.
func (e *Engine) runRound(ctx context.Context, tasks []task, p CachePolicy) []outcome {
	ch := make(chan outcome, len(tasks))
	start := e.now()
	outs := make([]outcome, 0, len(tasks))
	finished := make(map[int]bool, len(tasks))
	idx := make(map[task]int, len(tasks))
	peeker, _ := e.cache.(Peeker)
	if p.Mode == "" {
		p.Mode = CacheDefault
	}
	for i, t := range tasks {
		idx[t] = i
		// Fresh cache hits are answered inline: no goroutine, no limiter.
		if peeker != nil {
			if f, at, ok := peeker.Peek(e.entries[t.name].desc, t.id, p); ok {
				outs = append(outs, outcome{task: t, finding: f, cached: true, fetchedAt: at})
				finished[i] = true
				continue
			}
		}
		go func() { ch <- e.call(ctx, t, p) }()
	}
	for len(outs) < len(tasks) {
		select {
		case o := <-ch:
			finished[idx[o.task]] = true
			outs = append(outs, o)
		case <-ctx.Done():
			for i, t := range tasks {
				if !finished[i] {
					outs = append(outs, outcome{task: t, latency: e.now().Sub(start),
						err: &SourceError{Source: t.name, Status: StatusTimeout, Err: ErrBudget}})
				}
			}
			return outs
		}
	}
	return outs
}

// call runs one source for one identifier: cache → limiter → breaker →
// source with its own deadline, with panics turned into errors.
func (e *Engine) call(ctx context.Context, t task, p CachePolicy) (o outcome) {
	en := e.entries[t.name]
	o.task = t
	start := e.now()
	defer func() { o.latency = e.now().Sub(start) }()
	fetch := func(ctx context.Context) (*Finding, error) { return e.fetch(ctx, en, t.id) }
	// Offline sources answer in microseconds from embedded data: caching
	// them would only spend memory (and Redis round trips) on what is
	// cheaper to recompute.
	if e.cache == nil || !en.desc.Network {
		o.finding, o.err = fetch(ctx)
		o.fetchedAt = e.now()
		return o
	}
	if p.Mode == "" {
		p.Mode = CacheDefault
	}
	o.finding, o.cached, o.fetchedAt, o.err = e.cache.Fetch(ctx, en.desc, t.id, p, fetch)
	return o
}

func (e *Engine) fetch(ctx context.Context, en *entry, id Identifier) (*Finding, error) {
	f, err := e.attempt(ctx, en, id)
	var se *SourceError
	if err == nil || !errors.As(err, &se) || !se.Retryable {
		return f, err
	}
	// One retry, each attempt through the limiter and the breaker, only if
	// the wait plus a full source timeout still fits in the budget.
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < se.RetryAfter+en.desc.Timeout/2 {
		return f, err
	}
	if sleep(ctx, se.RetryAfter) != nil {
		return f, err
	}
	return e.attempt(ctx, en, id)
}

// attempt is one call: limiter → breaker → source with its own deadline,
// with panics turned into errors.
func (e *Engine) attempt(ctx context.Context, en *entry, id Identifier) (*Finding, error) {
	name := en.desc.Name
	if err := en.limiter.Wait(ctx); err != nil {
		return nil, &SourceError{Source: name, Status: StatusRateLimited, Err: fmt.Errorf("%w: %w", ErrLocalLimit, err)}
	}
	ctx = withTokens(ctx, en.limiter)
	f, err := en.breaker.Execute(func() (f *Finding, err error) {
		cctx, cancel := context.WithTimeout(ctx, en.desc.Timeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				e.log.Error("source panicked", "source", name, "panic", redact.String(fmt.Sprint(r)), "stack", string(debug.Stack()))
				f, err = nil, fmt.Errorf("%s: panic: %v", name, r)
			}
		}()
		f, err = en.src.Enrich(cctx, id)
		if err != nil && cctx.Err() != nil {
			if ctx.Err() != nil {
				// The request's budget ran out, not the source's own timeout.
				return nil, &SourceError{Source: name, Status: StatusTimeout, Err: ErrBudget}
			}
			return nil, &SourceError{Source: name, Status: StatusTimeout,
				Err: fmt.Errorf("no answer within %s: %w", en.desc.Timeout, context.DeadlineExceeded)}
		}
		if err == nil && f == nil {
			err = fmt.Errorf("%s: returned neither a finding nor an error", name)
		}
		return f, err
	})
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, &SourceError{Source: name, Status: StatusCircuitOpen, Err: err}
	case err != nil:
		var se *SourceError
		if errors.As(err, &se) && se.Status == StatusRateLimited && se.RetryAfter > 0 {
			en.limiter.PauseFor(se.RetryAfter)
		}
		return nil, err
	}
	return f, nil
}

func statusOfOutcome(o outcome) Status {
	if o.err != nil {
		return StatusOf(o.err)
	}
	if o.finding != nil && o.finding.NotFound {
		return StatusNotFound
	}
	return StatusOK
}

// aggregate folds the outcomes of one source's tasks into one report.
type aggregate struct {
	counts    map[Status]int
	firstErr  map[Status]string
	skipWhy   string
	latency   time.Duration
	calls     int
	cached    int
	fetchedAt time.Time
}

func aggFor(m map[string]*aggregate, name string) *aggregate {
	a := m[name]
	if a == nil {
		a = &aggregate{counts: map[Status]int{}, firstErr: map[Status]string{}}
		m[name] = a
	}
	return a
}

func (a *aggregate) skip(why string) {
	if a.skipWhy == "" {
		a.skipWhy = why
	}
}

func (a *aggregate) add(o outcome) {
	st := statusOfOutcome(o)
	a.counts[st]++
	a.calls++
	if o.err != nil {
		if _, ok := a.firstErr[st]; !ok {
			a.firstErr[st] = o.err.Error()
		}
	}
	a.latency = max(a.latency, o.latency)
	if o.cached {
		a.cached++
		if a.fetchedAt.IsZero() || o.fetchedAt.Before(a.fetchedAt) {
			a.fetchedAt = o.fetchedAt
		}
	} else if o.err == nil && (a.fetchedAt.IsZero() || o.fetchedAt.Before(a.fetchedAt)) {
		a.fetchedAt = o.fetchedAt
	}
}

// failureOrder is the precedence among failure statuses when a source has no
// positive answer: the most informative first.
var failureOrder = [...]Status{StatusCircuitOpen, StatusRateLimited, StatusBlocked, StatusTimeout, StatusError}

func (e *Engine) report(name string, selected map[string]string, a *aggregate) SourceReport {
	rep := SourceReport{Name: name}
	if why := selected[name]; why != "" {
		rep.Status, rep.Detail = StatusSkipped, why
		return rep
	}
	if a == nil || a.calls == 0 {
		rep.Status = StatusSkipped
		switch {
		case a != nil && a.skipWhy != "":
			rep.Detail = a.skipWhy
		default:
			rep.Detail = "no " + kindsList(e.entries[name].desc.Inputs) + " to look up"
		}
		return rep
	}
	rep.Latency, rep.Calls = a.latency, a.calls
	rep.Cached = a.cached == a.calls
	rep.FetchedAt = a.fetchedAt
	var failures []string
	for _, st := range failureOrder {
		if n := a.counts[st]; n > 0 {
			failures = append(failures, fmt.Sprintf("%d %s", n, st))
		}
	}
	switch {
	case a.counts[StatusOK] > 0:
		rep.Status = StatusOK
		if len(failures) > 0 {
			rep.Detail = fmt.Sprintf("%d of %d lookups answered; %s", a.counts[StatusOK]+a.counts[StatusNotFound], a.calls, strings.Join(failures, ", "))
		}
	case len(failures) > 0:
		for _, st := range failureOrder {
			if a.counts[st] > 0 {
				rep.Status, rep.Detail = st, a.firstErr[st]
				break
			}
		}
	case a.counts[StatusNotFound] > 0:
		rep.Status = StatusNotFound
	default:
		rep.Status, rep.Detail = StatusSkipped, a.firstErr[StatusSkipped]
	}
	return rep
}

func kindsList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	sort.Strings(s)
	return strings.Join(s, " or ")
}

// identifierPool de-duplicates identifiers by (kind, value), keeping the
// strongest provenance.
type identifierPool struct {
	order []string
	byKey map[string]Identifier
}

func newIdentifierPool(ids []Identifier) *identifierPool {
	p := &identifierPool{byKey: map[string]Identifier{}}
	for _, id := range ids {
		p.add(id)
	}
	return p
}

func (p *identifierPool) add(id Identifier) {
	if id.Value == "" {
		return
	}
	k := id.Key()
	old, ok := p.byKey[k]
	if !ok {
		p.order = append(p.order, k)
		p.byKey[k] = id
		return
	}
	if id.Prior > old.Prior {
		p.byKey[k] = id
	}
}

func (p *identifierPool) all() []Identifier {
	out := make([]Identifier, len(p.order))
	for i, k := range p.order {
		out[i] = p.byKey[k]
	}
	return out
}
