package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// enrich serves POST /v1/enrich (operation enrich). The body has been
// validated against EnrichRequest by validate.
func (s *Server) enrich(c *gin.Context) {
	in, err := inputOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	s.withPurpose(ctx, &in)
	p, err := s.svc.Enrich(ctx, in)
	s.noteLookup(ctx, p, true)
	switch {
	case err != nil:
		s.fail(c, err)
	case p == nil:
		s.fail(c, errNoResult)
	default:
		s.observeLookup(c, p)
		s.writeJSON(c, http.StatusOK, withArrays(p))
	}
}

// sourceJSON is one entry of GET /v1/sources (schema Source).
type sourceJSON struct {
	Name           string           `json:"name"`
	Description    string           `json:"description"`
	Inputs         []enrichers.Kind `json:"inputs"`
	Network        bool             `json:"network"`
	RatePerS       float64          `json:"rate_per_s"`
	Burst          int              `json:"burst"`
	TimeoutMS      int64            `json:"timeout_ms"`
	Breaker        breakerJSON      `json:"breaker"`
	Recent         recentJSON       `json:"recent"`
	Enabled        bool             `json:"enabled"`
	DisabledReason string           `json:"disabled_reason,omitempty"`
	Version        int              `json:"version"`
}

// breakerJSON is schema Breaker.
type breakerJSON struct {
	State            string `json:"state"`
	Failures         uint32 `json:"failures"`
	OpenForMS        int64  `json:"open_for_ms"`
	HalfOpenRequests uint32 `json:"half_open_requests"`
}

// recentJSON is schema RecentCalls.
type recentJSON struct {
	WindowS int64                    `json:"window_s"`
	Counts  map[enrichers.Status]int `json:"counts"`
}

// listSources serves GET /v1/sources from the engine's own view of its
// sources: their self-descriptions with configuration applied.
func (s *Server) listSources(c *gin.Context) {
	var infos []engine.SourceInfo
	if e := s.svc.Engine(); e != nil {
		infos = e.Sources()
	}
	out := make([]sourceJSON, 0, len(infos))
	for _, si := range infos {
		inputs := append([]enrichers.Kind{}, si.Inputs...)
		out = append(out, sourceJSON{
			Name:        si.Name,
			Description: si.Description.Description,
			Inputs:      inputs,
			Network:     si.Network,
			RatePerS:    si.RatePerS,
			Burst:       si.Burst,
			TimeoutMS:   si.Timeout.Milliseconds(),
			Breaker: breakerJSON{
				State:            si.BreakerState,
				Failures:         si.Breaker.Failures,
				OpenForMS:        si.Breaker.OpenFor.Milliseconds(),
				HalfOpenRequests: si.Breaker.HalfOpenRequests,
			},
			Recent:         recentJSON{WindowS: int64(engine.RecentWindow / time.Second), Counts: recentCounts(si.Recent)},
			Enabled:        si.Enabled,
			DisabledReason: si.DisabledReason,
			Version:        si.Version,
		})
	}
	s.writeJSON(c, http.StatusOK, struct {
		Sources []sourceJSON `json:"sources"`
	}{out})
}

// recentCounts is never nil: the contract's counts is an object.
func recentCounts(m map[enrichers.Status]int) map[enrichers.Status]int {
	if m == nil {
		return map[enrichers.Status]int{}
	}
	return m
}

// liveness serves GET /healthz: the process answers HTTP. HEAD /healthz and
// HEAD /readyz answer like GET, without the body.
func (s *Server) liveness(c *gin.Context) {
	s.writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

// readinessJSON is schema Readiness.
type readinessJSON struct {
	Status       string                    `json:"status"`
	Checks       map[string]string         `json:"checks"`
	Dependencies map[string]dependencyJSON `json:"dependencies"`
	Breakers     map[string]string         `json:"breakers"`
}

// dependencyJSON is schema Dependency.
type dependencyJSON struct {
	Status   string `json:"status"`
	Required bool   `json:"required"`
	Detail   string `json:"detail,omitempty"`
}

// readiness serves GET /readyz: every configured check, concurrently, each
// within ReadyCheckTimeout. A check that ignores its context is reported as
// timed out and left behind. Only a failing required check makes the
// replica not ready; a failing optional one (the shared cache tier, the
// shared rate limits) makes it degraded — still 200, still serving — and
// is reported in dependencies, as are the sources' circuit breakers (an open breaker
// degrades answers, it does not stop the replica serving). While the
// server shuts down it reports not_ready so load balancers stop sending
// traffic.
func (s *Server) readiness(c *gin.Context) {
	type result struct {
		i   int
		msg string
	}
	checks := s.cfg.ReadyChecks
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.ReadyCheckTimeout)
	defer cancel()
	results := make(chan result, len(checks))
	for i, rc := range checks {
		go func() {
			msg := "ok"
			defer func() {
				if r := recover(); r != nil {
					msg = "check panicked"
				}
				results <- result{i, msg}
			}()
			if err := rc.Check(ctx); err != nil {
				// The error names hosts and ports (Redis's address): the
				// log has it, the public answer does not.
				msg = "unavailable (see the server log)"
				s.log.LogAttrs(ctx, slog.LevelWarn, "readiness check failed", slog.String("check", rc.Name), slog.String("error", truncate(err.Error(), 200)))
			}
		}()
	}
	out := readinessJSON{Status: "ready", Checks: make(map[string]string, len(checks)+1),
		Dependencies: make(map[string]dependencyJSON, len(checks)), Breakers: map[string]string{}}
	got := make([]bool, len(checks))
wait:
	for range checks {
		select {
		case r := <-results:
			got[r.i] = true
			out.Checks[checks[r.i].Name] = r.msg
		case <-ctx.Done():
			break wait
		}
	}
	for i, ok := range got {
		if !ok {
			out.Checks[checks[i].Name] = fmt.Sprintf("no answer within %s", s.cfg.ReadyCheckTimeout)
		}
	}
	status := http.StatusOK
	for _, rc := range checks {
		d := dependencyJSON{Status: "ok", Required: !rc.Optional}
		if msg := out.Checks[rc.Name]; msg != "ok" {
			d.Status, d.Detail = "failing", msg
			switch {
			case d.Required:
				out.Status, status = "not_ready", http.StatusServiceUnavailable
			case out.Status == "ready":
				out.Status = "degraded"
			}
		}
		out.Dependencies[rc.Name] = d
	}
	if s.draining.Load() {
		out.Checks["server"] = "shutting down"
		out.Status, status = "not_ready", http.StatusServiceUnavailable
	}
	if e := s.svc.Engine(); e != nil {
		out.Breakers = e.BreakerStates()
	}
	s.writeJSON(c, status, out)
}

// metrics serves GET /metrics: Config.Metrics, or 404 when metrics are
// off or served on their own address.
func (s *Server) metrics(c *gin.Context) {
	if s.cfg.Metrics == nil {
		s.fail(c, errNoMetrics)
		return
	}
	s.cfg.Metrics.ServeHTTP(c.Writer, c.Request)
}

// openapiYAML serves the contract as embedded.
func (s *Server) openapiYAML(c *gin.Context) { c.Data(http.StatusOK, mimeYAML, s.specYAML) }

// openapiJSON serves the contract converted to JSON at start-up.
func (s *Server) openapiJSON(c *gin.Context) { c.Data(http.StatusOK, mimeJSON, s.specJSON) }
