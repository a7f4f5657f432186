package privacy

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

//go:embed migrations/*.sql
var migrations embed.FS

// PostgresStore is the Store shared by replicas (database_url).
type PostgresStore struct{ db *pgxpool.Pool }

var _ Store = (*PostgresStore)(nil)

// OpenPostgres migrates the "privacy" component's schema on db and returns
// the store. db stays the caller's (Close does not close it).
func OpenPostgres(ctx context.Context, db *pgxpool.Pool) (*PostgresStore, error) {
	ms, err := pgstore.Load(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if _, err := pgstore.Migrate(ctx, db, "privacy", ms); err != nil {
		return nil, err
	}
	return &PostgresStore{db: db}, nil
}

// Close implements Store (the pool is the caller's).
func (s *PostgresStore) Close() error { return nil }

// Suppress implements Store.
func (s *PostgresStore) Suppress(ctx context.Context, sp Suppression) (out Suppression, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO privacy_suppressions (id, reason, actor, created_at) VALUES ($1, $2, $3, $4)`,
			sp.ID, sp.Reason, sp.Actor, sp.CreatedAt); err != nil {
			return err
		}
		var fresh []subject.Hash
		for _, h := range sp.Subjects {
			tag, err := tx.Exec(ctx, `INSERT INTO privacy_suppressed_subjects (subject, suppression_id) VALUES ($1, $2) ON CONFLICT (subject) DO NOTHING`, string(h), sp.ID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				fresh = append(fresh, h)
			}
		}
		if len(fresh) > 0 {
			sp.Subjects = fresh
			out, created = sp, true
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM privacy_suppressions WHERE id = $1`, sp.ID); err != nil {
			return err
		}
		var id string
		if err := tx.QueryRow(ctx, `SELECT suppression_id FROM privacy_suppressed_subjects WHERE subject = $1`, string(sp.Subjects[0])).Scan(&id); err != nil {
			return err
		}
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		out = *old
		return nil
	})
	return out, created, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (s *PostgresStore) get(ctx context.Context, q querier, id string) (*Suppression, error) {
	sp := Suppression{ID: id}
	err := q.QueryRow(ctx, `SELECT reason, actor, created_at FROM privacy_suppressions WHERE id = $1`, id).Scan(&sp.Reason, &sp.Actor, &sp.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT subject FROM privacy_suppressed_subjects WHERE suppression_id = $1 ORDER BY subject`, id)
	if err != nil {
		return nil, err
	}
	hs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		sp.Subjects = append(sp.Subjects, subject.Hash(h))
	}
	sp.CreatedAt = sp.CreatedAt.UTC()
	return &sp, nil
}

// Unsuppress implements Store.
func (s *PostgresStore) Unsuppress(ctx context.Context, id string) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM privacy_suppressions WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Suppressed implements Store.
func (s *PostgresStore) Suppressed(ctx context.Context, hs ...subject.Hash) (*Suppression, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	keys := make([]string, len(hs))
	for i, h := range hs {
		keys[i] = string(h)
	}
	var id string
	err := s.db.QueryRow(ctx, `SELECT suppression_id FROM privacy_suppressed_subjects WHERE subject = ANY($1) LIMIT 1`, keys).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sp, err := s.get(ctx, s.db, id)
	if errors.Is(err, ErrNotFound) { // deleted in between
		return nil, nil
	}
	return sp, err
}

// Suppressions implements Store.
func (s *PostgresStore) Suppressions(ctx context.Context, after string, limit int) ([]Suppression, error) {
	rows, err := s.db.Query(ctx, `SELECT s.id, s.reason, s.actor, s.created_at, coalesce(array_agg(ss.subject ORDER BY ss.subject) FILTER (WHERE ss.subject IS NOT NULL), '{}')
		FROM privacy_suppressions s LEFT JOIN privacy_suppressed_subjects ss ON ss.suppression_id = s.id
		WHERE s.id > $1 GROUP BY s.id ORDER BY s.id LIMIT $2`, after, pageLimit(limit))
	if err != nil {
		return nil, err
	}
	out := []Suppression{}
	for rows.Next() {
		var sp Suppression
		var hs []string
		if err := rows.Scan(&sp.ID, &sp.Reason, &sp.Actor, &sp.CreatedAt, &hs); err != nil {
			rows.Close()
			return nil, err
		}
		sp.CreatedAt = sp.CreatedAt.UTC()
		for _, h := range hs {
			sp.Subjects = append(sp.Subjects, subject.Hash(h))
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// PutReceipt implements Store.
func (s *PostgresStore) PutReceipt(ctx context.Context, r Receipt) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	subs := make([]string, len(r.SubjectHashes))
	for i, h := range r.SubjectHashes {
		subs[i] = string(h)
	}
	_, err = s.db.Exec(ctx, `INSERT INTO privacy_receipts (id, subjects, at, body) VALUES ($1, $2, $3, $4)`, r.ID, subs, r.At, b)
	if err != nil {
		return fmt.Errorf("privacy store: receipt: %w", err)
	}
	return nil
}

// Receipt implements Store.
func (s *PostgresStore) Receipt(ctx context.Context, id string) (*Receipt, error) {
	var b []byte
	err := s.db.QueryRow(ctx, `SELECT body FROM privacy_receipts WHERE id = $1`, id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var r Receipt
	return &r, json.Unmarshal(b, &r)
}

// ReceiptsOf implements Store.
func (s *PostgresStore) ReceiptsOf(ctx context.Context, h subject.Hash) ([]Receipt, error) {
	rows, err := s.db.Query(ctx, `SELECT body FROM privacy_receipts WHERE subjects @> ARRAY[$1]::text[] ORDER BY at, id`, string(h))
	if err != nil {
		return nil, err
	}
	bs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	out := make([]Receipt, 0, len(bs))
	for _, b := range bs {
		var r Receipt
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Receipt) int { return a.At.Compare(b.At) })
	return out, nil
}
