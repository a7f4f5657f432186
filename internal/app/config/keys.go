package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// envPrefix starts every configuration variable.
const envPrefix = "FOOTPRINT_"

// envTestPrefix starts variables that tests read (FOOTPRINT_TEST_REDIS_URL,
// …). They share the namespace but are not configuration, so Load ignores
// them instead of rejecting them as unknown.
const envTestPrefix = "FOOTPRINT_TEST_"

// key is one setting: its YAML path, where it lives in a Config and its
// documentation. The environment variable is derived from the path (see
// envName). The table is the single list that the YAML and environment
// layers, REFERENCE.md and the package documentation are built from.
type key struct {
	path string
	ptr  func(*Config) any
	doc  string
	// def documents the default when it is not simply Default()'s value.
	def string
}

func keys() []key {
	return []key{
		{path: "server.addr", ptr: func(c *Config) any { return &c.Server.Addr },
			doc: "listen address, host:port (\":8080\" for every interface)"},
		{path: "server.shutdown_timeout_ms", ptr: func(c *Config) any { return &c.Server.ShutdownTimeout },
			doc: "how long in-flight requests may finish after SIGINT/SIGTERM"},
		{path: "server.max_body_bytes", ptr: func(c *Config) any { return &c.Server.MaxBodyBytes },
			doc: "largest accepted request body"},
		{path: "server.default_timeout_ms", ptr: func(c *Config) any { return &c.Server.DefaultTimeoutMS },
			doc: "budget of a request that sets no options.timeout_ms"},
		{path: "server.max_timeout_ms", ptr: func(c *Config) any { return &c.Server.MaxTimeoutMS },
			doc: "largest options.timeout_ms a request may ask for (≥ default_timeout_ms)"},
		{path: "data_dir", ptr: func(c *Config) any { return &c.DataDir },
			doc: "folder for footprint's state (cache secret, …); a leading ~/ is the home folder",
			def: "per-user data folder¹"},
		{path: "log.format", ptr: func(c *Config) any { return &c.Log.Format },
			doc: "text or json"},
		{path: "log.level", ptr: func(c *Config) any { return &c.Log.Level },
			doc: "debug, info, warn or error"},
		{path: "upstream", ptr: func(c *Config) any { return &c.Upstream },
			doc: "base URL of the simulated web (http or https); empty: the real internet",
			def: "empty"},
		{path: "demo", ptr: func(c *Config) any { return &c.Demo },
			doc: "start the simulated web in-process (results are labelled simulated)"},
		{path: "user_agent", ptr: func(c *Config) any { return &c.UserAgent },
			doc: "User-Agent of outbound requests",
			def: "footprint/<version> (+" + productURL + ")"},
		{path: "redis_url", ptr: func(c *Config) any { return &c.RedisURL },
			doc: "shared L2 cache and rate limits shared by replicas (docs/ARCHITECTURE.md), redis://, rediss:// or unix://; empty: no Redis",
			def: "empty"},
		{path: "limits.fallback_replicas", ptr: func(c *Config) any { return &c.Limits.FallbackReplicas },
			doc: "with redis_url: replicas assumed while Redis has not answered since start; each then takes 1/n of every source's rate (afterwards n is the replicas seen in Redis in the last 10 s)"},
		{path: "database_url", ptr: func(c *Config) any { return &c.DatabaseURL },
			doc: "shared PostgreSQL store, postgres:// or postgresql://; empty: the embedded store in data_dir",
			def: "empty"},
		{path: "database_max_conns", ptr: func(c *Config) any { return &c.DatabaseMaxConns },
			doc: "with database_url: connections of the process's one PostgreSQL pool, which keys, audit, privacy and jobs share; 0: database_url's pool_max_conns parameter, else 16",
			def: "0 (16)"},
		{path: "cache.l1_size_mb", ptr: func(c *Config) any { return &c.Cache.L1SizeMB },
			doc: "in-process cache size in MiB"},
		{path: "cache.secret", ptr: func(c *Config) any { return &c.Cache.Secret },
			doc: "HMAC key for cache keys, at least 16 bytes; empty: generated and kept in data_dir",
			def: "empty"},
		{path: "jobs.concurrency", ptr: func(c *Config) any { return &c.Jobs.Concurrency },
			doc: "rows of batch jobs enriched at once, across jobs (each source's rate limit still binds)"},
		{path: "jobs.max_active", ptr: func(c *Config) any { return &c.Jobs.MaxActive },
			doc: "jobs running at once; more wait, queued"},
		{path: "jobs.max_input_bytes", ptr: func(c *Config) any { return &c.Jobs.MaxInputBytes },
			doc: "largest upload to POST /v1/jobs"},
		{path: "jobs.webhook_secret", ptr: func(c *Config) any { return &c.Jobs.WebhookSecret },
			doc: "HMAC key (at least 16 bytes) signing the webhooks of jobs that bring no X-Webhook-Secret; empty: such jobs cannot have a webhook",
			def: "empty"},
		{path: "jobs.live_reserve", ptr: func(c *Config) any { return &c.Jobs.LiveReserve },
			doc: "share (0–0.9) of every source's token bucket that batch rows never take, so live lookups find tokens at once"},
		{path: "jobs.max_uploads", ptr: func(c *Config) any { return &c.Jobs.MaxUploads },
			doc: "uploads to POST /v1/jobs read at once; more are answered 503 with Retry-After"},
		{path: "jobs.max_uploads_per_key", ptr: func(c *Config) any { return &c.Jobs.MaxUploadsPerKey },
			doc: "uploads to POST /v1/jobs one API key has read at once; more are answered 429 with Retry-After (0: no cap per key; without keys only jobs.max_uploads applies)"},
		{path: "jobs.upload_min_bytes_per_s", ptr: func(c *Config) any { return &c.Jobs.UploadMinBytesPerS },
			doc: "slowest average transfer rate of an upload after its first 30 s; slower ones are cut off with 408"},
		{path: "jobs.upload_timeout_ms", ptr: func(c *Config) any { return &c.Jobs.UploadTimeout },
			doc: "longest a whole upload may take; longer ones are cut off with 408"},
		{path: "jobs.lease_ms", ptr: func(c *Config) any { return &c.Jobs.Lease },
			doc: "with database_url: how long a replica's claim on a job row lasts unrenewed (renewed every third of it); the rows of a replica that died are taken over after it"},
		{path: "jobs.retention", ptr: func(c *Config) any { return &c.Jobs.Retention },
			doc: "how long after a job ended it is deleted with its input and results: days (30d) or a duration (720h)"},
		{path: "metrics.addr", ptr: func(c *Config) any { return &c.Metrics.Addr },
			doc: "serve GET /metrics on this address (host:port) instead of the API's; keep it private",
			def: "empty"},
		{path: "auth.secret", ptr: func(c *Config) any { return &c.Auth.Secret },
			doc: "HMAC key (at least 16 bytes) for API key hashes; replicas sharing database_url must share it; empty: cache.secret, else a secret kept in the key store",
			def: "empty"},
		{path: "audit.retention", ptr: func(c *Config) any { return &c.Audit.Retention },
			doc: "how long audit entries are kept: whole days (400d) or a duration (720h); pruned hourly"},
		{path: "insecure_no_auth", ptr: func(c *Config) any { return &c.InsecureNoAuth },
			doc: "let serve run without API keys on a non-loopback address (FOOTPRINT_INSECURE_NO_AUTH, --insecure-no-auth)"},
		{path: "console.enabled", ptr: func(c *Config) any { return &c.Console.Enabled },
			doc: "serve the web console at /console (pages only: it calls the API with the user's key)"},
		{path: "privacy.default_purpose", ptr: func(c *Config) any { return &c.Privacy.DefaultPurpose },
			doc: "purpose of lookups that name none and whose API key has no default: fraud_prevention, identity_verification, marketing or analytics"},
		{path: "privacy.suppressions_reload_ms", ptr: func(c *Config) any { return &c.Privacy.SuppressionsReload },
			doc: "serve keeps the suppression list in memory, updated at once by every change (through redis_url's broadcast across replicas); it also reloads it from the store this often, the safety net for a lost broadcast (docs/PRIVACY.md)"},
		{path: "privacy.purposes.fraud_prevention.outputs", ptr: func(c *Config) any { return &c.Privacy.Purposes.FraudPrevention.Outputs },
			doc: "score blocks a fraud_prevention lookup returns, comma-separated (interests, influence, risk, verification; empty: none)"},
		{path: "privacy.purposes.fraud_prevention.deny_sources", ptr: func(c *Config) any { return &c.Privacy.Purposes.FraudPrevention.DenySources },
			doc: "sources never called for fraud_prevention, comma-separated", def: "empty"},
		{path: "privacy.purposes.identity_verification.outputs", ptr: func(c *Config) any { return &c.Privacy.Purposes.IdentityVerification.Outputs },
			doc: "score blocks a identity_verification lookup returns, comma-separated (interests, influence, risk, verification; empty: none)"},
		{path: "privacy.purposes.identity_verification.deny_sources", ptr: func(c *Config) any { return &c.Privacy.Purposes.IdentityVerification.DenySources },
			doc: "sources never called for identity_verification, comma-separated", def: "empty"},
		{path: "privacy.purposes.marketing.outputs", ptr: func(c *Config) any { return &c.Privacy.Purposes.Marketing.Outputs },
			doc: "score blocks a marketing lookup returns, comma-separated (interests, influence, risk, verification; empty: none)"},
		{path: "privacy.purposes.marketing.deny_sources", ptr: func(c *Config) any { return &c.Privacy.Purposes.Marketing.DenySources },
			doc: "sources never called for marketing, comma-separated", def: "empty"},
		{path: "privacy.purposes.analytics.outputs", ptr: func(c *Config) any { return &c.Privacy.Purposes.Analytics.Outputs },
			doc: "score blocks a analytics lookup returns, comma-separated (interests, influence, risk, verification; empty: none)"},
		{path: "privacy.purposes.analytics.deny_sources", ptr: func(c *Config) any { return &c.Privacy.Purposes.Analytics.DenySources },
			doc: "sources never called for analytics, comma-separated", def: "empty"},
	}
}

// sourceKey is one per-source setting, under sources.<name>.
type sourceKey struct {
	path string
	ptr  func(*SourceConfig) any
	doc  string
	// declared marks a key only the sources that list it in their
	// enrichers.Description.Settings take (see ValidateSources); the others
	// every source takes.
	declared bool
}

func sourceKeys() []sourceKey {
	return []sourceKey{
		{path: "enabled", ptr: func(s *SourceConfig) any { return &s.Enabled },
			doc: "turn the source on or off; unset: on unless it needs a key or is off by default"},
		{path: "rate_per_s", ptr: func(s *SourceConfig) any { return &s.RatePerS },
			doc: "token-bucket rate, requests per second (fractions allowed)"},
		{path: "burst", ptr: func(s *SourceConfig) any { return &s.Burst },
			doc: "token-bucket size"},
		{path: "timeout_ms", ptr: func(s *SourceConfig) any { return &s.TimeoutMS },
			doc: "deadline of one call to the source"},
		{path: "breaker.failures", ptr: func(s *SourceConfig) any { return &s.Breaker.Failures },
			doc: "consecutive failures that open the circuit breaker"},
		{path: "breaker.open_for_ms", ptr: func(s *SourceConfig) any { return &s.Breaker.OpenForMS },
			doc: "how long the breaker stays open before a probe"},
		{path: "breaker.half_open_requests", ptr: func(s *SourceConfig) any { return &s.Breaker.HalfOpenRequests },
			doc: "probes let through while half-open"},
		{path: enrichers.SettingAPIKey, ptr: func(s *SourceConfig) any { return &s.APIKey },
			doc: "API key of a keyed source", declared: true},
		{path: enrichers.SettingBaseURL, ptr: func(s *SourceConfig) any { return &s.BaseURL },
			doc: "override the source's base URL (http or https)", declared: true},
		{path: enrichers.SettingMaxPerLookup, ptr: func(s *SourceConfig) any { return &s.MaxPerLookup },
			doc: "calls to the source in one lookup at most, the likeliest identifiers first (avatar: photos fetched)", declared: true},
	}
}

// envName is the environment variable of a YAML path:
// "server.addr" → FOOTPRINT_SERVER_ADDR.
func envName(path string) string {
	return envPrefix + envWord(path)
}

// envWord upper-cases s and turns '.' and '-' into '_'.
func envWord(s string) string {
	return strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(s))
}

// sourceEnvName is the variable of a source setting:
// ("github", "breaker.failures") → FOOTPRINT_SOURCES_GITHUB_BREAKER_FAILURES.
func sourceEnvName(source, path string) string {
	return envPrefix + "SOURCES_" + envWord(source) + "_" + envWord(path)
}

// maxMS is the largest millisecond count a time.Duration holds.
const maxMS = math.MaxInt64 / int64(time.Millisecond)

// parseValue parses raw into the setting ptr points to. Its errors say what
// was wanted and what was given; the caller names the key or variable.
func parseValue(ptr any, raw string) error {
	t := strings.TrimSpace(raw)
	switch p := ptr.(type) {
	case *string:
		*p = raw
	case *bool:
		b, err := strconv.ParseBool(t)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", raw)
		}
		*p = b
	case **bool:
		b, err := strconv.ParseBool(t)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", raw)
		}
		*p = &b
	case *int:
		n, err := strconv.ParseInt(t, 10, strconv.IntSize)
		if err != nil {
			return fmt.Errorf("want an integer, got %q", raw)
		}
		*p = int(n)
	case *int64:
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer, got %q", raw)
		}
		*p = n
	case *uint32:
		n, err := strconv.ParseUint(t, 10, 32)
		if err != nil {
			return fmt.Errorf("want an integer from 0 to %d, got %q", uint32(math.MaxUint32), raw)
		}
		*p = uint32(n)
	case *float64:
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a number, got %q", raw)
		}
		*p = f
	case *Duration:
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n > maxMS || n < -maxMS {
			return fmt.Errorf("want a whole number of milliseconds, got %q", raw)
		}
		*p = Duration(time.Duration(n) * time.Millisecond)
	default:
		panic(fmt.Sprintf("config: no parser for %T", ptr))
	}
	return nil
}

// suggest returns the candidate closest to s when it is close enough to be
// a likely typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", max(2, len(s)/6)+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
