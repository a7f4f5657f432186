package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// scopeExtension names the scope an operation needs in the contract
// (x-footprint-scope); an operation that requires a key but names no
// scope needs admin.
const scopeExtension = "x-footprint-scope"

// scopeAny: any valid key may call the operation.
const scopeAny = "any"

// realm of the WWW-Authenticate challenges.
const challenge = `Bearer realm="footprint"`

// authError is a refused authentication or authorization, with its
// challenge.
type authError struct {
	status int
	detail string
}

func (e *authError) Error() string { return e.detail }

// scopeOf returns the scope op needs and whether it needs a key at all
// (operations with `security: []` are public).
func scopeOf(op *openapi3.Operation) (scope string, keyed bool) {
	if op.Security != nil && len(*op.Security) == 0 {
		return "", false
	}
	if v, ok := op.Extensions[scopeExtension].(string); ok && v != "" {
		return v, true
	}
	return auth.ScopeAdmin, true
}

// credentials returns the key a request presents: Authorization: Bearer,
// else X-API-Key.
func credentials(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return " " // a present but unusable credential: invalid, not missing
	}
	// The canonical name (of X-API-Key) looked up: Get would make it
	// on every call.
	if v := r.Header["X-Api-Key"]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// clientAddr is the peer's address (never a forwarded header: a client
// could name any address there), the unit of the failed-authentication
// limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authorize authenticates the key of a keyed operation, checks its scope
// and charges its rate limit (and, for a single lookup, its quotas),
// putting the key in the request's context and its id in the audit note.
// It runs inside auditCall (refusals are audited) and before validate. A
// server whose key store is empty runs open (serve refuses that on a
// public address unless told otherwise). It is nil for an operation that
// needs no key, or a server without Auth.
func (s *Server) authorize(op *openapi3.Operation) authStep {
	scope, keyed := scopeOf(op)
	if !keyed || s.cfg.Auth == nil {
		return nil
	}
	var lookups int64
	if op.OperationID == "enrich" {
		lookups = 1
	}
	a := s.cfg.Auth
	return func(c *gin.Context, ctx context.Context) (context.Context, bool) {
		on, err := a.Enforcing(ctx)
		if err != nil {
			s.fail(c, err)
			return ctx, false
		}
		if !on {
			return ctx, true
		}
		secret := credentials(c.Request)
		k, err := a.Authenticate(ctx, secret, clientAddr(c.Request))
		if err != nil {
			s.refuse(c, err)
			return ctx, false
		}
		audit.NoteFrom(ctx).SetActor(k.ID)
		ctx = auth.WithKey(ctx, k)
		if scope != scopeAny && !k.Has(scope) {
			c.Header("WWW-Authenticate", challenge+`, error="insufficient_scope", scope="`+scope+`"`)
			s.fail(c, &authError{status: http.StatusForbidden, detail: "This key lacks the scope " + scope + " that this operation needs."})
			return ctx, false
		}
		d, err := a.Take(ctx, k, 1, lookups)
		d.SetHeaders(c.Writer.Header())
		if err != nil {
			s.fail(c, err)
			return ctx, false
		}
		return ctx, true
	}
}

// authStep is authorize's check of one request whose context is ctx: it
// returns the context for the layers after it (ctx, or ctx with the key)
// and whether they run; when they do not, it has answered the request. It
// leaves c.Request to its caller, so that auditCall, which runs it, makes
// one request with both the note and the key in its context, not one
// for each.
type authStep func(c *gin.Context, ctx context.Context) (context.Context, bool)

// handler runs the step as a middleware of its own (an operation that is
// not audited).
func (a authStep) handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, ok := a(c, c.Request.Context())
		if ctx != c.Request.Context() {
			c.Request = c.Request.WithContext(ctx)
		}
		if ok {
			c.Next()
		}
	}
}

// refuse answers a request whose key Authenticate refused with err. (Its
// own function: the targets of errors.As would be allocated on every
// request, refused or not.)
func (s *Server) refuse(c *gin.Context, err error) {
	var fle *auth.FailureLimitError
	switch {
	case errors.Is(err, auth.ErrNoCredentials):
		c.Header("WWW-Authenticate", challenge)
		s.fail(c, &authError{status: http.StatusUnauthorized,
			detail: "An API key is required: send it as Authorization: Bearer <key> or X-API-Key: <key>."})
	case errors.Is(err, auth.ErrInvalidKey):
		c.Header("WWW-Authenticate", challenge+`, error="invalid_token", error_description="the key is unknown, revoked or expired"`)
		s.fail(c, &authError{status: http.StatusUnauthorized,
			detail: "The API key is not valid: unknown, revoked or expired."})
	case errors.As(err, &fle):
		c.Header("Retry-After", secondsHeader(fle.RetryAfter))
		s.fail(c, err)
	case errors.As(err, new(*auth.UnavailableError)):
		c.Header("Retry-After", "5")
		s.fail(c, err)
	default:
		s.fail(c, err)
	}
}

func secondsHeader(d time.Duration) string {
	n := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(n, 1), 10)
}

// charge charges n more lookups to the calling key's quotas (a batch's
// items). It answers 429 and returns false when they are spent; with no
// key (open server) it charges nothing.
func (s *Server) charge(c *gin.Context, n int64) bool {
	k := auth.KeyFrom(c.Request.Context())
	if k == nil || s.cfg.Auth == nil || n <= 0 {
		return true
	}
	d, err := s.cfg.Auth.Take(c.Request.Context(), k, 0, n)
	d.SetHeaders(c.Writer.Header())
	if err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// observeLookup records what a keyed lookup found in the key's usage.
func (s *Server) observeLookup(c *gin.Context, p *pipeline.Profile) {
	if k := auth.KeyFrom(c.Request.Context()); k != nil && s.cfg.Auth != nil {
		s.cfg.Auth.ObserveProfile(k.ID, p)
	}
}

// ownedJob returns job id when the caller may see it: its owner, an admin
// key, or anyone on an open server. Another key's job is jobs.ErrNotFound
// (404, as if it did not exist).
func (s *Server) ownedJob(c *gin.Context, id string) (*jobs.Job, error) {
	job, err := s.cfg.Jobs.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if !maysee(auth.KeyFrom(c.Request.Context()), job) {
		return nil, jobs.ErrNotFound
	}
	return job, nil
}

func maysee(k *auth.Key, job *jobs.Job) bool {
	return k == nil || k.Has(auth.ScopeAdmin) || job.Owner == k.ID
}
