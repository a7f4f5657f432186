package metrics

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestEveryMetricDocumented: every metric New and Watch can register is in
// docs/METRICS.md's table, even one no test has touched yet (the external
// TestMetricsDoc checks types, labels and help of the touched ones).
func TestEveryMetricDocumented(t *testing.T) {
	m := New("test")
	cs := append(m.observed(), breakerCollector{}, cacheCollector{}, jobsCollector{})
	// observed must list every metric field of Metrics.
	if n := reflect.TypeFor[Metrics]().NumField() - 2; len(m.observed()) != n { // - reg, children
		t.Errorf("observed() lists %d metrics, Metrics has %d", len(m.observed()), n)
	}
	ch := make(chan *prometheus.Desc, 100)
	for _, c := range cs {
		c.Describe(ch)
	}
	close(ch)
	fq := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	var code []string
	for d := range ch {
		code = append(code, fq.FindStringSubmatch(d.String())[1])
	}
	code = append(code, "footprint_build_info")
	doc, err := os.ReadFile("../../../docs/METRICS.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, s := range regexp.MustCompile("(?m)^\\| `(footprint_[a-z_]+)`").FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, s[1])
	}
	slices.Sort(code)
	slices.Sort(documented)
	if !slices.Equal(slices.Compact(code), documented) {
		t.Errorf("registered %q\ndocumented %q", code, documented)
	}
}
