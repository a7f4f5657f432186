package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Request is one enrichment run.
type Request struct {
	// Identifiers are the subject's normalized identifiers (round 1 input).
	Identifiers []enrichers.Identifier
	// Only restricts the run to these sources; Exclude removes sources.
	// Names must be registered (the API validates them).
	Only, Exclude []string
	// Skip names sources the run must not call, each with the reason it
	// reports (skipped): the sources a purpose denies, or every network
	// source of a suppressed subject ("suppressed").
	Skip map[string]string
	// Cache is the request's cache policy.
	Cache CachePolicy
}

// Result is what a run learned. Findings are in the order each round
// planned its tasks (not the order they finished), rounds in order.
type Result struct {
	// MemoID identifies a result the engine remembers (0: not
	// remembered): every repeat served from the memo carries the same id,
	// so callers may reuse what they derived from it. Its slices are
	// shared with every other repeat: read-only.
	MemoID      uint64
	Sources     []SourceReport
	Findings    []SourceFinding
	Identifiers []enrichers.Identifier
	Complete    bool
	Rounds      int
}

// SourceFinding is one source's finding for one identifier.
type SourceFinding struct {
	Source     string
	Identifier enrichers.Identifier
	Finding    *enrichers.Finding
	Cached     bool
	FetchedAt  time.Time
}

type task struct {
	name string
	at   int // the source's index in Engine.ordered
	id   enrichers.Identifier
}

type outcome struct {
	task      task
	finding   *enrichers.Finding
	err       error
	latency   time.Duration
	cached    bool
	fetchedAt time.Time
	slot      int  // the task's index in its round
	finished  bool // the call returned (runRound)
}

// Run fans out until no new work appears, the round limit is reached or ctx
// is done. It always returns a result: partial results beat late ones.
func (e *Engine) Run(ctx context.Context, req Request) *Result {
	res, k := e.RememberedKey(req)
	if res != nil {
		return res
	}
	return e.RunMissed(ctx, req, k)
}

// MemoKey is a request's key in the engine's memo, computed once by
// RememberedKey for the RunMissed that follows a miss. The zero MemoKey
// stands for "not computed".
type MemoKey struct {
	k   [32]byte
	set bool
}

// RememberedKey is Remembered, also returning req's memo key (zero
// without a memo, or when req's runs are not remembered), so that a caller
// who goes on to RunMissed hashes the request once.
func (e *Engine) RememberedKey(req Request) (*Result, MemoKey) {
	if !e.memoized(req) {
		return nil, MemoKey{}
	}
	k := MemoKey{k: e.memo.keyOf(req), set: true}
	return e.remembered(k.k, req), k
}

// RunMissed is Run for a request whose memo lookup (RememberedKey, which
// gave k) just missed: it runs without asking the memo again, then
// remembers the result under k (computed here if k is zero) when runs of
// req are remembered (memoized).
func (e *Engine) RunMissed(ctx context.Context, req Request, k MemoKey) *Result {
	res := e.run(ctx, req)
	// Background work (a batch job's rows: each a different subject,
	// enriched once) would only push out the live lookups the memo is
	// for, and hold memory for nothing.
	if !transport.Background(ctx) && (k.set || e.memoized(req)) {
		if !k.set {
			k = MemoKey{k: e.memo.keyOf(req), set: true}
		}
		e.memo.put(k.k, req, res, e.findingTTL, e.offline, e.now())
	}
	return res
}

// memoized reports whether the memo remembers runs of req: not without a
// memo, and not when every source req selects is inline (offline,
// microseconds). Such a run is recomputed, as the evidence cache never
// holds an offline source's finding: remembering it would cost every
// lookup a keyed hash, and memory (pointers the collector scans) for
// what is cheaper to compute again (checkout's offline-only lookups are
// mostly of a new subject each).
func (e *Engine) memoized(req Request) bool {
	return e.memo != nil && !e.Inline(req)
}

// Remembered returns the result the engine remembers for req (see memo), or
// nil: a repeat lookup answered with no planning, budget or I/O. Run
// consults it first.
func (e *Engine) Remembered(req Request) *Result {
	res, _ := e.RememberedKey(req)
	return res
}

// remembered is Remembered under req's memo key k.
func (e *Engine) remembered(k [32]byte, req Request) *Result {
	res := e.memo.get(k, req, e.now())
	if res == nil {
		return nil
	}
	for _, s := range res.Sources {
		if s.Calls > 0 {
			e.observer.ObserveCall(s.Name, s.Status, 0, s.Cached)
			e.recent.add(s.Name, s.Status, e.now())
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

func (e *Engine) findingTTL(name string, f *enrichers.Finding) time.Duration {
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
	srcs := e.selection(req)
	var pool identifierPool
	pool.init(req.Identifiers)
	var done taskSet
	res := &Result{Complete: true}

	for round := 1; round <= e.maxRounds+1; round++ {
		// Past the round limit, one last round fetches only what can
		// lead nowhere (the photos of the last round's accounts), so
		// every found account's photo is looked at.
		leavesOnly := round > e.maxRounds
		tasks := e.plan(&pool, srcs, &done, leavesOnly)
		if len(tasks) == 0 {
			break
		}
		if ctx.Err() != nil {
			for _, t := range tasks {
				srcs[t.at].agg.add(outcome{task: t, err: fmt.Errorf("not started: %w", enrichers.ErrBudget)})
			}
			res.Complete = false
			break
		}
		res.Rounds = round
		outs := e.runRound(ctx, tasks, req.Cache)
		res.Findings = slices.Grow(res.Findings, len(outs))
		ended := e.now() // the round's outcomes are all in
		for _, o := range outs {
			srcs[o.task.at].agg.add(o)
			e.observer.ObserveCall(o.task.name, statusOfOutcome(o), o.latency, o.cached)
			e.recent.add(o.task.name, statusOfOutcome(o), ended)
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
			// An identity rule (Options.ReusedUsername) may turn a found
			// account into a username for the other platforms.
			if e.reused != nil {
				for _, a := range o.finding.Accounts {
					if id, ok := e.reused(o.task.id, a); ok {
						id.Origin = o.task.name
						pool.add(id)
					}
				}
			}
			// Every found account's profile photo is looked at (the
			// avatar source skips platform defaults).
			for _, a := range o.finding.Accounts {
				if a.Source == "" {
					a.Source = o.task.name
				}
				if id, ok := a.Image(o.task.id); ok {
					id.Origin = o.task.name
					pool.add(id)
				}
			}
		}
	}

	res.Identifiers = slices.Clip(pool.ids) // the pool is done with
	res.Sources = make([]SourceReport, len(e.ordered))
	for i, en := range e.ordered {
		res.Sources[i] = e.report(en, &srcs[i])
		if !definitive(res.Sources[i].Status) {
			res.Complete = false
		}
	}
	return res
}

// runSource is what a run knows of one source: whether the request
// selected it, the calls planned (Description.MaxPerLookup) and their
// outcomes so far. A run holds one per source, in registry order, in one
// slice.
type runSource struct {
	skip    string // why the request does not select it ("": selected)
	planned int
	agg     aggregate
}

// selection returns the run's state of every source (Engine.ordered's
// order), with the reason each one the request does not allow is left out.
func (e *Engine) selection(req Request) []runSource {
	srcs := make([]runSource, len(e.ordered))
	for i, en := range e.ordered {
		srcs[i].skip = leftOut(en, req)
	}
	return srcs
}

// leftOut is why req leaves en's source out ("": it is selected).
func leftOut(en *entry, req Request) string {
	name := en.desc.Name
	switch {
	case req.Skip[name] != "":
		return req.Skip[name]
	case !en.enabled:
		return en.reason
	case len(req.Only) > 0 && !slices.Contains(req.Only, name):
		return "not in options.sources"
	case slices.Contains(req.Exclude, name):
		return "in options.exclude_sources"
	}
	return ""
}

// Inline reports whether every source req selects runs on the calling
// goroutine (Description.Inline: offline, microseconds, never blocking),
// so that a run of req never waits and its budget cannot run out: a
// caller may skip setting a deadline for it.
func (e *Engine) Inline(req Request) bool {
	// A lookup asks often (the pipeline, the memo): only the sources that
	// are not inline are looked at, and with options.sources only those
	// it names.
	if len(req.Only) > 0 {
		for _, name := range req.Only {
			if en := e.entries[name]; en != nil && !en.inline && leftOut(en, req) == "" {
				return false
			}
		}
		return true
	}
	for _, en := range e.blocking {
		if leftOut(en, req) == "" {
			return false
		}
	}
	return true
}

// taskKey names a task a run has planned: a source and an identifier's
// key.
type taskKey struct {
	source string
	id     idKey
}

// taskSet is the tasks a run has planned: a few (a lookup's usual
// handful) in an array scanned on the stack, more in a map.
type taskSet struct {
	few [poolScan]taskKey
	n   int
	m   map[taskKey]struct{}
}

// add adds k, reporting whether it was not in the set yet.
func (s *taskSet) add(k taskKey) bool {
	if s.m != nil {
		if _, ok := s.m[k]; ok {
			return false
		}
		s.m[k] = struct{}{}
		return true
	}
	for _, f := range s.few[:s.n] {
		if f == k {
			return false
		}
	}
	if s.n < len(s.few) {
		s.few[s.n] = k
		s.n++
		return true
	}
	s.m = make(map[taskKey]struct{}, 2*len(s.few))
	for _, f := range s.few {
		s.m[f] = struct{}{}
	}
	s.m[k] = struct{}{}
	return true
}

// idKey is Identifier.KeyParts: equal exactly when the Keys are, with no
// string built.
type idKey struct {
	kind  enrichers.Kind
	value string
}

func keyOf(id enrichers.Identifier) idKey {
	kind, value := id.KeyParts()
	return idKey{kind, value}
}

// isLeaf reports whether sources of identifiers of kind emit nothing to
// look up further (profile photos): the round after the last may still
// fetch them.
func isLeaf(kind enrichers.Kind) bool { return kind == enrichers.KindImage }

// plan returns the round's tasks: every selected source for every new
// identifier it accepts (only leaf kinds when leavesOnly), strongest first,
// at most Description.MaxPerLookup per source over the run (runSource.planned
// counts them).
func (e *Engine) plan(pool *identifierPool, srcs []runSource, done *taskSet, leavesOnly bool) []task {
	ids, keys := pool.ids, pool.keys
	var tasks []task
	for at, en := range e.ordered {
		if srcs[at].skip != "" {
			continue
		}
		name := en.desc.Name
		for i, id := range ids {
			if !slices.Contains(en.desc.Inputs, id.Kind) || leavesOnly && !isLeaf(id.Kind) {
				continue
			}
			if !done.add(taskKey{name, keys[i]}) {
				continue
			}
			if en.applier != nil {
				if ok, why := en.applier.Applies(id); !ok {
					srcs[at].agg.skip(why)
					continue
				}
			}
			if tasks == nil {
				tasks = make([]task, 0, min(len(ids), 8))
			}
			tasks = append(tasks, task{name: name, at: at, id: id})
		}
	}
	// Strongest identifiers first: tasks start (and take their source's
	// tokens) in this order, so under a tight rate limit the likeliest
	// usernames are looked up and the weakest guesses are the ones held back.
	slices.SortStableFunc(tasks, func(a, b task) int { return cmp.Compare(b.id.Prior, a.id.Prior) })
	// A source capped per lookup takes its likeliest identifiers.
	kept := tasks[:0]
	for _, t := range tasks {
		if limit := e.ordered[t.at].desc.MaxPerLookup; limit > 0 {
			s := &srcs[t.at]
			if s.planned >= limit {
				s.agg.skip(fmt.Sprintf("over the cap of %d calls per lookup (max_per_lookup)", limit))
				continue
			}
			s.planned++
		}
		kept = append(kept, t)
	}
	return kept
}

// runRound runs tasks concurrently. Each task runs on a goroutine of its
// own, which sends its outcome on a buffered channel, except an inline
// source's (Description.Inline), which runs on the calling goroutine once
// the others have started. When ctx ends first, unfinished tasks are
// reported as timeouts and their late outcomes are dropped. Outcomes come
// back in the tasks' order, not in the order they finished, so what a run
// learns (and which discovery of an identifier is kept) does not depend on
// timing.
func (e *Engine) runRound(ctx context.Context, tasks []task, p CachePolicy) []outcome {
	outs := make([]outcome, len(tasks))
	started := 0
	for _, t := range tasks {
		if !e.ordered[t.at].inline {
			started++
		}
	}
	var start time.Time // when the goroutines started: their timeouts' latency
	if started > 0 {
		start = e.now()
	}
	ch := outcomes(started)
	for i, t := range tasks {
		if e.ordered[t.at].inline {
			continue
		}
		go func() {
			o := e.call(ctx, t, p)
			o.slot = i
			ch <- o
		}()
	}
	for i, t := range tasks {
		if e.ordered[t.at].inline {
			outs[i] = e.call(ctx, t, p)
			outs[i].slot, outs[i].finished = i, true
		}
	}
	for n := 0; n < started; n++ {
		select {
		case o := <-ch:
			o.finished = true
			outs[o.slot] = o
		case <-ctx.Done():
			for i, t := range tasks {
				if !outs[i].finished {
					outs[i] = outcome{task: t, latency: e.now().Sub(start),
						err: &enrichers.SourceError{Source: t.name, Status: enrichers.StatusTimeout, Err: enrichers.ErrBudget}}
				}
			}
			return outs
		}
	}
	return outs
}

// outcomes is the channel n goroutines send their outcomes on (nil for
// none: a round of inline tasks makes no channel).
func outcomes(n int) chan outcome {
	if n == 0 {
		return nil
	}
	return make(chan outcome, n)
}

// identifierPool de-duplicates identifiers by (kind, value), keeping the
// strongest provenance, in the order they were first seen.
type identifierPool struct {
	ids  []enrichers.Identifier
	keys []idKey       // keys[i] is keyOf(ids[i])
	at   map[idKey]int // key → index in ids; nil while the pool is small
}

// poolScan is the size up to which the pool finds a key by scanning keys
// (a lookup's usual dozen identifiers) rather than through a map.
const poolScan = 16

// init starts the pool with ids.
func (p *identifierPool) init(ids []enrichers.Identifier) {
	// Room for what a first round usually adds (an email brings its
	// domain, usernames and a name).
	n := len(ids) + 12
	p.ids, p.keys = make([]enrichers.Identifier, 0, n), make([]idKey, 0, n)
	for _, id := range ids {
		p.add(id)
	}
}

// index is the position of key k in the pool, or -1.
func (p *identifierPool) index(k idKey) int {
	if p.at != nil {
		if i, ok := p.at[k]; ok {
			return i
		}
		return -1
	}
	for i, pk := range p.keys {
		if pk == k {
			return i
		}
	}
	return -1
}

func (p *identifierPool) add(id enrichers.Identifier) {
	if id.Value == "" {
		return
	}
	k := keyOf(id)
	i := p.index(k)
	if i < 0 {
		p.ids = append(p.ids, id)
		p.keys = append(p.keys, k)
		switch {
		case p.at != nil:
			p.at[k] = len(p.ids) - 1
		case len(p.keys) > poolScan:
			p.at = make(map[idKey]int, 2*len(p.keys))
			for j, pk := range p.keys {
				p.at[pk] = j
			}
		}
		return
	}
	if id.Prior > p.ids[i].Prior {
		p.ids[i] = id
	}
}
