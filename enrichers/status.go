package enrichers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is the outcome of a source for one request. The vocabulary is shared
// by the API, the logs and the metrics.
type Status string

// Statuses.
const (
	StatusOK          Status = "ok"
	StatusNotFound    Status = "not_found"
	StatusSkipped     Status = "skipped"
	StatusTimeout     Status = "timeout"
	StatusRateLimited Status = "rate_limited"
	StatusCircuitOpen Status = "circuit_open"
	StatusBlocked     Status = "blocked"
	StatusError       Status = "error"
)

// Transient reports whether a status may turn out differently if retried
// later (used by batch jobs).
func (s Status) Transient() bool {
	switch s {
	case StatusTimeout, StatusRateLimited, StatusCircuitOpen, StatusBlocked:
		return true
	}
	return false
}

// SourceError is an error with a status other than "error": a 429, a bot
// wall, an upstream timeout. Sources and the transport return it; the engine
// maps it to the response status.
type SourceError struct {
	Source string
	Status Status
	// RetryAfter is the upstream's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Retryable marks a failure worth one more attempt after RetryAfter
	// (502/503/504, or 429 with Retry-After). The engine retries — outside
	// the breaker, through the limiter — only when the budget allows.
	Retryable bool
	Err       error
}

func (e *SourceError) Error() string {
	msg := string(e.Status)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Source != "" {
		return e.Source + ": " + msg
	}
	return msg
}

func (e *SourceError) Unwrap() error { return e.Err }

// NewSourceError builds a *SourceError with a formatted cause.
func NewSourceError(source string, status Status, format string, args ...any) *SourceError {
	return &SourceError{Source: source, Status: status, Err: fmt.Errorf(format, args...)}
}

// ErrBudget is reported when the request budget, not the source, ended a
// call. It never counts against a source's breaker.
var ErrBudget = errors.New("request budget exhausted")

// StatusOf classifies an error returned by a source: a *SourceError's
// status, timeout for ErrBudget or a deadline, error otherwise.
func StatusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	var se *SourceError
	if errors.As(err, &se) {
		return se.Status
	}
	if errors.Is(err, ErrBudget) || errors.Is(err, context.DeadlineExceeded) {
		return StatusTimeout
	}
	return StatusError
}
