package client_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/client"
	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// source is an offline source that finds one account.
type source struct{}

func (source) Describe() enrichers.Description {
	return enrichers.Description{Name: "profiles", Description: "test profiles", Version: 1,
		Inputs: []enrichers.Kind{enrichers.KindEmail}, RatePerS: 100, Burst: 10, Timeout: time.Second}
}

func (source) Enrich(context.Context, enrichers.Identifier) (*enrichers.Finding, error) {
	return &enrichers.Finding{Accounts: []enrichers.Account{{Username: "janedoe", Method: "email_search", Verified: true}}}, nil
}

// newClient serves the real API (over the real pipeline and one offline
// source) and returns a generated client for it.
func newClient(t *testing.T) *client.ClientWithResponses {
	t.Helper()
	reg := engine.NewRegistry()
	reg.Register(source{})
	eng, err := engine.New(reg, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{}, pipeline.New(eng, pipeline.Config{})))
	t.Cleanup(srv.Close)
	c, err := client.NewClientWithResponses(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// TestEveryOperation calls every operation of the contract through the
// generated client and checks it decodes the server's answers.
func TestEveryOperation(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	ctx := context.Background()

	enr, err := c.EnrichWithResponse(ctx, &client.EnrichParams{XRequestID: ptr("req-1")}, client.EnrichRequest{
		Email:   ptr("Jane.Doe@Example.com"),
		Options: &client.EnrichOptions{TimeoutMs: ptr(2000), MinMatch: ptr(0.5)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if enr.JSON200 == nil {
		t.Fatalf("enrich: %s %s", enr.Status(), enr.Body)
	}
	p := enr.JSON200
	if p.Subject.Email == nil || p.Subject.Email.Address != "jane.doe@example.com" || len(p.Accounts) != 1 || p.Accounts[0].Username != "janedoe" {
		t.Errorf("profile: %s", enr.Body)
	}
	if len(p.Sources) != 1 || p.Sources[0].Status != client.StatusOk {
		t.Errorf("sources: %+v", p.Sources)
	}
	if enr.Headers200 == nil || enr.Headers200.XRequestID != "req-1" {
		t.Errorf("X-Request-ID not echoed: %+v", enr.Headers200)
	}

	bad, err := c.EnrichWithResponse(ctx, nil, client.EnrichRequest{Email: ptr("not an email")})
	if err != nil {
		t.Fatal(err)
	}
	if pr := bad.ApplicationproblemJSON400; pr == nil || pr.Status != 400 || pr.Errors == nil || (*pr.Errors)[0].Field != "email" {
		t.Errorf("invalid email: %s %s", bad.Status(), bad.Body)
	}
	unknown, err := c.EnrichWithResponse(ctx, nil, client.EnrichRequest{Email: ptr("a@b.co"), Options: &client.EnrichOptions{Sources: &[]string{"nope"}}})
	if err != nil {
		t.Fatal(err)
	}
	if unknown.ApplicationproblemJSON422 == nil {
		t.Errorf("unknown source: %s %s", unknown.Status(), unknown.Body)
	}

	src, err := c.ListSourcesWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if src.JSON200 == nil || len(src.JSON200.Sources) != 1 || src.JSON200.Sources[0].Breaker.State != client.BreakerStateClosed {
		t.Errorf("sources: %s %s", src.Status(), src.Body)
	}

	live, err := c.CheckLivenessWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if live.JSON200 == nil || live.JSON200.Status != client.LivenessStatusOk {
		t.Errorf("healthz: %s %s", live.Status(), live.Body)
	}
	ready, err := c.CheckReadinessWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ready.JSON200 == nil || ready.JSON200.Status != client.ReadinessStatusReady {
		t.Errorf("readyz: %s %s", ready.Status(), ready.Body)
	}

	y, err := c.GetOpenAPIYAMLWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if y.YAML200 == nil || y.YAML200.Openapi != "3.0.3" {
		t.Errorf("openapi.yaml: %s", y.Status())
	}
	j, err := c.GetOpenAPIJSONWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j.JSON200 == nil || j.JSON200.Openapi != "3.0.3" {
		t.Errorf("openapi.json: %s", j.Status())
	}

	page, err := c.GetDocsPageWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode() != 200 || !strings.Contains(string(page.Body), "<redoc") || page.Headers200 == nil || page.Headers200.ETag == "" {
		t.Fatalf("docs: %s", page.Status())
	}
	again, err := c.GetDocsPageWithResponse(ctx, &client.GetDocsPageParams{IfNoneMatch: &page.Headers200.ETag})
	if err != nil {
		t.Fatal(err)
	}
	if again.StatusCode() != 304 || again.Headers304 == nil || again.Headers304.ETag != page.Headers200.ETag {
		t.Errorf("docs revalidation: %s", again.Status())
	}
	js, err := c.GetDocsScriptWithResponse(ctx, &client.GetDocsScriptParams{V: ptr("x")})
	if err != nil {
		t.Fatal(err)
	}
	if js.StatusCode() != 200 || len(js.Body) < 100_000 || !strings.Contains(js.Headers200.CacheControl, "immutable") {
		t.Errorf("docs script: %s, %d bytes", js.Status(), len(js.Body))
	}
}
