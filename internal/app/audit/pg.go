package audit

import (
	"context"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

//go:embed migrations/*.sql
var migrations embed.FS

// PG is the Store in PostgreSQL (database_url), shared by replicas. IDs
// come from a sequence: ascending in insertion order; an entry committed
// by another replica a moment after a page was read may carry a smaller
// ID than that page's last (cursor pages can miss it — read with a Since
// a few seconds back when that matters).
type PG struct{ db *pgxpool.Pool }

var _ Store = (*PG)(nil)

// OpenPG opens the audit store on db (the caller's pool), migrating its
// "audit" component: it does I/O, as Open* functions here do.
func OpenPG(ctx context.Context, db *pgxpool.Pool) (*PG, error) {
	ms, err := pgstore.Load(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if _, err := pgstore.Migrate(ctx, db, "audit", ms); err != nil {
		return nil, err
	}
	return &PG{db: db}, nil
}

func hashes(hs []subject.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = string(h)
	}
	return out
}

// Append implements Store (one COPY for the batch).
func (p *PG) Append(ctx context.Context, es ...Entry) error {
	rows := make([][]any, len(es))
	for i, e := range es {
		src := e.Sources
		if src == nil {
			src = []string{}
		}
		rows[i] = []any{e.At, e.Actor, e.Operation, e.Purpose, hashes(e.Subjects), src, e.Outcome, e.Status, e.Target}
	}
	_, err := p.db.CopyFrom(ctx, pgx.Identifier{"audit_entries"},
		[]string{"at", "actor", "operation", "purpose", "subjects", "sources", "outcome", "status", "target"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Find implements Store.
func (p *PG) Find(ctx context.Context, q Query) ([]Entry, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if q.After != "" {
		after, err := strconv.ParseInt(q.After, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("audit: cursor %q: %w", q.After, err)
		}
		where = append(where, "id > "+arg(after))
	}
	if q.Subject != "" {
		where = append(where, "subjects @> ARRAY["+arg(string(q.Subject))+"]::text[]")
	}
	if q.Actor != "" {
		where = append(where, "actor = "+arg(q.Actor))
	}
	if !q.Since.IsZero() {
		where = append(where, "at >= "+arg(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "at < "+arg(q.Until))
	}
	sql := `SELECT id, at, actor, operation, purpose, subjects, sources, outcome, status, target FROM audit_entries`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY id LIMIT " + arg(q.EffectiveLimit())
	rows, err := p.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var id int64
		var subs []string
		if err := rows.Scan(&id, &e.At, &e.Actor, &e.Operation, &e.Purpose, &subs, &e.Sources, &e.Outcome, &e.Status, &e.Target); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.ID = SequenceID(uint64(id))
		for _, s := range subs {
			e.Subjects = append(e.Subjects, subject.Hash(s))
		}
		if len(e.Sources) == 0 {
			e.Sources = nil
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Prune implements Store.
func (p *PG) Prune(ctx context.Context, before time.Time) (int, error) {
	tag, err := p.db.Exec(ctx, `DELETE FROM audit_entries WHERE at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("audit: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
