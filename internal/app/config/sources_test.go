package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

// testSources stand for the registry: rdap takes only the common keys,
// gitlab also base_url, github both api_key and base_url.
func testSources() []enrichers.Description {
	return []enrichers.Description{
		{Name: "rdap"},
		{Name: "gitlab", Settings: []enrichers.Setting{{Key: enrichers.SettingBaseURL}}},
		{Name: "github", Settings: []enrichers.Setting{{Key: enrichers.SettingAPIKey}, {Key: enrichers.SettingBaseURL}}},
	}
}

func TestValidateSources(t *testing.T) {
	const common = "enabled, rate_per_s, burst, timeout_ms, breaker.failures, breaker.open_for_ms, breaker.half_open_requests"
	tests := []struct {
		name   string
		file   string // in testdata; "" for none
		env    []string
		change func(*Config) // after Load, for settings made in code
		want   []string      // nil: accepted; else exactly these errors
	}{
		{name: "defaults"},
		{name: "declared keys in the file", file: "source_settings_ok.yaml"},
		{name: "declared keys in the environment", env: []string{
			"FOOTPRINT_SOURCES_GITHUB_API_KEY=ghp_example",
			"FOOTPRINT_SOURCES_GITHUB_BASE_URL=https://github.example/api/v3",
			"FOOTPRINT_SOURCES_GITLAB_BASE_URL=https://gitlab.example/api/v4",
			"FOOTPRINT_SOURCES_RDAP_RATE_PER_S=2",
			"FOOTPRINT_SOURCES_RDAP_BREAKER_FAILURES=3",
		}},
		{name: "undeclared keys in the file", file: "source_settings_bad.yaml", want: []string{
			"testdata/source_settings_bad.yaml:5: sources.gitlab.api_key: gitlab takes no api_key (it accepts: " + common + ", base_url)",
			"testdata/source_settings_bad.yaml:3: sources.rdap.base_url: rdap takes no base_url (it accepts: " + common + ")",
		}},
		{name: "undeclared keys in the environment", env: []string{
			"FOOTPRINT_SOURCES_RDAP_BASE_URL=https://rdap.example",
			"FOOTPRINT_SOURCES_GITLAB_API_KEY=glpat-example",
		}, want: []string{
			"FOOTPRINT_SOURCES_GITLAB_API_KEY: gitlab takes no api_key (it accepts: " + common + ", base_url)",
			"FOOTPRINT_SOURCES_RDAP_BASE_URL: rdap takes no base_url (it accepts: " + common + ")",
		}},
		{name: "an empty variable still names the key", env: []string{"FOOTPRINT_SOURCES_RDAP_API_KEY="}, want: []string{
			"FOOTPRINT_SOURCES_RDAP_API_KEY: rdap takes no api_key (it accepts: " + common + ")",
		}},
		{name: "file and environment both reported", file: "source_settings_bad.yaml", env: []string{"FOOTPRINT_SOURCES_RDAP_BASE_URL=https://rdap2.example"}, want: []string{
			"testdata/source_settings_bad.yaml:5: sources.gitlab.api_key: gitlab takes no api_key",
			"testdata/source_settings_bad.yaml:3: sources.rdap.base_url: rdap takes no base_url",
			"FOOTPRINT_SOURCES_RDAP_BASE_URL: rdap takes no base_url",
		}},
		{name: "set in code", change: func(c *Config) {
			c.Sources["rdap"] = SourceConfig{APIKey: "k", BaseURL: "https://rdap.example"}
		}, want: []string{
			"sources.rdap.api_key: rdap takes no api_key (it accepts: " + common + ")",
			"sources.rdap.base_url: rdap takes no base_url (it accepts: " + common + ")",
		}},
		{name: "empty in code", change: func(c *Config) { c.Sources["rdap"] = SourceConfig{RatePerS: 1} }},
		{name: "unknown source left to the engine", env: []string{"FOOTPRINT_SOURCES_NOPE_API_KEY=k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join("testdata", tt.file)
			}
			c, err := loadGiven(path, tt.env...)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tt.change != nil {
				tt.change(c)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			err = c.ValidateSources(testSources())
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ValidateSources: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("ValidateSources succeeded")
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if len(lines) != len(tt.want) {
				t.Errorf("error has %d lines, want %d:\n%v", len(lines), len(tt.want), err)
			}
		})
	}
}

// TestSourceSettingsKnown checks what the shipped sources declare against
// the key table: each declared key is one that only some sources take, is
// documented, and is declared once.
func TestSourceSettingsKnown(t *testing.T) {
	optional := map[string]bool{}
	for _, k := range sourceKeys() {
		optional[k.path] = k.declared
	}
	for _, d := range registered(t) {
		seen := map[string]bool{}
		for _, s := range d.Settings {
			switch {
			case !optional[s.Key]:
				t.Errorf("%s declares %q, which is not a key only some sources take (%v)", d.Name, s.Key, optional)
			case s.Doc == "":
				t.Errorf("%s: %s has no Doc", d.Name, s.Key)
			case seen[s.Key]:
				t.Errorf("%s declares %s twice", d.Name, s.Key)
			}
			seen[s.Key] = true
		}
	}
}
