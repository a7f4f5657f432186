package privacy

import (
	"context"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Export is everything footprint holds about a subject, as one document
// (a data subject access request).
type Export struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Subjects    []subject.Hash `json:"subjects"`
	// Suppression is the subject's suppression, if any.
	Suppression *Suppression `json:"suppression"`
	// Evidence is the cached evidence per source, with when it was
	// fetched: what a lookup would be answered from now.
	Evidence []Evidence `json:"evidence"`
	// Erasures are the receipts of earlier erasures.
	Erasures []Receipt `json:"erasures"`
	// Audit lists the audited operations that concerned the subject (at
	// most audit.MaxLimit, oldest first).
	Audit []audit.Entry `json:"audit"`
}

// Evidence is one source's cached finding for one identifier.
type Evidence struct {
	Source     string               `json:"source"`
	Identifier enrichers.Identifier `json:"identifier"`
	FetchedAt  time.Time            `json:"fetched_at"`
	Finding    *enrichers.Finding   `json:"finding"`
}

// Export builds sub's export: nothing is fetched upstream (the evidence is
// what the cache holds, read through a cache-only replay of the lookup).
func (s *Service) Export(ctx context.Context, sub Subject) (*Export, error) {
	out := &Export{GeneratedAt: s.now().UTC().Truncate(time.Millisecond), Subjects: sub.Hashes,
		Evidence: []Evidence{}, Erasures: []Receipt{}, Audit: []audit.Entry{}}
	sp, err := s.cfg.Store.Suppressed(ctx, sub.Hashes...)
	if err != nil {
		return nil, err
	}
	out.Suppression = sp
	if s.cfg.Engine != nil && s.cfg.Cache != nil {
		res := s.replay(ctx, sub)
		for _, f := range res.Findings {
			if !f.Cached || !Personal(f.Identifier, sub.Email) {
				continue // offline checks are recomputed, not held
			}
			out.Evidence = append(out.Evidence, Evidence{Source: f.Source, Identifier: f.Identifier, FetchedAt: f.FetchedAt.UTC(), Finding: f.Finding})
		}
	}
	for _, h := range sub.Hashes {
		rs, err := s.cfg.Store.ReceiptsOf(ctx, h)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !containsReceipt(out.Erasures, r.ID) {
				out.Erasures = append(out.Erasures, r)
			}
		}
		if s.cfg.Audit != nil {
			es, err := s.cfg.Audit.Find(ctx, audit.Query{Subject: h})
			if err != nil {
				return nil, err
			}
			out.Audit = append(out.Audit, es...)
		}
	}
	return out, nil
}

func containsReceipt(rs []Receipt, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}
