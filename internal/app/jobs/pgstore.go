package jobs

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrate brings the jobs schema of db up to date (component "jobs");
// Start calls it, and replicas starting together apply each change once.
func Migrate(ctx context.Context, db *pgxpool.Pool) error {
	ms, err := pgstore.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	_, err = pgstore.Migrate(ctx, db, "jobs", ms)
	return err
}

// Sizes of what an upload becomes in PostgreSQL.
const (
	// inputChunk is the size of one jobs_input row: an upload is stored
	// and read back one chunk at a time.
	inputChunk = 1 << 20
	// rowBatch is how many rows one COPY of an upload sends.
	rowBatch = 1000
)

// pgStore keeps jobs in PostgreSQL, shared by every replica.
type pgStore struct {
	db *pgxpool.Pool
}

func newPGStore(db *pgxpool.Pool) *pgStore { return &pgStore{db: db} }

func (s *pgStore) close() error { return nil } // the pool is the caller's

func (s *pgStore) ready(ctx context.Context) error { return s.db.Ping(ctx) }

func decodeRecord(b []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("jobs: decode job: %w", err)
	}
	return &r, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *pgStore) create(ctx context.Context, r *record) (*record, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	tag, err := s.db.Exec(ctx, `INSERT INTO jobs (id, created_at, state, idempotency_key, record)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		r.ID, r.CreatedAt, string(r.State), nullable(r.IdempotencyKey), b)
	if err != nil {
		return nil, fmt.Errorf("jobs: create: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	var raw []byte
	if err := s.db.QueryRow(ctx, `SELECT record FROM jobs WHERE idempotency_key = $1`, r.IdempotencyKey).Scan(&raw); err != nil {
		return nil, fmt.Errorf("jobs: create: %w", err)
	}
	return decodeRecord(raw)
}

func (s *pgStore) get(ctx context.Context, id string) (*record, error) {
	var raw []byte
	err := s.db.QueryRow(ctx, `SELECT record FROM jobs WHERE id = $1`, id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: get: %w", err)
	}
	return decodeRecord(raw)
}

func (s *pgStore) list(ctx context.Context) ([]*record, error) {
	return s.query(ctx, `SELECT record FROM jobs ORDER BY created_at`)
}

func (s *pgStore) live(ctx context.Context) ([]*record, error) {
	return s.query(ctx, `SELECT record FROM jobs WHERE state IN ('queued', 'running')
		OR (record->>'webhook_pending')::boolean ORDER BY created_at`)
}

func (s *pgStore) query(ctx context.Context, sql string) ([]*record, error) {
	rows, err := s.db.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		r, err := decodeRecord(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// inTx runs fn in a transaction with the job's record locked; fn's record
// is written back when fn succeeds.
func (s *pgStore) inTx(ctx context.Context, id string, fn func(tx pgx.Tx, r *record) error) (*record, error) {
	var r *record
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, `SELECT record FROM jobs WHERE id = $1 FOR UPDATE`, id).Scan(&raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if r, err = decodeRecord(raw); err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE jobs SET state = $2, record = $3 WHERE id = $1`, id, string(r.State), b)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("jobs: update %s: %w", id, err)
	}
	return r, nil
}

func (s *pgStore) update(ctx context.Context, id string, fn func(r *record) error) (*record, error) {
	return s.inTx(ctx, id, func(_ pgx.Tx, r *record) error { return fn(r) })
}

func (s *pgStore) delete(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM jobs WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		for _, t := range []string{"jobs_input", "jobs_rows", "jobs_results", "jobs_dedup"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE job_id = $1`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// commit inserts the outcomes' results (a row that already has one, from
// a replica whose lease ran out, keeps it), marks their rows done and
// counts only the results it inserted; the checkpoint is the row before
// the first row without a result.
func (s *pgStore) commit(ctx context.Context, id string, outs []outcome, _ int64, fn func(r *record)) (*record, error) {
	// Row order everywhere, so two replicas committing the same rows
	// (a takeover) lock them in the same order.
	outs = slices.Clone(outs)
	slices.SortFunc(outs, func(a, b outcome) int { return int(a.row - b.row) })
	var ns []int64
	var statuses []string
	var bodies [][]byte
	var dkeys [][]byte
	var drows []int64
	for _, o := range outs {
		if o.skip {
			continue
		}
		b, err := json.Marshal(o.res)
		if err != nil {
			return nil, err
		}
		ns, statuses, bodies = append(ns, o.row), append(statuses, o.res.Status), append(bodies, b)
		if o.dedupKey != "" {
			dkeys, drows = append(dkeys, []byte(o.dedupKey)), append(drows, o.row)
		}
	}
	return s.inTx(ctx, id, func(tx pgx.Tx, r *record) error {
		if len(ns) > 0 {
			rows, err := tx.Query(ctx, `INSERT INTO jobs_results (job_id, n, status, result)
				SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bytea[])
				ON CONFLICT DO NOTHING RETURNING status`, id, ns, statuses, bodies)
			if err != nil {
				return err
			}
			for rows.Next() {
				var st string
				if err := rows.Scan(&st); err != nil {
					rows.Close()
					return err
				}
				r.count(st, +1)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE jobs_rows SET done = true, owner = NULL, lease_until = NULL
				WHERE job_id = $1 AND n = ANY($2)`, id, ns); err != nil {
				return err
			}
		}
		if len(dkeys) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO jobs_dedup (job_id, key, n)
				SELECT $1, * FROM unnest($2::bytea[], $3::bigint[]) ON CONFLICT DO NOTHING`, id, dkeys, drows); err != nil {
				return err
			}
		}
		var first *int64
		if err := tx.QueryRow(ctx, `SELECT min(n) FROM jobs_rows WHERE job_id = $1 AND NOT done`, id).Scan(&first); err != nil {
			return err
		}
		cp := r.Total
		if first != nil {
			cp = *first - 1
		}
		if cp > r.Checkpoint {
			r.Checkpoint = cp
		}
		if fn != nil {
			fn(r)
		}
		return nil
	})
}

func (s *pgStore) dedupResult(ctx context.Context, id, key string) (*result, int64, error) {
	var raw []byte
	var n int64
	err := s.db.QueryRow(ctx, `SELECT r.result, r.n FROM jobs_dedup d JOIN jobs_results r ON r.job_id = d.job_id AND r.n = d.n
		WHERE d.job_id = $1 AND d.key = $2`, id, []byte(key)).Scan(&raw, &n)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("jobs: dedup: %w", err)
	}
	res := new(result)
	return res, n, json.Unmarshal(raw, res)
}

func (s *pgStore) lastResult(ctx context.Context, id string) (int64, error) {
	var n *int64
	if err := s.db.QueryRow(ctx, `SELECT max(n) FROM jobs_results WHERE job_id = $1`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("jobs: results: %w", err)
	}
	if n == nil {
		return 0, nil
	}
	return *n, nil
}

func (s *pgStore) hasResult(ctx context.Context, id string, n int64) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM jobs_results WHERE job_id = $1 AND n = $2)`, id, n).Scan(&ok)
	return ok, err
}

func (s *pgStore) page(ctx context.Context, id string, from int64, limit int) ([]rowResult, error) {
	rows, err := s.db.Query(ctx, `SELECT n, result FROM jobs_results WHERE job_id = $1 AND n >= $2 ORDER BY n LIMIT $3`, id, from, limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: results: %w", err)
	}
	defer rows.Close()
	var out []rowResult
	for rows.Next() {
		var rr rowResult
		if err := rows.Scan(&rr.row, &rr.raw); err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, rows.Err()
}

// claim takes rows in row order, skipping rows another transaction holds
// (FOR UPDATE SKIP LOCKED) and rows under a live lease, and leases them to
// owner. Leases are measured on the database's clock, so replicas' clocks
// need not agree.
func (s *pgStore) claim(ctx context.Context, id, owner string, n int, lease time.Duration) ([]Row, bool, error) {
	var active bool
	if err := s.db.QueryRow(ctx, `SELECT state IN ('queued', 'running') FROM jobs WHERE id = $1`, id).Scan(&active); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("jobs: claim: %w", err)
	}
	if !active {
		return nil, false, nil
	}
	rows, err := s.db.Query(ctx, `UPDATE jobs_rows r SET owner = $2, lease_until = now() + $3 * interval '1 millisecond'
		FROM (SELECT n FROM jobs_rows WHERE job_id = $1 AND NOT done AND (lease_until IS NULL OR lease_until < now())
		      ORDER BY n LIMIT $4 FOR UPDATE SKIP LOCKED) c
		WHERE r.job_id = $1 AND r.n = c.n
		RETURNING r.n, r.input, r.err_line, r.err_reason`, id, owner, lease.Milliseconds(), n)
	if err != nil {
		return nil, true, fmt.Errorf("jobs: claim: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var row Row
		var n int64
		var in []byte
		var line *int32
		var reason *string
		if err := rows.Scan(&n, &in, &line, &reason); err != nil {
			return nil, true, err
		}
		row.N = int(n)
		if err := json.Unmarshal(in, &row.Input); err != nil {
			return nil, true, fmt.Errorf("jobs: row %d: %w", n, err)
		}
		if reason != nil {
			re := &RowError{Row: row.N, Reason: *reason}
			if line != nil {
				re.Line = int(*line)
			}
			row.Err = re
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, true, fmt.Errorf("jobs: claim: %w", err)
	}
	slices.SortFunc(out, func(a, b Row) int { return a.N - b.N })
	return out, true, nil
}

// renew skips rows another transaction holds (a commit writing them), so
// it never waits on, or deadlocks with, a commit.
func (s *pgStore) renew(ctx context.Context, id, owner string, lease time.Duration) (State, error) {
	var state string
	err := s.db.QueryRow(ctx, `SELECT state FROM jobs WHERE id = $1`, id).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("jobs: renew: %w", err)
	}
	_, err = s.db.Exec(ctx, `UPDATE jobs_rows r SET lease_until = now() + $3 * interval '1 millisecond'
		FROM (SELECT n FROM jobs_rows WHERE job_id = $1 AND owner = $2 AND NOT done ORDER BY n FOR UPDATE SKIP LOCKED) c
		WHERE r.job_id = $1 AND r.n = c.n`, id, owner, lease.Milliseconds())
	if err != nil {
		return State(state), fmt.Errorf("jobs: renew: %w", err)
	}
	return State(state), nil
}

func (s *pgStore) release(ctx context.Context, id, owner string) error {
	_, err := s.db.Exec(ctx, `UPDATE jobs_rows r SET owner = NULL, lease_until = NULL
		FROM (SELECT n FROM jobs_rows WHERE job_id = $1 AND owner = $2 AND NOT done ORDER BY n FOR UPDATE SKIP LOCKED) c
		WHERE r.job_id = $1 AND r.n = c.n`, id, owner)
	if err != nil {
		return fmt.Errorf("jobs: release: %w", err)
	}
	return nil
}

func (s *pgStore) heartbeat(ctx context.Context, owner string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO jobs_replicas (name, seen_at) VALUES ($1, now())
		ON CONFLICT (name) DO UPDATE SET seen_at = now()`, owner)
	return err
}

func (s *pgStore) replicas(ctx context.Context, within time.Duration) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT name FROM jobs_replicas WHERE seen_at > now() - $1 * interval '1 millisecond' ORDER BY name`,
		within.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("jobs: replicas: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (s *pgStore) pending(ctx context.Context, id string) (int64, error) {
	var n int64
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM jobs_rows WHERE job_id = $1 AND NOT done`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("jobs: pending: %w", err)
	}
	return n, nil
}

// newInput stores an upload in one transaction: its bytes in inputChunk
// chunks, its rows in COPY batches of rowBatch, so neither is ever whole
// in memory; nothing is visible until commit.
func (s *pgStore) newInput(ctx context.Context, id, _ string) (inputWriter, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: upload: %w", err)
	}
	return &pgInput{ctx: ctx, tx: tx, id: id}, nil
}

type pgInput struct {
	ctx  context.Context
	tx   pgx.Tx
	id   string
	buf  bytes.Buffer
	seq  int32
	rows [][]any
}

func (w *pgInput) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), inputChunk-w.buf.Len())
		w.buf.Write(p[:k])
		p = p[k:]
		if w.buf.Len() == inputChunk {
			if err := w.flushChunk(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *pgInput) flushChunk() error {
	if w.buf.Len() == 0 {
		return nil
	}
	if _, err := w.tx.Exec(w.ctx, `INSERT INTO jobs_input (job_id, seq, data) VALUES ($1, $2, $3)`, w.id, w.seq, w.buf.Bytes()); err != nil {
		return fmt.Errorf("jobs: upload: %w", err)
	}
	w.seq++
	w.buf.Reset()
	return nil
}

func (w *pgInput) row(r Row) error {
	in, err := json.Marshal(pipeline.Input{Email: r.Input.Email, Phone: r.Input.Phone, Name: r.Input.Name, Country: r.Input.Country})
	if err != nil {
		return err
	}
	var line, reason any
	if r.Err != nil {
		var re *RowError
		if errors.As(r.Err, &re) {
			line, reason = int32(re.Line), re.Reason
		} else {
			line, reason = int32(r.Line), r.Err.Error()
		}
	}
	w.rows = append(w.rows, []any{w.id, int64(r.N), in, line, reason})
	if len(w.rows) >= rowBatch {
		return w.flushRows()
	}
	return nil
}

func (w *pgInput) flushRows() error {
	if len(w.rows) == 0 {
		return nil
	}
	if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{"jobs_rows"}, []string{"job_id", "n", "input", "err_line", "err_reason"},
		pgx.CopyFromRows(w.rows)); err != nil {
		return fmt.Errorf("jobs: upload: %w", err)
	}
	w.rows = w.rows[:0]
	return nil
}

func (w *pgInput) commit() error {
	if err := w.flushChunk(); err != nil {
		w.abort()
		return err
	}
	if err := w.flushRows(); err != nil {
		w.abort()
		return err
	}
	if err := w.tx.Commit(w.ctx); err != nil {
		return fmt.Errorf("jobs: upload: %w", err)
	}
	return nil
}

func (w *pgInput) abort() { _ = w.tx.Rollback(context.WithoutCancel(w.ctx)) }

func (s *pgStore) openInput(ctx context.Context, id, _ string) (io.ReadCloser, error) {
	return &pgInputReader{ctx: ctx, db: s.db, id: id}, nil
}

// pgInputReader streams an upload back one chunk at a time.
type pgInputReader struct {
	ctx context.Context
	db  *pgxpool.Pool
	id  string
	seq int32
	cur []byte
	eof bool
}

func (r *pgInputReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		err := r.db.QueryRow(r.ctx, `SELECT data FROM jobs_input WHERE job_id = $1 AND seq = $2`, r.id, r.seq).Scan(&r.cur)
		if errors.Is(err, pgx.ErrNoRows) {
			r.eof = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("jobs: input of %s: %w", r.id, err)
		}
		r.seq++
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *pgInputReader) Close() error { return nil }

func (s *pgStore) removeInput(ctx context.Context, id, _ string) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM jobs_input WHERE job_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM jobs_rows WHERE job_id = $1`, id)
		return err
	})
}
