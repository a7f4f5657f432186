package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/enrichers/redact"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/google/uuid"
)

const (
	headerRequestID = "X-Request-ID"
	// canonicalRequestID is http.CanonicalHeaderKey(headerRequestID).
	canonicalRequestID = "X-Request-Id"
	maxRequestIDLen    = 128

	keyCall = "footprint.call" // gin context key: the request's *call
)

// call is what the middleware learned of one request for the layers after
// it, in one gin key (one allocation rather than one per value).
type call struct {
	id       string    // the request id (requestID)
	idHeader [1]string // the X-Request-Id response header's value: id
	// Set by validate: the body's media type (canonical), the validated
	// body, and the body as decoded for the contract.
	mediaType string
	body      []byte
	doc       any
}

// callOf returns c's call, adding one if the middleware has not.
func callOf(c *gin.Context) *call {
	if v, ok := c.Get(keyCall); ok {
		if st, ok := v.(*call); ok {
			return st
		}
	}
	st := &call{}
	c.Set(keyCall, st)
	return st
}

// bodyOf is the request body validate read.
func bodyOf(c *gin.Context) []byte { return callOf(c).body }

// bodyMediaType is the request body's media type as validate accepted it.
func bodyMediaType(c *gin.Context) string { return callOf(c).mediaType }

// saneRequestID reports whether a client-sent request id may be used as-is:
// 1 to 128 characters of [A-Za-z0-9._-], so it is safe in headers, logs and
// JSON without escaping.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

// requestID adopts the client's X-Request-ID when it is sane, generates one
// otherwise, and echoes it on the response.
func (s *Server) requestID(c *gin.Context) {
	// Header.Get would canonicalize headerRequestID (a new string) on
	// every request: the canonical name is looked up.
	var id string
	if v := c.Request.Header[canonicalRequestID]; len(v) > 0 {
		id = v[0]
	}
	if !saneRequestID(id) {
		id = newRequestID()
	}
	st := callOf(c)
	st.id, st.idHeader[0] = id, id
	// The canonical name assigned directly: Header would canonicalize
	// headerRequestID (a new string) on every request.
	c.Writer.Header()[canonicalRequestID] = st.idHeader[:]
	c.Next()
}

// newRequestID is a random (version 4) UUID in its canonical form, as
// uuid.NewString makes it, from random bytes read on the stack: one string
// (NewRandom's reader makes the UUID escape, a second allocation).
func newRequestID() string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])  // never fails (it crashes the program instead)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant RFC 4122
	return u.String()
}

// requestIDOf is the request's id ("" before requestID has run).
func requestIDOf(c *gin.Context) string {
	if v, ok := c.Get(keyCall); ok {
		if st, ok := v.(*call); ok {
			return st.id
		}
	}
	return ""
}

// routeOf is the matched route pattern, never the raw path (which may carry
// an email address).
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// observe times every request for Config.Observer and, with a
// Config.Tracer, runs it in a server span continuing the caller's trace
// (traceparent). Span names and attributes hold the route template, never
// the raw path or the query.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	route := routeOf(c)
	var span trace.Span
	if s.cfg.Tracer != nil {
		ctx := propagation.TraceContext{}.Extract(c.Request.Context(), propagation.HeaderCarrier(c.Request.Header))
		ctx, span = s.cfg.Tracer.Start(ctx, c.Request.Method+" "+route,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", c.Request.Method),
				attribute.String("http.route", route),
			))
		c.Request = c.Request.WithContext(ctx)
	}
	c.Next()
	status := c.Writer.Status()
	if span != nil {
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.ObserveRequest(route, c.Request.Method, status, time.Since(start))
	}
}

// accessLog writes one line per request. It logs the route pattern, never
// the raw path, the query string, headers or the body.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "http request",
		slog.String("request_id", requestIDOf(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", routeOf(c)),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
	)
}

// auditCall records one audit entry per call of operation: it puts an
// audit.Note in the request's context for the layers below (the key that
// authenticated, the subjects, purpose and sources a handler noted) and
// appends the entry once the call is answered, whatever its status. An
// entry that cannot be stored is logged (without its subjects) and the
// answer stands: the caller has been served already. authz, the
// operation's authorize step (nil: none), runs inside it, so refusals are
// audited.
func (s *Server) auditCall(operation string, authz authStep) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, note := audit.WithNote(c.Request.Context())
		next := true
		if authz != nil {
			ctx, next = authz(c, ctx)
		}
		c.Request = c.Request.WithContext(ctx)
		if next {
			c.Next()
		}
		e := note.Final(operation, c.Writer.Status())
		e.At = time.Now().UTC()
		// A queue with room takes the entry at once (audit.Buffer): no
		// write, so no deadline to set up. The entry's slices are the
		// note's copies, handed over.
		if s.auditQueue != nil && s.auditQueue.TryQueue(e) {
			return
		}
		// The client may be gone; the entry must still be written.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
		defer cancel()
		if err := s.cfg.Audit.Append(actx, e); err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "audit entry not stored",
				slog.String("request_id", requestIDOf(c)),
				slog.String("operation", e.Operation),
				slog.String("actor", e.Actor),
				slog.String("err", err.Error()))
		}
	}
}

// auditTimeout bounds writing one audit entry.
const auditTimeout = 5 * time.Second

// recoverer replaces gin's Recovery: a panic in a handler (a bug; sources'
// panics are contained by the engine) is logged with its stack and answered
// with a problem+json 500 instead of a dropped connection.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r)
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "panic serving request",
			slog.String("request_id", requestIDOf(c)),
			slog.String("route", routeOf(c)),
			slog.String("panic", redact.String(fmt.Sprint(r))),
			slog.String("stack", string(debug.Stack())),
		)
		if c.Writer.Written() {
			c.Abort() // too late for a problem document; the client sees a truncated answer
			return
		}
		s.fail(c, errPanic)
	}()
	c.Next()
}

// noRoute answers 404 for paths no operation serves.
func (s *Server) noRoute(c *gin.Context) { s.fail(c, errNoRoute) }

// noMethod answers 405 for a known path with another method; gin has set
// the Allow header already.
func (s *Server) noMethod(c *gin.Context) {
	s.fail(c, &methodError{method: c.Request.Method, allow: c.Writer.Header().Get("Allow")})
}
