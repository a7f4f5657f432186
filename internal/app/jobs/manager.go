package jobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// Manager creates, runs and answers for jobs. All its methods are safe for
// concurrent use.
type Manager struct {
	cfg Config
	st  store
	// q is st when the store is shared by replicas (PostgreSQL): runs
	// claim rows from it instead of reading the input; nil otherwise.
	q     rowQueue
	owner string // this replica, in row leases
	log   *slog.Logger
	now   func() time.Time

	slots  *fairSlots    // rows being enriched, across jobs
	active chan struct{} // jobs running

	mu      sync.Mutex
	runs    map[string]*run
	base    context.Context // from Start; nil before
	closed  bool
	hookCtx context.Context
	hookEnd context.CancelFunc
	wg      sync.WaitGroup // runs and webhook deliveries
	// watching is the shared store's watch loop (see watch).
	watching sync.WaitGroup
}

// Why a run stopped before the end of its input.
var (
	errPause    = errors.New("jobs: paused")
	errCancel   = errors.New("jobs: cancelled")
	errShutdown = errors.New("jobs: manager closing")
)

// fatalError ends a job as failed.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// New opens (or creates) the job store in cfg.Dir, or uses cfg.DB. It
// starts nothing: call Start to run jobs.
func New(cfg Config) (*Manager, error) {
	if cfg.Dir == "" && cfg.DB == nil {
		return nil, errors.New("jobs: Config.Dir or Config.DB is required")
	}
	if cfg.Enricher == nil {
		return nil, errors.New("jobs: Config.Enricher is required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.MaxActiveJobs <= 0 {
		cfg.MaxActiveJobs = 2
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 5 * time.Second
	}
	if cfg.WebhookAttempts <= 0 {
		cfg.WebhookAttempts = 6
	}
	if cfg.WebhookBackoff <= 0 {
		cfg.WebhookBackoff = 2 * time.Second
	}
	if cfg.Attributes == nil {
		cfg.Attributes = DefaultAttributes()
	}
	if cfg.QuotaRecheck <= 0 {
		cfg.QuotaRecheck = time.Minute
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Replica == "" {
		host, _ := os.Hostname()
		cfg.Replica = host + "-" + strings.ToLower(rand.Text()[:8])
	}
	m := &Manager{cfg: cfg, log: cfg.Logger, now: cfg.Now, runs: map[string]*run{},
		slots: newFairSlots(cfg.Concurrency), active: make(chan struct{}, cfg.MaxActiveJobs)}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.owner = cfg.Replica
	if cfg.DB != nil {
		pg := newPGStore(cfg.DB)
		m.st, m.q = pg, pg
		return m, nil
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	st, err := openStore(filepath.Join(cfg.Dir, "jobs.db"))
	if err != nil {
		return nil, err
	}
	m.st = st
	return m, nil
}

// Start runs every queued job and resumes the jobs that were running when
// the process last stopped, from their checkpoints; it also re-sends
// completion webhooks that were not delivered. Jobs run until ctx is done or
// Close is called; either leaves them resumable.
//
// With a shared store it first migrates the schema, and keeps looking
// (every Config.Poll) for jobs any replica created or resumed.
func (m *Manager) Start(ctx context.Context) error {
	if m.cfg.DB != nil {
		if err := Migrate(ctx, m.cfg.DB); err != nil {
			return err
		}
	}
	recs, err := m.st.list(ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(recs, func(a, b *record) int { return a.CreatedAt.Compare(b.CreatedAt) })
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if m.base != nil {
		return errors.New("jobs: Start called twice")
	}
	m.base = ctx
	m.hookCtx, m.hookEnd = context.WithCancel(ctx)
	for _, r := range recs {
		switch {
		case r.State == StateQueued || r.State == StateRunning:
			m.launchLocked(r.ID)
		case r.State.Final() && r.WebhookPending:
			m.webhookLocked(r.ID)
		case r.State == StatePaused && r.PauseReason != "":
			m.scheduleResumeLocked(r.ID, r.ResumeAt)
		}
	}
	if m.q != nil {
		m.watching.Add(1)
		go m.watch(ctx)
	}
	return nil
}

// Close stops every job where it is (they resume on the next Start), stops
// webhook deliveries and closes the store.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	for _, r := range m.runs {
		r.cancel(errShutdown)
	}
	if m.hookEnd != nil {
		m.hookEnd()
	}
	m.mu.Unlock()
	m.watching.Wait()
	m.wg.Wait()
	return m.st.close()
}

// Create spools req.Body to the data dir (hashing and counting its rows on
// the way) and queues a job. Unusable input (no header, no email or phone
// column, no rows) and invalid options are a *pipeline.InputError. With an
// idempotency key already used it returns the earlier job, or
// ErrIdempotencyConflict when the body differs.
func (m *Manager) Create(ctx context.Context, req CreateRequest) (*Job, error) {
	bad := func(field, reason string) error {
		return &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: field, Reason: reason}}}
	}
	if req.Format != FormatCSV && req.Format != FormatNDJSON {
		return nil, bad("format", `must be "csv" or "ndjson"`)
	}
	if req.Body == nil {
		return nil, bad("body", "is required")
	}
	if req.ProgressEvery < 0 {
		return nil, bad("progress_every", "must be ≥ 0")
	}
	if req.WebhookURL != "" {
		u, err := url.Parse(req.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, bad("webhook_url", "must be an absolute http or https URL")
		}
		if check := m.cfg.CheckWebhookURL; check != nil {
			if err := check(u); err != nil {
				return nil, bad("webhook_url", err.Error())
			}
		}
		if m.cfg.HTTPClient == nil {
			return nil, ErrNoWebhookClient
		}
		if req.WebhookSecret == "" && m.cfg.WebhookSecret == "" {
			return nil, bad("webhook_url", "needs a signing secret: send one in X-Webhook-Secret or configure jobs.webhook_secret")
		}
	}
	if m.cfg.ValidateOptions != nil {
		if err := m.cfg.ValidateOptions(req.Options); err != nil {
			return nil, err
		}
	}
	if m.isClosed() {
		return nil, ErrClosed
	}

	id := strings.ToLower(rand.Text())
	sha, size, rows, err := m.spool(ctx, req, id)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return nil, bad("body", fe.Reason)
		}
		return nil, err
	}
	dropInput := func() { _ = m.st.removeInput(context.WithoutCancel(ctx), id, req.Format) }
	if rows == 0 {
		dropInput()
		return nil, bad("body", "has no data rows")
	}
	secret := req.WebhookSecret
	if secret == "" {
		secret = m.cfg.WebhookSecret
	}
	rec := &record{
		Job: Job{ID: id, State: StateQueued, Format: req.Format, Options: req.Options,
			CreatedAt: m.now().UTC(), Total: rows, InputBytes: size, InputSHA256: sha,
			WebhookURL: req.WebhookURL, ProgressEvery: req.ProgressEvery, Owner: req.Owner},
		WebhookSecret:  secret,
		IdempotencyKey: scopedIdempotencyKey(req.Owner, req.IdempotencyKey),
	}
	existing, err := m.st.create(ctx, rec)
	if err != nil {
		dropInput()
		return nil, err
	}
	if existing != nil {
		dropInput()
		if existing.InputSHA256 != sha || existing.Format != req.Format || !sameRequest(existing, rec) {
			return nil, ErrIdempotencyConflict
		}
		return m.view(existing), nil
	}
	m.log.LogAttrs(ctx, slog.LevelInfo, "job created", slog.String("job", id),
		slog.String("format", req.Format), slog.Int64("rows", rows), slog.Int64("bytes", size))
	m.mu.Lock()
	if m.base != nil && !m.closed {
		m.launchLocked(id)
	}
	m.mu.Unlock()
	return m.view(rec), nil
}

// sameRequest reports whether a retried upload asks for the same job as the
// one its idempotency key made: the same options (the query) and webhook.
func sameRequest(a, b *record) bool {
	ja, errA := json.Marshal(a.Options)
	jb, errB := json.Marshal(b.Options)
	return errA == nil && errB == nil && bytes.Equal(ja, jb) &&
		a.WebhookURL == b.WebhookURL && a.ProgressEvery == b.ProgressEvery
}

// spool streams req.Body into the store as job id's input through the row
// reader, so the upload is checked, hashed, counted (and, for a shared
// store, split into rows) in one pass without being held in memory.
func (m *Manager) spool(ctx context.Context, req CreateRequest, id string) (sha string, size, rows int64, err error) {
	iw, err := m.st.newInput(ctx, id, req.Format)
	if err != nil {
		return "", 0, 0, err
	}
	committed := false
	defer func() {
		if !committed {
			iw.abort()
		}
	}()
	h := sha256.New()
	bw := iw
	cw := &countingWriter{}
	var body io.Reader = &ctxReader{ctx: ctx, r: req.Body}
	if m.cfg.MaxInputBytes > 0 {
		body = &limitReader{r: body, n: m.cfg.MaxInputBytes}
	}
	tee := io.TeeReader(body, io.MultiWriter(bw, h, cw))
	rr, err := NewReader(req.Format, tee)
	if err != nil {
		return "", 0, 0, err
	}
	for {
		var row Row
		row, err = rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, 0, err
		}
		if err = iw.row(row); err != nil {
			return "", 0, 0, err
		}
		rows++
	}
	if _, err = io.Copy(io.Discard, tee); err != nil {
		return "", 0, 0, err
	}
	committed = true
	if err = iw.commit(); err != nil {
		return "", 0, 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), cw.n, rows, nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

// ctxReader stops an upload when the caller went away.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// Get returns a job.
func (m *Manager) Get(ctx context.Context, id string) (*Job, error) {
	r, err := m.st.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return m.view(r), nil
}

// List returns every job, newest first.
func (m *Manager) List(ctx context.Context) ([]*Job, error) {
	recs, err := m.st.list(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b *record) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]*Job, len(recs))
	m.mu.Lock()
	for i, r := range recs {
		out[i] = m.viewRun(r, m.runs[r.ID])
	}
	m.mu.Unlock()
	return out, nil
}

// view is the public Job of r with live progress figures.
func (m *Manager) view(r *record) *Job {
	m.mu.Lock()
	run := m.runs[r.ID]
	m.mu.Unlock()
	return m.viewRun(r, run)
}

// viewRun is view for callers holding m.mu.
func (m *Manager) viewRun(r *record, run *run) *Job {
	j := r.Job
	switch {
	case run != nil && j.State == StateRunning:
		now := m.now()
		if rate := run.prog.rate(now); rate > 0 {
			j.RowsPerS = round2(rate)
		}
		if rate := run.prog.etaRate(now); rate > 0 {
			eta := round2(float64(j.Total-j.Done) / rate)
			j.ETAS = &eta
		}
	case j.State.Final() && j.StartedAt != nil && j.FinishedAt != nil:
		if d := j.FinishedAt.Sub(*j.StartedAt).Seconds(); d > 0 {
			j.RowsPerS = round2(float64(j.Done) / d)
		}
		zero := 0.0
		j.ETAS = &zero
	}
	return &j
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// Pause stops a queued or running job where it is; Resume continues it.
// Pausing a paused job is a no-op; a final job is ErrConflict.
func (m *Manager) Pause(ctx context.Context, id string) (*Job, error) {
	return m.stop(ctx, id, errPause)
}

// Cancel stops a job for good; its results so far stay available.
// Cancelling a cancelled job is a no-op; another final job is ErrConflict.
func (m *Manager) Cancel(ctx context.Context, id string) (*Job, error) {
	return m.stop(ctx, id, errCancel)
}

func (m *Manager) stop(ctx context.Context, id string, why error) (*Job, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, ErrClosed
		}
		r := m.runs[id]
		if r != nil {
			r.cancel(why)
			m.mu.Unlock()
			select {
			case <-r.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			// The run may have finished on its own first: look again.
			rec, err := m.st.get(ctx, id)
			if err != nil {
				return nil, err
			}
			if rec.State == StateRunning || rec.State == StateQueued {
				continue
			}
			if why == errCancel && rec.State == StatePaused {
				// A pause got to the run first (its cause stuck): cancel
				// wins, on the stored state.
				continue
			}
			return m.stopResult(rec, why)
		}
		// No run: change the stored state directly (under m.mu, so no run
		// starts meanwhile).
		rec, err := m.st.update(ctx, id, func(rec *record) error {
			switch {
			case why == errPause && rec.State == StatePaused:
				rec.PauseReason, rec.ResumeAt = "", nil // the user's pause: no automatic resume
				return nil
			case why == errCancel && rec.State == StateCancelled:
				return nil
			case rec.State.Final():
				return ErrConflict
			case why == errPause:
				rec.State = StatePaused
				rec.PauseReason, rec.ResumeAt = "", nil
			default:
				rec.State = StateCancelled
				rec.FinishedAt = ptr(m.now().UTC())
				rec.WebhookPending = rec.WebhookURL != ""
			}
			return nil
		})
		if err == nil && rec.WebhookPending && m.base != nil {
			m.webhookLocked(id)
		}
		m.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return m.viewRun(rec, nil), nil
	}
}

func (m *Manager) stopResult(rec *record, why error) (*Job, error) {
	if (why == errPause && rec.State == StatePaused) || (why == errCancel && rec.State == StateCancelled) {
		return m.view(rec), nil
	}
	return m.view(rec), ErrConflict // it finished first
}

// Resume queues a paused job again. Resuming a queued or running job is a
// no-op; a final job is ErrConflict.
func (m *Manager) Resume(ctx context.Context, id string) (*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	rec, err := m.st.update(ctx, id, func(rec *record) error {
		switch rec.State {
		case StatePaused:
			rec.State = StateQueued
			rec.PauseReason, rec.ResumeAt = "", nil
		case StateQueued, StateRunning:
		default:
			return ErrConflict
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if m.base != nil && m.runs[id] == nil {
		m.launchLocked(id)
	}
	return m.viewRun(rec, m.runs[id]), nil
}

// Delete removes a final or paused job, its results and its input.
func (m *Manager) Delete(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.st.get(ctx, id)
	if err != nil {
		return err
	}
	if m.runs[id] != nil || !(rec.State.Final() || rec.State == StatePaused) {
		return ErrConflict
	}
	return m.st.delete(ctx, id)
}

func ptr[T any](v T) *T { return &v }

// webhookLocked delivers a final job's webhook in the background. m.mu is
// held.
func (m *Manager) webhookLocked(id string) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		ctx := m.hookCtx
		rec, err := m.st.get(ctx, id)
		if err != nil || !rec.WebhookPending {
			return
		}
		// Replicas share the job: the one that claims the delivery sends
		// it; a claim left by a replica that died runs out.
		claimed := m.q == nil
		if !claimed {
			rec, err = m.st.update(ctx, id, func(r *record) error {
				if r.WebhookPending && !m.now().Before(r.WebhookClaim) {
					r.WebhookClaim, claimed = m.now().Add(webhookClaim).UTC(), true
				}
				return nil
			})
			if err != nil || !claimed {
				return
			}
		}
		event := map[State]string{StateSucceeded: EventSucceeded, StateFailed: EventFailed, StateCancelled: EventCancelled}[rec.State]
		p := WebhookPayload{Event: event, SentAt: m.now().UTC(), Job: *m.view(rec)}
		err = m.deliver(ctx, rec.WebhookURL, rec.WebhookSecret, p, m.cfg.WebhookAttempts)
		if ctx.Err() != nil {
			// Closing: the next Start (or another replica) sends it again.
			if m.q != nil {
				uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_, _ = m.st.update(uctx, id, func(r *record) error { r.WebhookClaim = time.Time{}; return nil })
				cancel()
			}
			return
		}
		if err != nil {
			m.log.LogAttrs(ctx, slog.LevelError, "webhook given up", slog.String("job", id), slog.String("error", err.Error()))
		}
		_, _ = m.st.update(ctx, id, func(r *record) error { r.WebhookPending, r.WebhookClaim = false, time.Time{}; return nil })
	}()
}

// webhookClaim is how long a replica's claim on a completion webhook
// delivery lasts: longer than every attempt with its backoff.
const webhookClaim = 15 * time.Minute
