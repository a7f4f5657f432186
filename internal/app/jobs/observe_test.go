package jobs

import (
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestRowSpans: with a Tracer, each row gets one span carrying the job id
// and the row's result, never the row's input.
func TestRowSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	cfg := testConfig(t.TempDir(), &fakeEnricher{})
	cfg.Tracer = tp.Tracer("test")
	m := start(t, cfg)
	j := create(t, m, FormatCSV, "email\nann@example.com\nnot-an-email\n")
	wait(t, m, j.ID, StateSucceeded)
	spans := exp.GetSpans()
	var statuses []string
	for _, s := range spans {
		if s.Name != "job row" {
			continue
		}
		for _, a := range s.Attributes {
			if v := a.Value.Emit(); strings.Contains(v, "@") {
				t.Errorf("span attribute %s = %q holds the row's input", a.Key, v)
			}
			switch a.Key {
			case "footprint.row_status":
				statuses = append(statuses, a.Value.AsString())
			case "footprint.job":
				if a.Value.AsString() != j.ID {
					t.Errorf("footprint.job = %q, want %q", a.Value.AsString(), j.ID)
				}
			}
		}
	}
	if len(statuses) != 2 || !strings.Contains(strings.Join(statuses, " "), RowFailed) {
		t.Errorf("row spans' statuses %q, want one per row, one failed", statuses)
	}
	if err := m.Ready(t.Context()); err != nil {
		t.Errorf("Ready: %v", err)
	}
	_ = m.Close()
	if err := m.Ready(t.Context()); err == nil {
		t.Error("Ready after Close: nil, want an error")
	}
}
