package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// gatedColumns maps the CSV columns of score blocks to the output they
// come from: a profile that withholds the output (its purpose does not
// allow it, or the subject is suppressed) leaves those cells empty rather
// than writing a zero score.
func gatedColumns(attrs []Attribute) []Attribute {
	for i, a := range attrs {
		var out string
		switch {
		case strings.HasPrefix(a.Name, "risk_"):
			out = pipeline.OutputRisk
		case a.Name == "email_deliverable":
			out = pipeline.OutputVerification
		case a.Name == "influence_score", a.Name == "influence_tier", a.Name == "probability_influencer", a.Name == "expected_reach":
			out = pipeline.OutputInfluence
		case a.Name == "top_interests":
			out = pipeline.OutputInterests
		default:
			continue
		}
		v := a.Value
		attrs[i].Value = func(p *pipeline.Profile) string {
			if p.Withholds(out) {
				return ""
			}
			return v(p)
		}
	}
	return attrs
}

// RowErased is the status of a row whose subject was erased: the row keeps
// its input columns, its enrichment is gone.
const RowErased = "erased"

// EraseSubject replaces the stored result of every row, in every job,
// whose input match accepts with {"status":"erased"}, and returns how many
// rows it erased. Rows of a running job not enriched yet are a later
// lookup.
func (m *Manager) EraseSubject(ctx context.Context, match func(pipeline.Input) bool) (int, error) {
	recs, err := m.st.list(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := m.eraseRows(ctx, rec, match)
		total += n
		if err != nil && !errors.Is(err, ErrNotFound) {
			return total, err
		}
	}
	return total, nil
}

func (m *Manager) eraseRows(ctx context.Context, rec *record, match func(pipeline.Input) bool) (int, error) {
	in, err := m.st.openInput(ctx, rec.ID, rec.Format)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer in.Close()
	rr, err := NewReader(rec.Format, in)
	if err != nil {
		return 0, err
	}
	var rows []int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		if row.Err == nil && match(row.Input) { // an unusable row has no enrichment
			rows = append(rows, int64(row.N))
		}
	}
	n := 0
	for _, row := range rows {
		page, err := m.st.page(ctx, rec.ID, row, 1)
		if err != nil {
			return n, err
		}
		if len(page) == 0 || page[0].row != row || statusOfResult(page[0].raw) == RowErased {
			continue // not enriched yet, or erased already
		}
		if _, err := m.st.commit(ctx, rec.ID, []outcome{{row: row, res: &result{Status: RowErased}}}, 0, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func statusOfResult(raw []byte) string {
	var r result
	_ = json.Unmarshal(raw, &r)
	return r.Status
}

// Sweep deletes every job that ended (succeeded, failed or cancelled)
// before cutoff: its record, its spooled input and its results (the
// jobs.retention sweep). It returns how many it deleted.
func (m *Manager) Sweep(ctx context.Context, cutoff time.Time) (int, error) {
	recs, err := m.st.list(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rec := range recs {
		if !rec.State.Final() || rec.FinishedAt == nil || !rec.FinishedAt.Before(cutoff) {
			continue
		}
		switch err := m.Delete(ctx, rec.ID); {
		case err == nil:
			n++
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		default:
			return n, err
		}
	}
	return n, nil
}

type jobIDKey struct{}

func withJobID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, jobIDKey{}, id)
}

// JobID returns the id of the job whose row ctx enriches ("" outside a
// job): the Enricher's audit hook names the job it records a row of.
func JobID(ctx context.Context) string {
	id, _ := ctx.Value(jobIDKey{}).(string)
	return id
}
