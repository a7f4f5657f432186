package metrics_test

import (
	"testing"

	"github.com/footprint-oss/footprint/internal/app/metrics"
)

// TestTracingOffByDefault: no OTLP endpoint, no tracer provider; with one,
// a provider (that sends nothing until a span ends).
func TestTracingOffByDefault(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		on   bool
	}{
		{"unset", nil, false},
		{"empty", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, false},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			tp, err := metrics.Tracing(t.Context(), lookup, "test")
			if err != nil {
				t.Fatal(err)
			}
			if (tp != nil) != tt.on {
				t.Fatalf("provider %v, want on=%v", tp, tt.on)
			}
			if tp != nil {
				if err := tp.Shutdown(t.Context()); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
