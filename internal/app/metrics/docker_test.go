package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const dockerDir = "../../../docker/"

// TestDockerMonitoring: with no docker here, the compose file, the
// Prometheus and Grafana provisioning parse; Prometheus scrapes every
// footprint replica the compose file runs; and every metric the dashboard
// queries is one footprint registers (so a rename breaks this test, not the
// dashboard).
func TestDockerMonitoring(t *testing.T) {
	readYAML := func(name string) map[string]any {
		t.Helper()
		b, err := os.ReadFile(dockerDir + name)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	compose := readYAML("compose.yaml")
	services, _ := compose["services"].(map[string]any)
	var replicas []string
	for name := range services {
		if strings.HasPrefix(name, "footprint-") {
			replicas = append(replicas, name+":8080")
		}
	}
	for _, want := range []string{"prometheus", "grafana", "redis"} {
		if services[want] == nil {
			t.Errorf("compose.yaml: no %s service", want)
		}
	}
	prom := readYAML("prometheus/prometheus.yml")
	var targets []string
	for _, sc := range prom["scrape_configs"].([]any) {
		for _, st := range sc.(map[string]any)["static_configs"].([]any) {
			for _, tg := range st.(map[string]any)["targets"].([]any) {
				targets = append(targets, tg.(string))
			}
		}
	}
	slices.Sort(replicas)
	slices.Sort(targets)
	if len(replicas) == 0 || !slices.Equal(replicas, targets) {
		t.Errorf("prometheus.yml scrapes %v, compose.yaml runs %v", targets, replicas)
	}
	ds := readYAML("grafana/provisioning/datasources/prometheus.yaml")
	dsUID := ds["datasources"].([]any)[0].(map[string]any)["uid"]
	readYAML("grafana/provisioning/dashboards/footprint.yaml")

	b, err := os.ReadFile(dockerDir + "grafana/dashboards/footprint.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title      string `json:"title"`
			Type       string `json:"type"`
			Datasource *struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("footprint.json: %v", err)
	}
	_, registered := table(t, everything(t))
	metric := regexp.MustCompile(`footprint_[a-z_]+`)
	var titles []string
	for _, p := range dash.Panels {
		titles = append(titles, p.Title)
		if p.Datasource != nil && p.Datasource.UID != dsUID {
			t.Errorf("panel %q: datasource %q, the provisioned one is %q", p.Title, p.Datasource.UID, dsUID)
		}
		if p.Type != "row" && p.Type != "text" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, name := range metric.FindAllString(tg.Expr, -1) {
				base := name
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					base = strings.TrimSuffix(base, suf)
				}
				if !registered[base] {
					t.Errorf("panel %q queries %s, which footprint does not register", p.Title, name)
				}
			}
		}
	}
	// What an on-call engineer opens it for.
	all := strings.ToLower(strings.Join(titles, "|"))
	for _, want := range []string{"breaker", "latency p50 / p95 / p99", "cache hit ratio", "job rows", "key usage"} {
		if !strings.Contains(all, want) {
			t.Errorf("the dashboard has no %q panel", want)
		}
	}
}
