package config

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// Config is footprint's whole configuration. Load fills it from defaults, a
// YAML file and the environment; the command line then overrides the fields
// whose flags were given, and Validate checks the result.
//
// The yaml tags spell the file's keys, so yaml.Marshal of a Config is a
// valid configuration file.
type Config struct {
	Server ServerConfig `yaml:"server"`
	// DataDir is where footprint keeps its state. Load fills in the per-user
	// default (see DefaultDataDir) when neither the file nor the environment
	// sets it.
	DataDir string    `yaml:"data_dir,omitempty"`
	Log     LogConfig `yaml:"log"`
	// Upstream is the base URL of the simulated web; "" means the real
	// internet.
	Upstream string `yaml:"upstream,omitempty"`
	// Demo starts the simulated web in-process.
	Demo bool `yaml:"demo"`
	// UserAgent is sent with every outbound request; "" means the default,
	// see EffectiveUserAgent.
	UserAgent string `yaml:"user_agent,omitempty"`
	// RedisURL enables the shared L2 cache (redis://, rediss:// or unix://);
	// "" means no Redis.
	RedisURL string `yaml:"redis_url,omitempty"`
	// Limits tunes the rate limits shared through Redis.
	Limits LimitsConfig `yaml:"limits"`
	// DatabaseURL is the shared PostgreSQL store (postgres:// or
	// postgresql://) that replicas use for what must outlive one machine
	// (keys, audit, shared jobs); "" means the embedded store in data_dir.
	DatabaseURL string `yaml:"database_url,omitempty"`
	// DatabaseMaxConns caps the process's one PostgreSQL pool (keys,
	// audit, privacy and jobs share it); 0: the pool_max_conns parameter
	// of database_url, else 16.
	DatabaseMaxConns int           `yaml:"database_max_conns"`
	Cache            CacheConfig   `yaml:"cache"`
	Jobs             JobsConfig    `yaml:"jobs"`
	Metrics          MetricsConfig `yaml:"metrics"`
	Auth             AuthConfig    `yaml:"auth"`
	Audit            AuditConfig   `yaml:"audit"`
	// InsecureNoAuth lets serve run without API keys on a non-loopback
	// address.
	InsecureNoAuth bool          `yaml:"insecure_no_auth"`
	Console        ConsoleConfig `yaml:"console"`
	Privacy        PrivacyConfig `yaml:"privacy"`
	// Sources overrides the sources' self-described defaults, by source
	// name. Names are not checked here: the engine rejects unknown ones,
	// and ValidateSources the keys a source does not take.
	Sources map[string]SourceConfig `yaml:"sources,omitempty"`

	// given records where Load found each per-source setting, by path
	// ("sources.rdap.base_url"): the file position and key
	// ("config.yaml:7: sources.rdap.base_url") or the variable. It lets
	// ValidateSources reject a key a source does not take wherever it was
	// written, even with an empty value.
	given map[string][]string
}

// AuthConfig configures API keys.
type AuthConfig struct {
	// Secret keys the hash of every API key; replicas sharing a
	// PostgreSQL store must share it (or cache.secret). "" : cache.secret,
	// else a secret kept in the store.
	Secret string `yaml:"secret,omitempty"`
}

// AuditConfig configures the audit trail.
type AuditConfig struct {
	// Retention is how long entries are kept: whole days ("400d") or a Go
	// duration ("720h").
	Retention string `yaml:"retention"`
}

// AuditRetention returns audit.retention as a duration (Validate checked
// it).
func (c *Config) AuditRetention() time.Duration {
	d, _ := ParseRetention(c.Audit.Retention)
	return d
}

// ParseRetention reads "400d" (whole days) or a Go duration ("720h").
func ParseRetention(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("want a number of days like 400d, or a duration like 720h, got %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want a number of days like 400d, or a duration like 720h, got %q", s)
	}
	return d, nil
}

// ServerConfig configures the HTTP API.
type ServerConfig struct {
	Addr             string   `yaml:"addr"`
	ShutdownTimeout  Duration `yaml:"shutdown_timeout_ms"`
	MaxBodyBytes     int64    `yaml:"max_body_bytes"`
	DefaultTimeoutMS int      `yaml:"default_timeout_ms"`
	MaxTimeoutMS     int      `yaml:"max_timeout_ms"`
}

// MetricsConfig configures GET /metrics (docs/METRICS.md).
type MetricsConfig struct {
	// Addr serves /metrics on its own listener (host:port) instead of the
	// API's; "" keeps it on the API's.
	Addr string `yaml:"addr,omitempty"`
}

// ConsoleConfig configures the web console at /console.
type ConsoleConfig struct {
	// Enabled serves the console's pages; false answers them 404.
	Enabled bool `yaml:"enabled"`
}

// LogConfig configures the process log.
type LogConfig struct {
	Format string `yaml:"format"` // text or json
	Level  string `yaml:"level"`  // debug, info, warn or error
}

// CacheConfig configures the result cache.
type CacheConfig struct {
	L1SizeMB int `yaml:"l1_size_mb"`
	// Secret is the HMAC key for cache keys; "" means one is generated and
	// kept in the data folder.
	Secret string `yaml:"secret,omitempty"`
}

// LimitsConfig tunes the rate limits shared by replicas through Redis.
type LimitsConfig struct {
	// FallbackReplicas is the replica count assumed, while Redis has not
	// answered since start, for each replica's share of every rate.
	FallbackReplicas int `yaml:"fallback_replicas"`
}

// JobsConfig configures batch jobs (POST /v1/jobs, footprint batch).
type JobsConfig struct {
	// Concurrency bounds the rows enriched at once, across jobs.
	Concurrency int `yaml:"concurrency"`
	// MaxActive bounds the jobs running at once; the others wait, queued.
	MaxActive int `yaml:"max_active"`
	// MaxInputBytes bounds one upload.
	MaxInputBytes int64 `yaml:"max_input_bytes"`
	// WebhookSecret signs the webhooks of jobs created without their own.
	WebhookSecret string `yaml:"webhook_secret,omitempty"`
	// LiveReserve is the share of every source's rate that batch rows
	// leave to live lookups.
	LiveReserve float64 `yaml:"live_reserve"`
	// MaxUploads bounds the uploads to POST /v1/jobs read at once; more
	// get 503.
	MaxUploads int `yaml:"max_uploads"`
	// MaxUploadsPerKey bounds the uploads one API key has read at once;
	// more get 429. 0: no cap per key.
	MaxUploadsPerKey int `yaml:"max_uploads_per_key"`
	// UploadMinBytesPerS is the slowest an upload may average after its
	// first 30 s; UploadTimeout bounds a whole upload. Both answer 408.
	UploadMinBytesPerS int64    `yaml:"upload_min_bytes_per_s"`
	UploadTimeout      Duration `yaml:"upload_timeout_ms"`
	// Lease is how long a replica's claim on a job row lasts unrenewed
	// with database_url (the rows of a replica that died are taken over
	// after it).
	Lease Duration `yaml:"lease_ms"`
	// Retention: finished jobs, their input and results are deleted this
	// long after they ended.
	Retention string `yaml:"retention"`
}

// PrivacyConfig configures purposes (docs/PRIVACY.md).
type PrivacyConfig struct {
	// DefaultPurpose applies to lookups that name none (and whose API key
	// has no default purpose).
	DefaultPurpose string `yaml:"default_purpose"`
	// SuppressionsReload is how often serve reloads its in-memory
	// suppression list from the store, besides hearing every change as it
	// happens: the safety net for a change whose broadcast was lost.
	SuppressionsReload Duration `yaml:"suppressions_reload_ms"`
	// Purposes: what each purpose may use.
	Purposes PurposesConfig `yaml:"purposes"`
}

// PurposesConfig holds one PurposeConfig per purpose.
type PurposesConfig struct {
	FraudPrevention      PurposeConfig `yaml:"fraud_prevention"`
	IdentityVerification PurposeConfig `yaml:"identity_verification"`
	Marketing            PurposeConfig `yaml:"marketing"`
	Analytics            PurposeConfig `yaml:"analytics"`
}

// PurposeConfig is one purpose's outputs and denied sources, each a
// comma-separated list.
type PurposeConfig struct {
	// Outputs: the score blocks returned (interests, influence, risk,
	// verification).
	Outputs string `yaml:"outputs"`
	// DenySources: sources never called for this purpose.
	DenySources string `yaml:"deny_sources"`
}

// Map returns the purposes by name.
func (p PurposesConfig) Map() map[string]PurposeConfig {
	return map[string]PurposeConfig{"fraud_prevention": p.FraudPrevention, "identity_verification": p.IdentityVerification,
		"marketing": p.Marketing, "analytics": p.Analytics}
}

// SourceConfig is one source's settings. Zero values keep the source's own
// default (its enrichers.Description).
type SourceConfig struct {
	// Enabled nil keeps the source's default (on, unless it needs a key or
	// is off by default).
	Enabled   *bool         `yaml:"enabled,omitempty"`
	RatePerS  float64       `yaml:"rate_per_s,omitempty"`
	Burst     int           `yaml:"burst,omitempty"`
	TimeoutMS int           `yaml:"timeout_ms,omitempty"`
	Breaker   BreakerConfig `yaml:"breaker,omitempty"`
	APIKey    string        `yaml:"api_key,omitempty"`
	BaseURL   string        `yaml:"base_url,omitempty"`
	// MaxPerLookup caps the source's calls in one lookup (sources that
	// declare it: avatar); 0 keeps the source's default.
	MaxPerLookup int `yaml:"max_per_lookup,omitempty"`
}

// BreakerConfig is a source's circuit breaker settings; zero keeps the
// source's default.
type BreakerConfig struct {
	Failures         uint32 `yaml:"failures,omitempty"`
	OpenForMS        int    `yaml:"open_for_ms,omitempty"`
	HalfOpenRequests uint32 `yaml:"half_open_requests,omitempty"`
}

// Duration is a time.Duration written in configuration as a whole number of
// milliseconds (its keys end in _ms), so "15" is never mistaken for seconds
// or nanoseconds.
type Duration time.Duration

// MarshalYAML writes d as milliseconds.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).Milliseconds(), nil }

// UnmarshalYAML reads d as milliseconds, for code that decodes a Config with
// yaml.Unmarshal instead of Load.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	return parseValue(d, n.Value)
}

// productURL identifies footprint in the default User-Agent.
const productURL = "https://github.com/footprint-oss/footprint"

// Default returns the built-in defaults. DataDir is left empty (Load
// resolves the per-user folder from the environment) and UserAgent is empty
// (meaning EffectiveUserAgent's default).
func Default() *Config {
	return &Config{
		Server: ServerConfig{
			Addr:             "127.0.0.1:8080",
			ShutdownTimeout:  Duration(15 * time.Second),
			MaxBodyBytes:     64 << 10,
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
}

// Load returns the defaults overlaid by the YAML file at path ("" for none)
// and then by the environment. environ is the process environment as
// os.Environ returns it; env looks variables up as os.LookupEnv does (nil:
// looked up in environ). Passing them in keeps tests off the real
// environment.
//
// Unknown YAML keys, unknown FOOTPRINT_ variables (except FOOTPRINT_TEST_*)
// and unparsable values are errors naming the key or variable; all of them
// are reported at once. Load does not call Validate: the caller applies its
// flags first, then validates.
func Load(path string, env func(string) (string, bool), environ []string) (*Config, error) {
	if env == nil {
		env = lookupIn(environ)
	}
	c := Default()
	var errs []error
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		errs = append(errs, c.applyYAML(path, data)...)
	}
	errs = append(errs, c.applyEnv(env, environ)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	c.DataDir = expandHome(c.DataDir, env)
	if c.DataDir == "" {
		// An unresolvable default is left empty rather than failing here: a
		// --data-dir flag may still supply it, and Validate reports it if not.
		c.DataDir, _ = DefaultDataDir(runtime.GOOS, env)
	}
	return c, nil
}

// lookupIn returns a lookup function over an os.Environ-style list; later
// entries win, as with setenv.
func lookupIn(environ []string) func(string) (string, bool) {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			m[k] = v
		}
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// EffectiveUserAgent returns UserAgent, or when it is empty the default
// "footprint/<version> (+https://github.com/footprint-oss/footprint)".
func (c *Config) EffectiveUserAgent(version string) string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	if version == "" {
		version = "dev"
	}
	return "footprint/" + version + " (+" + productURL + ")"
}

// EngineSources converts Sources to the engine's per-source overrides. API
// keys and base URLs are not part of them: the composition root hands those
// to the sources themselves.
func (c *Config) EngineSources() map[string]engine.SourceConfig {
	out := make(map[string]engine.SourceConfig, len(c.Sources))
	for name, s := range c.Sources {
		ec := engine.SourceConfig{
			RatePerS:     s.RatePerS,
			Burst:        s.Burst,
			Timeout:      time.Duration(s.TimeoutMS) * time.Millisecond,
			MaxPerLookup: s.MaxPerLookup,
			Breaker: enrichers.BreakerSettings{
				Failures:         s.Breaker.Failures,
				OpenFor:          time.Duration(s.Breaker.OpenForMS) * time.Millisecond,
				HalfOpenRequests: s.Breaker.HalfOpenRequests,
			},
		}
		if s.Enabled != nil {
			on := *s.Enabled
			ec.Enabled = &on
		}
		out[name] = ec
	}
	return out
}
