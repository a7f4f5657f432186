package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// admitPause is the cause of a run stopped because Config.Admit refused a
// row (its key's quota is spent): the job pauses with reason and resumes
// on its own.
type admitPause struct {
	reason  string
	retryAt time.Time // zero: unknown
}

func (e *admitPause) Error() string { return "jobs: paused: " + e.reason }

// resumeAt is when the job tries again: the refusal's retry time, but no
// later than recheck from now (a quota raised meanwhile).
func (e *admitPause) resumeAt(now time.Time, recheck time.Duration) *time.Time {
	t := now.Add(recheck)
	if !e.retryAt.IsZero() && e.retryAt.Before(t) {
		t = e.retryAt
	}
	t = t.UTC()
	return &t
}

// admit asks Config.Admit for the next row of r. On a refusal it stops the
// run (the row unspent: it is dispatched again when the job resumes) and
// returns false.
func (m *Manager) admit(r *run, rec *record) (context.Context, bool) {
	if m.cfg.Admit == nil {
		return r.ctx, true
	}
	ctx, err := m.cfg.Admit(r.ctx, rec.Owner)
	if err == nil {
		return ctx, true
	}
	if r.ctx.Err() != nil {
		return nil, false
	}
	p := &admitPause{reason: err.Error()}
	var ra interface{ RetryAt() time.Time }
	if errors.As(err, &ra) {
		p.retryAt = ra.RetryAt()
	}
	r.cancel(p)
	return nil, false
}

// scheduleResumeLocked resumes job id at at (now when nil) if it is still
// paused by Admit then; m.mu is held.
func (m *Manager) scheduleResumeLocked(id string, at *time.Time) {
	if m.closed || m.base == nil {
		return
	}
	wait := time.Duration(0)
	if at != nil {
		wait = max(at.Sub(m.now()), 0)
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-m.hookCtx.Done():
			return
		case <-t.C:
		}
		m.autoResume(id)
	}()
}

// autoResume queues a job paused by Admit again (not one a user paused).
func (m *Manager) autoResume(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.runs[id] != nil {
		return
	}
	rec, err := m.st.update(m.hookCtx, id, func(rec *record) error {
		if rec.State != StatePaused || rec.PauseReason == "" {
			return ErrConflict
		}
		rec.State = StateQueued
		rec.PauseReason, rec.ResumeAt = "", nil
		return nil
	})
	if err != nil {
		return
	}
	m.log.LogAttrs(context.Background(), slog.LevelInfo, "job resumed after its pause", slog.String("job", rec.ID))
	m.launchLocked(id)
}

// scopedIdempotencyKey keeps two keys' idempotency keys apart.
func scopedIdempotencyKey(owner, key string) string {
	if key == "" || owner == "" {
		return key
	}
	return owner + "\x00" + key
}
