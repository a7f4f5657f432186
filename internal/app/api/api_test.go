package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

const (
	testEmail = "jane.doe@example.com"
	testPhone = "+14155550123"
)

// TestEndpoints runs every route and every error path through the real
// pipeline (over in-memory sources) or, where the API alone is under test,
// a stub. Every response is checked against openapi.yaml by do; API-owned
// answers are also compared with golden files.
func TestEndpoints(t *testing.T) {
	big := `{"email":"` + strings.Repeat("a", 200<<10) + `@example.com"}`
	cases := []struct {
		name       string
		stub       bool // serve fullProfile instead of the real pipeline
		req        request
		wantStatus int
		wantFields []string // errors[].field of a problem, sorted
		golden     bool
	}{
		// 200s
		{name: "enrich_full_profile", stub: true, req: post(`{"email":"` + testEmail + `"}`), wantStatus: 200, golden: true},
		{name: "enrich_email", req: post(`{"email":"` + testEmail + `","name":"Jane Doe"}`), wantStatus: 200},
		{name: "enrich_phone_no_accounts", req: post(`{"phone":"` + testPhone + `"}`), wantStatus: 200},
		{name: "enrich_all_options", req: post(`{"email":"` + testEmail + `","phone":"` + testPhone + `","name":"Jane","country":"us","options":{"timeout_ms":2000,"sources":["mailcheck","profiles"],"exclude_sources":["throttled"],"min_match":0.1,"include_candidates":true}}`), wantStatus: 200},
		{name: "enrich_charset_utf8", req: postCT(`{"email":"`+testEmail+`"}`, "application/json; charset=UTF-8"), wantStatus: 200},
		{name: "enrich_media_type_case", req: postCT(`{"email":"`+testEmail+`"}`, "Application/JSON"), wantStatus: 200},
		{name: "sources", req: get("/v1/sources"), wantStatus: 200, golden: true},
		{name: "healthz", req: get("/healthz"), wantStatus: 200, golden: true},
		{name: "readyz", req: get("/readyz"), wantStatus: 200, golden: true},
		{name: "openapi_yaml", req: get("/openapi.yaml"), wantStatus: 200},
		{name: "openapi_json", req: get("/openapi.json"), wantStatus: 200},

		// 400: the contract (before the pipeline)
		{name: "unknown_field", req: post(`{"email":"` + testEmail + `","emial":"x"}`), wantStatus: 400, wantFields: []string{"emial"}, golden: true},
		{name: "unknown_nested_field", req: post(`{"email":"` + testEmail + `","options":{"timeout":5}}`), wantStatus: 400, wantFields: []string{"options.timeout"}},
		{name: "wrong_type", req: post(`{"email":42}`), wantStatus: 400, wantFields: []string{"email"}, golden: true},
		{name: "null_value", req: post(`{"email":null}`), wantStatus: 400, wantFields: []string{"email"}},
		{name: "timeout_too_large", req: post(`{"email":"` + testEmail + `","options":{"timeout_ms":50000}}`), wantStatus: 400, wantFields: []string{"options.timeout_ms"}, golden: true},
		{name: "timeout_too_small", req: post(`{"email":"` + testEmail + `","options":{"timeout_ms":5}}`), wantStatus: 400, wantFields: []string{"options.timeout_ms"}},
		{name: "timeout_fraction", req: post(`{"email":"` + testEmail + `","options":{"timeout_ms":3000.5}}`), wantStatus: 400, wantFields: []string{"options.timeout_ms"}},
		{name: "timeout_exponent", req: post(`{"email":"` + testEmail + `","options":{"timeout_ms":1e3}}`), wantStatus: 400, wantFields: []string{"options.timeout_ms"}},
		{name: "source_item_type", req: post(`{"email":"` + testEmail + `","options":{"sources":["mailcheck",7]}}`), wantStatus: 400, wantFields: []string{"options.sources[1]"}},
		{name: "bad_country", req: post(`{"phone":"020 7946 0958","country":"GBR"}`), wantStatus: 400, wantFields: []string{"country"}},
		{name: "many_errors", req: post(`{"email":1,"phone":2,"zzz":3,"options":{"timeout_ms":"x","min_match":2}}`), wantStatus: 400,
			wantFields: []string{"email", "options.min_match", "options.timeout_ms", "phone", "zzz"}, golden: true},
		{name: "body_not_object", req: post(`["` + testEmail + `"]`), wantStatus: 400, wantFields: []string{""}},
		{name: "malformed_json", req: post(`{"email":`), wantStatus: 400, golden: true},
		{name: "syntax_error", req: post(`{"email" "x"}`), wantStatus: 400},
		{name: "trailing_data", req: post(`{"email":"` + testEmail + `"} {}`), wantStatus: 400},
		{name: "not_utf8", req: post("{\"email\":\"\xff\"}"), wantStatus: 400},
		{name: "empty_body", req: request{method: "POST", path: "/v1/enrich", header: map[string]string{"Content-Type": "application/json"}}, wantStatus: 400},

		// 400 from the pipeline
		{name: "not_an_email", req: post(`{"email":"not-an-email"}`), wantStatus: 400, wantFields: []string{"email"}},
		{name: "empty_object", req: post(`{}`), wantStatus: 400, wantFields: []string{"email"}},
		{name: "empty_strings", req: post(`{"email":"","phone":""}`), wantStatus: 400, wantFields: []string{"email"}},

		// 413, 415
		{name: "too_large", req: post(big), wantStatus: 413, golden: true},
		{name: "too_large_chunked", req: request{method: "POST", path: "/v1/enrich", body: big, chunked: true}, wantStatus: 413},
		{name: "text_plain", req: postCT(`{"email":"`+testEmail+`"}`, "text/plain"), wantStatus: 415, golden: true},
		{name: "no_content_type", req: postCT(`{"email":"`+testEmail+`"}`, ""), wantStatus: 415},
		{name: "latin1", req: postCT(`{"email":"`+testEmail+`"}`, "application/json; charset=iso-8859-1"), wantStatus: 415},
		{name: "form", req: postCT(`email=`+testEmail, "application/x-www-form-urlencoded"), wantStatus: 415},

		// 422 from the pipeline
		{name: "unknown_source", req: post(`{"email":"` + testEmail + `","options":{"sources":["myspace"]}}`), wantStatus: 422, wantFields: []string{"options.sources[0]"}},
		{name: "unknown_excluded_source", req: post(`{"email":"` + testEmail + `","options":{"exclude_sources":["mailcheck","myspace"]}}`), wantStatus: 422, wantFields: []string{"options.exclude_sources[1]"}},
		{name: "everything_excluded", req: post(`{"email":"` + testEmail + `","options":{"sources":["mailcheck"],"exclude_sources":["mailcheck"]}}`), wantStatus: 422, wantFields: []string{"options.exclude_sources"}},

		// 404, 405
		{name: "get_enrich", req: get("/v1/enrich"), wantStatus: 405, golden: true},
		{name: "post_sources", req: post(`{}`).at("/v1/sources"), wantStatus: 405},
		{name: "unknown_route", req: get("/v1/nope"), wantStatus: 404, golden: true},
		{name: "trailing_slash", req: post(`{"email":"` + testEmail + `"}`).at("/v1/enrich/"), wantStatus: 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log, logs := newLogger()
			svc := realService(t)
			if tc.stub {
				svc = &fakeEnricher{engine: newEngine(t), fn: func(context.Context, pipeline.Input) (*pipeline.Profile, error) {
					return fullProfile(), nil
				}}
			}
			srv := New(Config{Logger: log}, svc)
			if tc.req.header == nil {
				tc.req.header = map[string]string{}
			}
			if _, ok := tc.req.header[headerRequestID]; !ok {
				tc.req.header[headerRequestID] = "test-" + tc.name
			}
			rec := do(t, srv, tc.req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if rec.Code >= 400 {
				p := decodeProblem(t, rec)
				if got := fieldsOf(p); !slices.Equal(got, tc.wantFields) && !(len(got) == 0 && len(tc.wantFields) == 0) {
					t.Errorf("errors[].field = %q, want %q (%s)", got, tc.wantFields, rec.Body)
				}
				if p.Instance != strings.SplitN(tc.req.path, "?", 2)[0] {
					t.Errorf("instance = %q, want the path", p.Instance)
				}
			}
			if tc.golden {
				golden(t, tc.name, rec)
			}
			// Nothing the client sent may reach the logs.
			for _, pii := range []string{testEmail, testPhone, "jane", "4155550123", "aaaaaaaa"} {
				if strings.Contains(strings.ToLower(logs.String()), strings.ToLower(pii)) {
					t.Errorf("logs contain %q:\n%s", pii, logs)
				}
			}
		})
	}
}

func post(body string) request {
	return request{method: "POST", path: "/v1/enrich", body: body}
}

func postCT(body, contentType string) request {
	return request{method: "POST", path: "/v1/enrich", body: body, header: map[string]string{"Content-Type": contentType}}
}

func get(path string) request { return request{method: "GET", path: path} }

func (r request) at(path string) request { r.path = path; return r }

// TestEnrichProfile checks what the real pipeline's answer looks like on
// the wire: statuses, complete, accounts always an array.
func TestEnrichProfile(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	rec := do(t, srv, post(`{"email":"`+testEmail+`","name":"Jane Doe"}`))
	var p map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	for _, s := range p["sources"].([]any) {
		m := s.(map[string]any)
		statuses[m["name"].(string)] = m["status"].(string)
	}
	want := map[string]string{"mailcheck": "ok", "profiles": "ok", "phonecheck": "skipped", "throttled": "rate_limited", "paid": "skipped"}
	for k, v := range want {
		if statuses[k] != v {
			t.Errorf("source %s: status %q, want %q (all: %v)", k, statuses[k], v, statuses)
		}
	}
	if p["complete"] != false {
		t.Errorf("complete = %v, want false (a source was rate limited)", p["complete"])
	}
	if accts, _ := p["accounts"].([]any); len(accts) != 1 {
		t.Errorf("accounts = %v, want the one found", p["accounts"])
	}

	rec = do(t, srv, post(`{"phone":"`+testPhone+`"}`))
	if !strings.Contains(rec.Body.String(), `"accounts":[]`) {
		t.Errorf("no accounts must serialize as [], got %s", rec.Body)
	}
}

// TestEnrichPassesInput checks the decoded input handed to the data path.
func TestEnrichPassesInput(t *testing.T) {
	t.Parallel()
	var got pipeline.Input
	svc := &fakeEnricher{engine: newEngine(t), fn: func(_ context.Context, in pipeline.Input) (*pipeline.Profile, error) {
		got = in
		return fullProfile(), nil
	}}
	do(t, New(Config{}, svc), post(`{"email":"a@b.co","phone":"1","name":"N","country":"fr","options":{"timeout_ms":1500,"sources":["x"],"exclude_sources":["y"],"min_match":0.25,"include_candidates":true}}`))
	if got.Email != "a@b.co" || got.Phone != "1" || got.Name != "N" || got.Country != "fr" ||
		got.Options.TimeoutMS == nil || *got.Options.TimeoutMS != 1500 ||
		!slices.Equal(got.Options.Sources, []string{"x"}) || !slices.Equal(got.Options.ExcludeSources, []string{"y"}) ||
		got.Options.MinMatch == nil || *got.Options.MinMatch != 0.25 || !got.Options.IncludeCandidates {
		t.Errorf("input = %+v", got)
	}
}

// TestRequestID: a sane X-Request-ID is echoed, anything else is replaced
// by a generated one; problem bodies carry the same id.
func TestRequestID(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	cases := []struct {
		name, sent string
		echoed     bool
	}{
		{"sane", "abc-123_X.y", true},
		{"max_length", strings.Repeat("a", 128), true},
		{"too_long", strings.Repeat("a", 129), false},
		{"space", "abc 123", false},
		{"slash", "a/b", false},
		{"newline_escape", "a%0Ab", false},
		{"unicode", "é", false},
		{"absent", "", false},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		for _, path := range []string{"/healthz", "/v1/nope"} {
			rec := do(t, srv, request{method: "GET", path: path, header: map[string]string{headerRequestID: tc.sent}})
			id := rec.Header().Get(headerRequestID)
			switch {
			case tc.echoed && id != tc.sent:
				t.Errorf("%s %s: id %q, want %q echoed", tc.name, path, id, tc.sent)
			case !tc.echoed && (id == tc.sent || len(id) != 36 || seen[id]):
				t.Errorf("%s %s: id %q, want a fresh UUID", tc.name, path, id)
			}
			seen[id] = true
			if rec.Code >= 400 {
				decodeProblem(t, rec) // checks request_id == header
			}
		}
	}
}

// TestPanicIsA500 checks that a panicking enricher gives a logged
// problem+json 500 and the server keeps serving.
func TestPanicIsA500(t *testing.T) {
	t.Parallel()
	log, logs := newLogger()
	svc := &fakeEnricher{engine: newEngine(t), fn: func(_ context.Context, in pipeline.Input) (*pipeline.Profile, error) {
		panic("boom while looking up " + in.Email + " / " + in.Phone)
	}}
	srv := New(Config{Logger: log}, svc)
	rec := do(t, srv, request{method: "POST", path: "/v1/enrich", body: `{"email":"` + testEmail + `","phone":"` + testPhone + `"}`,
		header: map[string]string{headerRequestID: "panic-1"}})
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	p := decodeProblem(t, rec)
	if strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("the panic value leaked to the client: %s", rec.Body)
	}
	golden(t, "panic", rec)
	if rec := do(t, srv, get("/healthz")); rec.Code != 200 {
		t.Errorf("after a panic, /healthz = %d", rec.Code)
	}
	var logged bool
	for _, l := range logs.lines(t) {
		if l["msg"] == "panic serving request" {
			logged = true
			if l["request_id"] != p.RequestID || l["route"] != "/v1/enrich" || !strings.Contains(l["stack"].(string), "api.") {
				t.Errorf("panic log line = %v", l)
			}
		}
	}
	if !logged {
		t.Errorf("panic not logged:\n%s", logs)
	}
	if s := logs.String(); strings.Contains(s, testEmail) || strings.Contains(s, "4155550123") {
		t.Errorf("panic log leaks the request's email or phone:\n%s", s)
	}
}

// TestEnricherErrors checks the data path's other answers: an unexpected
// error and a nil profile are 500s, a canceled client is logged as 499.
func TestEnricherErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fn   func(context.Context, pipeline.Input) (*pipeline.Profile, error)
		want int
	}{
		{"unexpected_error", func(context.Context, pipeline.Input) (*pipeline.Profile, error) {
			return nil, enrichers.NewSourceError("x", enrichers.StatusError, "bad thing for %s", testEmail)
		}, 500},
		{"nil_profile", func(context.Context, pipeline.Input) (*pipeline.Profile, error) { return nil, nil }, 500},
		{"client_gone", func(context.Context, pipeline.Input) (*pipeline.Profile, error) { return nil, context.Canceled }, statusClientClosedRequest},
		{"input_error_odd_status", func(context.Context, pipeline.Input) (*pipeline.Profile, error) {
			return nil, &pipeline.InputError{Status: 200, Errors: []pipeline.FieldError{{Field: "email", Reason: "x"}}}
		}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log, logs := newLogger()
			srv := New(Config{Logger: log}, &fakeEnricher{engine: newEngine(t), fn: tc.fn})
			req := request{method: "POST", path: "/v1/enrich", body: `{"email":"` + testEmail + `"}`}
			var rec *httptest.ResponseRecorder
			if tc.want == statusClientClosedRequest {
				_, rec = serve(srv, req) // nobody receives a 499: no contract check
			} else {
				rec = do(t, srv, req)
			}
			if got := rec.Code; got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
			if strings.Contains(logs.String(), testEmail) {
				t.Errorf("logs leak the email:\n%s", logs)
			}
		})
	}
}

// TestAccessLog checks the access log's fields, and that it carries the
// route pattern, never the raw path, query string or body.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	log, logs := newLogger()
	srv := New(Config{Logger: log}, realService(t))
	do(t, srv, request{method: "POST", path: "/v1/enrich?email=" + testEmail, body: `{"email":"` + testEmail + `"}`,
		header: map[string]string{headerRequestID: "log-1"}})
	do(t, srv, request{method: "GET", path: "/v1/people/" + testEmail + "?phone=" + testPhone, header: map[string]string{headerRequestID: "log-2"}})

	lines := logs.lines(t)
	if len(lines) != 2 {
		t.Fatalf("want 2 access log lines, got:\n%s", logs)
	}
	want := []map[string]any{
		{"msg": "http request", "request_id": "log-1", "method": "POST", "route": "/v1/enrich", "status": float64(200)},
		{"msg": "http request", "request_id": "log-2", "method": "GET", "route": "unmatched", "status": float64(404)},
	}
	for i, w := range want {
		for k, v := range w {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, lines[i][k], v)
			}
		}
		if _, ok := lines[i]["latency_ms"].(float64); !ok {
			t.Errorf("line %d: no latency_ms", i)
		}
		if b, _ := lines[i]["bytes"].(float64); b <= 0 {
			t.Errorf("line %d: bytes = %v", i, lines[i]["bytes"])
		}
	}
	if s := logs.String(); strings.Contains(s, "jane") || strings.Contains(s, "4155550123") {
		t.Errorf("access log leaks PII:\n%s", s)
	}
}

// TestConcurrentRequests: one server, many requests at once (run with -race).
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	reqs := []request{
		post(`{"email":"` + testEmail + `"}`),
		post(`{"email":"` + testEmail + `","zzz":1}`),
		post(`{"email":"` + testEmail + `","country":"g1"}`),
		get("/v1/sources"),
		get("/readyz"),
		get("/v1/enrich"),
	}
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, rec := serve(srv, reqs[i%len(reqs)])
			if rec.Code >= 500 {
				t.Errorf("request %d: %d %s", i, rec.Code, rec.Body)
			}
		}()
	}
	wg.Wait()
}
