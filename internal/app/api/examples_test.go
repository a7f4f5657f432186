package api

import (
	"encoding/json"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
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
	svc := realService(t)
	a := newAuth(t)
	secret, _ := newKey(t, a, auth.Spec{Scopes: []string{auth.ScopeAdmin}, RatePerMin: auth.MaxRatePerMin})
	srv := keyed{New(Config{Jobs: realJobs(t, svc), Auth: a, Privacy: realPrivacy(t, svc), Audit: &audit.Memory{}}, svc), secret}
	ops := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			var bodies []string
			if rb := op.RequestBody; rb != nil && rb.Value.Content.Get("application/json") == nil {
				// An upload (text/csv, NDJSON): its examples are strings.
				for ct, mt := range rb.Value.Content {
					ex, ok := mt.Example.(string)
					if !ok {
						t.Fatalf("%s %s: %s has no string example", method, path, ct)
					}
					rec := do(t, srv, request{method: method, path: path, body: ex, header: map[string]string{"Content-Type": ct}})
					if rec.Code != 202 && rec.Code != 200 {
						t.Errorf("%s %s: documented %s example answered %d: %s", method, path, ct, rec.Code, rec.Body)
					}
					// Unusable as a whole (a bad NDJSON line is a failed row, not
					// a failed upload).
					bads := map[string][]string{
						"text/csv":             {"no,identity,columns\n1,2,3\n", "email\n", "\xff\xfe", ""},
						"application/x-ndjson": {"", "\n\n"},
					}[ct]
					if len(bads) == 0 {
						t.Fatalf("%s %s: no malformed %s bodies to try", method, path, ct)
					}
					for _, bad := range bads {
						rec := do(t, srv, request{method: method, path: path, body: bad, header: map[string]string{"Content-Type": ct}})
						if rec.Code != 400 {
							t.Errorf("%s %s with %s %q: %d, want 400", method, path, ct, bad, rec.Code)
						}
					}
				}
				continue
			}
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
