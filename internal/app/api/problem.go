package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	gojson "github.com/goccy/go-json"

	"github.com/footprint-oss/footprint/enrichers/redact"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
)

// Content types of responses.
const (
	mimeJSON    = "application/json"
	mimeProblem = "application/problem+json"
	mimeYAML    = "application/yaml"
)

// problem is an RFC 9457 problem document (schema Problem in openapi.yaml).
type problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail,omitempty"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id"`
	Errors    []pipeline.FieldError `json:"errors,omitempty"`
	// Limit and ResetAt name the limit a 429 hit and when it resets.
	Limit   string     `json:"limit,omitempty"`
	ResetAt *time.Time `json:"reset_at,omitempty"`
}

// Errors the API itself raises. Each says what went wrong; problemFor alone
// decides which HTTP status that is.
var (
	errNoRoute   = errors.New("no such route")
	errNoMetrics = errors.New("metrics are not served here")
	errPanic     = errors.New("handler panicked")
	errNoResult  = errors.New("enricher returned neither a profile nor an error")
)

// methodError is a request for a route that exists with other methods.
type methodError struct{ method, allow string }

func (e *methodError) Error() string { return e.method + " not allowed; allowed: " + e.allow }

// mediaTypeError is a request body that is not JSON (or not UTF-8 JSON),
// or is encoded (what: "Content-Encoding"; default "Content-Type").
type mediaTypeError struct{ what, got, want string }

func (e *mediaTypeError) Error() string {
	what := e.what
	if what == "" {
		what = "Content-Type"
	}
	return fmt.Sprintf("%s %q is not supported; send %s", what, e.got, e.want)
}

// bodyError is a request body that could not be read or is not JSON.
type bodyError struct{ msg string }

func (e *bodyError) Error() string { return e.msg }

// contractError is a request that does not match openapi.yaml.
type contractError struct{ errs []pipeline.FieldError }

func (e *contractError) Error() string {
	parts := make([]string, len(e.errs))
	for i, fe := range e.errs {
		parts[i] = fe.Field + ": " + fe.Reason
	}
	return strings.Join(parts, "; ")
}

// statusClientClosedRequest is logged when the client went away before the
// answer was ready (nobody receives the response).
const statusClientClosedRequest = 499

// problemFor maps every error the API can produce to its problem document:
// the one place that chooses an HTTP status for an error.
func problemFor(err error) problem {
	var (
		ie  *pipeline.InputError
		me  *methodError
		mte *mediaTypeError
		mbe *http.MaxBytesError
		be  *bodyError
		ce  *contractError
		ue  *uploadError
		ae  *authError
		le  *auth.LimitError
		fle *auth.FailureLimitError
		kue *keyUploadsError
		se  *auth.SpecError
	)
	switch {
	case errors.As(err, &ae):
		return newProblem(ae.status, ae.detail, nil)
	case errors.As(err, &le):
		p := newProblem(http.StatusTooManyRequests, fmt.Sprintf("This key's %s limit is reached; it resets in %d s (Retry-After).",
			le.Decision.Exceeded, max(int64((le.Decision.RetryAfter+time.Second-1)/time.Second), 1)), nil)
		at := time.Now().Add(le.Decision.RetryAfter).UTC().Truncate(time.Second)
		p.Limit, p.ResetAt = le.Decision.Exceeded, &at
		return p
	case errors.As(err, &fle):
		p := newProblem(http.StatusTooManyRequests, "Too many failed authentications from this address; retry after Retry-After seconds.", nil)
		at := time.Now().Add(fle.RetryAfter).UTC().Truncate(time.Second)
		p.Limit, p.ResetAt = "failed-auth", &at
		return p
	case errors.As(err, &se):
		return newProblem(http.StatusBadRequest, "The key cannot be created: "+se.Error()+".", nil)
	case errors.Is(err, auth.ErrNotFound):
		return newProblem(http.StatusNotFound, "No key has this id.", nil)
	case errors.Is(err, auth.ErrRevoked):
		return newProblem(http.StatusConflict, "A revoked key cannot be rotated.", nil)
	case errors.Is(err, errNoAuth):
		return newProblem(http.StatusServiceUnavailable, "API keys are not configured on this server.", nil)
	case errors.As(err, &ie):
		status := ie.Status
		if status < 400 || status > 499 {
			status = http.StatusBadRequest
		}
		return newProblem(status, ie.Error(), ie.Errors)
	case errors.As(err, &ce):
		return newProblem(http.StatusBadRequest,
			"The request does not match the API contract (GET /openapi.yaml); see errors.", ce.errs)
	case errors.As(err, &be):
		return newProblem(http.StatusBadRequest, be.msg, nil)
	case errors.As(err, &ue):
		if ue.timeout {
			return newProblem(http.StatusRequestTimeout, ue.msg, nil)
		}
		return newProblem(http.StatusBadRequest, ue.msg, nil)
	case errors.Is(err, errHeadersTooLarge):
		return newProblem(http.StatusRequestHeaderFieldsTooLarge, headersTooLargeDetail(), nil)
	case errors.As(err, &kue):
		p := newProblem(http.StatusTooManyRequests, fmt.Sprintf("This key already has %d uploads being read at once (jobs.max_uploads_per_key); retry after Retry-After seconds.", kue.max), nil)
		p.Limit = "uploads"
		return p
	case errors.Is(err, errTooManyUploads):
		return newProblem(http.StatusServiceUnavailable, "Too many uploads are being read at once (jobs.max_uploads); retry after Retry-After seconds.", nil)
	case errors.As(err, &mbe):
		return newProblem(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The request body exceeds %d bytes.", mbe.Limit), nil)
	case errors.As(err, &mte):
		return newProblem(http.StatusUnsupportedMediaType, mte.Error()+".", nil)
	case errors.Is(err, jobs.ErrNotFound):
		return newProblem(http.StatusNotFound, "No job has this id.", nil)
	case errors.Is(err, jobs.ErrIdempotencyConflict):
		return newProblem(http.StatusConflict, "This Idempotency-Key was already used for a different upload (another body, or other query options).", nil)
	case errors.Is(err, jobs.ErrConflict):
		return newProblem(http.StatusConflict, "The job's state does not allow this.", nil)
	case errors.Is(err, jobs.ErrTooLarge):
		return newProblem(http.StatusRequestEntityTooLarge, "The upload exceeds the server's jobs.max_input_bytes.", nil)
	case errors.Is(err, jobs.ErrClosed):
		return newProblem(http.StatusServiceUnavailable, "The server is shutting down; retry on another replica.", nil)
	case errors.Is(err, errNoJobs), errors.Is(err, jobs.ErrNoWebhookClient):
		return newProblem(http.StatusServiceUnavailable, "Batch jobs (or their webhooks) are not available on this server.", nil)
	case errors.Is(err, privacy.ErrNotFound):
		return newProblem(http.StatusNotFound, "No suppression or erasure receipt has this id.", nil)
	case errors.Is(err, errNoPrivacy), errors.Is(err, errNoAudit):
		return newProblem(http.StatusServiceUnavailable, "Privacy operations (or the audit trail) are not available on this server.", nil)
	case errors.As(err, new(*auth.UnavailableError)):
		return newProblem(http.StatusServiceUnavailable, "The API key store cannot be read right now, so the key can't be checked; retry later.", nil)
	case errors.Is(err, pipeline.ErrPrivacyUnavailable):
		return newProblem(http.StatusServiceUnavailable, "The suppression list cannot be read right now, so no lookup is made; retry later.", nil)
	case errors.Is(err, errNoRoute):
		return newProblem(http.StatusNotFound, "No such route; the routes are listed in GET /openapi.yaml.", nil)
	case errors.Is(err, errNoMetrics):
		return newProblem(http.StatusNotFound, "Metrics are off on this server, or served on their own address (metrics.addr).", nil)
	case errors.As(err, &me):
		return newProblem(http.StatusMethodNotAllowed,
			fmt.Sprintf("Method %s is not allowed here; allowed: %s.", me.method, me.allow), nil)
	case errors.Is(err, context.Canceled):
		return newProblem(statusClientClosedRequest, "The client closed the request before the answer was ready.", nil)
	default: // errPanic, errNoResult and anything unexpected: a bug.
		return newProblem(http.StatusInternalServerError,
			"An unexpected error occurred; it has been logged with the request id.", nil)
	}
}

func newProblem(status int, detail string, errs []pipeline.FieldError) problem {
	title := http.StatusText(status)
	if status == statusClientClosedRequest {
		title = "Client Closed Request"
	}
	return problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Errors: errs}
}

// fail answers the request with err's problem document and stops the
// handler chain. Server-side failures are logged (redacted); client errors
// are not, beyond the access log.
func (s *Server) fail(c *gin.Context, err error) {
	p := problemFor(err)
	p.RequestID = requestIDOf(c)
	p.Instance = c.Request.URL.Path
	if p.Status >= 500 && !errors.Is(err, errPanic) {
		s.logFailure(c, err)
	}
	b, mErr := encodeJSON(p)
	if mErr != nil { // cannot happen: problem has only strings and ints
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"request_id":""}`)
		p.Status = http.StatusInternalServerError
	}
	c.Abort()
	c.Data(p.Status, mimeProblem, b)
}

// logFailure logs a server-side failure (redacted) with the request id.
func (s *Server) logFailure(c *gin.Context, err error) {
	s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
		slog.String("request_id", requestIDOf(c)),
		slog.String("route", routeOf(c)),
		slog.String("error", redact.String(err.Error())))
}

// writeJSON answers with v as JSON. A value that cannot be encoded is a bug
// and becomes a 500 problem.
func (s *Server) writeJSON(c *gin.Context, status int, v any) {
	if p, ok := v.(*pipeline.Profile); ok {
		s.writeProfile(c, status, p)
		return
	}
	b, err := encodeJSON(v)
	if err != nil {
		s.fail(c, fmt.Errorf("encode %T: %w", v, err))
		return
	}
	writeBody(c, status, mimeJSON, b)
}

// writeProfile is writeJSON for a profile, written into a buffer of
// s.bodies, which the writer does not keep (io.Writer's contract), so it
// serves the next response. A buffer grown past maxPooledBody by an
// unusually large profile is let go.
func (s *Server) writeProfile(c *gin.Context, status int, p *pipeline.Profile) {
	bp, _ := s.bodies.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b, err := p.AppendJSON((*bp)[:0])
	if err != nil {
		s.fail(c, fmt.Errorf("encode %T: %w", p, err))
	} else {
		writeBody(c, status, mimeJSON, b)
	}
	if cap(b) <= maxPooledBody {
		*bp = b[:0]
		s.bodies.Put(bp)
	}
}

// maxPooledBody bounds the buffers writeProfile keeps.
const maxPooledBody = 64 << 10

// writeBody answers with b as a body of contentType, with its
// Content-Length: what c.Header("Content-Length", …) and c.Data(status,
// contentType, b) write (the Content-Type only if none is set, no body
// for a status that has none, a failed write recorded in c.Errors), with
// both header values in one array (Header and Data make a slice each, and
// Data boxes a render.Data).
func writeBody(c *gin.Context, status int, contentType string, b []byte) {
	vals := [2]string{strconv.Itoa(len(b)), contentType}
	h := c.Writer.Header()
	h["Content-Length"] = vals[0:1:1]
	c.Status(status)
	if len(h["Content-Type"]) == 0 {
		h["Content-Type"] = vals[1:2:2]
	}
	if !bodyAllowedForStatus(status) {
		c.Writer.WriteHeaderNow()
		return
	}
	if _, err := c.Writer.Write(b); err != nil {
		_ = c.Error(err)
		c.Abort()
	}
}

// bodyAllowedForStatus is gin's rule (net/http's too): no body for a 1xx,
// 204 or 304.
func bodyAllowedForStatus(status int) bool {
	switch {
	case status >= 100 && status <= 199, status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}

// encodeJSON is the one JSON encoder of every response body (profiles,
// problems, lists): goccy/go-json, which writes what encoding/json writes
// (same keys, order, numbers and HTML-safe escaping; it escapes \b and \f
// as \u0008 and \u000c, which mean the same), about twice as fast. A
// profile splices the parts it shares with repeat lookups, each written
// by goccy/go-json (pipeline.Profile.MarshalJSON); its output is used as
// is, not parsed and compacted again.
func encodeJSON(v any) ([]byte, error) {
	if p, ok := v.(*pipeline.Profile); ok {
		return p.MarshalJSON()
	}
	return gojson.Marshal(v)
}
