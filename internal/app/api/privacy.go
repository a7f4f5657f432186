package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
)

// The privacy operations (issue 17): erasures, suppressions, the audit
// query and a subject's export. All are admin operations in the contract
// (x-footprint-scope: admin); Config.Privacy nil answers them 503.

var (
	errNoPrivacy = errors.New("privacy operations are not available on this server")
	errNoAudit   = errors.New("the audit trail is off on this server")
)

// privacyOf returns the service or fails the call.
func (s *Server) privacyOf(c *gin.Context) *privacy.Service {
	if s.cfg.Privacy == nil {
		s.fail(c, errNoPrivacy)
	}
	return s.cfg.Privacy
}

// actorOf is the caller as the audit note knows it (a key id, or "open").
func actorOf(ctx context.Context) string {
	if n := audit.NoteFrom(ctx); n != nil {
		return n.Entry("", 0).Actor
	}
	return audit.ActorOpen
}

// subjectBody is schema SubjectRequest / SuppressionRequest.
type subjectBody struct {
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Country string `json:"country,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Server) subjectOf(c *gin.Context, p *privacy.Service) (privacy.Subject, subjectBody, bool) {
	var b subjectBody
	if err := json.Unmarshal(bodyOf(c), &b); err != nil {
		s.fail(c, &bodyError{msg: "The request body could not be decoded: " + err.Error()})
		return privacy.Subject{}, b, false
	}
	sub, err := p.Identify(b.Email, b.Phone, b.Country)
	if err != nil {
		s.fail(c, err)
		return privacy.Subject{}, b, false
	}
	audit.NoteFrom(c.Request.Context()).AddSubjects(sub.Hashes...)
	return sub, b, true
}

// createErasure serves POST /v1/erasures.
func (s *Server) createErasure(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	sub, _, ok := s.subjectOf(c, p)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	note := audit.NoteFrom(ctx)
	note.SetOperation("erasure")
	r, err := p.Erase(ctx, sub, actorOf(ctx))
	if err != nil {
		s.fail(c, err)
		return
	}
	note.SetTarget(r.ID)
	c.Header("Location", "/v1/erasures/"+r.ID)
	s.writeJSON(c, http.StatusCreated, r)
}

// getErasure serves GET /v1/erasures/{id}.
func (s *Server) getErasure(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	audit.NoteFrom(c.Request.Context()).SetTarget(c.Param("id"))
	r, err := p.Receipt(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, r)
}

// createSuppression serves POST /v1/suppressions.
func (s *Server) createSuppression(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	sub, b, ok := s.subjectOf(c, p)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	note := audit.NoteFrom(ctx)
	note.SetOperation("suppression.create")
	sp, created, err := p.Suppress(ctx, sub, b.Reason, actorOf(ctx))
	if err != nil {
		s.fail(c, err)
		return
	}
	note.SetTarget(sp.ID)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", "/v1/suppressions/"+sp.ID)
	}
	s.writeJSON(c, status, sp)
}

// listSuppressions serves GET /v1/suppressions.
func (s *Server) listSuppressions(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	limit := pageLimit(c)
	list, err := p.Suppressions(c.Request.Context(), c.Query("after"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := struct {
		Suppressions []privacy.Suppression `json:"suppressions"`
		Next         string                `json:"next,omitempty"`
	}{Suppressions: list}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	s.writeJSON(c, http.StatusOK, out)
}

// pageLimit reads ?limit= (validated by the contract; default 100).
func pageLimit(c *gin.Context) int {
	if n, err := strconv.Atoi(c.Query("limit")); err == nil && n > 0 {
		return n
	}
	return 100
}

// deleteSuppression serves DELETE /v1/suppressions/{id}.
func (s *Server) deleteSuppression(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	note := audit.NoteFrom(c.Request.Context())
	note.SetOperation("suppression.delete")
	note.SetTarget(c.Param("id"))
	if err := p.Unsuppress(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// importSuppressions serves POST /v1/suppressions/import: the list is
// streamed, a record at a time.
func (s *Server) importSuppressions(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	ctx := c.Request.Context()
	audit.NoteFrom(ctx).SetOperation("suppression.import")
	// A long list outlives the server's whole-request read timeout.
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(s.cfg.UploadTimeout))
	format := privacy.FormatCSV
	if bodyMediaType(c) == "application/x-ndjson" {
		format = privacy.FormatNDJSON
	}
	res, err := p.Import(ctx, c.Request.Body, format, c.Query("reason"), actorOf(ctx))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, res)
}

// listAudit serves GET /v1/audit?subject=: the value is normalized and
// hashed, never stored or logged.
func (s *Server) listAudit(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	if s.cfg.Audit == nil {
		s.fail(c, errNoAudit)
		return
	}
	h, err := p.HashOf("subject", c.Query("subject"))
	if err != nil {
		s.fail(c, err)
		return
	}
	limit := pageLimit(c)
	es, err := s.cfg.Audit.Find(c.Request.Context(), audit.Query{Subject: h, After: c.Query("after"), Limit: limit})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := struct {
		Entries []audit.Entry `json:"entries"`
		Next    string        `json:"next,omitempty"`
	}{Entries: es}
	if out.Entries == nil {
		out.Entries = []audit.Entry{}
	}
	if len(es) == limit {
		out.Next = es[len(es)-1].ID
	}
	s.writeJSON(c, http.StatusOK, out)
}

// exportSubject serves GET /v1/subjects/export.
func (s *Server) exportSubject(c *gin.Context) {
	p := s.privacyOf(c)
	if p == nil {
		return
	}
	sub, err := p.Identify(c.Query("email"), c.Query("phone"), c.Query("country"))
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	note := audit.NoteFrom(ctx)
	note.SetOperation("subject.export")
	note.AddSubjects(sub.Hashes...)
	out, err := p.Export(ctx, sub)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, out)
}

// --- lookups ---

// withPurpose fills in the default purpose of a lookup that names none
// (Config.DefaultPurpose: the API key's, when keys exist).
func (s *Server) withPurpose(ctx context.Context, in *pipeline.Input) {
	if in.Options.Purpose == "" && s.cfg.DefaultPurpose != nil {
		in.Options.Purpose = s.cfg.DefaultPurpose(ctx)
	}
}

// noteLookup records what a lookup did on the call's audit note: its
// purpose, its subject (hashes), the network sources that were asked
// upstream, and, for a single lookup (not a batch item), "suppressed" as
// the outcome of a suppressed subject.
func (s *Server) noteLookup(ctx context.Context, p *pipeline.Profile, single bool) {
	note := audit.NoteFrom(ctx)
	if note == nil || p == nil {
		return
	}
	note.SetPurpose(p.Purpose)
	if s.cfg.Privacy != nil {
		note.AddSubjects(s.cfg.Privacy.HashesOf(p)...)
	}
	note.AddSources(s.contacted(p)...)
	if p.Suppressed && single {
		note.SetOutcome("suppressed")
	}
}

// contacted names the network sources of p that were asked upstream (not
// answered from the cache, not skipped).
func (s *Server) contacted(p *pipeline.Profile) []string {
	e := s.svc.Engine()
	if e == nil {
		return nil
	}
	var out []string
	for _, st := range p.Sources {
		if e.Network(st.Name) && !st.Cached && st.Status != "skipped" {
			out = append(out, st.Name)
		}
	}
	return out
}
