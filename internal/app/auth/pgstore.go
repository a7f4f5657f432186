package auth

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// PGStore keeps keys and usage in PostgreSQL (database_url), for several
// replicas. ByHash answers from a cache for at most PGCacheTTL, so a key
// revoked on one replica is refused by every other within that.
type PGStore struct {
	db    *pgxpool.Pool
	cache *keyCache
	nowFn func() time.Time
}

// PGCacheTTL bounds how stale a replica's view of a key may be.
const PGCacheTTL = 500 * time.Millisecond

// PGStaleOnError is how long a key read from PostgreSQL is still honoured
// when PostgreSQL cannot be reached: a short database outage does not lock
// every client out, and a key revoked during the outage on another replica
// is refused at most this long after its last successful read here.
const PGStaleOnError = 5 * time.Minute

var _ Store = (*PGStore)(nil)

// OpenPGStore opens the key store on db (the process's pool, which stays
// the caller's: Close leaves it open), migrating its "keys" component: it
// does I/O, as Open* functions here do.
func OpenPGStore(ctx context.Context, db *pgxpool.Pool) (*PGStore, error) {
	ms, err := pgstore.Load(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if _, err := pgstore.Migrate(ctx, db, "keys", ms); err != nil {
		return nil, err
	}
	return &PGStore{db: db, cache: newKeyCache(PGCacheTTL, 10000), nowFn: time.Now}, nil
}

// Secret returns the store's key-hash secret, creating it once.
func (s *PGStore) Secret(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO auth_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, b); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	var out []byte
	if err := s.db.QueryRow(ctx, `SELECT secret FROM auth_secret WHERE id = 1`).Scan(&out); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return out, nil
}

func scanKey(row pgx.Row) (*Key, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("keys: %w", err)
	}
	var k Key
	if err := json.Unmarshal(doc, &k); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return &k, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Create implements Store.
func (s *PGStore) Create(ctx context.Context, k *Key) error {
	doc, err := json.Marshal(k)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO auth_keys (id, hash, prev_hash, created_at, doc) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.Hash, nullable(k.PrevHash), k.CreatedAt, doc)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// List implements Store.
func (s *PGStore) List(ctx context.Context) ([]*Key, error) {
	rows, err := s.db.Query(ctx, `SELECT doc FROM auth_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer rows.Close()
	var out []*Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Get implements Store.
func (s *PGStore) Get(ctx context.Context, id string) (*Key, error) {
	return scanKey(s.db.QueryRow(ctx, `SELECT doc FROM auth_keys WHERE id = $1`, id))
}

// Update implements Store.
func (s *PGStore) Update(ctx context.Context, id string, fn func(*Key) error) (*Key, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	k, err := scanKey(tx.QueryRow(ctx, `SELECT doc FROM auth_keys WHERE id = $1 FOR UPDATE`, id))
	if err != nil {
		return nil, err
	}
	if err := fn(k); err != nil {
		return nil, err
	}
	doc, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE auth_keys SET hash = $2, prev_hash = $3, doc = $4 WHERE id = $1`,
		id, k.Hash, nullable(k.PrevHash), doc); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	s.cache.clear()
	return k, nil
}

// ByHash implements Store: cached for at most PGCacheTTL.
func (s *PGStore) ByHash(ctx context.Context, hash string) (*Key, error) {
	now := s.nowFn()
	if k, ok := s.cache.get(hash, now); ok {
		return k, nil
	}
	k, err := scanKey(s.db.QueryRow(ctx, `SELECT doc FROM auth_keys WHERE hash = $1 OR prev_hash = $1 LIMIT 1`, hash))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, err
	case err != nil && ctx.Err() == nil:
		if k, ok := s.cache.stale(hash, now, PGStaleOnError); ok {
			return k, nil
		}
		return nil, &UnavailableError{Err: err}
	case err != nil:
		return nil, err
	}
	s.cache.put(hash, k, now)
	return k, nil
}

// Count implements Store.
func (s *PGStore) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM auth_keys`).Scan(&n); err != nil {
		return 0, fmt.Errorf("keys: %w", err)
	}
	return n, nil
}

// Touch implements Store.
func (s *PGStore) Touch(ctx context.Context, used map[string]time.Time) error {
	b := &pgx.Batch{}
	for id, t := range used {
		ts := t.UTC().Truncate(time.Second).Format(time.RFC3339)
		b.Queue(`UPDATE auth_keys SET doc = jsonb_set(doc, '{last_used_at}', to_jsonb($2::text))
			WHERE id = $1 AND (doc->>'last_used_at' IS NULL OR doc->>'last_used_at' < $2)`, id, ts)
	}
	return s.db.SendBatch(ctx, b).Close()
}

// AddUsage implements Store.
func (s *PGStore) AddUsage(ctx context.Context, deltas []UsageDelta) error {
	b := &pgx.Batch{}
	for _, d := range deltas {
		b.Queue(`INSERT INTO auth_usage (key_id, day, lookups, cached) VALUES ($1, $2::date, $3, $4)
			ON CONFLICT (key_id, day) DO UPDATE SET lookups = auth_usage.lookups + EXCLUDED.lookups, cached = auth_usage.cached + EXCLUDED.cached`,
			d.KeyID, d.Day, d.Lookups, d.Cached)
		for st, n := range d.Statuses {
			b.Queue(`INSERT INTO auth_usage_status (key_id, day, status, n) VALUES ($1, $2::date, $3, $4)
				ON CONFLICT (key_id, day, status) DO UPDATE SET n = auth_usage_status.n + EXCLUDED.n`, d.KeyID, d.Day, st, n)
		}
	}
	b.Queue(`DELETE FROM auth_usage WHERE day < (now() AT TIME ZONE 'UTC')::date - 400`)
	b.Queue(`DELETE FROM auth_usage_status WHERE day < (now() AT TIME ZONE 'UTC')::date - 400`)
	return s.db.SendBatch(ctx, b).Close()
}

// Usage implements Store.
func (s *PGStore) Usage(ctx context.Context, keyID string, from, to time.Time) ([]UsageDay, error) {
	lo, hi := from.UTC().Format("2006-01-02"), to.UTC().Format("2006-01-02")
	rows, err := s.db.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), lookups, cached FROM auth_usage
		WHERE key_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`, keyID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	var out []UsageDay
	idx := map[string]int{}
	for rows.Next() {
		var u UsageDay
		if err := rows.Scan(&u.Day, &u.Lookups, &u.Cached); err != nil {
			rows.Close()
			return nil, fmt.Errorf("keys: %w", err)
		}
		u.Statuses = map[string]int64{}
		idx[u.Day] = len(out)
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), status, n FROM auth_usage_status
		WHERE key_id = $1 AND day BETWEEN $2::date AND $3::date`, keyID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day, st string
		var n int64
		if err := rows.Scan(&day, &st, &n); err != nil {
			return nil, fmt.Errorf("keys: %w", err)
		}
		i, ok := idx[day]
		if !ok {
			out = mergeUsage(out, UsageDelta{Day: day, Statuses: map[string]int64{st: n}})
			idx = map[string]int{}
			for j, u := range out {
				idx[u.Day] = j
			}
			continue
		}
		out[i].Statuses[st] += n
	}
	return out, rows.Err()
}

// Close implements Store. The pool is the caller's: it stays open.
func (s *PGStore) Close() error { return nil }
