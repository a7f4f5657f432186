package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// errNoAuth answers /v1/keys and /v1/usage on a server built without keys.
var errNoAuth = errors.New("API keys are not configured on this server")

// keyRequest is schema KeyCreate.
type keyRequest struct {
	Name          string   `json:"name"`
	Env           string   `json:"env"`
	Scopes        []string `json:"scopes"`
	RatePerMin    int64    `json:"rate_per_min"`
	QuotaPerDay   int64    `json:"quota_per_day"`
	QuotaPerMonth int64    `json:"quota_per_month"`
	ExpiresIn     string   `json:"expires_in"`
	Purpose       string   `json:"purpose"`
}

// createKey serves POST /v1/keys: the answer carries the secret, once.
func (s *Server) createKey(c *gin.Context) {
	if s.cfg.Auth == nil {
		s.fail(c, errNoAuth)
		return
	}
	var req keyRequest
	if err := json.Unmarshal(bodyOf(c), &req); err != nil {
		s.fail(c, &bodyError{msg: "The body is not a key request."})
		return
	}
	exp, err := auth.ParseExpiry(req.ExpiresIn)
	if err != nil {
		s.fail(c, &contractError{errs: []pipeline.FieldError{{Field: "expires_in", Reason: err.Error()}}})
		return
	}
	v, err := s.cfg.Auth.Create(c.Request.Context(), auth.Spec{Name: req.Name, Env: req.Env, Scopes: req.Scopes,
		RatePerMin: req.RatePerMin, QuotaPerDay: req.QuotaPerDay, QuotaPerMonth: req.QuotaPerMonth, Purpose: req.Purpose, ExpiresIn: exp})
	if err != nil {
		s.fail(c, err)
		return
	}
	audit.NoteFrom(c.Request.Context()).SetTarget(v.ID)
	c.Header("Location", "/v1/keys/"+v.ID)
	c.Header("Cache-Control", "no-store")
	s.writeJSON(c, http.StatusCreated, v)
}

// listKeys serves GET /v1/keys.
func (s *Server) listKeys(c *gin.Context) {
	if s.cfg.Auth == nil {
		s.fail(c, errNoAuth)
		return
	}
	vs, err := s.cfg.Auth.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if vs == nil {
		vs = []auth.View{}
	}
	s.writeJSON(c, http.StatusOK, struct {
		Keys []auth.View `json:"keys"`
	}{vs})
}

// getKey serves GET /v1/keys/{id}.
func (s *Server) getKey(c *gin.Context) { s.keyAction(c, (*auth.Service).Get) }

// revokeKey serves POST /v1/keys/{id}/revoke: the key stops working on
// every replica within a second.
func (s *Server) revokeKey(c *gin.Context) { s.keyAction(c, (*auth.Service).Revoke) }

// rotateKey serves POST /v1/keys/{id}/rotate: the answer carries the new
// secret, once; the previous one works for auth.RotationGrace.
func (s *Server) rotateKey(c *gin.Context) { s.keyAction(c, (*auth.Service).Rotate) }

func (s *Server) keyAction(c *gin.Context, act func(*auth.Service, context.Context, string) (auth.View, error)) {
	if s.cfg.Auth == nil {
		s.fail(c, errNoAuth)
		return
	}
	id := c.Param("id")
	audit.NoteFrom(c.Request.Context()).SetTarget(id)
	v, err := act(s.cfg.Auth, c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if v.Key != "" {
		c.Header("Cache-Control", "no-store")
	}
	s.writeJSON(c, http.StatusOK, v)
}

// usageJSON is schema Usage.
type usageJSON struct {
	KeyID string          `json:"key_id"`
	Days  []auth.UsageDay `json:"days"`
	Total auth.UsageDay   `json:"total"`
}

// getUsage serves GET /v1/usage: the calling key's usage by UTC day (an
// admin key may name any key with key_id).
func (s *Server) getUsage(c *gin.Context) {
	if s.cfg.Auth == nil {
		s.fail(c, errNoAuth)
		return
	}
	k := auth.KeyFrom(c.Request.Context())
	id := c.Query("key_id")
	switch {
	case id == "" && k == nil:
		s.fail(c, &contractError{errs: []pipeline.FieldError{{Field: "key_id", Reason: "is required when the call carries no key"}}})
		return
	case id == "":
		id = k.ID
	case k != nil && id != k.ID && !k.Has(auth.ScopeAdmin):
		c.Header("WWW-Authenticate", challenge+`, error="insufficient_scope", scope="admin"`)
		s.fail(c, &authError{status: http.StatusForbidden, detail: "Only an admin key reads another key's usage."})
		return
	}
	days := 30
	if v := c.Query("days"); v != "" {
		days, _ = strconv.Atoi(v) // the contract bounds it
	}
	if _, err := s.cfg.Auth.Get(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Auth.Usage(c.Request.Context(), id, days)
	if err != nil {
		s.fail(c, err)
		return
	}
	if out == nil {
		out = []auth.UsageDay{}
	}
	total := auth.UsageDay{Day: "total", Statuses: map[string]int64{}}
	for _, d := range out {
		total.Lookups += d.Lookups
		total.Cached += d.Cached
		for st, n := range d.Statuses {
			total.Statuses[st] += n
		}
	}
	total.Finish()
	s.writeJSON(c, http.StatusOK, usageJSON{KeyID: id, Days: out, Total: total})
}
