package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
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
