// Package pgstore opens the shared PostgreSQL store (database_url) and runs
// each component's embedded schema migrations. Components (keys, audit,
// jobs, …) own their migrations: each keeps its numbered .sql files in an
// embed.FS and calls Migrate with its own name at start, so they evolve
// independently and a replica upgrades the schema before it serves.
//
// Migrations run in one transaction per file under a transaction-scoped
// advisory lock, so replicas starting together apply each file once.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultMaxConns is the size of a pool whose URL sets no pool_max_conns
// and whose caller asks for none: one process opens one pool, which every
// component (keys, audit, privacy, jobs) shares.
const DefaultMaxConns = 16

// Open connects to url and checks the connection within ctx. The pool is
// the caller's to Close. Its size is url's pool_max_conns parameter, else
// DefaultMaxConns.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return OpenPool(ctx, url, 0)
}

// OpenPool is Open with a pool of maxConns connections (0: url's
// pool_max_conns parameter, else DefaultMaxConns). A process opens one
// pool and hands it to every store.
func OpenPool(ctx context.Context, url string, maxConns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's error repeats the URL, password included.
		return nil, errors.New("database_url: not a valid PostgreSQL URL")
	}
	switch {
	case maxConns > 0:
		cfg.MaxConns = int32(min(maxConns, math.MaxInt32))
	case !strings.Contains(url, "pool_max_conns="):
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "footprint"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database_url: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database_url: cannot reach PostgreSQL at %s: %w", cfg.ConnConfig.Host, err)
	}
	return pool, nil
}

// Migration is one numbered schema change of a component.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load reads dir of fsys: files named NNN_description.sql, applied in
// ascending NNN order. Numbers must be unique and positive.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: want NNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// Migrate applies the migrations of component that db has not seen yet,
// each in its own transaction together with its bookkeeping row. It
// returns the versions it applied.
func Migrate(ctx context.Context, db *pgxpool.Pool, component string, ms []Migration) ([]int, error) {
	if err := createMigrationsTable(ctx, db); err != nil {
		return nil, fmt.Errorf("migrations table: %w", err)
	}
	var applied []int
	for _, m := range ms {
		done, err := apply(ctx, db, component, m)
		if err != nil {
			return applied, fmt.Errorf("%s migration %s: %w", component, m.Name, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// migrationsLock is the advisory lock every migration step holds: DDL of
// different components may touch shared catalogs, and migrations are rare
// and short.
const migrationsLock = `SELECT pg_advisory_xact_lock(hashtext('footprint_migrations'))`

// createMigrationsTable creates the table of applied migrations under the
// migrations lock: replicas starting together would otherwise race on the
// catalog (CREATE TABLE IF NOT EXISTS is not safe run concurrently: the
// loser gets "type already exists").
func createMigrationsTable(ctx context.Context, db *pgxpool.Pool) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, migrationsLock); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS footprint_migrations (
		component  text        NOT NULL,
		version    integer     NOT NULL,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now(),
		PRIMARY KEY (component, version))`); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func apply(ctx context.Context, db *pgxpool.Pool, component string, m Migration) (bool, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, migrationsLock); err != nil {
		return false, err
	}
	var seen bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM footprint_migrations WHERE component = $1 AND version = $2)`,
		component, m.Version).Scan(&seen); err != nil {
		return false, err
	}
	if seen {
		return false, nil
	}
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO footprint_migrations (component, version, name) VALUES ($1, $2, $3)`,
		component, m.Version, m.Name); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}
