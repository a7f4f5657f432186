package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/normalize"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// window bounds the rows of one job between the reader and the store
// (being enriched, waiting for a retry or a duplicate, or being written);
// it bounds memory and how far rows run ahead of the checkpoint.
const window = 1024

// Writer batching: a transaction per batch, not per row.
const (
	maxBatch  = 512
	batchWait = 20 * time.Millisecond
)

// run is one execution of a job, from launch to stop.
type run struct {
	id     string
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
	prog   progress

	// rows bounds the job's rows in progress (being enriched or waiting
	// for a token), so waiting rows stay few and are served in turn.
	rows chan struct{}

	mu       sync.Mutex
	inflight map[string]*entry // dedup key → the row enriching it

	progressHook atomic.Bool // a progress webhook is being delivered

	// tokens are the rate-limit tokens the run's rows took (the ETA's
	// estimate from the sources' limits, etaFromLimits).
	tokens *transport.Tally
	// begun counts the rows whose enrichment began; spent the tokens of
	// the rows that ended.
	begun atomic.Int64
	spent rowTokens
}

// rowTokens sums the tokens rows took, per limiter, over the rows that
// ended (with any result).
type rowTokens struct {
	mu     sync.Mutex
	rows   int64
	tokens map[*transport.Limiter]int64
}

func (t *rowTokens) add(counts map[*transport.Limiter]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tokens == nil {
		t.tokens = map[*transport.Limiter]int64{}
	}
	t.rows++
	for l, n := range counts {
		t.tokens[l] += n
	}
}

// snapshot returns the rows that ended and a copy of their tokens.
func (t *rowTokens) snapshot() (int64, map[*transport.Limiter]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[*transport.Limiter]int64, len(t.tokens))
	for l, n := range t.tokens {
		out[l] = n
	}
	return t.rows, out
}

// entry is a dedup key being enriched: the rows waiting for it and, once
// known, the result.
type entry struct {
	rows []int64
	res  *result
}

// launchLocked starts a run of job id; m.mu is held.
func (m *Manager) launchLocked(id string) {
	ctx, cancel := context.WithCancelCause(withJobID(m.base, id))
	r := &run{id: id, ctx: ctx, cancel: cancel, done: make(chan struct{}), inflight: map[string]*entry{},
		rows: make(chan struct{}, m.cfg.Concurrency), tokens: transport.NewTally(nil)}
	m.runs[id] = r
	m.running.Add(1)
	m.wg.Add(1)
	go m.execute(r)
}

func (m *Manager) execute(r *run) {
	defer m.wg.Done()
	defer close(r.done)
	var completed bool
	var err error
	select {
	case m.active <- struct{}{}:
		completed, err = m.process(r)
		<-m.active
	case <-r.ctx.Done():
	}
	m.finish(r, completed, err)
}

// finish stores the state the run ended in.
func (m *Manager) finish(r *run, completed bool, err error) {
	cause := context.Cause(r.ctx)
	var fatal *fatalError
	var qp *admitPause
	if (err == nil || errors.Is(err, context.Canceled)) && errors.As(cause, &fatal) {
		err = fatal.err
	}
	now := m.now().UTC()
	m.mu.Lock()
	defer m.mu.Unlock()
	defer delete(m.runs, r.id)
	defer m.running.Add(-1)
	uctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 10*time.Second)
	defer cancel()
	rec, uerr := m.st.update(uctx, r.id, func(rec *record) error {
		if rec.State.Final() {
			// Another replica finished or cancelled it first: its
			// state, and its webhook, stand.
			return nil
		}
		final := func(s State) {
			rec.State, rec.FinishedAt = s, &now
			rec.WebhookPending = rec.WebhookURL != ""
		}
		switch {
		case completed:
			final(StateSucceeded)
		case err != nil && !errors.Is(err, context.Canceled):
			final(StateFailed)
			rec.Error = err.Error()
		case errors.Is(cause, errCancel):
			final(StateCancelled)
		case errors.Is(cause, errPause):
			rec.State = StatePaused
			rec.PauseReason, rec.ResumeAt = "", nil
		case errors.As(cause, &qp):
			rec.State = StatePaused
			rec.PauseReason, rec.ResumeAt = qp.reason, qp.resumeAt(now, m.cfg.QuotaRecheck)
		default: // shutdown, Start's ctx done, or stopped by another replica: as it is
		}
		return nil
	})
	if errors.Is(uerr, ErrNotFound) {
		return // deleted on another replica
	}
	if uerr != nil {
		m.log.LogAttrs(context.Background(), slog.LevelError, "job state not saved", slog.String("job", r.id), slog.String("error", uerr.Error()))
		return
	}
	m.log.LogAttrs(context.Background(), slog.LevelInfo, "job stopped", slog.String("job", r.id),
		slog.String("state", string(rec.State)), slog.Int64("done", rec.Done), slog.Int64("total", rec.Total))
	if rec.WebhookPending && !m.closed {
		m.webhookLocked(r.id)
	}
	if rec.State == StatePaused && rec.PauseReason != "" {
		m.log.LogAttrs(context.Background(), slog.LevelInfo, "job paused by its key's quota", slog.String("job", r.id),
			slog.String("reason", rec.PauseReason))
		m.scheduleResumeLocked(r.id, rec.ResumeAt)
	}
}

// process runs the job's rows from its checkpoint. completed is true when
// every row has a stored result.
func (m *Manager) process(r *run) (completed bool, err error) {
	rec, err := m.st.update(r.ctx, r.id, func(rec *record) error {
		if rec.State != StateQueued && rec.State != StateRunning {
			return ErrConflict
		}
		rec.State = StateRunning
		if rec.StartedAt == nil {
			rec.StartedAt = ptr(m.now().UTC())
		}
		return nil
	})
	if errors.Is(err, ErrConflict) {
		return false, nil // paused or cancelled while queued
	}
	if err != nil {
		return false, err
	}
	r.prog.start(m.now(), rec.Done)
	m.slots.join(r)
	defer m.slots.leave(r)
	var rr rowSource
	var last int64
	if m.q != nil {
		// Shared: rows come from the queue, claimed under a lease.
		cr := m.claimRows(r)
		defer cr.stop()
		rr = cr
	} else {
		f, err := m.st.openInput(r.ctx, r.id, rec.Format)
		if err != nil {
			return false, fmt.Errorf("input: %w", err)
		}
		defer f.Close()
		if rr, err = NewReader(rec.Format, f); err != nil {
			return false, err
		}
		if last, err = m.st.lastResult(r.ctx, r.id); err != nil {
			return false, err
		}
	}

	outs := make(chan outcome, window)
	slots := make(chan struct{}, window)
	writerErr := make(chan error, 1)
	go func() { writerErr <- m.writeLoop(r, rec, outs, slots) }()

	var workers sync.WaitGroup
	send := func(o outcome) { outs <- o }
	eof, readErr := m.dispatch(r, rec, rr, last, slots, send, &workers)
	workers.Wait()
	close(outs)
	werr := <-writerErr
	switch {
	case errors.Is(werr, errStoreDown):
		return false, nil // resumable: the cause says why
	case werr != nil:
		return false, werr
	case readErr != nil:
		return false, fmt.Errorf("input: %w", readErr)
	case !eof || r.ctx.Err() != nil:
		return false, nil
	}
	// Every row was dispatched and every outcome committed: the job is
	// complete when the checkpoint reached the end.
	rec, err = m.st.get(r.ctx, r.id)
	if err != nil {
		return false, err
	}
	if rec.Checkpoint < rec.Total {
		return false, fmt.Errorf("internal: checkpoint %d of %d rows after the input ended", rec.Checkpoint, rec.Total)
	}
	return true, nil
}

// dispatch reads rows and hands each to a worker, a duplicate's entry, or
// straight to the writer. It returns eof when the input was read to the end.
func (m *Manager) dispatch(r *run, rec *record, rr rowSource, last int64, slots chan struct{}, send func(outcome), workers *sync.WaitGroup) (eof bool, err error) {
	for {
		row, err := rr.Next()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		n := int64(row.N)
		if n <= rec.Checkpoint {
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-r.ctx.Done():
			return false, nil
		}
		if n <= last {
			has, err := m.st.hasResult(r.ctx, r.id, n)
			if err != nil {
				return false, r.stopped(err)
			}
			if has {
				send(outcome{row: n, skip: true})
				continue
			}
		}
		if row.Err != nil {
			var re *RowError
			reason := row.Err.Error()
			if errors.As(row.Err, &re) {
				reason = fmt.Sprintf("line %d: %s", re.Line, re.Reason)
			}
			send(outcome{row: n, res: &result{Status: RowFailed, Error: newProblem(400, "The row cannot be read: "+reason+".", nil)}})
			continue
		}
		in := row.Input
		in.Options = rec.Options
		key := dedupKey(in)
		if key == "" {
			if !r.startRow() {
				return false, nil
			}
			rctx, ok := m.admit(r, rec)
			if !ok {
				r.endRow()
				return false, nil
			}
			workers.Add(1)
			go func() {
				defer workers.Done()
				defer r.endRow()
				if res := m.enrich(rctx, r, in); res != nil {
					send(outcome{row: n, res: res})
				}
			}()
			continue
		}
		r.mu.Lock()
		if e := r.inflight[key]; e != nil {
			if e.res != nil {
				res := e.res
				r.mu.Unlock()
				send(outcome{row: n, res: res})
			} else {
				e.rows = append(e.rows, n)
				r.mu.Unlock()
			}
			continue
		}
		r.mu.Unlock()
		res, _, err := m.st.dedupResult(r.ctx, r.id, key)
		if err != nil {
			return false, r.stopped(err)
		}
		if res != nil {
			send(outcome{row: n, res: res})
			continue
		}
		if !r.startRow() {
			return false, nil
		}
		rctx, ok := m.admit(r, rec)
		if !ok {
			r.endRow()
			return false, nil
		}
		e := &entry{rows: []int64{n}}
		r.mu.Lock()
		r.inflight[key] = e
		r.mu.Unlock()
		workers.Add(1)
		go func() {
			defer workers.Done()
			defer r.endRow()
			res := m.enrich(rctx, r, in)
			r.mu.Lock()
			if res == nil {
				delete(r.inflight, key)
				r.mu.Unlock()
				return
			}
			e.res = res
			rows := e.rows
			e.rows = nil
			r.mu.Unlock()
			for i, rn := range rows {
				o := outcome{row: rn, res: res}
				if i == 0 {
					o.dedupKey = key // the writer drops the entry once this is stored
				}
				send(o)
			}
		}()
	}
}

// stopped is nil when err came from the run stopping (a store call cut
// short by its context), err otherwise.
func (r *run) stopped(err error) error {
	if r.ctx.Err() != nil {
		return nil
	}
	return err
}

// startRow takes a place among the job's rows in progress; false when the
// run stopped first.
func (r *run) startRow() bool {
	select {
	case r.rows <- struct{}{}:
		return true
	case <-r.ctx.Done():
		return false
	}
}

func (r *run) endRow() { <-r.rows }

// dedupKey identifies rows that are enriched once per job: a 16-byte
// SHA-256 prefix of the canonical email and the E.164 phone (short in the
// store, and no address written there a second time). Rows whose
// identifiers do not normalize have no key (they fail validation on their
// own).
func dedupKey(in pipeline.Input) string {
	k := identityOf(in)
	if k == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(k))
	return string(sum[:16])
}

func identityOf(in pipeline.Input) string {
	var parts []string
	if strings.TrimSpace(in.Email) != "" {
		e, err := normalize.ParseEmail(in.Email)
		if err != nil {
			return ""
		}
		parts = append(parts, "e:"+e.Canonical)
	}
	if strings.TrimSpace(in.Phone) != "" {
		p, err := normalize.ParsePhone(in.Phone, in.Country)
		if err != nil {
			return ""
		}
		parts = append(parts, "p:"+p.E164)
	}
	return strings.Join(parts, "|")
}

// errPanic marks an enricher that panicked.
var errPanic = errors.New("enricher panicked")

// maxTokenWaits bounds the times one row waits for its turn at limiters
// that held it back (each wait ends with the row first in line, so this is
// reached only when the row's sources keep changing between attempts).
const maxTokenWaits = 64

// enrich enriches one row with retries. It returns nil when the run stopped
// first (the row is then done by the next run).
//
// A source footprint's own limiter held back (rate_limited, the upstream not
// asked) is not an attempt: the row waits for its turn at that source's
// limiter holding no enrichment slot and with no budget running
// (transport.Limiter.AwaitTurn), then runs again, first in line (the sources
// that answered come from the cache). No token is taken ahead of its
// request: rows are paced by the binding source and never send faster than
// its rate, and an incomplete row is one whose upstream did not answer.
func (m *Manager) enrich(rctx context.Context, r *run, in pipeline.Input) (res *result) {
	base, end := m.traceRow(rctx, r)
	defer func() { end(res) }()
	r.begun.Add(1)
	tally := transport.NewTally(r.tokens)
	// The row's place in the limiters' queues: it keeps it while it waits
	// and runs again, so the rows that waited longest go first.
	base = transport.WithPlace(transport.WithTally(base, tally))
	defer func() {
		if res != nil {
			counts := tally.Counts()
			r.spent.add(counts)
			m.spent.add(counts)
		}
	}()
	backoff := m.cfg.RetryBackoff
	waits := 0
	var awaited []*transport.Limiter // turns kept for the row's next run
	for attempt := 1; ; attempt++ {
		p, err := m.enrichOnce(base, r, in)
		for _, l := range awaited {
			l.Unhold(base) // a turn the run did not use
		}
		awaited = awaited[:0]
		if r.ctx.Err() != nil {
			return nil
		}
		if err == nil && p != nil && waits < maxTokenWaits {
			if held := m.heldBack(p); len(held) > 0 {
				waits++
				attempt--
				for _, l := range held {
					if slices.Contains(awaited, l) {
						continue
					}
					if _, err := l.AwaitTurn(base); err != nil {
						return nil // the run stopped
					}
					awaited = append(awaited, l)
				}
				continue
			}
		}
		var ie *pipeline.InputError
		switch {
		case errors.As(err, &ie):
			for _, fe := range ie.Errors {
				if strings.HasPrefix(fe.Field, "options") {
					// The job's options are wrong for every row: fail the job.
					r.cancel(&fatalError{err: fmt.Errorf("invalid options: %w", ie)})
					return nil
				}
			}
			return &result{Status: RowFailed, Attempts: attempt, Error: newProblem(ie.Status, "The row's identifiers cannot be used.", ie.Errors)}
		case errors.Is(err, errPanic):
			m.log.LogAttrs(r.ctx, slog.LevelError, "enricher panicked", slog.String("job", r.id), slog.String("error", err.Error()))
			return &result{Status: RowFailed, Attempts: attempt, Error: newProblem(500, "Enrichment failed unexpectedly.", nil)}
		case err != nil:
			m.log.LogAttrs(r.ctx, slog.LevelWarn, "enrichment failed", slog.String("job", r.id), slog.Int("attempt", attempt), slog.String("error", err.Error()))
			if attempt >= m.cfg.MaxAttempts {
				return &result{Status: RowFailed, Attempts: attempt,
					Error: newProblem(500, fmt.Sprintf("Enrichment failed after %d attempts.", attempt), nil)}
			}
		case p == nil:
			return &result{Status: RowFailed, Attempts: attempt, Error: newProblem(500, "Enrichment returned no profile.", nil)}
		default:
			status := RowOK
			if !p.Complete {
				status = RowIncomplete
			}
			if status == RowOK || attempt >= m.cfg.MaxAttempts {
				b, err := json.Marshal(p)
				if err != nil {
					return &result{Status: RowFailed, Attempts: attempt, Error: newProblem(500, "The profile cannot be encoded.", nil)}
				}
				return &result{Status: status, Attempts: attempt, Profile: b}
			}
			// Some source answered rate_limited, timeout or circuit_open:
			// try again later, holding no slot meanwhile.
		}
		if transport.Sleep(r.ctx, backoff) != nil {
			return nil
		}
		backoff = min(backoff*2, 5*time.Minute)
	}
}

// heldBack returns a limiter per lookup footprint's own limiters held back
// from p's lookups (the engine counts them: SourceReport.HeldBack), when
// every source without an answer was held back so; nil otherwise (an
// upstream really failed: the row is retried as an attempt). A source that
// answered some lookups and was held back on others counts too: its profile
// reads complete, but those lookups were never made.
func (m *Manager) heldBack(p *pipeline.Profile) []*transport.Limiter {
	if m.cfg.Limiter == nil {
		return nil
	}
	var out []*transport.Limiter
	for _, s := range p.Sources {
		if s.Status.Transient() && s.HeldBack == 0 {
			return nil
		}
		if s.HeldBack == 0 {
			continue
		}
		l := m.cfg.Limiter(s.Name)
		if l == nil {
			return nil
		}
		for range s.HeldBack {
			out = append(out, l)
		}
	}
	return out
}

// enrichOnce holds one of the run's share of the concurrency slots around
// one Enrich call.
func (m *Manager) enrichOnce(ctx context.Context, r *run, in pipeline.Input) (p *pipeline.Profile, err error) {
	if err := m.slots.acquire(ctx, r); err != nil {
		return nil, err
	}
	defer m.slots.release(r)
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("%w: %v", errPanic, v)
		}
	}()
	return m.cfg.Enricher.Enrich(ctx, in)
}

// writeLoop stores outcomes in batches, advances the checkpoint over
// contiguous rows and frees a window slot per stored outcome. After a store
// error it fails the run and keeps draining.
func (m *Manager) writeLoop(r *run, rec *record, outs <-chan outcome, slots chan struct{}) error {
	checkpoint := rec.Checkpoint
	doneAbove := map[int64]bool{} // committed rows above the checkpoint
	batch := make([]outcome, 0, maxBatch)
	var werr error
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		o, ok := <-outs
		if !ok {
			return werr
		}
		batch = append(batch[:0], o)
		timer.Reset(batchWait)
	collect:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-outs:
				if !ok {
					break collect
				}
				batch = append(batch, o)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		if werr == nil {
			cp := checkpoint
			if m.q == nil { // a shared store keeps the checkpoint itself
				for _, o := range batch {
					doneAbove[o.row] = true
				}
				for doneAbove[cp+1] {
					delete(doneAbove, cp+1)
					cp++
				}
			}
			// The batch is stored even while the run stops: its rows are
			// done.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), time.Minute)
			// The store decides, in the commit's transaction, whether
			// this batch crossed a progress mark: with replicas sharing
			// the job, one of them sends each progress webhook.
			progressDue := false
			stored, err := m.st.commit(cctx, r.id, batch, cp, func(rec *record) {
				progressDue = false
				if every := rec.ProgressEvery; every > 0 && rec.WebhookURL != "" && rec.Done < rec.Total && rec.Done/every > rec.ProgressMark/every {
					rec.ProgressMark, progressDue = rec.Done, true
				}
			})
			cancel()
			switch {
			case err != nil && m.q != nil:
				// A shared store that fails (PostgreSQL unreachable)
				// stops this run, not the job: the rows stay unwritten
				// and are claimed again, and the watch loop starts a run
				// again once the store answers.
				m.log.LogAttrs(r.ctx, slog.LevelError, "storing results failed; the run stops", slog.String("job", r.id), slog.String("error", err.Error()))
				werr = errStoreDown
				r.cancel(errStoreDown)
			case err != nil:
				werr = err
				r.cancel(&fatalError{err: err})
			default:
				checkpoint = cp
				m.afterCommit(r, batch, stored, progressDue)
			}
		}
		for range batch {
			<-slots
		}
	}
}

func (m *Manager) afterCommit(r *run, batch []outcome, stored *record, progressDue bool) {
	r.mu.Lock()
	for _, o := range batch {
		if o.dedupKey != "" {
			delete(r.inflight, o.dedupKey)
		}
	}
	r.mu.Unlock()
	r.prog.sample(m.now(), stored.Done)
	if progressDue && r.progressHook.CompareAndSwap(false, true) {
		p := WebhookPayload{Event: EventProgress, SentAt: m.now().UTC(), Job: *m.view(stored)}
		m.mu.Lock()
		if !m.closed {
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				defer r.progressHook.Store(false)
				// Progress is advisory: two attempts, and only one in flight.
				if err := m.deliver(r.ctx, stored.WebhookURL, stored.WebhookSecret, p, 2); err != nil {
					m.log.LogAttrs(r.ctx, slog.LevelWarn, "progress webhook failed", slog.String("job", r.id), slog.String("error", err.Error()))
				}
			}()
		} else {
			r.progressHook.Store(false)
		}
		m.mu.Unlock()
	}
}

// progress is a run's throughput: an EWMA of rows/s with a 10 s time
// constant, sampled at commits and decayed while nothing commits.
type progress struct {
	mu       sync.Mutex
	lastT    time.Time
	lastDone int64
	rows     float64
	have     bool
	// firstT and firstDone are the first commit of the run: the ETA's rate
	// is the average since then (etaRate); startT and startDone the run's
	// start.
	firstT, startT       time.Time
	firstDone, startDone int64
}

const rateTau = 10 * time.Second

func (p *progress) start(now time.Time, done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastT, p.lastDone = now, done
	p.startT, p.startDone = now, done
}

func (p *progress) sample(now time.Time, done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	dt := now.Sub(p.lastT)
	if dt < 250*time.Millisecond {
		return
	}
	if p.firstT.IsZero() && done > p.lastDone {
		p.firstT, p.firstDone = now, done
	}
	inst := float64(done-p.lastDone) / dt.Seconds()
	if !p.have {
		p.rows, p.have = inst, true
	} else {
		alpha := 1 - math.Exp(-dt.Seconds()/rateTau.Seconds())
		p.rows += alpha * (inst - p.rows)
	}
	p.lastT, p.lastDone = now, done
}

// etaRate is the measured rate the ETA divides by: the average since the
// run's first commit, once 10 s and window more rows (the rows a run has
// in progress at once) have passed since it (measured): until then the
// rows that end are the cheapest of those begun together, and one more or
// less swings the rate. Before that, the average since the run started
// (not measured; 0 before any commit).
// Paced by a slow source, rows commit in bunches; an EWMA of 10 s swings
// with every bunch and read 13.5 million seconds at a first row (issue 22),
// while the average since the first commit is steady, and still falls
// when the job stalls.
func (p *progress) etaRate(now time.Time, window int64) (rate float64, measured bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	first, firstDone, done := p.firstT, p.firstDone, p.lastDone
	if first.IsZero() {
		return 0, false // nothing committed yet: unknown
	}
	if el := now.Sub(first); el >= 10*time.Second && done-firstDone >= max(1, window) {
		return float64(done-firstDone) / el.Seconds(), true
	}
	if el := now.Sub(p.startT); el > 0 {
		return float64(done-p.startDone) / el.Seconds(), false
	}
	return 0, false
}

func (p *progress) rate(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.have {
		return 0
	}
	// Decay over the time without commits, as if the rate there were 0.
	idle := now.Sub(p.lastT)
	if idle > time.Second {
		return p.rows * math.Exp(-idle.Seconds()/rateTau.Seconds())
	}
	return p.rows
}
