package jobs

import (
	"context"
	"io"
	"time"
)

// store keeps jobs, their inputs and their results. Two implementations:
// boltStore (the default: bbolt and files in the data folder of one
// process) and pgStore (PostgreSQL, shared by every replica; it is also a
// rowQueue).
type store interface {
	// create stores r. When r has an idempotency key already used, it
	// stores nothing and returns the job the key names.
	create(ctx context.Context, r *record) (existing *record, err error)
	get(ctx context.Context, id string) (*record, error)
	list(ctx context.Context) ([]*record, error)
	// update applies fn to the stored record of id in one transaction.
	update(ctx context.Context, id string, fn func(r *record) error) (*record, error)
	// delete removes a job, its results, its input and its idempotency key.
	delete(ctx context.Context, id string) error

	// commit stores outcomes, the counts and the checkpoint in one
	// transaction, and applies fn (when set) to the record in it. Each row
	// keeps exactly one result. A store that computes the checkpoint
	// itself (a rowQueue) ignores checkpoint.
	commit(ctx context.Context, id string, outs []outcome, checkpoint int64, fn func(r *record)) (*record, error)
	// dedupResult returns the stored result for key, if a row with key is done.
	dedupResult(ctx context.Context, id, key string) (res *result, from int64, err error)
	// lastResult returns the highest row with a result (0 if none).
	lastResult(ctx context.Context, id string) (int64, error)
	hasResult(ctx context.Context, id string, n int64) (bool, error)
	// page returns up to limit results with row ≥ from, in row order.
	page(ctx context.Context, id string, from int64, limit int) ([]rowResult, error)

	// newInput receives an upload as it streams in: its bytes (Write) and
	// its rows as the reader reads them (row). Nothing is visible before
	// commit; abort throws it away.
	newInput(ctx context.Context, id, format string) (inputWriter, error)
	// openInput streams a job's input back, as uploaded.
	openInput(ctx context.Context, id, format string) (io.ReadCloser, error)
	removeInput(ctx context.Context, id, format string) error

	ready(ctx context.Context) error
	close() error
}

// inputWriter is an upload on its way into a store.
type inputWriter interface {
	io.Writer
	row(Row) error
	commit() error
	abort()
}

// rowQueue is a store whose rows every replica works: a run claims rows
// under a lease instead of reading the input, renews the lease while it
// works them, and releases what it did not finish when it stops. Rows
// whose lease ran out (their replica died) are claimed again by anyone.
type rowQueue interface {
	// claim leases up to n of job id's rows without a result and without
	// a live lease to owner, in row order. active is false when the job
	// is neither queued nor running (paused, cancelled, deleted): nothing
	// is claimed.
	claim(ctx context.Context, id, owner string, n int, lease time.Duration) (rows []Row, active bool, err error)
	// renew extends owner's leases on job id's rows; it reports the job's
	// state (ErrNotFound when it was deleted).
	renew(ctx context.Context, id, owner string, lease time.Duration) (State, error)
	// release gives owner's unfinished rows of job id back at once.
	release(ctx context.Context, id, owner string) error
	// live returns the jobs a replica may have to work (queued or
	// running) or whose completion webhook is pending.
	live(ctx context.Context) ([]*record, error)
	// heartbeat records that owner is alive; replicas lists the replicas
	// seen within the last within.
	heartbeat(ctx context.Context, owner string) error
	replicas(ctx context.Context, within time.Duration) ([]string, error)
	// pending counts job id's rows without a result.
	pending(ctx context.Context, id string) (int64, error)
}

var (
	_ store    = (*boltStore)(nil)
	_ store    = (*pgStore)(nil)
	_ rowQueue = (*pgStore)(nil)
)
