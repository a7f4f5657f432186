package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/metrics"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/sim"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// world is the service wired as serve wires it (engine, cache, pipeline,
// API), against an in-process simulated web.
type world struct {
	sim    *sim.Sim
	srv    *api.Server
	engine *engine.Engine
}

// worldOptions: m nil runs without metrics; tracer nil without tracing.
type worldOptions struct {
	m      *metrics.Metrics
	tracer trace.Tracer
}

func newWorld(tb testing.TB, people int, o worldOptions) *world {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := sim.New(sim.Config{Seed: 3, People: people})
	ln, pc, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ctx, ln, pc) }()
	tb.Cleanup(func() { cancel(); <-done })
	u, _ := url.Parse("http://" + ln.Addr().String())
	reg := engine.NewRegistry()
	limits := transport.NewLimiters()
	if err := all.Register(reg, all.Deps{Upstream: u, Unlimited: true, Limiters: limits}); err != nil {
		tb.Fatal(err)
	}
	cfg := map[string]engine.SourceConfig{}
	for _, n := range reg.Names() {
		cfg[n] = engine.SourceConfig{RatePerS: 10000, Burst: 10000}
	}
	c, err := cache.New(cache.Config{Secret: []byte("0123456789abcdef0123456789abcdef"), L1SizeMB: 16})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	opts := engine.Options{Sources: cfg, Limiters: limits, Cache: c, ReusedUsername: identity.ReusedUsername, Tracer: o.tracer}
	ac := api.Config{Tracer: o.tracer}
	if o.m != nil {
		opts.Observer = o.m
		ac.Observer, ac.Metrics = o.m, o.m.Handler()
	}
	e, err := engine.New(reg, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if o.m != nil {
		o.m.Watch(e, c, nil)
	}
	svc := pipeline.New(e, pipeline.Config{Simulated: true})
	return &world{sim: s, srv: api.New(ac, svc), engine: e}
}

// post sends one POST /v1/enrich with body; header is added.
func (w *world) post(tb testing.TB, body string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/enrich", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("POST /v1/enrich: %d %s", rec.Code, rec.Body)
	}
	return rec
}

// scrape GETs /metrics and parses it with the Prometheus text parser.
func (w *world) scrape(tb testing.TB) (map[string]*dto.MetricFamily, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Fatalf("GET /metrics: Content-Type %q", ct)
	}
	body := rec.Body.String()
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		tb.Fatalf("the exposition does not parse: %v", err)
	}
	return fams, body
}

// value sums the samples of family name whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	sum, found := 0.0, false
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		case m.Untyped != nil:
			sum += m.GetUntyped().GetValue()
		}
	}
	return sum, found
}
