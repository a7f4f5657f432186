package jobs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// Input formats.
const (
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
)

// MaxRowBytes is the largest row (CSV record or NDJSON line) a reader
// accepts; a longer one is a row error and the reader continues after it.
const MaxRowBytes = 1 << 20

// Identity columns, as named in a CSV header or NDJSON object.
var identityColumns = [...]string{"email", "phone", "name", "country"}

// Row is one data row of an input file.
type Row struct {
	// N is the 1-based data row number (the CSV header is row 0; blank lines
	// are not rows).
	N int `json:"row"`
	// Line is the 1-based line of the file where the row starts.
	Line int `json:"line"`
	// Input holds the identity fields only; the job's options are applied by
	// the runner.
	Input pipeline.Input `json:"input"`
	// Record is the CSV record as read, padded or cut to the header's width
	// (nil for NDJSON).
	Record []string `json:"record,omitempty"`
	// Passthrough holds the values of the non-identity CSV columns, in the
	// order of RowReader.PassthroughColumns.
	Passthrough []string `json:"passthrough,omitempty"`
	// Metadata is the NDJSON "metadata" object, verbatim.
	Metadata json.RawMessage `json:"metadata,omitempty"`
	// Err is set when the row cannot be used (*RowError).
	Err error `json:"-"`
}

// RowError is a row the reader could not use; the job goes on.
type RowError struct {
	Row    int
	Line   int
	Reason string
}

func (e *RowError) Error() string {
	return fmt.Sprintf("row %d (line %d): %s", e.Row, e.Line, e.Reason)
}

// FormatError is an input the reader cannot read at all (a CSV header without
// an email or phone column, an unknown format). It fails the upload.
type FormatError struct{ Reason string }

func (e *FormatError) Error() string { return "input: " + e.Reason }

// RowReader streams the rows of an input file. Next returns io.EOF after the
// last row; any other error is fatal: an I/O error of the underlying reader,
// or a *FormatError for a CSV quote opened and never closed across lines
// (the rows after it would otherwise vanish into one row).
// Problems of one row are reported in Row.Err, and reading continues.
type RowReader interface {
	Next() (Row, error)
	// Header is the CSV header as read (BOM stripped); for NDJSON it is the
	// fixed list email, phone, name, country, metadata.
	Header() []string
	// PassthroughColumns names the values of Row.Passthrough.
	PassthroughColumns() []string
}

// NewReader returns a streaming reader of format ("csv" or "ndjson") over r.
// For CSV it reads the header; a header without an email or phone column is
// a *FormatError.
func NewReader(format string, r io.Reader) (RowReader, error) {
	switch format {
	case FormatCSV:
		return newCSVReader(r)
	case FormatNDJSON:
		return &ndjsonReader{br: newBufReader(r)}, nil
	default:
		return nil, &FormatError{Reason: fmt.Sprintf("unknown format %q (want csv or ndjson)", format)}
	}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// newBufReader buffers r and skips a leading UTF-8 byte order mark.
func newBufReader(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	return br
}

// ---------------------------------------------------------------- CSV

// csvReader is an RFC 4180 reader that, unlike encoding/csv, bounds the size
// of a record and recovers after a bad one: it keeps scanning (tracking
// quotes) to the record's end without storing it.
type csvReader struct {
	br   *bufio.Reader
	line int // lines consumed so far
	n    int // data rows returned so far

	header   []string
	idx      [len(identityColumns)]int // column of each identity field, -1 if absent
	passCols []string
	passIdx  []int

	fields []string
	buf    []byte
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	c := &csvReader{br: newBufReader(r)}
	for {
		rec, line, reason, err := c.record()
		if err == io.EOF {
			return nil, &FormatError{Reason: "empty CSV: no header row"}
		}
		if err != nil {
			return nil, err
		}
		if reason != "" {
			return nil, &FormatError{Reason: fmt.Sprintf("header (line %d): %s", line, reason)}
		}
		if rec == nil { // blank line
			continue
		}
		c.header = rec
		break
	}
	for i := range c.idx {
		c.idx[i] = -1
	}
	for col, name := range c.header {
		key := strings.ToLower(strings.TrimSpace(name))
		known := false
		for i, id := range identityColumns {
			if key == id {
				if c.idx[i] >= 0 {
					return nil, &FormatError{Reason: fmt.Sprintf("header: column %q appears twice", id)}
				}
				c.idx[i], known = col, true
			}
		}
		if !known {
			c.passCols = append(c.passCols, name)
			c.passIdx = append(c.passIdx, col)
		}
	}
	if c.idx[0] < 0 && c.idx[1] < 0 {
		return nil, &FormatError{Reason: "header: no email or phone column"}
	}
	return c, nil
}

func (c *csvReader) Header() []string             { return c.header }
func (c *csvReader) PassthroughColumns() []string { return c.passCols }

func (c *csvReader) Next() (Row, error) {
	for {
		rec, line, reason, err := c.record()
		if err != nil {
			return Row{}, err
		}
		if rec == nil && reason == "" {
			continue // blank line
		}
		c.n++
		row := Row{N: c.n, Line: line}
		if reason == "" && len(rec) != len(c.header) {
			reason = fmt.Sprintf("has %d fields, the header has %d", len(rec), len(c.header))
		}
		if reason != "" {
			row.Err = &RowError{Row: c.n, Line: line, Reason: reason}
		}
		if rec == nil {
			return row, nil
		}
		full := make([]string, len(c.header))
		copy(full, rec)
		row.Record = full
		get := func(i int) string {
			if c.idx[i] < 0 {
				return ""
			}
			return full[c.idx[i]]
		}
		row.Input = pipeline.Input{Email: get(0), Phone: get(1), Name: get(2), Country: get(3)}
		if len(c.passIdx) > 0 {
			row.Passthrough = make([]string, len(c.passIdx))
			for i, col := range c.passIdx {
				row.Passthrough[i] = full[col]
			}
		}
		return row, nil
	}
}

// record reads one CSV record. It returns rec == nil and reason == "" for a
// blank line; reason != "" for a record that cannot be used (rec is then the
// fields read, or nil when the record was too long to keep); err is io.EOF at
// the end of input or a read error.
func (c *csvReader) record() (rec []string, line int, reason string, err error) {
	line = c.line + 1
	c.fields = c.fields[:0]
	c.buf = c.buf[:0]
	size := 0
	tooLong, inQuotes, quoted, sawAny := false, false, false, false
	// swallowed counts the lines with content that a quoted field ran into
	// (pendingNL: a newline inside quotes was just read).
	swallowed, pendingNL := 0, false
	flag := func(r string) {
		if reason == "" {
			reason = r
		}
	}
	add := func(b byte) {
		if !tooLong {
			c.buf = append(c.buf, b)
		}
	}
	endField := func() {
		if !tooLong {
			if !utf8.Valid(c.buf) {
				flag("is not valid UTF-8")
			}
			c.fields = append(c.fields, string(c.buf))
		}
		c.buf = c.buf[:0]
		quoted = false
	}
	finish := func() ([]string, int, string, error) {
		endField()
		if tooLong {
			return nil, line, fmt.Sprintf("longer than %d bytes", MaxRowBytes), nil
		}
		return append([]string(nil), c.fields...), line, reason, nil
	}

	for {
		b, rerr := c.br.ReadByte()
		if rerr != nil {
			if rerr != io.EOF {
				return nil, line, "", rerr
			}
			if !sawAny && len(c.buf) == 0 {
				return nil, line, "", io.EOF
			}
			c.line++
			if inQuotes {
				if swallowed > 0 {
					// The quote opened here took every later line with it:
					// reading on would silently lose those rows.
					return nil, line, "", &FormatError{Reason: fmt.Sprintf(
						"line %d: a quoted field opened there is never closed, so the %d lines after it would be read as part of that row; fix the quote", line, swallowed)}
				}
				flag("quoted field not terminated at end of input")
			}
			return finish()
		}
		if size++; size > MaxRowBytes && !tooLong {
			tooLong = true
			c.buf, c.fields = c.buf[:0], c.fields[:0]
		}
		if b == '\n' {
			c.line++
		}
		if inQuotes {
			if pendingNL && b != '\r' && b != '\n' {
				swallowed++
			}
			pendingNL = b == '\n' || (pendingNL && b == '\r')
			if b != '"' {
				add(b)
				continue
			}
			nb, perr := c.br.Peek(1)
			switch {
			case perr == nil && nb[0] == '"':
				_, _ = c.br.ReadByte()
				size++
				add('"')
			case perr != nil || nb[0] == ',' || nb[0] == '\n' || nb[0] == '\r':
				inQuotes = false
			default:
				// A stray quote inside a quoted field ("a"b): keep it, flag
				// the row and leave the quotes, so the record ends at this
				// line's end instead of swallowing the rows after it.
				add(b)
				flag("stray '\"' in quoted field")
				inQuotes = false
			}
			continue
		}
		switch b {
		case ',':
			sawAny = true
			endField()
		case '\r':
			if nb, perr := c.br.Peek(1); perr == nil && nb[0] == '\n' {
				continue // CRLF: the \n ends the record
			}
			sawAny = true
			add(b)
		case '\n':
			if !sawAny && len(c.buf) == 0 {
				return nil, line, "", nil // blank line
			}
			return finish()
		case '"':
			sawAny = true
			if len(c.buf) == 0 && !quoted {
				inQuotes, quoted = true, true
				continue
			}
			add(b)
			flag("stray '\"' in unquoted field")
		default:
			sawAny = true
			add(b)
		}
	}
}

// ---------------------------------------------------------------- NDJSON

type ndjsonReader struct {
	br   *bufio.Reader
	line int
	n    int
	buf  []byte
}

var ndjsonHeader = []string{"email", "phone", "name", "country", "metadata"}

func (r *ndjsonReader) Header() []string             { return ndjsonHeader }
func (r *ndjsonReader) PassthroughColumns() []string { return nil }

// readLine returns the next line without its terminator; tooLong is set when
// the line exceeded MaxRowBytes (it is then consumed but not returned).
func (r *ndjsonReader) readLine() (line []byte, tooLong bool, err error) {
	r.buf = r.buf[:0]
	for {
		frag, ferr := r.br.ReadSlice('\n')
		if !tooLong {
			if len(r.buf)+len(frag) > MaxRowBytes+2 { // +2: the \r\n terminator
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, frag...)
			}
		}
		switch {
		case ferr == bufio.ErrBufferFull:
			continue
		case ferr == io.EOF:
			if len(r.buf) == 0 && !tooLong && len(frag) == 0 {
				return nil, false, io.EOF
			}
			return bytes.TrimRight(r.buf, "\r\n"), tooLong, nil
		case ferr != nil:
			return nil, false, ferr
		}
		b := bytes.TrimSuffix(r.buf, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		if !tooLong && len(b) > MaxRowBytes {
			tooLong = true
		}
		return b, tooLong, nil
	}
}

// looseString accepts a JSON string, number or null (phone numbers are
// often exported as numbers).
type looseString string

func (s *looseString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = looseString(v)
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*s = looseString(b)
	default:
		return errors.New("must be a string")
	}
	return nil
}

type ndjsonRow struct {
	Email    looseString     `json:"email"`
	Phone    looseString     `json:"phone"`
	Name     looseString     `json:"name"`
	Country  looseString     `json:"country"`
	Metadata json.RawMessage `json:"metadata"`
}

func (r *ndjsonReader) Next() (Row, error) {
	for {
		b, tooLong, err := r.readLine()
		if err != nil {
			return Row{}, err
		}
		r.line++
		if !tooLong && len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		r.n++
		row := Row{N: r.n, Line: r.line}
		fail := func(reason string) (Row, error) {
			row.Err = &RowError{Row: r.n, Line: r.line, Reason: reason}
			return row, nil
		}
		if tooLong {
			return fail(fmt.Sprintf("longer than %d bytes", MaxRowBytes))
		}
		b = bytes.TrimSpace(b)
		if b[0] != '{' {
			return fail("not a JSON object")
		}
		if !utf8.Valid(b) {
			return fail("is not valid UTF-8")
		}
		var v ndjsonRow
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields() // a misspelt "emial" fails its row, named
		if err := dec.Decode(&v); err != nil {
			return fail("invalid JSON: " + jsonReason(err))
		}
		if _, err := dec.Token(); err != io.EOF {
			return fail("invalid JSON: data after the object")
		}
		row.Input = pipeline.Input{Email: string(v.Email), Phone: string(v.Phone), Name: string(v.Name), Country: string(v.Country)}
		if m := bytes.TrimSpace(v.Metadata); len(m) > 0 && !bytes.Equal(m, []byte("null")) {
			if m[0] != '{' {
				return fail("metadata must be an object")
			}
			row.Metadata = append(json.RawMessage(nil), m...)
		}
		return row, nil
	}
}

func jsonReason(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		return fmt.Sprintf("field %q must be a string", ute.Field)
	}
	return err.Error()
}
