// Package privacy serves the rights of the people footprint looks up:
// suppressions (do not enrich), erasures with receipts, purposes (which
// sources and outputs a lookup may use) and a subject's access request
// (export). Everything it stores is keyed by subject.Hash; no raw email or
// phone is ever written. docs/PRIVACY.md is the data-protection officer's
// view of it.
package privacy

import (
	"context"
	"errors"
	"time"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Suppression is one "do not enrich" record: the subjects it covers (one
// or two hashes: an email and a phone given together), why, and who asked.
type Suppression struct {
	ID        string         `json:"id"`
	Subjects  []subject.Hash `json:"subjects"`
	Reason    string         `json:"reason,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	Actor     string         `json:"actor,omitempty"`
}

// Receipt proves an erasure: which subjects, what was removed, when.
type Receipt struct {
	ID            string         `json:"id"`
	SubjectHash   subject.Hash   `json:"subject_hash"`
	SubjectHashes []subject.Hash `json:"subject_hashes"`
	Erased        Erased         `json:"erased"`
	At            time.Time      `json:"at"`
	Actor         string         `json:"actor,omitempty"`
}

// Erased counts what an erasure removed.
type Erased struct {
	CacheEntries int `json:"cache_entries"`
	JobRows      int `json:"job_rows"`
}

// ErrNotFound is returned for an unknown suppression or receipt id.
var ErrNotFound = errors.New("privacy: not found")

// MaxPage is the largest page of suppressions a store returns.
const MaxPage = 1000

// Store keeps suppressions and erasure receipts. Implementations: the
// embedded store (OpenBolt, a file of the data folder) and PostgreSQL
// (OpenPostgres); both pass the same conformance test.
type Store interface {
	// Suppress records s (ID and CreatedAt set by the caller) for those of
	// its subjects not already suppressed. It returns the record that now
	// covers s.Subjects[0] and whether s was stored (false: every subject
	// was already suppressed, nothing changed).
	Suppress(ctx context.Context, s Suppression) (Suppression, bool, error)
	// Unsuppress deletes the suppression id (ErrNotFound when unknown).
	Unsuppress(ctx context.Context, id string) error
	// Suppressed returns the suppression covering any of hs, or nil.
	Suppressed(ctx context.Context, hs ...subject.Hash) (*Suppression, error)
	// Suppressions returns a page of records ordered by ID, after the
	// cursor after ("" from the start), at most limit (MaxPage when 0 or
	// larger).
	Suppressions(ctx context.Context, after string, limit int) ([]Suppression, error)
	// PutReceipt stores an erasure receipt.
	PutReceipt(ctx context.Context, r Receipt) error
	// Receipt returns receipt id (ErrNotFound when unknown).
	Receipt(ctx context.Context, id string) (*Receipt, error)
	// ReceiptsOf returns the receipts naming h, oldest first.
	ReceiptsOf(ctx context.Context, h subject.Hash) ([]Receipt, error)
	Close() error
}

func pageLimit(n int) int {
	if n <= 0 || n > MaxPage {
		return MaxPage
	}
	return n
}
