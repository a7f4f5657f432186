package config

import (
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   []string // nil: valid; else every one must appear
	}{
		{name: "defaults", change: func(*Config) {}},
		{name: "all interfaces", change: func(c *Config) { c.Server.Addr = ":8080" }},
		{name: "IPv6 and port 0", change: func(c *Config) { c.Server.Addr = "[::1]:0" }},
		{name: "no port", change: func(c *Config) { c.Server.Addr = "localhost" }, want: []string{`server.addr: "localhost" is not host:port`}},
		{name: "port out of range", change: func(c *Config) { c.Server.Addr = "localhost:99999" }, want: []string{"server.addr: \"localhost:99999\": port must be a number from 0 to 65535"}},
		{name: "named port", change: func(c *Config) { c.Server.Addr = "localhost:http" }, want: []string{"server.addr: "}},
		{name: "shutdown timeout", change: func(c *Config) { c.Server.ShutdownTimeout = 0 }, want: []string{"server.shutdown_timeout_ms: must be > 0"}},
		{name: "body size", change: func(c *Config) { c.Server.MaxBodyBytes = -1 }, want: []string{"server.max_body_bytes: must be > 0"}},
		{name: "default timeout", change: func(c *Config) { c.Server.DefaultTimeoutMS = 0 }, want: []string{"server.default_timeout_ms: must be > 0"}},
		{name: "max timeout", change: func(c *Config) { c.Server.MaxTimeoutMS = 0 }, want: []string{"server.max_timeout_ms: must be > 0"}},
		{name: "max below default", change: func(c *Config) { c.Server.MaxTimeoutMS = 1000 },
			want: []string{"server.max_timeout_ms: 1000 is less than server.default_timeout_ms (3000)"}},
		{name: "max equals default", change: func(c *Config) { c.Server.MaxTimeoutMS = 3000 }},
		{name: "no data dir", change: func(c *Config) { c.DataDir = "" }, want: []string{"data_dir: not set"}},
		{name: "log format", change: func(c *Config) { c.Log.Format = "xml" }, want: []string{`log.format: "xml" is not text or json`}},
		{name: "log format any case", change: func(c *Config) { c.Log.Format, c.Log.Level = "JSON", "Debug" }},
		{name: "log level", change: func(c *Config) { c.Log.Level = "trace" }, want: []string{`log.level: "trace" is not debug, info, warn or error`}},
		{name: "upstream", change: func(c *Config) { c.Upstream = "https://sim.example:8443/base/" }},
		{name: "upstream without scheme", change: func(c *Config) { c.Upstream = "sim:8081" }, want: []string{"upstream: \"sim:8081\": want an http:// or https:// URL"}},
		{name: "upstream without host", change: func(c *Config) { c.Upstream = "http:///x" }, want: []string{"upstream: \"http:///x\": no host"}},
		{name: "upstream with query", change: func(c *Config) { c.Upstream = "http://sim/?a=1" }, want: []string{"upstream: \"http://sim/?a=1\": a base URL has no query or fragment"}},
		{name: "user agent", change: func(c *Config) { c.UserAgent = "a\r\nX-Injected: 1" }, want: []string{"user_agent: must not contain control characters"}},
		{name: "redis", change: func(c *Config) { c.RedisURL = "rediss://:pw@redis:6380/2" }},
		{name: "redis socket", change: func(c *Config) { c.RedisURL = "unix:///run/redis.sock" }},
		{name: "redis scheme", change: func(c *Config) { c.RedisURL = "http://redis:6379" }, want: []string{`redis_url: scheme "http": want redis://, rediss:// or unix://`}},
		{name: "redis without host", change: func(c *Config) { c.RedisURL = "redis://" }, want: []string{"redis_url: no host"}},
		{name: "redis error hides the password", change: func(c *Config) { c.RedisURL = "redis://:s3cret@host:port" }, want: []string{"redis_url: not a URL"}},
		{name: "cache size", change: func(c *Config) { c.Cache.L1SizeMB = 0 }, want: []string{"cache.l1_size_mb: must be > 0"}},
		{name: "short secret", change: func(c *Config) { c.Cache.Secret = "short" }, want: []string{"cache.secret: must be at least 16 bytes"}},
		{name: "sources", change: func(c *Config) {
			c.Sources["github"] = SourceConfig{Enabled: ptr(true), RatePerS: 0.5, Burst: 1, TimeoutMS: 1,
				Breaker: BreakerConfig{Failures: 1, OpenForMS: 1, HalfOpenRequests: 1}, APIKey: "k", BaseURL: "http://127.0.0.1:1"}
			c.Sources["stack-overflow"] = SourceConfig{}
			c.Sources["have_i_been_pwned"] = SourceConfig{}
		}},
		{name: "source name", change: func(c *Config) { c.Sources["GitHub"] = SourceConfig{} }, want: []string{"sources.GitHub: source names are lower-case"}},
		{name: "empty source name", change: func(c *Config) { c.Sources[""] = SourceConfig{} }, want: []string{`sources."": source names are lower-case`}},
		{name: "source values", change: func(c *Config) {
			c.Sources["github"] = SourceConfig{RatePerS: -1, Burst: -1, TimeoutMS: -1,
				Breaker: BreakerConfig{OpenForMS: -1}, APIKey: "k\n", BaseURL: "github.com"}
			c.Sources["gitlab"] = SourceConfig{RatePerS: math.NaN()}
			c.Sources["devto"] = SourceConfig{RatePerS: math.Inf(1)}
		}, want: []string{
			"sources.devto.rate_per_s: must be a finite number ≥ 0",
			"sources.github.rate_per_s: must be a finite number ≥ 0 (0 keeps the default)",
			"sources.github.burst: must be ≥ 0",
			"sources.github.timeout_ms: must be ≥ 0",
			"sources.github.breaker.open_for_ms: must be ≥ 0",
			"sources.github.api_key: must not contain control characters",
			"sources.github.base_url: \"github.com\": want an http:// or https:// URL",
			"sources.gitlab.rate_per_s: must be a finite number ≥ 0",
		}},
		{name: "every problem at once", change: func(c *Config) {
			c.Server.Addr = "nope"
			c.Log.Level = "loud"
			c.Cache.L1SizeMB = -1
		}, want: []string{"server.addr: ", "log.level: ", "cache.l1_size_mb: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base(t)
			tt.change(c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.want) {
				t.Errorf("error has %d lines, want %d:\n%v", n, len(tt.want), err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}
