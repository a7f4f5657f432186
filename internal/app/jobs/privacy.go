package jobs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

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
// rows it erased. The old result is overwritten in place in the job's
// result file (padded to its length), so its bytes are gone, not just
// unindexed. Rows of a running job not enriched yet are a later lookup.
func (m *Manager) EraseSubject(ctx context.Context, match func(pipeline.Input) bool) (int, error) {
	recs, err := m.st.list()
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
	f, err := os.Open(spoolPath(m.cfg.Dir, rec.ID, rec.Format))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rr, err := NewReader(rec.Format, f)
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
		ok, err := m.st.scrub(rec.ID, row)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// erasedJSON is the result an erased row keeps.
var erasedJSON = []byte(`{"status":"erased"}`)

// scrub replaces row's stored result of job id by erasedJSON; false when
// the row has no result yet or was erased already.
func (s *store) scrub(id string, row int64) (bool, error) {
	erased := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		res, err := jobBucket(tx, id, bucketResults)
		if err != nil {
			return err
		}
		k := rowKey(row)
		v := res.Get(k)
		if v == nil || statusOf(v) == RowErased {
			return nil
		}
		old := statusOf(v)
		if len(v) >= 13 && v[0] == indexMarker {
			off := int64(binary.BigEndian.Uint64(v[1:9]))
			n := int(binary.BigEndian.Uint32(v[9:13]))
			if n < len(erasedJSON) {
				return fmt.Errorf("jobs: result %d of %s: record too short to erase", row, id)
			}
			b := append(bytes.Clone(erasedJSON), bytes.Repeat([]byte(" "), n-len(erasedJSON))...)
			s.mu.Lock()
			rf, err := s.fileLocked(id)
			s.mu.Unlock()
			if err != nil {
				return err
			}
			if _, err := rf.f.WriteAt(b, off); err != nil {
				return fmt.Errorf("jobs: results of %s: %w", id, err)
			}
			if err := rf.f.Sync(); err != nil {
				return fmt.Errorf("jobs: results of %s: %w", id, err)
			}
			if err := res.Put(k, encodeIndex(off, n, RowErased)); err != nil {
				return err
			}
		} else if err := res.Put(k, bytes.Clone(erasedJSON)); err != nil {
			return err
		}
		// Still a row with a result: only the failed/incomplete counts move.
		r.count(old, -1)
		r.count(RowErased, +1)
		erased = true
		return putRecord(tx, r)
	})
	return erased, err
}

// Sweep deletes every job that ended (succeeded, failed or cancelled)
// before cutoff: its record, its spooled input and its results (the
// jobs.retention sweep). It returns how many it deleted.
func (m *Manager) Sweep(ctx context.Context, cutoff time.Time) (int, error) {
	recs, err := m.st.list()
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
