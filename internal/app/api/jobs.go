package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// ownerOf is the id of the key calling ("" on an open server).
func ownerOf(c *gin.Context) string {
	if k := auth.KeyFrom(c.Request.Context()); k != nil {
		return k.ID
	}
	return ""
}

// Jobs is the durable batch-job engine as the API sees it; *jobs.Manager
// implements it.
type Jobs interface {
	Create(ctx context.Context, req jobs.CreateRequest) (*jobs.Job, error)
	Get(ctx context.Context, id string) (*jobs.Job, error)
	List(ctx context.Context) ([]*jobs.Job, error)
	Pause(ctx context.Context, id string) (*jobs.Job, error)
	Resume(ctx context.Context, id string) (*jobs.Job, error)
	Cancel(ctx context.Context, id string) (*jobs.Job, error)
	Delete(ctx context.Context, id string) error
	Results(ctx context.Context, id, format string, w io.Writer) error
}

var _ Jobs = (*jobs.Manager)(nil)

// errNoJobs answers the job routes of a server built without a job engine.
var errNoJobs = errors.New("batch jobs are not available on this server")

// DefaultJobTimeout is a job row's budget when the job sets no timeout_ms:
// batch rows are not in a hurry, and a longer budget lets them wait for
// their sources' tokens instead of coming back partial.
const DefaultJobTimeout = 10000

// formatOf maps an upload's media type to its job format.
func formatOf(mediaType string) string {
	switch mediaType {
	case "text/csv":
		return jobs.FormatCSV
	case "application/x-ndjson":
		return jobs.FormatNDJSON
	}
	return ""
}

// mediaTypeOf maps a results format to its media type.
func mediaTypeOf(format string) string {
	if format == jobs.FormatNDJSON {
		return "application/x-ndjson"
	}
	return "text/csv"
}

// jobOptions reads a job's options from its query string, which the
// contract has already validated (types, ranges, enums).
func jobOptions(c *gin.Context, maxTimeoutMS int) (pipeline.Options, error) {
	q := c.Request.URL.Query()
	var o pipeline.Options
	var errs []pipeline.FieldError
	list := func(name string) []string {
		var out []string
		for _, v := range q[name] {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
		return out
	}
	integer := func(name string) *int {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, pipeline.FieldError{Field: name, Reason: "must be an integer"})
			return nil
		}
		return &n
	}
	number := func(name string) *float64 {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, pipeline.FieldError{Field: name, Reason: "must be a number"})
			return nil
		}
		return &f
	}
	o.Sources, o.ExcludeSources = list("sources"), list("exclude_sources")
	o.TimeoutMS = integer("timeout_ms")
	if o.TimeoutMS == nil {
		t := min(DefaultJobTimeout, maxTimeoutMS)
		o.TimeoutMS = &t
	}
	o.MaxAgeS = integer("max_age_s")
	o.Cache = q.Get("cache")
	o.Purpose = q.Get("purpose")
	o.MinMatch = number("min_match")
	o.MinProbability = number("min_probability")
	o.IncludeCandidates, _ = strconv.ParseBool(q.Get("include_candidates"))
	if len(errs) > 0 {
		return o, &contractError{errs: errs}
	}
	return o, nil
}

// createJob serves POST /v1/jobs (operation createJob): the body is
// streamed to the job store, never held in memory.
func (s *Server) createJob(c *gin.Context) {
	if s.cfg.Jobs == nil {
		s.fail(c, errNoJobs)
		return
	}
	opts, err := jobOptions(c, s.cfg.MaxJobTimeoutMS)
	if err != nil {
		s.fail(c, err)
		return
	}
	if opts.Purpose == "" && s.cfg.DefaultPurpose != nil {
		opts.Purpose = s.cfg.DefaultPurpose(c.Request.Context())
	}
	// The key's own cap first (429: that key's doing), then the server's
	// (503).
	if k := auth.KeyFrom(c.Request.Context()); k != nil && s.cfg.MaxUploadsPerKey > 0 {
		if !s.keyUploads.take(k.ID, s.cfg.MaxUploadsPerKey) {
			c.Header("Retry-After", uploadRetryAfter)
			s.fail(c, &keyUploadsError{max: s.cfg.MaxUploadsPerKey})
			return
		}
		defer s.keyUploads.done(k.ID)
	}
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		c.Header("Retry-After", uploadRetryAfter)
		s.fail(c, errTooManyUploads)
		return
	}
	q := c.Request.URL.Query()
	every, _ := strconv.ParseInt(q.Get("progress_every"), 10, 64) // validated by the contract
	job, err := s.cfg.Jobs.Create(c.Request.Context(), jobs.CreateRequest{
		Format:         formatOf(bodyMediaType(c)),
		Body:           s.uploadReader(c),
		Options:        opts,
		WebhookURL:     q.Get("webhook_url"),
		WebhookSecret:  c.GetHeader("X-Webhook-Secret"),
		ProgressEvery:  every,
		IdempotencyKey: c.GetHeader("Idempotency-Key"),
		Owner:          ownerOf(c),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	audit.NoteFrom(c.Request.Context()).SetTarget(job.ID)
	c.Header("Location", "/v1/jobs/"+job.ID)
	s.writeJSON(c, http.StatusAccepted, job)
}

func (s *Server) uploadReader(c *gin.Context) *uploadReader {
	now := time.Now()
	return &uploadReader{r: c.Request.Body, rc: http.NewResponseController(c.Writer), start: now, now: time.Now,
		deadline: now.Add(s.cfg.UploadTimeout), minRate: float64(s.cfg.UploadMinBytesPerS)}
}

// listJobs serves GET /v1/jobs.
func (s *Server) listJobs(c *gin.Context) {
	if s.cfg.Jobs == nil {
		s.fail(c, errNoJobs)
		return
	}
	list, err := s.cfg.Jobs.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	k := auth.KeyFrom(c.Request.Context())
	list = slices.DeleteFunc(list, func(j *jobs.Job) bool { return !maysee(k, j) })
	if list == nil {
		list = []*jobs.Job{}
	}
	s.writeJSON(c, http.StatusOK, struct {
		Jobs []*jobs.Job `json:"jobs"`
	}{list})
}

// jobAction serves the job routes that answer with the job: GET
// /v1/jobs/{id} and POST /v1/jobs/{id}/pause, /resume and /cancel.
func (s *Server) jobAction(act func(Jobs, context.Context, string) (*jobs.Job, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Jobs == nil {
			s.fail(c, errNoJobs)
			return
		}
		id := c.Param("id")
		audit.NoteFrom(c.Request.Context()).SetTarget(id)
		if _, err := s.ownedJob(c, id); err != nil {
			s.fail(c, err)
			return
		}
		job, err := act(s.cfg.Jobs, c.Request.Context(), id)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.writeJSON(c, http.StatusOK, job)
	}
}

// deleteJob serves DELETE /v1/jobs/{id}.
func (s *Server) deleteJob(c *gin.Context) {
	if s.cfg.Jobs == nil {
		s.fail(c, errNoJobs)
		return
	}
	id := c.Param("id")
	audit.NoteFrom(c.Request.Context()).SetTarget(id)
	if _, err := s.ownedJob(c, id); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Jobs.Delete(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// getJobResults serves GET /v1/jobs/{id}/results, streaming the rows done so
// far. Errors found before the first byte are problems; a failure while
// streaming can only cut the response short (and is logged).
func (s *Server) getJobResults(c *gin.Context) {
	if s.cfg.Jobs == nil {
		s.fail(c, errNoJobs)
		return
	}
	format := c.DefaultQuery("format", jobs.FormatCSV)
	id := c.Param("id")
	audit.NoteFrom(c.Request.Context()).SetTarget(id)
	if _, err := s.ownedJob(c, id); err != nil {
		s.fail(c, err)
		return
	}
	w := &lazyWriter{c: c, rc: http.NewResponseController(c.Writer), mediaType: mediaTypeOf(format) + "; charset=utf-8"}
	if err := s.cfg.Jobs.Results(c.Request.Context(), id, format, w); err != nil {
		if !w.started {
			s.fail(c, err)
			return
		}
		s.logFailure(c, err)
		return
	}
	w.start()
}

// streamIdle bounds how long an upload or a results download may stall.
// The server's read and write timeouts bound ordinary requests; a job's
// input or results can take far longer than those, so these two routes
// replace them with a deadline that moves with every read or write.
const streamIdle = time.Minute

// uploadGrace is how long an upload may start slowly before its average
// rate must reach Config.UploadMinBytesPerS.
const uploadGrace = 30 * time.Second

// Upload limits, when Config leaves them zero.
const (
	DefaultMaxUploads         = 16
	DefaultMaxUploadsPerKey   = 4
	DefaultUploadMinBytesPerS = 4 << 10
	DefaultUploadTimeout      = 2 * time.Hour
)

// uploadError is an upload the client did not finish: cut short, a bad
// chunk, or too slow (timeout). It is the client's doing: 400 or 408,
// logged at info by the access log only.
type uploadError struct {
	timeout bool
	msg     string
}

func (e *uploadError) Error() string { return e.msg }

// errTooManyUploads: every upload slot is taken (jobs.max_uploads).
var errTooManyUploads = errors.New("too many uploads at once")

// uploadRetryAfter is the Retry-After (seconds) of an upload refused for
// too many uploads at once.
const uploadRetryAfter = "10"

// keyUploadsError: the key already has max uploads being read
// (jobs.max_uploads_per_key).
type keyUploadsError struct{ max int }

func (e *keyUploadsError) Error() string {
	return fmt.Sprintf("this key already has %d uploads being read", e.max)
}

// keyUploads counts the uploads being read per API key.
type keyUploads struct {
	mu sync.Mutex
	n  map[string]int
}

// take counts one more upload of key, unless it has max already.
func (u *keyUploads) take(key string, max int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[key] >= max {
		return false
	}
	if u.n == nil {
		u.n = map[string]int{}
	}
	u.n[key]++
	return true
}

func (u *keyUploads) done(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[key]--; u.n[key] <= 0 {
		delete(u.n, key)
	}
}

// uploadReader reads an upload, pushing the connection's deadlines
// streamIdle past every read but never past the upload's deadline, and
// cuts off an upload slower than minRate on average after uploadGrace.
// Read errors of the body (cut short, a malformed chunk, a deadline) become
// *uploadError.
type uploadReader struct {
	r        io.Reader
	rc       *http.ResponseController
	start    time.Time
	deadline time.Time
	minRate  float64 // bytes/s; 0: no minimum
	n        int64
	now      func() time.Time
}

func (u *uploadReader) Read(p []byte) (int, error) {
	now := u.now()
	if !now.Before(u.deadline) {
		return 0, &uploadError{timeout: true, msg: fmt.Sprintf("The upload took longer than %s (jobs.upload_timeout_ms).", u.deadline.Sub(u.start).Round(time.Second))}
	}
	if el := now.Sub(u.start); u.minRate > 0 && el > uploadGrace && float64(u.n)/el.Seconds() < u.minRate {
		return 0, &uploadError{timeout: true, msg: fmt.Sprintf("The upload is slower than %.0f bytes/s (jobs.upload_min_bytes_per_s).", u.minRate)}
	}
	// Both deadlines move: the answer (the job) is written after the whole
	// upload was read. A test recorder has no deadlines to move.
	until := now.Add(streamIdle)
	if u.deadline.Before(until) {
		until = u.deadline
	}
	_ = u.rc.SetReadDeadline(until)
	_ = u.rc.SetWriteDeadline(until.Add(streamIdle))
	n, err := u.r.Read(p)
	u.n += int64(n)
	if err == nil || err == io.EOF {
		return n, err
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe), errors.Is(err, jobs.ErrTooLarge), errors.Is(err, context.Canceled):
		return n, err
	case errors.As(err, &ne) && ne.Timeout():
		return n, &uploadError{timeout: true, msg: fmt.Sprintf("The upload stalled for %s.", streamIdle)}
	default:
		return n, &uploadError{msg: "The upload was cut short or its framing is malformed (" + truncate(err.Error(), 120) + ")."}
	}
}

// lazyWriter sends the status and headers with the first byte, so that an
// error found before any output can still be a problem document. Every
// write pushes the connection's write deadline streamIdle ahead.
type lazyWriter struct {
	c         *gin.Context
	rc        *http.ResponseController
	mediaType string
	started   bool
}

func (w *lazyWriter) start() {
	if !w.started {
		w.started = true
		w.c.Header("Content-Type", w.mediaType)
		w.c.Status(http.StatusOK)
		w.c.Writer.WriteHeaderNow()
	}
}

func (w *lazyWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(streamIdle))
	w.start()
	return w.c.Writer.Write(p)
}
