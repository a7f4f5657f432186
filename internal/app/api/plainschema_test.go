package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/footprint-oss/footprint/openapi"
)

func enrichRequestSchema(t testing.TB) *openapi3.Schema {
	t.Helper()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas["EnrichRequest"].Value
}

// plainAgrees checks one body: plain accepts it only if the schema's
// walk finds nothing wrong with it. It returns whether plain accepted it.
func plainAgrees(t testing.TB, schema *openapi3.Schema, plain *plainObject, body string) bool {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	ok := plain.accepts(v)
	if err := schema.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.MultiErrors()); ok && err != nil {
		t.Errorf("%s: accepted, but the schema says %v", body, err)
	}
	return ok
}

// The fast acceptance of POST /v1/enrich bodies accepts the usual bodies
// and nothing the contract refuses; everything else goes to the schema.
func TestPlainObjectAcceptsOnlyValid(t *testing.T) {
	schema := enrichRequestSchema(t)
	plain := plainObjectOf(schema)
	if plain == nil {
		t.Fatal("EnrichRequest is no plain object")
	}
	for _, tc := range []struct {
		body   string
		accept bool
	}{
		{`{"email":"jane.doe@example.com","phone":"+44 7400 123456"}`, true},
		{`{"email":"jane.doe@example.com"}`, true},
		{`{"phone":"+14155552671","name":"Jane Doe"}`, true},
		{`{}`, true},
		{`{"email":"` + strings.Repeat("a", 320) + `"}`, true},
		{`{"email":"` + strings.Repeat("é", 320) + `"}`, true},  // 640 bytes, 320 characters
		{`{"email":"` + strings.Repeat("😀", 320) + `"}`, true},  // as kin-openapi counts
		{`{"email":"` + strings.Repeat("a", 321) + `"}`, false}, // too long
		{`{"email":"` + strings.Repeat("é", 321) + `"}`, false},
		{`{"phone":"` + strings.Repeat("1", 65) + `"}`, false},
		{`{"email":null}`, false},
		{`{"email":1}`, false},
		{`{"email":["a"]}`, false},
		{`{"country":"GB","phone":"07400 123456"}`, false}, // a pattern: the schema checks it
		{`{"country":"G1"}`, false},
		{`{"options":{"timeout_ms":100}}`, false},
		{`{"email":"a@b.c","unknown":"x"}`, false},
		{`{"Email":"a@b.c"}`, false},
		{`[]`, false},
		{`"email"`, false},
		{`null`, false},
	} {
		if got := plainAgrees(t, schema, plain, tc.body); got != tc.accept {
			t.Errorf("%.80s: accepted %v, want %v", tc.body, got, tc.accept)
		}
	}
	// Schemas that are not plain objects.
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"EnrichOptions", "BatchItem"} {
		if p := plainObjectOf(doc.Components.Schemas[name].Value); p != nil && len(p.strings) == len(doc.Components.Schemas[name].Value.Properties) {
			t.Errorf("%s: every property plain", name)
		}
	}
}

func FuzzPlainObjectAcceptsOnlyValid(f *testing.F) {
	schema := enrichRequestSchema(f)
	plain := plainObjectOf(schema)
	f.Add("email", "jane@example.com", "phone", "+14155552671")
	f.Add("country", "gb", "name", strings.Repeat("x", 257))
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		b, err := json.Marshal(map[string]string{k1: v1, k2: v2})
		if err != nil {
			return
		}
		plainAgrees(t, schema, plain, string(b))
	})
}
