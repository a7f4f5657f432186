package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

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

// readAgrees checks one body: plain.read accepts it only if the body is
// JSON that, decoded as validate decodes it, plain accepts, and then it
// reads the same input from it. It returns whether read accepted it.
func readAgrees(t testing.TB, plain *plainObject, body []byte) bool {
	t.Helper()
	d, ok := plain.read(body)
	if !ok {
		return false
	}
	// validate skips checkJSON for a body read accepts.
	if !json.Valid(body) || checkJSON(body) != nil {
		t.Fatalf("%q: read, but not JSON (checkJSON: %v)", body, checkJSON(body))
	}
	v := docOf(t, string(body))
	if !plain.accepts(v) {
		t.Fatalf("%q: read, but accepts refuses the decoded document", body)
	}
	got, gotOK := inputFromDoc(d)
	want, wantOK := inputFromDoc(v)
	if gotOK != wantOK || !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: read %#v (%v), the decoded document %#v (%v)", body, got, gotOK, want, wantOK)
	}
	return true
}

// plainObject.read reads the usual POST /v1/enrich bodies from their bytes
// as decoding them would, and leaves the rest to the decoder.
func TestPlainObjectRead(t *testing.T) {
	t.Parallel()
	plain := plainObjectOf(enrichRequestSchema(t))
	required := &plainObject{strings: plain.strings, required: []string{"email"}}
	for _, tc := range []struct {
		plain *plainObject
		body  string
		read  bool
	}{
		{plain, `{"email":"jane.doe@example.com","phone":"+44 7400 123456"}`, true},
		{plain, " \t\r\n{ \"email\" : \"jane@example.com\" ,\n\"name\":\"Jane Doe\" } \n", true},
		{plain, `{}`, true},
		{plain, ` { } `, true},
		{plain, `{"email":""}`, true},
		{plain, `{"name":"Zoë Ångström 😀"}`, true},
		{plain, `{"email":"` + strings.Repeat("a", 320) + `"}`, true},
		{plain, `{"email":"` + strings.Repeat("é", 320) + `"}`, true},
		{plain, `{"email":"` + strings.Repeat("a", 321) + `"}`, false}, // too long
		{plain, `{"email":"` + strings.Repeat("é", 321) + `"}`, false},
		{plain, `{"email":"a@b.co","email":"c@d.co"}`, false}, // repeated: decoded
		{plain, `{"email":"\u0061@b.co"}`, false},             // an escape: decoded
		{plain, `{"em\u0061il":"a@b.co"}`, false},             // an escaped key: decoded
		{plain, `{"email":"a\"b@c.co"}`, false},               // an escaped quote
		{plain, "{\"email\":\"a\tb\"}", false},                // a control character: not JSON
		{plain, "{\"email\":\"\xff@b.co\"}", false},           // not UTF-8
		{plain, `{"Email":"a@b.co"}`, false},                  // another case: decoded
		{plain, `{"country":"GB"}`, false},                    // a pattern: the schema checks it
		{plain, `{"options":{}}`, false},                      // not a string property
		{plain, `{"email":null}`, false},
		{plain, `{"email":1}`, false},
		{plain, `{"email":"a@b.co",}`, false},
		{plain, `{"email":"a@b.co"} {}`, false},
		{plain, `{"email":"a@b.co"`, false},
		{plain, `{"email" "a@b.co"}`, false},
		{plain, `{"email":"a@b.co" "phone":"1"}`, false},
		{plain, `{"email":"a@b.co`, false},
		{plain, `[]`, false},
		{plain, `"email"`, false},
		{plain, ``, false},
		{required, `{"email":"a@b.co"}`, true},
		{required, `{"phone":"+14155552671"}`, false},
		{required, `{}`, false},
		{nil, `{"email":"a@b.co"}`, false},
	} {
		if got := readAgrees(t, tc.plain, []byte(tc.body)); got != tc.read {
			t.Errorf("%.80q: read %v, want %v", tc.body, got, tc.read)
		}
	}
	// What validate hands the handler is what the handler decodes.
	body := `{"email":"jane.doe@example.com","phone":"+44 7400 123456","name":"Jane"}`
	doc, bad, err := schemaErrorsPlain(enrichRequestSchema(t), plain, []byte(body))
	if err != nil || bad != nil {
		t.Fatalf("%v %v", bad, err)
	}
	if _, ok := doc.(*plainDoc); !ok {
		t.Fatalf("the usual body decoded as %T, not read", doc)
	}
	got, ok := inputFromDoc(doc)
	want, err := decodeInput([]byte(body))
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read %#v (%v), decoded %#v (%v)", got, ok, want, err)
	}
}

func FuzzPlainObjectRead(f *testing.F) {
	plain := plainObjectOf(enrichRequestSchema(f))
	f.Add([]byte(`{"email":"jane@example.com","phone":"+14155552671"}`))
	f.Add([]byte(" {\"name\" : \"Zoë\" }\n"))
	f.Add([]byte(`{"email":"a","email":"b"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		readAgrees(t, plain, body)
	})
}

// TestParamSkip: where validate skips openapi3filter.ValidateRequest (a
// request sending none of the operation's parameters, all optional
// headers), ValidateRequest finds nothing wrong with such requests; it is
// not skipped when a parameter is sent, even empty; the usual operations
// are skipped.
func TestParamSkip(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	opts := &openapi3filter.Options{MultiError: true, SkipSettingDefaults: true, ExcludeRequestBody: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	skipped := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			sk := skippableParams(route, opts)
			if sk == nil {
				continue
			}
			skipped[op.OperationID] = true
			for _, h := range []http.Header{
				{},
				{"Content-Type": {"application/json"}, "Authorization": {"Bearer x"}, "X-Api-Key": {"y"}},
				{"Accept": {"*/*"}, "X-Other": {""}},
			} {
				req := httptest.NewRequest(method, path+"?q=1", nil)
				req.Header = h
				if !sk.skips(req) {
					t.Errorf("%s: a request without its parameters not skipped", op.OperationID)
				}
				if err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: opts}); err != nil {
					t.Errorf("%s: skipped, but ValidateRequest says %v", op.OperationID, err)
				}
			}
			for _, name := range sk.headers {
				for _, v := range [][]string{{"abc"}, {""}, nil} {
					req := httptest.NewRequest(method, path, nil)
					req.Header = http.Header{name: v}
					if sk.skips(req) {
						t.Errorf("%s: a request with %s %q skipped", op.OperationID, name, v)
					}
				}
			}
		}
	}
	for _, id := range []string{"enrich", "checkLiveness"} {
		if !skipped[id] {
			t.Errorf("%s: not skipped", id)
		}
	}
	if skipped["getJob"] { // a path parameter
		t.Error("getJob: skipped")
	}
}
