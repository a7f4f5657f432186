package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// docOf decodes body as validate does for the contract.
func docOf(t testing.TB, body string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return v
}

// TestInputFromDoc: what inputFromDoc reads from the contract's document
// is what decodeInput decodes from the body; what it cannot read as
// decodeInput would, it leaves to decodeInput.
func TestInputFromDoc(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		body string
		read bool // inputFromDoc reads it
	}{
		{`{"email":"jane@example.com","phone":"+14155552671"}`, true},
		{`{"email":"jane@example.com","name":"Jane Doe","country":"gb","phone":"07400 123456"}`, true},
		{`{"email":"a@b.co","options":{"timeout_ms":2500,"sources":["email","phone"],"exclude_sources":[],"min_match":0.7,
		   "include_candidates":true,"max_age_s":0,"cache":"refresh","min_probability":0,"purpose":"marketing"}}`, true},
		{`{"email":"a@b.co","options":{}}`, true},
		{`{"email":"\u00e9l\u00e8ve@exemple.fr","name":"A \"quoted\" name"}`, true},
		{`{"email":"a@b.co","email":"c@d.co"}`, true}, // the last one, as encoding/json
		{`{}`, true},
		{`{"options":{"timeout_ms":-0}}`, true},
		{`{"options":{"min_match":1e-1}}`, true},
		// Left to decodeInput: its errors, its own words.
		{`{"options":{"timeout_ms":3000.5}}`, false},
		{`{"options":{"timeout_ms":1e3}}`, false},
		{`{"options":{"timeout_ms":99999999999999999999}}`, false},
		{`{"options":{"min_match":1e999}}`, false},
		{`{"options":{"sources":["email",1]}}`, false},
		{`{"options":{"sources":"email"}}`, false},
		{`{"options":{"include_candidates":"yes"}}`, false},
		{`{"options":null}`, false},
		{`{"email":null}`, false},
		{`{"email":3}`, false},
		{`{"Email":"a@b.co"}`, false}, // encoding/json matches names in any case
		{`{"surname":"Doe"}`, false},
		{`{"options":{"colour":"red"}}`, false},
		{`[]`, false},
		{`"a@b.co"`, false},
	} {
		got, ok := inputFromDoc(docOf(t, tt.body))
		if ok != tt.read {
			t.Errorf("%s: read %v, want %v", tt.body, ok, tt.read)
		}
		if !ok {
			continue
		}
		want, err := decodeInput([]byte(tt.body))
		if err != nil {
			t.Errorf("%s: inputFromDoc read it, decodeInput says %v", tt.body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n read    %#v\n decoded %#v", tt.body, got, want)
		}
	}
}

// FuzzInputFromDoc: whenever inputFromDoc reads a document, decodeInput
// decodes the same body to the same input, without an error.
func FuzzInputFromDoc(f *testing.F) {
	for _, s := range []string{
		`{"email":"jane@example.com","phone":"+14155552671"}`,
		`{"options":{"timeout_ms":2500,"sources":["a"],"min_match":0.5,"include_candidates":false,"cache":"only"}}`,
		`{"options":{"max_age_s":-1,"exclude_sources":[],"min_probability":1,"purpose":""}}`,
		`{"name":"x","country":"US","email":"a@b","email":"c@d"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		got, ok := inputFromDoc(docOf(t, string(body)))
		if !ok {
			return
		}
		want, err := decodeInput(body)
		if err != nil {
			t.Fatalf("%s: inputFromDoc read it, decodeInput says %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n read    %#v\n decoded %#v", body, got, want)
		}
	})
}

// TestInputFromDocReadsEveryField walks the JSON names of Input and Options
// by reflection and sends each field alone, with a non-zero value of its
// type: inputFromDoc must read it (not leave it to decodeInput) into what
// encoding/json decodes, the field set. A field added to either struct and
// not to the hand-written reader fails here, instead of being decoded
// twice on every request or, worse, read as absent.
func TestInputFromDocReadsEveryField(t *testing.T) {
	t.Parallel()
	// sample is a JSON value of t's type that decodes to a non-zero Go
	// value (an integer for *int, a fraction for *float64).
	sample := func(t reflect.Type) (string, bool) {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.String:
			return `"x1"`, true
		case reflect.Bool:
			return `true`, true
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return `1234`, true
		case reflect.Float32, reflect.Float64:
			return `0.25`, true
		case reflect.Slice:
			if t.Elem().Kind() == reflect.String {
				return `["email","phone"]`, true
			}
		}
		return "", false
	}
	type field struct {
		path string // options.timeout_ms
		body string
		// value reads the field from an Input.
		value func(pipeline.Input) reflect.Value
	}
	var fields []field
	walk := func(typ reflect.Type, prefix string, wrap func(name, v string) string, get func(pipeline.Input) reflect.Value) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				t.Errorf("%s%s has no JSON name: give it one (the contract's)", prefix, f.Name)
				continue
			}
			if f.Type == reflect.TypeFor[pipeline.Options]() {
				continue // walked on its own
			}
			v, ok := sample(f.Type)
			if !ok {
				t.Errorf("%s%s: no sample value for type %s; teach this test (and inputFromDoc) the type", prefix, name, f.Type)
				continue
			}
			idx := i
			fields = append(fields, field{path: prefix + name, body: wrap(name, v),
				value: func(in pipeline.Input) reflect.Value { return get(in).Field(idx) }})
		}
	}
	walk(reflect.TypeFor[pipeline.Input](), "",
		func(name, v string) string { return fmt.Sprintf(`{%q:%s}`, name, v) },
		func(in pipeline.Input) reflect.Value { return reflect.ValueOf(in) })
	walk(reflect.TypeFor[pipeline.Options](), "options.",
		func(name, v string) string { return fmt.Sprintf(`{"options":{%q:%s}}`, name, v) },
		func(in pipeline.Input) reflect.Value { return reflect.ValueOf(in.Options) })
	if len(fields) < 13 {
		t.Fatalf("walked %d fields; Input has 4 and Options 9 at least", len(fields))
	}
	for _, f := range fields {
		want, err := decodeInput([]byte(f.body))
		if err != nil {
			t.Errorf("%s: decodeInput: %v", f.body, err)
			continue
		}
		if f.value(want).IsZero() {
			t.Errorf("%s: encoding/json left %s zero; the sample does not exercise it", f.body, f.path)
		}
		got, ok := inputFromDoc(docOf(t, f.body))
		if !ok {
			t.Errorf("%s: inputFromDoc does not read %s (add it to inputFromDoc/optionsFromDoc)", f.body, f.path)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n read    %#v\n decoded %#v", f.body, got, want)
		}
	}
}
