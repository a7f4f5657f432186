package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/enrichers/transport"
)

// rowSource hands a run its rows: a RowReader over the input (the embedded
// store) or a claimReader over the shared queue.
type rowSource interface {
	Next() (Row, error)
}

// errElsewhere stops a run whose job another replica paused, cancelled or
// deleted: the stored state is already what it should be.
var errElsewhere = errors.New("jobs: stopped on another replica")

// errStoreDown stops a run whose results the shared store could not take:
// the job stays running, and is resumed when the store answers again.
var errStoreDown = errors.New("jobs: shared store unavailable")

// claimReader is a run's rows on a shared store: it claims a few rows at a
// time under a lease, in row order, while a renewer keeps the leases of
// the rows this replica holds alive and watches the job's state. Next
// returns io.EOF once no row of the job is without a result (the job is
// done, whoever did the rows) or the run stopped; while the only rows left
// are leased to other replicas it waits, claiming them when a lease runs
// out (their replica died).
type claimReader struct {
	m   *Manager
	r   *run
	q   rowQueue
	buf []Row
	// started is set once the run's first Next freed the rows an earlier
	// run of this replica left leased.
	started bool
	done    chan struct{}
	wg      sync.WaitGroup
}

func (m *Manager) claimRows(r *run) *claimReader {
	c := &claimReader{m: m, r: r, q: m.q, done: make(chan struct{})}
	c.wg.Add(1)
	go c.renew()
	return c
}

// batch is how many rows one claim takes: enough to keep the run's
// workers busy between claims, few enough that replicas share a job.
func (c *claimReader) batch() int { return max(1, c.m.cfg.Concurrency) }

func (c *claimReader) Next() (Row, error) {
	ctx := c.r.ctx
	if !c.started {
		// Rows this replica still holds were left by an earlier run of
		// the job here (one run per job per replica: a run stopped by a
		// store failure, or a process restarted under the same
		// Config.Replica): free them for everyone at once.
		c.started = true
		if err := c.q.release(ctx, c.r.id, c.m.owner); err != nil && ctx.Err() == nil {
			c.m.log.LogAttrs(ctx, slog.LevelWarn, "releasing rows failed", slog.String("job", c.r.id), slog.String("error", err.Error()))
		}
	}
	for len(c.buf) == 0 {
		if ctx.Err() != nil {
			return Row{}, io.EOF
		}
		rows, active, err := c.q.claim(ctx, c.r.id, c.m.owner, c.batch(), c.m.cfg.Lease)
		switch {
		case ctx.Err() != nil:
			return Row{}, io.EOF
		case err != nil:
			c.m.log.LogAttrs(ctx, slog.LevelWarn, "claiming rows failed", slog.String("job", c.r.id), slog.String("error", err.Error()))
		case !active:
			c.r.cancel(errElsewhere)
			return Row{}, io.EOF
		case len(rows) > 0:
			c.buf = rows
			continue
		default:
			left, err := c.q.pending(ctx, c.r.id)
			if err == nil && left == 0 {
				return Row{}, io.EOF
			}
		}
		// Every row left is another replica's (or this one's, in
		// flight): look again when a lease may have run out.
		if transport.Sleep(ctx, c.m.cfg.Poll) != nil {
			return Row{}, io.EOF
		}
	}
	row := c.buf[0]
	c.buf = c.buf[1:]
	return row, nil
}

// renew extends this replica's leases every Lease/3 and stops the run when
// the job is no longer running (paused, cancelled or deleted on any
// replica).
func (c *claimReader) renew() {
	defer c.wg.Done()
	t := time.NewTicker(max(c.m.cfg.Lease/3, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.r.ctx.Done():
			return
		case <-t.C:
		}
		state, err := c.q.renew(c.r.ctx, c.r.id, c.m.owner, c.m.cfg.Lease)
		switch {
		case errors.Is(err, ErrNotFound):
			c.r.cancel(errElsewhere)
			return
		case err != nil:
			if c.r.ctx.Err() == nil {
				c.m.log.LogAttrs(c.r.ctx, slog.LevelWarn, "renewing row leases failed", slog.String("job", c.r.id), slog.String("error", err.Error()))
			}
		case state != StateRunning && state != StateQueued: // queued: resumed meanwhile
			c.r.cancel(errElsewhere)
			return
		}
	}
}

// stop ends the renewer and gives the rows this replica claimed and did
// not finish back to the queue at once (a replica that dies gives them
// back when their lease runs out).
func (c *claimReader) stop() {
	close(c.done)
	c.wg.Wait()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.r.ctx), 10*time.Second)
	defer cancel()
	if err := c.q.release(ctx, c.r.id, c.m.owner); err != nil {
		c.m.log.LogAttrs(ctx, slog.LevelWarn, "releasing rows failed", slog.String("job", c.r.id), slog.String("error", err.Error()))
	}
}

// Topology says where jobs live: Shared is true with a shared store, whose
// Replicas are the replicas (Replica names this one) seen in the last
// minute.
type Topology struct {
	Shared   bool
	Replica  string
	Replicas []string
}

// Topology reports the job store's topology (serve logs it at start).
func (m *Manager) Topology(ctx context.Context) (Topology, error) {
	t := Topology{Shared: m.q != nil, Replica: m.owner}
	if m.q == nil {
		return t, nil
	}
	if err := m.q.heartbeat(ctx, m.owner); err != nil {
		return t, err
	}
	var err error
	t.Replicas, err = m.q.replicas(ctx, time.Minute)
	return t, err
}

// watch runs on a shared store: every Poll it starts a run of each queued
// or running job that has none here (created, resumed or left by another
// replica), and delivers completion webhooks nobody has claimed.
func (m *Manager) watch(ctx context.Context) {
	defer m.watching.Done()
	t := time.NewTicker(m.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.hookCtx.Done():
			return
		case <-t.C:
		}
		if err := m.q.heartbeat(ctx, m.owner); err != nil && ctx.Err() == nil {
			m.log.LogAttrs(ctx, slog.LevelWarn, "replica heartbeat failed", slog.String("error", err.Error()))
		}
		recs, err := m.q.live(ctx)
		if err != nil {
			if ctx.Err() == nil {
				m.log.LogAttrs(ctx, slog.LevelWarn, "listing jobs failed", slog.String("error", err.Error()))
			}
			continue
		}
		now := m.now()
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return
		}
		for _, r := range recs {
			switch {
			case (r.State == StateQueued || r.State == StateRunning) && m.runs[r.ID] == nil:
				m.launchLocked(r.ID)
			case r.State.Final() && r.WebhookPending && !now.Before(r.WebhookClaim):
				m.webhookLocked(r.ID)
			}
		}
		m.mu.Unlock()
	}
}
