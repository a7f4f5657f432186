package engine

import (
	"context"
	"errors"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// CacheMode is a request's cache mode.
type CacheMode string

// Cache modes.
const (
	CacheDefault CacheMode = "default" // read-through
	CacheRefresh CacheMode = "refresh" // skip reads, write results
	CacheOnly    CacheMode = "only"    // never go upstream
)

// CachePolicy is a request's freshness policy.
type CachePolicy struct {
	Mode CacheMode
	// MaxAge, when set, rejects evidence older than this (0 with HasMaxAge
	// means "refresh").
	MaxAge    time.Duration
	HasMaxAge bool
}

// ErrCacheMiss is returned by a Cache in CacheOnly mode when it has nothing;
// the engine reports the source as skipped.
var ErrCacheMiss = errors.New("not in cache and options.cache is \"only\"")

// Cache is the engine's view of the evidence cache: a read-through fetch
// keyed by source description (name, version, TTLs) and identifier. fetch
// goes upstream through the source's breaker (and its transport's
// limiter). Implementations must never cache errors, must treat their own
// failures as misses, and may merge identical in-flight fetches.
type Cache interface {
	Fetch(ctx context.Context, d enrichers.Description, id enrichers.Identifier, p CachePolicy,
		fetch func(context.Context) (*enrichers.Finding, error)) (f *enrichers.Finding, cached bool, fetchedAt time.Time, err error)
}
