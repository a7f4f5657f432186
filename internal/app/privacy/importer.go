package privacy

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// ImportResult counts what a bulk import did.
type ImportResult struct {
	// Read counts the records read; Added those that suppressed someone
	// new; Existing those already suppressed (an import is idempotent);
	// Failed those unusable, the first MaxImportErrors of them in Errors.
	Read     int           `json:"read"`
	Added    int           `json:"added"`
	Existing int           `json:"existing"`
	Failed   int           `json:"failed"`
	Errors   []ImportError `json:"errors"`
}

// ImportError is one unusable record.
type ImportError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// MaxImportErrors caps the errors an import reports.
const MaxImportErrors = 100

// maxImportLine caps one record.
const maxImportLine = 64 << 10

// Import formats.
const (
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
)

// importRecord is one NDJSON line (and the named CSV columns).
type importRecord struct {
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	Country string `json:"country"`
	Reason  string `json:"reason"`
}

// Import reads a suppression list from r, one record at a time (never
// the whole list in memory), and suppresses each: CSV with a header naming
// email and/or phone columns (country and reason optional), or NDJSON
// objects with those fields. reason applies where a record gives none.
// Only an I/O error or a CSV without an email or phone column stops it;
// bad records are counted and reported.
func (s *Service) Import(ctx context.Context, r io.Reader, format, reason, actor string) (*ImportResult, error) {
	res := &ImportResult{Errors: []ImportError{}}
	fail := func(line int, why string) {
		res.Failed++
		if len(res.Errors) < MaxImportErrors {
			res.Errors = append(res.Errors, ImportError{Line: line, Reason: why})
		}
	}
	add := func(line int, rec importRecord) error {
		res.Read++
		sub, err := s.Identify(rec.Email, rec.Phone, rec.Country)
		if err != nil {
			var ie *pipeline.InputError
			if errors.As(err, &ie) {
				fail(line, ie.Error())
				return nil
			}
			return err
		}
		why := rec.Reason
		if why == "" {
			why = reason
		}
		_, created, err := s.Suppress(ctx, sub, why, actor)
		if err != nil {
			return err
		}
		if created {
			res.Added++
		} else {
			res.Existing++
		}
		return nil
	}
	switch format {
	case FormatNDJSON:
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), maxImportLine)
		for line := 1; sc.Scan(); line++ {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			b := strings.TrimSpace(sc.Text())
			if b == "" {
				continue
			}
			var rec importRecord
			dec := json.NewDecoder(strings.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&rec); err != nil {
				res.Read++
				fail(line, "not a JSON object with email, phone, country, reason: "+err.Error())
				continue
			}
			if err := add(line, rec); err != nil {
				return res, err
			}
		}
		if err := sc.Err(); err != nil {
			return res, fmt.Errorf("reading the list: %w", err)
		}
	case FormatCSV:
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		head, err := cr.Read()
		if err != nil {
			return res, &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: "body", Reason: "no CSV header row"}}}
		}
		col := map[string]int{}
		for i, h := range head {
			col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
		}
		_, hasE := col["email"]
		_, hasP := col["phone"]
		if !hasE && !hasP {
			return res, &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: "body", Reason: "the CSV header names no email or phone column"}}}
		}
		get := func(rec []string, name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		for {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			line, _ := cr.FieldPos(0)
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					res.Read++
					fail(pe.Line, pe.Err.Error())
					continue
				}
				return res, fmt.Errorf("reading the list: %w", err)
			}
			if err := add(line, importRecord{Email: get(rec, "email"), Phone: get(rec, "phone"), Country: get(rec, "country"), Reason: get(rec, "reason")}); err != nil {
				return res, err
			}
		}
	default:
		return res, &pipeline.InputError{Status: 415, Errors: []pipeline.FieldError{{Field: "Content-Type", Reason: "want text/csv or application/x-ndjson"}}}
	}
	if res.Read == 0 {
		return res, &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: "body", Reason: "the list holds no records"}}}
	}
	return res, nil
}
