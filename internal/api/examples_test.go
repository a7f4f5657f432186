package api

import (
	"encoding/json"
	"testing"

	"github.com/footprint-oss/footprint/openapi"
)

// TestEveryOperationWithItsExampleAndMalformedInput sends every operation
// its documented request example (or no body), then malformed bodies, and
// lets do() check that only documented statuses come back, with bodies
// that conform.
func TestEveryOperationWithItsExampleAndMalformedInput(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{}, realService(t))
	ops := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			var bodies []string
			if rb := op.RequestBody; rb != nil {
				mt := rb.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					t.Fatalf("%s %s: no JSON request schema", method, path)
				}
				var examples []any
				if mt.Example != nil {
					examples = append(examples, mt.Example)
				}
				for _, ex := range mt.Examples {
					examples = append(examples, ex.Value.Value)
				}
				if len(examples) == 0 {
					t.Fatalf("%s %s: request body has no documented example", method, path)
				}
				for _, ex := range examples {
					b, err := json.Marshal(ex)
					if err != nil {
						t.Fatal(err)
					}
					rec := do(t, srv, request{method: method, path: path, body: string(b)})
					// The example must be valid input (never 400 or 5xx); the
					// test server's sources differ from the real ones, so an
					// example naming a real source may read 422 here.
					if rec.Code == 400 || rec.Code >= 500 {
						t.Errorf("%s %s: documented example %s answered %d", method, path, b, rec.Code)
					}
				}
				bodies = append(bodies, `{"email":`, `[]`, `"x"`, `{"email":42}`, `{"email":"a@b.c","options":{"timeout_ms":-1}}`)
			} else {
				bodies = []string{""}
			}
			for _, body := range bodies {
				rec := do(t, srv, request{method: method, path: path, body: body})
				if body != "" && rec.Code < 400 {
					t.Errorf("%s %s with %s: %d, want a problem", method, path, body, rec.Code)
				}
			}
		}
	}
	if ops == 0 {
		t.Fatal("no operations")
	}
}
