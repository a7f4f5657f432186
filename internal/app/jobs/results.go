package jobs

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// Attribute is one flattened column of CSV results. Value returns "" when
// the profile does not say.
type Attribute struct {
	Name  string
	Value func(p *pipeline.Profile) string
}

// DefaultAttributes are the CSV result columns: the key facts of a profile.
// Add a column by appending to this list (or pass Config.Attributes).
func DefaultAttributes() []Attribute {
	email := func(f func(*enrichers.EmailFacts) string) func(*pipeline.Profile) string {
		return func(p *pipeline.Profile) string {
			if p.Email == nil {
				return ""
			}
			return f(p.Email)
		}
	}
	phone := func(f func(*enrichers.PhoneFacts) string) func(*pipeline.Profile) string {
		return func(p *pipeline.Profile) string {
			if p.Phone == nil {
				return ""
			}
			return f(p.Phone)
		}
	}
	b := strconv.FormatBool
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	optBool := func(v *bool) string {
		if v == nil {
			return ""
		}
		return b(*v)
	}
	return gatedColumns([]Attribute{
		{"complete", func(p *pipeline.Profile) string { return b(p.Complete) }},
		{"email_valid", email(func(e *enrichers.EmailFacts) string { return b(e.Valid) })},
		{"email_reason", email(func(e *enrichers.EmailFacts) string { return e.Reason })},
		{"disposable", email(func(e *enrichers.EmailFacts) string { return b(e.Disposable) })},
		{"free_provider", email(func(e *enrichers.EmailFacts) string { return b(e.FreeProvider) })},
		{"role_account", email(func(e *enrichers.EmailFacts) string { return b(e.RoleAccount) })},
		{"typo_suggestion", email(func(e *enrichers.EmailFacts) string { return e.TypoSuggestion })},
		{"has_mx", func(p *pipeline.Profile) string {
			if p.DNS == nil {
				return ""
			}
			return b(p.DNS.HasMX)
		}},
		{"domain_age_days", func(p *pipeline.Profile) string {
			if p.Domain == nil || p.Domain.Registered == nil {
				return ""
			}
			return strconv.Itoa(p.Domain.AgeDays)
		}},
		{"company", func(p *pipeline.Profile) string {
			if p.Company == nil {
				return ""
			}
			return p.Company.Name
		}},
		{"industry", func(p *pipeline.Profile) string {
			if p.Company == nil {
				return ""
			}
			return p.Company.Industry
		}},
		{"phone_valid", phone(func(f *enrichers.PhoneFacts) string { return b(f.Valid) })},
		{"phone_e164", phone(func(f *enrichers.PhoneFacts) string { return f.E164 })},
		{"phone_country", phone(func(f *enrichers.PhoneFacts) string { return f.Country })},
		{"line_type", phone(func(f *enrichers.PhoneFacts) string { return f.LineType })},
		{"carrier", phone(func(f *enrichers.PhoneFacts) string { return f.Carrier })},
		{"breach_count", func(p *pipeline.Profile) string {
			if p.Breach == nil {
				return ""
			}
			return strconv.Itoa(p.Breach.Count)
		}},
		{"accounts_found", func(p *pipeline.Profile) string { return strconv.Itoa(len(p.Accounts)) }},
		{"top_accounts", func(p *pipeline.Profile) string {
			var out []string
			for _, a := range topAccounts(p, 3) {
				out = append(out, a.Source+":"+a.Username)
			}
			return strings.Join(out, " ")
		}},
		{"top_account_urls", func(p *pipeline.Profile) string {
			var out []string
			for _, a := range topAccounts(p, 3) {
				if a.URL != "" {
					out = append(out, a.URL)
				}
			}
			return strings.Join(out, " ")
		}},
		{"risk_probability", func(p *pipeline.Profile) string { return num(p.Risk.Probability) }},
		{"risk_score", func(p *pipeline.Profile) string { return num(p.Risk.Score) }},
		{"risk_verdict", func(p *pipeline.Profile) string { return p.Risk.Verdict }},
		{"risk_reasons", func(p *pipeline.Profile) string {
			out := make([]string, len(p.Risk.Reasons))
			for i, r := range p.Risk.Reasons {
				out[i] = r.Code
			}
			return strings.Join(out, " ")
		}},
		{"email_deliverable", func(p *pipeline.Profile) string { return optBool(p.Verification.EmailDeliverable) }},
		{"influence_score", func(p *pipeline.Profile) string { return num(p.Influence.Score) }},
		{"influence_tier", func(p *pipeline.Profile) string { return p.Influence.Tier }},
		{"probability_influencer", func(p *pipeline.Profile) string { return num(p.Influence.ProbabilityInfluencer) }},
		{"expected_reach", func(p *pipeline.Profile) string { return num(p.Influence.Reach.Expected) }},
		// The five likeliest interests as id:probability (the profile
		// lists them sorted, most likely first).
		{"top_interests", func(p *pipeline.Profile) string {
			out := make([]string, 0, 5)
			for _, in := range p.Interests[:min(5, len(p.Interests))] {
				out = append(out, in.ID+":"+num(in.Probability))
			}
			return strings.Join(out, " ")
		}},
		{"unanswered_sources", func(p *pipeline.Profile) string {
			var out []string
			for _, s := range p.Sources {
				if s.Status.Transient() || s.Status == enrichers.StatusError {
					out = append(out, s.Name+":"+string(s.Status))
				}
			}
			return strings.Join(out, " ")
		}},
	})
}

// topAccounts returns up to n accounts, most probably the subject's first.
func topAccounts(p *pipeline.Profile, n int) []enrichers.Account {
	prob := func(a enrichers.Account) float64 {
		if a.Match == nil {
			return 0
		}
		return a.Match.Probability
	}
	as := slices.Clone(p.Accounts)
	slices.SortStableFunc(as, func(a, b enrichers.Account) int { return cmp.Compare(prob(b), prob(a)) })
	return as[:min(n, len(as))]
}

// resultPage is how many stored results Results reads per transaction.
const resultPage = 512

// Results writes the results stored so far, in row order, as "csv" (the
// input columns, then status, error and the flattened attributes) or
// "ndjson" ({"row":N,"status":…,"profile":{…}} or {"row":N,"error":{…}},
// with the row's metadata or pass-through columns). Rows not done yet are
// left out, so it can be called while the job runs.
func (m *Manager) Results(ctx context.Context, id, format string, w io.Writer) error {
	if format != FormatCSV && format != FormatNDJSON {
		return &pipeline.InputError{Status: 400, Errors: []pipeline.FieldError{{Field: "format", Reason: `must be "csv" or "ndjson"`}}}
	}
	rec, err := m.st.get(ctx, id)
	if err != nil {
		return err
	}
	f, err := m.st.openInput(ctx, id, rec.Format)
	if err != nil {
		return err
	}
	defer f.Close()
	rr, err := NewReader(rec.Format, f)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var emit func(row Row, res *result) error
	if format == FormatCSV {
		emit, err = m.csvEmitter(rr, rec.Format, bw)
		if err != nil {
			return err
		}
	} else {
		emit = ndjsonEmitter(rr, bw)
	}

	var page []rowResult
	next := int64(1) // first row not yet looked up
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			if page, err = m.st.page(ctx, id, next, resultPage); err != nil {
				return err
			}
			if len(page) == 0 {
				break // no result at or after next: nothing more to write
			}
		}
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("jobs: input of %s: %w", id, err)
		}
		n := int64(row.N)
		next = n + 1
		if page[0].row != n {
			continue // not done yet
		}
		var res result
		if err := json.Unmarshal(page[0].raw, &res); err != nil {
			return fmt.Errorf("jobs: result %d of %s: %w", n, id, err)
		}
		page = page[1:]
		if err := emit(row, &res); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func ndjsonEmitter(rr RowReader, w *bufio.Writer) func(Row, *result) error {
	cols := rr.PassthroughColumns()
	type line struct {
		Row         int               `json:"row"`
		Status      string            `json:"status"`
		Metadata    json.RawMessage   `json:"metadata,omitempty"`
		Passthrough map[string]string `json:"passthrough,omitempty"`
		Profile     json.RawMessage   `json:"profile,omitempty"`
		Error       *Problem          `json:"error,omitempty"`
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return func(row Row, res *result) error {
		l := line{Row: row.N, Status: res.Status, Metadata: row.Metadata, Profile: res.Profile, Error: res.Error}
		if len(row.Passthrough) > 0 {
			l.Passthrough = make(map[string]string, len(cols))
			for i, c := range cols {
				l.Passthrough[c] = row.Passthrough[i]
			}
		}
		return enc.Encode(l)
	}
}

func (m *Manager) csvEmitter(rr RowReader, inFormat string, w *bufio.Writer) (func(Row, *result) error, error) {
	cw := csv.NewWriter(w)
	in := rr.Header()
	taken := map[string]bool{}
	for _, c := range in {
		taken[strings.ToLower(strings.TrimSpace(c))] = true
	}
	name := func(n string) string {
		if taken[n] {
			return "footprint_" + n
		}
		return n
	}
	header := make([]string, 0, len(in)+3+len(m.cfg.Attributes))
	for _, c := range in {
		header = append(header, cellSafe(c))
	}
	header = append(header, name("row"), name("status"), name("error"))
	for _, a := range m.cfg.Attributes {
		header = append(header, cellSafe(name(a.Name)))
	}
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	rec := make([]string, 0, len(header))
	return func(row Row, res *result) error {
		rec = rec[:0]
		// Every cell is escaped, the echoed input included: an uploaded
		// "=HYPERLINK(…)" must not come back as a live formula.
		if inFormat == FormatCSV {
			for _, v := range row.Record {
				rec = append(rec, cellSafe(v))
			}
			for len(rec) < len(in) {
				rec = append(rec, "")
			}
		} else {
			rec = append(rec, cellSafe(row.Input.Email), cellSafe(row.Input.Phone), cellSafe(row.Input.Name),
				cellSafe(row.Input.Country), cellSafe(string(row.Metadata)))
		}
		errText := ""
		if res.Error != nil {
			errText = res.Error.Detail
			for _, fe := range res.Error.Errors {
				errText += " " + fe.Field + ": " + fe.Reason + "."
			}
		}
		rec = append(rec, strconv.Itoa(row.N), res.Status, cellSafe(errText))
		var p *pipeline.Profile
		if len(res.Profile) > 0 {
			p = new(pipeline.Profile)
			if err := json.Unmarshal(res.Profile, p); err != nil {
				return err
			}
		}
		for _, a := range m.cfg.Attributes {
			v := ""
			if p != nil {
				v = cellSafe(a.Value(p))
			}
			rec = append(rec, v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		cw.Flush() // into w, which buffers
		return cw.Error()
	}, nil
}

// cellSafe keeps a cell of a CSV footprint writes (an echoed input value or
// header, or a value that came from third parties: bios, usernames) from
// being read as a formula by spreadsheets: a leading =, +, -, @, tab or CR
// gets a leading apostrophe. An E.164 number ("+" and digits) is left alone.
func cellSafe(v string) string {
	if len(v) > 1 && v[0] == '+' && strings.Trim(v[1:], "0123456789") == "" {
		return v
	}
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
