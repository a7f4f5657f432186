package metrics_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/metrics"
)

var update = flag.Bool("update", false, "rewrite the metric table in docs/METRICS.md")

const (
	metricsDoc  = "../../../docs/METRICS.md"
	tableBegin  = "<!-- metrics:begin (generated: go test ./internal/app/metrics -run TestMetricsDoc -update) -->\n"
	tableEnd    = "<!-- metrics:end -->\n"
	runtimeNote = "go_ and process_ metrics: the Go runtime and process collectors of client_golang"
)

type fakeBreakers map[string]string

func (f fakeBreakers) BreakerStates() map[string]string { return f }

type fakeCache []cache.Counter

func (f fakeCache) Stats() []cache.Counter     { return f }
func (f fakeCache) Size() (entries, bytes int) { return 3, 4096 }

type fakeJobs []*jobs.Job

func (f fakeJobs) List(context.Context) ([]*jobs.Job, error) { return f, nil }

// everything is a Metrics with at least one series in every family.
func everything(t *testing.T) *metrics.Metrics {
	m := metrics.New("test")
	m.ObserveRequest("/v1/enrich", "POST", 200, time.Millisecond)
	m.ObserveCall("github", "ok", time.Millisecond, false)
	m.ObserveAttempt("github", 2, "ok", time.Millisecond)
	m.ObserveAdmission("github", true, time.Millisecond, true)
	m.ObserveBreaker("github", "closed", "open")
	var stats fakeCache
	for _, ev := range []string{"hits", "misses", "stale_hits", "too_old", "errors", "corrupt", "sets", "merged", "shared_fetches", "refreshes_queued", "refreshes_dropped"} {
		stats = append(stats, cache.Counter{Tier: "l1", Source: "github", Event: ev, Value: 1})
	}
	m.Watch(fakeBreakers{"github": "open"}, stats,
		fakeJobs{{State: jobs.StateRunning, Total: 10, Done: 4, Failed: 1, Incomplete: 1, RowsPerS: 2.5}, {State: jobs.StateQueued, Total: 3}})
	return m
}

// table is docs/METRICS.md's generated table: every footprint_ family of
// the registry with its type, labels and help.
func table(t *testing.T, m *metrics.Metrics) (string, map[string]bool) {
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	var b strings.Builder
	b.WriteString("| metric | type | labels | meaning |\n|---|---|---|---|\n")
	for _, f := range fams {
		if !strings.HasPrefix(f.GetName(), "footprint_") {
			continue
		}
		names[f.GetName()] = true
		labels := map[string]bool{}
		for _, mm := range f.GetMetric() {
			for _, l := range mm.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		var ls []string
		for l := range labels {
			ls = append(ls, "`"+l+"`")
		}
		slices.Sort(ls)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.GetName(), strings.ToLower(f.GetType().String()),
			strings.Join(ls, ", "), strings.ReplaceAll(f.GetHelp(), "|", "\\|"))
	}
	return b.String(), names
}

// TestMetricsDoc: docs/METRICS.md lists exactly the metrics the code
// registers, with their types, labels and help (-update rewrites it).
func TestMetricsDoc(t *testing.T) {
	want, _ := table(t, everything(t))
	doc, err := os.ReadFile(metricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no generated table between %q and %q", metricsDoc, tableBegin, tableEnd)
	}
	got := s[i+len(tableBegin) : j]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(metricsDoc, []byte(s[:i+len(tableBegin)]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is stale; run go test ./internal/app/metrics -run TestMetricsDoc -update\n--- want\n%s", metricsDoc, want)
}
