package jobs

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// got is a compact view of a row for table tests.
type got struct {
	N       int
	Line    int
	Email   string
	Phone   string
	Name    string
	Country string
	Pass    string // passthrough values joined by |
	Meta    string
	Err     string // substring of the row error, "" for none
}

func readAll(t *testing.T, format, in string) ([]got, RowReader, error) {
	t.Helper()
	rr, err := NewReader(format, strings.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	var out []got
	for {
		row, err := rr.Next()
		if err == io.EOF {
			return out, rr, nil
		}
		if err != nil {
			return out, rr, err
		}
		g := got{N: row.N, Line: row.Line, Email: row.Input.Email, Phone: row.Input.Phone, Name: row.Input.Name,
			Country: row.Input.Country, Pass: strings.Join(row.Passthrough, "|"), Meta: string(row.Metadata)}
		if row.Err != nil {
			var re *RowError
			if !errors.As(row.Err, &re) || re.Row != row.N {
				t.Fatalf("row %d: error %v is not a *RowError for the row", row.N, row.Err)
			}
			g.Err = re.Reason
		}
		out = append(out, g)
	}
}

func check(t *testing.T, got, want []got) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if w.Err != "" {
			if !strings.Contains(g.Err, w.Err) {
				t.Errorf("row %d: err %q, want containing %q", i+1, g.Err, w.Err)
			}
			g.Err, w.Err = "", ""
		}
		if g != w {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+1, g, w)
		}
	}
}

func TestCSVReader(t *testing.T) {
	long := strings.Repeat("x", MaxRowBytes+10)
	tests := []struct {
		name string
		in   string
		want []got
		// cols is the expected passthrough column list.
		cols string
	}{
		{name: "basic", in: "email,phone,name,country,crm_id\na@x.com,+4915112345678,Ann,DE,17\n",
			cols: "crm_id",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Phone: "+4915112345678", Name: "Ann", Country: "DE", Pass: "17"}}},
		{name: "header case-insensitive, reordered, spaces", in: "ID, E-Mail ,EMAIL,Phone\n1,x,b@y.org,555\n",
			cols: "ID| E-Mail ",
			want: []got{{N: 1, Line: 2, Email: "b@y.org", Phone: "555", Pass: "1|x"}}},
		{name: "BOM", in: "\ufeffEmail,id\na@x.com,1\n", cols: "id",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "1"}}},
		{name: "BOM before quoted header", in: "\ufeff\"email\",id\na@x.com,1\n", cols: "id",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "1"}}},
		{name: "CRLF and no final newline", in: "email,note\r\na@x.com,n1\r\nb@x.com,n2", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "n1"}, {N: 2, Line: 3, Email: "b@x.com", Pass: "n2"}}},
		{name: "quoted newline, comma and quote", in: "email,note\n\"a@x.com\",\"line1\nline2, \"\"q\"\"\"\nb@x.com,z\n", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "line1\nline2, \"q\""}, {N: 2, Line: 4, Email: "b@x.com", Pass: "z"}}},
		{name: "CRLF inside quotes kept", in: "email,note\na@x.com,\"l1\r\nl2\"\n", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "l1\r\nl2"}}},
		{name: "blank lines skipped", in: "\n\nemail\n\na@x.com\n\r\n\nb@x.com\n", cols: "",
			want: []got{{N: 1, Line: 5, Email: "a@x.com"}, {N: 2, Line: 8, Email: "b@x.com"}}},
		{name: "missing phone column is fine", in: "email\na@x.com\n",
			want: []got{{N: 1, Line: 2, Email: "a@x.com"}}},
		{name: "phone only", in: "phone,country\n030 1234567,DE\n",
			want: []got{{N: 1, Line: 2, Phone: "030 1234567", Country: "DE"}}},
		{name: "ragged short row", in: "email,phone,id\na@x.com,1\nb@x.com,2,3\n", cols: "id",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Phone: "1", Err: "has 2 fields, the header has 3"},
				{N: 2, Line: 3, Email: "b@x.com", Phone: "2", Pass: "3"}}},
		{name: "ragged long row", in: "email,id\na@x.com,1,extra\nb@x.com,2\n", cols: "id",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "1", Err: "has 3 fields"},
				{N: 2, Line: 3, Email: "b@x.com", Pass: "2"}}},
		{name: "row over 1 MiB then continue", in: "email,note\na@x.com," + long + "\nb@x.com,ok\n", cols: "note",
			want: []got{{N: 1, Line: 2, Err: "longer than"}, {N: 2, Line: 3, Email: "b@x.com", Pass: "ok"}}},
		{name: "quoted row over 1 MiB with newlines then continue", in: "email,note\na@x.com,\"" + strings.Repeat("ab\n", MaxRowBytes/3+5) + "\"\nb@x.com,ok\n", cols: "note",
			want: []got{{N: 1, Line: 2, Err: "longer than"}, {N: 2, Line: 2 + MaxRowBytes/3 + 5 + 1, Email: "b@x.com", Pass: "ok"}}},
		{name: "stray quote in unquoted field", in: "email,note\na@x.com,5\" disk\nb@x.com,ok\n", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "5\" disk", Err: "stray"}, {N: 2, Line: 3, Email: "b@x.com", Pass: "ok"}}},
		{name: "stray quote in quoted field", in: "email,note\na@x.com,\"a\"b\"\nb@x.com,ok\n", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "a\"b\"", Err: "stray"}, {N: 2, Line: 3, Email: "b@x.com", Pass: "ok"}}},
		// issue 22: the stray quote used to keep the field open to the end
		// of the input, so carol and dave were never read.
		{name: "stray quote after a quoted value fails its row alone", in: "email,n\njane@example.com,\"a\"b,1\ncarol@example.com,2\ndave@example.com,3\n", cols: "n",
			want: []got{{N: 1, Line: 2, Email: "jane@example.com", Pass: "a\"b", Err: "stray"},
				{N: 2, Line: 3, Email: "carol@example.com", Pass: "2"}, {N: 3, Line: 4, Email: "dave@example.com", Pass: "3"}}},
		{name: "stray quote, CRLF", in: "email,n\r\nj@x.com,\"a\"b\r\nc@x.com,2\r\n", cols: "n",
			want: []got{{N: 1, Line: 2, Email: "j@x.com", Pass: "a\"b", Err: "stray"}, {N: 2, Line: 3, Email: "c@x.com", Pass: "2"}}},
		{name: "unterminated quote at EOF", in: "email,note\na@x.com,ok\nb@x.com,\"open\n", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "ok"}, {N: 2, Line: 3, Email: "b@x.com", Pass: "open\n", Err: "not terminated"}}},
		{name: "invalid UTF-8", in: "email,note\na@x.com,\xff\n", cols: "note",
			want: []got{{N: 1, Line: 2, Email: "a@x.com", Pass: "\xff", Err: "UTF-8"}}},
		{name: "empty fields", in: "email,phone\n,\n", want: []got{{N: 1, Line: 2}}},
		{name: "header only", in: "email,phone\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, rr, err := readAll(t, FormatCSV, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			check(t, rows, tc.want)
			if c := strings.Join(rr.PassthroughColumns(), "|"); c != tc.cols {
				t.Errorf("passthrough columns %q, want %q", c, tc.cols)
			}
		})
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":            "",
		"blank lines only": "\n\r\n\n",
		"no id column":     "name,country\nAnn,DE\n",
		"duplicate email":  "email,EMAIL\na,b\n",
		"header too long":  strings.Repeat("x", MaxRowBytes+1) + ",email\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := readAll(t, FormatCSV, in)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v, want *FormatError", err)
			}
		})
	}
	if _, err := NewReader("xml", strings.NewReader("")); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestCSVUnclosedQuoteRefused: a quote opened and never closed would make
// every later line part of one row; the reader refuses the input, naming the
// line, instead of losing those rows.
func TestCSVUnclosedQuoteRefused(t *testing.T) {
	good := strings.Repeat("b@x.com,ok\n", 1000)
	for name, in := range map[string]string{
		"short":            "email,note\na@x.com,ok\nc@x.com,\"open\nd@x.com,1\n",
		"over 1 MiB after": "email,note\na@x.com,ok\nc@x.com,\"open\n" + strings.Repeat(good, MaxRowBytes/len(good)+2),
	} {
		t.Run(name, func(t *testing.T) {
			rows, _, err := readAll(t, FormatCSV, in)
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "line 3") {
				t.Fatalf("err %v, want a *FormatError naming line 3", err)
			}
			if len(rows) != 1 {
				t.Errorf("%d rows before the error, want 1", len(rows))
			}
		})
	}
}

func TestCSVRecordKeepsHeaderWidth(t *testing.T) {
	rr, err := NewReader(FormatCSV, strings.NewReader("id,email,x\n1,a@x.com\n2,b@x.com,3,4\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1|a@x.com|", "2|b@x.com|3"} {
		row, err := rr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(row.Record, "|"); got != want {
			t.Errorf("record %q, want %q", got, want)
		}
	}
	if h := strings.Join(rr.Header(), "|"); h != "id|email|x" {
		t.Errorf("header %q", h)
	}
}

func TestNDJSONReader(t *testing.T) {
	long := `{"email":"` + strings.Repeat("x", MaxRowBytes) + `"}`
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{name: "basic", in: `{"email":"a@x.com","phone":"+4915112345678","name":"Ann","country":"DE","metadata":{"id":7}}` + "\n",
			want: []got{{N: 1, Line: 1, Email: "a@x.com", Phone: "+4915112345678", Name: "Ann", Country: "DE", Meta: `{"id":7}`}}},
		{name: "BOM, CRLF, no final newline", in: "\ufeff{\"email\":\"a@x.com\"}\r\n{\"email\":\"b@x.com\"}",
			want: []got{{N: 1, Line: 1, Email: "a@x.com"}, {N: 2, Line: 2, Email: "b@x.com"}}},
		{name: "blank lines keep line numbers", in: "\n{\"email\":\"a@x.com\"}\n  \n\n{\"phone\":\"1\"}\n",
			want: []got{{N: 1, Line: 2, Email: "a@x.com"}, {N: 2, Line: 5, Phone: "1"}}},
		{name: "bad line then continue", in: "{\"email\":\"a@x.com\"}\n{\"email\": \n{\"email\":\"c@x.com\"}\n",
			want: []got{{N: 1, Line: 1, Email: "a@x.com"}, {N: 2, Line: 2, Err: "invalid JSON"}, {N: 3, Line: 3, Email: "c@x.com"}}},
		{name: "not an object", in: "[1,2]\n\"x\"\nnull\n",
			want: []got{{N: 1, Line: 1, Err: "not a JSON object"}, {N: 2, Line: 2, Err: "not a JSON object"}, {N: 3, Line: 3, Err: "not a JSON object"}}},
		{name: "two objects on a line", in: `{"email":"a"}{"email":"b"}` + "\n",
			want: []got{{N: 1, Line: 1, Err: "invalid JSON"}}},
		// issue 22: unknown fields were ignored silently, as they are not
		// on /v1/enrich.
		{name: "unknown field fails its row, named", in: `{"emial":"a@x.com"}` + "\n" + `{"email":"b@x.com"}` + "\n",
			want: []got{{N: 1, Line: 1, Err: `unknown field "emial"`}, {N: 2, Line: 2, Email: "b@x.com"}}},
		{name: "wrong field type", in: `{"email":{"x":1}}` + "\n",
			want: []got{{N: 1, Line: 1, Err: "must be a string"}}},
		{name: "number phone and null name accepted", in: `{"phone":4915112345678,"name":null}` + "\n",
			want: []got{{N: 1, Line: 1, Phone: "4915112345678"}}},
		{name: "metadata must be an object", in: `{"email":"a@x.com","metadata":[1]}` + "\n" + `{"email":"a@x.com","metadata":null}` + "\n",
			want: []got{{N: 1, Line: 1, Email: "a@x.com", Err: "metadata must be an object"}, {N: 2, Line: 2, Email: "a@x.com"}}},
		{name: "unknown fields fail the row", in: `{"email":"a@x.com","foo":[1,{"b":2}]}` + "\n",
			want: []got{{N: 1, Line: 1, Err: `unknown field "foo"`}}},
		{name: "line over 1 MiB then continue", in: long + "\n" + `{"email":"b@x.com"}` + "\n",
			want: []got{{N: 1, Line: 1, Err: "longer than"}, {N: 2, Line: 2, Email: "b@x.com"}}},
		{name: "line over 1 MiB at EOF", in: `{"email":"b@x.com"}` + "\n" + long,
			want: []got{{N: 1, Line: 1, Email: "b@x.com"}, {N: 2, Line: 2, Err: "longer than"}}},
		{name: "invalid UTF-8", in: "{\"email\":\"\xff\"}\n", want: []got{{N: 1, Line: 1, Err: "UTF-8"}}},
		{name: "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, _, err := readAll(t, FormatNDJSON, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			check(t, rows, tc.want)
		})
	}
}

func TestReaderIOErrorIsFatal(t *testing.T) {
	boom := errors.New("disk on fire")
	for _, format := range []string{FormatCSV, FormatNDJSON} {
		r := io.MultiReader(strings.NewReader("email\n{\"email\":\"a\"}\n"), iotest.ErrReader(boom))
		rr, err := NewReader(format, r)
		if err != nil {
			t.Fatal(err)
		}
		for {
			_, err = rr.Next()
			if err != nil {
				break
			}
		}
		if !errors.Is(err, boom) {
			t.Errorf("%s: err %v, want %v", format, err, boom)
		}
	}
}

// fuzzRead reads every row of in and checks the reader's invariants: row
// numbers count up from 1, nothing is larger than the limit, and it never
// panics or loops.
func fuzzRead(t *testing.T, format string, in []byte) {
	rr, err := NewReader(format, bytes.NewReader(in))
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("NewReader: %v", err)
		}
		return
	}
	for n := 1; ; n++ {
		row, err := rr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if row.N != n || row.Line < 1 {
			t.Fatalf("row %d: N=%d Line=%d", n, row.N, row.Line)
		}
		if n > len(in)+1 {
			t.Fatalf("more rows than bytes")
		}
		if row.Err == nil && len(row.Record) != 0 && len(row.Record) != len(rr.Header()) {
			t.Fatalf("record width %d, header %d", len(row.Record), len(rr.Header()))
		}
	}
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"email,phone\na@x.com,1\n",
		"\ufeffemail,note\n\"a\nb\",\"c\"\"d\"\r\n",
		"email\n\"open",
		"phone,x\n1,2,3\n4\n",
		"email,x\na,5\" disk\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRead(t, FormatCSV, in) })
}

func FuzzNDJSONReader(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@x.com","metadata":{"k":1}}` + "\n",
		"\ufeff{\"phone\":123}\r\n\n[1]\n",
		`{"email":` + "\n" + `{"email":"b"}`,
		"null\n\"x\"\n{}{}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRead(t, FormatNDJSON, in) })
}
