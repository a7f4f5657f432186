package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
)

const enrichBody = `{"email":"` + testEmail + `"}`

func bearer(secret string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + secret}
}

// TestAuthStatuses: 401 for a missing, unknown, malformed, revoked or
// expired key (one answer for all), 403 for a missing scope, public routes
// open, and rate-limit headers on every keyed answer.
func TestAuthStatuses(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	srv := New(Config{Auth: a}, svc)
	good, _ := newKey(t, a, auth.Spec{Scopes: []string{auth.ScopeEnrich}})
	sourcesOnly, _ := newKey(t, a, auth.Spec{Scopes: []string{auth.ScopeSourcesRead}})
	revoked, revokedID := newKey(t, a, auth.Spec{})
	if _, err := a.Revoke(context.Background(), revokedID); err != nil {
		t.Fatal(err)
	}
	expired, _ := newKey(t, a, auth.Spec{ExpiresIn: time.Nanosecond})
	const invalid = `Bearer realm="footprint", error="invalid_token", error_description="the key is unknown, revoked or expired"`
	tests := []struct {
		name      string
		method    string
		path      string
		body      string
		header    map[string]string
		status    int
		challenge string
	}{
		{"no key", "POST", "/v1/enrich", enrichBody, nil, 401, `Bearer realm="footprint"`},
		{"unknown key", "POST", "/v1/enrich", enrichBody, bearer(auth.NewSecret("live")), 401, invalid},
		{"malformed key", "POST", "/v1/enrich", enrichBody, bearer("hunter2"), 401, invalid},
		{"not bearer", "POST", "/v1/enrich", enrichBody, map[string]string{"Authorization": "Basic " + good}, 401, invalid},
		{"revoked key", "POST", "/v1/enrich", enrichBody, bearer(revoked), 401, invalid},
		{"expired key", "POST", "/v1/enrich", enrichBody, bearer(expired), 401, invalid},
		{"missing scope", "POST", "/v1/enrich", enrichBody, bearer(sourcesOnly), 403, `Bearer realm="footprint", error="insufficient_scope", scope="enrich"`},
		{"admin route", "GET", "/v1/keys", "", bearer(good), 403, `Bearer realm="footprint", error="insufficient_scope", scope="admin"`},
		{"bearer", "POST", "/v1/enrich", enrichBody, bearer(good), 200, ""},
		{"X-API-Key", "POST", "/v1/enrich", enrichBody, map[string]string{"X-API-Key": good}, 200, ""},
		{"sources scope", "GET", "/v1/sources", "", bearer(sourcesOnly), 200, ""},
		{"public healthz", "GET", "/healthz", "", nil, 200, ""},
		{"public openapi", "GET", "/openapi.json", "", nil, 200, ""},
	}
	var detail401 string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, srv, request{method: tt.method, path: tt.path, body: tt.body, header: tt.header})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.status >= 400 {
				p := decodeProblem(t, rec)
				if tt.status == 401 && tt.challenge == invalid {
					// Nothing tells an unknown key from a revoked or expired one.
					if detail401 == "" {
						detail401 = p.Detail
					} else if p.Detail != detail401 {
						t.Errorf("401 detail %q differs from %q", p.Detail, detail401)
					}
				}
			}
			keyedOK := tt.status == 200 && tt.header != nil
			if got := rec.Header().Get("RateLimit-Policy"); keyedOK != (got != "") {
				t.Errorf("RateLimit-Policy %q on a keyed=%v answer", got, keyedOK)
			}
			if keyedOK {
				if got := rec.Header().Get("RateLimit-Policy"); got != `"per-minute";q=600;w=60` {
					t.Errorf("RateLimit-Policy %q", got)
				}
				if got := rec.Header().Get("RateLimit"); !strings.HasPrefix(got, `"per-minute";r=`) {
					t.Errorf("RateLimit %q", got)
				}
				for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
					if rec.Header().Get(h) == "" {
						t.Errorf("no %s", h)
					}
				}
			}
		})
	}
}

// TestOpenWithoutKeys: a server whose key store is empty serves without
// keys; the first key closes it.
func TestOpenWithoutKeys(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	srv := New(Config{Auth: a}, svc)
	if rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody}); rec.Code != 200 {
		t.Fatalf("open server: %d", rec.Code)
	}
	newKey(t, a, auth.Spec{})
	if rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody}); rec.Code != 401 {
		t.Fatalf("after the first key: %d, want 401", rec.Code)
	}
}

func TestRateLimitAndQuotas(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	srv := New(Config{Auth: a}, svc)
	t.Run("per-minute", func(t *testing.T) {
		secret, _ := newKey(t, a, auth.Spec{RatePerMin: 2})
		for i := range 2 {
			if rec := do(t, srv, request{method: "GET", path: "/v1/sources", header: bearer(secret)}); rec.Code != 200 {
				t.Fatalf("request %d: %d", i, rec.Code)
			}
		}
		rec := do(t, srv, request{method: "GET", path: "/v1/sources", header: bearer(secret)})
		if rec.Code != 429 {
			t.Fatalf("third request: %d, want 429", rec.Code)
		}
		p := decodeProblem(t, rec)
		if p.Limit != "per-minute" || p.ResetAt == nil || !strings.Contains(p.Detail, "per-minute") {
			t.Errorf("problem %+v", p)
		}
		if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
		if got := rec.Header().Get("RateLimit"); !strings.HasPrefix(got, `"per-minute";r=0;t=`) {
			t.Errorf("RateLimit %q", got)
		}
		if got := rec.Header().Get("X-RateLimit-Remaining"); got != "0" {
			t.Errorf("X-RateLimit-Remaining %q", got)
		}
	})
	t.Run("per-day", func(t *testing.T) {
		secret, _ := newKey(t, a, auth.Spec{QuotaPerDay: 2})
		rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody, header: bearer(secret)})
		if rec.Code != 200 {
			t.Fatalf("first lookup: %d", rec.Code)
		}
		if got := rec.Header().Get("RateLimit-Policy"); got != `"per-minute";q=600;w=60, "per-day";q=2;w=86400` {
			t.Errorf("RateLimit-Policy %q", got)
		}
		if got := rec.Header().Get("X-RateLimit-Limit"); got != "2" {
			t.Errorf("X-RateLimit-Limit %q: want the day's quota (closest to exhaustion)", got)
		}
		// A batch of two exceeds the one lookup left: refused whole.
		batch := `{"items":[{"email":"a@example.com"},{"email":"b@example.com"}]}`
		rec = do(t, srv, request{method: "POST", path: "/v1/enrich/batch", body: batch, header: bearer(secret)})
		if rec.Code != 429 || decodeProblem(t, rec).Limit != "per-day" {
			t.Fatalf("batch over quota: %d %s", rec.Code, rec.Body)
		}
		if rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody, header: bearer(secret)}); rec.Code != 200 {
			t.Fatalf("second lookup: %d", rec.Code)
		}
		rec = do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody, header: bearer(secret)})
		if rec.Code != 429 || decodeProblem(t, rec).Limit != "per-day" {
			t.Fatalf("third lookup: %d %s", rec.Code, rec.Body)
		}
		// Reading sources costs no lookup.
		if rec := do(t, srv, request{method: "GET", path: "/v1/sources", header: bearer(secret)}); rec.Code != 200 {
			t.Fatalf("sources after the quota: %d", rec.Code)
		}
	})
}

func TestFailedAuthLimit(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	srv := New(Config{Auth: a}, svc)
	good, _ := newKey(t, a, auth.Spec{})
	var last int
	for i := range 12 {
		_, rec := serve(keyedFrom{srv, "203.0.113.7:5000"}, request{method: "GET", path: "/v1/sources", header: bearer(auth.NewSecret("live"))})
		last = rec.Code
		if i < 10 && rec.Code != 401 {
			t.Fatalf("guess %d: %d, want 401", i, rec.Code)
		}
	}
	if last != 429 {
		t.Fatalf("after 12 guesses: %d, want 429", last)
	}
	// Even the right key waits now, from that address; others are unaffected.
	req, rec := serve(keyedFrom{srv, "203.0.113.7:5000"}, request{method: "GET", path: "/v1/sources", header: bearer(good)})
	checkContract(t, req, rec)
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" || decodeProblem(t, rec).Limit != "failed-auth" {
		t.Fatalf("right key from a blocked address: %d %v", rec.Code, rec.Header())
	}
	_, rec = serve(keyedFrom{srv, "198.51.100.1:5000"}, request{method: "GET", path: "/v1/sources", header: bearer(good)})
	if rec.Code != 200 {
		t.Fatalf("another address: %d", rec.Code)
	}
}

func TestJobIsolation(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	srv := New(Config{Auth: a, Jobs: realJobs(t, svc)}, svc)
	alice, aliceID := newKey(t, a, auth.Spec{Name: "alice"})
	bob, _ := newKey(t, a, auth.Spec{Name: "bob"})
	admin, _ := newKey(t, a, auth.Spec{Name: "ops", Scopes: []string{auth.ScopeAdmin}})
	up := upload("/v1/jobs?sources=mailcheck", "text/csv", "email\n"+testEmail+"\n", "Authorization", "Bearer "+alice, "Idempotency-Key", "same")
	rec := do(t, srv, up)
	if rec.Code != 202 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var job struct {
		ID    string `json:"id"`
		Owner string `json:"owner"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &job); err != nil || job.Owner != aliceID {
		t.Fatalf("job %s: owner %q, want %q (%v)", rec.Body, job.Owner, aliceID, err)
	}
	// Bob's idempotency key "same" is his own: a new job, not Alice's.
	up.header["Authorization"] = "Bearer " + bob
	rec = do(t, srv, up)
	if rec.Code != 202 || strings.Contains(rec.Body.String(), job.ID) {
		t.Fatalf("bob's upload with the same idempotency key: %d %s", rec.Code, rec.Body)
	}
	for _, r := range []request{
		{method: "GET", path: "/v1/jobs/" + job.ID},
		{method: "GET", path: "/v1/jobs/" + job.ID + "/results"},
		{method: "POST", path: "/v1/jobs/" + job.ID + "/pause"},
		{method: "POST", path: "/v1/jobs/" + job.ID + "/cancel"},
		{method: "DELETE", path: "/v1/jobs/" + job.ID},
	} {
		r.header = bearer(bob)
		if rec := do(t, srv, r); rec.Code != 404 {
			t.Errorf("bob %s %s: %d, want 404", r.method, r.path, rec.Code)
		}
		r.header = bearer(alice)
		if r.method == "GET" {
			if rec := do(t, srv, r); rec.Code != 200 {
				t.Errorf("alice %s %s: %d", r.method, r.path, rec.Code)
			}
		}
	}
	list := func(secret string) int {
		rec := do(t, srv, request{method: "GET", path: "/v1/jobs", header: bearer(secret)})
		var l struct {
			Jobs []json.RawMessage `json:"jobs"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		return len(l.Jobs)
	}
	if a, b, ad := list(alice), list(bob), list(admin); a != 1 || b != 1 || ad != 2 {
		t.Errorf("lists: alice %d, bob %d, admin %d; want 1, 1, 2", a, b, ad)
	}
	if rec := do(t, srv, request{method: "GET", path: "/v1/jobs/" + job.ID, header: bearer(admin)}); rec.Code != 200 {
		t.Errorf("admin reads alice's job: %d", rec.Code)
	}
}

func TestKeysAPIRotateRevokeUsage(t *testing.T) {
	svc := realService(t)
	a := newAuth(t)
	store := &audit.Memory{}
	srv := New(Config{Auth: a, Audit: store}, svc)
	admin, adminID := newKey(t, a, auth.Spec{Name: "ops", Scopes: []string{auth.ScopeAdmin}})
	rec := do(t, srv, request{method: "POST", path: "/v1/keys", body: `{"name":"crm","scopes":["enrich"],"quota_per_day":5}`, header: bearer(admin)})
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var k auth.View
	if err := json.Unmarshal(rec.Body.Bytes(), &k); err != nil || !strings.HasPrefix(k.Key, "fp_live_") || len(k.Key) != len("fp_live_")+26 {
		t.Fatalf("created %+v %v", k, err)
	}
	if rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody, header: bearer(k.Key)}); rec.Code != 200 {
		t.Fatalf("new key: %d", rec.Code)
	}
	// Listing never shows a secret.
	rec = do(t, srv, request{method: "GET", path: "/v1/keys", header: bearer(admin)})
	if rec.Code != 200 || strings.Contains(rec.Body.String(), k.Key) || strings.Contains(rec.Body.String(), `"hash"`) {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, srv, request{method: "POST", path: "/v1/keys/" + k.ID + "/rotate", header: bearer(admin)})
	var r auth.View
	if err := json.Unmarshal(rec.Body.Bytes(), &r); rec.Code != 200 || err != nil || r.Key == "" || r.Key == k.Key || r.ID != k.ID || r.PreviousValidUntil == nil {
		t.Fatalf("rotate: %d %s", rec.Code, rec.Body)
	}
	for _, s := range []string{k.Key, r.Key} { // the old one is in its grace period
		if rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody, header: bearer(s)}); rec.Code != 200 {
			t.Fatalf("after rotation: %d", rec.Code)
		}
	}
	rec = do(t, srv, request{method: "GET", path: "/v1/usage?key_id=" + k.ID, header: bearer(admin)})
	var u usageJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &u); rec.Code != 200 || err != nil || u.Total.Lookups != 3 || len(u.Days) != 1 || u.Total.Statuses["ok"] == 0 {
		t.Fatalf("usage: %d %s", rec.Code, rec.Body)
	}
	// A non-admin key reads its own usage only.
	if rec := do(t, srv, request{method: "GET", path: "/v1/usage", header: bearer(r.Key)}); rec.Code != 200 {
		t.Fatalf("own usage: %d", rec.Code)
	}
	if rec := do(t, srv, request{method: "GET", path: "/v1/usage?key_id=" + adminID, header: bearer(r.Key)}); rec.Code != 403 {
		t.Fatalf("another key's usage: %d, want 403", rec.Code)
	}
	if rec := do(t, srv, request{method: "POST", path: "/v1/keys/" + k.ID + "/revoke", header: bearer(admin)}); rec.Code != 200 {
		t.Fatalf("revoke: %d", rec.Code)
	}
	for _, s := range []string{k.Key, r.Key} {
		if rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: enrichBody, header: bearer(s)}); rec.Code != 401 {
			t.Fatalf("after revocation: %d", rec.Code)
		}
	}
	if rec := do(t, srv, request{method: "POST", path: "/v1/keys/" + k.ID + "/rotate", header: bearer(admin)}); rec.Code != 409 {
		t.Fatalf("rotating a revoked key: %d", rec.Code)
	}
	if rec := do(t, srv, request{method: "GET", path: "/v1/keys/key_aaaaaaaaaaaaaaaa", header: bearer(admin)}); rec.Code != 404 {
		t.Fatalf("unknown key id: %d", rec.Code)
	}
	// The audit trail names the key of every call, refused ones included.
	es, err := store.Find(context.Background(), audit.Query{Actor: k.ID})
	if err != nil || len(es) != 5 { // three lookups, two usage reads
		t.Fatalf("entries of %s: %d %v", k.ID, len(es), err)
	}
	es, _ = store.Find(context.Background(), audit.Query{})
	var denied, revokes int
	for _, e := range es {
		if e.Status == 401 && e.Actor == audit.ActorOpen {
			denied++
		}
		if e.Operation == "revokeKey" && e.Target == k.ID && e.Actor == adminID {
			revokes++
		}
	}
	if denied != 2 || revokes != 1 {
		t.Errorf("denied %d, revokes %d; want 2 and 1: %+v", denied, revokes, es)
	}
}
