// Package pgtest gives tests a fresh PostgreSQL database of their own, so
// packages and concurrent test runs never see each other's rows. Tests
// that need PostgreSQL skip when FOOTPRINT_TEST_DATABASE_URL is unset;
// .ci/run sets it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/internal/app/pgstore"
)

// Env names the variable holding the server URL tests use
// (postgres://postgres@127.0.0.1:5432/test?sslmode=disable in CI).
const Env = "FOOTPRINT_TEST_DATABASE_URL"

// URL creates a fresh database on the test server and returns its URL; it
// is dropped when the test ends. It skips the test when Env is unset.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL to test against", Env)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgstore.Open(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "footprint_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: not a URL", Env)
	}
	u.Path = "/" + name
	return u.String()
}

// New returns a pool on a fresh database (see URL), closed when the test
// ends (before the database is dropped).
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	u := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgstore.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
