package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/audit"
)

// TestAuditOneEntryPerV1Call: every /v1 call leaves one entry with the
// operation id and an outcome derived from the status, whatever the
// status; probes and docs leave none; with no authentication the actor is
// "open".
func TestAuditOneEntryPerV1Call(t *testing.T) {
	store := &audit.Memory{}
	srv := New(Config{Audit: store}, realService(t))
	calls := []struct {
		r       request
		op      string
		outcome string
		status  int
	}{
		{request{method: http.MethodPost, path: "/v1/enrich", body: `{"email":"jane@example.com"}`}, "enrich", "ok", 200},
		{request{method: http.MethodPost, path: "/v1/enrich", body: `{"email":"not an email"}`}, "enrich", "rejected", 400},
		{request{method: http.MethodGet, path: "/v1/sources"}, "listSources", "ok", 200},
		{request{method: http.MethodGet, path: "/healthz"}, "", "", 200},
		{request{method: http.MethodGet, path: "/openapi.json"}, "", "", 200},
	}
	want := 0
	for _, c := range calls {
		rec := do(t, srv, c.r)
		if rec.Code != c.status {
			t.Fatalf("%s %s = %d, want %d: %s", c.r.method, c.r.path, rec.Code, c.status, rec.Body)
		}
		if c.op != "" {
			want++
		}
		got, err := store.Find(context.Background(), audit.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Fatalf("after %s %s: %d entries, want %d", c.r.method, c.r.path, len(got), want)
		}
		if c.op == "" {
			continue
		}
		e := got[len(got)-1]
		if e.Operation != c.op || e.Outcome != c.outcome || e.Status != c.status || e.At.IsZero() || e.Actor != audit.ActorOpen {
			t.Errorf("%s %s: entry %+v, want operation %s outcome %s", c.r.method, c.r.path, e, c.op, c.outcome)
		}
	}
}
