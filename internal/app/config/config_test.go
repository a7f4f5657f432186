package config

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// environment builds both views Load takes from one KEY=VALUE list, so no
// test reads or writes the real environment.
func environment(kv ...string) (func(string) (string, bool), []string) {
	return lookupIn(kv), kv
}

const home = "/home/jane"

// load loads with HOME=/home/jane and kv as the environment. It drops
// the record of where source settings were given, so that tests compare
// settings; TestValidateSources checks that record.
func load(path string, kv ...string) (*Config, error) {
	c, err := loadGiven(path, kv...)
	if c != nil {
		c.given = nil
	}
	return c, err
}

func loadGiven(path string, kv ...string) (*Config, error) {
	lookup, environ := environment(append([]string{"HOME=" + home}, kv...)...)
	return Load(path, lookup, environ)
}

// base is Default() with the data folder Load resolves for HOME=/home/jane.
func base(t *testing.T) *Config {
	t.Helper()
	c := Default()
	dir, err := DefaultDataDir(runtime.GOOS, lookupIn([]string{"HOME=" + home}))
	if err != nil {
		t.Fatal(err)
	}
	c.DataDir = dir
	return c
}

func ptr[T any](v T) *T { return &v }

func TestDefaults(t *testing.T) {
	c := Default()
	want := &Config{
		Server: ServerConfig{
			Addr:             "127.0.0.1:8080",
			ShutdownTimeout:  Duration(15 * time.Second),
			MaxBodyBytes:     65536,
			DefaultTimeoutMS: 3000,
			MaxTimeoutMS:     30000,
		},
		Log:   LogConfig{Format: "text", Level: "info"},
		Cache: CacheConfig{L1SizeMB: 256},
		Jobs: JobsConfig{Concurrency: 16, MaxActive: 2, MaxInputBytes: 4 << 30, LiveReserve: 0.2,
			MaxUploads: 16, MaxUploadsPerKey: 4, UploadMinBytesPerS: 4 << 10, UploadTimeout: Duration(2 * time.Hour),
			Lease: Duration(30 * time.Second), Retention: "30d"},
		Limits:  LimitsConfig{FallbackReplicas: 2},
		Audit:   AuditConfig{Retention: "400d"},
		Console: ConsoleConfig{Enabled: true},
		Privacy: PrivacyConfig{DefaultPurpose: "fraud_prevention", SuppressionsReload: Duration(time.Minute), Purposes: PurposesConfig{
			FraudPrevention:      PurposeConfig{Outputs: "risk,verification"},
			IdentityVerification: PurposeConfig{Outputs: "risk,verification"},
			Marketing:            PurposeConfig{Outputs: "interests,influence"},
			Analytics:            PurposeConfig{Outputs: "interests,influence"},
		}},
		Sources: map[string]SourceConfig{},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("Default() = %+v\nwant %+v", c, want)
	}
	c.Sources["x"] = SourceConfig{}
	if len(Default().Sources) != 0 {
		t.Fatal("Default must return a fresh value each time")
	}
	loaded, err := load("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, base(t)) {
		t.Fatalf("Load with no file and no FOOTPRINT_ variables = %+v\nwant %+v", loaded, base(t))
	}
	if err := loaded.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		want func(c *Config)
	}{
		{name: "no file", want: func(*Config) {}},
		{name: "empty file", file: "empty.yaml", want: func(*Config) {}},
		{
			name: "file overrides defaults",
			file: "full.yaml",
			want: func(c *Config) {
				c.Server = ServerConfig{Addr: "0.0.0.0:9090", ShutdownTimeout: Duration(5 * time.Second),
					MaxBodyBytes: 1 << 20, DefaultTimeoutMS: 2000, MaxTimeoutMS: 10000}
				c.DataDir = "/var/lib/footprint"
				c.Log = LogConfig{Format: "json", Level: "debug"}
				c.Upstream = "http://127.0.0.1:8081"
				c.Demo = true
				c.UserAgent = "acme-footprint/1.0"
				c.RedisURL = "redis://redis:6379/0"
				c.Cache = CacheConfig{L1SizeMB: 64, Secret: "0123456789abcdef0123456789abcdef"}
			},
		},
		{
			name: "key without a value keeps the default",
			file: "partial.yaml",
			want: func(c *Config) {
				c.Server.Addr = "127.0.0.1:9999"
				c.Log.Level = "warn"
				c.Upstream = "http://sim.local:8081"
			},
		},
		{
			name: "environment overrides file",
			file: "partial.yaml",
			env: []string{
				"FOOTPRINT_SERVER_ADDR=0.0.0.0:7000",
				"FOOTPRINT_LOG_LEVEL=error",
				"FOOTPRINT_UPSTREAM=",              // empty string: clears the file's value
				"FOOTPRINT_SERVER_MAX_BODY_BYTES=", // empty number: ignored
				"FOOTPRINT_DEMO=1",
			},
			want: func(c *Config) {
				c.Server.Addr = "0.0.0.0:7000"
				c.Log.Level = "error"
				c.Demo = true
			},
		},
		{
			name: "environment sets every kind of value",
			env: []string{
				"FOOTPRINT_SERVER_SHUTDOWN_TIMEOUT_MS=2500",
				"FOOTPRINT_SERVER_MAX_BODY_BYTES= 4096 ",
				"FOOTPRINT_SERVER_DEFAULT_TIMEOUT_MS=1000",
				"FOOTPRINT_SERVER_MAX_TIMEOUT_MS=5000",
				"FOOTPRINT_DATA_DIR=/srv/fp",
				"FOOTPRINT_LOG_FORMAT=json",
				"FOOTPRINT_USER_AGENT=ua/1",
				"FOOTPRINT_REDIS_URL=redis://localhost:6379",
				"FOOTPRINT_CACHE_L1_SIZE_MB=32",
				"FOOTPRINT_CACHE_SECRET= keep  spaces ",
				"FOOTPRINT_DEMO=false",
			},
			want: func(c *Config) {
				c.Server.ShutdownTimeout = Duration(2500 * time.Millisecond)
				c.Server.MaxBodyBytes = 4096
				c.Server.DefaultTimeoutMS = 1000
				c.Server.MaxTimeoutMS = 5000
				c.DataDir = "/srv/fp"
				c.Log.Format = "json"
				c.UserAgent = "ua/1"
				c.RedisURL = "redis://localhost:6379"
				c.Cache.L1SizeMB = 32
				c.Cache.Secret = " keep  spaces "
			},
		},
		{
			name: "test and foreign variables are ignored",
			env: []string{
				"FOOTPRINT_TEST_REDIS_URL=redis://ci:6379",
				"FOOTPRINT_TEST_ANYTHING=1",
				"PATH=/usr/bin",
				"footprint_server_addr=lower-case is another variable",
				"FOOTPRINT=not a config variable either",
				"=C:=C:\\odd windows entry",
			},
			want: func(*Config) {},
		},
		{
			name: "data_dir expands ~",
			env:  []string{"FOOTPRINT_DATA_DIR=~/fp"},
			want: func(c *Config) { c.DataDir = filepath.Join(home, "fp") },
		},
		{
			name: "sources from the file",
			file: "sources.yaml",
			want: func(c *Config) {
				c.Sources = map[string]SourceConfig{
					"github": {Enabled: ptr(true), RatePerS: 0.5, Burst: 2, TimeoutMS: 4000,
						Breaker: BreakerConfig{Failures: 3, OpenForMS: 60000, HalfOpenRequests: 2},
						APIKey:  "ghp_from_file", BaseURL: "https://github.example.com/api"},
					"reddit":     {Enabled: ptr(false)},
					"hackernews": {},
				}
			},
		},
		{
			name: "sources from the environment, over the file",
			file: "sources.yaml",
			env: []string{
				"FOOTPRINT_SOURCES_GITHUB_RATE_PER_S=2.5",
				"FOOTPRINT_SOURCES_GITHUB_API_KEY=ghp_from_env",
				"FOOTPRINT_SOURCES_GITHUB_BREAKER_OPEN_FOR_MS=1000",
				"FOOTPRINT_SOURCES_REDDIT_ENABLED=true",
				"FOOTPRINT_SOURCES_HIBP_ENABLED=true",
				"FOOTPRINT_SOURCES_HIBP_API_KEY=k",
				"FOOTPRINT_SOURCES_HIBP_BURST=4",
				"FOOTPRINT_SOURCES_HIBP_TIMEOUT_MS=900",
				"FOOTPRINT_SOURCES_HIBP_BASE_URL=http://127.0.0.1:9/",
				"FOOTPRINT_SOURCES_HIBP_BREAKER_FAILURES=7",
				"FOOTPRINT_SOURCES_HIBP_BREAKER_HALF_OPEN_REQUESTS=3",
				// The setting is matched from the end, so a source name may
				// contain words that are also settings.
				"FOOTPRINT_SOURCES_RATE_BURST_BURST=9",
				"FOOTPRINT_SOURCES_HAVE_I_BEEN_PWNED_API_KEY=x",
			},
			want: func(c *Config) {
				c.Sources = map[string]SourceConfig{
					"github": {Enabled: ptr(true), RatePerS: 2.5, Burst: 2, TimeoutMS: 4000,
						Breaker: BreakerConfig{Failures: 3, OpenForMS: 1000, HalfOpenRequests: 2},
						APIKey:  "ghp_from_env", BaseURL: "https://github.example.com/api"},
					"reddit":     {Enabled: ptr(true)},
					"hackernews": {},
					"hibp": {Enabled: ptr(true), APIKey: "k", Burst: 4, TimeoutMS: 900, BaseURL: "http://127.0.0.1:9/",
						Breaker: BreakerConfig{Failures: 7, HalfOpenRequests: 3}},
					"rate_burst":        {Burst: 9},
					"have_i_been_pwned": {APIKey: "x"},
				}
			},
		},
		{
			name: "environment finds a file's source whose name has a dash",
			file: "sources_dash.yaml",
			env:  []string{"FOOTPRINT_SOURCES_STACK_OVERFLOW_BURST=5"},
			want: func(c *Config) { c.Sources = map[string]SourceConfig{"stack-overflow": {Burst: 5}} },
		},
		{
			name: "anchors and merge keys",
			file: "merge.yaml",
			want: func(c *Config) {
				c.Sources = map[string]SourceConfig{
					"gitlab": {RatePerS: 0.2, Burst: 1},
					"github": {RatePerS: 0.2, Burst: 3},
					"devto":  {RatePerS: 0.2, Burst: 1},
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join("testdata", tt.file)
			}
			got, err := load(path, tt.env...)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := base(t)
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %s\nwant %s", dump(t, got), dump(t, want))
			}
		})
	}
}

func dump(t *testing.T, c *Config) string {
	t.Helper()
	b, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return "\n" + string(b)
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		want []string // every one must appear in the error
	}{
		{
			name: "unknown top-level key",
			file: "unknown_top.yaml",
			want: []string{`testdata/unknown_top.yaml:3: unknown key "servr" (did you mean "server"?)`},
		},
		{
			name: "unknown nested key",
			file: "unknown_nested.yaml",
			want: []string{`testdata/unknown_nested.yaml:2: unknown key "server.adr" (did you mean "server.addr"?)`},
		},
		{
			name: "unknown source keys",
			file: "unknown_source_key.yaml",
			want: []string{
				`unknown_source_key.yaml:3: unknown key "sources.github.rate"`,
				`unknown_source_key.yaml:5: unknown key "sources.github.breaker.open_for" (did you mean "sources.github.breaker.open_for_ms"?)`,
			},
		},
		{
			name: "bad values in the file",
			file: "bad_values.yaml",
			want: []string{
				`bad_values.yaml:2: server.max_body_bytes: want an integer, got "lots"`,
				`bad_values.yaml:3: server.shutdown_timeout_ms: want a whole number of milliseconds, got "1.5"`,
				`bad_values.yaml:4: demo: want true or false, got "maybe"`,
				`bad_values.yaml:7: sources.github.rate_per_s: want a number, got "fast"`,
				`bad_values.yaml:9: sources.github.breaker.failures: want an integer from 0 to 4294967295, got "-1"`,
			},
		},
		{
			name: "wrong shapes",
			file: "wrong_shape.yaml",
			want: []string{
				`wrong_shape.yaml:1: server: want a mapping of settings, got "127.0.0.1:8080"`,
				`wrong_shape.yaml:3: log.level: want a single value, got a list`,
				`wrong_shape.yaml:5: sources.github: want a mapping of settings, got "on"`,
			},
		},
		{name: "top level not a mapping", file: "not_mapping.yaml", want: []string{"not_mapping.yaml:1: the top level must be a mapping of settings, got a list"}},
		{name: "duplicate key", file: "duplicate.yaml", want: []string{`duplicate.yaml:3: duplicate key "server.addr" (first at line 2)`}},
		{name: "two documents", file: "two_docs.yaml", want: []string{"two_docs.yaml:2: only one YAML document is allowed"}},
		{name: "YAML syntax", file: "syntax.yaml", want: []string{"testdata/syntax.yaml: line "}},
		{name: "missing file", file: "absent.yaml", want: []string{"absent.yaml", "no such file"}},
		{
			name: "unknown variable with a suggestion",
			env:  []string{"FOOTPRINT_SERVER_ADR=:80"},
			want: []string{"FOOTPRINT_SERVER_ADR: unknown configuration variable (did you mean FOOTPRINT_SERVER_ADDR?)"},
		},
		{
			name: "unknown variables",
			env: []string{
				"FOOTPRINT_WHATEVER=1",
				"FOOTPRINT_SERVER=1",
				"FOOTPRINT_TESTING=1", // not FOOTPRINT_TEST_
				"FOOTPRINT_SOURCES_GITHUB_RATE=2",
				"FOOTPRINT_SOURCES_ENABLED=true",
				"FOOTPRINT_SOURCES_github_BURST=1",
			},
			want: []string{
				"FOOTPRINT_WHATEVER: unknown configuration variable",
				"FOOTPRINT_SERVER: unknown configuration variable",
				"FOOTPRINT_TESTING: unknown configuration variable",
				"FOOTPRINT_SOURCES_GITHUB_RATE: unknown configuration variable; source settings are FOOTPRINT_SOURCES_<NAME>_<SETTING> with SETTING one of ENABLED, RATE_PER_S,",
				"FOOTPRINT_SOURCES_ENABLED: unknown configuration variable",
				"FOOTPRINT_SOURCES_github_BURST: unknown configuration variable",
			},
		},
		{
			name: "bad numbers in the environment",
			env: []string{
				"FOOTPRINT_SOURCES_GITHUB_RATE_PER_S=abc",
				"FOOTPRINT_SOURCES_GITHUB_BURST=1.5",
				"FOOTPRINT_SOURCES_GITLAB_RATE_PER_S=NaN",
				"FOOTPRINT_SOURCES_GITLAB_BREAKER_FAILURES=99999999999",
				"FOOTPRINT_SOURCES_GITLAB_ENABLED=yes",
				"FOOTPRINT_SERVER_MAX_BODY_BYTES=64k",
				"FOOTPRINT_SERVER_SHUTDOWN_TIMEOUT_MS=15s",
				"FOOTPRINT_SERVER_MAX_TIMEOUT_MS=99999999999999999999",
				"FOOTPRINT_DEMO=on",
			},
			want: []string{
				`FOOTPRINT_SOURCES_GITHUB_RATE_PER_S: want a number, got "abc"`,
				`FOOTPRINT_SOURCES_GITHUB_BURST: want an integer, got "1.5"`,
				`FOOTPRINT_SOURCES_GITLAB_RATE_PER_S: want a number, got "NaN"`,
				`FOOTPRINT_SOURCES_GITLAB_BREAKER_FAILURES: want an integer from 0 to 4294967295, got "99999999999"`,
				`FOOTPRINT_SOURCES_GITLAB_ENABLED: want true or false, got "yes"`,
				`FOOTPRINT_SERVER_MAX_BODY_BYTES: want an integer, got "64k"`,
				`FOOTPRINT_SERVER_SHUTDOWN_TIMEOUT_MS: want a whole number of milliseconds, got "15s"`,
				`FOOTPRINT_SERVER_MAX_TIMEOUT_MS: want an integer, got "99999999999999999999"`,
				`FOOTPRINT_DEMO: want true or false, got "on"`,
			},
		},
		{
			name: "file and environment problems are reported together",
			file: "unknown_nested.yaml",
			env:  []string{"FOOTPRINT_DEMO=maybe", "FOOTPRINT_NOPE=1"},
			want: []string{`unknown key "server.adr"`, "FOOTPRINT_DEMO: want true or false", "FOOTPRINT_NOPE: unknown configuration variable"},
		},
		{
			name: "variable matching two sources",
			file: "sources_ambiguous.yaml",
			env:  []string{"FOOTPRINT_SOURCES_FOO_BAR_BURST=1"},
			want: []string{"FOOTPRINT_SOURCES_FOO_BAR_BURST: matches more than one source (foo-bar, foo_bar)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join("testdata", tt.file)
			}
			c, err := load(path, tt.env...)
			if err == nil {
				t.Fatalf("Load succeeded: %s", dump(t, c))
			}
			if c != nil {
				t.Errorf("Load returned a config with its error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if n, want := strings.Count(err.Error(), "\n")+1, len(tt.want); n != want && !strings.Contains(tt.name, "missing") && !strings.Contains(tt.name, "syntax") {
				t.Errorf("error has %d lines, want one per problem (%d):\n%v", n, want, err)
			}
		})
	}
}

func TestDataDirResolution(t *testing.T) {
	tests := []struct {
		name    string
		goos    string
		env     []string
		want    string
		wantErr string
	}{
		{name: "XDG set", goos: "linux", env: []string{"HOME=/home/jane", "XDG_DATA_HOME=/data/jane"}, want: "/data/jane/footprint"},
		{name: "XDG unset", goos: "linux", env: []string{"HOME=/home/jane"}, want: "/home/jane/.local/share/footprint"},
		{name: "XDG empty", goos: "linux", env: []string{"HOME=/home/jane", "XDG_DATA_HOME="}, want: "/home/jane/.local/share/footprint"},
		{name: "XDG relative is ignored", goos: "linux", env: []string{"HOME=/home/jane", "XDG_DATA_HOME=data"}, want: "/home/jane/.local/share/footprint"},
		{name: "XDG without HOME", goos: "linux", env: []string{"XDG_DATA_HOME=/data"}, want: "/data/footprint"},
		{name: "other unix", goos: "freebsd", env: []string{"HOME=/usr/home/jane"}, want: "/usr/home/jane/.local/share/footprint"},
		{name: "no HOME", goos: "linux", env: nil, wantErr: "neither XDG_DATA_HOME nor HOME is set"},
		{name: "empty HOME", goos: "linux", env: []string{"HOME="}, wantErr: "neither XDG_DATA_HOME nor HOME is set"},
		{name: "macOS", goos: "darwin", env: []string{"HOME=/Users/jane"}, want: "/Users/jane/Library/Application Support/footprint"},
		{name: "macOS ignores XDG", goos: "darwin", env: []string{"HOME=/Users/jane", "XDG_DATA_HOME=/x"}, want: "/Users/jane/Library/Application Support/footprint"},
		{name: "macOS without HOME", goos: "darwin", wantErr: "HOME is not set"},
		{name: "windows", goos: "windows", env: []string{"LocalAppData=/appdata"}, want: filepath.Join("/appdata", "footprint")},
		{name: "windows without LocalAppData", goos: "windows", env: []string{"HOME=/h"}, wantErr: "LocalAppData is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultDataDir(tt.goos, lookupIn(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DefaultDataDir = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("DefaultDataDir = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLoadDataDir(t *testing.T) {
	// With nothing to go on, Load leaves data_dir empty (a flag may still
	// set it) and Validate names it.
	c, err := Load("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "" {
		t.Fatalf("DataDir = %q with an empty environment", c.DataDir)
	}
	if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), "data_dir: ") {
		t.Fatalf("Validate = %v, want a data_dir error", err)
	}
	c.DataDir = "/from/flag"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}

	// A nil lookup reads environ.
	c, err = Load(filepath.Join("testdata", "full.yaml"), nil, []string{"FOOTPRINT_DATA_DIR=/env/dir", "HOME=/h"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/env/dir" {
		t.Fatalf("DataDir = %q, want the environment's over the file's", c.DataDir)
	}
}

func TestEngineSources(t *testing.T) {
	c, err := load(filepath.Join("testdata", "sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.EngineSources()
	want := map[string]engine.SourceConfig{
		"github": {Enabled: ptr(true), RatePerS: 0.5, Burst: 2, Timeout: 4 * time.Second,
			Breaker: enrichers.BreakerSettings{Failures: 3, OpenFor: time.Minute, HalfOpenRequests: 2}},
		"reddit":     {Enabled: ptr(false)},
		"hackernews": {},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("EngineSources() = %+v\nwant %+v", got, want)
	}
	*got["github"].Enabled = false
	if !*c.Sources["github"].Enabled {
		t.Fatal("EngineSources shares Enabled with the Config")
	}
	if n := len(Default().EngineSources()); n != 0 {
		t.Fatalf("default EngineSources has %d entries", n)
	}
}

func TestEffectiveUserAgent(t *testing.T) {
	c := Default()
	if got, want := c.EffectiveUserAgent("v1.2.3"), "footprint/v1.2.3 (+https://github.com/footprint-oss/footprint)"; got != want {
		t.Errorf("default user agent = %q, want %q", got, want)
	}
	if got := c.EffectiveUserAgent(""); !strings.HasPrefix(got, "footprint/dev ") {
		t.Errorf("user agent without a version = %q", got)
	}
	c.UserAgent = "mine/1"
	if got := c.EffectiveUserAgent("v1"); got != "mine/1" {
		t.Errorf("configured user agent = %q", got)
	}
}

// TestKeyTable checks the key tables against the struct: every yaml-tagged
// leaf has exactly one key, variables are distinct and outside the reserved
// prefixes, and durations are in milliseconds.
func TestKeyTable(t *testing.T) {
	check := func(name string, typ reflect.Type, table []string, skip string) {
		t.Helper()
		var leaves []string
		var walk func(reflect.Type, string)
		walk = func(typ reflect.Type, prefix string) {
			for i := range typ.NumField() {
				f := typ.Field(i)
				if !f.IsExported() {
					continue // bookkeeping, not a setting
				}
				tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				if tag == "" || tag == "-" {
					t.Errorf("%s.%s has no yaml tag", typ.Name(), f.Name)
					continue
				}
				path := join(prefix, tag)
				switch {
				case path == skip:
				case f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]():
					walk(f.Type, path)
				default:
					leaves = append(leaves, path)
				}
			}
		}
		walk(typ, "")
		if !reflect.DeepEqual(leaves, table) {
			t.Errorf("%s: struct leaves %v\nkey table    %v", name, leaves, table)
		}
	}
	var paths []string
	seen := map[string]bool{}
	d := Default()
	for _, k := range keys() {
		paths = append(paths, k.path)
		env := envName(k.path)
		if seen[env] || strings.HasPrefix(env, envPrefix+"SOURCES_") || strings.HasPrefix(env, envTestPrefix) {
			t.Errorf("%s: variable %s is taken or reserved", k.path, env)
		}
		seen[env] = true
		if _, isDur := k.ptr(d).(*Duration); isDur && !strings.HasSuffix(k.path, "_ms") {
			t.Errorf("%s: a Duration key must end in _ms", k.path)
		}
	}
	check("Config", reflect.TypeFor[Config](), paths, "sources")
	var spaths []string
	for _, k := range sourceKeys() {
		spaths = append(spaths, k.path)
	}
	check("SourceConfig", reflect.TypeFor[SourceConfig](), spaths, "")
}

// TestMarshalRoundTrip writes a fully set Config with yaml.Marshal and loads
// it back: the struct tags, Duration's millisecond form and the key table
// agree.
func TestMarshalRoundTrip(t *testing.T) {
	want, err := load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want.Sources = map[string]SourceConfig{
		"github": {Enabled: ptr(false), RatePerS: 0.25, Burst: 2, TimeoutMS: 1500,
			Breaker: BreakerConfig{Failures: 4, OpenForMS: 2000, HalfOpenRequests: 1},
			APIKey:  "k", BaseURL: "https://example.com/"},
	}
	b, err := yaml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "round.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := load(path)
	if err != nil {
		t.Fatalf("Load(Marshal(cfg)): %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n%s\ngot %s", b, dump(t, got))
	}

	var decoded Config
	if err := yaml.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Server.ShutdownTimeout != want.Server.ShutdownTimeout {
		t.Fatalf("yaml.Unmarshal read shutdown_timeout_ms as %v, want %v", time.Duration(decoded.Server.ShutdownTimeout), time.Duration(want.Server.ShutdownTimeout))
	}
}
