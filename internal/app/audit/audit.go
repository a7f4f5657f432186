// Package audit is footprint's append-only trail of who did what to whom:
// every authenticated call, every lookup (with its purpose and the sources
// it contacted), every erasure and suppression. Subjects appear only as
// keyed hashes (package subject); no entry holds a raw email or phone.
//
// Store is implemented by the embedded store (data folder) and by
// PostgreSQL (database_url); Memory is for tests and for tools that keep
// no trail. Every implementation passes audittest.Run.
package audit

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Actor of calls made where no key is configured (the server runs open).
const ActorOpen = "open"

// ActorCLI is the actor of command-line operations (footprint erase, keys …).
const ActorCLI = "cli"

// Entry is one audited operation.
type Entry struct {
	// ID is assigned by the store on Append (ascending in append order
	// within one store); callers leave it empty.
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// Actor is the key id of the caller, ActorOpen or ActorCLI.
	Actor string `json:"actor"`
	// Operation names what was done: "enrich", "enrich.batch", "jobs.create",
	// "erasure", "suppression.create", "keys.revoke", … (see the server's
	// docs for the list).
	Operation string `json:"operation"`
	// Purpose of a lookup (fraud_prevention, marketing, …); "" otherwise.
	Purpose string `json:"purpose,omitempty"`
	// Subjects the operation concerned, as keyed hashes.
	Subjects []subject.Hash `json:"subjects,omitempty"`
	// Sources contacted upstream (a lookup's network sources that ran).
	Sources []string `json:"sources,omitempty"`
	// Outcome: "ok", "denied", "error", "suppressed", "rate_limited", …
	Outcome string `json:"outcome"`
	// Status is the HTTP status of an API call (0 for other operations).
	Status int `json:"status,omitempty"`
	// Target names the object acted on when it is not a subject (a job id,
	// a key id, an erasure id).
	Target string `json:"target,omitempty"`
}

// Query selects entries; zero fields do not filter.
type Query struct {
	Subject subject.Hash
	Actor   string
	Since   time.Time // inclusive
	Until   time.Time // exclusive
	// After is a cursor: only entries with a greater ID (the last ID of the
	// previous page).
	After string
	// Limit caps the page (the store applies a maximum of its own).
	Limit int
}

// MaxLimit is the largest page a store returns.
const MaxLimit = 1000

// Store keeps the trail.
type Store interface {
	// Append records entries, assigning their IDs.
	Append(ctx context.Context, es ...Entry) error
	// Find returns matching entries oldest first, at most q.Limit
	// (MaxLimit when 0 or larger).
	Find(ctx context.Context, q Query) ([]Entry, error)
	// Prune deletes entries older than before (retention) and returns how
	// many it deleted.
	Prune(ctx context.Context, before time.Time) (int, error)
}

// EffectiveLimit returns q's page size after the store's maximum.
func (q Query) EffectiveLimit() int {
	if q.Limit <= 0 || q.Limit > MaxLimit {
		return MaxLimit
	}
	return q.Limit
}

// Match reports whether e passes q's filters (not the cursor or limit).
func (q Query) Match(e Entry) bool {
	switch {
	case q.Subject != "" && !slices.Contains(e.Subjects, q.Subject):
		return false
	case q.Actor != "" && e.Actor != q.Actor:
		return false
	case !q.Since.IsZero() && e.At.Before(q.Since):
		return false
	case !q.Until.IsZero() && !e.At.Before(q.Until):
		return false
	}
	return true
}

// SequenceID formats the n-th entry's ID so that IDs sort as numbers do.
func SequenceID(n uint64) string {
	const digits = "0123456789"
	b := []byte("00000000000000000000")
	for i := len(b) - 1; n > 0; i-- {
		b[i] = digits[n%10]
		n /= 10
	}
	return string(b)
}

// Memory is a Store in memory.
type Memory struct {
	mu      sync.Mutex
	entries []Entry
	seq     uint64
}

// Append implements Store.
func (m *Memory) Append(_ context.Context, es ...Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range es {
		m.seq++
		e.ID = SequenceID(m.seq)
		e.Subjects = slices.Clone(e.Subjects)
		e.Sources = slices.Clone(e.Sources)
		m.entries = append(m.entries, e)
	}
	return nil
}

// Find implements Store.
func (m *Memory) Find(_ context.Context, q Query) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for _, e := range m.entries {
		if e.ID <= q.After || !q.Match(e) {
			continue
		}
		out = append(out, e)
		if len(out) == q.EffectiveLimit() {
			break
		}
	}
	return out, nil
}

// Prune implements Store.
func (m *Memory) Prune(_ context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.entries)
	m.entries = slices.DeleteFunc(m.entries, func(e Entry) bool { return e.At.Before(before) })
	return n - len(m.entries), nil
}
