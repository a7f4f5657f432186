package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/subject"
	"github.com/footprint-oss/footprint/openapi"
	"github.com/footprint-oss/footprint/scoring"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// clock is the fixed time every test engine and pipeline see.
var clock = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

func now() time.Time { return clock }

// ---------------------------------------------------------------- sources

// fakeSource is an in-memory enrichers.Enricher.
type fakeSource struct {
	desc enrichers.Description
	fn   func(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error)
}

func (f *fakeSource) Describe() enrichers.Description { return f.desc }
func (f *fakeSource) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	return f.fn(ctx, id)
}

// testSources are five sources covering ok, skipped (wrong input kind),
// rate_limited and disabled (needs a key).
func testSources() []enrichers.Enricher {
	desc := func(name string, network bool, in ...enrichers.Kind) enrichers.Description {
		return enrichers.Description{Name: name, Description: "test source " + name, Version: 1,
			Inputs: in, Network: network, RatePerS: 100, Burst: 10, Timeout: time.Second}
	}
	paid := desc("paid", true, enrichers.KindEmail)
	paid.RequiresKey = true
	return []enrichers.Enricher{
		&fakeSource{desc: desc("mailcheck", false, enrichers.KindEmail), fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
			domain := id.Value[strings.LastIndexByte(id.Value, '@')+1:]
			return &enrichers.Finding{
				Email: &enrichers.EmailFacts{Valid: true, Domain: domain},
				DNS:   &enrichers.DNSFacts{MX: []string{"mx." + domain + "."}, HasMX: true},
			}, nil
		}},
		&fakeSource{desc: desc("profiles", true, enrichers.KindEmail), fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
			return &enrichers.Finding{Accounts: []enrichers.Account{{
				Username: "janedoe", URL: "https://profiles.test/janedoe", DisplayName: "Jane Doe",
				Followers: enrichers.Int64(12), Method: "email_search", Verified: true,
			}}}, nil
		}},
		&fakeSource{desc: desc("phonecheck", false, enrichers.KindPhone), fn: func(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
			return &enrichers.Finding{Phone: &enrichers.PhoneFacts{Valid: true, Possible: true, E164: id.Value, CountryCode: 1, LineType: "mobile"}}, nil
		}},
		&fakeSource{desc: desc("throttled", true, enrichers.KindEmail), fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
			return nil, enrichers.NewSourceError("throttled", enrichers.StatusRateLimited, "upstream answered 429")
		}},
		&fakeSource{desc: paid, fn: func(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
			panic("a disabled source must not be called")
		}},
	}
}

// newEngine builds a real engine over testSources (no I/O).
func newEngine(t *testing.T) *engine.Engine {
	t.Helper()
	reg := engine.NewRegistry()
	reg.Register(testSources()...)
	eng, err := engine.New(reg, engine.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// ---------------------------------------------------------------- enrichers

// fakeEnricher is an Enricher whose Enrich is a function; its engine is real.
type fakeEnricher struct {
	engine *engine.Engine
	fn     func(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error)
}

func (f *fakeEnricher) Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	return f.fn(ctx, in)
}
func (f *fakeEnricher) Engine() *engine.Engine { return f.engine }

// realService is the real data path over testSources.
func realService(t *testing.T) Enricher {
	t.Helper()
	return pipeline.New(newEngine(t), pipeline.Config{Now: now})
}

// fullProfile sets every field a profile can carry, so the golden file and
// the contract check see all of them.
func fullProfile() *pipeline.Profile {
	t := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return &v
	}
	age := int64(42)
	p := &pipeline.Profile{
		GeneratedAt: clock, Simulated: true, Complete: false,
		Subject: pipeline.Subject{
			Email:   &pipeline.SubjectEmail{Address: "jane.doe+news@gmail.com", Canonical: "janedoe@gmail.com", Domain: "gmail.com", Provider: "google"},
			Phone:   &pipeline.SubjectPhone{E164: "+442079460958", Region: "GB", Valid: true},
			Name:    "Jane Doe",
			Country: "GB",
		},
		Derived: pipeline.Derived{Email: &enrichers.EmailFacts{Valid: true, Reason: "-", Domain: "gmail.com", FreeProvider: true, TypoSuggestion: "jane.doe@gmail.com"},
			Phone: &enrichers.PhoneFacts{Valid: true, Possible: true, E164: "+442079460958", National: "020 7946 0958",
				International: "+44 20 7946 0958", Country: "GB", CountryCode: 44, Location: "London", Carrier: "Vodafone",
				LineType: "fixed_line", TimeZones: []string{"Europe/London"}},
			DNS: &enrichers.DNSFacts{MX: []string{"aspmx.l.google.com."}, HasMX: true, SPF: "v=spf1 -all",
				DMARC: "v=DMARC1; p=reject", DMARCPolicy: "reject"},
			Domain:  &enrichers.DomainFacts{Registered: t("1995-08-13T04:00:00Z"), Expires: t("2030-08-13T04:00:00Z"), Registrar: "MarkMonitor Inc.", AgeDays: 10000},
			Company: &enrichers.CompanyFacts{Name: "Example", Description: "Examples.", Language: "en", Industry: "Software", Keywords: []string{"a"}, SocialLinks: []string{"https://x.test/example"}, URL: "https://example.com/"},
			Breach:  &enrichers.BreachFacts{Count: 1, FirstBreach: t("2016-05-17T00:00:00Z"), Names: []string{"ExampleBreach"}},
			Accounts: []enrichers.Account{{
				Source: "profiles", Username: "janedoe", URL: "https://profiles.test/janedoe", DisplayName: "Jane Doe",
				Bio: "bio", Location: "London", Company: "Example", Website: "https://jane.test", Avatar: "https://img.test/j.png",
				CreatedAt: t("2012-03-04T05:06:07Z"), Followers: enrichers.Int64(1), Following: enrichers.Int64(2),
				Karma: enrichers.Int64(3), Stars: enrichers.Int64(4), Repos: enrichers.Int64(5),
				Links: []string{"https://jane.test"}, Tags: []string{"go"}, Method: "email_search", Verified: true,
				Via:   enrichers.Identifier{Kind: enrichers.KindEmail, Value: "jane.doe+news@gmail.com"},
				Match: &enrichers.Match{Probability: 0.97, Method: "email_match", Evidence: []string{"the platform matched the email"}},
			}, {
				Source: "profiles", Username: "jdoe", Method: "username_guess",
				Match: &enrichers.Match{Probability: 0.2, Method: "username_guess"}, // nil evidence serializes as null
			}}},
	}
	for _, st := range []enrichers.Status{enrichers.StatusOK, enrichers.StatusNotFound, enrichers.StatusSkipped,
		enrichers.StatusTimeout, enrichers.StatusRateLimited, enrichers.StatusCircuitOpen, enrichers.StatusBlocked, enrichers.StatusError} {
		ss := pipeline.SourceStatus{Name: "src_" + string(st), Status: st, LatencyMS: 7, Detail: "detail", Cached: true}
		if st == enrichers.StatusOK {
			ss.FetchedAt, ss.AgeS = t("2025-01-02T03:03:23Z"), &age
		}
		p.Sources = append(p.Sources, ss)
	}
	p.DNS.NullMX = false
	yes, match := true, 0.93
	p.Interests = []scoring.Interest{{ID: "software_dev", Name: "Software development", Probability: 0.83,
		Evidence: []scoring.Contribution{{Source: "profiles", Account: "profiles/janedoe", Signal: "tag: go", Contribution: 0.42}}}}
	p.Influence = scoring.InfluenceScore{Score: 0.4, Tier: "none", ProbabilityInfluencer: 0, Reach: scoring.Reach{Expected: 0.97, Low: 1, High: 1},
		Evidence: []scoring.Contribution{{Source: "profiles", Account: "profiles/janedoe", Signal: "followers", Contribution: 0.97}}}
	p.Risk = scoring.RiskScore{Probability: 0.04, Score: 4, Verdict: "approve",
		Reasons: []scoring.Reason{{Code: "footprint_breadth", Description: "Accounts matched to the identity.", Contribution: -0.8}}}
	p.Verification = scoring.VerificationResult{EmailDeliverable: &yes, PhoneValid: &yes, NameMatch: &match, FirstSeen: t("2012-03-04T05:06:07Z")}
	return p
}

// ---------------------------------------------------------------- logging

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes the JSON log lines.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// ---------------------------------------------------------------- requests

type request struct {
	method, path string
	body         string
	header       map[string]string // Content-Type defaults to application/json when there is a body
	chunked      bool              // send without Content-Length
}

// do serves r and checks the response against the contract.
func do(t *testing.T, h http.Handler, r request) *httptest.ResponseRecorder {
	t.Helper()
	req, rec := serve(h, r)
	checkContract(t, req, rec)
	return rec
}

// serve serves r without checking the answer.
func serve(h http.Handler, r request) (*http.Request, *httptest.ResponseRecorder) {
	var body io.Reader = http.NoBody
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	if r.chunked {
		req.ContentLength = -1
		req.Body = io.NopCloser(req.Body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return req, rec
}

// contract is the embedded spec and an independent router over it (kin's
// legacy router, not the server's gin routes).
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

// loadContract parses the contract once per test binary; validators only
// read it.
var loadContractOnce = sync.OnceValues(func() (contract, error) {
	// The docs and console routes answer HTML, JavaScript, CSS and SVG,
	// job results CSV and NDJSON: validate them as strings.
	// (kin-openapi keeps decoders in a package-level registry; this is the
	// only place the tests touch it, once per test binary.)
	for _, mt := range []string{"text/html", "text/javascript", "text/css", "image/svg+xml", "text/csv", "application/x-ndjson"} {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.FileBodyDecoder)
	}
	doc, err := openapi.Load()
	if err != nil {
		return contract{}, err
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return contract{}, err
	}
	return contract{doc: doc, router: r}, nil
})

func loadContract(t *testing.T) contract {
	t.Helper()
	c, err := loadContractOnce()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkContract validates a response against openapi.yaml: status,
// headers and body of the operation when the request matched one
// (IncludeResponseStatus: an undocumented status fails), else the body
// against the Problem schema (404, 405).
func checkContract(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	c := loadContract(t)
	id := rec.Header().Get(headerRequestID)
	if !saneRequestID(id) {
		t.Errorf("%s %s: X-Request-ID %q is not sane", req.Method, req.URL.Path, id)
	}
	route, params, err := c.router.FindRoute(req)
	if err == nil && !strings.Contains(route.Path, "{") && route.Path != req.URL.Path {
		err = routers.ErrPathNotFound // kin's router forgives a trailing slash; the server does not
	}
	if err != nil {
		if !errors.Is(err, routers.ErrPathNotFound) && !errors.Is(err, routers.ErrMethodNotAllowed) {
			var re *routers.RouteError
			if !errors.As(err, &re) {
				t.Fatalf("find route: %v", err)
			}
		}
		if ct := rec.Header().Get("Content-Type"); ct != mimeProblem {
			t.Errorf("%s %s: unrouted answer has Content-Type %q, want %s", req.Method, req.URL.Path, ct, mimeProblem)
		}
		var v any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v", req.Method, req.URL.Path, err)
		}
		if err := c.doc.Components.Schemas["Problem"].Value.VisitJSON(v, openapi3.VisitAsResponse()); err != nil {
			t.Errorf("%s %s: body is not a Problem: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d does not match the contract: %v\nbody: %s", req.Method, req.URL.Path, rec.Code, err, rec.Body)
	}
}

// decodeProblem decodes a problem body.
func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != mimeProblem {
		t.Fatalf("Content-Type = %q, want %s; body %s", ct, mimeProblem, rec.Body)
	}
	var p problem
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body: %v: %s", err, rec.Body)
	}
	if p.Status != rec.Code {
		t.Errorf("problem status %d != HTTP status %d", p.Status, rec.Code)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get(headerRequestID) {
		t.Errorf("problem request_id %q != X-Request-ID %q", p.RequestID, rec.Header().Get(headerRequestID))
	}
	return p
}

func fieldsOf(p problem) []string {
	out := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	sort.Strings(out)
	return out
}

// golden compares the response (status, selected headers, indented body)
// with testdata/<name>.golden; -update rewrites it.
func golden(t *testing.T, name string, rec *httptest.ResponseRecorder) {
	t.Helper()
	var b strings.Builder
	b.WriteString(fmt.Sprintf("HTTP %d %s\n", rec.Code, http.StatusText(rec.Code)))
	for _, h := range []string{"Allow", "Content-Type", headerRequestID} {
		if v := rec.Header().Get(h); v != "" {
			b.WriteString(h + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, rec.Body.Bytes(), "", "  "); err != nil {
		pretty.Reset()
		pretty.Write(rec.Body.Bytes())
	}
	b.Write(pretty.Bytes())
	b.WriteString("\n")
	got := b.String()

	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// hangGuard bounds a wait for a signal, so a broken test fails with a
// message instead of hanging; a passing run never comes near it.
const hangGuard = time.Minute

// webhooks is an in-memory webhook receiver for a job engine: every
// delivered payload lands on its channel, and the delivery succeeds.
type webhooks chan jobs.WebhookPayload

func (h webhooks) configure(cfg *jobs.Config) {
	cfg.HTTPClient = &http.Client{Transport: h}
	cfg.WebhookSecret = "test-webhook-secret"
}

func (h webhooks) RoundTrip(r *http.Request) (*http.Response, error) {
	var p jobs.WebhookPayload
	err := json.NewDecoder(r.Body).Decode(&p)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	select {
	case h <- p:
	default: // nobody is listening for that many
	}
	return &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// final waits for the webhook saying that job id is final.
func (h webhooks) final(t *testing.T, id string) jobs.WebhookPayload {
	t.Helper()
	for {
		select {
		case p := <-h:
			if p.Job.ID == id && p.Job.State.Final() {
				return p
			}
		case <-time.After(hangGuard):
			t.Fatalf("no final webhook for job %s within %v", id, hangGuard)
		}
	}
}

// realJobs is a job engine over svc in a temporary data folder, running
// until the test ends.
func realJobs(t *testing.T, svc jobs.Enricher, configure ...func(*jobs.Config)) *jobs.Manager {
	t.Helper()
	cfg := jobs.Config{Dir: t.TempDir(), Enricher: svc, RetryBackoff: time.Millisecond}
	if v, ok := svc.(interface{ ValidateOptions(pipeline.Options) error }); ok {
		cfg.ValidateOptions = v.ValidateOptions
	}
	for _, f := range configure {
		f(&cfg)
	}
	m, err := jobs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

// realPrivacy is a privacy service over svc's engine with an embedded
// store in a temporary folder.
func realPrivacy(t *testing.T, svc Enricher) *privacy.Service {
	t.Helper()
	return newPrivacy(t, svc.Engine(), nil)
}

// privateService is realService with suppressions and purposes, over
// the privacy service it returns (whose export reads store).
func privateService(t *testing.T, store audit.Store) (Enricher, *privacy.Service) {
	t.Helper()
	eng := newEngine(t)
	p := newPrivacy(t, eng, store)
	return pipeline.New(eng, pipeline.Config{Now: now, Privacy: p}), p
}

func newPrivacy(t *testing.T, eng *engine.Engine, store audit.Store) *privacy.Service {
	t.Helper()
	st, err := privacy.OpenBolt(filepath.Join(t.TempDir(), "privacy.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	p, err := privacy.New(privacy.Config{Store: st, Hasher: subject.NewHasher([]byte("0123456789abcdef-api-tests")), Engine: eng, Audit: store})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
