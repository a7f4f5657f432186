// Package jobs runs durable batch enrichment: an uploaded CSV or NDJSON list
// is spooled to the data dir, each row is enriched through the pipeline at a
// bounded concurrency (the composition root marks rows as background work,
// so every source's limiter serves live lookups first), results
// are stored per row in an embedded bbolt database, and a job survives a
// crash: a restarted Manager resumes it from its checkpoint, writing exactly
// one result per input row.
//
// The HTTP API and the CLI are thin layers over Manager: Create, Get, List,
// Pause, Resume, Cancel, Delete and Results.
package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// State is a job's lifecycle state.
type State string

// States. succeeded, failed and cancelled are final.
const (
	StateQueued    State = "queued"
	StateRunning   State = "running"
	StatePaused    State = "paused"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
)

// Final reports whether s is a terminal state.
func (s State) Final() bool {
	return s == StateSucceeded || s == StateFailed || s == StateCancelled
}

// Job is the public view of a job.
type Job struct {
	ID      string           `json:"id"`
	State   State            `json:"state"`
	Format  string           `json:"format"`
	Options pipeline.Options `json:"options,omitzero"`

	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`

	// Total is the number of data rows of the input.
	Total int64 `json:"total"`
	// Done counts rows with a result of any kind (ok, incomplete or
	// failed); Failed and Incomplete are subsets of Done.
	Done       int64 `json:"done"`
	Failed     int64 `json:"failed"`
	Incomplete int64 `json:"incomplete"`
	// Checkpoint is the highest row such that every row up to it is done.
	Checkpoint int64 `json:"checkpoint"`

	// RowsPerS is the recent throughput (an EWMA with a 10 s time constant)
	// while the job runs, the average over the run once it is final.
	RowsPerS float64 `json:"rows_per_s"`
	// ETAS estimates the seconds left; nil when unknown.
	ETAS *float64 `json:"eta_s,omitempty"`

	InputBytes  int64  `json:"input_bytes"`
	InputSHA256 string `json:"input_sha256"`

	WebhookURL string `json:"webhook_url,omitempty"`
	// ProgressEvery sends a job.progress webhook every this many rows (0:
	// only on completion).
	ProgressEvery int64 `json:"progress_every,omitempty"`

	// Error says why a job failed.
	Error string `json:"error,omitempty"`

	// Owner is the id of the API key that created the job ("" on a server
	// running without keys); only that key (or an admin key) sees it.
	Owner string `json:"owner,omitempty"`
	// PauseReason says why a job paused by itself (its key's quota is
	// spent); ResumeAt is when it resumes on its own. Both are cleared when
	// it runs again.
	PauseReason string     `json:"pause_reason,omitempty"`
	ResumeAt    *time.Time `json:"resume_at,omitempty"`
}

// CreateRequest describes a new job.
type CreateRequest struct {
	// Format is "csv" or "ndjson".
	Format string
	// Body is the input list; it is read to the end (streamed to disk).
	Body io.Reader
	// Options apply to every row.
	Options pipeline.Options
	// WebhookURL receives a signed POST when the job ends; WebhookSecret
	// signs it (Config.WebhookSecret when empty).
	WebhookURL    string
	WebhookSecret string
	ProgressEvery int64
	// IdempotencyKey makes a retried upload return the job the first one
	// created (the same body) or fail with ErrIdempotencyConflict. It is
	// scoped to Owner: two keys never share one.
	IdempotencyKey string
	// Owner is the id of the API key creating the job ("": none).
	Owner string
}

// Enricher enriches one row; *pipeline.Service implements it.
type Enricher interface {
	Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error)
}

// Config configures a Manager.
type Config struct {
	// Dir is the data dir: jobs.db and spool/ live there (the embedded
	// store; not needed with DB).
	Dir string
	// DB, when set, keeps jobs in PostgreSQL (database_url), shared by
	// every replica: their workers work every job's rows, each row claimed
	// under a lease (see Lease). Start migrates the schema.
	DB *pgxpool.Pool
	// Replica names this process in row leases and logs (default: the
	// host name and a random suffix).
	Replica string
	// Lease is how long a claimed row stays a replica's without being
	// renewed (renewed every Lease/3 while the row is worked); the rows of
	// a replica that died are taken over after it (default 30 s).
	Lease time.Duration
	// Poll is how often a replica looks for jobs to work and for rows
	// freed by a lease running out (default 1 s).
	Poll     time.Duration
	Enricher Enricher
	// Concurrency bounds the rows enriched at once, across all jobs, each
	// running job taking at most its fair share; it also bounds the rows of
	// one job in progress (enriched or waiting for a token) (default 8).
	Concurrency int
	// MaxActiveJobs bounds the jobs running at once; the others stay
	// queued (default 2).
	MaxActiveJobs int
	// ValidateOptions, when set, checks a job's options at Create (e.g.
	// that every named source exists); its *pipeline.InputError is returned.
	ValidateOptions func(pipeline.Options) error
	// MaxInputBytes bounds an upload (0: no limit).
	MaxInputBytes int64

	// Limiter returns a source's rate limiter (nil: none). A row that
	// footprint's own limiter held back waits for that source's token here,
	// holding no slot, and runs again with it; without Limiter such a row
	// is retried as an attempt.
	Limiter func(source string) *transport.Limiter

	// MaxAttempts bounds the enrichments of a row whose profile stays
	// incomplete (transient source failures) or that fails unexpectedly
	// (default 3); RetryBackoff is the first wait between them, doubled
	// each time (default 5 s, at most 5 min).
	MaxAttempts  int
	RetryBackoff time.Duration

	// HTTPClient delivers webhooks; the composition root supplies an
	// SSRF-guarded client. Jobs with a webhook URL are refused without one.
	HTTPClient *http.Client
	// CheckWebhookURL, when set, refuses webhook URLs at Create (the
	// composition root passes the SSRF guard's netguard.CheckURL); its
	// error is the reason in the 400.
	CheckWebhookURL func(*url.URL) error
	// WebhookSecret signs webhooks of jobs created without their own.
	WebhookSecret string
	// WebhookAttempts bounds deliveries of one event (default 6);
	// WebhookBackoff is the first wait between them, doubled each time
	// (default 2 s, at most 5 min).
	WebhookAttempts int
	WebhookBackoff  time.Duration

	// Attributes are the flattened columns of CSV results (default:
	// DefaultAttributes()).
	Attributes []Attribute

	// Admit, when set, is asked before each row is enriched (not for rows
	// answered by an earlier duplicate): it charges the row to the job
	// owner's quota and returns the context to enrich it under. An error
	// pauses the job with the error's text as its reason, the row
	// unspent; the job resumes on its own when the error has a RetryAt()
	// time.Time method, at that time, and in any case every QuotaRecheck
	// (a raised quota), pausing again if Admit still refuses.
	Admit func(ctx context.Context, owner string) (context.Context, error)
	// QuotaRecheck is how often a job paused by Admit tries again
	// (default 1 min).
	QuotaRecheck time.Duration

	// Tracer starts a span per row (job id, row status, attempts; never
	// the row's input); nil: no tracing.
	Tracer trace.Tracer

	Now    func() time.Time
	Logger *slog.Logger
}

// Errors callers branch on (the API maps them to 404, 409 and 413).
var (
	ErrNotFound            = errors.New("jobs: no such job")
	ErrConflict            = errors.New("jobs: not allowed in the job's state")
	ErrIdempotencyConflict = errors.New("jobs: idempotency key already used for a different input or options")
	ErrTooLarge            = errors.New("jobs: input too large")
	ErrClosed              = errors.New("jobs: manager closed")
	ErrNoWebhookClient     = errors.New("jobs: webhooks are not configured")
)

// Problem is an RFC 9457 problem document describing a failed row.
type Problem struct {
	Type   string                `json:"type"`
	Title  string                `json:"title"`
	Status int                   `json:"status"`
	Detail string                `json:"detail,omitempty"`
	Errors []pipeline.FieldError `json:"errors,omitempty"`
}

func newProblem(status int, detail string, errs []pipeline.FieldError) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs}
}
