package metrics_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/footprint-oss/footprint/internal/app/metrics"
	"github.com/footprint-oss/footprint/internal/harness/sim"
)

// Patterns no label value or span attribute may match.
var (
	emailPattern = regexp.MustCompile(`[^\s@"]+@[^\s@"]+\.[A-Za-z]{2,}`)
	phonePattern = regexp.MustCompile(`\+?\d[\d ().-]{6,}\d`)
)

func body(email string, extra ...string) string {
	b, _ := json.Marshal(map[string]string{"email": email})
	if len(extra) > 0 {
		return strings.TrimSuffix(string(b), "}") + "," + strings.Join(extra, ",") + "}"
	}
	return string(b)
}

// TestScrapeAfterLookups: lookups against the simulated web with one
// source failing move the right counters, the exposition parses with the
// Prometheus text parser, and no label value holds an email, phone or name.
func TestScrapeAfterLookups(t *testing.T) {
	m := metrics.New("test")
	w := newWorld(t, 40, worldOptions{m: m})
	if err := w.sim.SetFault(sim.Fault{Source: "gravatar", ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	people := w.sim.People()[:8]
	for _, p := range people {
		w.post(t, body(p.Email))
	}
	w.post(t, body(people[0].Email))                                               // the memo answers
	w.post(t, body(people[1].Email, `"options":{"exclude_sources":["gravatar"]}`)) // the cache answers

	fams, text := w.scrape(t)
	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"footprint_http_requests_total", map[string]string{"route": "/v1/enrich", "method": "POST", "status": "200"}, 10},
		{"footprint_http_request_duration_seconds", map[string]string{"route": "/v1/enrich", "method": "POST"}, 10},
		// gravatar answers 503: attempts fail as error until its breaker opens…
		{"footprint_upstream_requests_total", map[string]string{"source": "gravatar", "status": "error"}, 5},
		{"footprint_upstream_request_duration_seconds", map[string]string{"source": "gravatar"}, 5},
		{"footprint_breaker_transitions_total", map[string]string{"source": "gravatar", "from": "closed", "to": "open"}, 1},
		// …then calls fail fast.
		{"footprint_source_calls_total", map[string]string{"source": "gravatar", "status": "circuit_open", "cached": "false"}, 1},
		{"footprint_breaker_state", map[string]string{"source": "gravatar"}, 2},
		// Healthy sources answer.
		{"footprint_upstream_requests_total", map[string]string{"status": "ok"}, 1},
		{"footprint_limiter_wait_seconds", map[string]string{"priority": "live"}, 1},
		// The repeats came from the memo and the cache.
		{"footprint_source_calls_total", map[string]string{"cached": "true"}, 1},
		{"footprint_cache_lookups_total", map[string]string{"tier": "all", "result": "hit"}, 1},
		{"footprint_cache_lookups_total", map[string]string{"tier": "l1", "result": "miss"}, 1},
		{"footprint_cache_sets_total", map[string]string{"tier": "l1"}, 1},
		{"footprint_cache_entries", nil, 1},
		{"footprint_cache_bytes", nil, 1},
		{"footprint_build_info", map[string]string{"version": "test"}, 1},
		{"go_goroutines", nil, 1},
		{"process_cpu_seconds_total", nil, 0},
	}
	for _, c := range checks {
		v, ok := value(fams, c.name, c.labels)
		if !ok || v < c.min {
			t.Errorf("%s%v = %v (present %v), want ≥ %v", c.name, c.labels, v, ok, c.min)
		}
	}
	if v, _ := value(fams, "footprint_breaker_state", map[string]string{"source": "github"}); v != 0 {
		t.Errorf("github's breaker state %v, want 0 (closed)", v)
	}
	if v, ok := value(fams, "footprint_upstream_requests_total", map[string]string{"source": "gravatar", "status": "ok"}); ok {
		t.Errorf("gravatar ok attempts %v, want none", v)
	}

	// Nothing a subject is identified by reaches a label value.
	for name, f := range fams {
		for _, mm := range f.GetMetric() {
			for _, l := range mm.GetLabel() {
				v := l.GetValue()
				if emailPattern.MatchString(v) || phonePattern.MatchString(v) {
					t.Errorf("%s{%s=%q}: an email or phone in a label value", name, l.GetName(), v)
				}
				for _, p := range people {
					if v == p.Name || strings.Contains(v, p.Email) || (p.Phone != "" && strings.Contains(v, p.Phone)) {
						t.Errorf("%s{%s=%q}: a subject's identifier in a label value", name, l.GetName(), v)
					}
				}
			}
		}
	}
	for _, p := range people {
		if strings.Contains(text, p.Email) || strings.Contains(text, p.Name) {
			t.Errorf("the exposition mentions %s", p.Email)
		}
	}
}

// TestRouteTemplates: a path carrying an identifier is counted under its
// route template, an unknown path as unmatched, and an invented method as
// other.
func TestRouteTemplates(t *testing.T) {
	m := metrics.New("test")
	m.ObserveRequest("/v1/jobs/:id", "GET", 404, 0)
	m.ObserveRequest("unmatched", "BREW", 404, 0)
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range fams {
		if f.GetName() != "footprint_http_requests_total" {
			continue
		}
		for _, mm := range f.GetMetric() {
			var parts []string
			for _, l := range mm.GetLabel() {
				parts = append(parts, l.GetName()+"="+l.GetValue())
			}
			got[strings.Join(parts, ",")] = true
		}
	}
	for _, want := range []string{"method=GET,route=/v1/jobs/:id,status=404", "method=other,route=unmatched,status=404"} {
		if !got[want] {
			t.Errorf("no series %s in %v", want, got)
		}
	}
}

// TestTracing: with a tracer, a request continues the caller's trace
// (traceparent) in a server span, and each source call is a child span
// with source, status, cached and attempt; no attribute holds the email.
func TestTracing(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	w := newWorld(t, 20, worldOptions{tracer: metrics.Tracer(tp)})
	if err := w.sim.SetFault(sim.Fault{Source: "gravatar", ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	p := w.sim.People()[0]
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	w.post(t, body(p.Email), "traceparent", "00-"+traceID+"-"+parentID+"-01")

	spans := exp.GetSpans()
	var server *tracetest.SpanStub
	sources := map[string]map[string]string{}
	for i, s := range spans {
		if s.SpanContext.TraceID().String() != traceID {
			t.Errorf("span %q in trace %s, want the caller's %s", s.Name, s.SpanContext.TraceID(), traceID)
		}
		attrs := map[string]string{}
		for _, a := range s.Attributes {
			v := a.Value.Emit()
			attrs[string(a.Key)] = v
			if emailPattern.MatchString(v) || strings.Contains(v, p.Email) {
				t.Errorf("span %q attribute %s = %q holds the email", s.Name, a.Key, v)
			}
		}
		switch {
		case s.Name == "POST /v1/enrich":
			server = &spans[i]
		case strings.HasPrefix(s.Name, "source "):
			sources[attrs["footprint.source"]] = attrs
		}
	}
	if server == nil {
		t.Fatalf("no server span among %d spans", len(spans))
	}
	if server.Parent.SpanID().String() != parentID {
		t.Errorf("server span's parent %s, want the caller's %s", server.Parent.SpanID(), parentID)
	}
	g := sources["gravatar"]
	if g == nil {
		t.Fatalf("no gravatar span among %v", sources)
	}
	if g["footprint.status"] != "error" || g["footprint.cached"] != "false" || g["footprint.attempt"] == "0" {
		t.Errorf("gravatar span attributes %v, want status error, cached false, attempt ≥ 1", g)
	}
	for name, a := range sources {
		for _, k := range []string{"footprint.source", "footprint.status", "footprint.cached", "footprint.attempt"} {
			if _, ok := a[k]; !ok {
				t.Errorf("source span %s lacks %s", name, k)
			}
		}
	}
}
