package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/audit"
)

// TestPrivacyOperations: lookups, a suppression, a bulk import, an
// erasure and an export leave audit entries that name the subject only by
// its hash, and GET /v1/audit?subject= finds them by any spelling of the
// address; the suppression list shows hashes only.
func TestPrivacyOperations(t *testing.T) {
	store := &audit.Memory{}
	svc, priv := privateService(t, store)
	srv := New(Config{Audit: store, Privacy: priv}, svc)
	raw := []string{"jane.doe", "janedoe", "example.com", "4155550123"}
	steps := []request{
		{method: http.MethodPost, path: "/v1/enrich", body: `{"email":"Jane.Doe@example.com","phone":"+14155550123"}`},
		{method: http.MethodPost, path: "/v1/enrich/batch", body: `{"items":[{"email":"jane.doe@example.com"}]}`},
		{method: http.MethodPost, path: "/v1/suppressions", body: `{"email":"jane.doe@example.com","reason":"objection"}`},
		{method: http.MethodPost, path: "/v1/suppressions", body: `{"email":"JANE.DOE@example.com"}`},
		{method: http.MethodPost, path: "/v1/suppressions/import", body: "email,reason\njane.doe@example.com,again\nbob@example.com,\nnot-an-email,\n", header: map[string]string{"Content-Type": "text/csv"}},
		{method: http.MethodPost, path: "/v1/enrich", body: `{"email":"jane.doe@example.com"}`},
		{method: http.MethodPost, path: "/v1/erasures", body: `{"email":"jane.doe@example.com"}`},
		{method: http.MethodGet, path: "/v1/subjects/export?email=jane.doe%40example.com"},
	}
	wantStatus := []int{200, 200, 201, 200, 200, 200, 201, 200}
	var bodies []string
	for i, r := range steps {
		rec := do(t, srv, r)
		if rec.Code != wantStatus[i] {
			t.Fatalf("%s %s = %d, want %d: %s", r.method, r.path, rec.Code, wantStatus[i], rec.Body)
		}
		bodies = append(bodies, rec.Body.String())
	}
	var imp struct{ Read, Added, Existing, Failed int }
	if err := json.Unmarshal([]byte(bodies[4]), &imp); err != nil || imp != (struct{ Read, Added, Existing, Failed int }{3, 1, 1, 1}) {
		t.Errorf("import: %s", bodies[4])
	}
	if !strings.Contains(bodies[5], `"suppressed":true`) {
		t.Errorf("lookup of a suppressed subject: %s", bodies[5])
	}
	var exp struct {
		Suppression *struct{ ID string }
		Erasures    []struct{ ID string }
		Audit       []audit.Entry
	}
	if err := json.Unmarshal([]byte(bodies[7]), &exp); err != nil || exp.Suppression == nil || len(exp.Erasures) != 1 || len(exp.Audit) < 6 {
		t.Errorf("export: %s", bodies[7])
	}

	rec := do(t, srv, request{method: http.MethodGet, path: "/v1/audit?subject=JANE.DOE%40Example.com"})
	var page struct{ Entries []audit.Entry }
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != 200 {
		t.Fatalf("listAudit: %d %s", rec.Code, rec.Body)
	}
	ops := map[string]int{}
	for _, e := range page.Entries {
		ops[e.Operation]++
	}
	for _, op := range []string{"enrich", "enrichBatch", "suppression.create", "erasure", "subject.export"} {
		if ops[op] == 0 {
			t.Errorf("no %s entry about the subject: %v", op, ops)
		}
	}
	for _, e := range page.Entries {
		if e.Operation == "enrich" && e.Purpose == "" {
			t.Errorf("lookup entry without its purpose: %+v", e)
		}
	}
	var lookups []audit.Entry
	for _, e := range page.Entries {
		if e.Operation == "enrich" {
			lookups = append(lookups, e)
		}
	}
	if len(lookups) != 2 || lookups[0].Outcome != "ok" || lookups[1].Outcome != "suppressed" || len(lookups[1].Sources) != 0 {
		t.Errorf("the lookups' entries: %+v", lookups)
	}
	// No entry, nor the suppression list, holds a raw identifier.
	all, _ := store.Find(context.Background(), audit.Query{})
	b, _ := json.Marshal(all)
	list := do(t, srv, request{method: http.MethodGet, path: "/v1/suppressions"})
	for _, v := range raw {
		for what, s := range map[string]string{"audit": strings.ToLower(string(b)), "suppressions": strings.ToLower(list.Body.String())} {
			if strings.Contains(s, v) {
				t.Errorf("%s holds %q", what, v)
			}
		}
	}
}
