package privacy_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// waitFor polls cond (a hang guard, not a speed assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestEraseAcrossReplicas: two replicas sharing Redis have looked up the
// same person under two spellings of her address (both answer repeats
// from memory). An erasure on one of them, by a third spelling, leaves
// neither able to serve her from any cache: the next lookups on both go
// upstream again for everything derived from her (the email's account and
// the username it links to), while the free-mail provider's domain
// evidence, which is not hers, stays cached.
func TestEraseAcrossReplicas(t *testing.T) {
	w := newWorld(t, 2, true)
	a, b := w.replicas[0], w.replicas[1]
	inA := pipeline.Input{Email: "jane.doe+news@gmail.com"}
	inB := pipeline.Input{Email: "janedoe@gmail.com"}
	lookup(t, a, inA)
	lookup(t, b, inB)
	// Repeats come from each replica's memory: no upstream request.
	before := w.up.total()
	for range 2 {
		lookup(t, a, inA)
		lookup(t, b, inB)
		lookup(t, b, inA) // from Redis, then memory
	}
	if got := w.up.total(); got != before {
		t.Fatalf("repeats went upstream: %d requests", got-before)
	}
	forum, mailbox, domain := w.up.count("forum"), w.up.count("mailbox"), w.up.count("domaininfo")
	if forum == 0 || mailbox == 0 || domain == 0 {
		t.Fatalf("the lookups did not reach every source: forum %d mailbox %d domaininfo %d", forum, mailbox, domain)
	}

	sub, err := a.priv.Identify("Jane.Doe+other@googlemail.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	hooks := b.purges.Load()
	r, err := a.priv.Erase(t.Context(), sub, "admin")
	if err != nil {
		t.Fatal(err)
	}
	// mailbox for both spellings, forum for the linked username.
	if r.Erased.CacheEntries != 3 || r.SubjectHash != sub.Hashes[0] || r.ID == "" {
		t.Fatalf("receipt %+v, want 3 cache entries", r)
	}
	if got, err := w.store.Receipt(t.Context(), r.ID); err != nil || got.Erased != r.Erased {
		t.Fatalf("stored receipt %+v, %v", got, err)
	}
	waitFor(t, "replica b hears the purge", func() bool { return b.purges.Load() > hooks })

	for _, c := range []struct {
		r  *replica
		in pipeline.Input
	}{{a, inA}, {b, inB}, {a, inB}, {b, inA}} {
		m, f := w.up.count("mailbox"), w.up.count("forum")
		p := lookup(t, c.r, c.in)
		if w.up.count("mailbox") != m+1 || statusOf(p, "mailbox").Cached {
			t.Errorf("%s: mailbox served from cache after the erasure", c.in.Email)
		}
		if w.up.count("forum") != f+1 || statusOf(p, "forum").Cached {
			t.Errorf("%s: forum (the linked username) served from cache after the erasure", c.in.Email)
		}
		// The next one refills the caches; erase again for the next case.
		hooks := b.purges.Load()
		if _, err := a.priv.Erase(t.Context(), sub, "admin"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "replica b hears the purge", func() bool { return b.purges.Load() > hooks })
	}
	if w.up.count("domaininfo") != domain {
		t.Errorf("gmail.com's domain evidence was erased (%d → %d requests): it is the provider's, not the subject's", domain, w.up.count("domaininfo"))
	}
}

// TestSuppressedNeverUpstream: a suppressed subject causes zero upstream
// requests in lookups (either spelling, either replica), batch items and
// job rows; the answer says so, every network source is skipped with the
// reason suppressed, no accounts or scores are returned, and the offline
// syntax check still runs. Lifting the suppression lets lookups through.
// Either way of checking: asking the store on every lookup, or the list
// in memory that serve keeps (replica b then honours the suppression once
// it heard the broadcast).
func TestSuppressedNeverUpstream(t *testing.T) {
	t.Run("store", func(t *testing.T) { testSuppressedNeverUpstream(t, worldOptions{}) })
	t.Run("memory", func(t *testing.T) { testSuppressedNeverUpstream(t, worldOptions{redis: true, inMemory: true}) })
}

func testSuppressedNeverUpstream(t *testing.T, o worldOptions) {
	w := newWorldWith(t, 2, o)
	a, b := w.replicas[0], w.replicas[1]
	in := pipeline.Input{Email: "jane.doe@gmail.com"}
	lookup(t, a, in) // cached and remembered before the suppression
	sub, err := a.priv.Identify("Jane.Doe+x@googlemail.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	sp, created, err := a.priv.Suppress(t.Context(), sub, "objection", "admin")
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if o.inMemory {
		waitFor(t, "replica b hears the suppression", func() bool {
			got, err := b.priv.Suppressed(t.Context(), sub.Email, nil)
			return err == nil && got
		})
	}
	before := w.up.total()
	for _, r := range []*replica{a, b} {
		for _, email := range []string{"jane.doe@gmail.com", "janedoe+shop@gmail.com"} {
			p := lookup(t, r, pipeline.Input{Email: email, Options: pipeline.Options{Cache: "refresh"}})
			if !p.Suppressed || len(p.Accounts) != 0 || p.Interests != nil || p.Email == nil || !p.Email.Valid {
				t.Errorf("%s: suppressed profile %+v", email, p)
			}
			for _, n := range []string{"mailbox", "forum", "domaininfo"} {
				if st := statusOf(p, n); st.Status != "skipped" || st.Detail != pipeline.SkipSuppressed {
					t.Errorf("%s: %s is %s (%s), want skipped: suppressed", email, n, st.Status, st.Detail)
				}
			}
			if st := statusOf(p, "syntax"); st.Status != "ok" {
				t.Errorf("%s: the offline check did not run: %+v", email, st)
			}
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{`"risk":`, `"verification":`, `"interests":`, `"influence":`} {
				if bytes.Contains(b, []byte(key)) {
					t.Errorf("suppressed profile JSON has %s: %s", key, b)
				}
			}
			if !bytes.Contains(b, []byte(`"suppressed":true`)) {
				t.Errorf("suppressed profile JSON: %s", b)
			}
		}
	}

	// A batch through the API.
	srv := api.New(api.Config{Privacy: a.priv}, a.svc)
	body := `{"items":[{"email":"jane.doe@gmail.com"},{"email":"JaneDoe+b@gmail.com"}]}`
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/enrich/batch", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 || strings.Count(rec.Body.String(), `"suppressed":true`) != 2 {
		t.Errorf("batch: %d %s", rec.Code, rec.Body)
	}

	// A job.
	m, err := jobs.New(jobs.Config{Dir: t.TempDir(), Enricher: a.svc, Concurrency: 2, ValidateOptions: a.svc.ValidateOptions})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	j, err := m.Create(t.Context(), jobs.CreateRequest{Format: jobs.FormatCSV, Body: strings.NewReader("email\njane.doe@gmail.com\njane.doe+x@googlemail.com\n")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job ends", func() bool { g, _ := m.Get(t.Context(), j.ID); return g.State.Final() })
	var out bytes.Buffer
	if err := m.Results(t.Context(), j.ID, jobs.FormatNDJSON, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), `"suppressed":true`) != 2 {
		t.Errorf("job rows: %s", out.String())
	}
	if got := w.up.total(); got != before {
		t.Fatalf("suppressed subject: %d upstream requests", got-before)
	}

	if err := a.priv.Unsuppress(t.Context(), sp.ID); err != nil {
		t.Fatal(err)
	}
	if o.inMemory {
		waitFor(t, "replica b hears the suppression lifted", func() bool {
			got, err := b.priv.Suppressed(t.Context(), sub.Email, nil)
			return err == nil && !got
		})
	}
	if p := lookup(t, b, pipeline.Input{Email: "jane.doe@gmail.com", Options: pipeline.Options{Cache: "refresh"}}); p.Suppressed || w.up.total() == before {
		t.Error("lifting the suppression did not let the lookup through")
	}
}

// TestPurposeGatesOutputs: each purpose returns only its blocks (the
// others are named in withheld and absent from the JSON), a denied source
// is skipped without a request, and the response names the purpose.
func TestPurposeGatesOutputs(t *testing.T) {
	w := newWorld(t, 1, false)
	st := w.store
	purposes := privacy.DefaultPurposes()
	mk := purposes["marketing"]
	mk.DeniedSources = []string{"forum"}
	purposes["marketing"] = mk
	r := w.replicas[0]
	priv, err := privacy.New(privacy.Config{Store: st, Hasher: subject.NewHasher([]byte("0123456789abcdef")), Purposes: purposes, DefaultPurpose: "identity_verification", Engine: r.engine})
	if err != nil {
		t.Fatal(err)
	}
	svc := pipeline.New(r.engine, pipeline.Config{Privacy: priv})
	for _, c := range []struct {
		purpose, want string
		shown, hidden []string
	}{
		{"", "identity_verification", []string{"risk", "verification"}, []string{"interests", "influence"}},
		{"fraud_prevention", "fraud_prevention", []string{"risk", "verification"}, []string{"interests", "influence"}},
		{"marketing", "marketing", []string{"interests", "influence"}, []string{"risk", "verification"}},
		{"analytics", "analytics", []string{"interests", "influence"}, []string{"risk", "verification"}},
	} {
		for range 2 { // the second answer comes from the fast path
			forum := w.up.count("forum")
			p, err := svc.Enrich(t.Context(), pipeline.Input{Email: "jane@example.org", Options: pipeline.Options{Purpose: c.purpose}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(p)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["purpose"] != c.want {
				t.Errorf("%q: purpose %v, want %s", c.purpose, m["purpose"], c.want)
			}
			for _, k := range c.shown {
				if _, ok := m[k]; !ok {
					t.Errorf("%s: %s missing", c.want, k)
				}
			}
			for _, k := range c.hidden {
				if _, ok := m[k]; ok || !p.Withholds(k) {
					t.Errorf("%s: %s returned", c.want, k)
				}
			}
			if c.want == "marketing" {
				if s := statusOf(p, "forum"); s.Status != "skipped" || !strings.Contains(s.Detail, "purpose marketing") || w.up.count("forum") != forum {
					t.Errorf("marketing: forum %+v, %d requests", s, w.up.count("forum")-forum)
				}
			}
		}
	}
	_, err = svc.Enrich(t.Context(), pipeline.Input{Email: "jane@example.org", Options: pipeline.Options{Purpose: "curiosity"}})
	var ie *pipeline.InputError
	if !asInput(err, &ie) || ie.Status != 400 || !slices.ContainsFunc(ie.Errors, func(f pipeline.FieldError) bool { return f.Field == "options.purpose" }) {
		t.Errorf("unknown purpose: %v", err)
	}
}

func asInput(err error, ie **pipeline.InputError) bool {
	e, ok := err.(*pipeline.InputError)
	*ie = e
	return ok
}

// TestHashesOfProfile: the subject hashes a lookup carries (hashed once
// by the pipeline, pipeline.SubjectHasher) are those of its normalized
// subject, on a first lookup, a repeat the fast path answers and a
// suppressed one.
func TestHashesOfProfile(t *testing.T) {
	w := newWorldWith(t, 1, worldOptions{})
	r := w.replicas[0]
	sub, err := r.priv.Identify("jane.doe@gmail.com", "+1 415 555 2671", "")
	if err != nil {
		t.Fatal(err)
	}
	in := pipeline.Input{Email: "Jane.Doe+x@googlemail.com", Phone: "(415) 555-2671", Country: "US"}
	check := func(what string) {
		t.Helper()
		p := lookup(t, r, in)
		if got := p.SubjectHashes(); !slices.Equal(got, sub.Hashes) {
			t.Errorf("%s: profile carries %v, want %v", what, got, sub.Hashes)
		}
		if got := r.priv.HashesOf(p); !slices.Equal(got, sub.Hashes) {
			t.Errorf("%s: HashesOf %v, want %v", what, got, sub.Hashes)
		}
	}
	check("first lookup")
	check("repeat")
	check("repeat from the fast path")
	if _, _, err := r.priv.Suppress(t.Context(), sub, "objection", "admin"); err != nil {
		t.Fatal(err)
	}
	check("suppressed")
	if p := lookup(t, r, in); !p.Suppressed {
		t.Error("the subject's suppression was not applied")
	}
	// A profile the pipeline did not hash (nil) is hashed from its subject.
	p := lookup(t, r, in)
	bare := &pipeline.Profile{Subject: p.Subject}
	if got := r.priv.HashesOf(bare); !slices.Equal(got, sub.Hashes) {
		t.Errorf("unhashed profile: HashesOf %v, want %v", got, sub.Hashes)
	}
}
